"""The history list fed by a real history database, driven as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
)
from pytestqt.qtbot import QtBot
from uitools import find

from smsgui.core.api.documents import ResponseDocument
from smsgui.core.delivery.exchange import Exchange, exchange_from_document
from smsgui.core.privacy import mask_number
from smsgui.core.records.history import History
from smsgui.ui.history_view import HISTORY_OFF, NO_MATCHES, NO_SENDS, HistoryPanel

REPOSITORY = Path(__file__).resolve().parents[2]
FIRST_SEND = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
COLUMNS = ["When (UTC)", "Profile", "Recipients", "Result", "Message IDs"]
THROTTLED = "Throughput Rate Exceeded - please wait [ 250 ] and retry"
ACCEPTED = "Accepted: 1 part accepted for delivery (accepted is not yet delivered)."


class Clock:
    """A clock that moves one minute on every reading."""

    def __init__(self) -> None:
        self.now = FIRST_SEND

    def __call__(self) -> datetime:
        reading = self.now
        self.now += timedelta(minutes=1)
        return reading


class CountingOpener:
    """Gives the history (or None) and counts how often it was asked to open it."""

    def __init__(self, history: History | None) -> None:
        self.history = history
        self.calls = 0

    def __call__(self) -> History | None:
        self.calls += 1
        return self.history


def send(to: str, message_id: str | None, status: int, error: str | None = None,
         sandbox: bool = False) -> Exchange:
    message = {"to": to, "status": str(status),
               **({"message-id": message_id} if message_id else {}),
               **({"error-text": error} if error else {})}
    body = json.dumps({"message-count": "1", "messages": [message]})
    return exchange_from_document(ResponseDocument(body=body, http_status=200, elapsed_ms=80.0,
                                                   sandbox=sandbox))


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "history.sqlite3", clock=Clock(), timezone=UTC) as opened:
        yield opened


@pytest.fixture
def ids(history: History) -> dict[str, int]:
    """Three sends, oldest first; their row ids by name."""
    return {
        "accepted": history.record([send("447700900123", "0A0000001234ABCD", 0)], "Acme live"),
        "throttled": history.record([send("447700900456", None, 1, THROTTLED)], "Acme live"),
        "sandbox": history.record([send("14155550100", "0C00000077778888", 0, sandbox=True)],
                                  "Sandbox (built in)"),
    }


def make_panel(qtbot: QtBot, opener: CountingOpener) -> HistoryPanel:
    panel = HistoryPanel(opener)
    qtbot.addWidget(panel)
    return panel


def show(qtbot: QtBot, panel: HistoryPanel) -> None:
    panel.show()
    qtbot.waitExposed(panel)


def cells(panel: HistoryPanel, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole
          ) -> list[list[str]]:
    model = panel.table.model()
    return [[model.index(row, column).data(role) for column in range(model.columnCount())]
            for row in range(model.rowCount())]


def status_note(panel: HistoryPanel) -> str | None:
    """The status line's text when it is shown, else None."""
    return panel.empty.text() if panel.empty.isVisible() else None


def test_the_history_is_opened_only_when_the_panel_is_first_shown(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    opener = CountingOpener(history)
    panel = make_panel(qtbot, opener)
    panel.refresh()
    assert opener.calls == 0 and panel.row_count() == 0
    show(qtbot, panel)
    assert opener.calls == 1 and panel.row_count() == len(ids)
    panel.hide()
    show(qtbot, panel)
    panel.refresh()
    assert opener.calls == 1


def test_a_panel_on_a_hidden_tab_opens_the_history_when_its_tab_is_chosen(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    opener = CountingOpener(history)
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QLabel("Compose"), "Compose")
    panel = HistoryPanel(opener)
    tabs.addTab(panel, "History")
    tabs.show()
    qtbot.waitExposed(tabs)
    assert opener.calls == 0 and panel.row_count() == 0
    tabs.setCurrentWidget(panel)
    assert opener.calls == 1 and panel.row_count() == len(ids)


def test_rows_show_each_send_newest_first_with_masked_numbers(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    assert cells(panel) == [
        ["2026-11-27 09:02:00", "Sandbox (built in) (sandbox)", mask_number("14155550100"),
         f"OK: {ACCEPTED}", "0C00000077778888"],
        ["2026-11-27 09:01:00", "Acme live", mask_number("447700900456"),
         f"Problem: {send('447700900456', None, 1, THROTTLED).headline}", "-"],
        ["2026-11-27 09:00:00", "Acme live", mask_number("447700900123"), f"OK: {ACCEPTED}",
         "0A0000001234ABCD"],
    ]
    assert cells(panel)[1][3].startswith("Problem: Failed: Throttled (status 1)")
    assert cells(panel, Qt.ItemDataRole.ToolTipRole) == cells(panel)
    shown = repr(cells(panel))
    assert "447700900123" not in shown and "447700900456" not in shown
    assert "14155550100" not in shown
    assert status_note(panel) is None


def recipients(panel: HistoryPanel, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole
               ) -> list[str]:
    return [row[COLUMNS.index("Recipients")] for row in cells(panel, role)]


FULL_NUMBERS = ["14155550100", "447700900456", "447700900123"]


def test_full_numbers_are_shown_only_while_asked_for(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    toggle = find(panel, QCheckBox, "Show full numbers")
    assert toggle is panel.full_numbers and not toggle.isChecked()
    assert "screen share" in toggle.toolTip()
    masked = [mask_number(number) for number in FULL_NUMBERS]
    assert recipients(panel) == masked
    with qtbot.waitSignal(panel.table.model().dataChanged, timeout=2000):
        qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert toggle.isChecked()
    assert recipients(panel) == recipients(panel, Qt.ItemDataRole.ToolTipRole) == FULL_NUMBERS
    panel.search.setText("throttled")
    assert recipients(panel) == ["447700900456"]
    panel.search.clear()
    toggle.click()
    assert recipients(panel) == masked


def test_a_refresh_keeps_the_selected_send_and_the_scroll_position(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    for index in range(60):
        history.record([send(f"4477009{index:05d}", f"0E{index:014d}", 0)], "Acme live")
    panel = make_panel(qtbot, CountingOpener(history))
    panel.resize(600, 300)
    show(qtbot, panel)
    table = panel.table
    table.selectRow(40)
    chosen = table.model().index(40, 4).data()
    bar = table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    scrolled = bar.value()
    assert scrolled > 0
    panel.refresh()
    assert [index.row() for index in table.selectionModel().selectedRows()] == [40]
    assert table.currentIndex().row() == 40 and bar.value() == scrolled
    history.record([send("447700900999", "0D00000000000001", 0)], "Acme live")
    panel.refresh()  # the newest send comes first: the chosen one moves down a row
    [selected] = table.selectionModel().selectedRows()
    assert table.model().index(selected.row(), 4).data() == chosen
    assert bar.value() == scrolled


def test_the_result_follows_the_time_and_is_wide_enough_to_read_in_a_narrow_panel(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    panel.resize(420, 300)  # about as wide as the History tab in the window
    show(qtbot, panel)
    header = panel.table.horizontalHeader()
    titles = [panel.table.model().headerData(header.logicalIndex(visual),
                                             Qt.Orientation.Horizontal)
              for visual in range(header.count())]
    assert titles[:2] == ["When (UTC)", "Result"]
    result = titles.index("Result")
    readable = panel.table.fontMetrics().horizontalAdvance("Problem: Failed: Throttled")
    assert panel.table.columnWidth(header.logicalIndex(result)) >= readable
    when = panel.table.fontMetrics().horizontalAdvance("2026-11-27 09:02:00")
    assert panel.table.columnWidth(header.logicalIndex(0)) > when


def test_the_table_is_read_only_and_selects_whole_rows_several_at_a_time(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    table = find(panel, QTableView, "History")
    assert table is panel.table
    assert find(panel, QLineEdit, "Search history") is panel.search
    assert find(panel, QLabel, "History status") is panel.empty
    model = table.model()
    assert [model.headerData(column, Qt.Orientation.Horizontal)
            for column in range(model.columnCount())] == COLUMNS
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert table.selectionMode() == QAbstractItemView.SelectionMode.ExtendedSelection
    assert table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
    assert not table.verticalHeader().isVisible()
    assert table.toolTip().startswith("Click a send to reopen it in the results")
    assert "Delete to delete them" in table.toolTip()


def test_searching_filters_the_list_and_says_when_nothing_matches(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    QTest.keyClicks(panel.search, "throttled")
    assert panel.row_count() == 1
    assert cells(panel)[0][3].startswith("Problem: ")
    panel.search.setText("447700900123")
    assert [row[4] for row in cells(panel)] == ["0A0000001234ABCD"]
    panel.search.setText("nothing like this")
    assert panel.row_count() == 0 and status_note(panel) == NO_MATCHES
    panel.search.clear()
    assert panel.row_count() == len(ids) and status_note(panel) is None


def test_an_empty_history_says_there_are_no_sends_yet(qtbot: QtBot, history: History) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    assert panel.row_count() == 0 and status_note(panel) == NO_SENDS


def test_clicking_a_row_asks_to_reopen_that_send(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    table = panel.table
    where = table.visualRect(table.model().index(1, 0)).center()
    with qtbot.waitSignal(panel.reopen_requested, timeout=2000) as blocker:
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, where)
    assert blocker.args == [ids["throttled"]]


def test_pressing_enter_on_a_row_asks_to_reopen_that_send(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    table = panel.table
    table.setFocus()
    table.setCurrentIndex(table.model().index(2, 0))
    with qtbot.waitSignal(panel.reopen_requested, timeout=2000) as blocker:
        QTest.keyClick(table, Qt.Key.Key_Return)
    assert blocker.args == [ids["accepted"]]


def test_a_refresh_while_hidden_waits_for_the_next_show(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    panel.hide()
    newest = history.record([send("447700900999", "0D00000000000001", 0)], "Acme live")
    panel.refresh()
    assert panel.row_count() == len(ids)
    show(qtbot, panel)
    assert panel.row_count() == len(ids) + 1
    assert cells(panel)[0][4] == "0D00000000000001"
    assert newest > max(ids.values())


def test_a_refresh_while_visible_queries_at_once(
        qtbot: QtBot, history: History, ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    history.record([send("447700900999", "0D00000000000001", 0)], "Acme live")
    panel.refresh()
    assert panel.row_count() == len(ids) + 1


def test_a_history_that_could_not_be_opened_is_shown_as_off(qtbot: QtBot) -> None:
    opener = CountingOpener(None)
    panel = make_panel(qtbot, opener)
    assert opener.calls == 0
    show(qtbot, panel)
    assert status_note(panel) == HISTORY_OFF and panel.row_count() == 0
    QTest.keyClicks(panel.search, "447700")
    panel.refresh()
    assert status_note(panel) == HISTORY_OFF and panel.row_count() == 0
    assert opener.calls == 1


def test_an_empty_model_index_has_no_cells(qtbot: QtBot, history: History,
                                           ids: dict[str, int]) -> None:
    panel = make_panel(qtbot, CountingOpener(history))
    show(qtbot, panel)
    model = panel.table.model()
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is None


def test_importing_the_panel_does_not_load_the_history_database() -> None:
    script = ("import sys, smsgui.ui.history_view\n"
              "print(sorted({'sqlite3', '_sqlite3', 'smsgui.core.records.history'}"
              " & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True,
                          text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "[]\n"
