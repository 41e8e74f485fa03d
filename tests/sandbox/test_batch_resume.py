"""A cancelled batch of 1,000 resumes with only the messages never sent, over real HTTP.

The sandbox's account keeps a record of every part it accepted, so it can say how often each
recipient really received the message: across the first run and the resume, exactly once.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal

import httpx
import pytest
from conftest import api_client, start_sandbox

from smsgui.core.api.client import ApiOutcome, OutgoingSms, SmsApiClient
from smsgui.core.checks.checks import Draft, check_draft
from smsgui.core.checks.sending import BatchPlan, BatchResult, BatchRunner, plan_batch
from smsgui.sandbox.server import SandboxServer

# 447700900100-999 are sandbox test numbers that are accepted (000-099 answer their own status);
# 447700901000-099 are not allocated to any phone, and the sandbox accepts them too.
RECIPIENTS = (*(f"447700900{n:03d}" for n in range(100, 1000)),
              *(f"447700901{n:03d}" for n in range(100)))
FAST = 5_000
"""The cap the plan paces for: the sandbox allows more, so the test takes seconds, not minutes."""


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = start_sandbox(rate_limit=10 * FAST, balance=Decimal(100))
    yield server
    server.stop()


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[SmsApiClient]:
    with httpx.Client(trust_env=False, timeout=5.0) as http:
        yield api_client(sandbox, http)


@pytest.fixture(scope="module")
def plan() -> BatchPlan:
    draft = Draft(recipients=RECIPIENTS, sender="AcmeInc", text="Hello")
    made = plan_batch(draft, check_draft(draft), throughput=FAST)
    assert [message.to for message in made.messages] == list(RECIPIENTS)
    return made


def received(sandbox: SandboxServer) -> Counter[str]:
    """How many times the sandbox accepted a message for each recipient."""
    return Counter(record.to for record in sandbox.account.records_between(-math.inf, math.inf))


def run(plan: BatchPlan, send: Callable[[OutgoingSms], ApiOutcome],
        cancelled: Callable[[], bool] = lambda: False) -> BatchResult:
    return BatchRunner().run(plan, send, lambda index, outcome: None, cancelled)


def test_a_message_in_flight_at_cancel_is_kept_and_the_resume_sends_only_the_rest(
        sandbox: SandboxServer, api: SmsApiClient, plan: BatchPlan) -> None:
    clicked = threading.Event()
    calls: list[str] = []

    def send(message: OutgoingSms) -> ApiOutcome:
        calls.append(message.to)
        if len(calls) == 500:
            clicked.set()  # Cancel arrives while this request is on its way
        return api.send(message)

    first = run(plan, send, clicked.is_set)
    assert first.cancelled and first.started == 500 and first.not_started == 500
    assert first.outcomes[-1].ok  # the one in flight finished and was reported
    assert sum(received(sandbox).values()) == 500

    rest = plan.remaining(first)
    assert rest.messages[0].to == RECIPIENTS[500]
    resumed = run(rest, api.send)
    assert not resumed.cancelled and resumed.started == 500
    assert all(outcome.ok for outcome in (*first.outcomes, *resumed.outcomes))
    assert received(sandbox) == Counter(RECIPIENTS)


def test_a_cancel_from_another_thread_at_any_moment_loses_and_repeats_nothing(
        sandbox: SandboxServer, api: SmsApiClient, plan: BatchPlan) -> None:
    clicked = threading.Event()
    results: list[BatchResult] = []
    worker = threading.Thread(target=lambda: results.append(run(plan, api.send, clicked.is_set)))
    worker.start()
    deadline = time.monotonic() + 30
    while sum(received(sandbox).values()) < 300 and time.monotonic() < deadline:
        time.sleep(0.001)
    clicked.set()  # the person clicks Cancel, wherever the batch happens to be
    worker.join(30)
    (first,) = results
    assert first.cancelled and 300 <= first.started < len(RECIPIENTS)
    assert sum(received(sandbox).values()) == first.started

    resumed = run(plan.remaining(first), api.send)
    assert first.started + resumed.started == len(RECIPIENTS)
    assert received(sandbox) == Counter(RECIPIENTS)
