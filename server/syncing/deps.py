"""Dependency providers of the sync domain."""

from litestar.datastructures import State

from server.syncing.bundles import BundleCache
from server.syncing.feed import ChangeFeed
from server.syncing.mutations import MutationApplier


def provide_bundles(state: State) -> BundleCache:
    return state.bundles


def provide_applier(state: State) -> MutationApplier:
    return state.applier


def provide_feed(state: State) -> ChangeFeed:
    return state.feed
