"""Jobs run off the UI thread, report by signals, cancel cleanly and never freeze the window."""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from faultserver import FaultServer, Reply
from PySide6.QtCore import QThreadPool, QTimer
from pytestqt.qtbot import QtBot

from smsgui.core.api.client import ApiOutcome, Credentials, Endpoint, SmsApiClient
from smsgui.core.api.decode import SendResponse
from smsgui.core.api.secrets import SecretProblem
from smsgui.core.checks.checks import Draft, check_draft
from smsgui.core.checks.sending import BatchPlan, BatchResult, plan_batch
from smsgui.sandbox.config import SandboxConfig
from smsgui.sandbox.server import SandboxServer
from smsgui.ui.workers import CallJob, JobFailure, SendJob

ACCEPTED = ('{"message-count":"1","messages":[{"to":"447700900000","message-id":"A","status":"0",'
            '"remaining-balance":"9.9","message-price":"0.03","network":"23410"}]}')


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    threads = QThreadPool()
    yield threads
    threads.waitForDone(10_000)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5) as client:
        yield client


def plan(*numbers: str, throughput: int = 30) -> BatchPlan:
    draft = Draft(recipients=numbers, sender="AcmeInc", text="Hello")
    return plan_batch(draft, check_draft(draft), throughput=throughput)


def client_for(url: str, http: httpx.Client) -> SmsApiClient:
    return SmsApiClient(http, Credentials("sandbox1", "SandboxSecret123"), Endpoint(url, url))


def test_a_batch_reports_each_recipient_then_the_result(
    qtbot: QtBot, pool: QThreadPool, http: httpx.Client
) -> None:
    with SandboxServer() as sandbox:
        client = client_for(sandbox.url, http)
        job = SendJob(plan("447700900000", "447700900029"), lambda: client)
        progress: list[tuple[int, ApiOutcome]] = []
        job.signals.progressed.connect(lambda index, outcome: progress.append((index, outcome)))
        with qtbot.waitSignal(job.signals.finished, timeout=10_000) as blocker:
            pool.start(job)
    result = blocker.args[0]
    assert isinstance(result, BatchResult) and not result.cancelled
    assert [index for index, _ in progress] == [0, 1]
    statuses = []
    for _, outcome in progress:
        assert isinstance(outcome.decoded, SendResponse)
        statuses.append(outcome.decoded.parts[0].status)
    assert statuses == [0, 29]


def test_cancel_drops_pending_recipients_and_finishes_the_one_in_flight(
    qtbot: QtBot, pool: QThreadPool, http: httpx.Client
) -> None:
    with FaultServer(Reply(body=ACCEPTED, delay_s=0.3)) as server:
        client = client_for(server.url, http)
        job = SendJob(plan("447700900000", "447700900001", "447700900002"), lambda: client)
        with qtbot.waitSignal(job.signals.finished, timeout=10_000) as blocker:
            pool.start(job)
            QTimer.singleShot(100, job.cancel)  # the person clicks Cancel mid-request
        assert len(server.requests) == 1
    result = blocker.args[0]
    assert result.cancelled and result.not_started == 2 and len(result.outcomes) == 1


def test_the_ui_thread_never_stalls_during_a_slow_send(
    qtbot: QtBot, pool: QThreadPool, http: httpx.Client
) -> None:
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    with FaultServer(Reply(body=ACCEPTED, delay_s=0.8)) as server:
        client = client_for(server.url, http)
        job = SendJob(plan("447700900000", "447700900001"), lambda: client)
        timer.start()
        with qtbot.waitSignal(job.signals.finished, timeout=10_000):
            pool.start(job)
        timer.stop()
    longest_gap = max(later - earlier for earlier, later in itertools.pairwise(ticks))
    assert len(ticks) > 100
    # The request takes 0.8 s: made on the UI thread, it would stop the ticks for that long.
    assert longest_gap < 0.200, f"the UI thread stalled for {longest_gap * 1000:.0f} ms"


def test_an_unexpected_error_becomes_a_value_not_a_crash(qtbot: QtBot,
                                                         pool: QThreadPool) -> None:
    def broken() -> object:
        raise KeyError("boom")

    job = CallJob(broken)
    with qtbot.waitSignal(job.signals.finished, timeout=5_000) as blocker:
        pool.start(job)
    failure = blocker.args[0]
    assert isinstance(failure, JobFailure)
    assert "KeyError" in failure.headline and "boom" in failure.detail


def test_a_client_that_cannot_be_made_is_reported_not_sent(qtbot: QtBot,
                                                            pool: QThreadPool) -> None:
    problem = SecretProblem("Your keyring is locked", "It is locked.", "Unlock it.")
    job = SendJob(plan("447700900000"), lambda: problem)
    with qtbot.waitSignal(job.signals.finished, timeout=5_000) as blocker:
        pool.start(job)
    assert blocker.args[0] is problem


def test_a_throttled_message_is_announced_then_sent_once_more(
    qtbot: QtBot, pool: QThreadPool, http: httpx.Client
) -> None:
    with SandboxServer(SandboxConfig(rate_limit=1)) as sandbox:
        client = client_for(sandbox.url, http)
        job = SendJob(plan("447700900300", "447700900301", throughput=1000), lambda: client)
        retries: list[tuple[int, float]] = []
        job.signals.retrying.connect(lambda index, wait: retries.append((index, wait)))
        with qtbot.waitSignal(job.signals.finished, timeout=10_000) as blocker:
            pool.start(job)
        accepted = Counter(r.to for r in sandbox.account.records_between(-math.inf, math.inf))
    result = blocker.args[0]
    assert isinstance(result, BatchResult) and result.retried == 1
    assert [index for index, _ in retries] == [1] and 0 < retries[0][1] <= 1.0
    assert all(outcome.ok for outcome in result.outcomes)
    assert accepted == Counter({"447700900300": 1, "447700900301": 1})


def test_a_cancelled_job_resumes_with_only_the_messages_never_sent(
    qtbot: QtBot, pool: QThreadPool, http: httpx.Client
) -> None:
    numbers = tuple(f"447700900{n:03d}" for n in range(300, 500))
    with SandboxServer(SandboxConfig(rate_limit=10_000, balance=Decimal(100))) as sandbox:
        client = client_for(sandbox.url, http)
        job = SendJob(plan(*numbers, throughput=2000), lambda: client)

        def cancel_after_fifty(index: int, outcome: ApiOutcome) -> None:
            if index == 49:  # the person clicks Cancel; more may have started by now
                job.cancel()

        job.signals.progressed.connect(cancel_after_fifty)
        with qtbot.waitSignal(job.signals.finished, timeout=20_000) as blocker:
            pool.start(job)
        first = blocker.args[0]
        assert isinstance(first, BatchResult) and first.cancelled and first.can_resume
        resumed_job = SendJob(job.plan.remaining(first), lambda: client)
        with qtbot.waitSignal(resumed_job.signals.finished, timeout=20_000) as blocker:
            pool.start(resumed_job)
        accepted = Counter(r.to for r in sandbox.account.records_between(-math.inf, math.inf))
    resumed = blocker.args[0]
    assert isinstance(resumed, BatchResult) and not resumed.cancelled
    assert first.started + resumed.started == len(numbers)
    assert accepted == Counter(numbers)
