from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct

from sync.messages import PLAIN, Instant, Slug


class LoginRequest(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(min_length=3, max_length=254), PLAIN]
    password: Annotated[str, Meta(min_length=1, max_length=128), PLAIN]


class LoginResponse(Struct):
    token: str
    expires_at: datetime


class DeviceCreated(Struct):
    device_id: str
    token: str


class DeviceSettings(Struct):
    lang: str
    reminder_minutes: int


class DeviceState(Struct):
    device_id: str
    favourites: list[str]
    settings: DeviceSettings


class EnrolmentCodeRequest(Struct, forbid_unknown_fields=True):
    venue_ids: Annotated[list[Slug], Meta(min_length=1, max_length=50)]
    expires_at: Instant
    #: how many volunteers may enrol with the code; unlimited until it expires when omitted
    max_uses: Annotated[int, Meta(ge=1, le=10_000)] | None = None


class EnrolmentCodeCreated(Struct):
    #: shown once: only its hash is stored
    code: str
    venue_ids: list[str]
    expires_at: datetime
    max_uses: int | None
    #: the code as a QR code (organisers), holding `enrol_url`
    qr_svg: str
    #: the app's enrolment screen with this code
    enrol_url: str


class EnrolRequest(Struct, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=4, max_length=64), PLAIN]


class VolunteerEnrolled(Struct):
    device_id: str
    #: the volunteer device's bearer token; shown only once
    token: str
    venues: list[str]


class VolunteerDevice(Struct):
    device_id: str
    venues: list[str]
    enrolled_at: datetime
    revoked_at: datetime | None


class VolunteerRevoked(Struct):
    device_id: str
    revoked_at: datetime
