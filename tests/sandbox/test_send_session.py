"""One send, one record: a send session over the real sandbox, receiver and history.

The sandbox POSTs its receipts to a real receiver on 127.0.0.1; the receiver's thread only
queues them, and the test hands them to the ledger as the window's UI thread does.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from conftest import api_client, start_sandbox

from smsgui.core.api.client import OutgoingSms, SmsApiClient
from smsgui.core.api.decode import ReportsResponse
from smsgui.core.api.profiles import SANDBOX_PROFILE
from smsgui.core.delivery.exchange import exchange_from_document
from smsgui.core.delivery.receipts import ReceiptBook
from smsgui.core.delivery.receiver import ReceiptReceiver
from smsgui.core.delivery.verdict import Label
from smsgui.core.records.history import History
from smsgui.core.records.session import HistoryWrite, SendLedger, SendSession
from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.sandbox.server import SandboxServer

WAIT_SECONDS = 5.0
FAILED_RECEIPT = "447700900105"  # accepted, then "failed" with err-code 5
EXPIRED_RECEIPT = "447700900200"  # accepted, then "expired"
DELIVERED = "447700900000"
SENT_AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = start_sandbox(dlr_delay=0.05, rate_limit=10_000)
    yield server
    server.stop()


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[SmsApiClient]:
    with httpx.Client(trust_env=False, timeout=WAIT_SECONDS) as http:
        yield api_client(sandbox, http)


@pytest.fixture
def arrivals() -> queue.Queue[dict[str, str]]:
    return queue.Queue()


@pytest.fixture
def receiver(arrivals: queue.Queue[dict[str, str]]) -> Iterator[ReceiptReceiver]:
    with ReceiptReceiver(arrivals.put) as running:
        yield running


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "history.sqlite3", clock=lambda: SENT_AT) as opened:
        yield opened


@pytest.fixture
def ledger() -> SendLedger:
    return SendLedger(ReceiptBook())


def send_session(api: SmsApiClient, history: History, receiver: ReceiptReceiver,
                 *numbers: str, ledger: SendLedger | None = None) -> SendSession:
    """Send to ``numbers`` in one session, recorded in ``history``; ``ledger`` follows it."""
    session = SendSession(SANDBOX_PROFILE, default_knowledge_base(), history,
                          clock=lambda: SENT_AT)
    for number in numbers:
        session.add_outcome(api.send(OutgoingSms(number, "AcmeInc", "hello",
                                                 callback=receiver.callback_url)))
    session.finish()
    if ledger is not None:
        ledger.track(session)
    return session


def deliver(ledger: SendLedger, arrivals: queue.Queue[dict[str, str]], count: int) -> None:
    """Hand ``count`` receipts to the ledger as they arrive, on this (the "UI") thread."""
    for _ in range(count):
        ledger.take_receipt(arrivals.get(timeout=WAIT_SECONDS))


def test_a_receipt_after_the_send_updates_the_row_its_search_and_its_document(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]], ledger: SendLedger,
) -> None:
    session = send_session(api, history, receiver, FAILED_RECEIPT, EXPIRED_RECEIPT,
                           ledger=ledger)
    assert session.row_id is not None
    before = history.row(session.row_id)
    assert before.ok and before.headline.startswith("Accepted:")
    assert history.search("expired") == []

    deliver(ledger, arrivals, 2)

    after = history.row(session.row_id)
    assert not after.ok and after.headline.startswith("Not delivered:")
    assert after.sent_at == before.sent_at and history.count() == 1
    assert [row.id for row in history.search("expired")] == [session.row_id]
    assert [row.id for row in history.search("err-code 5")] == [session.row_id]
    reopened = [exchange_from_document(document) for document in history.load(session.row_id)]
    assert [len(exchange.receipts) for exchange in reopened] == [1, 1]
    assert [exchange.verdict.label for exchange in reopened] == [Label.NOT_DELIVERED] * 2
    assert all(exchange.document.sent_at == SENT_AT for exchange in reopened)


def test_a_late_receipt_reaches_an_earlier_send_that_is_no_longer_shown(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]], ledger: SendLedger,
) -> None:
    first = send_session(api, history, receiver, EXPIRED_RECEIPT, ledger=ledger)
    second = send_session(api, history, receiver, DELIVERED, ledger=ledger)
    deliver(ledger, arrivals, 2)
    assert first.row_id is not None and second.row_id is not None
    assert history.row(first.row_id).headline.startswith("Not delivered: expired")
    assert history.row(second.row_id).headline == "Delivered: 1 part delivered."


def test_a_receipt_quicker_than_the_answer_is_attached_when_the_send_is_tracked(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]], ledger: SendLedger,
) -> None:
    session = send_session(api, history, receiver, FAILED_RECEIPT)
    ledger.receipts.add(arrivals.get(timeout=WAIT_SECONDS))  # arrived before tracking began
    ledger.track(session)
    assert session.row_id is not None
    assert not history.row(session.row_id).ok
    assert session.verdict is not None and session.verdict.label is Label.NOT_DELIVERED


def test_a_reports_lookup_updates_the_row_like_a_receipt(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]],
) -> None:
    session = send_session(api, history, receiver, EXPIRED_RECEIPT)
    arrivals.get(timeout=WAIT_SECONDS)  # the sandbox records the outcome once it "delivers"
    reports = api.reports(list(session.message_ids), api.account_id).decoded
    assert isinstance(reports, ReportsResponse) and reports.records
    assert session.add_report_records(reports.records)
    assert not session.add_report_records(reports.records)  # the same lookup again: no change
    assert session.row_id is not None
    row = history.row(session.row_id)
    assert not row.ok and "expired" in row.headline
    assert [found.id for found in history.search("expired")] == [session.row_id]


def test_a_history_that_fails_to_update_says_so_and_keeps_the_news_on_screen(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]], ledger: SendLedger,
) -> None:
    session = send_session(api, history, receiver, EXPIRED_RECEIPT, ledger=ledger)
    history.close()
    deliver(ledger, arrivals, 1)
    assert session.history_problem is not None and "could not be updated" in session.history_problem
    assert session.verdict is not None and session.verdict.label is Label.NOT_DELIVERED


def test_a_write_taken_for_another_thread_says_how_it_went(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]], ledger: SendLedger,
) -> None:
    session = send_session(api, history, receiver, EXPIRED_RECEIPT, ledger=ledger)
    assert session.history_write() is None  # nothing new to write yet
    ledger.take_receipt(arrivals.get(timeout=WAIT_SECONDS), write_history=False)
    write = session.history_write()
    assert write is not None and session.history_write() is None  # taken once
    results: list[HistoryWrite] = []
    writer = threading.Thread(target=lambda: results.append(write()))
    writer.start()
    writer.join(WAIT_SECONDS)
    assert results == [HistoryWrite.DONE]
    session.history_written(results[0])
    assert session.row_id is not None and session.history_problem is None
    assert history.row(session.row_id).headline.startswith("Not delivered")


@pytest.mark.parametrize(("breakage", "result"), [
    (lambda history, row_id: history.delete([row_id]), HistoryWrite.GONE),
    (lambda history, row_id: history.close(), HistoryWrite.FAILED),
])
def test_a_write_for_a_deleted_or_broken_history_is_told_apart(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]], ledger: SendLedger,
    breakage: Callable[[History, int], object], result: HistoryWrite,
) -> None:
    session = send_session(api, history, receiver, EXPIRED_RECEIPT, ledger=ledger)
    ledger.take_receipt(arrivals.get(timeout=WAIT_SECONDS), write_history=False)
    write = session.history_write()
    assert write is not None and session.row_id is not None
    breakage(history, session.row_id)
    assert write() is result
    session.history_written(result)
    assert (session.row_id is None) is (result is HistoryWrite.GONE)
    assert (session.history_problem is not None) is (result is HistoryWrite.FAILED)


def test_a_receipt_touches_only_the_exchange_it_names(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]], ledger: SendLedger,
) -> None:
    session = send_session(api, history, receiver, DELIVERED, EXPIRED_RECEIPT, DELIVERED,
                           ledger=ledger)
    before = session.exchanges
    fields = [arrivals.get(timeout=WAIT_SECONDS) for _ in range(3)]
    expired = next(f for f in fields if f["msisdn"] == EXPIRED_RECEIPT)
    ledger.take_receipt(expired)
    after = session.exchanges
    assert after[1] is not before[1] and len(after[1].receipts) == 1
    assert after[0] is before[0] and after[2] is before[2]  # untouched, not rebuilt
    assert session.positions_of(expired["messageId"]) == (1,)


def test_receipts_can_wait_to_be_written_and_then_cost_one_write(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]], ledger: SendLedger,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = send_session(api, history, receiver, FAILED_RECEIPT, EXPIRED_RECEIPT,
                           ledger=ledger)
    assert session.row_id is not None
    writes: list[int] = []
    real_update = history.update
    monkeypatch.setattr(history, "update",
                        lambda row_id, *rest: (writes.append(row_id), real_update(row_id, *rest)))
    for _ in range(2):
        ledger.take_receipt(arrivals.get(timeout=WAIT_SECONDS), write_history=False)
    assert writes == [] and session.history_behind
    assert history.row(session.row_id).ok  # the row still says what it said at the send
    session.write_history()
    session.write_history()  # nothing new: no second write
    assert writes == [session.row_id] and not session.history_behind
    assert history.row(session.row_id).headline.startswith("Not delivered:")


def test_a_receipt_for_a_deleted_send_is_kept_on_screen_but_not_stored_again(
    api: SmsApiClient, history: History, receiver: ReceiptReceiver,
    arrivals: queue.Queue[dict[str, str]], ledger: SendLedger,
) -> None:
    session = send_session(api, history, receiver, FAILED_RECEIPT, ledger=ledger)
    assert session.row_id is not None
    history.delete([session.row_id])
    deliver(ledger, arrivals, 1)
    assert history.count() == 0  # the deleted send did not come back
    assert session.history_problem is None and session.row_id is None
    assert session.verdict is not None and session.verdict.label is Label.NOT_DELIVERED
