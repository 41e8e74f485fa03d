"""Several recipients: in order, paced below the cap, cancellable, resumable, and never resent
except the one retry of a message throttled on every part."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsgui.core.api.client import ApiOutcome, OutgoingSms
from smsgui.core.api.decode import decode_response
from smsgui.core.checks.checks import Draft, check_draft
from smsgui.core.checks.sending import (
    MAX_THROTTLE_WAIT_S,
    UNNAMED_THROTTLE_WAIT_S,
    BatchPlan,
    BatchResult,
    BatchRunner,
    Pace,
    plan_batch,
    throttle_retry_wait,
)

ACCEPTED_PART = ('{"to":"447700900001","message-id":"M1","status":"0",'
                 '"remaining-balance":"9.9","message-price":"0.03","network":"23410"}')
THROTTLED_PART = ('{"to":"447700900001","status":"1","error-text":'
                  '"Throughput Rate Exceeded - please wait [ 700 ] and retry"}')


def body_of(*parts: str) -> str:
    return f'{{"message-count":"{len(parts)}","messages":[{",".join(parts)}]}}'


ACCEPTED = body_of(ACCEPTED_PART)
THROTTLED = body_of(THROTTLED_PART)


class FakeTime:
    """A clock that moves only when slept on or when a send takes time."""

    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def answered(body: str, http_status: int = 200, retry_after_s: float | None = None) -> ApiOutcome:
    """An outcome as the client makes it from an answer that arrived."""
    decoded = decode_response(body)
    ok = decoded.ok and http_status == 200
    return ApiOutcome(ok=ok, entry_id=decoded.entry.id if http_status == 200 else "http-429",
                      headline=decoded.headline, request=None, http_status=http_status,
                      body=body, elapsed_ms=1.0, may_have_been_sent=False,
                      retry_after_s=retry_after_s, decoded=decoded)


def unanswered(may_have_been_sent: bool) -> ApiOutcome:
    entry = "transport-read-timeout" if may_have_been_sent else "transport-connection-refused"
    return ApiOutcome(ok=False, entry_id=entry, headline="no answer", request=None,
                      http_status=None, body=None, elapsed_ms=1.0,
                      may_have_been_sent=may_have_been_sent, retry_after_s=None, decoded=None)


def plan_for(*numbers: str, text: str = "Hello", message_type: str = "auto",
             throughput: int = 10) -> BatchPlan:
    draft = Draft(recipients=numbers, sender="Acme", text=text, message_type=message_type,
                  default_region="GB", client_ref="t-1")
    return plan_batch(draft, check_draft(draft), throughput=throughput)


def numbered_plan(count: int, cap: int = 30) -> BatchPlan:
    messages = tuple(OutgoingSms(f"447700900{300 + i:03d}", "Acme", "Hi") for i in range(count))
    return BatchPlan(messages=messages, pace=Pace(cap), parts_per_message=1)


@dataclass
class Recorder:
    """A fake ``send`` answering from a script, remembering who was sent to and when."""

    time: FakeTime
    answers: Callable[[int, OutgoingSms], ApiOutcome]
    took_s: Callable[[int], float] = lambda call: 0.0
    starts: list[float] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    def __call__(self, message: OutgoingSms) -> ApiOutcome:
        call = len(self.sent)
        self.starts.append(self.time.now)
        self.sent.append(message.to)
        self.time.now += self.took_s(call)
        return self.answers(call, message)


def run(plan: BatchPlan, send: Recorder, cancelled: Callable[[], bool] = lambda: False,
        on_retry: Callable[[int, float], None] | None = None) -> BatchResult:
    runner = BatchRunner(send.time.clock, send.time.sleep)
    return runner.run(plan, send, lambda index, outcome: None, cancelled, on_retry=on_retry)


def most_starts_in_a_second(starts: Sequence[float]) -> int:
    """The most starts any half-open second [t, t + 1) holds; the worst t is always a start."""
    return max((sum(1 for later in starts if start <= later < start + 1.0) for start in starts),
               default=0)


# -- plans ------------------------------------------------------------------------------------


def test_a_plan_uses_normalized_unique_numbers_and_the_right_type() -> None:
    plan = plan_for("07700 900123", "+44 7700 900123", "447700900456", text="Grüße 😀")
    assert [m.to for m in plan.messages] == ["447700900123", "447700900456"]
    assert {m.message_type for m in plan.messages} == {"unicode"}
    assert {m.client_ref for m in plan.messages} == {"t-1"}
    assert plan.pace == Pace(10)
    assert plan_for("447700900123").messages[0].message_type == "text"


def test_the_estimate_counts_every_part_of_every_message() -> None:
    plan = plan_for("447700900123", "447700900456", text="x" * 161)
    assert plan.total_parts == 4
    assert plan.estimated_cost(Decimal("0.0333")) == Decimal("0.1332")


@pytest.mark.parametrize(("cap", "per_window", "interval_s"),
                         [(30, 27, 1 / 27), (10, 9, 1 / 9), (100, 90, 1 / 90), (29, 27, 1 / 26.1),
                          (2, 2, 1 / 1.8), (1, 1, 1 / 0.9)])
def test_the_pace_keeps_a_tenth_of_the_cap_in_reserve(cap: int, per_window: int,
                                                      interval_s: float) -> None:
    pace = Pace(cap)
    assert pace.per_window == per_window
    assert pace.interval_s == pytest.approx(interval_s)


@pytest.mark.parametrize(("cap", "margin"), [(0, 0.1), (30, 1.0), (30, -0.1)])
def test_a_pace_that_could_never_send_is_refused(cap: int, margin: float) -> None:
    with pytest.raises(ValueError, match="cap"):
        Pace(cap, margin)


# -- pacing -----------------------------------------------------------------------------------


def test_requests_start_in_order_evenly_spaced_below_the_cap() -> None:
    time = FakeTime()
    send = Recorder(time, lambda call, message: answered(ACCEPTED))
    result = run(plan_for("447700900001", "447700900002", "447700900003"), send)
    assert send.sent == ["447700900001", "447700900002", "447700900003"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(send.starts)]
    assert gaps == pytest.approx([1 / 9, 1 / 9])
    assert not result.cancelled and len(result.outcomes) == 3


def test_a_batch_runs_at_the_paced_rate_not_slower() -> None:
    time = FakeTime()
    send = Recorder(time, lambda call, message: answered(ACCEPTED))
    run(numbered_plan(55), send)
    assert send.starts[-1] - send.starts[0] == pytest.approx(54 / 27, abs=1e-6)
    assert most_starts_in_a_second(send.starts) == 27


def test_a_late_request_is_not_followed_by_a_burst() -> None:
    time = FakeTime()
    send = Recorder(time, lambda call, message: answered(ACCEPTED),
                    took_s=lambda call: 0.5 if call == 3 else 0.0)
    run(numbered_plan(13), send)
    gaps = [later - earlier for earlier, later in itertools.pairwise(send.starts)]
    assert gaps[3] == pytest.approx(0.5)  # the slow one
    # The next one makes up for a few milliseconds (it comes at the cap's own spacing), then
    # the schedule goes on: the half second is lost, not caught up in a burst.
    assert gaps[4:] == pytest.approx([1 / 30] + [1 / 27] * 7)


def test_time_made_up_for_never_puts_a_28th_start_in_a_second() -> None:
    time = FakeTime()
    send = Recorder(time, lambda call, message: answered(ACCEPTED),
                    took_s=lambda call: 1 / 27 + 0.005 if call == 0 else 0.0)
    run(numbered_plan(40), send)
    assert send.starts[1] - send.starts[0] == pytest.approx(1 / 27 + 0.005)  # late by 5 ms
    assert most_starts_in_a_second(send.starts) == 27


def test_sleeps_that_wake_a_little_late_do_not_add_up() -> None:
    time = FakeTime()

    def late_sleep(seconds: float) -> None:
        time.now += seconds + 0.003  # a busy computer wakes every sleeper 3 ms late

    send = Recorder(time, lambda call, message: answered(ACCEPTED))
    BatchRunner(time.clock, late_sleep).run(numbered_plan(271), send, lambda i, o: None,
                                            lambda: False)
    # 10 s as planned, give or take 1%; had every start's 3 ms been lost, it would be 10.81 s.
    assert send.starts[-1] - send.starts[0] == pytest.approx(270 / 27, rel=0.01)
    assert most_starts_in_a_second(send.starts) <= 27


@dataclass
class Jitter:
    """How a busy computer disturbs a run: sends that take a while, and sleeps that wake late
    (or, on a coarse clock, a little early). Each list is used over and over, in turn."""

    send_s: list[float]
    throttled: list[bool]
    late_s: list[float]
    early: list[float]
    sleeps: int = 0

    def sleep(self, time: FakeTime) -> Callable[[float], None]:
        def sleep(seconds: float) -> None:
            turn, self.sleeps = self.sleeps, self.sleeps + 1
            early = self.early[turn % len(self.early)]
            time.now += max(seconds * early, 1e-4) + self.late_s[turn % len(self.late_s)]
        return sleep


def some(values: st.SearchStrategy[object]) -> st.SearchStrategy[list[object]]:
    return st.lists(values, min_size=1, max_size=12)


JITTER = st.builds(Jitter, send_s=some(st.floats(0, 0.3)), throttled=some(st.booleans()),
                   late_s=some(st.one_of(st.just(0.0), st.floats(0, 0.08))),
                   early=some(st.one_of(st.just(1.0), st.floats(0.2, 1.0))))


@settings(max_examples=200, deadline=None)
@given(count=st.integers(1, 90), cap=st.integers(1, 60), jitter=JITTER)
def test_no_rolling_second_ever_holds_more_starts_than_the_pace_allows(
        count: int, cap: int, jitter: Jitter) -> None:
    time = FakeTime()

    def answer(call: int, message: OutgoingSms) -> ApiOutcome:
        throttled = jitter.throttled[call % len(jitter.throttled)]
        return answered(THROTTLED if throttled else ACCEPTED)

    send = Recorder(time, answer, took_s=lambda call: jitter.send_s[call % len(jitter.send_s)])
    plan = numbered_plan(count, cap)
    result = BatchRunner(time.clock, jitter.sleep(time)).run(
        plan, send, lambda index, outcome: None, lambda: False)
    pace = plan.pace
    assert most_starts_in_a_second(send.starts) <= pace.per_window <= cap
    # However late one starts, the next ones keep their distance: never closer than the cap's
    # own spacing, and cap + 1 requests always span a second plus the margin.
    gaps = [later - earlier for earlier, later in itertools.pairwise(send.starts)]
    assert all(gap >= pace.min_gap_s - 1e-9 for gap in gaps)
    spans = [send.starts[i + cap] - send.starts[i] for i in range(len(send.starts) - cap)]
    assert all(span >= pace.cap_window_s - 1e-9 for span in spans)
    assert pace.cap_window_s == pytest.approx(1 / 0.9)
    assert [outcome.throttle_retry is not None for outcome in result.outcomes].count(True) \
        == len(send.sent) - count  # every extra request is one documented retry
    assert list(dict.fromkeys(send.sent)) == [message.to for message in plan.messages]


# -- cancelling and resuming -------------------------------------------------------------------


def test_cancel_drops_the_rest_and_a_failure_is_never_resent() -> None:
    time = FakeTime()
    cancel_after_first: list[bool] = []
    send = Recorder(time, lambda call, message: unanswered(may_have_been_sent=True))
    plan = plan_for("447700900001", "447700900002", "447700900003")
    result = BatchRunner(time.clock, time.sleep).run(
        plan, send, lambda index, outcome: cancel_after_first.append(True),
        lambda: bool(cancel_after_first))
    assert send.sent == ["447700900001"]
    assert result.cancelled and result.not_started == 2 and result.can_resume
    assert result.outcomes[0].may_have_been_sent


def test_resuming_sends_only_what_was_never_started() -> None:
    time = FakeTime()
    clicked: list[bool] = []

    def answer(call: int, message: OutgoingSms) -> ApiOutcome:
        if call == 2:
            clicked.append(True)  # Cancel is clicked while the third request is in flight
        return answered(ACCEPTED)

    plan = numbered_plan(6)
    first = Recorder(time, answer)
    result = run(plan, first, cancelled=lambda: bool(clicked))
    assert result.started == 3 and result.not_started == 3
    rest = plan.remaining(result)
    assert rest.pace == plan.pace
    second = Recorder(time, lambda call, message: answered(ACCEPTED))
    resumed = run(rest, second)
    assert first.sent + second.sent == [message.to for message in plan.messages]
    assert not resumed.can_resume and rest.remaining(resumed).messages == ()


def test_a_result_cannot_resume_a_plan_it_did_not_run() -> None:
    time = FakeTime()
    result = run(numbered_plan(2), Recorder(time, lambda call, message: answered(ACCEPTED)))
    with pytest.raises(ValueError, match="cannot be resumed"):
        numbered_plan(5).remaining(result)


# -- the one retry of a throttled message ------------------------------------------------------


def test_a_message_throttled_on_every_part_is_sent_once_more_after_the_asked_wait() -> None:
    time = FakeTime()
    retries: list[tuple[int, float]] = []
    send = Recorder(time, lambda call, message: answered(THROTTLED if call == 0 else ACCEPTED))
    result = run(numbered_plan(1), send, on_retry=lambda index, wait: retries.append((index, wait)))
    assert send.sent == ["447700900300", "447700900300"]
    assert send.starts[1] - send.starts[0] >= 0.7
    assert retries == [(0, 0.7)]
    (outcome,) = result.outcomes
    assert outcome.ok and result.retried == 1
    retry = outcome.throttle_retry
    assert retry is not None
    assert retry.asked_s == 0.7 and retry.waited_s == pytest.approx(0.7, abs=0.03)
    assert (retry.first_entry_id, retry.first_body, retry.first_http_status) == \
        ("status-1", THROTTLED, 200)
    assert "Throttled" in retry.first_headline


def test_every_part_throttled_counts_as_throttled() -> None:
    time = FakeTime()
    both = body_of(THROTTLED_PART, THROTTLED_PART)
    send = Recorder(time, lambda call, message: answered(both if call == 0 else ACCEPTED))
    run(numbered_plan(1), send)
    assert len(send.sent) == 2


@pytest.mark.parametrize("first", [
    pytest.param(answered(body_of(ACCEPTED_PART, THROTTLED_PART)), id="one part accepted"),
    pytest.param(answered(f'{{"message-count":"2","messages":[{THROTTLED_PART}]}}'),
                 id="a part missing from the answer"),
    pytest.param(answered(body_of('{"to":"447700900001","status":"5","error-text":"x"}')),
                 id="another refusal"),
    pytest.param(unanswered(may_have_been_sent=True), id="may have been sent"),
    pytest.param(unanswered(may_have_been_sent=False), id="never connected"),
    pytest.param(answered(body_of(THROTTLED_PART.replace("700", "60000"))),
                 id="a wait too long"),
])
def test_nothing_else_is_ever_sent_again(first: ApiOutcome) -> None:
    time = FakeTime()
    send = Recorder(time, lambda call, message: first)
    result = run(numbered_plan(1), send)
    assert len(send.sent) == 1 and result.outcomes == (first,)
    assert throttle_retry_wait(first) is None


def test_a_second_throttled_answer_is_reported_not_sent_a_third_time() -> None:
    time = FakeTime()
    send = Recorder(time, lambda call, message: answered(THROTTLED))
    result = run(numbered_plan(1), send)
    assert len(send.sent) == 2
    (outcome,) = result.outcomes
    assert outcome.throttled and outcome.throttle_retry is not None
    assert throttle_retry_wait(outcome) is None


def test_without_a_named_wait_smsgui_waits_one_window() -> None:
    time = FakeTime()
    nameless = body_of('{"to":"447700900001","status":"1","error-text":"Throttled"}')
    send = Recorder(time, lambda call, message: answered(nameless if call == 0 else ACCEPTED))
    (outcome,) = run(numbered_plan(1), send).outcomes
    assert outcome.throttle_retry is not None and outcome.throttle_retry.asked_s is None
    assert send.starts[1] - send.starts[0] >= UNNAMED_THROTTLE_WAIT_S


def test_http_429_with_retry_after_is_waited_out_and_sent_once_more() -> None:
    time = FakeTime()
    refused = answered('{"title":"Too Many Requests"}', http_status=429, retry_after_s=2.0)
    send = Recorder(time, lambda call, message: refused if call == 0 else answered(ACCEPTED))
    (outcome,) = run(numbered_plan(1), send).outcomes
    assert outcome.ok and send.starts[1] - send.starts[0] >= 2.0
    assert outcome.throttle_retry is not None and outcome.throttle_retry.first_http_status == 429


def test_the_longest_wait_allowed_is_still_waited() -> None:
    time = FakeTime()
    longest = body_of(THROTTLED_PART.replace("700", str(int(MAX_THROTTLE_WAIT_S * 1000))))
    send = Recorder(time, lambda call, message: answered(longest if call == 0 else ACCEPTED))
    run(numbered_plan(1), send)
    assert len(send.sent) == 2 and send.starts[1] - send.starts[0] >= MAX_THROTTLE_WAIT_S


def test_cancel_during_the_wait_reports_the_throttled_answer_and_sends_nothing_more() -> None:
    time = FakeTime()
    clicked: list[bool] = []
    send = Recorder(time, lambda call, message: answered(THROTTLED))
    result = run(numbered_plan(3), send, cancelled=lambda: bool(clicked),
                 on_retry=lambda index, wait: clicked.append(True))
    assert len(send.sent) == 1
    (outcome,) = result.outcomes
    assert outcome.throttled and outcome.throttle_retry is None
    assert result.cancelled and result.not_started == 2


def test_cancel_during_the_last_messages_wait_still_counts_as_cancelled() -> None:
    time = FakeTime()
    clicked: list[bool] = []
    send = Recorder(time, lambda call, message: answered(THROTTLED))
    result = run(numbered_plan(1), send, cancelled=lambda: bool(clicked),
                 on_retry=lambda index, wait: clicked.append(True))
    assert result.cancelled and result.not_started == 0 and not result.can_resume


def test_asking_for_a_receipt_without_a_callback_still_asks() -> None:
    draft = Draft(recipients=("447700900123",), sender="Acme", text="Hi", request_receipt=True)
    (message,) = plan_batch(draft, check_draft(draft)).messages
    assert message.form_fields()["status-report-req"] == "true"
    assert "callback" not in message.form_fields()
