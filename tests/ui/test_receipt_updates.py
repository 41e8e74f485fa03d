"""Receipts in the window: each one redraws only its own message's rows, and a burst of them
reaches the history as one write per send, never lost when the window closes."""

from __future__ import annotations

# ruff: noqa: F811 - the fixtures below are imported by name, as pytest finds them
import threading

import pytest
from pytestqt.qtbot import QtBot
from test_main_window import prompter, send, wait_for_receipts, window  # noqa: F401

from smsgui.core.records.history import History
from smsgui.core.records.session import SendSession
from smsgui.ui.main_window import HISTORY_WRITE_DELAY_MS, MainWindow

DELIVERED, FAILED, ALSO_DELIVERED = "447700900000", "447700900105", "447700900300"
RECEIPT_WAIT_MS = 10_000


def history_of(window: MainWindow) -> History:
    history = window.services.history.peek()
    assert history is not None
    return history


def send_and_keep(qtbot: QtBot, window: MainWindow, to: str) -> tuple[History, SendSession]:
    """Send to ``to`` from the window; the history and the send, which has its row."""
    send(qtbot, window, to)
    session = window.session
    assert session is not None and session.row_id is not None
    return history_of(window), session


def test_each_receipt_redraws_only_the_rows_of_its_message(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    send(qtbot, window, f"{DELIVERED}, {FAILED}, {ALSO_DELIVERED}")
    assert len(window.receipt_book) == 0  # the sandbox sends its receipts a second later
    parts = window.results.table.parts
    repainted: list[int] = []
    resets: list[bool] = []
    parts.dataChanged.connect(lambda first, last: repainted.extend(range(first.row(),
                                                                         last.row() + 1)))
    parts.modelReset.connect(lambda: resets.append(True))
    wait_for_receipts(qtbot, window, 3, RECEIPT_WAIT_MS)
    assert sorted(repainted) == [0, 1, 2] and not resets  # one row per receipt, nothing more
    assert [exchange.ok for exchange in window.exchanges] == [True, False, True]
    assert window.troubleshooting.highlighted_id() == "receipt-error-5"


def test_a_burst_of_receipts_reaches_the_history_row_in_one_write(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    history, session = send_and_keep(qtbot, window, f"{DELIVERED}, {FAILED}, {ALSO_DELIVERED}")
    writes: list[int] = []
    real_update = history.update
    monkeypatch.setattr(history, "update",
                        lambda row_id, *rest: (writes.append(row_id), real_update(row_id, *rest)))
    wait_for_receipts(qtbot, window, 3, RECEIPT_WAIT_MS)
    qtbot.waitUntil(lambda: history.row(session.row_id).entry_id == "receipt-error-5",
                    timeout=HISTORY_WRITE_DELAY_MS * 4)
    assert not history.row(session.row_id).ok
    # One write for the burst (more only if the receipts straggle); one per receipt before.
    assert set(writes) == {session.row_id} and len(writes) < len(window.receipt_book)


def test_receipts_not_yet_written_are_written_when_the_window_closes(
    qtbot: QtBot, window: MainWindow
) -> None:
    history, session = send_and_keep(qtbot, window, FAILED)
    wait_for_receipts(qtbot, window, 1, RECEIPT_WAIT_MS)
    assert session.history_behind  # waiting for the delayed write
    window.shutdown()
    assert not session.history_behind
    assert history.row(session.row_id).headline.startswith("Not delivered")


def test_the_history_row_is_rewritten_off_the_ui_thread(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    history, session = send_and_keep(qtbot, window, f"{DELIVERED}, {FAILED}")
    threads: list[int] = []
    real_update = history.update
    monkeypatch.setattr(history, "update", lambda *args: (threads.append(threading.get_ident()),
                                                          real_update(*args)))
    wait_for_receipts(qtbot, window, 2, RECEIPT_WAIT_MS)
    qtbot.waitUntil(lambda: bool(threads) and not window.is_writing_history,
                    timeout=HISTORY_WRITE_DELAY_MS * 4)
    assert threading.get_ident() not in threads
    assert history.row(session.row_id).entry_id == "receipt-error-5"


def test_news_for_a_send_deleted_meanwhile_is_dropped_calmly(
    qtbot: QtBot, window: MainWindow
) -> None:
    history, session = send_and_keep(qtbot, window, FAILED)
    wait_for_receipts(qtbot, window, 1, RECEIPT_WAIT_MS)
    assert session.history_behind
    history.delete([session.row_id])  # as the person deletes it from the History tab
    qtbot.waitUntil(lambda: not window.is_writing_history and session.row_id is None,
                    timeout=HISTORY_WRITE_DELAY_MS * 4)
    assert history.count() == 0 and session.history_problem is None
