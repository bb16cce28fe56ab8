"""The OpenAPI contract says what the routes do: credentials from their guards, every refusal with its body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import get_args

import msgspec
import msgspec.inspect as mi

from server.auth import Role
from server.contract import ROLE_SCHEMES, ErrorBody, guard_roles, http_handlers, is_rate_limited, takes_body
from server.wayfinding.schemas import PLACE_PATTERN
from sync.messages import MUTATION_ARGS, SLUG_PATTERN


def _operations(client):
    schema = client.app.openapi_schema.to_schema()
    for route, handler in http_handlers(client.app):
        for method in handler.http_methods:
            if method in ("HEAD", "OPTIONS"):
                continue
            yield route, handler, method, schema["paths"][route.path_format][method.lower()]


def test_every_role_has_a_security_scheme(client):
    schemes = client.app.openapi_schema.to_schema()["components"]["securitySchemes"]
    assert set(ROLE_SCHEMES) == set(get_args(Role))
    assert set(ROLE_SCHEMES.values()) <= set(schemes)


def test_guarded_operations_declare_their_schemes_and_unguarded_ones_none(client):
    guarded = 0
    for route, handler, method, operation in _operations(client):
        roles = guard_roles(handler)
        where = f"{method} {route.path_format}"
        if roles:
            guarded += 1
            assert operation["security"] == [{ROLE_SCHEMES[r]: []} for r in roles], where
            assert {"401", "403"} <= set(operation["responses"]), where
        else:
            assert "security" not in operation, where
            assert "403" not in operation["responses"], where
    assert guarded > 20


def test_every_refusal_is_documented_with_the_one_error_body(client):
    for route, handler, method, operation in _operations(client):
        where = f"{method} {route.path_format}"
        codes = set(operation["responses"])
        assert "503" in codes, where
        if takes_body(handler):
            assert {"400", "413", "422"} <= codes, where
        assert ("429" in codes) == is_rate_limited(handler), where
        for code, response in operation["responses"].items():
            if code[0] in "45" and route.path_format != "/health":
                (media,) = response["content"].values()
                assert media["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (where, code)


def test_one_templated_path_per_url(client):
    paths = client.app.openapi_schema.to_schema()["paths"]
    shapes = [re.sub(r"\{[^}]+\}", "{}", p) for p in paths]
    assert len(shapes) == len(set(shapes)), sorted(p for p in paths if shapes.count(re.sub(r"\{[^}]+\}", "{}", p)) > 1)


async def test_refusals_decode_as_the_documented_body(client, as_organiser):
    answers = [
        await client.post("/api/organiser/alerts", content=b'{"title":', headers=as_organiser),  # 400
        await client.post("/api/organiser/alerts", json={"title": 3}, headers=as_organiser),  # 422
        await client.get("/api/routes", params={"from": "x", "mode": "walk"}),  # 422 (parameter)
        await client.get("/api/organiser/alerts"),  # 401
        await client.get("/api/venues/no-such-venue"),  # 404
    ]
    assert [a.status_code for a in answers] == [400, 422, 422, 401, 404]
    for answer in answers:
        body = msgspec.json.decode(answer.content, type=ErrorBody)
        assert body.status_code == answer.status_code


def test_the_per_event_calendar_is_documented(client):
    operation = client.app.openapi_schema.to_schema()["paths"]["/api/events/{event_id}"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/calendar"}


#: request fields bounded elsewhere than in their type, and where
BOUNDED_ELSEWHERE = {
    "PushRequest.mutations": "MAX_MUTATIONS_PER_PUSH, answered 413 so the phone sends the rest next",
    "Mutation.args{}": "each value decoded by the mutation's name into its MUTATION_ARGS type, walked below",
}


def _unbounded(info: mi.Type, where: str, seen: set[type]) -> Iterator[str]:
    """Each str, list, dict or number of a request type that takes any size, as `Struct.field`."""
    if isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.StrType) and info.max_length is None and info.pattern is None:
        yield where
    elif isinstance(info, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
        if info.max_length is None:
            yield where
        yield from _unbounded(info.item_type, where, seen)
    elif isinstance(info, mi.TupleType):
        for item in info.item_types:
            yield from _unbounded(item, where, seen)
    elif isinstance(info, mi.DictType):
        if info.max_length is None:
            yield where
        yield from _unbounded(info.key_type, where + "{key}", seen)
        yield from _unbounded(info.value_type, where + "{}", seen)
    elif isinstance(info, (mi.IntType, mi.FloatType)):
        if (info.ge, info.gt) == (None, None) or (info.le, info.lt) == (None, None):
            yield where
    elif isinstance(info, mi.UnionType):
        for member in info.types:
            yield from _unbounded(member, where, seen)
    elif isinstance(info, mi.StructType) and info.cls not in seen:
        seen.add(info.cls)
        for field in info.fields:
            yield from _unbounded(field.type, f"{info.cls.__name__}.{field.name}", seen)
    elif isinstance(info, mi.AnyType):
        yield where


def test_every_request_field_is_bounded(client):
    """Lengths, sizes and ranges are in the types, so the schema shows them and msgspec enforces them."""
    seen: set[type] = set()
    found = [
        where
        for _, handler in http_handlers(client.app)
        if takes_body(handler)
        for where in _unbounded(mi.type_info(handler.parsed_fn_signature.parameters["data"].annotation), "data", seen)
    ]
    for name, args in MUTATION_ARGS.items():
        found += _unbounded(mi.type_info(args), name, seen)
    assert len(seen) > 20
    assert sorted(set(found) - set(BOUNDED_ELSEWHERE)) == []


async def test_exactly_the_operations_declaring_security_refuse_a_caller_without_token(client):
    """Asked without a token, an operation declaring security answers 401, and no other one does."""
    schema = client.app.openapi_schema.to_schema()
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "x", path)
        for method, operation in operations.items():
            answer = await client.request(method.upper(), url, json={} if "requestBody" in operation else None)
            assert (answer.status_code == 401) == ("security" in operation), (method, path, answer.status_code)


def _unbounded_in_schema(node, components: dict, where: str, seen: set[str]) -> Iterator[str]:
    """Each string or array of a published request schema with no limit on its length."""
    if isinstance(node, list):
        for item in node:
            yield from _unbounded_in_schema(item, components, where, seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            yield from _unbounded_in_schema(components[name], components, name, seen)
        return
    if node.get("type") == "string" and not {"maxLength", "pattern", "enum", "format"} & set(node):
        yield where
    if node.get("type") == "array" and "maxItems" not in node and "prefixItems" not in node:
        yield where
    for key, value in node.items():
        if key == "properties":
            for field, schema in value.items():
                yield from _unbounded_in_schema(schema, components, f"{where}.{field}", seen)
        elif key in ("items", "anyOf", "oneOf", "additionalProperties", "propertyNames", "prefixItems"):
            yield from _unbounded_in_schema(value, components, where, seen)


def test_every_request_body_schema_shows_its_limits(client):
    """The published schema carries what the server holds a body to, down to list items and union members
    (Litestar's generator dropped the slug pattern of `stops[]` and every limit under an `UNSET` union)."""
    schema = client.app.openapi_schema.to_schema()
    components = schema["components"]["schemas"]
    found, seen = [], set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                found += _unbounded_in_schema(media["schema"], components, f"{method} {path}", seen)
    assert len(seen) > 20
    assert sorted(set(found) - set(BOUNDED_ELSEWHERE)) == []
    stops = components["TrailUpdate"]["properties"]["stops"]
    assert stops["items"]["pattern"] == SLUG_PATTERN and stops["maxItems"] == 50
    assert components["ItineraryRequest"]["properties"]["start"]["anyOf"][0]["pattern"] == PLACE_PATTERN
    assert components["VenueCreate"]["additionalProperties"] is False


async def test_exactly_the_operations_documenting_304_answer_it(client, as_organiser):
    """`If-None-Match: *` matches any current representation: a 304 where the contract says so, else no 304."""
    schema = client.app.openapi_schema.to_schema()
    documented = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations or any(p.get("required") for p in operations["get"].get("parameters", [])):
            continue
        answer = await client.get(path, headers={**as_organiser, "If-None-Match": "*"})
        says = "304" in operations["get"]["responses"]
        documented += says
        assert (answer.status_code == 304) == says, (path, answer.status_code)
    assert documented >= 8
