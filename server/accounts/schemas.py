from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct


class LoginRequest(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(min_length=3, max_length=254)]
    password: Annotated[str, Meta(min_length=1, max_length=128)]


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
