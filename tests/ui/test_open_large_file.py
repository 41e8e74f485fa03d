"""A big saved file opens on a worker: the window keeps running, a bar says what is coming,
and the parts appear in a table that draws only the rows in view."""

from __future__ import annotations

# ruff: noqa: F811 - the fixtures below are imported by name, as pytest finds them
import json
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot
from test_main_window import ScriptedPrompter, prompter, window  # noqa: F401

from smsgui.core.api.documents import MAX_DOCUMENT_BYTES, ResponseDocument, save_documents
from smsgui.ui.main_window import OPEN_ON_WORKER_BYTES, MainWindow

PARTS = 29_000  # about 4.8 MB: just under the 5 MB a file may have
OPEN_WAIT_MS = 30_000


def big_document(path: Path, parts: int = PARTS) -> Path:
    messages = [{"to": "447700900000", "message-id": f"BULK-{index:08d}", "status": "0",
                 "remaining-balance": "9.0", "message-price": "0.03", "network": "23410"}
                for index in range(parts)]
    messages[-1] = {"to": "447700900000", "status": "29",
                    "error-text": "Non-White-listed Destination - rejected"}
    body = json.dumps({"message-count": str(parts), "messages": messages})
    save_documents([ResponseDocument(body=body, http_status=200)], path)
    return path


def test_a_big_file_opens_on_a_worker_while_the_window_keeps_running(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = big_document(tmp_path / "big.json")
    assert OPEN_ON_WORKER_BYTES < path.stat().st_size < MAX_DOCUMENT_BYTES
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()

    window.open_path(path)
    assert window.is_opening and window.results.progress.isVisible()
    assert window.results.progress.format().startswith("Opening big.json (4.8 MB)")
    assert not window.open_action.isEnabled()
    opened_at = len(ticks)
    qtbot.waitUntil(lambda: not window.is_opening, timeout=OPEN_WAIT_MS)
    timer.stop()

    assert len(ticks) - opened_at > 5  # the event loop ran while the file was read
    assert window.results.table.rowCount() == PARTS
    assert not window.results.progress.isVisible() and window.open_action.isEnabled()
    assert window.results.verdict.text() == "Partial failure"
    assert window.troubleshooting.highlighted_id() == "status-29"
    assert window.statusBar().currentMessage() == "Opened big.json"


def test_a_big_file_it_cannot_open_is_refused_in_words_after_the_worker(
    qtbot: QtBot, window: MainWindow, prompter: ScriptedPrompter, tmp_path: Path
) -> None:
    path = tmp_path / "future.json"
    path.write_text(json.dumps({"format": "smsgui-response", "version": 99,
                                "body": "x" * OPEN_ON_WORKER_BYTES}), encoding="utf-8")
    window.open_path(path)
    assert window.is_opening
    qtbot.waitUntil(lambda: not window.is_opening, timeout=OPEN_WAIT_MS)
    assert prompter.errors == ["Cannot open future.json."]
    assert window.results.table.rowCount() == 0 and window.open_action.isEnabled()


def test_a_file_over_the_limit_is_refused_at_once_without_a_worker(
    window: MainWindow, prompter: ScriptedPrompter, tmp_path: Path
) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (MAX_DOCUMENT_BYTES + 1))
    window.open_path(path)
    assert not window.is_opening and prompter.errors == ["Cannot open huge.json."]
