"""Shared helpers for the benchmarks: an isolated environment, result lines, stall timers."""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Everything a benchmark process must not take from the real user.
ISOLATED_SUBDIRS = {
    "HOME": "home",
    "XDG_CONFIG_HOME": "config",
    "XDG_DATA_HOME": "data",
    "XDG_STATE_HOME": "state",
    "XDG_CACHE_HOME": "cache",
}


def isolated_env(base: Path | None = None) -> dict[str, str]:
    """An environment for a child process with its own HOME/XDG folders under ``base``."""
    base = base or Path(tempfile.mkdtemp(prefix="smsgui-bench-"))
    env = dict(os.environ)
    for name, sub in ISOLATED_SUBDIRS.items():
        folder = base / sub
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    # Bytecode is cached (in the temporary folder) as it is for an installed app; without this a
    # checkout run with PYTHONDONTWRITEBYTECODE would recompile every module on every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env["SMSGUI_BENCH_ISOLATED"] = "1"
    return env


def isolate_this_process() -> Path:
    """Apply :func:`isolated_env` to the running process (before Qt or keyring is imported).

    A script run on its own is isolated too, not only when bench/run.py starts it.
    """
    if os.environ.get("SMSGUI_BENCH_ISOLATED") == "1":
        return Path(os.environ["HOME"])
    base = Path(tempfile.mkdtemp(prefix="smsgui-bench-"))
    os.environ.update(isolated_env(base))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return base


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


class Results:
    """Collects result lines and whether every budget was met."""

    def __init__(self) -> None:
        self.missed: list[str] = []

    def line(self, name: str, value: float, unit: str, budget: str, baseline: str,  # noqa: PLR0913, PLR0917
             ok: bool, note: str = "") -> None:
        verdict = "OK" if ok else "MISSED"
        if not ok:
            self.missed.append(name)
        extra = f"  [{note}]" if note else ""
        print(f"{name}: {value:.2f} {unit} (budget: {budget}, baseline: {baseline}) "
              f"{verdict}{extra}", flush=True)

    def exit_code(self) -> int:
        return 1 if self.missed else 0


def longest_gap(ticks: Sequence[float]) -> float:
    """The longest pause between consecutive timer ticks, in seconds."""
    return max((b - a for a, b in itertools.pairwise(ticks)), default=0.0)


def resident_mb() -> float:
    """This process's resident memory now (VmRSS), in MB; the peak where /proc is missing."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource  # no /proc: the peak, which is at least the current size

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@dataclass(frozen=True)
class Stall:
    """One pause of the event loop: from the tick before it to the tick that ended it."""

    seconds: float
    started: float
    """``time.perf_counter()`` at the tick before the pause."""
    ended: float
    before: object = None
    """What the watch's ``snapshot`` said at the tick before the pause."""
    after: object = None
    """What it said at the tick that ended the pause."""
    thread_cpu_s: float = 0.0
    """CPU time the UI thread used during the pause: near ``seconds`` when it was busy, far
    below when it waited (for the GIL, or for a CPU the machine did not give it)."""
    process_cpu_s: float = 0.0
    """CPU time the whole process used during the pause, on all its threads."""


class StallWatch:
    """A 5 ms QTimer whose ticks show how long the event loop was kept from running.

    It keeps the longest pause and, with ``record_over_s``, every pause at least that long;
    ``snapshot`` (called on every tick, so it must be cheap) says what was going on, and each
    pause keeps the snapshots of the ticks on either side of it. The timer only ticks while an
    event loop runs (:func:`run_until`); time spent outside one counts as a pause too. Each
    pause also says how much CPU the UI thread and the process used meanwhile.
    """

    def __init__(self, snapshot: Callable[[], object] | None = None,
                 record_over_s: float | None = None, interval_ms: int = 5) -> None:
        from PySide6.QtCore import QTimer

        self._snapshot = snapshot or (lambda: None)
        self._record_over_s = record_over_s
        self._last: tuple[float, object, float, float] | None = None
        self.longest: Stall | None = None
        self.recorded: list[Stall] = []
        self.ticks = 0
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def longest_s(self) -> float:
        """The longest pause so far, in seconds (0 before two ticks)."""
        return self.longest.seconds if self.longest is not None else 0.0

    def start(self) -> None:
        self._last = None
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def __enter__(self) -> StallWatch:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _on_timer_timeout(self) -> None:
        now, thread_cpu, process_cpu = time.perf_counter(), time.thread_time(), time.process_time()
        snapshot = self._snapshot()
        self.ticks += 1
        if self._last is not None:
            started, before, thread_before, process_before = self._last
            gap = now - started
            longest = self.longest_s
            record = self._record_over_s is not None and gap >= self._record_over_s
            if gap > longest or record:
                stall = Stall(gap, started, now, before, snapshot, thread_cpu - thread_before,
                              process_cpu - process_before)
                if gap > longest:
                    self.longest = stall
                if record:
                    self.recorded.append(stall)
        self._last = (now, snapshot, thread_cpu, process_cpu)


def run_until(done: Callable[[], bool], action: Callable[[], object] | None = None,
              timeout_s: float = 20.0, settle_s: float = 0.0, start_after_s: float = 0.0) -> None:
    """Run the event loop until ``done()`` (polled every 10 ms) has been true for ``settle_s``.

    ``action``, if given, is called from the event loop ``start_after_s`` after it starts.
    Raises TimeoutError when ``done()`` is still false after ``timeout_s``.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    finished_at: list[float] = []

    def check() -> None:
        now = time.perf_counter()
        if not finished_at and done():
            finished_at.append(now)
        if (finished_at and now - finished_at[0] >= settle_s) or now > deadline:
            loop.quit()

    checker = QTimer()
    checker.setInterval(10)
    checker.timeout.connect(check)
    delay_ms = int(start_after_s * 1000)
    if action is not None:
        QTimer.singleShot(delay_ms, action)
    QTimer.singleShot(delay_ms + 1, checker.start)
    loop.exec()
    checker.stop()
    if not finished_at:
        raise TimeoutError("the benchmark action did not finish in time")


def measure_stall(app: object, action: Callable[[], None], done: Callable[[], bool],
                  timeout_s: float = 20.0, settle_s: float = 0.1) -> float:
    """Longest event-loop stall (s) while ``action`` runs from the loop until ``done()``.

    A 5 ms QTimer (:class:`StallWatch`) records every tick; the action starts from the event
    loop after a short settle, and the loop runs until ``done()`` is true (plus a settle),
    bounded by ``timeout_s`` (:func:`run_until`).
    """
    with StallWatch() as watch:
        run_until(done, action, timeout_s=timeout_s, settle_s=settle_s, start_after_s=settle_s)
    return watch.longest_s


def show_window(window: Any, settle_s: float = 0.2) -> None:
    """Show ``window`` (a MainWindow) and run the event loop until the work it does on opening
    (the preload on a worker, see MainWindow.preloaded) is over: what is measured next is the
    idle window, not its start."""
    window.show()
    run_until(lambda: bool(window.preloaded), timeout_s=20.0, settle_s=settle_s)
