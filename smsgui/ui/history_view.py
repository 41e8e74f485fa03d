"""The history list: every send, searchable, reopened with one click, and the user's to remove.

The history database is opened and queried only when the list is first shown, so that the app
starts without it; a model formats only the cells Qt paints, so a long list never stalls.
Recipient numbers are masked unless the person asks to see them in full, so the list can be
shown on a screen share.

The sends are the user's data: Delete removes the selected ones, "Clear history..." all of them,
the retention choice ("Keep sends") removes those older than 30, 90 or 365 days at start and
once a day, and "Export..." writes the whole history or the selection as CSV or JSON, numbers
masked unless asked for. Removing and exporting run on the thread pool: the history does that
work in short steps, so the list stays usable meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.api.profiles import SANDBOX_MESSAGES_PROFILE_NAME
from smsgui.core.privacy import mask_number
from smsgui.ui.settings import HISTORY_RETENTION_DAYS
from smsgui.ui.workers import CallJob, JobFailure

if TYPE_CHECKING:
    from smsgui.core.records.history import History, HistoryRow
    from smsgui.core.records.history_export import ExportFormat
    from smsgui.ui.settings import AppSettings

logger = logging.getLogger(__name__)

HISTORY_OFF = "History is off: its database could not be opened."
NO_SENDS = "No sends yet."
NO_MATCHES = "Nothing in the history matches."
NOT_AFFECTED = "Response files you saved yourself are not affected."
RETENTION_START_DELAY_MS = 3_000
"""How long after the panel is made the retention is first applied: after the first frame."""
RETENTION_CHECK_MS = 60 * 60 * 1000
"""How often the panel looks whether a day has passed since the retention was last applied."""
_A_DAY = timedelta(days=1)
_TRY_AGAIN = "Try again. If it keeps failing, restart smsgui."

_Index = QModelIndex | QPersistentModelIndex


def _when(row: HistoryRow) -> str:
    return row.sent_at.strftime("%Y-%m-%d %H:%M:%S")


def _profile(row: HistoryRow) -> str:
    return row.profile + (" (sandbox)" if row.sandbox else "")


def _masked_recipients(row: HistoryRow) -> str:
    return ", ".join(mask_number(number) for number in row.recipients)


def _full_recipients(row: HistoryRow) -> str:
    return ", ".join(row.recipients)


def _result(row: HistoryRow) -> str:
    return ("OK: " if row.ok else "Problem: ") + row.headline


def _message_ids(row: HistoryRow) -> str:
    return ", ".join(row.message_ids) or "-"


_COLUMNS: tuple[tuple[str, Callable[[HistoryRow], str]], ...] = (
    ("When (UTC)", _when),
    ("Profile", _profile),
    ("Recipients", _masked_recipients),
    ("Result", _result),
    ("Message IDs", _message_ids),
)
# Each column starts as wide as a typical value; the last takes what is left, and the list
# scrolls sideways in a narrow window rather than squeezing a column to nothing.
_TYPICAL_VALUES = ("0000-00-00 00:00:00", SANDBOX_MESSAGES_PROFILE_NAME,
                   mask_number("447700900123"), "Problem: Non-Whitelisted Destination")
_RECIPIENTS_COLUMN = 2
_RESULT_COLUMN = 3
_CELL_PADDING = 16
_CELL_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)


class HistoryModel(QAbstractTableModel):
    """Read-only rows of the history; a cell's text is made when Qt asks for it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[HistoryRow] = []
        self._full_numbers = False

    def set_rows(self, rows: Sequence[HistoryRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_full_numbers(self, shown: bool) -> None:
        """Show recipient numbers in full (True) or masked (False, the default)."""
        if shown == self._full_numbers:
            return
        self._full_numbers = shown
        if self._rows:
            self.dataChanged.emit(self.index(0, _RECIPIENTS_COLUMN),
                                  self.index(len(self._rows) - 1, _RECIPIENTS_COLUMN),
                                  list(_CELL_ROLES))

    def row_id(self, row: int) -> int:
        """The history row id of the send shown in ``row``."""
        return self._rows[row].id

    def position(self, row_id: int) -> int | None:
        """The row showing the send with history row id ``row_id``, if it is shown."""
        return next((row for row, shown in enumerate(self._rows) if shown.id == row_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(_COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role not in _CELL_ROLES or not index.isValid():
            return None
        row = self._rows[index.row()]
        if index.column() == _RECIPIENTS_COLUMN and self._full_numbers:
            return _full_recipients(row)
        _, cell_text = _COLUMNS[index.column()]
        return cell_text(row)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return _COLUMNS[section][0]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _sends(count: int) -> str:
    return f"{count:,} send" + ("" if count == 1 else "s")


def delete_question(count: int) -> str:
    """What the person is asked before the selected sends are deleted."""
    them = "its" if count == 1 else "their"
    return (f"Delete {_sends(count)} from the history?\n\nThe recipients' numbers, the message "
            f"IDs, the results and {them} stored responses are removed from this computer. "
            f"This cannot be undone. {NOT_AFFECTED}")


def clear_question(count: int, damaged_copies: int = 0) -> str:
    """What the person is asked before the whole history is cleared."""
    copies = (f", with the {damaged_copies} damaged cop{'y' if damaged_copies == 1 else 'ies'} "
              "of the history set aside earlier" if damaged_copies else "")
    return (f"Delete all {_sends(count)} in the history, including any the search is not "
            "showing?\n\nEvery recipient's number, every message ID and result and every stored "
            f"response is removed from this computer{copies}. This cannot be undone. "
            f"{NOT_AFFECTED} To keep a copy, export the history first.")


def retention_question(days: int, count: int, cutoff: datetime) -> str:
    """What the person is asked before a retention period deletes sends at once."""
    return (f"Keep sends for {days} days only?\n\n{_sends(count)} older than {days} days (made "
            f"before {cutoff:%Y-%m-%d %H:%M} UTC) will be deleted now, and from now on every "
            f"send once it is {days} days old. This cannot be undone. {NOT_AFFECTED}")


@dataclass(frozen=True)
class ExportChoice:
    """What to export and how, as chosen in the export dialog."""

    selected_only: bool
    export_format: ExportFormat
    full_numbers: bool = False


class HistoryPrompter:
    """Every question the history tab asks a person; tests replace it with scripted answers."""

    def confirm(self, parent: QWidget, title: str, text: str, action: str) -> bool:
        """Ask before something that cannot be undone; ``action`` names the button that does
        it. Cancel is the default button."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
        go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.exec()
        return box.clickedButton() is go

    def export_choice(self, parent: QWidget, total: int, selected: int) -> ExportChoice | None:
        dialog = ExportDialog(total, selected, parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def export_path(self, parent: QWidget, suggested: str,
                    export_format: ExportFormat) -> Path | None:
        kind = "CSV files (*.csv)" if export_format.value == "csv" else "JSON files (*.json)"
        path, _ = QFileDialog.getSaveFileName(parent, "Export history", suggested,
                                              f"{kind};;All files (*)")
        return Path(path) if path else None

    def error(self, parent: QWidget, headline: str, cause: str, next_step: str,
              details: str = "") -> None:
        from smsgui.ui.errors import ErrorDialog

        ErrorDialog(headline, cause, next_step, details, parent).open()


class ExportDialog(QDialog):
    """Export the whole history or the selection, as CSV or JSON, numbers masked or not."""

    def __init__(self, total: int, selected: int, parent: QWidget | None = None) -> None:
        from smsgui.core.records.history_export import ExportFormat

        super().__init__(parent)
        self.setWindowTitle("Export history")
        self.everything = QRadioButton(f"&All {_sends(total)} in the history")
        self.everything.setAccessibleName("Export the whole history")
        self.selection = QRadioButton(f"The {_sends(selected)} &selected")
        self.selection.setAccessibleName("Export the selected sends")
        self.selection.setEnabled(selected > 0)
        (self.selection if selected else self.everything).setChecked(True)
        self.file_format = QComboBox()
        self.file_format.setAccessibleName("Export format")
        self.file_format.addItem("CSV, for spreadsheets", ExportFormat.CSV)
        self.file_format.addItem("JSON, for programs", ExportFormat.JSON)
        self.full_numbers = QCheckBox("Include &full phone numbers")
        self.full_numbers.setAccessibleName("Export full numbers")
        self.full_numbers.setToolTip("Numbers are masked (447******123) unless this is ticked")
        self._build_layout()

    def choice(self) -> ExportChoice:
        from smsgui.core.records.history_export import ExportFormat

        return ExportChoice(selected_only=self.selection.isChecked(),
                            export_format=ExportFormat(self.file_format.currentData()),
                            full_numbers=self.full_numbers.isChecked())

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.everything)
        layout.addWidget(self.selection)
        format_row = QHBoxLayout()
        label = QLabel("&Format:")
        label.setBuddy(self.file_format)
        format_row.addWidget(label)
        format_row.addWidget(self.file_format, 1)
        layout.addLayout(format_row)
        layout.addWidget(self.full_numbers)
        note = QLabel("Phone numbers are masked unless you tick the box above. Requests, "
                      "message texts and secrets are never exported.")
        note.setWordWrap(True)
        note.setAccessibleName("What an export holds")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Export...")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class HistoryPanel(QWidget):
    """Search by number, message-id, status or date; activate a row to reopen that send.

    Args:
        open_history: opens the history database, or gives None when it cannot be opened;
            called once, when the panel is first shown (or the retention is first applied).
        parent: the owning widget.
        settings: where the retention period is kept; without it the panel offers none and
            applies none.
        pool: where deleting, pruning and exporting run; the global pool when None.
        prompter: asks the person questions; tests pass scripted answers.
        clock: the time now, for the retention period.
    """

    reopen_requested = Signal(int)
    removed = Signal(int)  # how many sends were deleted, cleared or pruned
    exported = Signal(int)  # how many sends were exported

    def __init__(self, open_history: Callable[[], History | None],  # noqa: PLR0913
                 parent: QWidget | None = None, *, settings: AppSettings | None = None,
                 pool: QThreadPool | None = None, prompter: HistoryPrompter | None = None,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        super().__init__(parent)
        self._open_history: Callable[[], History | None] | None = open_history
        self._history: History | None = None
        self._stale = True
        self._settings = settings
        self._pool = pool if pool is not None else QThreadPool.globalInstance()
        self.prompter = prompter or HistoryPrompter()
        self._clock = clock
        self._jobs: list[CallJob] = []
        self._quitting = threading.Event()
        self._retention_applied: datetime | None = None
        self._model = HistoryModel(self)
        self.search = self._make_search_field()
        self.full_numbers = self._make_full_numbers_toggle()
        self.table = self._make_table()
        self.empty = QLabel()
        self.empty.setAccessibleName("History status")
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.activity = QLabel()
        self.activity.setAccessibleName("History activity")
        self.activity.setWordWrap(True)
        self.delete_button = self._button("De&lete", "Delete selected sends",
                                          "Delete the selected sends from the history (Delete)",
                                          self.delete_selected)
        self.clear_button = self._button("Clear h&istory...", "Clear history",
                                         "Delete every send from the history",
                                         self.clear_all)
        self.export_button = self._button("E&xport...", "Export history",
                                          "Save the history or the selected sends as CSV or "
                                          "JSON, numbers masked", self.export)
        self.retention = self._make_retention_choice()
        self._build_layout()
        self._make_delete_key()
        self._update_actions()
        if settings is not None:
            self._start_retention()

    def row_count(self) -> int:
        """How many sends the list shows."""
        return self._model.rowCount()

    def busy(self) -> bool:
        """True while sends are being deleted or exported."""
        return bool(self._jobs)

    def wind_down(self) -> None:
        """The app is quitting: a retention prune stops after its current batch (the next
        start takes the rest); deleting chosen sends and exporting are finished."""
        self._quitting.set()

    def refresh(self) -> None:
        """Query the history again now if the list is visible, else when it is next shown.

        The selected send stays selected and the list stays where it was scrolled to.
        """
        self._stale = True
        if self.isVisible():
            self._reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._reload()

    # Deleting, clearing, keeping for a while, exporting.

    def delete_selected(self) -> None:
        """Delete the selected sends, once the person confirms."""
        history = self._opened_history()
        ids = self._selected_row_ids()
        if history is None or not ids or self.busy():
            return
        if not self.prompter.confirm(self, "Delete sends", delete_question(len(ids)),
                                     "Delete"):
            return
        self._start(lambda: history.delete(ids), self._on_removed,
                    f"Deleting {_sends(len(ids))}...")

    def clear_all(self) -> None:
        """Delete every send, once the person confirms knowing how many."""
        history = self._opened_history()
        if history is None or self.busy():
            return
        count = history.count()
        if count == 0:
            self._say("The history is already empty.")
            return
        copies = sum(1 for copy in history.damaged_copies()
                     if not copy.name.endswith(("-wal", "-shm", "-journal")))
        if not self.prompter.confirm(self, "Clear history", clear_question(count, copies),
                                     "Clear history"):
            return
        self._start(history.clear, self._on_removed, f"Deleting {_sends(count)}...")

    def export(self) -> None:
        """Ask what to export and where, then write the file."""
        from smsgui.core.records.history_export import save_export, suggested_name

        history = self._opened_history()
        if history is None or self.busy():
            return
        ids = self._selected_row_ids()
        choice = self.prompter.export_choice(self, history.count(), len(ids))
        if choice is None:
            return
        extension = f".{choice.export_format.value}"
        path = self.prompter.export_path(self, suggested_name(choice.export_format),
                                         choice.export_format)
        if path is None:
            return
        path = path if path.suffix else path.with_name(path.name + extension)

        def write() -> int:
            rows = history.rows(ids if choice.selected_only else None)
            save_export(rows, path, choice.export_format, full_numbers=choice.full_numbers)
            return len(rows)

        self._start(write, lambda result: self._on_exported(result, path, choice),
                    f"Exporting to {path.name}...")

    def apply_retention(self) -> bool:
        """Remove the sends older than the retention period, unless that was done less than a
        day ago; True when it started. Runs at start and then once a day."""
        days = self._settings.history_retention_days if self._settings else None
        now = self._clock()
        if days is None or self.busy() or self._quitting.is_set() or (
                self._retention_applied is not None and now - self._retention_applied < _A_DAY):
            return False
        history = self._opened_history()
        if history is None:
            return False
        self._retention_applied = now
        cutoff = now - timedelta(days=days)
        self._start(lambda: history.prune(cutoff, stop=self._quitting.is_set),
                    lambda result: self._on_removed(result, f" older than {days} days"), "")
        return True

    def _start_retention(self) -> None:
        QTimer.singleShot(RETENTION_START_DELAY_MS, self, self.apply_retention)
        self._retention_timer = QTimer(self)
        self._retention_timer.setInterval(RETENTION_CHECK_MS)
        self._retention_timer.timeout.connect(self.apply_retention)
        self._retention_timer.start()

    def _on_retention_chosen(self) -> None:
        settings = self._settings
        days: int | None = self.retention.currentData()
        if settings is None or days == settings.history_retention_days:
            return
        if days is not None and not self._may_prune(days):
            _choose_quietly(self.retention, settings.history_retention_days)
            return
        settings.history_retention_days = days
        self._retention_applied = None
        self.apply_retention()

    def _may_prune(self, days: int) -> bool:
        """True when keeping sends for ``days`` deletes none now, or the person agrees."""
        history = self._opened_history()
        if history is None:
            return True
        cutoff = self._clock() - timedelta(days=days)
        count = history.count(before=cutoff)
        return count == 0 or self.prompter.confirm(
            self, "Keep sends for a while only", retention_question(days, count, cutoff),
            "Delete old sends")

    def _start(self, work: Callable[[], object], done: Callable[[object], None],
               note: str) -> None:
        """Run ``work`` on the pool; ``done`` gets its value, or the HistoryError or
        ExportError it raised, on the UI thread."""
        job = CallJob(lambda: _value_or_error(work))
        self._jobs.append(job)

        def finished(result: object) -> None:
            self._jobs.remove(job)
            self._update_actions()
            done(result)

        job.signals.finished.connect(finished)
        if note:
            self._say(note)
        self._update_actions()
        self._pool.start(job)

    def _on_removed(self, result: object, which: str = "") -> None:
        from smsgui.core.records.history import TidyError

        self.refresh()  # a batch deleted before an error stays deleted
        if isinstance(result, int):
            if result:
                self._say(f"Deleted {_sends(result)}{which}.")
            self.removed.emit(result)
        elif isinstance(result, TidyError):
            self._report(result, f"Deleted {_sends(result.removed)}{which}, but copies may "
                         "remain in the history file until smsgui next deletes sends.")
            self.removed.emit(result.removed)
        else:
            self._report(result, "The sends were not deleted from the history.")

    def _on_exported(self, result: object, path: Path, choice: ExportChoice) -> None:
        if isinstance(result, int):
            numbers = "full numbers" if choice.full_numbers else "numbers masked"
            self._say(f"Exported {_sends(result)} to {path.name} ({numbers}).")
            self.exported.emit(result)
            return
        self._report(result, f"The history was not exported to {path.name}.")

    def _report(self, result: object, headline: str) -> None:
        """Tell the person what failed: headline, cause, next step; the details to copy."""
        from smsgui.core.records.history import HistoryError
        from smsgui.core.records.history_export import ExportError

        self._say("")
        if isinstance(result, HistoryError | ExportError):
            self.prompter.error(self, headline, result.cause or str(result),
                                result.next_step or _TRY_AGAIN, str(result))
            return
        failure = result if isinstance(result, JobFailure) else JobFailure(
            "Something went wrong inside smsgui.", repr(result))
        self.prompter.error(self, failure.headline, "Something inside smsgui failed.",
                            _TRY_AGAIN, failure.detail)

    def _say(self, note: str) -> None:
        self.activity.setText(note)
        self.activity.setVisible(bool(note))

    def _update_actions(self) -> None:
        idle = not self.busy()
        opened = self._history is not None or self._open_history is not None
        self.delete_button.setEnabled(idle and opened and self._has_selection())
        self.clear_button.setEnabled(idle and opened)
        self.export_button.setEnabled(idle and opened)
        self.retention.setEnabled(idle)

    # Building the panel.

    def _button(self, text: str, name: str, tip: str, clicked: Callable[[], None]
                ) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.clicked.connect(clicked)
        return button

    def _make_retention_choice(self) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName("Keep sends")
        combo.setToolTip("Sends older than this are deleted from the history, at start and "
                         "once a day")
        combo.addItem("Forever", None)
        for days in HISTORY_RETENTION_DAYS:
            combo.addItem(f"{days} days", days)
        if self._settings is not None:
            _choose_quietly(combo, self._settings.history_retention_days)
        combo.currentIndexChanged.connect(self._on_retention_chosen)
        return combo

    def _build_layout(self) -> None:
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.full_numbers)
        actions = QHBoxLayout()
        for button in (self.delete_button, self.clear_button, self.export_button):
            actions.addWidget(button)
        actions.addStretch(1)
        keep = QHBoxLayout()
        label = QLabel("&Keep sends:")
        label.setBuddy(self.retention)
        keep.addWidget(label)
        keep.addWidget(self.retention)
        keep.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addLayout(actions)
        if self._settings is not None:
            layout.addLayout(keep)
        else:
            label.hide()
            self.retention.hide()
        layout.addWidget(self.activity)
        self.activity.hide()

    def _make_delete_key(self) -> None:
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.delete_selected)

    def _make_search_field(self) -> QLineEdit:
        search = QLineEdit()
        search.setPlaceholderText("Search by number, message ID, status or date")
        search.setAccessibleName("Search history")
        search.setClearButtonEnabled(True)
        search.textChanged.connect(self.refresh)
        return search

    def _make_full_numbers_toggle(self) -> QCheckBox:
        toggle = QCheckBox("Show f&ull numbers")
        toggle.setAccessibleName("Show full numbers")
        toggle.setToolTip("Recipient numbers are masked so the list can be shown on a screen "
                          "share; tick to see them in full")
        toggle.toggled.connect(self._model.set_full_numbers)
        return toggle

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self._model)
        table.setAccessibleName("History")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        header.moveSection(_RESULT_COLUMN, 1)  # what happened, right after when
        metrics = table.fontMetrics()
        for column, value in enumerate(_TYPICAL_VALUES):
            table.setColumnWidth(column, metrics.horizontalAdvance(value) + _CELL_PADDING)
        table.setToolTip("Click a send to reopen it in the results; Ctrl or Shift and click "
                         "to select several, Delete to delete them")
        table.clicked.connect(self._on_row_activated)
        table.activated.connect(self._on_row_activated)
        table.selectionModel().selectionChanged.connect(self._update_actions)
        return table

    # Reading the history.

    def _opened_history(self) -> History | None:
        if self._open_history is not None:
            self._history = self._open_history()
            self._open_history = None
        return self._history

    def _reload(self) -> None:
        self._stale = False
        history = self._opened_history()
        if history is None:
            self._show([], HISTORY_OFF)
            self._update_actions()
            return
        query = self.search.text()
        rows = history.search(query)
        self._show(rows, "" if rows else (NO_MATCHES if query else NO_SENDS))

    def _show(self, rows: Sequence[HistoryRow], note: str) -> None:
        selected = self._selected_row_ids()
        current = self._current_row_id()
        scrolled = self.table.verticalScrollBar().value()
        self._model.set_rows(rows)
        self._select(selected, current)
        self.table.verticalScrollBar().setValue(scrolled)  # selecting scrolled to the row
        self.empty.setText(note)
        self.empty.setVisible(bool(note))
        self._update_actions()

    def _has_selection(self) -> bool:
        selection = self.table.selectionModel()
        return selection is not None and selection.hasSelection()

    def _selected_row_ids(self) -> list[int]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self._model.row_id(row) for row in rows]

    def _current_row_id(self) -> int | None:
        index = self.table.currentIndex()
        return self._model.row_id(index.row()) if index.isValid() else None

    def _select(self, row_ids: Sequence[int], current: int | None) -> None:
        """Select the rows showing ``row_ids`` (those still shown), ``current`` the current."""
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        for row_id in row_ids:
            row = self._model.position(row_id)
            if row is not None:
                selection.select(self._model.index(row, 0), flags.Select | flags.Rows)
        row = self._model.position(current) if current is not None else None
        if row is not None:
            selection.setCurrentIndex(self._model.index(row, 0), flags.NoUpdate)

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid() and not self._multiple_selected():
            self.reopen_requested.emit(self._model.row_id(index.row()))

    def _multiple_selected(self) -> bool:
        return len(self.table.selectionModel().selectedRows()) > 1


def _choose_quietly(combo: QComboBox, days: int | None) -> None:
    """Show ``days`` in the retention choice without acting on it."""
    blocked = combo.blockSignals(True)
    combo.setCurrentIndex(max(combo.findData(days), 0))
    combo.blockSignals(blocked)


def _value_or_error(work: Callable[[], object]) -> object:
    """What ``work`` gives, or the HistoryError or ExportError it raised (on the worker)."""
    from smsgui.core.records.history import HistoryError
    from smsgui.core.records.history_export import ExportError

    try:
        return work()
    except (HistoryError, ExportError) as error:
        logger.warning("History work failed: %s", error)
        return error
