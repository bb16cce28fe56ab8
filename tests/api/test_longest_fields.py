"""Every request field at the longest its schema allows is stored, never a 500.

A schema wider than the column behind it passes SQLite (which keeps any length in a VARCHAR) and fails on
PostgreSQL with a server error: a venue's 5,000-character address met a 300-character column. Each body here
is built from the request type itself, every string at its `max_length` (or the longest its pattern matches),
so a limit loosened in a type without its column shows on both engines.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import msgspec.inspect as mi

from server.contract import guard_roles, http_handlers, takes_body
from server.programme.schemas import Category, Clock24, Tag
from server.push.schemas import Topic
from server.wayfinding.schemas import PLACE_PATTERN
from sync.messages import MUTATION_ARGS, PLAIN, SLUG_PATTERN, MutationId, MutationName
from tests.api.checkin_support import volunteer
from tests.push.receiver import derived_subscription

VENUE = "hang-buom-22"
OTHER_VENUE = "cung-thieu-nhi"
EVENT = "phim-lang-nghe-2024-11-12"


def _pattern(annotated) -> str:
    return annotated.__metadata__[0].pattern


#: the longest string each pattern of a request type matches
LONGEST_MATCH = {
    SLUG_PATTERN: "s" * 64,
    _pattern(Tag): "t" * 32,
    _pattern(Category): "c" * 32,
    _pattern(Topic): "p" * 32,
    _pattern(Clock24): "23:59",
    _pattern(MutationId): "0192f3a4-5b6c-7d8e-9f00-112233445566",
    _pattern(MutationName): "n" * 64,
    PLACE_PATTERN: "s" * 64,
}


#: what every free string (text people write, or a token without a pattern) is made of, so tests find them again
FREE = "đ"
#: the festival clock of the suite's app (tests/conftest.py)
NOW = datetime.fromisoformat("2024-11-12T10:00:00+07:00")


def longest(info: mi.Type) -> Any:
    """A JSON value of the type with every string, list and number at its upper limit (lists of one item)."""
    if isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.StrType):
        if info.pattern not in (None, PLAIN.pattern):
            return LONGEST_MATCH[info.pattern]
        return FREE * info.max_length
    if isinstance(info, mi.UnionType):
        members = [t for t in info.types if not isinstance(t, mi.NoneType)]
        return longest(members[0])
    if isinstance(info, mi.LiteralType):
        return info.values[0]
    if isinstance(info, mi.BoolType):
        return True
    if isinstance(info, (mi.IntType, mi.FloatType)):
        return info.le if info.le is not None else info.ge
    if isinstance(info, mi.DateTimeType):
        return NOW.isoformat()
    if isinstance(info, mi.DateType):
        return NOW.date().isoformat()
    if isinstance(info, (mi.ListType, mi.VarTupleType)):
        return [longest(info.item_type)] * max(info.min_length or 1, 1)
    if isinstance(info, mi.TupleType):
        return [longest(item) for item in info.item_types]
    if isinstance(info, mi.DictType):
        return {longest(info.key_type): longest(info.value_type)}
    if isinstance(info, mi.StructType):
        return {f.encode_name: longest(f.type) for f in info.fields}
    if isinstance(info, mi.AnyType):
        return None  # a mutation's args: each mutation's own type is walked below
    raise AssertionError(f"no longest value for {info!r}")


#: what each operation needs beyond its type to get past the domain's checks: real rows, times that run forwards
REAL = {
    ("POST", "/api/events"): {"venue_id": VENUE, "ends_at": (NOW + timedelta(hours=1)).isoformat()},
    ("PATCH", "/api/events/{event_id}"): {
        "venue_id": VENUE,
        "ends_at": (NOW + timedelta(hours=1)).isoformat(),
    },
    ("POST", "/api/trails"): {"stops": [VENUE, OTHER_VENUE], "path": None},
    ("PATCH", "/api/trails/{trail_id}"): {"stops": [VENUE, OTHER_VENUE], "path": None},
    ("POST", "/api/organiser/enrolment-codes"): {
        "venue_ids": [VENUE],
        "expires_at": (NOW + timedelta(days=1)).isoformat(),
    },
    ("POST", "/api/organiser/alerts"): {
        "target": {"venues": [VENUE]},
        "url": "/#/events",
        "send_at": None,
        "body": {"vi": "b" * 1000},  # both at their longest are more than a push message holds (422)
    },
    ("POST", "/api/checkins"): {"venue_id": VENUE},
    ("POST", "/api/itineraries"): {
        "start": VENUE,
        "end_at": (NOW + timedelta(hours=12)).isoformat(),
        "events": [EVENT],
        "venues": [{"id": VENUE}],
    },
    ("POST", "/api/push/subscriptions"): {
        "endpoint": "https://fcm.googleapis.com/fcm/send/" + "e" * 2000,
        # a real P-256 point and 16-byte secret: shorter than their columns, whatever the schema allows
        "keys": derived_subscription("longest", 0, "https://fcm.googleapis.com")["keys"],
    },
}
#: the path each templated one is asked at
PATHS = {
    "/api/events/{event_id}": f"/api/events/{EVENT}",
    "/api/trails/{trail_id}": "/api/trails/" + "s" * 64,
    "/api/venues/{venue_id}": f"/api/venues/{VENUE}",
    "/api/organiser/passes/{pass_id}/revoke": "/api/organiser/passes/nosuchpass/revoke",
}
#: operations a longest body cannot succeed at, and the answer it gets instead
REFUSED = {
    ("POST", "/api/auth/login"): 401,  # no such organiser
    ("POST", "/api/volunteers/enrol"): 404,  # no such code
    ("POST", "/api/organiser/passes/{pass_id}/revoke"): 404,  # no such pass
}
MUTATION_REAL = {
    "favourite.set": {"event_id": EVENT},
    "favourite.unset": {"event_id": EVENT},
    "checkin.scan": {"venue_id": VENUE},
}


def _longest_requests(client, in_app, as_organiser, device):
    """Each operation that takes a body, creates before updates: ((method, path template), path, body, headers)."""
    door = volunteer(client, in_app, VENUE)
    tokens = {"organiser": as_organiser, "volunteer": door["auth"], "attendee": device["auth"]}
    operations = [(r, h) for r, h in http_handlers(client.app) if takes_body(h)]
    for route, handler in sorted(operations, key=lambda op: "PATCH" in op[1].http_methods):
        (method,) = handler.http_methods
        key = (method, route.path_format)
        data = handler.parsed_fn_signature.parameters["data"].annotation
        body = {**longest(mi.type_info(data)), **REAL.get(key, {})}
        roles = guard_roles(handler)
        who = tokens[roles[0]] if roles else {}
        if "client_id" in body:  # the device's own id, whose length its token fixes
            body["client_id"] = device["id"]
        yield key, PATHS.get(route.path_format, route.path_format), body, who


def _free_strings(value: Any, at: tuple = ()) -> list[tuple]:
    """Where a JSON value holds a free string (made of FREE by `longest`): each place as a path of keys/indexes."""
    if isinstance(value, str):
        return [at] if value and set(value) == {FREE} else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [place for k, v in items for place in _free_strings(v, (*at, k))]


def _with(value: Any, place: tuple, new: str) -> Any:
    """A copy of the JSON value with the string at `place` replaced."""
    if not place:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[place[0]] = _with(value[place[0]], place[1:], new)
    return copy


#: what a camera read from a QR code: kept as a scan whatever it held, and refused by its signature
READ_FROM_QR = {"pass_token", "stamp_token"}
#: a NUL between two letters: PostgreSQL refuses to store it (a 500 schemathesis found in PATCH /api/venues)
CONTROL = "a\x00b"


async def test_a_control_character_in_any_free_string_is_refused_not_stored(
    client, in_app, as_organiser, device, fresh_programme
):
    """Every free string of every body, one at a time: a 4xx on both engines, never a 2xx (SQLite would keep it)
    nor a 500 (PostgreSQL cannot)."""
    tried = 0
    for key, path, body, who in _longest_requests(client, in_app, as_organiser, device):
        for place in _free_strings(body):
            answer = await client.request(key[0], path, json=_with(body, place, CONTROL), headers=who)
            tried += 1
            if place[-1] in READ_FROM_QR:
                assert answer.status_code == 200 and answer.json()["reason"] == "invalid_signature", answer.text
                continue
            assert 400 <= answer.status_code < 500, (key, place, answer.status_code, answer.text[:300])
    assert tried >= 20
    assert r"\u0000" not in (await client.get(f"/api/venues/{VENUE}")).text


async def test_a_control_character_in_a_mutation_rejects_that_mutation_alone(client, in_app, device):
    """A NUL in any free argument is that mutation's `invalid_args`; the good one beside it applies. A NUL in the
    name refuses the push (422), as any malformed envelope, instead of a 500 that the phone retries forever."""
    door = volunteer(client, in_app, VENUE)
    for name, args_type in MUTATION_ARGS.items():
        args = {**longest(mi.type_info(args_type)), **MUTATION_REAL.get(name, {})}
        who = door if name == "checkin.scan" else device
        for place in _free_strings(args):
            bad = {"id": str(uuid.uuid4()), "name": name, "args": _with(args, place, CONTROL), "at": NOW.isoformat()}
            good = {"id": str(uuid.uuid4()), "name": "settings.set", "args": {"lang": "en"}}
            answer = await client.post(
                "/api/sync/push", json={"client_id": who["id"], "mutations": [bad, good]}, headers=who["auth"]
            )
            assert answer.status_code == 200, (name, place, answer.text[:300])
            results = answer.json()["results"]
            if place[-1] in READ_FROM_QR:
                assert "invalid_signature" in str(results[0]), (name, place, results)
            else:
                assert results[0] == {"status": "rejected", "id": bad["id"], "reason": "invalid_args"}, results
            assert [r["status"] for r in results[1:]] == ["applied"], (name, place, results)
    bad_name = {"id": str(uuid.uuid4()), "name": "favourite.set\x00", "args": {"event_id": EVENT}}
    answer = await client.post(
        "/api/sync/push", json={"client_id": device["id"], "mutations": [bad_name]}, headers=device["auth"]
    )
    assert answer.status_code == 422 and "name" in answer.text, answer.text


async def test_every_request_at_its_longest_is_answered_without_a_server_error(
    client, in_app, as_organiser, device, fresh_programme
):
    """Creates first, then updates (of the rows just created, so an update meets the longest row too)."""
    asked = 0
    for key, path, body, who in _longest_requests(client, in_app, as_organiser, device):
        answer = await client.request(key[0], path, json=body, headers=who)
        asked += 1
        assert answer.status_code == REFUSED.get(key, answer.status_code), (key, answer.text[:500])
        assert key in REFUSED or answer.status_code < 300, (key, answer.text[:500])
        if key == ("POST", "/api/venues"):
            created_venue = answer.json()["id"]
    assert asked >= 3
    # fresh_programme restores the demo's venues but keeps others: the venue made here (at the edge of the world's
    # coordinates) would otherwise be in every later test's programme
    deleted = await client.delete(f"/api/venues/{created_venue}", headers=as_organiser)
    assert deleted.status_code == 204, deleted.text


async def test_every_mutation_at_its_longest_is_answered_without_a_server_error(client, in_app, device):
    door = volunteer(client, in_app, VENUE)
    for name, args_type in MUTATION_ARGS.items():
        args = {**longest(mi.type_info(args_type)), **MUTATION_REAL.get(name, {})}
        mutation = {"id": str(uuid.uuid4()), "name": name, "args": args, "at": NOW.isoformat()}
        who = door if name == "checkin.scan" else device
        answer = await client.post(
            "/api/sync/push", json={"client_id": who["id"], "mutations": [mutation]}, headers=who["auth"]
        )
        assert answer.status_code == 200, (name, answer.text[:500])
        (result,) = answer.json()["results"]
        assert result["status"] in ("applied", "rejected"), (name, result)
    long_name = {"id": str(uuid.uuid4()), "name": "n" * 64, "args": {}}
    answer = await client.post(
        "/api/sync/push", json={"client_id": device["id"], "mutations": [long_name]}, headers=device["auth"]
    )
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "rejected", answer.text


async def test_an_address_longer_than_its_column_is_refused_not_a_server_error(client, as_organiser, fresh_programme):
    """schemathesis's finding on PostgreSQL: a 5,000-character address answered 500."""
    answer = await client.patch(f"/api/venues/{VENUE}", json={"address": {"en": "0" * 5000}}, headers=as_organiser)
    assert answer.status_code == 422 and "address.en" in answer.text, answer.text
    assert (await client.get(f"/api/venues/{VENUE}")).json()["address"]["en"] != "0" * 5000
