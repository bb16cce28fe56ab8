"""Check-in storage: passes, their revocations, the public signing keys, scans, and collected stamps.

`revoked_pass` and `pass_key` are mirrored by phones, so their writes are logged by the change-log triggers
(kinds `revoked_pass` and `pass_key`, installed by this app's migrations); the other tables are not programme data
and stay out of the log. Scans are append-only facts: a later decision never rewrites one.
"""

import uuid

from piccolo.columns import Boolean, Date, SmallInt, Timestamptz, Varchar
from piccolo.table import Table


class Pass(Table, tablename="festival_pass"):
    """An attendee's pass; the token (the QR code's content) is kept so the owner can show it again."""

    id = Varchar(length=16, primary_key=True)
    device = Varchar(length=64, index=True)
    #: one letter: a attendee (the token format leaves room for v volunteer, p press …)
    kind = Varchar(length=8, default="a")
    token = Varchar(length=160)
    key_id = Varchar(length=8)
    issued_at = Timestamptz()
    valid_until = Timestamptz()


class RevokedPass(Table):
    """A pass an organiser revoked. Logged (kind `revoked_pass`): phones refuse it offline once they sync."""

    #: the pass id
    id = Varchar(length=16, primary_key=True)
    revoked_at = Timestamptz()
    #: the organiser's user id
    revoked_by = Varchar(length=64, default="")
    reason = Varchar(length=200, default="")


class PassKey(Table):
    """The public half of every signing key, mirrored from the key ring so key changes reach phones.

    Logged (kind `pass_key`); rewritten only when the ring differs (start-up, `lehoi keys rotate|retire`).
    """

    id = Varchar(length=8, primary_key=True)
    alg = Varchar(length=16, default="Ed25519")
    #: unpadded base64url of the raw 32-byte Ed25519 public key
    public_key = Varchar(length=64)
    retired_at = Timestamptz(null=True, default=None)


class Scan(Table):
    """One scan of a pass at a venue entrance, online or uploaded later, with the verdict it got.

    A scan is the phone's scan id on its device (`device_id`, `scan_id`: unique together): an online check-in and
    a `checkin.scan` mutation of one device share it, so a scan is recorded once whichever way it arrives, while
    two devices that happen to make the same id record two scans. `id` is derived from both
    (`device_scoped_id` below). At most one `accepted` scan per pass, venue and festival day (a partial
    unique index holds the invariant).
    """

    id = Varchar(length=36, primary_key=True)
    #: the id the phone made, unique per device
    scan_id = Varchar(length=36, default="")
    #: null when the token was too malformed to name a pass
    pass_id = Varchar(length=16, null=True, default=None)
    venue_id = Varchar(length=64)
    #: the volunteer device that scanned
    device_id = Varchar(length=64, index=True)
    scanned_at = Timestamptz()
    received_at = Timestamptz()
    #: festival-local date and hour of scanned_at: the "today" of the duplicate rule, and the stats buckets
    day = Date()
    hour = SmallInt()
    #: accepted or rejected
    status = Varchar(length=8)
    #: a verdict reason (docs/contract.md) or device_revoked; null when accepted
    reason = Varchar(length=32, null=True, default=None)
    #: uploaded as a checkin.scan mutation rather than judged live
    offline = Boolean(default=False)
    #: comma-separated flags for the dashboard: revoked, double_scan, clock_skew
    conflict = Varchar(length=64, null=True, default=None)
    #: uploaded by a device after an organiser revoked it: kept for review, never counted
    device_revoked = Boolean(default=False)
    #: what the phone showed, for offline scans that say so
    verdict_shown = Varchar(length=32, null=True, default=None)


class Stamp(Table):
    """A venue stamp in a device's passport: one per device and venue (unique index)."""

    #: derived from the device and its stamp.collect mutation's id (`device_scoped_id` below)
    id = Varchar(length=36, primary_key=True)
    device_id = Varchar(length=64, index=True)
    venue_id = Varchar(length=64)
    collected_at = Timestamptz()
    received_at = Timestamptz()


#: the namespace of the keys `device_scoped_id` derives
_DEVICE_SCOPED = uuid.UUID("5b0f4c2e-8a8e-4c1e-9a55-6c6568f1a2d1")


def device_scoped_id(device_id: str, client_id: str) -> str:
    """The primary key of a row a device named with an id of its own (a scan id, a mutation id).

    Phones make their ids, so two devices may make the same one: keyed by the pair, each device's row is its own,
    and the same device sending the same id again lands on the same key (its insert is skipped).
    """
    return str(uuid.uuid5(_DEVICE_SCOPED, f"{device_id}/{client_id}"))
