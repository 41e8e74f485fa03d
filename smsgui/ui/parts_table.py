"""The Parts table: one row per message part, drawn from plain row values on demand.

A model, not one widget item per cell: Qt asks only for the rows in view, so showing 30,000
parts costs what showing thirty does, and a receipt repaints just its own row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QTableView,
    QWidget,
)

from smsgui.core.reference.knowledge import Severity
from smsgui.core.values import CURRENCY

ENTRY_ID_ROLE: Final = Qt.ItemDataRole.UserRole
COLUMNS: Final = (
    ("Recipient", "The number the message was sent to"),
    ("Part", "Which part of a long message, e.g. 1/3 is the first of three parts"),
    ("Message ID", "Vonage's id for this part: use it to look up delivery"),
    ("Status", "Vonage's status code and its name; 0 means accepted, which is not yet delivered"),
    ("Error text", "What the API said about this part, word for word"),
    (f"Price ({CURRENCY})", "What this part cost"),
    (f"Balance ({CURRENCY})", "Your account balance after this part"),
    ("Network", "The mobile network: operator, country and network code (MCC+MNC)"),
    ("Client ref", "Your own reference, sent with the message"),
    ("Delivery", "The delivery receipt from the carrier, when one arrived"),
)
(RECIPIENT, PART, MESSAGE_ID, STATUS, ERROR_TEXT, PRICE, BALANCE, NETWORK, CLIENT_REF,
 DELIVERY) = range(len(COLUMNS))
SHOWN_ORDER: Final = (RECIPIENT, PART, STATUS, DELIVERY, PRICE, BALANCE, NETWORK, ERROR_TEXT,
                      MESSAGE_ID, CLIENT_REF)
"""What a tester came for first: status, what became of it, cost, balance, network; the error
text and the long message id after them."""
_NUMERIC_COLUMNS: Final = frozenset({PRICE, BALANCE})
_NUMBER_ALIGNMENT: Final = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ROWS_MEASURED_FOR_WIDTH: Final = 50
_ICON_COLUMNS: Final = frozenset({STATUS, DELIVERY})
_ROW_PADDING: Final = 8
_EXTRA_PIXELS: Final = 4  # Qt's own fitting leaves a little air after the text; so do we

AnyIndex = QModelIndex | QPersistentModelIndex


class HasSeverity(Protocol):
    @property
    def severity(self) -> Severity: ...


class TableRow(Protocol):
    """What the table needs of a row (``results.ResultRow``)."""

    @property
    def entry_id(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def status_tip(self) -> str: ...
    @property
    def delivery(self) -> HasSeverity | None: ...
    def cells(self) -> tuple[str, ...]: ...


class PartsModel(QAbstractTableModel):
    """The rows of the Parts table; icons are shared by every row of a severity."""

    def __init__(self, icons: Mapping[Severity, QIcon], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[TableRow, ...] = ()
        self._icons = dict(icons)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        title, tip = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        return tip if role == Qt.ItemDataRole.ToolTipRole else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells()[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.status_tip if column == STATUS else (row.cells()[column] or None)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC_COLUMNS:
            return _NUMBER_ALIGNMENT
        return row.entry_id if role == ENTRY_ID_ROLE else None

    def _icon(self, row: TableRow, column: int) -> QIcon | None:
        if column == STATUS:
            return self._icons[row.severity]
        if column == DELIVERY and row.delivery is not None:
            return self._icons[row.delivery.severity]
        return None

    def rows(self) -> tuple[TableRow, ...]:
        return self._rows

    def show_rows(self, rows: Sequence[TableRow]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def update_rows(self, rows: Sequence[TableRow], changed: Iterable[int]) -> None:
        """Take ``rows``, which differ from the current ones only at ``changed`` or by rows
        added at the end; only those are repainted."""
        old_count, rows = len(self._rows), tuple(rows)
        if len(rows) < old_count:
            self.show_rows(rows)
            return
        if len(rows) > old_count:
            self.beginInsertRows(QModelIndex(), old_count, len(rows) - 1)
            self._rows = rows
            self.endInsertRows()
        self._rows = rows
        last = len(COLUMNS) - 1
        for row in sorted(set(changed)):
            if row < old_count:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))


class PartsTable(QTableView):
    """The Parts table's view, with a reading API in terms of rows and columns."""

    def __init__(self, icons: Mapping[Severity, QIcon], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parts = PartsModel(icons, self)
        self.setModel(self.parts)
        self.setAccessibleName("Results table")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        rows = self.verticalHeader()
        rows.hide()
        # One line of text per row, all the same height: compact, and no row is ever measured.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + _ROW_PADDING)
        columns = self.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setStretchLastSection(True)
        # Fitting columns measures the rows in view and a few around them, not every row.
        columns.setResizeContentsPrecision(_ROWS_MEASURED_FOR_WIDTH)
        for position, column in enumerate(SHOWN_ORDER):
            columns.moveSection(columns.visualIndex(column), position)

    def rowCount(self) -> int:  # noqa: N802 - named as QTableWidget's
        return self.parts.rowCount()

    def columnCount(self) -> int:  # noqa: N802 - named as QTableWidget's
        return self.parts.columnCount()

    def cell(self, row: int, column: int) -> QModelIndex:
        return self.parts.index(row, column)

    def text(self, row: int, column: int) -> str:
        return str(self.cell(row, column).data() or "")

    def tool_tip(self, row: int, column: int) -> str:
        return str(self.cell(row, column).data(Qt.ItemDataRole.ToolTipRole) or "")

    def icon(self, row: int, column: int) -> QIcon:
        icon = self.cell(row, column).data(Qt.ItemDataRole.DecorationRole)
        return icon if isinstance(icon, QIcon) else QIcon()

    def header_text(self, column: int) -> str:
        return str(self.parts.headerData(column, Qt.Orientation.Horizontal))

    def entry_id(self, row: int) -> str | None:
        value = self.cell(row, RECIPIENT).data(ENTRY_ID_ROLE)
        return str(value) if value else None

    def selected_row(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select_only(self, row: int) -> None:
        """Select ``row`` alone and scroll it into view."""
        self.clearSelection()
        self.selectRow(row)
        self.scrollTo(self.cell(row, RECIPIENT))

    def fit_columns(self, sample: Iterable[int], widest: Mapping[int, int]) -> None:
        """Size each column to its title and the ``sample`` rows' cells, at most ``widest``
        pixels. Measuring a sample (the rows in view, say) costs the same for 30 rows as for
        30,000, where Qt's own fitting walks every row."""
        rows = self.parts.rows()
        cells = [rows[row].cells() for row in sorted(set(sample)) if 0 <= row < len(rows)]
        metrics = self.fontMetrics()
        style = self.style()
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self)
                      + 1) + _EXTRA_PIXELS
        icon = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self) + margin
        header = self.horizontalHeader()
        for column in range(len(COLUMNS)):
            extra = margin + (icon if column in _ICON_COLUMNS else 0)
            text = max((metrics.horizontalAdvance(row[column]) for row in cells), default=0)
            width = max(header.sectionSizeHint(column), text + extra)
            self.setColumnWidth(column, min(width, widest.get(column, width)))

    def row_texts(self, row: int) -> list[str]:
        """The row's cells in the columns shown, in their on-screen order."""
        columns = self.horizontalHeader()
        shown = sorted((columns.visualIndex(column), column) for column in range(len(COLUMNS))
                       if not self.isColumnHidden(column))
        return [self.text(row, column) for _, column in shown]
