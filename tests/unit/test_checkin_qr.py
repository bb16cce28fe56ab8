"""The QR drawing: the same symbol qrcode makes (its mask choice, made faster), as SVG paths and PNG pixels."""

from __future__ import annotations

import io
import random
import string

import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from qrcode.util import MODE_8BIT_BYTE, QRData

from server.codecs import qr


def qrcode_s_own(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=qr.QUIET_ZONE)
    code.add_data(QRData(text.encode("ascii"), mode=MODE_8BIT_BYTE))
    code.make(fit=True)
    return code.get_matrix()


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits + "-_.", min_size=1, max_size=300))
def test_qr_mask_choice_is_qrcode_s(text):
    assert qr.matrix(text) == qrcode_s_own(text)


def test_pass_sized_tokens_across_many_draws():
    rng = random.Random(5)
    for _ in range(40):
        token = "P1." + "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(119))
        assert qr.matrix(token) == qrcode_s_own(token)


def test_png_pixels_are_the_modules():
    token = "P1.example-token.signature"
    modules = qr.matrix(token)
    image = Image.open(io.BytesIO(qr.png(token, scale=3))).convert("1")
    assert image.size == (len(modules) * 3,) * 2
    for r in range(len(modules)):
        for c in range(len(modules)):
            assert (image.getpixel((c * 3 + 1, r * 3 + 1)) == 0) == modules[r][c]


def test_svg_path_covers_exactly_the_dark_modules():
    modules = qr.matrix("S1.stamp.token")
    covered = set()
    for part in qr.svg_path(modules).split("z")[:-1]:
        x, y = (int(v) for v in part[1:].split("h")[0].split())
        width = int(part.split("h")[1].split("v")[0])
        covered |= {(y, x + i) for i in range(width)}
    assert covered == {(r, c) for r, row in enumerate(modules) for c, dark in enumerate(row) if dark}
