"""The History tab's actions on the user's own data: delete, clear, keep for a while, export.

A real history database in ``tmp_path``, real widgets and a real thread pool; only the
questions the tab asks are answered by a script (as the window's tests do with its prompter).
"""

from __future__ import annotations

# ruff: noqa: F811 - the history fixture is imported by name, as pytest finds it
import csv
import io
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QThreadPool
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QComboBox, QPushButton, QRadioButton, QWidget
from pytestqt.qtbot import QtBot
from test_history_view import FIRST_SEND, Clock, CountingOpener, history, send  # noqa: F401
from uitools import find

from smsgui.core.privacy import mask_number
from smsgui.core.records import history as history_module
from smsgui.core.records.history import History
from smsgui.core.records.history_export import ExportFormat
from smsgui.ui import history_view
from smsgui.ui.history_view import (
    NO_SENDS,
    ExportChoice,
    ExportDialog,
    HistoryPanel,
    HistoryPrompter,
    clear_question,
)
from smsgui.ui.settings import AppSettings

NUMBERS = {"accepted": "447700900123", "throttled": "447700900456", "sandbox": "14155550100"}
NOT_AFFECTED = "Response files you saved yourself are not affected."
WAIT_MS = 10_000


class ScriptedPrompter(HistoryPrompter):
    """Answers the tab's questions as the test says and remembers what it was asked."""

    def __init__(self) -> None:
        self.answer = True
        self.questions: list[tuple[str, str, str]] = []
        self.errors: list[tuple[str, str, str]] = []
        self.details: list[str] = []
        self.choice: ExportChoice | None = ExportChoice(False, ExportFormat.CSV)
        self.offered: list[tuple[int, int]] = []
        self.path: Path | None = None

    def confirm(self, parent: QWidget, title: str, text: str, action: str) -> bool:
        self.questions.append((title, text, action))
        return self.answer

    def export_choice(self, parent: QWidget, total: int, selected: int) -> ExportChoice | None:
        self.offered.append((total, selected))
        return self.choice

    def export_path(self, parent: QWidget, suggested: str,
                    export_format: ExportFormat) -> Path | None:
        return self.path

    def error(self, parent: QWidget, headline: str, cause: str, next_step: str,
              details: str = "") -> None:
        self.errors.append((headline, cause, next_step))
        self.details.append(details)


@pytest.fixture
def ids(history: History) -> dict[str, int]:
    """Three sends a minute apart from FIRST_SEND, oldest first; their row ids by name."""
    return {
        "accepted": history.record([send(NUMBERS["accepted"], "0A0000001234ABCD", 0)],
                                   "Acme live"),
        "throttled": history.record([send(NUMBERS["throttled"], None, 1)], "Acme live"),
        "sandbox": history.record([send(NUMBERS["sandbox"], "0C00000077778888", 0,
                                        sandbox=True)], "Sandbox (built in)"),
    }


@pytest.fixture
def prompter() -> ScriptedPrompter:
    return ScriptedPrompter()


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    threads = QThreadPool()
    yield threads
    threads.waitForDone(WAIT_MS)


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def make_panel(qtbot: QtBot, history: History | None, prompter: ScriptedPrompter,
               pool: QThreadPool, settings: AppSettings | None = None,
               now: datetime = FIRST_SEND + timedelta(hours=1)) -> HistoryPanel:
    panel = HistoryPanel(CountingOpener(history), settings=settings, pool=pool,
                         prompter=prompter, clock=lambda: now)
    qtbot.addWidget(panel)
    # The Delete key needs the active window; under Xvfb (xcb) that takes a round trip.
    with qtbot.waitActive(panel):
        panel.show()
        panel.activateWindow()
    return panel


def shown_numbers(panel: HistoryPanel) -> list[str]:
    model = panel.table.model()
    return [model.index(row, 2).data() for row in range(model.rowCount())]


def click_row(panel: HistoryPanel, row: int,
              modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Click a row as a person does, holding Ctrl or Shift to select several."""
    table = panel.table
    where = table.visualRect(table.model().index(row, 0)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, where)
    if modifier != Qt.KeyboardModifier.NoModifier:
        # Qt keeps the last event's modifiers as the keyboard's state; let go of the key, or
        # the next selection (in this test or the next) is made as if it were still held.
        QTest.keyRelease(table, Qt.Key.Key_Shift if modifier == Qt.KeyboardModifier.ShiftModifier
                         else Qt.Key.Key_Control)


def select(panel: HistoryPanel, *rows: int) -> None:
    """Select these rows of the list, whatever keys are held."""
    selection = panel.table.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(panel.table.model().index(row, 0), flags)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- delete ---------------------------------------------------------------------------------------

def test_the_selected_sends_are_deleted_once_the_person_agrees(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    delete = find(panel, QPushButton, "Delete selected sends")
    assert delete is panel.delete_button and not delete.isEnabled()
    click_row(panel, 0)  # the newest: sandbox
    click_row(panel, 2, Qt.KeyboardModifier.ControlModifier)  # and the oldest: accepted
    assert delete.isEnabled()
    with qtbot.waitSignal(panel.removed, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    [(title, question, action)] = prompter.questions
    assert (title, action) == ("Delete sends", "Delete")
    assert question.startswith("Delete 2 sends from the history?")
    assert "cannot be undone" in question and NOT_AFFECTED in question
    assert shown_numbers(panel) == [mask_number(NUMBERS["throttled"])]
    assert [row.id for row in history.search()] == [ids["throttled"]]
    assert panel.activity.text() == "Deleted 2 sends." and not delete.isEnabled()


def test_nothing_is_deleted_when_the_person_says_no(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    prompter.answer = False
    click_row(panel, 1)
    panel.delete_button.click()
    assert len(prompter.questions) == 1 and not panel.busy()
    assert history.count() == 3 and panel.row_count() == 3


def test_the_delete_key_deletes_the_selection_after_asking(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    panel.table.setFocus()
    select(panel, 1)
    with qtbot.waitSignal(panel.removed, timeout=WAIT_MS) as blocker:
        QTest.keyClick(panel.table, Qt.Key.Key_Delete)
    assert blocker.args == [1]
    assert prompter.questions[0][1].startswith("Delete 1 send from the history?")
    assert sorted(row.id for row in history.search()) == [ids["accepted"], ids["sandbox"]]


def test_the_delete_key_in_the_search_field_deletes_no_send(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    select(panel, 1)
    QTest.keyClicks(panel.search, "44")
    QTest.keyClick(panel.search, Qt.Key.Key_Home)
    QTest.keyClick(panel.search, Qt.Key.Key_Delete)
    assert panel.search.text() == "4" and prompter.questions == []
    assert history.count() == 3


def test_clicking_with_several_selected_reopens_nothing(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    reopened: list[int] = []
    panel.reopen_requested.connect(reopened.append)
    click_row(panel, 0)
    click_row(panel, 1, Qt.KeyboardModifier.ShiftModifier)
    assert reopened == [ids["sandbox"]]
    assert len(panel.table.selectionModel().selectedRows()) == 2


def test_a_locked_history_says_why_nothing_was_deleted(
        qtbot: QtBot, tmp_path: Path, prompter: ScriptedPrompter, pool: QThreadPool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.setattr(history_module, "_BUSY_TIMEOUT_S", 0.1)
    path = tmp_path / "locked.sqlite3"
    with History(path) as history:
        history.record([send(NUMBERS["accepted"], "0A0000001234ABCD", 0)], "Acme live")
        panel = make_panel(qtbot, history, prompter, pool)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program is writing
        try:
            select(panel, 0)
            panel.delete_button.click()
            qtbot.waitUntil(lambda: bool(prompter.errors), timeout=WAIT_MS)
        finally:
            other.execute("ROLLBACK")
            other.close()
        [(headline, cause, next_step)] = prompter.errors
        assert headline == "The sends were not deleted from the history."
        assert cause == "Another program is using the history database, so it is locked."
        assert next_step.startswith("Close any other smsgui window")
        assert "database is locked" in prompter.details[0]
        assert history.count() == 1 and panel.row_count() == 1
        qtbot.waitUntil(lambda: not panel.busy() and panel.delete_button.isEnabled())


# -- clear ----------------------------------------------------------------------------------------

def test_clearing_says_exactly_what_is_lost_then_empties_the_history(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    panel.search.setText("throttled")  # the list shows one send; all three go
    assert panel.row_count() == 1
    clear = find(panel, QPushButton, "Clear history")
    with qtbot.waitSignal(panel.removed, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert blocker.args == [3]
    [(title, question, action)] = prompter.questions
    assert (title, action) == ("Clear history", "Clear history")
    assert question.startswith("Delete all 3 sends in the history, including any the search "
                               "is not showing?")
    assert "This cannot be undone." in question and NOT_AFFECTED in question
    assert "export the history first" in question
    panel.search.clear()
    assert history.count() == 0 and panel.row_count() == 0
    assert panel.empty.text() == NO_SENDS


def test_clearing_an_empty_history_asks_nothing(
        qtbot: QtBot, history: History, prompter: ScriptedPrompter, pool: QThreadPool) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    panel.clear_button.click()
    assert prompter.questions == [] and panel.activity.text() == "The history is already empty."


def test_without_a_history_there_is_nothing_to_delete_clear_or_export(
        qtbot: QtBot, prompter: ScriptedPrompter, pool: QThreadPool) -> None:
    panel = make_panel(qtbot, None, prompter, pool)
    for button in (panel.delete_button, panel.clear_button, panel.export_button):
        assert not button.isEnabled()


# -- export ---------------------------------------------------------------------------------------

def test_the_whole_history_is_exported_masked_and_for_its_owner_only(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, tmp_path: Path) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    prompter.path = tmp_path / "sends"  # no extension typed: the format's is added
    select(panel, 0)
    with qtbot.waitSignal(panel.exported, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(find(panel, QPushButton, "Export history"), Qt.MouseButton.LeftButton)
    assert blocker.args == [3] and prompter.offered == [(3, 1)]
    written = tmp_path / "sends.csv"
    raw = written.read_bytes()
    assert [number for number in NUMBERS.values() if number.encode() in raw] == []
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [line["recipients"] for line in table] == [
        mask_number(NUMBERS[name]) for name in ("sandbox", "throttled", "accepted")]
    if os.name == "posix":
        assert mode(written) == 0o600
    assert panel.activity.text() == "Exported 3 sends to sends.csv (numbers masked)."


def test_the_selection_is_exported_with_full_numbers_when_asked(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, tmp_path: Path) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    prompter.choice = ExportChoice(True, ExportFormat.JSON, full_numbers=True)
    prompter.path = tmp_path / "chosen.json"
    click_row(panel, 0)
    click_row(panel, 1, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(panel.exported, timeout=WAIT_MS):
        panel.export_button.click()
    data = json.loads(prompter.path.read_text(encoding="utf-8"))
    assert data["numbers"] == "full"
    assert [send["recipients"] for send in data["sends"]] == [[NUMBERS["sandbox"]],
                                                              [NUMBERS["throttled"]]]
    assert panel.activity.text() == "Exported 2 sends to chosen.json (full numbers)."


def test_an_export_that_cannot_be_written_says_why_and_what_to_do(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, tmp_path: Path) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    prompter.path = tmp_path / "no such folder" / "sends.csv"
    panel.export_button.click()
    qtbot.waitUntil(lambda: bool(prompter.errors), timeout=WAIT_MS)
    assert prompter.errors == [(
        "The history was not exported to sends.csv.",
        f"The folder {prompter.path.parent} does not exist (any more).",
        "Choose another folder and export again.")]
    assert not prompter.path.parent.exists()


def test_an_export_cancelled_writes_nothing(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, tmp_path: Path) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    prompter.choice = None
    panel.export_button.click()
    prompter.choice = ExportChoice(False, ExportFormat.CSV)
    prompter.path = None  # the file dialog cancelled
    panel.export_button.click()
    assert not panel.busy() and sorted(path.name for path in tmp_path.glob("*.csv")) == []


def test_the_export_dialog_offers_the_selection_and_masks_by_default(qtbot: QtBot) -> None:
    dialog = ExportDialog(total=1234, selected=2)
    qtbot.addWidget(dialog)
    everything = find(dialog, QRadioButton, "Export the whole history")
    selection = find(dialog, QRadioButton, "Export the selected sends")
    full = find(dialog, QCheckBox, "Export full numbers")
    assert everything.text() == "&All 1,234 sends in the history"
    assert selection.text() == "The 2 sends &selected" and selection.isChecked()
    assert not full.isChecked()
    assert dialog.choice() == ExportChoice(True, ExportFormat.CSV, full_numbers=False)
    everything.click()
    full.click()
    file_format = find(dialog, QComboBox, "Export format")
    file_format.setCurrentIndex(1)
    assert dialog.choice() == ExportChoice(False, ExportFormat.JSON, full_numbers=True)
    nothing_selected = ExportDialog(total=3, selected=0)
    qtbot.addWidget(nothing_selected)
    assert not nothing_selected.selection.isEnabled()
    assert nothing_selected.everything.isChecked()


# -- keep sends for a while ---------------------------------------------------------------------

A_MONTH_LATER = FIRST_SEND + timedelta(days=30, seconds=90)  # the first two sends are older


def test_choosing_a_retention_period_asks_then_deletes_the_older_sends(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, settings: AppSettings) -> None:
    panel = make_panel(qtbot, history, prompter, pool, settings, now=A_MONTH_LATER)
    keep = find(panel, QComboBox, "Keep sends")
    assert keep.currentText() == "Forever" and settings.history_retention_days is None
    assert [keep.itemText(index) for index in range(keep.count())] == [
        "Forever", "30 days", "90 days", "365 days"]
    with qtbot.waitSignal(panel.removed, timeout=WAIT_MS) as blocker:
        keep.setCurrentIndex(keep.findText("30 days"))
    assert blocker.args == [2]
    [(_, question, action)] = prompter.questions
    assert action == "Delete old sends"
    assert question.startswith("Keep sends for 30 days only?\n\n2 sends older than 30 days "
                               "(made before 2026-11-27 09:01 UTC) will be deleted now")
    assert "cannot be undone" in question and NOT_AFFECTED in question
    assert settings.history_retention_days == 30
    assert [row.id for row in history.search()] == [ids["sandbox"]]
    assert panel.activity.text() == "Deleted 2 sends older than 30 days."


def test_a_retention_period_refused_changes_nothing(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, settings: AppSettings) -> None:
    panel = make_panel(qtbot, history, prompter, pool, settings, now=A_MONTH_LATER)
    prompter.answer = False
    panel.retention.setCurrentIndex(panel.retention.findData(30))
    assert panel.retention.currentText() == "Forever" and not panel.busy()
    assert settings.history_retention_days is None and history.count() == 3


def test_a_retention_period_that_deletes_nothing_now_asks_nothing(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, settings: AppSettings) -> None:
    panel = make_panel(qtbot, history, prompter, pool, settings, now=A_MONTH_LATER)
    panel.retention.setCurrentIndex(panel.retention.findData(365))
    qtbot.waitUntil(lambda: not panel.busy(), timeout=WAIT_MS)
    assert prompter.questions == [] and settings.history_retention_days == 365
    panel.retention.setCurrentIndex(panel.retention.findData(None))
    assert settings.history_retention_days is None and history.count() == 3


def test_the_retention_period_is_applied_at_start_without_asking_again(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, settings: AppSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_view, "RETENTION_START_DELAY_MS", 50)
    settings.history_retention_days = 30
    opener = CountingOpener(history)
    panel = HistoryPanel(opener, settings=settings, pool=pool, prompter=prompter,
                         clock=lambda: A_MONTH_LATER)
    qtbot.addWidget(panel)  # never shown: the History tab is not the one open at start
    assert opener.calls == 0 and panel.retention.currentText() == "30 days"
    with qtbot.waitSignal(panel.removed, timeout=WAIT_MS) as blocker:
        pass
    assert blocker.args == [2] and prompter.questions == [] and opener.calls == 1
    assert [row.id for row in history.search()] == [ids["sandbox"]]


def test_the_retention_period_is_applied_again_once_a_day(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, settings: AppSettings) -> None:
    settings.history_retention_days = 30
    now = [A_MONTH_LATER]
    panel = HistoryPanel(CountingOpener(history), settings=settings, pool=pool,
                         prompter=prompter, clock=lambda: now[0])
    qtbot.addWidget(panel)
    timer = panel._retention_timer
    assert timer.isActive() and timer.interval() <= timedelta(days=1) / timedelta(
        milliseconds=1)
    with qtbot.waitSignal(panel.removed, timeout=WAIT_MS):
        assert panel.apply_retention()
    now[0] += timedelta(hours=23)
    assert not panel.apply_retention()  # not a day yet
    now[0] += timedelta(hours=1)
    with qtbot.waitSignal(panel.removed, timeout=WAIT_MS) as blocker:
        timer.timeout.emit()
    assert blocker.args == [1] and history.count() == 0


def test_quitting_stops_a_retention_prune_after_its_batch_and_the_next_start_goes_on(
        qtbot: QtBot, tmp_path: Path, prompter: ScriptedPrompter, pool: QThreadPool,
        settings: AppSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.setattr(history_module, "_DELETE_BATCH", 1)
    settings.history_retention_days = 30
    path = tmp_path / "busy.sqlite3"
    with History(path, clock=Clock(), timezone=UTC) as history:
        for number in ("447700900001", "447700900002", "447700900003"):
            history.record([send(number, None, 1)], "Acme live")
        panel = HistoryPanel(CountingOpener(history), settings=settings, pool=pool,
                             prompter=prompter, clock=lambda: A_MONTH_LATER)
        qtbot.addWidget(panel)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # holds the prune at its first batch
        try:
            assert panel.apply_retention()
            panel.wind_down()  # the window is closing
        finally:
            other.execute("ROLLBACK")
            other.close()
        with qtbot.waitSignal(panel.removed, timeout=WAIT_MS) as blocker:
            pass
        assert blocker.args == [1] and history.count() == 2
        assert not panel.apply_retention(), "nothing new starts while quitting"
        next_start = HistoryPanel(CountingOpener(history), settings=settings, pool=pool,
                                  prompter=prompter, clock=lambda: A_MONTH_LATER)
        qtbot.addWidget(next_start)
        with qtbot.waitSignal(next_start.removed, timeout=WAIT_MS) as blocker:
            assert next_start.apply_retention()
        assert blocker.args == [1] and history.count() == 1 and prompter.questions == []


def test_without_settings_there_is_no_retention_choice(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool) -> None:
    panel = make_panel(qtbot, history, prompter, pool)
    assert not panel.retention.isVisible() and not panel.apply_retention()


# -- the setting itself ---------------------------------------------------------------------------

def test_the_retention_setting_keeps_everything_unless_told_and_survives_a_restart(
        tmp_path: Path, settings: AppSettings) -> None:
    assert settings.history_retention_days is None
    settings.history_retention_days = 90
    settings.sync()
    again = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert again.history_retention_days == 90
    again.history_retention_days = None
    assert again.history_retention_days is None
    with pytest.raises(ValueError, match="not 7"):
        again.history_retention_days = 7


@pytest.mark.parametrize("stored", ["7", "-30", "thirty", ""])
def test_a_damaged_retention_setting_keeps_every_send(tmp_path: Path, stored: str) -> None:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    store.setValue("history/retention_days", stored)
    assert AppSettings(store).history_retention_days is None


# -- reachable by keyboard and screen reader -----------------------------------------------------

def test_every_new_control_has_a_name_and_a_key(
        qtbot: QtBot, history: History, ids: dict[str, int], prompter: ScriptedPrompter,
        pool: QThreadPool, settings: AppSettings) -> None:
    panel = make_panel(qtbot, history, prompter, pool, settings)
    for name, text in (("Delete selected sends", "De&lete"),
                       ("Clear history", "Clear h&istory..."), ("Export history", "E&xport...")):
        button = find(panel, QPushButton, name)
        assert button.text() == text and button.toolTip()
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    keep = find(panel, QComboBox, "Keep sends")
    assert keep.isVisible() and keep.toolTip()
    buddies = [label.buddy() for label in panel.findChildren(history_view.QLabel)]
    assert keep in buddies


def test_the_clear_question_names_damaged_copies_it_removes_too() -> None:
    assert "damaged" not in clear_question(3)
    assert "with the 1 damaged copy of the history set aside earlier" in clear_question(3, 1)
    assert "with the 2 damaged copies" in clear_question(3, 2)
