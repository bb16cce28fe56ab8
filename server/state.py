"""Typed names on the app's state: one declaration says what lives under a name and of which type.

The composition root puts each domain's values on `app.state` under the `StateKey`s the domain declares; only
providers (`deps.py`), hooks (`domain.py`) and the kernel's guards read them, through the same keys, so a value
is spelled and typed in one place rather than read as an untyped attribute wherever it is needed.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from piccolo.engine.base import Engine

from server.clock import Clock
from server.settings import Settings

T = TypeVar("T")


class StateKey(Generic[T]):
    """The name of one value on the app's state, and its type."""

    def __init__(self, name: str) -> None:
        self.name = name

    def of(self, state: Any) -> T:
        """The value in `state` (Litestar's app state)."""
        return getattr(state, self.name)

    def put(self, state: Any, value: T) -> None:
        setattr(state, self.name, value)

    def __repr__(self) -> str:
        return f"StateKey({self.name!r})"


SETTINGS: StateKey[Settings] = StateKey("settings")
CLOCK: StateKey[Clock] = StateKey("clock")
ENGINE: StateKey[Engine] = StateKey("engine")
