"""Throughput: 200 recipients through the sandbox capped at 30 requests/s; decoding 1,000 parts.

Sends go through the core (BatchRunner + SmsApiClient, throughput 30) to a SandboxServer on
127.0.0.1 with ``rate_limit=30``. The batch must take 200/30 s within 10% and no answer may be
throttled (status 1). Baseline: the same client sending 20 messages back to back to a sandbox
with no practical cap, scaled to 200 (the time the network and sandbox themselves need).
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Results, isolate_this_process

RECIPIENTS = 200
RATE = 30
TOLERANCE = 0.10
BASELINE_SENDS = 20


def _statuses(outcome: object) -> list[int | None]:
    decoded = getattr(outcome, "decoded", None)
    parts = getattr(decoded, "parts", None) or ()
    return [part.status for part in parts]


def main() -> int:
    isolate_this_process()
    from smsgui.core.api.client import (
        Credentials,
        Endpoint,
        OutgoingSms,
        SmsApiClient,
        make_http_client,
    )
    from smsgui.core.checks.sending import BatchPlan, BatchRunner
    from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, SandboxConfig
    from smsgui.sandbox.server import SandboxServer

    def messages(count: int) -> tuple[OutgoingSms, ...]:
        # 447700900300-499: sandbox test numbers that are simply accepted (000-2xx are magic).
        return tuple(OutgoingSms(to=f"447700900{300 + i:03d}", sender="AcmeInc", text="Bench")
                     for i in range(count))

    results = Results()
    credentials = Credentials(DEFAULT_API_KEY, DEFAULT_API_SECRET)
    with make_http_client() as http:
        # Baseline: back to back, to a sandbox that does not throttle.
        with SandboxServer(SandboxConfig(rate_limit=10_000, balance=Decimal("1000"),
                                         dlr_delay=3600)) as free:
            client = SmsApiClient(http, credentials, Endpoint(free.url, free.url))
            client.send(messages(1)[0])  # warm the connection
            started = time.perf_counter()
            for message in messages(BASELINE_SENDS):
                client.send(message)
            per_send = (time.perf_counter() - started) / BASELINE_SENDS

        with SandboxServer(SandboxConfig(rate_limit=RATE, balance=Decimal("1000"),
                                         dlr_delay=3600)) as sandbox:
            client = SmsApiClient(http, credentials, Endpoint(sandbox.url, sandbox.url))
            plan = BatchPlan(messages=messages(RECIPIENTS), interval_s=1.0 / RATE,
                             parts_per_message=1)
            deadline = time.monotonic() + 60
            started = time.perf_counter()
            result = BatchRunner().run(plan, client.send, lambda index, outcome: None,
                                       lambda: time.monotonic() > deadline)
            elapsed = time.perf_counter() - started

    statuses = [status for outcome in result.outcomes for status in _statuses(outcome)]
    throttled = statuses.count(1)
    failed = sum(1 for outcome in result.outcomes if not outcome.ok)
    ideal = RECIPIENTS / RATE
    low, high = ideal * (1 - TOLERANCE), ideal * (1 + TOLERANCE)
    ok = (low <= elapsed <= high and throttled == 0 and failed == 0
          and len(result.outcomes) == RECIPIENTS)
    results.line("throughput 200 sends @30/s", elapsed, "s",
                 f"{low:.2f}..{high:.2f} s, 0 throttled",
                 f"ideal {ideal:.2f} s; uncapped {per_send * 1000:.1f} ms/send = "
                 f"{per_send * RECIPIENTS:.2f} s for 200", ok,
                 f"{len(result.outcomes)} sent, {throttled} throttled, {failed} failed"
                 + (f", other statuses {sorted(set(statuses) - {0})}" if failed else ""))
    return results.exit_code()


if __name__ == "__main__":
    sys.exit(main())
