"""Sending one draft to several recipients: in order, below the throughput cap, cancellable.

Pacing keeps a margin below the account's cap (:class:`Pace`): requests are scheduled at 90% of
it and held to two rolling windows (never more than ``Pace.per_window`` starts in any second, nor
more than ``cap`` in any ``Pace.cap_window_s``), so a request that starts late (a busy computer,
a slow answer) is followed by evenly spaced ones, never by a burst that catches up.

Only one thing is ever sent twice: a message whose whole answer was "throttled" (status 1 on
every part, or HTTP 429), because then nothing was accepted or charged. It is sent once more,
after the wait the API asked for, if that wait is short enough and the batch is not cancelled;
the outcome records the retry (:class:`~smsgui.core.api.documents.ThrottleRetry`). Anything
else that failed, or may have reached the server, is reported and left to the person.

Cancel drops the recipients not yet started; the one in flight finishes and is reported like any
other. :meth:`BatchPlan.remaining` is what a resumed batch sends: only the messages never started.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from smsgui.core.api.apitypes import OutgoingSms
from smsgui.core.api.documents import ThrottleRetry
from smsgui.core.checks.checks import CheckReport, Draft
from smsgui.core.checks.segments import Encoding

if TYPE_CHECKING:  # planning a batch on the UI thread must not load the HTTP stack
    from smsgui.core.api.client import ApiOutcome

DEFAULT_THROUGHPUT: Final = 30
SAFETY_MARGIN: Final = 0.10
"""The share of the account's cap left unused, for the jitter between our clock and the API's."""
WINDOW_S: Final = 1.0
"""The API counts requests per second."""
MAX_THROTTLE_WAIT_S: Final = 10.0
"""A throttled message asking for a longer wait is reported, not sent once more."""
UNNAMED_THROTTLE_WAIT_S: Final = WINDOW_S
"""The wait before sending once more when a throttled answer names none: one whole window."""
_CANCEL_POLL_SECONDS: Final = 0.02

Send = Callable[[OutgoingSms], "ApiOutcome"]


@dataclass(frozen=True)
class Pace:
    """How fast a batch starts its requests: ``cap`` is the account's requests per second.

    Requests are scheduled ``interval_s`` apart (the cap less the margin) and held to two
    rolling windows: at most ``per_window`` starts in any second, and at most ``cap`` in any
    ``cap_window_s`` (1.11 s for a 10% margin). The second one is what absorbs jitter: the API
    sees ``cap + 1`` requests within one second only if they arrive more than
    ``cap_window_s - 1`` seconds closer together than they were sent.
    """

    cap: int
    margin: float = SAFETY_MARGIN

    def __post_init__(self) -> None:
        if self.cap < 1 or not 0 <= self.margin < 1:
            raise ValueError(f"a pace needs a cap of 1 or more and a margin in [0, 1): {self}")

    @property
    def rate(self) -> float:
        """The requests per second smsgui aims for: the cap less the margin."""
        return self.cap * (1 - self.margin)

    @property
    def interval_s(self) -> float:
        """The scheduled pause between two request starts."""
        return 1.0 / self.rate

    @property
    def min_gap_s(self) -> float:
        """The shortest pause ever: a start made up for lost time comes no closer than this."""
        return 1.0 / self.cap

    @property
    def make_up_s(self) -> float:
        """How late a start may be and still keep its slot on the schedule: the next start then
        comes that much sooner, but never closer than ``min_gap_s`` (3.7 ms at a cap of 30)."""
        return self.interval_s - self.min_gap_s

    @property
    def per_window(self) -> int:
        """The most request starts any rolling second may hold: as many as the rate fits in
        (27 for a cap of 30, 2 for a cap of 2, whose starts are 0.56 s apart)."""
        return max(1, math.ceil(self.rate - 1e-9))

    @property
    def cap_window_s(self) -> float:
        """The shortest span ``cap + 1`` consecutive starts may have."""
        return self.cap * self.interval_s


@dataclass(frozen=True)
class BatchPlan:
    """The messages to send, one per recipient, and how fast to start them."""

    messages: tuple[OutgoingSms, ...]
    pace: Pace
    parts_per_message: int

    @property
    def total_parts(self) -> int:
        return self.parts_per_message * len(self.messages)

    def estimated_cost(self, price_per_part: Decimal) -> Decimal:
        return price_per_part * self.total_parts

    def remaining(self, result: BatchResult) -> BatchPlan:
        """The plan of the messages ``result`` never started, for resuming a cancelled batch.

        A message that was in flight when the batch was cancelled has an outcome, so it counts
        as started and is not in the returned plan. Raises ValueError when ``result`` is not a
        run of this plan: resuming the wrong plan would resend or skip messages.
        """
        if result.started + result.not_started != len(self.messages):
            raise ValueError(f"a result of {result.started + result.not_started} messages "
                             f"cannot be resumed with a plan of {len(self.messages)}")
        return replace(self, messages=self.messages[result.started:])


@dataclass(frozen=True)
class BatchResult:
    """What a run of a plan did: an outcome per started message, in plan order."""

    outcomes: tuple[ApiOutcome, ...]
    cancelled: bool
    not_started: int

    @property
    def started(self) -> int:
        return len(self.outcomes)

    @property
    def can_resume(self) -> bool:
        """Messages were left unsent; :meth:`BatchPlan.remaining` sends only those."""
        return self.not_started > 0

    @property
    def retried(self) -> int:
        """The messages sent once more after a throttled first answer."""
        return sum(1 for outcome in self.outcomes if outcome.throttle_retry is not None)


def plan_batch(draft: Draft, report: CheckReport, throughput: int = DEFAULT_THROUGHPUT,
               status_report_callback: str | None = None) -> BatchPlan:
    """Turn a checked draft into one message per normalized recipient.

    ``auto`` becomes ``unicode`` when the text needs UCS-2, so nothing arrives as "?".
    ``throughput`` is the account's cap; the plan paces below it (see :class:`Pace`).
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
    return BatchPlan(messages=tuple(messages), pace=Pace(max(throughput, 1)),
                     parts_per_message=max(report.segments.parts, 1))


def throttle_retry_wait(outcome: ApiOutcome) -> float | None:
    """Seconds to wait before sending ``outcome``'s message once more; None: never resend it.

    Only a request throttled as a whole qualifies (nothing accepted, nothing possibly sent), only
    once, and only when the API asks for at most ``MAX_THROTTLE_WAIT_S``.
    """
    if not outcome.throttled or outcome.throttle_retry is not None:
        return None
    asked = outcome.throttle_wait_s
    wait = UNNAMED_THROTTLE_WAIT_S if asked is None else asked
    return wait if wait <= MAX_THROTTLE_WAIT_S else None


class Pacer:
    """The request starts of one run, and the earliest moment the next one may start.

    Each start has a slot on a schedule ``interval_s`` apart. A start that comes a little late
    (a sleep that woke late) is made up for by the next one, by up to ``make_up_s``, so such
    small delays do not add up; anything longer is lost, never caught up in a burst. The two
    rolling windows hold whatever the schedule says.
    """

    def __init__(self, pace: Pace) -> None:
        self._pace = pace
        self._due = -math.inf
        self._starts: deque[float] = deque(maxlen=pace.cap)

    def next_start(self) -> float:
        """The next slot, kept ``min_gap_s`` after the last start and within both rolling
        windows; ``-inf`` before the first start."""
        pace, starts = self._pace, self._starts
        if not starts:
            return -math.inf
        earliest = max(self._due, starts[-1] + pace.min_gap_s)
        if len(starts) >= pace.per_window:
            earliest = max(earliest, starts[-pace.per_window] + WINDOW_S)
        if len(starts) == pace.cap:
            earliest = max(earliest, starts[0] + pace.cap_window_s)
        return earliest

    def started(self, at: float) -> None:
        pace = self._pace
        slot = at if not self._starts else max(self._due, at - pace.make_up_s)
        self._due = slot + pace.interval_s
        self._starts.append(at)


RetryListener = Callable[[int, float], None]
"""Told (message index, seconds) when a throttled message is to be sent once more after a wait;
a cancel during that wait still drops it, and its outcome is then the throttled answer."""


@dataclass
class _Run:
    """One run's collaborators, and whether a cancel cut one of its waits short."""

    send: Send
    cancelled: Callable[[], bool]
    on_retry: RetryListener | None
    pacer: Pacer
    stopped: bool = False


class BatchRunner:
    """Runs batch plans; the clock and sleep are passed in so tests need not wait."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep

    def run(self, plan: BatchPlan, send: Send,
            on_outcome: Callable[[int, ApiOutcome], None],
            cancelled: Callable[[], bool], on_retry: RetryListener | None = None) -> BatchResult:
        """Send every message in order, paced by ``plan.pace``; a throttled one once more."""
        run = _Run(send, cancelled, on_retry, Pacer(plan.pace))
        outcomes: list[ApiOutcome] = []
        for index, message in enumerate(plan.messages):
            if not self._wait(run, run.pacer.next_start()):
                break
            outcome = self._send_once_more_if_throttled(index, message, self._start(message, run),
                                                        run)
            outcomes.append(outcome)
            on_outcome(index, outcome)
        not_started = len(plan.messages) - len(outcomes)
        return BatchResult(outcomes=tuple(outcomes), cancelled=run.stopped,
                           not_started=not_started)

    def _start(self, message: OutgoingSms, run: _Run) -> ApiOutcome:
        run.pacer.started(self._clock())
        return run.send(message)

    def _send_once_more_if_throttled(self, index: int, message: OutgoingSms,
                                     first: ApiOutcome, run: _Run) -> ApiOutcome:
        wait = throttle_retry_wait(first)
        if wait is None:
            return first
        answered_at = self._clock()
        if run.on_retry is not None:
            run.on_retry(index, wait)
        if not self._wait(run, max(answered_at + wait, run.pacer.next_start())):
            return first
        waited = self._clock() - answered_at
        second = self._start(message, run)
        return replace(second, throttle_retry=ThrottleRetry(
            waited_s=waited, asked_s=first.throttle_wait_s, first_entry_id=first.entry_id,
            first_headline=first.headline, first_http_status=first.http_status,
            first_body=first.body or ""))

    def _wait(self, run: _Run, moment: float) -> bool:
        """Wait for ``moment``; False, and the run marked stopped, as soon as it is cancelled."""
        while True:
            if run.cancelled():
                run.stopped = True
                return False
            remaining = moment - self._clock()
            if remaining <= 0:
                return True
            self._sleep(min(remaining, _CANCEL_POLL_SECONDS))
