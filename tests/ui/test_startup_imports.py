"""The first frame loads only what it shows: the HTTP stack, the sandbox server, the history,
the phone number library and the keyring load on first use (bench/startup.py times it)."""

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
    "smsgui.core.client",
    "smsgui.core.history",
    "smsgui.sandbox.server",
)

OPEN_THE_WINDOW = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui.main_window import MainWindow

app = QApplication([])
base = Path(sys.argv[1])
services = build_services(AppPaths(base / "config", base / "data", base / "logs"))
window = MainWindow(services)
window.show()
app.processEvents()
loaded = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
window.shutdown()
close_services(services)
print(json.dumps(loaded))
"""


def test_opening_the_window_loads_none_of_the_parts_it_does_not_show(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-c", OPEN_THE_WINDOW, str(tmp_path / "app"), json.dumps(DEFERRED)],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
    assert not (tmp_path / "app" / "data" / "history.sqlite3").exists()


def test_every_deferred_module_is_real() -> None:
    """A misspelt name in DEFERRED would make the test above pass for nothing."""
    import importlib.util

    missing = [name for name in DEFERRED if importlib.util.find_spec(name) is None]
    assert missing == []
