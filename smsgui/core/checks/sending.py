"""Sending one draft to several recipients: in order, within the throughput cap, cancellable.

Nothing here resends: a request that failed, or may have reached the server, is reported and
left for the person to decide. Cancel drops the recipients not yet started; the one in flight
finishes and is reported like any other.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from smsgui.core.api.apitypes import OutgoingSms
from smsgui.core.checks.checks import CheckReport, Draft
from smsgui.core.checks.segments import Encoding

if TYPE_CHECKING:  # planning a batch on the UI thread must not load the HTTP stack
    from smsgui.core.api.client import ApiOutcome

DEFAULT_THROUGHPUT = 30
_CANCEL_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class BatchPlan:
    """The messages to send, one per recipient, and the pause between request starts."""

    messages: tuple[OutgoingSms, ...]
    interval_s: float
    parts_per_message: int

    @property
    def total_parts(self) -> int:
        return self.parts_per_message * len(self.messages)

    def estimated_cost(self, price_per_part: Decimal) -> Decimal:
        return price_per_part * self.total_parts


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[ApiOutcome, ...]
    cancelled: bool
    not_started: int


def plan_batch(draft: Draft, report: CheckReport, throughput: int = DEFAULT_THROUGHPUT,
               status_report_callback: str | None = None) -> BatchPlan:
    """Turn a checked draft into one message per normalized recipient.

    ``auto`` becomes ``unicode`` when the text needs UCS-2, so nothing arrives as "?".
    """
    if draft.message_type == "auto":
        message_type = "unicode" if report.segments.encoding is Encoding.UCS2 else "text"
    else:
        message_type = draft.message_type
    seen: set[str] = set()
    messages = []
    for recipient in report.recipients:
        number = recipient.e164 or recipient.input
        if number in seen:
            continue
        seen.add(number)
        messages.append(OutgoingSms(
            to=number, sender=draft.sender.strip(), text=draft.text, message_type=message_type,
            client_ref=draft.client_ref or None,
            callback=draft.callback or status_report_callback,
            ttl_ms=draft.ttl_ms,
            status_report_req=True if draft.request_receipt else draft.status_report_req,
            options=draft.options,
        ))
    return BatchPlan(messages=tuple(messages), interval_s=1.0 / max(throughput, 1),
                     parts_per_message=max(report.segments.parts, 1))


class BatchRunner:
    """Runs batch plans; the clock and sleep are passed in so tests need not wait."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep

    def run(self, plan: BatchPlan, send: Callable[[OutgoingSms], ApiOutcome],
            on_outcome: Callable[[int, ApiOutcome], None],
            cancelled: Callable[[], bool]) -> BatchResult:
        """Send every message in order, starting no two requests closer than ``interval_s``."""
        outcomes: list[ApiOutcome] = []
        next_start = self._clock()
        for index, message in enumerate(plan.messages):
            if not self._wait_until(next_start, cancelled):
                break
            next_start = self._clock() + plan.interval_s
            outcome = send(message)
            outcomes.append(outcome)
            on_outcome(index, outcome)
        not_started = len(plan.messages) - len(outcomes)
        return BatchResult(outcomes=tuple(outcomes), cancelled=not_started > 0,
                           not_started=not_started)

    def _wait_until(self, moment: float, cancelled: Callable[[], bool]) -> bool:
        """Wait for ``moment``; False as soon as the batch is cancelled."""
        while True:
            if cancelled():
                return False
            remaining = moment - self._clock()
            if remaining <= 0:
                return True
            self._sleep(min(remaining, _CANCEL_POLL_SECONDS))
