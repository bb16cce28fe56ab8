"""Settings: the LEHOI_* environment read once into a frozen struct.

Every default runs with no configuration: one process on an SQLite file in ./data.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import msgspec

ENV_PREFIX = "LEHOI_"
#: the VAPID contact when none is configured: FCM and Mozilla take it, Apple answers 403 BadJwtToken
PLACEHOLDER_CONTACT = "mailto:organisers@lehoi.invalid"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the server reads from its environment."""

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: str = "data"
    #: the address people open when the server sits behind a proxy (`https://lehoi.example`): /admin admits
    #: requests from its host, and over https keeps its session cookie to https.
    public_url: str = ""
    #: unset: SQLite in the data directory; `postgresql://…` for PostgreSQL.
    database_url: str = ""
    #: festival clock: an ISO instant the clock starts from (`fixed:` prefix freezes it).
    now: str = ""
    osrm_url: str = ""
    #: seconds the routing engine may take for one answer before the estimate answers instead.
    osrm_timeout_s: float = 3.0
    #: push-service hosts that subscription endpoints may name (comma-separated; `*.` prefix for subdomains);
    #: unset: FCM, Mozilla, Apple, Windows. `http://127.0.0.1:9999` admits exactly that local receiver.
    push_hosts: str = ""
    #: run a push worker inside each server process (`0` when separate `lehoi worker` processes do it).
    push_worker: bool = True
    #: the VAPID `sub` claim: a contact push services may write to (`mailto:…` or `https://…`); unset: the
    #: public address when it is https, else a placeholder that Apple's push service refuses (`vapid_contact`).
    push_contact: str = ""
    #: processes `lehoi worker` runs (0: one per CPU core).
    push_processes: int = 0
    #: push requests in flight per worker, and delivery rows a worker claims at a time.
    push_concurrency: int = 200
    push_batch: int = 500
    #: seconds a worker waits for a push service; a claim's lease; idle polling interval.
    push_timeout_s: float = 10.0
    push_lease_s: float = 120.0
    push_poll_s: float = 1.0
    #: attempts (claims) of one delivery before it counts as failed.
    push_max_attempts: int = 8
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_attribution: str = "© OpenStreetMap contributors"
    #: the offline basemap served at /tiles/<name>.pmtiles: <data-dir>/tiles/<name>.pmtiles (`lehoi tiles build`),
    #: else the prebuilt archive of that name in fixtures/osm/.
    basemap: str = "hanoi-centre"
    #: `redis://host:6379/0`: rate limits count in Redis; unset: in the database.
    redis_url: str = ""
    #: PostgreSQL connection pool size per process.
    pool_size: int = 10
    #: anonymous device registrations allowed per client address and minute.
    device_rate_per_minute: int = 30
    #: `k2:<base64url seed>,k1:…`: pass- and stamp-signing keys shared by hosts without a shared disk (the first
    #: signs); unset: the keys in <data-dir>/keys/.
    signing_keys: str = ""
    #: the VAPID private key (PEM or base64url scalar) when hosts share no data directory; unset: the key in
    #: <data-dir>/vapid/, made on first start.
    vapid_private_key: str = ""
    #: programme versions whose bundle files (raw, .gz, .br) stay in <data-dir>/bundles; older ones are deleted.
    bundles_kept: Annotated[int, msgspec.Meta(ge=1)] = 3
    #: programme versions the change log keeps: a phone whose version is older takes the whole bundle again (410).
    change_log_kept: Annotated[int, msgspec.Meta(ge=1)] = 5000

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def sqlite_path(self) -> Path:
        return self.data_path / "lehoi.sqlite"

    @property
    def roads_path(self) -> Path:
        """The road graph of street routes (`lehoi roads import`)."""
        return self.data_path / "roads.npz"

    def __post_init__(self) -> None:
        if self.public_url:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"public_url must be an http(s) address, not {self.public_url!r}")
        # Apple's push service refuses a token whose `sub` is not a mailto: or https: address
        if self.push_contact and not re.fullmatch(
            r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+|https://[^/\s]+(/\S*)?", self.push_contact
        ):
            raise ValueError(f"push_contact must be mailto:someone@example.org or https://…, not {self.push_contact!r}")

    @property
    def vapid_contact(self) -> str:
        """The VAPID `sub`: the contact set, else the https public address, else `PLACEHOLDER_CONTACT`."""
        return self.push_contact or (self.public_url if self.public_https else PLACEHOLDER_CONTACT)

    @property
    def public_host(self) -> str | None:
        """The host name of `public_url`, if one is set."""
        return urlsplit(self.public_url).hostname if self.public_url else None

    @property
    def public_https(self) -> bool:
        return urlsplit(self.public_url).scheme == "https"

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


def load_settings(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Read LEHOI_* variables (and explicit overrides) into Settings; a bad value raises ValueError."""
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for field in msgspec.structs.fields(Settings):
        value = env.get(ENV_PREFIX + field.name.upper())
        if value is not None and value != "":
            raw[field.name] = value
    raw.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ValueError(f"bad LEHOI_* setting: {exc}") from exc
