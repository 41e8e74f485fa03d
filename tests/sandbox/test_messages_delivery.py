"""A Messages API send followed to its end, offline: the sandbox POSTs its status webhooks to
the app's own ReceiptReceiver, and the send's one record - its exchange, its saved document, its
history row - ends with the same verdict as an SMS API send's receipt would give."""

from __future__ import annotations

# ruff: noqa: F811 - the fixtures imported below are named as arguments
import queue
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from conftest import start_sandbox
from test_send_session import arrivals, receiver  # noqa: F401 - fixtures, found by name

from smsgui.core.api.apitypes import Credentials, Endpoint, OutgoingSms
from smsgui.core.api.documents import load_document, save_document
from smsgui.core.api.messages import MessagesApiClient, MessagesOptions
from smsgui.core.api.profiles import SANDBOX_PROFILE
from smsgui.core.delivery.exchange import exchange_from_document
from smsgui.core.delivery.receipts import ReceiptBook
from smsgui.core.delivery.receiver import ReceiptReceiver
from smsgui.core.delivery.verdict import Label
from smsgui.core.records.history import History
from smsgui.core.records.session import SendLedger, SendSession
from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET
from smsgui.sandbox.server import SandboxServer

WAIT_S = 5.0


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with start_sandbox(dlr_delay=0.1) as running:
        yield running


@pytest.mark.parametrize(("to", "label", "entry", "updates"), [
    ("447700900000", Label.DELIVERED, "messages-status-delivered", 2),
    ("447700900105", Label.NOT_DELIVERED, "messages-1200", 2),
    ("447700900006", Label.NOT_DELIVERED, "messages-1250", 1),
])
def test_status_webhooks_reach_the_send_and_its_history_row(
    sandbox: SandboxServer, receiver: ReceiptReceiver, arrivals: queue.Queue[dict[str, str]],
    tmp_path: Path, to: str, label: Label, entry: str, updates: int,
) -> None:
    history = History(tmp_path / "history.sqlite3")
    ledger = SendLedger(ReceiptBook())
    session = SendSession(SANDBOX_PROFILE, default_knowledge_base(), history,
                          clock=lambda: datetime(2026, 12, 3, tzinfo=UTC))
    with httpx.Client(trust_env=False, timeout=WAIT_S) as http:
        client = MessagesApiClient(http, Credentials(DEFAULT_API_KEY, DEFAULT_API_SECRET),
                                   Endpoint(sandbox.url, sandbox.url))
        session.add_outcome(client.send(
            OutgoingSms(to=to, sender="AcmeInc", text="Hello"),
            MessagesOptions(webhook_url=receiver.callback_url)))
    session.finish()
    ledger.track(session)
    for _ in range(updates):
        ledger.take_receipt(arrivals.get(timeout=WAIT_S))
    assert session.verdict is not None and session.verdict.label is label
    (exchange,) = session.exchanges
    assert exchange.entry.id == entry
    assert session.row_id is not None and history.row(session.row_id).entry_id == entry

    saved = tmp_path / "sent.json"
    save_document(exchange.document, saved)
    reopened = exchange_from_document(load_document(saved))
    assert (reopened.entry.id, reopened.verdict.label) == (entry, exchange.verdict.label)
    history.close()


@pytest.mark.parametrize("to", ["447700900201", "573001234567"],
                         ids=["buffered", "a country without receipts"])
def test_a_message_with_no_final_news_stays_submitted(
    sandbox: SandboxServer, receiver: ReceiptReceiver, arrivals: queue.Queue[dict[str, str]],
    tmp_path: Path, to: str,
) -> None:
    """A buffered SMS is still being tried and Colombia's networks report nothing: no final
    status comes, so the message stays submitted - never "rejected" for want of news."""
    session = SendSession(SANDBOX_PROFILE, default_knowledge_base(), None)
    with httpx.Client(trust_env=False, timeout=WAIT_S) as http:
        client = MessagesApiClient(http, Credentials(DEFAULT_API_KEY, DEFAULT_API_SECRET),
                                   Endpoint(sandbox.url, sandbox.url))
        session.add_outcome(client.send(OutgoingSms(to=to, sender="AcmeInc", text="Hello"),
                                        MessagesOptions(webhook_url=receiver.callback_url)))
        message_uuid = session.exchanges[0].message_ids[0]
        session.finish()
        ledger = SendLedger(ReceiptBook())
        ledger.track(session)
        first = arrivals.get(timeout=WAIT_S)
        assert first["status"] == "submitted"
        ledger.take_receipt(first)
        with pytest.raises(queue.Empty):
            arrivals.get(timeout=0.5)  # five times the sandbox's receipt delay
        assert session.verdict is not None and session.verdict.label is Label.ACCEPTED
        reports = client.reports([message_uuid], DEFAULT_API_KEY)
    assert reports.decoded is not None and reports.decoded.kind == "reports"
    (record,) = reports.decoded.records  # type: ignore[union-attr]
    assert record.status == "submitted" and record.ok
