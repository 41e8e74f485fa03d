"""Shared helpers for the benchmarks: an isolated environment, result lines, stall timers."""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

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


def measure_stall(app: object, action: Callable[[], None], done: Callable[[], bool],
                  timeout_s: float = 20.0, settle_s: float = 0.1) -> float:
    """Longest event-loop stall (s) while ``action`` runs from the loop until ``done()``.

    A 5 ms QTimer records every tick; the action starts from the event loop after a short
    settle, and the loop runs until ``done()`` is true (plus a settle), bounded by ``timeout_s``.
    """
    import time

    from PySide6.QtCore import QEventLoop, QTimer

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    state = {"finished_at": None}

    def check() -> None:
        now = time.perf_counter()
        if state["finished_at"] is None and done():
            state["finished_at"] = now
        if (state["finished_at"] is not None and now - state["finished_at"] >= settle_s) \
                or now > deadline:
            loop.quit()

    checker = QTimer()
    checker.setInterval(10)
    checker.timeout.connect(check)
    timer.start()
    QTimer.singleShot(int(settle_s * 1000), action)
    QTimer.singleShot(int(settle_s * 1000) + 1, checker.start)
    loop.exec()
    timer.stop()
    checker.stop()
    if time.perf_counter() > deadline and not done():
        raise TimeoutError("the benchmark action did not finish in time")
    return longest_gap(ticks)
