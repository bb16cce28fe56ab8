"""Devices (attendee phones, volunteer phones) and organiser sessions.

Organisers are Piccolo's own users (BaseUser: PBKDF2-SHA256 passwords), so /admin accepts the same people.
Only a SHA-256 of each bearer token is stored.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSON, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table


class Device(Table):
    id = Varchar(length=64, primary_key=True)
    #: attendee or volunteer
    role = Varchar(length=16, default="attendee")
    token_hash = Varchar(length=64, unique=True, index=True)
    #: venue ids a volunteer may scan for
    venues = JSON(default=[])
    lang = Varchar(length=8, default="vi")
    reminder_minutes = Integer(default=15)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class EnrolmentCode(Table):
    """A code an organiser shows volunteers; scanning it makes a volunteer device for its venues.

    Only a SHA-256 of the code is stored. A code serves every volunteer who scans it before it expires,
    up to `max_uses` when that is set.
    """

    code_hash = Varchar(length=64, unique=True, index=True)
    venues = JSON(default=[])
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    expires_at = Timestamptz()
    max_uses = Integer(null=True, default=None)
    uses = Integer(default=0)


class OrganiserToken(Table):
    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=BaseUser, null=False)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class Favourite(Table):
    """An event a device has starred; written only through `favourite.*` mutations."""

    device = ForeignKey(references=Device, null=False, index=True)
    event_id = Varchar(length=64, index=True)
    created_at = Timestamptz()
