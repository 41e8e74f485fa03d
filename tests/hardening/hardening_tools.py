"""Helpers for the hardening tests: a prompter that keeps every question, an event-loop watch,
a server that resets connections, and a window opened on a chosen profile."""

from __future__ import annotations

import gc
import itertools
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot
from test_main_window import ScriptedPrompter
from uitools import find

from smsgui.core.api.profiles import Profile
from smsgui.ui.main_window import MainWindow
from smsgui.ui.services import Services

RECIPIENTS = ("447700900000", "447700900001")
FROZEN_MS = 200.0
"""A pause a person sees as the window hanging: work done on the UI thread that belongs on a
worker (a request, a big parse, a long layout) goes well past it. The 50 ms budget for every
stall is a performance figure, measured in bench/responsiveness.py, not asserted here."""


@dataclass(frozen=True)
class Shown:
    """One error dialog the window asked for."""

    headline: str
    cause: str
    next_step: str
    details: str


class RecordingPrompter(ScriptedPrompter):
    """The window tests' scripted prompter, keeping the whole of every error it was shown."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        self.shown: list[Shown] = []

    def error(self, parent: QWidget, headline: str, cause: str, next_step: str,
              details: str = "") -> None:
        super().error(parent, headline, cause, next_step, details)
        self.shown.append(Shown(headline, cause, next_step, details))


class LoopWatch:
    """Ticks every 5 ms while active; ``longest_gap_ms`` is the longest the event loop stalled.

    On Linux the time the main thread spent runnable but waiting for a CPU (the scheduler's
    run-queue wait, from ``/proc/self/task/<tid>/schedstat``) is not counted: on a busy shared
    machine another program can hold the CPU, which is no freeze of this window. Time the thread
    spent working, or blocked (on I/O, a lock, the GIL), counts in full.

    What is alive when the watch starts - the modules and every earlier test's leftovers - is
    frozen out of the garbage collector while it watches, as the app freezes its own long-lived
    objects after the first send: a full collection walking a whole test session's objects is
    the test run's pause, not this window's.
    """

    def __init__(self) -> None:
        self._ticks: list[tuple[float, float]] = []
        self._schedstat: Path | None = None
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)

    def __enter__(self) -> Self:
        gc.collect()
        gc.freeze()
        candidate = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat")
        self._schedstat = candidate if candidate.exists() else None
        self._tick()
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._timer.stop()
        gc.unfreeze()

    def _tick(self) -> None:
        waited = 0.0
        if self._schedstat is not None:
            waited = int(self._schedstat.read_text().split()[1]) / 1e9
        self._ticks.append((time.perf_counter(), waited))

    @property
    def ticks(self) -> int:
        return len(self._ticks)

    @property
    def longest_gap_ms(self) -> float:
        gaps = ((later[0] - earlier[0]) - (later[1] - earlier[1])
                for earlier, later in itertools.pairwise(self._ticks))
        return max(gaps, default=0.0) * 1000.0

    @property
    def longest_wall_gap_ms(self) -> float:
        gaps = (later[0] - earlier[0] for earlier, later in itertools.pairwise(self._ticks))
        return max(gaps, default=0.0) * 1000.0


def open_window(qtbot: QtBot, services: Services, prompter: ScriptedPrompter,
                profiles: list[Profile], secrets: dict[str, dict[str, str]],
                select: str | None = None) -> MainWindow:
    """Store the profiles and their secrets, open the window and choose ``select``."""
    services.profiles.save(profiles)
    for name, kinds in secrets.items():
        for kind, value in kinds.items():
            services.secrets.set(name, kind, value)
    window = MainWindow(services, prompter)
    qtbot.addWidget(window)
    window.show()
    if select is not None:
        index = window.profile_combo.findText(select)
        assert index >= 0, select
        window.profile_combo.setCurrentIndex(index)
    # The first layout and paint of a new window belong to opening it, not to what follows;
    # so does the preloading it does once it is up (no one clicks Send within 300 ms).
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.preloaded, timeout=10_000)
    qtbot.wait(20)
    return window


def wait_until_idle(qtbot: QtBot, window: MainWindow, timeout_ms: int = 15_000) -> None:
    button = find(window, QPushButton, "Send")
    qtbot.waitUntil(lambda: not window.is_sending and button.isEnabled(), timeout=timeout_ms)


class ResetServer:
    """Reads one whole request per connection, then resets the connection (RST, no answer)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._requests: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    @property
    def requests(self) -> list[bytes]:
        with self._lock:
            return list(self._requests)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2.0)
                request = _read_request(connection)
                with self._lock:
                    self._requests.append(request)
                # Linger on, zero seconds: close() sends RST instead of FIN.
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      struct.pack("ii", 1, 0))


def _read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def iter_files(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        yield from (path for path in folder.rglob("*") if path.is_file())
