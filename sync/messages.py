"""Wire types of the sync protocol.

Results are a tagged union on `status`; mutation arguments are decoded by the mutation's `name`.
New fields get defaults; an existing field never changes type.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

#: a UUID in its 36-character text form, either case: mutation ids, and the device ids the server gives out
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
#: a mutation id the phone generated: a UUID (v7 recommended, so ids sort by creation time)
MutationId = Annotated[str, Meta(pattern=UUID_PATTERN)]
ClientId = Annotated[str, Meta(min_length=1, max_length=64)]
#: dotted lowercase (`favourite.set`); a well-formed name this server does not know is rejected `unknown_mutation`
MutationName = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
#: the id of a venue, an event, a trail, an alert: a lowercase ASCII slug (`bao-tang-my-thuat`) of at most 64
#: characters, the one rule every body, path and query parameter holds ids to
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
Slug = Annotated[str, Meta(pattern=SLUG_PATTERN, description="lowercase ascii slug")]
#: text people write and read (names, descriptions, addresses, reasons): any character but the controls other than
#: tab and line breaks, and the two Unicode noncharacters XML 1.0 excludes. PostgreSQL cannot store NUL (a 500
#: there, found by schemathesis), no XML export can carry the others, and no screen shows any of them. Held in the
#: schema as a pattern, added beside a field's length: `Annotated[str, Meta(max_length=200), PLAIN]`.
PLAIN = Meta(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*$")
#: an instant on the wire, in requests and mutations alike: an RFC 3339 date-time string with a UTC offset
#: (`2024-11-12T10:00:00+07:00`, `…Z`; +14:00 and -12:00 are offsets too). A number, a date alone, a time without
#: an offset, a leap second or 24:00 are refused; the server decodes bodies in msgspec's strict mode
#: (server/http.py `StrictJsonRequest`), so nothing else becomes a datetime.
Instant = Annotated[
    datetime, Meta(tz=True, description="RFC 3339 date-time with a UTC offset, e.g. 2024-11-12T10:00:00+07:00")
]
#: the instants a request may carry, in a body, a query or a mutation's arguments. datetime holds years 1 to 9999
#: in each offset, but 9999-12-31T23:59:59-12:00 is no UTC instant PostgreSQL can store (a 500) and 9999-12-31T23:59Z
#: none the festival's zone can show (an event ending then was stored and every later programme reload failed);
#: this range is far from both limits for any offset or day's arithmetic. It starts well before 1970 on purpose: a
#: phone whose clock was reset (a flat battery: 1970-01-01, GPS's 1980-01-06) still uploads its scans and
#: favourites, whose `at` and `scanned_at` are then that phone's clock.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
INSTANT_RANGE = "between 1900 and 3000"


def instant_out_of_range(value: Any, key: str = "") -> str | None:
    """The key (`mutations[0].at`) of the first instant in a decoded request outside EARLIEST..LATEST, else None."""
    path = _far_instant(value)
    return None if path is None else (key + path).lstrip(".")


def _far_instant(value: Any) -> str | None:
    """The path (`.mutations[0].at`) below `value` of its first instant out of range, else None; made only once
    found, since a push walks 500 mutations."""
    if isinstance(value, datetime):
        return None if EARLIEST <= value <= LATEST else ""
    if isinstance(value, Struct):
        # the class's own tuples: msgspec.structs.fields resolves type hints on every call (~0.7 ms a struct)
        for wire, name in zip(value.__struct_encode_fields__, value.__struct_fields__, strict=True):
            found = _far_instant(getattr(value, name))
            if found is not None:
                return f".{wire}{found}"
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _far_instant(item)
            if found is not None:
                return f"[{i}]{found}"
    # anything else holds no instant: a dict is plain JSON (a mutation's undecoded args)
    return None


MAX_MUTATIONS_PER_PUSH = 500


class Mutation(Struct, forbid_unknown_fields=False):
    """One write made on a phone. `args` are decoded by `name` on the server."""

    id: MutationId
    name: MutationName
    #: decoded by `name` into its MUTATION_ARGS type, which holds each value to its own limits
    args: Annotated[dict[Annotated[str, Meta(max_length=64)], Any], Meta(max_length=32)] = {}
    at: Instant | None = None


class PushRequest(Struct):
    client_id: ClientId
    #: at most MAX_MUTATIONS_PER_PUSH, answered 413 beyond (the phone sends the rest next), not 422
    mutations: list[Mutation]


class Applied(Struct, tag="applied", tag_field="status"):
    id: str
    data: dict[str, Any] | None = None


class Duplicate(Struct, tag="duplicate", tag_field="status"):
    id: str
    #: what the mutation did when it was first applied, for the mutations that say it again (`checkin.scan`)
    data: dict[str, Any] | None = None


class Rejected(Struct, tag="rejected", tag_field="status"):
    id: str
    reason: str


Result = Applied | Duplicate | Rejected


class PushResponse(Struct):
    #: the id of the last mutation handled; the phone drops everything up to it from its outbox
    last_mutation_id: str | None
    results: list[Result]


# --- mutation arguments, by name ---------------------------------------------------------------


class FavouriteArgs(Struct, forbid_unknown_fields=True):
    event_id: Annotated[str, Meta(min_length=1, max_length=64)]


class SettingsArgs(Struct, forbid_unknown_fields=True):
    lang: Literal["vi", "en"] | None = None
    reminder_minutes: Annotated[int, Meta(ge=0, le=24 * 60)] | None = None


#: what a camera read from a QR code, up to the most a code holds (version 40, bytes): a pass token, or anything
#: else, which is still a scan to record (rejected `invalid_signature`)
QrText = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=2953,
        description="what the QR code held: a P1 pass token, or anything else (rejected invalid_signature)",
    ),
]


class ScanArgs(Struct, forbid_unknown_fields=True):
    """`checkin.scan`: a pass scanned at a venue entrance while offline. The mutation id is the scan id."""

    pass_token: QrText
    venue_id: Annotated[str, Meta(min_length=1, max_length=64)]
    scanned_at: Instant
    #: what the phone showed: `accepted`, or the reason it refused (docs/contract.md's, or its own words: any other
    #: value is a refusal, kept as it came, so a scanner's wording never costs the scan)
    verdict_shown: Annotated[str, Meta(max_length=32), PLAIN] | None = None
    #: whether the phone judged the scan itself, without the server (no connection, or no answer to its online
    #: check in time); a scan that arrives over a minute late was made offline whatever this says
    offline: bool | None = None


class StampArgs(Struct, forbid_unknown_fields=True):
    """`stamp.collect`: a venue poster's stamp token, scanned into the phone's passport."""

    stamp_token: Annotated[str, Meta(min_length=1, max_length=300)]
    collected_at: Instant


#: every mutation of the protocol, by name, with its arguments: the one list of names (server handlers declare
#: which of these they apply)
MUTATION_ARGS: dict[str, type[Struct]] = {
    "favourite.set": FavouriteArgs,
    "favourite.unset": FavouriteArgs,
    "settings.set": SettingsArgs,
    "checkin.scan": ScanArgs,
    "stamp.collect": StampArgs,
}


class BadArgs(ValueError):
    """The mutation can never apply: unknown name or malformed arguments."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode_args(mutation: Mutation) -> Struct:
    """The typed arguments of a mutation, or BadArgs with a short reason."""
    cls = MUTATION_ARGS.get(mutation.name)
    if cls is None:
        raise BadArgs("unknown_mutation")
    try:
        args = msgspec.convert(mutation.args, cls)
    except msgspec.ValidationError:
        raise BadArgs("invalid_args") from None
    if instant_out_of_range(args) is not None:
        raise BadArgs("invalid_args")
    return args


# --- programme feed ----------------------------------------------------------------------------


class Changes(Struct):
    """What changed after version `from_`, up to version `to`: the records as they are at `to`."""

    from_: int = msgspec.field(name="from")
    to: int = 0
    upserts: dict[str, list[Any]] = {}
    deletes: dict[str, list[str]] = {}
