"""Exporting the history as CSV and JSON: masked by default, never a secret, written safely."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_history import SECRET, Clock, fill

from smsgui import __version__
from smsgui.core.privacy import mask_number
from smsgui.core.records.history import History, HistoryRow
from smsgui.core.records.history_export import (
    CSV_COLUMNS,
    EXPORT_FORMAT_NAME,
    ExportError,
    ExportFormat,
    export_bytes,
    save_export,
    suggested_name,
)

NOW = datetime(2026, 12, 2, 8, 15, tzinfo=UTC)
NUMBERS = ["447700900123", "447700900456", "14155550100", "447700900777", "447700900888",
           "33612345678", "4915112345678"]


@pytest.fixture
def rows(tmp_path: Path) -> Iterator[list[HistoryRow]]:
    """The six sends of test_history's fill, newest first, from a real history."""
    clock = Clock()
    with History(tmp_path / "history.sqlite3", clock=clock, timezone=UTC) as history:
        fill(history, clock)
        yield history.rows()


def csv_rows(raw: bytes) -> list[dict[str, str]]:
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheets read it as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def full_numbers_in(raw: bytes) -> list[str]:
    return [number for number in NUMBERS if number.encode() in raw]


def test_a_csv_export_masks_numbers_and_holds_what_the_list_shows(
        rows: list[HistoryRow]) -> None:
    raw = export_bytes(rows, ExportFormat.CSV, now=NOW)
    assert full_numbers_in(raw) == []
    assert raw.splitlines()[0].decode("utf-8-sig") == ",".join(CSV_COLUMNS)
    table = csv_rows(raw)
    assert len(table) == 6
    newest, two = table[0], table[2]
    assert newest == {
        "sent_at": "2026-12-01T23:30:00+00:00", "profile": "Shop", "sandbox": "yes",
        "sender": "Shop", "recipients": mask_number("4915112345678"),
        "message_ids": "0C00000077778888", "statuses": "0", "ok": "yes",
        "headline": rows[0].headline, "entry_id": "status-0"}
    assert two["recipients"] == f"{mask_number('447700900777')}; {mask_number('447700900888')}"
    assert (two["statuses"], two["ok"]) == ("0; 6", "no")
    assert table[1]["statuses"] == "-" and table[1]["entry_id"] == "transport-connection-refused"


def test_a_json_export_masks_numbers_and_says_so(rows: list[HistoryRow]) -> None:
    raw = export_bytes(rows, ExportFormat.JSON, now=NOW)
    assert full_numbers_in(raw) == []
    data = json.loads(raw)
    assert {key: data[key] for key in ("format", "version", "exported_at", "app_version",
                                       "numbers")} == {
        "format": EXPORT_FORMAT_NAME, "version": 1, "exported_at": "2026-12-02T08:15:00+00:00",
        "app_version": __version__, "numbers": "masked"}
    sends = data["sends"]
    assert [send["recipients"] for send in sends][2] == [mask_number("447700900777"),
                                                         mask_number("447700900888")]
    assert sends[2]["statuses"] == [0, 6] and sends[1]["statuses"] == [None]
    assert sends[3]["sandbox"] is True and sends[3]["ok"] is False
    assert list(sends[0]) == list(CSV_COLUMNS)


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_full_numbers_are_exported_only_when_asked_for(
        rows: list[HistoryRow], export_format: ExportFormat) -> None:
    raw = export_bytes(rows, export_format, full_numbers=True, now=NOW)
    assert full_numbers_in(raw) == NUMBERS
    if export_format is ExportFormat.JSON:
        assert json.loads(raw)["numbers"] == "full"


@pytest.mark.parametrize("export_format", list(ExportFormat))
@pytest.mark.parametrize("full_numbers", [False, True])
def test_no_secret_and_no_message_text_is_ever_exported(
        rows: list[HistoryRow], export_format: ExportFormat, full_numbers: bool) -> None:
    raw = export_bytes(rows, export_format, full_numbers=full_numbers, now=NOW)
    for never in (SECRET, "abcd1234", "api_secret", "Hello"):
        assert never.encode() not in raw


def row(headline: str, recipients: tuple[str, ...] = ("447700900123",), sender: str = "Acme",
        profile: str = "Acme live") -> HistoryRow:
    return HistoryRow(id=1, sent_at=NOW, profile=profile, sandbox=False, recipients=recipients,
                      sender=sender, message_ids=(), statuses=(0,), ok=True, headline=headline,
                      entry_id="status-0")


def test_a_number_repeated_in_a_headline_or_sent_from_is_masked_too() -> None:
    sent = row("Failed: +447700900123 is barred; 447700900123 again; from 447700900999",
               sender="447700900999")
    [exported] = json.loads(export_bytes([sent], ExportFormat.JSON, now=NOW))["sends"]
    assert exported["headline"] == (
        f"Failed: {mask_number('447700900123')} is barred; {mask_number('447700900123')} "
        f"again; from {mask_number('447700900999')}")
    assert exported["sender"] == mask_number("447700900999")
    [kept] = json.loads(export_bytes([row("2 of 3 parts; status 29")], ExportFormat.JSON,
                                     now=NOW))["sends"]
    assert kept["headline"] == "2 of 3 parts; status 29"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted() -> None:
    sends = [row('=HYPERLINK("http://evil.example","x")', profile="@SUM(A1)"),
             row("-2+3 parts", recipients=("+447700900123",), profile="+cmd|' /C calc'!A0")]
    table = csv_rows(export_bytes(sends, ExportFormat.CSV, full_numbers=True, now=NOW))
    assert table[0]["headline"] == '\'=HYPERLINK("http://evil.example","x")'
    assert table[0]["profile"] == "'@SUM(A1)"
    assert table[1]["profile"] == "'+cmd|' /C calc'!A0"
    assert table[1]["recipients"] == "+447700900123"  # a number stays a number
    assert table[1]["headline"] == "'-2+3 parts"


def test_an_export_of_nothing_has_the_header_only() -> None:
    assert csv_rows(export_bytes([], ExportFormat.CSV, now=NOW)) == []
    assert json.loads(export_bytes([], ExportFormat.JSON, now=NOW))["sends"] == []


def test_a_suggested_name_says_what_and_when() -> None:
    assert suggested_name(ExportFormat.CSV, NOW) == "smsgui-history-2026-12-02.csv"
    assert suggested_name(ExportFormat.JSON, NOW) == "smsgui-history-2026-12-02.json"


# -- writing the file ------------------------------------------------------------------------------

def test_an_export_is_written_whole_and_for_its_owner_only(
        rows: list[HistoryRow], tmp_path: Path) -> None:
    target = tmp_path / "out" / "history.csv"
    target.parent.mkdir()
    target.write_text("an older export", encoding="utf-8")
    os.chmod(target, 0o644)
    save_export(rows, target, ExportFormat.CSV, now=NOW)
    assert target.read_bytes() == export_bytes(rows, ExportFormat.CSV, now=NOW)
    assert sorted(path.name for path in target.parent.iterdir()) == ["history.csv"]
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_exporting_into_a_missing_folder_says_what_to_do(
        rows: list[HistoryRow], tmp_path: Path) -> None:
    target = tmp_path / "gone" / "history.json"
    with pytest.raises(ExportError) as raised:
        save_export(rows, target, ExportFormat.JSON, now=NOW)
    assert str(raised.value) == "The history was not exported to history.json."
    assert raised.value.cause == f"The folder {target.parent} does not exist (any more)."
    assert raised.value.next_step == "Choose another folder and export again."


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions that apply (not to root)")
def test_exporting_into_a_folder_one_may_not_write_says_so(
        rows: list[HistoryRow], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(ExportError) as raised:
            save_export(rows, locked / "history.csv", ExportFormat.CSV, now=NOW)
    finally:
        locked.chmod(0o700)
    assert raised.value.cause == f"smsgui is not allowed to write to {locked}."


@pytest.mark.parametrize(("code", "cause", "next_step"), [
    (errno.ENOSPC, "The disk that holds {folder} is full.",
     "Free some space there, or export to another disk."),
    (errno.EACCES, "smsgui is not allowed to write to {folder}.",
     "Choose a folder of your own, such as Documents, and export again."),
    (errno.EIO, "Cannot save history.csv: Input/output error.",
     "Choose another file or folder and export again."),
])
def test_a_disk_that_fails_the_write_is_explained(
        rows: list[HistoryRow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        code: int, cause: str, next_step: str) -> None:
    """The disk fills up (or refuses) while the file is written: the old file stays."""
    target = tmp_path / "history.csv"
    target.write_text("the previous export", encoding="utf-8")

    def failing_fsync(descriptor: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(ExportError) as raised:
        save_export(rows, target, ExportFormat.CSV, now=NOW)
    assert (raised.value.cause, raised.value.next_step) == (
        cause.format(folder=tmp_path), next_step)
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["history.csv", "history.sqlite3",
                                                                "history.sqlite3-shm",
                                                                "history.sqlite3-wal"]
