"""A value built the first time it is asked for, so start-up does not pay for it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    """Builds its value once, on the first ``get()``, from whichever thread asks first.

    A build that raises leaves nothing behind, so the next ``get()`` tries again.
    """

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None
        self._built = False

    def get(self) -> T:
        if not self._built:
            with self._lock:
                if not self._built:
                    self._value = self._build()
                    self._built = True
        return self._value  # type: ignore[return-value]  # built, so it holds a T

    @property
    def built(self) -> bool:
        return self._built

    def peek(self) -> T | None:
        """The value if it has been built, without building it."""
        return self._value if self._built else None

    @classmethod
    def of(cls, value: T) -> Lazy[T]:
        """An already-built holder, for a value made elsewhere (tests, the self-test)."""
        holder = cls(lambda: value)
        holder.get()
        return holder
