"""Start-up: process start to the main window shown and idle, smsgui against a bare QMainWindow.

Each run is a fresh process started the same way (``python bench/startup.py --child KIND``).
The parent notes CLOCK_MONOTONIC (system-wide on Linux) just before starting the child; the child
prints the same clock at the first event-loop tick after ``show()`` together with its peak RSS
(VmHWM), then exits. Median of RUNS runs each, interleaved.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Results, isolated_env, median

RUNS = 5
TIME_FACTOR = 1.5
RSS_MARGIN_MB = 40.0


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    def idle() -> None:
        print(f"IDLE {time.monotonic():.6f} {_peak_rss_mb():.1f}", flush=True)
        os._exit(0)  # the figure is taken; tear-down is not part of start-up

    if kind == "bare":
        app = QApplication(sys.argv)
        window = QMainWindow()
        window.setWindowTitle("bare")
        window.show()
        QTimer.singleShot(0, idle)
        app.exec()
        return

    # As smsgui.ui.app.run_app does, with AppPaths in a temporary folder.
    import logging

    from PySide6.QtGui import QIcon

    from smsgui import APP_ID, APP_NAME, __version__
    from smsgui.applog import setup_logging
    from smsgui.core.resources import resource_path
    from smsgui.ui.app import AppPaths, build_services
    from smsgui.ui.errors import install_excepthook, route_qt_messages_to_logging
    from smsgui.ui.main_window import MainWindow

    app = QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource_path("icons/smsgui.svg"))))
    base = Path(tempfile.mkdtemp(prefix="smsgui-bench-app-"))
    paths = AppPaths(base / "config", base / "data", base / "logs")
    handler = setup_logging(paths.logs)
    route_qt_messages_to_logging()
    services = build_services(paths)
    window = MainWindow(services)
    install_excepthook(lambda: window)
    window.show()
    QTimer.singleShot(0, idle)
    app.exec()
    logging.getLogger().removeHandler(handler)


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
    env["SMSGUI_BENCH_ISOLATED"] = "1"
    # One warm-up of each, so both read from a warm file cache.
    run_once("bare", env)
    run_once("app", env)
    times: dict[str, list[float]] = {"bare": [], "app": []}
    rss: dict[str, list[float]] = {"bare": [], "app": []}
    for _ in range(RUNS):
        for kind in ("bare", "app"):
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
    return results.exit_code()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        sys.exit(main())
