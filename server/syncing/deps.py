"""Dependency providers of the sync domain: the only readers of its app state, under the keys it declares (the
composition root builds these three from every domain's parts)."""

from litestar.datastructures import State

from server.state import StateKey
from server.syncing.bundles import BundleCache
from server.syncing.feed import ChangeFeed
from server.syncing.mutations import MutationApplier

BUNDLES: StateKey[BundleCache] = StateKey("bundles")
APPLIER: StateKey[MutationApplier] = StateKey("applier")
FEED: StateKey[ChangeFeed] = StateKey("feed")


def provide_bundles(state: State) -> BundleCache:
    return BUNDLES.of(state)


def provide_applier(state: State) -> MutationApplier:
    return APPLIER.of(state)


def provide_feed(state: State) -> ChangeFeed:
    return FEED.of(state)
