"""A kept send rewritten when its receipts (or a Reports lookup) arrive after the send."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from test_history import BASE, Clock, send
from test_receipt_book import receipt

from smsgui.core.api.decode import ReportsResponse, decode_response
from smsgui.core.delivery.exchange import Exchange, exchange_from_document, with_report_records
from smsgui.core.delivery.receipts import ReceiptBook
from smsgui.core.records import history as history_module
from smsgui.core.records.history import History, HistoryError

EXPIRING = "0A0000001234ABCD"
DELIVERING = "0B00000055556666"
OLD_HEADLINE = "1 part accepted for delivery"


def with_receipts(exchange: Exchange, *fields: dict[str, str]) -> Exchange:
    """The exchange as the window has it once these receipts came in."""
    book = ReceiptBook()
    for one in fields:
        book.add(one)
    return book.attach(exchange)


def with_reports(exchange: Exchange, *records: dict[str, str]) -> Exchange:
    """The exchange as the window has it after a Reports API lookup."""
    reports = decode_response(json.dumps({"records": list(records)}))
    assert isinstance(reports, ReportsResponse)
    return with_report_records(exchange, reports.records)


@pytest.fixture(params=["fts5", "scan"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
         tmp_path: Path) -> Path:
    """Where a history lives that is searched through FTS5, and again through a plain scan."""
    if request.param == "scan":
        monkeypatch.setattr(history_module, "_fts5_available", lambda: False)
    elif not history_module._fts5_available():
        pytest.skip("this SQLite has no FTS5 trigram tokenizer")
    return tmp_path / "history.sqlite3"


@pytest.fixture
def history(path: Path) -> Iterator[History]:
    with History(path, clock=Clock(), timezone=UTC) as opened:
        yield opened



def test_a_receipt_that_came_later_rewrites_the_send(history: History) -> None:
    sent = send("447700900123", (EXPIRING, 0, None))
    row_id = history.record([sent], "Acme live")
    other = history.record([send("447700900456", (DELIVERING, 0, None))], "Acme live")
    before = history.row(row_id)
    assert before.ok and history.search("expired") == []
    expired = with_receipts(sent, receipt(EXPIRING, "expired", "5"))

    history.update(row_id, [expired], "Acme live")

    after = history.row(row_id)
    assert not after.ok
    assert after.headline == expired.headline != before.headline
    assert after.entry_id == expired.entry.id != before.entry_id
    assert after.sent_at == before.sent_at == BASE
    assert (after.recipients, after.message_ids, after.statuses) == (
        before.recipients, before.message_ids, before.statuses)
    assert history.count() == 2
    for query in ("expired", "receipt expired", "err-code 5", expired.entry.id):
        assert [row.id for row in history.search(query)] == [row_id], query
    assert [row.id for row in history.search("status 0")] == [other, row_id]
    assert [row.id for row in history.search("447700900123")] == [row_id]
    assert [row.id for row in history.search("accepted")] == [other]  # the old headline's word


def test_a_reopened_update_holds_the_receipts(history: History) -> None:
    sent = send("447700900123", (EXPIRING, 0, None))
    row_id = history.record([sent], "Acme live")
    expired = with_receipts(sent, receipt(EXPIRING, "expired", "5"))
    history.update(row_id, [expired], "Acme live")
    [document] = history.load(row_id)
    assert document.receipts == (receipt(EXPIRING, "expired", "5"),)
    assert document.saved_at == BASE  # the send's time, not the update's
    reopened = exchange_from_document(document)
    assert (reopened.ok, reopened.headline, reopened.entry) == (
        False, expired.headline, expired.entry)


def test_an_update_is_kept_in_the_file_and_its_index(path: Path) -> None:
    sent = send("447700900123", (EXPIRING, 0, None))
    with History(path, clock=Clock()) as history:
        row_id = history.record([sent], "Acme live")
        history.update(row_id, [with_receipts(sent, receipt(EXPIRING, "expired", "5"))],
                       "Acme live")
        updated = history.row(row_id)
        fts = history.full_text
    with contextlib.closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        if fts:
            # rank 1 also compares an external-content index with its table: a stale one fails
            connection.execute("INSERT INTO sends_search (sends_search) VALUES ('integrity-check')")
            connection.execute(
                "INSERT INTO sends_search (sends_search, rank) VALUES ('integrity-check', 1)")
            old = connection.execute("SELECT rowid FROM sends_search WHERE sends_search MATCH ?",
                                     (f'"{OLD_HEADLINE}"',)).fetchall()
            assert old == []
    with History(path) as reopened:
        assert reopened.row(row_id) == updated and reopened.count() == 1
        assert [row.id for row in reopened.search("expired")] == [row_id]
        assert reopened.search(OLD_HEADLINE) == []


def test_receipts_and_reports_lookups_are_found_by_what_they_said(history: History) -> None:
    expiring = send("447700900123", (EXPIRING, 0, None))
    delivering = send("447700900456", (DELIVERING, 0, None))
    expired_id = history.record([expiring], "Acme live")
    delivered_id = history.record([delivering], "Acme live")
    history.update(expired_id, [with_receipts(expiring, receipt(EXPIRING, "expired", "5"))],
                   "Acme live")
    looked_up = with_reports(delivering, {"message_id": DELIVERING, "status": "delivered",
                                          "to": "447700900456", "from": "Acme"})
    history.update(delivered_id, [looked_up], "Acme live")
    assert history.row(delivered_id).ok
    assert delivered_id in [row.id for row in history.search("receipt delivered")]
    assert [row.id for row in history.search("receipt-status-delivered")] == [delivered_id]
    assert [row.id for row in history.search("receipt expired")] == [expired_id]
    [document] = history.load(delivered_id)
    assert [fields.get("source") for fields in document.receipts] == ["reports"]


def test_a_send_recorded_with_its_receipts_is_found_by_them(history: History) -> None:
    sent = with_receipts(send("447700900123", (EXPIRING, 0, None)),
                         receipt(EXPIRING, "failed", "6"))
    row_id = history.record([sent], "Acme live")
    assert not history.row(row_id).ok
    for query in ("receipt failed", "err-code 6"):
        assert [row.id for row in history.search(query)] == [row_id], query


def test_one_recipient_of_several_failing_later_fails_the_send(history: History) -> None:
    first = send("447700900123", (EXPIRING, 0, None))
    second = send("447700900456", (DELIVERING, 0, None))
    row_id = history.record([first, second], "Acme live")
    assert history.row(row_id).ok
    history.update(row_id, [with_receipts(first, receipt(EXPIRING, "expired", "5")),
                            with_receipts(second, receipt(DELIVERING))], "Acme live")
    row = history.row(row_id)
    assert not row.ok
    assert row.headline.startswith("Partial failure: 1 of 2 parts went through; expired")
    assert row.recipients == ("447700900123", "447700900456")
    assert [len(document.receipts) for document in history.load(row_id)] == [1, 1]
    assert [r.id for r in history.search("status 0")] == [row_id]


def test_updating_a_send_that_is_gone_is_refused(history: History) -> None:
    row_id = history.record([send("447700900123", (EXPIRING, 0, None))], "Acme live")
    before = history.row(row_id)
    gone = with_receipts(send("447700900999", ("0D", 0, None)), receipt("0D", "expired", "5"))
    with pytest.raises(HistoryError, match="no longer in the history"):
        history.update(row_id + 1, [gone], "Acme live")
    with pytest.raises(HistoryError, match="no longer in the history"):
        history.row(row_id + 1)
    with pytest.raises(ValueError, match="at least one exchange"):
        history.update(row_id, [], "Acme live")
    assert history.count() == 1 and history.row(row_id) == before
    assert history.search("expired") == [] and history.search("447700900999") == []


def test_row_reads_the_send_the_list_shows(history: History) -> None:
    first = history.record([send("447700900123", (EXPIRING, 0, None))], "Acme live")
    history.record([send("447700900456", (None, 29, "Non White-listed"))], "Sandbox")
    assert [history.row(row.id) for row in history.search()] == history.search()
    assert history.row(first).recipients == ("447700900123",)


def test_a_closed_history_refuses_updates(path: Path) -> None:
    history = History(path)
    sent = send("447700900123", (EXPIRING, 0, None))
    row_id = history.record([sent], "Acme")
    history.close()
    with pytest.raises(HistoryError, match="closed"):
        history.update(row_id, [sent], "Acme")
    with pytest.raises(HistoryError, match="closed"):
        history.row(row_id)
