"""Durability: the history and saved documents survive a process killed at any moment, and a
damaged history is set aside and replaced.

A writer subprocess records sends in the history and saves a document over and over; it is killed
with SIGKILL at random moments (sometimes while it is still opening the history), 30 times.
After every kill the history opens without being set aside, passes SQLite's integrity check and
has lost no committed send, and the saved document is one complete version, old or new.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening_tools import RecordingPrompter, open_window, wait_until_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot
from uitools import find, type_text

import smsgui
from smsgui.core.api.documents import ResponseDocument, load_document, save_document
from smsgui.core.api.secrets import MemorySecretStore
from smsgui.core.delivery.exchange import exchange_from_document
from smsgui.core.records.history import History
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui.services import Services

REPOSITORY = Path(smsgui.__file__).resolve().parent.parent
ROUNDS = 30
BUDGET_S = 20.0
SEED = 20261127
PADDING = 256 * 1024  # big enough that a kill often lands in the middle of a save

WRITER = """
import json, sys
from pathlib import Path
from smsgui.core.api.documents import RequestRecord, ResponseDocument, save_document
from smsgui.core.delivery.exchange import exchange_from_document
from smsgui.core.records.history import History

folder, round_no, padding = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
history = History(folder / "history.sqlite3")
request = RequestRecord("POST", "https://rest.nexmo.com/sms/json", "basic",
                        (("to", "447700900123"),))
print("ready", flush=True)
step = 0
while True:
    step += 1
    version = f"{round_no}.{step}"
    answer = json.dumps({"messages": [{"to": "447700900123", "message-id": "ID-" + version,
                                       "status": "0"}]})
    history.record([exchange_from_document(ResponseDocument(body=answer, request=request))],
                   "round " + version)
    body = json.dumps({"version": version, "padding": version[-1] * padding})
    save_document(ResponseDocument(body=body, request=request), folder / "saved.json")
    print(version, flush=True)
"""


def expected_body(version: str) -> str:
    return json.dumps({"version": version, "padding": version[-1] * PADDING})


def check_saved(path: Path) -> str:
    """The saved document is whole: it parses, and its body is exactly what was written."""
    document = load_document(path)
    assert not document.is_bare_body, "the saved document is not a whole smsgui document"
    version = json.loads(document.body)["version"]
    assert document.body == expected_body(version), f"version {version} is incomplete"
    return str(version)


def check_history(path: Path) -> int:
    with History(path) as history:
        assert history.recovered_from is None, "a history killed mid-write was set aside"
        assert history._read("PRAGMA integrity_check", ()) == [("ok",)]
        count = history.count()
        if count:
            newest = history.search("", limit=1)[0]
            assert history.load(newest.id)
    with sqlite3.connect(path) as connection:  # and as any SQLite tool sees it
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    return count


def start_writer(folder: Path, round_no: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder), str(round_no), str(PADDING)],
        cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_writers_never_damage_the_history_or_a_saved_document(tmp_path: Path) -> None:
    chance = random.Random(SEED)
    saved = tmp_path / "saved.json"
    save_document(ResponseDocument(body=expected_body("0.0")), saved)
    started = time.perf_counter()
    count = 0
    for round_no in range(1, ROUNDS + 1):
        writer = start_writer(tmp_path, round_no)
        steps = 0  # steps the writer reported done: recorded in the history, then saved
        try:
            assert writer.stdout is not None
            if round_no % 5 == 0:  # sometimes while it is still starting or opening the history
                time.sleep(chance.uniform(0.0, 0.2))
            else:
                assert writer.stdout.readline() == "ready\n", writer.stderr
                for _ in range(chance.randint(1, 3)):
                    steps += 1
                    assert writer.stdout.readline() == f"{round_no}.{steps}\n"
                time.sleep(chance.uniform(0.0, 0.03))  # into the next step, somewhere
            writer.send_signal(signal.SIGKILL)
        finally:
            writer.kill()
            _, errors = writer.communicate(timeout=10)
        assert writer.returncode == -signal.SIGKILL, errors
        version = check_saved(saved)
        recorded = check_history(tmp_path / "history.sqlite3")
        # The writer may be ahead of what was read from it, never behind.
        saved_round, saved_step = (int(part) for part in version.split("."))
        assert saved_round == round_no or not steps, f"round {round_no}'s saves were lost"
        assert saved_step >= steps or saved_round != round_no, "a reported save was lost"
        assert recorded >= count + steps, f"round {round_no} lost committed sends"
        count = recorded
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET_S, f"{ROUNDS} rounds took {elapsed:.1f} s"
    # What a kill leaves behind is at most the hidden temporary file of an unfinished save.
    leftovers = {path.name for path in tmp_path.iterdir()} - {
        "saved.json", "history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"}
    assert all(name.startswith(".saved.json.") and name.endswith(".tmp")
               for name in leftovers), leftovers


def test_a_garbage_wal_file_beside_a_good_history_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    answer = '{"messages":[{"to":"447700900123","message-id":"KEEP","status":"0"}]}'
    with History(path) as history:
        history.record([exchange_from_document(ResponseDocument(body=answer))], "Acme")
    Path(f"{path}-wal").write_bytes(random.Random(1).randbytes(64 * 1024))
    assert check_history(path) == 1


# -- a damaged history, through the window ---------------------------------------------------------

GARBAGE = b"This is not a database. " * 100 + bytes(range(256)) * 8


@pytest.fixture
def damaged(paths: AppPaths) -> Iterator[Services]:
    paths.data.mkdir(parents=True)
    (paths.data / "history.sqlite3").write_bytes(GARBAGE)
    services = build_services(paths, secrets=MemorySecretStore())
    yield services
    close_services(services)


def test_a_damaged_history_is_set_aside_and_a_new_one_used(
    qtbot: QtBot, damaged: Services, paths: AppPaths, tmp_path: Path
) -> None:
    history = damaged.history.get()
    assert history is not None and history.recovered_from is not None
    assert history.recovered_from.parent == paths.data
    assert history.recovered_from.name.startswith("history.sqlite3.corrupt-")
    assert history.recovered_from.read_bytes() == GARBAGE  # kept, untouched, for support
    window = open_window(qtbot, damaged, RecordingPrompter(tmp_path), [], {})
    find(window, QLineEdit, "From").setText("AcmeInc")
    find(window, QPlainTextEdit, "To").setPlainText("447700900000")
    type_text(find(window, QPlainTextEdit, "Message text"), "After the repair")
    qtbot.mouseClick(find(window, QPushButton, "Send"), Qt.MouseButton.LeftButton)
    wait_until_idle(qtbot, window)
    assert history.count() == 1
    window.left_tabs.setCurrentWidget(window.history)
    assert window.history.row_count() == 1
    assert check_history(history.path) == 1


def test_a_send_that_first_opens_a_damaged_history_says_so_after_its_result(
    qtbot: QtBot, damaged: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, damaged, RecordingPrompter(tmp_path), [], {})
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    find(window, QLineEdit, "From").setText("AcmeInc")
    find(window, QPlainTextEdit, "To").setPlainText("447700900000")
    type_text(find(window, QPlainTextEdit, "Message text"), "After the repair")
    qtbot.mouseClick(find(window, QPushButton, "Send"), Qt.MouseButton.LeftButton)
    wait_until_idle(qtbot, window)
    (final,) = [text for text in shown if text.startswith("Done:")]
    assert "1 of 1 recipient(s) without a problem" in final and "history was damaged" in final


def test_the_window_says_a_damaged_history_was_set_aside(
    qtbot: QtBot, damaged: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, damaged, RecordingPrompter(tmp_path), [], {})
    assert not damaged.history.built, "the history opens when it is first used, not at start"
    window.left_tabs.setCurrentWidget(window.history)  # the person opens the History tab
    history = damaged.history.peek()
    assert history is not None and history.recovered_from is not None
    message = window.statusBar().currentMessage()
    assert "history" in message.lower() and "damaged" in message.lower()
    assert history.recovered_from.name in message
