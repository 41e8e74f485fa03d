"""The history list: every send, searchable, reopened with one click."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.history import History, HistoryRow
from smsgui.core.privacy import mask_number

_COLUMNS = ("When (UTC)", "Profile", "Recipients", "Result", "Message IDs")
_ROW_ID = Qt.ItemDataRole.UserRole


class HistoryPanel(QWidget):
    """Search by number, message-id, status or date; activate a row to reopen that send."""

    reopen_requested = Signal(int)

    def __init__(self, history: History | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history = history
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by number, message ID, status or date")
        self.search.setAccessibleName("Search history")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setAccessibleName("History")
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Click a send to reopen it in the results")
        self.table.itemClicked.connect(self._on_table_item_activated)
        self.table.itemActivated.connect(self._on_table_item_activated)
        self.empty = QLabel()
        self.empty.setAccessibleName("History status")
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        self.refresh()

    def refresh(self) -> None:
        if self._history is None:
            self._show([], "History is off: its database could not be opened.")
            return
        rows = self._history.search(self.search.text())
        note = "" if rows else ("No sends yet." if not self.search.text()
                                else "Nothing in the history matches.")
        self._show(rows, note)

    def _show(self, rows: Sequence[HistoryRow], note: str) -> None:
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = (
                row.sent_at.strftime("%Y-%m-%d %H:%M:%S"),
                row.profile + (" (sandbox)" if row.sandbox else ""),
                ", ".join(mask_number(number) for number in row.recipients),
                ("OK: " if row.ok else "Problem: ") + row.headline,
                ", ".join(row.message_ids) or "-",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(_ROW_ID, row.id)
                item.setToolTip(text)
                self.table.setItem(index, column, item)
        self.empty.setText(note)
        self.empty.setVisible(bool(note))

    def _on_table_item_activated(self, item: QTableWidgetItem) -> None:
        self.reopen_requested.emit(int(item.data(_ROW_ID)))
