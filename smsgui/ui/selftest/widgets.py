"""Reading the window the way a person or a screen reader does: by accessible name."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from smsgui.ui.parts_table import PartsTable
from smsgui.ui.selftest.session import SelfTestCheckError

W = TypeVar("W", bound=QWidget)

DECODED_COLUMNS = ("Recipient", "Part", "Message ID", "Status", "Error text", "Price",
                   "Balance", "Network")
"""What a send decodes to; receipts arriving meanwhile may only add a Delivery column."""


def named(root: QWidget, kind: type[W], name: str) -> W:
    """The one ``kind`` under ``root`` whose accessible name is ``name``."""
    found = [w for w in root.findChildren(kind) if w.accessibleName() == name]
    if len(found) != 1:
        raise SelfTestCheckError(f"expected one {kind.__name__} named {name!r}, found {len(found)}")
    return found[0]


def table_rows(window: QWidget) -> list[dict[str, str]]:
    """The results table, one {column title: text} per row."""
    table = named(window, PartsTable, "Results table")
    headers = [table.header_text(column) for column in range(table.columnCount())]
    return [{header: table.text(row, column) for column, header in enumerate(headers)}
            for row in range(table.rowCount())]


def cell(row: dict[str, str], header: str) -> str:
    """The cell under the column whose title starts with ``header`` ("Price" for "Price (EUR)")."""
    for title, text in row.items():
        if title.startswith(header):
            return text
    raise SelfTestCheckError(f"the results have no {header!r} column")


def decoded_cells(window: QWidget) -> list[tuple[str, ...]]:
    """The ``DECODED_COLUMNS`` of every row."""
    return [tuple(cell(row, column) for column in DECODED_COLUMNS)
            for row in table_rows(window)]


def amount(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _text(item: object) -> str:
    text = getattr(item, "text", None)
    return str(text()) if callable(text) else ""
