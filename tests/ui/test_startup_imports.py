"""The first frame loads only what it shows: the HTTP stack, the sandbox server, the history,
the phone number library, the country rules and the keyring load on first use (bench/startup.py
times it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DEFERRED = (
    "httpx",
    "phonenumbers",
    "sqlite3",
    "keyring",
    "smsgui.core.api.client",
    "smsgui.core.records.history",
    "smsgui.core.reference.destinations",
    "smsgui.core.delivery.destination",
    "smsgui.sandbox.server",
)

OPEN_THE_WINDOW = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui import main_window
from smsgui.ui.main_window import MainWindow

main_window._AFTER_FIRST_FRAME_MS = 600_000  # only the first frame is under test, however slow
app = QApplication([])
base = Path(sys.argv[1])
services = build_services(AppPaths(base / "config", base / "data", base / "logs",
                                   base / "cache"))
window = MainWindow(services)
window.show()
app.processEvents()
loaded = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
window.shutdown()
close_services(services)
print(json.dumps(loaded))
"""


def modules_loaded_by_opening_the_window(app_folder: Path, watched: tuple[str, ...]) -> list[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(app_folder / "home"))
    done = subprocess.run(
        [sys.executable, "-c", OPEN_THE_WINDOW, str(app_folder), json.dumps(watched)],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_opening_the_window_loads_none_of_the_parts_it_does_not_show(tmp_path: Path) -> None:
    assert modules_loaded_by_opening_the_window(tmp_path, DEFERRED) == []
    assert not (tmp_path / "data" / "history.sqlite3").exists()


def test_later_starts_read_the_knowledge_base_from_the_cache(tmp_path: Path) -> None:
    assert modules_loaded_by_opening_the_window(tmp_path, ("tomllib",)) == ["tomllib"]
    assert list((tmp_path / "cache").glob("knowledge-*.json"))
    assert modules_loaded_by_opening_the_window(tmp_path, ("tomllib",)) == []


def test_every_deferred_module_is_real() -> None:
    """A misspelt name in DEFERRED would make the test above pass for nothing."""
    import importlib.util

    missing = [name for name in DEFERRED if importlib.util.find_spec(name) is None]
    assert missing == []
