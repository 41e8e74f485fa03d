"""Start-up: process start to the main window shown and idle, smsgui against a bare QMainWindow.

Each run is a fresh process started the same way (``python bench/startup.py --child KIND``).
The parent notes CLOCK_MONOTONIC (system-wide on Linux) just before starting the child; the child
prints the same clock at the first event-loop tick after the window's first paint, together with
its peak RSS (VmHWM), then exits. Median of RUNS runs each, interleaved. Children cache bytecode
(see ``isolated_env``) and one warm-up run of each kind writes it, as an installed app would have.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Results, isolated_env, median

RUNS = 5
KINDS = ("bare", "text", "app")
TIME_FACTOR = 1.5
RSS_MARGIN_MB = 40.0


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report_idle_after_first_paint(app: object) -> object:
    """Print the clock and peak RSS at the first event-loop tick after a window is painted.

    A zero timer started right after ``show()`` fires before the first paint, so it would leave
    the cost of laying out and painting the window out of the figure.
    """
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QMainWindow

    def idle() -> None:
        print(f"IDLE {time.monotonic():.6f} {_peak_rss_mb():.1f}", flush=True)
        os._exit(0)  # the figure is taken; tear-down is not part of start-up

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
                app.removeEventFilter(self)  # type: ignore[attr-defined]
                QTimer.singleShot(0, idle)
            return False

    spy = FirstPaint()
    app.installEventFilter(spy)  # type: ignore[attr-defined]
    return spy


def child(kind: str) -> None:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    spy = _report_idle_after_first_paint(app)
    if kind in {"bare", "text"}:
        window = QMainWindow()
        window.setWindowTitle(kind)
        if kind == "text":  # the least a window with any words in it does: load fonts, lay out
            window.setCentralWidget(QLabel("smsgui"))
        window.show()
        app.exec()
    else:
        # What the ``smsgui`` command runs; HOME and XDG folders are the benchmark's own.
        from smsgui.cli import main as smsgui_main
        smsgui_main([])
    del spy


def phases_child(kind: str) -> None:
    """Time each step of start-up, as ``run_app`` takes them, on the system-wide clock."""
    marks = [("python", time.monotonic())]
    from PySide6.QtWidgets import QApplication, QMainWindow

    marks.append(("PySide6 import", time.monotonic()))
    app = QApplication(sys.argv[:1])
    if kind == "bare":
        window = QMainWindow()
    else:
        from smsgui.applog import setup_logging
        from smsgui.ui.app import AppPaths, build_services
        from smsgui.ui.main_window import MainWindow

        marks.append(("smsgui imports", time.monotonic()))
        paths = AppPaths.for_user()
        setup_logging(paths.logs)
        services = build_services(paths)
        marks.append(("services", time.monotonic()))
        window = MainWindow(services)
    marks.append(("window", time.monotonic()))
    spy = _report_idle_after_first_paint(app)
    print("PHASES " + " ".join(f"{name.replace(' ', '_')}={at:.6f}" for name, at in marks),
          flush=True)
    window.show()
    app.exec()
    del spy


def ready_child() -> None:
    """Print the clock once the window is up and its first-use loads (the phone number
    library, the history, the receipt receiver, the country rules) are done: from then on the
    first recipient typed and the first Send cost no load on the UI thread."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from smsgui.applog import setup_logging
    from smsgui.ui.app import AppPaths, build_services
    from smsgui.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    paths = AppPaths.for_user()
    setup_logging(paths.logs)
    window = MainWindow(build_services(paths))
    started = {"preload": False}

    def poll() -> None:
        started["preload"] = started["preload"] or window.is_busy_in_background
        if started["preload"] and not window.is_busy_in_background:
            print(f"READY {time.monotonic():.6f}", flush=True)
            os._exit(0)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(2)
    window.show()
    app.exec()


def time_until_ready(env: dict[str, str], runs: int = 3) -> float:
    """Median seconds from process start until :func:`ready_child` reports."""
    spans = []
    for _ in range(runs):
        started = time.monotonic()
        done = subprocess.run([sys.executable, __file__, "--ready"], env=env,
                              capture_output=True, text=True, timeout=60, check=False)
        ready = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("READY")]
        if done.returncode != 0 or not ready:
            raise RuntimeError(f"ready run failed ({done.returncode}): {done.stderr[-2000:]}")
        spans.append(float(ready[-1]) - started)
    return median(spans)


def describe_phases(kind: str, env: dict[str, str], runs: int = 3) -> str:
    """``name ms, ...`` for each start-up step, medians of ``runs`` runs."""
    steps: dict[str, list[float]] = {}
    for _ in range(runs):
        started = time.monotonic()
        done = subprocess.run([sys.executable, __file__, "--phases", kind], env=env,
                              capture_output=True, text=True, timeout=60, check=False)
        marks = [line.split()[1:] for line in done.stdout.splitlines()
                 if line.startswith("PHASES ")]
        idle = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("IDLE ")]
        if done.returncode != 0 or not marks or not idle:
            raise RuntimeError(f"{kind} phases failed ({done.returncode}): {done.stderr[-2000:]}")
        previous = started
        for name, at in [item.split("=") for item in marks[-1]] + [["first paint", idle[-1]]]:
            steps.setdefault(name.replace("_", " "), []).append(float(at) - previous)
            previous = float(at)
    return ", ".join(f"{name} {median(values) * 1000:.0f}" for name, values in steps.items())


def run_once(kind: str, env: dict[str, str]) -> tuple[float, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, __file__, "--child", kind], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("IDLE ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{kind} start-up failed ({done.returncode}): {done.stderr[-2000:]}")
    _, idle_at, rss = lines[-1].split()
    return float(idle_at) - started, float(rss)


def main() -> int:
    env = isolated_env()
    # One warm-up of each, so both read from a warm file cache.
    for kind in KINDS:
        run_once(kind, env)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    rss: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for _ in range(RUNS):
        for kind in KINDS:
            elapsed, peak = run_once(kind, env)
            times[kind].append(elapsed)
            rss[kind].append(peak)
    bare_ms, app_ms = median(times["bare"]) * 1000, median(times["app"]) * 1000
    bare_mb, app_mb = median(rss["bare"]), median(rss["app"])
    results = Results()
    results.line("startup time", app_ms, "ms", f"<= {TIME_FACTOR}x bare = "
                 f"{bare_ms * TIME_FACTOR:.0f} ms", f"bare window {bare_ms:.0f} ms",
                 app_ms <= bare_ms * TIME_FACTOR, f"ratio {app_ms / bare_ms:.2f}x, "
                 f"runs {', '.join(f'{t * 1000:.0f}' for t in times['app'])}")
    results.line("startup peak RSS", app_mb, "MB", f"<= bare + {RSS_MARGIN_MB:.0f} MB = "
                 f"{bare_mb + RSS_MARGIN_MB:.0f} MB", f"bare window {bare_mb:.1f} MB",
                 app_mb <= bare_mb + RSS_MARGIN_MB, f"+{app_mb - bare_mb:.1f} MB")
    text_ms = median(times["text"]) * 1000
    print(f"  for comparison, not a budget: a window showing one QLabel takes {text_ms:.0f} ms "
          f"({text_ms / bare_ms:.2f}x bare), {median(rss['text']):.1f} MB", flush=True)
    print(f"  startup steps, ms (medians of 3 more runs): smsgui: {describe_phases('app', env)}; "
          f"bare: {describe_phases('bare', env)}", flush=True)
    ready_ms = time_until_ready(env) * 1000
    print(f"  for comparison, not a budget: time to the first frame {app_ms:.0f} ms; time until"
          f" Send works with nothing left to load {ready_ms:.0f} ms (the loads run on a worker"
          f" from {_after_first_frame_ms()} ms after the first frame)", flush=True)
    return results.exit_code()


def _after_first_frame_ms() -> int:
    from smsgui.ui import main_window

    return main_window._AFTER_FIRST_FRAME_MS


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--phases":
        phases_child(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "--ready":
        ready_child()
    else:
        sys.exit(main())
