"""The history list: every send, searchable, reopened with one click.

The history database is opened and queried only when the list is first shown, so that the app
starts without it; a model formats only the cells Qt paints, so a long list never stalls.
Recipient numbers are masked unless the person asks to see them in full, so the list can be
shown on a screen share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.privacy import mask_number

if TYPE_CHECKING:
    from smsgui.core.records.history import History, HistoryRow

HISTORY_OFF = "History is off: its database could not be opened."
NO_SENDS = "No sends yet."
NO_MATCHES = "Nothing in the history matches."

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
_TYPICAL_VALUES = ("0000-00-00 00:00:00", "Sandbox (built in)", mask_number("447700900123"),
                   "Problem: Non-Whitelisted Destination")
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


class HistoryPanel(QWidget):
    """Search by number, message-id, status or date; activate a row to reopen that send.

    Args:
        open_history: opens the history database, or gives None when it cannot be opened;
            called once, when the panel is first shown.
        parent: the owning widget.
    """

    reopen_requested = Signal(int)

    def __init__(self, open_history: Callable[[], History | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._open_history: Callable[[], History | None] | None = open_history
        self._history: History | None = None
        self._stale = True
        self._model = HistoryModel(self)
        self.search = self._make_search_field()
        self.full_numbers = self._make_full_numbers_toggle()
        self.table = self._make_table()
        self.empty = QLabel()
        self.empty.setAccessibleName("History status")
        self.empty.setWordWrap(True)
        self.empty.hide()
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.full_numbers)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)

    def row_count(self) -> int:
        """How many sends the list shows."""
        return self._model.rowCount()

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
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        header.moveSection(_RESULT_COLUMN, 1)  # what happened, right after when
        metrics = table.fontMetrics()
        for column, value in enumerate(_TYPICAL_VALUES):
            table.setColumnWidth(column, metrics.horizontalAdvance(value) + _CELL_PADDING)
        table.setToolTip("Click a send to reopen it in the results")
        table.clicked.connect(self._on_row_activated)
        table.activated.connect(self._on_row_activated)
        return table

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
            return
        query = self.search.text()
        rows = history.search(query)
        self._show(rows, "" if rows else (NO_MATCHES if query else NO_SENDS))

    def _show(self, rows: Sequence[HistoryRow], note: str) -> None:
        selected = self._selected_row_id()
        scrolled = self.table.verticalScrollBar().value()
        self._model.set_rows(rows)
        if selected is not None:
            self._select(selected)
        self.table.verticalScrollBar().setValue(scrolled)  # selecting scrolled to the row
        self.empty.setText(note)
        self.empty.setVisible(bool(note))

    def _selected_row_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self._model.row_id(rows[0].row()) if rows else None

    def _select(self, row_id: int) -> None:
        row = self._model.position(row_id)
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self._model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def _on_row_activated(self, index: QModelIndex) -> None:
        self.reopen_requested.emit(self._model.row_id(index.row()))
