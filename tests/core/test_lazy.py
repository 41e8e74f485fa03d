"""Lazy: built once on first use, from any thread; a failed build is tried again."""

from __future__ import annotations

import threading
import time

import pytest

from smsgui.core.lazy import Lazy


def test_nothing_is_built_until_asked() -> None:
    calls: list[int] = []
    holder = Lazy(lambda: calls.append(1) or "value")
    assert not holder.built and holder.peek() is None and calls == []
    assert holder.get() == "value" and holder.get() == "value"
    assert holder.built and holder.peek() == "value" and calls == [1]


def test_threads_asking_at_once_share_one_build() -> None:
    calls: list[int] = []

    def slow_build() -> object:
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while the build runs
        return object()

    holder = Lazy(slow_build)
    start = threading.Barrier(8)
    seen: list[object] = []

    def ask() -> None:
        start.wait()
        seen.append(holder.get())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert calls == [1]
    assert len(seen) == 8 and all(value is seen[0] for value in seen)


def test_a_failed_build_leaves_nothing_and_is_tried_again() -> None:
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk not ready")
        return "second time"

    holder = Lazy(flaky)
    with pytest.raises(OSError, match="disk not ready"):
        holder.get()
    assert not holder.built and holder.peek() is None
    assert holder.get() == "second time" and len(attempts) == 2


def test_of_wraps_a_value_made_elsewhere() -> None:
    value = object()
    holder = Lazy.of(value)
    assert holder.built and holder.peek() is value and holder.get() is value


def test_a_built_none_counts_as_built() -> None:
    holder: Lazy[str | None] = Lazy(lambda: None)
    assert holder.get() is None and holder.built
