"""The one retry, over real HTTP: a message throttled on every part is sent once more, after
the wait the API named; nothing else is ever sent twice, and the record tells the same story
in the outcome, the saved document and a reopened history row."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from conftest import api_client, start_sandbox
from faultserver import FaultServer, RecordedRequest, Reply

from smsgui.core.api.client import ApiOutcome, Credentials, Endpoint, OutgoingSms, SmsApiClient
from smsgui.core.api.profiles import SANDBOX_PROFILE
from smsgui.core.checks.sending import BatchPlan, BatchResult, BatchRunner, Pace
from smsgui.core.delivery.exchange import exchange_from_document
from smsgui.core.delivery.timeline import THROTTLED_RETRIED, timeline
from smsgui.core.records.history import History
from smsgui.core.records.session import SendSession
from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.sandbox.server import SandboxServer

ALWAYS_THROTTLED = "447700900001"  # the sandbox answers status 1, "please wait [ 1000 ]"
ACCEPTED = ('{"message-count":"1","messages":[{"to":"447700900300","message-id":"F-1",'
            '"status":"0","remaining-balance":"9.9","message-price":"0.0333",'
            '"network":"23410"}]}')
UNPACED = Pace(10_000)
"""A plan that does not hold back, so the sandbox's own cap is what throttles."""


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5.0) as client:
        yield client


@pytest.fixture
def tight() -> Iterator[SandboxServer]:
    """A sandbox that takes two requests a second."""
    server = start_sandbox(rate_limit=2, balance=Decimal(10))
    yield server
    server.stop()


def plan_of(*numbers: str, pace: Pace = UNPACED) -> BatchPlan:
    return BatchPlan(tuple(OutgoingSms(number, "AcmeInc", "Hello") for number in numbers),
                     pace, 1)


def counted(send: Callable[[OutgoingSms], ApiOutcome],
            calls: list[str]) -> Callable[[OutgoingSms], ApiOutcome]:
    def send_and_count(message: OutgoingSms) -> ApiOutcome:
        calls.append(message.to)
        return send(message)
    return send_and_count


def run(plan: BatchPlan, send: Callable[[OutgoingSms], ApiOutcome]) -> BatchResult:
    return BatchRunner().run(plan, send, lambda index, outcome: None, lambda: False)


def received(sandbox: SandboxServer) -> Counter[str]:
    return Counter(record.to for record in sandbox.account.records_between(-math.inf, math.inf))


def test_a_throttled_message_is_sent_once_more_and_received_once(
        tight: SandboxServer, http: httpx.Client, tmp_path: Path) -> None:
    numbers = ("447700900300", "447700900301", "447700900302")
    calls: list[str] = []
    result = run(plan_of(*numbers), counted(api_client(tight, http).send, calls))
    assert calls == [*numbers, numbers[2]]
    assert all(outcome.ok for outcome in result.outcomes) and result.retried == 1
    assert received(tight) == Counter(numbers)
    retry = result.outcomes[2].throttle_retry
    assert retry is not None and retry.first_entry_id == "status-1"
    assert retry.asked_s is not None and 0 < retry.asked_s <= 1.0
    assert retry.waited_s >= retry.asked_s
    assert "please wait [" in retry.first_body

    history = History(tmp_path / "history.sqlite3")
    with history:
        session = SendSession(SANDBOX_PROFILE, default_knowledge_base(), history,
                              clock=lambda: datetime(2026, 12, 3, 9, tzinfo=UTC))
        for outcome in result.outcomes:
            session.add_outcome(outcome)
        session.finish()
        assert session.row_id is not None
        reopened = [exchange_from_document(document) for document in history.load(session.row_id)]
    notes = [exchange.retry_note for exchange in reopened]
    assert notes[:2] == [None, None]
    assert notes[2] == session.exchanges[2].retry_note
    assert notes[2] is not None and notes[2].startswith("Throttled at first: smsgui waited")
    (story,) = timeline(reopened[2])
    assert story.events[0].label == THROTTLED_RETRIED


def test_a_message_throttled_twice_is_sent_twice_and_no_more(
        http: httpx.Client) -> None:
    with start_sandbox(rate_limit=1000) as sandbox:
        calls: list[str] = []
        result = run(plan_of(ALWAYS_THROTTLED), counted(api_client(sandbox, http).send, calls))
        assert calls == [ALWAYS_THROTTLED] * 2
        assert received(sandbox) == Counter()
    (outcome,) = result.outcomes
    assert outcome.throttled and not outcome.ok
    assert outcome.throttle_retry is not None and outcome.throttle_retry.asked_s == 1.0


def test_pacing_below_the_cap_needs_no_retry(tight: SandboxServer, http: httpx.Client) -> None:
    numbers = ("447700900300", "447700900301", "447700900302", "447700900303")
    calls: list[str] = []
    result = run(plan_of(*numbers, pace=Pace(2)), counted(api_client(tight, http).send, calls))
    assert calls == list(numbers) and result.retried == 0
    assert received(tight) == Counter(numbers)


def client_for(server: FaultServer, http: httpx.Client) -> SmsApiClient:
    return SmsApiClient(http, Credentials("abcd1234", "secret-value"),
                        Endpoint(server.url, server.url))


def test_http_429_is_waited_out_for_as_long_as_retry_after_says(http: httpx.Client) -> None:
    def answer(request: RecordedRequest) -> Reply:
        if len(server.requests) == 1:
            return Reply(status=429, body='{"title":"Too Many Requests"}',
                         headers=(("Content-Type", "application/json"), ("Retry-After", "1")))
        return Reply(body=ACCEPTED)

    with FaultServer(answer) as server:
        result = run(plan_of("447700900300"), client_for(server, http).send)
        assert len(server.requests) == 2
    (outcome,) = result.outcomes
    assert outcome.ok and outcome.throttle_retry is not None
    assert outcome.throttle_retry.first_http_status == 429
    assert outcome.throttle_retry.waited_s >= 1.0


@pytest.mark.parametrize("reply", [
    pytest.param(Reply(close_without_answer=True), id="connection closed: may have been sent"),
    pytest.param(Reply(status=503, body="busy", headers=(("Retry-After", "1"),)),
                 id="HTTP 503: may have been sent"),
    pytest.param(Reply(body=ACCEPTED.replace('"status":"0"', '"status":"5"')),
                 id="another refusal"),
])
def test_nothing_else_is_sent_twice(http: httpx.Client, reply: Reply) -> None:
    with FaultServer(reply) as server:
        (outcome,) = run(plan_of("447700900300"), client_for(server, http).send).outcomes
        assert len(server.requests) == 1
    assert outcome.throttle_retry is None and not outcome.ok
