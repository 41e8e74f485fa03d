"""The whole delivery loop, offline: send, receive the receipt, attach, show, save, look up.

A real sandbox POSTs its receipts (JSON) to a real ReceiptReceiver on 127.0.0.1, whose address
is the send's callback. Vonage's other two webhook formats (GET with query parameters, POST
form) are covered by catching the sandbox's receipt on a second receiver and relaying the very
same fields to the app's receiver in that format.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from conftest import api_client, start_sandbox

from smsgui.core.api.client import OutgoingSms, SmsApiClient
from smsgui.core.api.decode import ReportRecord, ReportsResponse, SendResponse
from smsgui.core.api.documents import load_document, save_document
from smsgui.core.delivery.exchange import (
    Exchange,
    exchange_from_document,
    exchange_from_outcome,
    with_report_records,
)
from smsgui.core.delivery.receipts import ReceiptBook
from smsgui.core.delivery.receiver import ReceiptReceiver
from smsgui.core.delivery.timeline import DELIVERED, MessageTimeline, timeline
from smsgui.sandbox.config import DEFAULT_API_KEY
from smsgui.sandbox.server import SandboxServer

WAIT_SECONDS = 5.0
SENDER = "AcmeInc"
OUTCOMES = [
    ("447700900000", "delivered", 0),
    ("447700900105", "failed", 5),
    ("447700900108", "failed", 8),
    ("447700900106", "rejected", 6),
    ("447700900114", "rejected", 14),
    ("447700900102", "expired", 2),
    ("447700900200", "expired", 1),
]
ENCODINGS = ["post-json", "get-query", "post-form"]


class Inbox:
    """A receiver callback that keeps receipts by message id, to relay them later."""

    def __init__(self) -> None:
        self._arrived = threading.Condition()
        self._receipts: dict[str, dict[str, str]] = {}

    def __call__(self, fields: dict[str, str]) -> None:
        with self._arrived:
            self._receipts[fields["messageId"]] = fields
            self._arrived.notify_all()

    def wait(self, message_id: str) -> dict[str, str]:
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: message_id in self._receipts,
                                             timeout=WAIT_SECONDS)
            assert arrived, f"no receipt for {message_id} reached the inbox"
            return self._receipts[message_id]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = start_sandbox(dlr_delay=0.05, rate_limit=10_000)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=WAIT_SECONDS) as client:
        yield client


@pytest.fixture(scope="module")
def api(sandbox: SandboxServer, http: httpx.Client) -> SmsApiClient:
    return api_client(sandbox, http)


@pytest.fixture(scope="module")
def book() -> ReceiptBook:
    return ReceiptBook()


@pytest.fixture(scope="module")
def receiver(book: ReceiptBook) -> Iterator[ReceiptReceiver]:
    with ReceiptReceiver(book.add) as running:
        yield running


@pytest.fixture(scope="module")
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture(scope="module")
def relay_receiver(inbox: Inbox) -> Iterator[ReceiptReceiver]:
    with ReceiptReceiver(inbox) as running:
        yield running


# -- helpers ----------------------------------------------------------------------------------

def send(api: SmsApiClient, to: str, callback: str, text: str = "hello") -> Exchange:
    exchange = exchange_from_outcome(api.send(OutgoingSms(to, SENDER, text, callback=callback)),
                                     sandbox=True)
    assert exchange.ok and exchange.send_response is not None, exchange.headline
    return exchange


def message_ids(exchange: Exchange) -> list[str]:
    assert exchange.send_response is not None
    return [part.message_id or "" for part in exchange.send_response.parts]


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def wait_for_receipt(book: ReceiptBook, message_id: str) -> dict[str, str]:
    wait_until(lambda: bool(book.for_message(message_id)), f"a receipt for {message_id}")
    (fields,) = book.for_message(message_id)
    return fields


def relay(http: httpx.Client, url: str, fields: dict[str, str], encoding: str) -> None:
    """Post a receipt the way a Vonage account set to that webhook format would."""
    if encoding == "get-query":
        response = http.get(url, params=fields)
    elif encoding == "post-form":
        response = http.post(url, data=fields)
    else:
        response = http.post(url, json=fields)
    assert response.status_code == 200


def deliver(api: SmsApiClient, http: httpx.Client, receiver: ReceiptReceiver,
            relay_receiver: ReceiptReceiver, inbox: Inbox, to: str,
            encoding: str) -> Exchange:
    """Send to ``to``; its receipt reaches ``receiver`` in ``encoding``."""
    if encoding == "post-json":
        return send(api, to, receiver.callback_url)  # the sandbox itself posts JSON
    exchange = send(api, to, relay_receiver.callback_url)
    for message_id in message_ids(exchange):
        relay(http, receiver.callback_url, inbox.wait(message_id), encoding)
    return exchange


def report(api: SmsApiClient, message_id: str) -> ReportRecord:
    outcome = api.reports([message_id], DEFAULT_API_KEY)
    assert isinstance(outcome.decoded, ReportsResponse), outcome.headline
    (record,) = outcome.decoded.records
    return record


def without_times(lines: list[MessageTimeline]) -> list[list[tuple[str, str, str | None]]]:
    return [[(e.label, e.detail, e.entry_id) for e in line.events] for line in lines]


# -- the loop ---------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("number", "status", "err_code"), OUTCOMES,
                         ids=[f"{status}-{code}" for _, status, code in OUTCOMES])
def test_a_receipt_closes_the_loop(api: SmsApiClient, http: httpx.Client, book: ReceiptBook,
                                   receiver: ReceiptReceiver, relay_receiver: ReceiptReceiver,
                                   inbox: Inbox, tmp_path: Path, number: str, status: str,
                                   err_code: int, encoding: str) -> None:
    exchange = deliver(api, http, receiver, relay_receiver, inbox, number, encoding)
    (message_id,) = message_ids(exchange)
    fields = wait_for_receipt(book, message_id)
    assert (fields["status"], fields["err-code"]) == (status, str(err_code))
    assert (fields["msisdn"], fields["to"]) == (number, SENDER)  # msisdn is the recipient

    attached = book.attach(exchange)
    delivered = err_code == 0
    receipt_entry = f"receipt-error-{err_code}"
    assert attached.ok is delivered
    assert attached.entry.id == receipt_entry  # the receipt explains it, delivered or not
    assert [(r.status, r.err_code) for r in attached.receipts] == [(status, err_code)]

    (line,) = timeline(attached)
    assert f"Receipt: {status}" in [event.label for event in line.events]
    assert line.delivered is delivered and line.verdict_entry_id == receipt_entry
    assert line.verdict.label == DELIVERED or line.verdict.label.startswith("Not delivered: ")

    path = tmp_path / "send.smsgui.json"
    save_document(attached.document, path)
    reloaded = exchange_from_document(load_document(path))
    assert reloaded.document.receipts == attached.document.receipts
    assert (reloaded.receipts, reloaded.entry, reloaded.ok) == (
        attached.receipts, attached.entry, attached.ok)
    assert without_times(timeline(reloaded)) == without_times([line])

    record = report(api, message_id)
    assert (record.status, record.error_code) == (status, err_code)
    assert record.ok is attached.receipts[0].ok and record.entry.id == receipt_entry
    (checked,) = timeline(with_report_records(attached, [record]))
    assert checked.verdict_entry_id == receipt_entry and checked.delivered is delivered
    assert f"Reports API: {status}" in [event.label for event in checked.events]


def test_an_early_receipt_is_matched_when_its_send_lands(
        api: SmsApiClient, http: httpx.Client, book: ReceiptBook, receiver: ReceiptReceiver,
        relay_receiver: ReceiptReceiver, inbox: Inbox) -> None:
    outcome = api.send(OutgoingSms("447700900106", SENDER, "early",
                                   callback=relay_receiver.callback_url))
    assert isinstance(outcome.decoded, SendResponse)
    (part,) = outcome.decoded.parts
    message_id = part.message_id or ""
    relay(http, receiver.callback_url, inbox.wait(message_id), "get-query")
    wait_for_receipt(book, message_id)  # kept, though the app has not recorded the send

    exchange = exchange_from_outcome(outcome, sandbox=True)  # the send lands now
    assert exchange.ok and exchange.receipts == ()
    attached = book.attach(exchange)
    assert not attached.ok and attached.entry.id == "receipt-error-6"


def test_a_receipt_racing_its_sends_answer_is_matched(http: httpx.Client, book: ReceiptBook,
                                                      receiver: ReceiptReceiver) -> None:
    """With no receipt delay, the receipt may beat the send's answer; either order works."""
    server = start_sandbox(dlr_delay=0.0)
    try:
        exchange = send(api_client(server, http), "447700900108", receiver.callback_url)
        (message_id,) = message_ids(exchange)
        wait_for_receipt(book, message_id)
        attached = book.attach(exchange)
    finally:
        server.stop()
    assert attached.entry.id == "receipt-error-8" and not attached.ok


def test_the_same_receipt_in_every_format_is_kept_once(
        api: SmsApiClient, http: httpx.Client, book: ReceiptBook,
        receiver: ReceiptReceiver) -> None:
    exchange = send(api, "447700900106", receiver.callback_url)
    (message_id,) = message_ids(exchange)
    fields = wait_for_receipt(book, message_id)
    for encoding in ("get-query", "post-form", "post-json"):
        relay(http, receiver.callback_url, fields, encoding)
    assert len(book.for_message(message_id)) == 1
    assert len(book.attach(exchange).receipts) == 1


def test_every_part_of_a_long_message_gets_its_receipt_and_timeline(
        api: SmsApiClient, http: httpx.Client, book: ReceiptBook, receiver: ReceiptReceiver,
        tmp_path: Path) -> None:
    exchange = send(api, "447700900000", receiver.callback_url, text="x" * 200)
    ids = message_ids(exchange)
    assert len(ids) == 2
    for message_id in ids:
        wait_for_receipt(book, message_id)
    attached = book.attach(exchange)
    assert attached.ok and len(attached.receipts) == 2
    lines = timeline(attached)
    assert [line.message_id for line in lines] == ids
    assert all(line.delivered for line in lines)
    path = tmp_path / "long.smsgui.json"
    save_document(attached.document, path)
    reloaded = exchange_from_document(load_document(path))
    assert without_times(timeline(reloaded)) == without_times(lines)
