"""The OpenAPI contract completed from the code itself, so that it cannot drift from what the server does.

Litestar documents an operation's success and the exceptions its `raises` lists. The rest of what a client meets
comes from elsewhere in the code, and `complete_contract` reads it from there once the app is built:

* the credentials: each guard (`server.auth.RoleGuard`) names the roles it admits, each role a security scheme;
* the refusals every operation of its kind can give: 400 and 413 for a body (unreadable JSON, nesting too deep,
  past the body limit), 422 for parameters or a body that fail validation, 401 and 403 behind a guard, 429 behind
  a rate limit, 503 when the database is away (the app's error handler);
* the refusals the domain raises, from the handler's `raises` (404, 409, 410, …).

Each status gets one response, the one error body (`ErrorBody`), whose description lists every cause: one schema,
never a `oneOf` of look-alikes a body would match more than once.

Request bodies are described by msgspec, the library that decodes them (`exact_request_bodies`): Litestar's own
schema generator drops the constraints of list items (the slug pattern of a trail's `stops`), of `UNSET` unions and
of `str | Point`, so a client reading its schema would send what the server refuses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from http import HTTPStatus

import msgspec
from litestar import Litestar
from litestar.constants import RESERVED_KWARGS
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIHeader, OpenAPIResponse, Schema, SecurityScheme
from litestar.routes import HTTPRoute

from server.auth import Role, RoleGuard
from server.headers import cacheable
from server.http import CONDITIONAL, RateLimit


class Problem(msgspec.Struct):
    """One thing wrong with the input: what, at which key, in which part of the request."""

    message: str
    key: str | None = None
    source: str | None = None


class ErrorBody(msgspec.Struct):
    """Every refusal's body (`server/errors.py`, the app's error handlers)."""

    status_code: int
    detail: str
    #: for 422, each problem found
    extra: list[Problem] | None = None


#: the security scheme of each role a guard may admit
ROLE_SCHEMES: dict[Role, str] = {
    "organiser": "organiser_bearer",
    "attendee": "device_bearer",
    "volunteer": "volunteer_bearer",
}

SECURITY_SCHEMES: dict[str, SecurityScheme] = {
    "organiser_bearer": SecurityScheme(
        type="http", scheme="bearer", description="an organiser's token, from POST /api/auth/login"
    ),
    "device_bearer": SecurityScheme(
        type="http", scheme="bearer", description="an attendee device's token, from POST /api/devices"
    ),
    "volunteer_bearer": SecurityScheme(
        type="http", scheme="bearer", description="a volunteer device's token, from POST /api/volunteers/enrol"
    ),
    # piccolo-admin's session cookie: /admin, a mounted app of its own, takes it; no /api operation does
    "organiser_session": SecurityScheme(
        type="apiKey",
        security_scheme_in="cookie",
        name="id",
        description="an organiser's /admin session, from signing in at /admin/login",
    ),
}


def guard_roles(handler: HTTPRouteHandler) -> tuple[Role, ...]:
    """The roles the handler's guards (on any layer) all admit; () when no guard asks for a token."""
    guards = [g for layer in handler.ownership_layers for g in (layer.guards or []) if isinstance(g, RoleGuard)]
    if not guards:
        return ()
    return tuple(role for role in guards[0].roles if all(role in g.roles for g in guards[1:]))


def is_rate_limited(handler: HTTPRouteHandler) -> bool:
    return any(
        isinstance(m, DefineMiddleware) and issubclass(m.middleware, RateLimit)
        for layer in handler.ownership_layers
        for m in (layer.middleware or [])
    )


def takes_body(handler: HTTPRouteHandler) -> bool:
    return "data" in handler.parsed_fn_signature.parameters


def validates(handler: HTTPRouteHandler, route: HTTPRoute) -> bool:
    """Whether anything in the request is validated: a body, a path parameter or a query parameter."""
    dependencies = handler.resolve_dependencies()
    inputs = [
        name
        for name in handler.parsed_fn_signature.parameters
        if name not in dependencies and name not in RESERVED_KWARGS - {"data"}
    ]
    return bool(inputs or route.path_parameters)


def refusals(handler: HTTPRouteHandler, route: HTTPRoute, max_body_bytes: int) -> dict[int, list[str]]:
    """Every status the handler can refuse with, and why."""
    causes: dict[int, list[str]] = defaultdict(list)
    if takes_body(handler):
        causes[400].append("the body is not JSON, or nested too deeply to read")
        causes[413].append(f"the body is larger than {max_body_bytes} bytes")
    if validates(handler, route):
        causes[422].append("a parameter or the body does not fit the schema (`extra` lists each problem)")
    if guard_roles(handler):
        causes[401].append("no valid bearer token")
        causes[403].append("a token of another role, or of a revoked device")
    if is_rate_limited(handler):
        causes[429].append("too many requests from this client: come back after Retry-After seconds")
    for exc in handler.raises or []:
        causes[exc.status_code].append(_cause(exc))
    causes[503].append("the database is unavailable: retry after Retry-After seconds")
    return causes


def _cause(exc: type[HTTPException]) -> str:
    doc = (exc.__doc__ or "").strip().splitlines()
    if exc.__module__.startswith("server.") and doc:
        return doc[0].rstrip(".").lower()
    return HTTPStatus(exc.status_code).phrase.lower()


def http_handlers(app: Litestar) -> Iterator[tuple[HTTPRoute, HTTPRouteHandler]]:
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if handler.resolve_include_in_schema():
                    yield route, handler


def complete_contract(app: Litestar, max_body_bytes: int) -> None:
    """Give every operation its security and every refusal it can answer, before the schema is first built.

    A response a handler documents itself (`responses=`) is kept as it is."""
    for route, handler in http_handlers(app):
        roles = guard_roles(handler)
        if roles:
            handler.security = [{ROLE_SCHEMES[role]: []} for role in roles]
        own = dict(handler.responses or {})
        errors = {
            status: ResponseSpec(
                data_container=ErrorBody,
                description="; ".join(dict.fromkeys(why)),
                generate_examples=False,
            )
            for status, why in sorted(refusals(handler, route, max_body_bytes).items())
        }
        handler.responses = {**errors, **own}
    exact_request_bodies(app)
    not_modified_answers(app)


def exact_request_bodies(app: Litestar) -> None:
    """Each request body's schema, and the schemas it refers to, as msgspec decodes it."""
    openapi = app.openapi_schema
    bodies = [(route, handler) for route, handler in http_handlers(app) if takes_body(handler)]
    refs, components = msgspec.json.schema_components(
        [handler.parsed_fn_signature.parameters["data"].annotation for _, handler in bodies],
        ref_template="#/components/schemas/{name}",
    )
    for (route, handler), ref in zip(bodies, refs, strict=True):
        for method in handler.http_methods - {"HEAD", "OPTIONS"}:
            operation = getattr(openapi.paths[route.path_format], method.lower())
            for media in operation.request_body.content.values():
                media.schema = ref
            # a body the handler takes as `X | None` may be left out
            operation.request_body.required = not handler.parsed_fn_signature.parameters["data"].is_optional
    openapi.components.schemas.update(components)


def not_modified_answers(app: Litestar) -> None:
    """The 304 of every GET that `server.headers.ConditionalGet` answers conditionally, or that says it answers
    one itself (`opt={CONDITIONAL: True}`): its validators, no body."""
    openapi = app.openapi_schema
    for route, handler in http_handlers(app):
        if "GET" in handler.http_methods and (cacheable(handler) or handler.opt.get(CONDITIONAL)):
            openapi.paths[route.path_format].get.responses["304"] = OpenAPIResponse(
                description="If-None-Match names the current ETag: keep using the copy held",
                headers={
                    name: OpenAPIHeader(schema=Schema(type="string"), required=True)
                    for name in ("ETag", "Cache-Control")
                },
            )
