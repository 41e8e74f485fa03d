"""Several recipients: in order, paced to the throughput cap, cancellable, never resent."""

from __future__ import annotations

import itertools
from decimal import Decimal

from smsgui.core.api.client import ApiOutcome, OutgoingSms
from smsgui.core.checks.checks import Draft, check_draft
from smsgui.core.checks.sending import BatchPlan, BatchRunner, plan_batch


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def outcome_for(message: OutgoingSms, ok: bool = True) -> ApiOutcome:
    return ApiOutcome(ok=ok, entry_id="status-0" if ok else "transport-read-timeout",
                      headline=message.to, request=None, http_status=200 if ok else None,
                      body=None, elapsed_ms=1.0, may_have_been_sent=not ok,
                      retry_after_s=None, decoded=None)


def plan_for(*numbers: str, text: str = "Hello", message_type: str = "auto") -> BatchPlan:
    draft = Draft(recipients=numbers, sender="Acme", text=text, message_type=message_type,
                  default_region="GB", client_ref="t-1")
    return plan_batch(draft, check_draft(draft), throughput=10)


def test_a_plan_uses_normalized_unique_numbers_and_the_right_type() -> None:
    plan = plan_for("07700 900123", "+44 7700 900123", "447700900456", text="Grüße 😀")
    assert [m.to for m in plan.messages] == ["447700900123", "447700900456"]
    assert {m.message_type for m in plan.messages} == {"unicode"}
    assert {m.client_ref for m in plan.messages} == {"t-1"}
    assert plan.interval_s == 0.1
    assert plan_for("447700900123").messages[0].message_type == "text"


def test_the_estimate_counts_every_part_of_every_message() -> None:
    plan = plan_for("447700900123", "447700900456", text="x" * 161)
    assert plan.total_parts == 4
    assert plan.estimated_cost(Decimal("0.0333")) == Decimal("0.1332")


def test_requests_start_in_order_no_closer_than_the_cap_allows() -> None:
    time = FakeTime()
    started: list[tuple[str, float]] = []

    def send(message: OutgoingSms) -> ApiOutcome:
        started.append((message.to, time.now))
        return outcome_for(message)

    plan = plan_for("447700900001", "447700900002", "447700900003")
    runner = BatchRunner(time.clock, time.sleep)
    result = runner.run(plan, send, lambda i, o: None, lambda: False)
    assert [number for number, _ in started] == ["447700900001", "447700900002", "447700900003"]
    gaps = [later - earlier for (_, earlier), (_, later) in itertools.pairwise(started)]
    assert all(gap >= 0.1 - 1e-9 for gap in gaps)
    assert not result.cancelled and len(result.outcomes) == 3


def test_cancel_drops_the_rest_and_a_failure_is_never_resent() -> None:
    time = FakeTime()
    sent: list[str] = []
    cancel_after_first: list[bool] = []

    def send(message: OutgoingSms) -> ApiOutcome:
        sent.append(message.to)
        return outcome_for(message, ok=False)

    def on_outcome(index: int, outcome: ApiOutcome) -> None:
        cancel_after_first.append(True)

    plan = plan_for("447700900001", "447700900002", "447700900003")
    runner = BatchRunner(time.clock, time.sleep)
    result = runner.run(plan, send, on_outcome, lambda: bool(cancel_after_first))
    assert sent == ["447700900001"]
    assert result.cancelled and result.not_started == 2
    assert result.outcomes[0].may_have_been_sent


def test_asking_for_a_receipt_without_a_callback_still_asks() -> None:
    draft = Draft(recipients=("447700900123",), sender="Acme", text="Hi", request_receipt=True)
    (message,) = plan_batch(draft, check_draft(draft)).messages
    assert message.form_fields()["status-report-req"] == "true"
    assert "callback" not in message.form_fields()
