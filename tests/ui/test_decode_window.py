"""The explain window, driven as a person would: paste, click, read."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from smsgui.core.documents import RequestRecord, ResponseDocument, save_document
from smsgui.core.knowledge import default_knowledge_base
from smsgui.ui.decode_window import DecodeWindow

THROTTLED = ('{"message-count":"1","messages":[{"to":"447700900000","status":"1",'
             '"error-text":"Throughput Rate Exceeded - please wait [ 702 ] and retry",'
             '"network":"23410"}]}')


def make_window(qtbot: QtBot) -> DecodeWindow:
    window = DecodeWindow(default_knowledge_base())
    qtbot.addWidget(window)
    window.show()
    return window


def test_pasting_a_response_and_clicking_explain_shows_the_entry(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    window.input.setPlainText(THROTTLED)
    qtbot.mouseClick(window.decode_button, Qt.MouseButton.LeftButton)
    shown = window.result.toPlainText()
    entry = default_knowledge_base().get("status-1")
    assert "Throttled" in shown
    assert entry.next_steps[0].split()[0] in shown
    assert "O2 (UK)" in shown


def test_junk_gets_a_plain_reason(qtbot: QtBot) -> None:
    window = make_window(qtbot)
    qtbot.keyClicks(window.input, "<html><title>Bad Gateway</title></html>")
    qtbot.mouseClick(window.decode_button, Qt.MouseButton.LeftButton)
    assert "web page" in window.result.toPlainText()


def test_opening_a_saved_document(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "saved.json"
    save_document(ResponseDocument(body=THROTTLED), path)
    window = make_window(qtbot)
    window.open_path(path)
    assert window.input.toPlainText() == THROTTLED
    assert "Throttled" in window.result.toPlainText()


def test_opening_a_missing_file_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot)
    window.open_path(tmp_path / "missing.json")
    assert "does not exist" in window.result.toPlainText()


def test_running_smsgui_without_arguments_opens_the_window() -> None:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen([sys.executable, "-m", "smsgui"], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    still_running = process.poll() is None
    process.terminate()
    _, errors = process.communicate(timeout=10)
    assert still_running, errors


def test_a_saved_document_shows_its_request_and_receipts(qtbot: QtBot, tmp_path: Path) -> None:
    accepted = THROTTLED.replace('"status":"1"', '"status":"0"')
    path = tmp_path / "saved.json"
    save_document(ResponseDocument(
        body=accepted, sandbox=False,
        request=RequestRecord("POST", "https://rest.nexmo.com/sms/json", "basic",
                              (("from", "Acme"), ("to", "447700900000"), ("text", "Hi"))),
        receipts=({"messageId": "X1", "status": "rejected", "err-code": "6",
                   "msisdn": "447700900000", "to": "Acme"},)), path)
    window = make_window(qtbot)
    window.open_path(path)
    shown = window.result.toPlainText()
    assert "rest.nexmo.com (live)" in shown
    assert "Err-code: 6" in shown
    assert default_knowledge_base().get("receipt-error-6").title in shown
    assert "447700900000" not in shown
