"""Pass token costs on one core: raw Ed25519 verification, the full ``verify_pass``, and QR rendering.

Run as ``python bench/bench_tokens.py`` (about 10 s). The figures bound how many scans a server process can
judge and how quickly a pass's QR code is drawn. ``raw_verify_rate`` is the baseline the check-in bench reuses:
the ratio of ``verify_pass`` to it shows what decoding, key lookup and window checks add to the signature check.
"""

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.checkin.keys import KeyRing
from server.checkin.tokens import issue_pass, new_pass_id, verify_pass
from server.codecs import qr

NOW = datetime(2024, 11, 12, 10, 0, tzinfo=UTC)
UNTIL = datetime(2024, 11, 17, 23, 59, 59, tzinfo=UTC)


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Calls of ``operation`` per second, measured for about ``seconds`` after a short warm-up."""
    for _ in range(50):
        operation()
    calls, batch = 0, 64
    start = time.perf_counter()
    deadline = start + seconds
    while (now := time.perf_counter()) < deadline:
        for _ in range(batch):
            operation()
        calls += batch
    return calls / (now - start)


def raw_verify_rate(seconds: float = 2.0) -> float:
    """Ed25519 verifications per second on one core with ``cryptography``, over a pass-sized message."""
    private = Ed25519PrivateKey.generate()
    message = b"P1." + b"x" * 32
    signature = private.sign(message)
    public = private.public_key()
    return rate(lambda: public.verify(signature, message), seconds)


def verify_pass_rate(seconds: float = 2.0) -> float:
    """Full ``verify_pass`` calls per second on one core, keys read from a directory ring."""
    with tempfile.TemporaryDirectory() as directory:
        ring = KeyRing.open(directory, now=NOW)
        token = issue_pass(ring, pass_id=new_pass_id(), kind="a", valid_until=UNTIL, now=NOW)
        return rate(lambda: verify_pass(token, ring, NOW), seconds)


def render_ms(render: Callable[[str], bytes], seconds: float = 2.0) -> float:
    """Milliseconds to draw one pass token's QR code."""
    with tempfile.TemporaryDirectory() as directory:
        ring = KeyRing.open(directory, now=NOW)
        token = issue_pass(ring, pass_id=new_pass_id(), kind="a", valid_until=UNTIL, now=NOW)
    return 1000 / rate(lambda: render(token), seconds)


def main() -> None:
    raw = raw_verify_rate()
    full = verify_pass_rate()
    print(f"Ed25519 verify (cryptography, 1 core): {raw:10,.0f} /s")
    print(f"verify_pass (1 core):                  {full:10,.0f} /s   ratio to raw {full / raw:.2f}")
    print(f"QR SVG per pass:                       {render_ms(qr.svg):10.2f} ms")
    print(f"QR PNG per pass (8 px/module):         {render_ms(qr.png):10.2f} ms")


if __name__ == "__main__":
    main()
