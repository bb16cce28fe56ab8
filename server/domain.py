"""What a domain package contributes to the app. Each package's `domain.py` builds one; app.py lists them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from litestar.datastructures import State

#: a domain's part of the offline bundle: top-level keys computed from the programme snapshot
BundlePart = Callable[[Any], Awaitable[dict[str, Any]]]
#: run with the app's state when the app starts (after the database opens) or stops
Hook = Callable[[State], Awaitable[None]]
#: the change feed's records of one logged kind that is not in the programme snapshot: ids → {id: record};
#: an id missing from the answer is sent as deleted
FeedRecords = Callable[[list[str]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Domain:
    name: str
    route_handlers: list[Any] = field(default_factory=list)
    #: objects following server.syncing.mutations.MutationHandler
    mutation_handlers: list[Any] = field(default_factory=list)
    bundle_parts: list[BundlePart] = field(default_factory=list)
    #: change-feed kinds this domain logs (see server.syncing.triggers), with how to read their records
    feed_records: dict[str, FeedRecords] = field(default_factory=dict)
    #: values put on app.state at creation (keys, services a dependency provider hands out)
    state: dict[str, Any] = field(default_factory=dict)
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)
