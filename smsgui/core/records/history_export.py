"""The history as a CSV or JSON file, for a spreadsheet or a support ticket.

An export holds what the history list shows of each send: when, profile, sandbox, sender,
recipients, message-ids, statuses, whether it worked, the headline and the knowledge entry.
Never a request, a message text or a secret: those stay in the saved documents. Phone numbers
are masked unless the person asks for them in full, and a number that a headline happens to
repeat is masked there too. The file is written as documents are saved (atomically, readable by
its owner only).
"""

from __future__ import annotations

import csv
import enum
import errno
import io
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from smsgui import __version__
from smsgui.core.api.documents import DocumentError, json_bytes, write_atomically
from smsgui.core.privacy import mask_number
from smsgui.core.records.history import HistoryRow

EXPORT_FORMAT_NAME = "smsgui-history-export"
EXPORT_VERSION = 1
CSV_COLUMNS = ("sent_at", "profile", "sandbox", "sender", "recipients", "message_ids",
               "statuses", "ok", "headline", "entry_id")
_LIST_SEPARATOR = "; "
_FORMULA_STARTS = ("=", "@", "\t", "\r")
_SIGNS = ("+", "-")
_NUMBER_CHARS = frozenset("0123456789 ;*+-")
_MIN_REPEATED_DIGITS = 5  # shorter digit runs in a headline are counts and codes, not numbers


class ExportFormat(enum.StrEnum):
    """What an export is written as; the value is the file name's extension."""

    CSV = "csv"
    JSON = "json"


class ExportError(Exception):
    """An export could not be written; the message names the file, ``cause`` and ``next_step``
    say why and what to do in words for someone who is not a developer."""

    def __init__(self, message: str, cause: str, next_step: str) -> None:
        super().__init__(message)
        self.cause = cause
        self.next_step = next_step


def suggested_name(export_format: ExportFormat, now: datetime | None = None) -> str:
    """A file name for an export made at ``now``: ``smsgui-history-2026-11-27.csv``."""
    day = (now or datetime.now(UTC)).astimezone(UTC).date().isoformat()
    return f"smsgui-history-{day}.{export_format.value}"


def export_bytes(rows: Sequence[HistoryRow], export_format: ExportFormat, *,
                 full_numbers: bool = False, now: datetime | None = None) -> bytes:
    """The file an export of ``rows`` is, numbers masked unless ``full_numbers``."""
    sends = [_send(row, full_numbers) for row in rows]
    if export_format is ExportFormat.CSV:
        return _csv(sends).encode("utf-8-sig")  # the mark makes spreadsheets read UTF-8
    return json_bytes(_json(sends, full_numbers, now or datetime.now(UTC)))


def save_export(rows: Sequence[HistoryRow], path: Path, export_format: ExportFormat, *,
                full_numbers: bool = False, now: datetime | None = None) -> None:
    """Write an export of ``rows`` to ``path``: atomically, readable by its owner only.

    Raises ExportError saying why the file could not be written.
    """
    payload = export_bytes(rows, export_format, full_numbers=full_numbers, now=now)
    try:
        write_atomically(path, payload)
    except DocumentError as error:
        raise _export_error(path, error) from error


def _send(row: HistoryRow, full_numbers: bool) -> HistoryRow:
    """``row`` as an export writes it: its numbers masked unless ``full_numbers``."""
    if full_numbers:
        return row
    headline = row.headline
    for number in (*row.recipients, row.sender):
        headline = _mask_repeated(headline, number)
    return replace(row, sender=mask_number(row.sender) if row.sender else "",
                   recipients=tuple(mask_number(number) for number in row.recipients),
                   headline=headline)


def _sent_at(row: HistoryRow) -> str:
    return row.sent_at.astimezone(UTC).isoformat(timespec="seconds")


def _mask_repeated(text: str, number: str) -> str:
    """``text`` with ``number`` (as given, or its digits alone) masked wherever it appears."""
    digits = "".join(char for char in number if char.isdigit())
    if len(digits) < _MIN_REPEATED_DIGITS or not any(char.isdigit() for char in text):
        return text
    for form in dict.fromkeys((f"+{digits}", number, digits)):  # the longest first
        text = text.replace(form, mask_number(form))
    return text


def _csv(sends: Sequence[HistoryRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for send in sends:
        writer.writerow([_cell(value) for value in (
            _sent_at(send), send.profile, "yes" if send.sandbox else "no", send.sender,
            _LIST_SEPARATOR.join(send.recipients), _LIST_SEPARATOR.join(send.message_ids),
            _LIST_SEPARATOR.join("-" if status is None else str(status)
                                 for status in send.statuses),
            "yes" if send.ok else "no", send.headline, send.entry_id)])
    return buffer.getvalue()


def _cell(value: str) -> str:
    """The value, quoted with ' where a spreadsheet would take it for a formula.

    A "+" or "-" only starts a formula worth fearing when letters or brackets follow; phone
    numbers ("+447700900123") and status lists ("-; 0") stay as they are.
    """
    if value.startswith(_FORMULA_STARTS) or (
            value.startswith(_SIGNS) and not all(char in _NUMBER_CHARS for char in value)):
        return "'" + value
    return value


def _json(sends: Sequence[HistoryRow], full_numbers: bool, now: datetime) -> str:
    data = {
        "format": EXPORT_FORMAT_NAME,
        "version": EXPORT_VERSION,
        "exported_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "app_version": __version__,
        "numbers": "full" if full_numbers else "masked",
        "sends": [{
            "sent_at": _sent_at(send), "profile": send.profile, "sandbox": send.sandbox,
            "sender": send.sender, "recipients": list(send.recipients),
            "message_ids": list(send.message_ids), "statuses": list(send.statuses),
            "ok": send.ok, "headline": send.headline, "entry_id": send.entry_id,
        } for send in sends],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


_DISK_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_NOT_ALLOWED = (errno.EACCES, errno.EPERM, errno.EROFS)


def _export_error(path: Path, error: DocumentError) -> ExportError:
    """Why ``path`` could not be written, from the system's error behind ``error``."""
    reason = error.__cause__
    code = reason.errno if isinstance(reason, OSError) else None
    message = f"The history was not exported to {path.name}."
    if code in _DISK_FULL:
        return ExportError(message, f"The disk that holds {path.parent} is full.",
                           "Free some space there, or export to another disk.")
    if code in _NOT_ALLOWED:
        return ExportError(message, f"smsgui is not allowed to write to {path.parent}.",
                           "Choose a folder of your own, such as Documents, and export again.")
    if code == errno.ENOENT:
        return ExportError(message, f"The folder {path.parent} does not exist (any more).",
                           "Choose another folder and export again.")
    return ExportError(message, str(error), "Choose another file or folder and export again.")
