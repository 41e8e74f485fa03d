"""A long session: the window survives thousands of keystrokes and results updates.

PySide6-Essentials 6.12.0 drops a reference to ``None`` on every call of a Qt method that returns
nothing. From Python 3.12 on ``None`` is immortal and nothing happens; on Python 3.11, which
smsgui supports, ``None``'s count runs out after some thousands of such calls and the interpreter
aborts ("Fatal Python error: none_dealloc: deallocating None"). In smsgui that is about 1,000
characters typed into the message, or a few hundred results updates. The session runs in a
subprocess, so a crash fails this test instead of killing the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import smsgui

REPOSITORY = Path(smsgui.__file__).resolve().parent.parent

SESSION = """
import sys, tempfile
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from smsgui.core.api.documents import parse_documents
from smsgui.core.delivery.exchange import exchange_from_document
from smsgui.core.api.secrets import MemorySecretStore
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui.main_window import MainWindow

app = QApplication([])
folder = Path(tempfile.mkdtemp())
services = build_services(AppPaths(folder / "c", folder / "d", folder / "l"),
                          secrets=MemorySecretStore())
window = MainWindow(services)
window.show()
message = next(editor for editor in window.compose.findChildren(QPlainTextEdit)
               if editor.accessibleName() == "Message text")
answer = parse_documents('{"messages":[{"to":"447700900000","message-id":"A","status":"0"}]}')
exchanges = [exchange_from_document(document) for document in answer]
steps = [0]

def step():
    steps[0] += 1
    QTest.keyClicks(message, "Hello, wor")
    window.show_exchanges(exchanges)
    if steps[0] % 20 == 0:
        message.clear()
    if steps[0] < 400:
        QTimer.singleShot(0, step)
    else:
        app.quit()

QTimer.singleShot(0, step)
app.exec()
window.shutdown()
close_services(services)
print("survived", steps[0], "steps", flush=True)
"""


def test_the_window_survives_four_thousand_keystrokes_and_four_hundred_updates(
    tmp_path: Path,
) -> None:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen",
                       PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
                       XDG_CONFIG_HOME=str(tmp_path / "config"),
                       XDG_DATA_HOME=str(tmp_path / "data"),
                       XDG_STATE_HOME=str(tmp_path / "state"))
    result = subprocess.run([sys.executable, "-c", SESSION], cwd=REPOSITORY, env=environment,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived 400 steps" in result.stdout
