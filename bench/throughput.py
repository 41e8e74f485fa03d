"""Throughput: 200 recipients through the sandbox capped at 30 requests/s, idle and under load.

Sends go through the core (BatchRunner + SmsApiClient, throughput 30) to a SandboxServer on
127.0.0.1 with ``rate_limit=30``. The runner paces below the cap (``Pace``: 27 requests/s for a
cap of 30), so a batch should take 200 / 27 s within 10% and no answer may be throttled
(status 1), not even one the runner then sent once more. The loaded run does the same while two
busy-loop processes keep both cores busy (they are always killed); it may take up to 25% longer
but must not be throttled either. Baseline: the same client sending 20 messages back to back to
a sandbox with no practical cap, scaled to 200 (the time the network and sandbox themselves
need), measured idle and under the same load.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Results, isolate_this_process

RECIPIENTS = 200
RATE = 30
TOLERANCE = 0.10
LOADED_TOLERANCE = 0.25
"""Under load a request now and then takes 100-300 ms instead of 5; that time is lost (the
runner never catches up in a burst), so the loaded run may take longer. It may not throttle."""
BASELINE_SENDS = 20
BUSY_PROCESSES = 2
BUSY_LOOP = "while True: pass"


def _statuses(outcome: Any) -> list[int | None]:
    decoded = getattr(outcome, "decoded", None)
    parts = getattr(decoded, "parts", None) or ()
    return [part.status for part in parts]


@contextmanager
def busy_cores(count: int) -> Iterator[None]:
    """``count`` processes spinning in a loop for as long as the block runs; killed after it."""
    spinners: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(count):
            spinners.append(subprocess.Popen([sys.executable, "-c", BUSY_LOOP]))
        time.sleep(0.3)  # let them start spinning before the clock starts
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


def _messages(count: int) -> tuple[Any, ...]:
    from smsgui.core.api.client import OutgoingSms

    # 447700900300-499: sandbox test numbers that are simply accepted (000-2xx are magic).
    return tuple(OutgoingSms(to=f"447700900{300 + i:03d}", sender="AcmeInc", text="Bench")
                 for i in range(count))


def _uncapped_per_send(http: Any, credentials: Any) -> float:
    """Seconds per send, back to back, to a sandbox that does not throttle."""
    from smsgui.core.api.client import Endpoint, SmsApiClient
    from smsgui.sandbox.config import SandboxConfig
    from smsgui.sandbox.server import SandboxServer

    with SandboxServer(SandboxConfig(rate_limit=10_000, balance=Decimal("1000"),
                                     dlr_delay=3600)) as free:
        client = SmsApiClient(http, credentials, Endpoint(free.url, free.url))
        client.send(_messages(1)[0])  # warm the connection
        started = time.perf_counter()
        for message in _messages(BASELINE_SENDS):
            client.send(message)
        return (time.perf_counter() - started) / BASELINE_SENDS


def _paced_batch(http: Any, credentials: Any) -> tuple[float, Any]:
    """Elapsed seconds and the BatchResult of RECIPIENTS sends to a sandbox capped at RATE."""
    from smsgui.core.api.client import Endpoint, SmsApiClient
    from smsgui.core.checks.sending import BatchPlan, BatchRunner, Pace
    from smsgui.sandbox.config import SandboxConfig
    from smsgui.sandbox.server import SandboxServer

    with SandboxServer(SandboxConfig(rate_limit=RATE, balance=Decimal("1000"),
                                     dlr_delay=3600)) as sandbox:
        client = SmsApiClient(http, credentials, Endpoint(sandbox.url, sandbox.url))
        plan = BatchPlan(messages=_messages(RECIPIENTS), pace=Pace(RATE), parts_per_message=1)
        deadline = time.monotonic() + 60
        started = time.perf_counter()
        result = BatchRunner().run(plan, client.send, lambda index, outcome: None,
                                   lambda: time.monotonic() > deadline)
        return time.perf_counter() - started, result


def _report(results: Results, name: str, elapsed: float, result: Any,  # noqa: PLR0913, PLR0917
            per_send: float, tolerance: float) -> None:
    from smsgui.core.checks.sending import Pace

    rate = Pace(RATE).rate
    statuses = [status for outcome in result.outcomes for status in _statuses(outcome)]
    throttled = statuses.count(1) + result.retried  # a retried message was throttled at first
    failed = sum(1 for outcome in result.outcomes if not outcome.ok)
    ideal = RECIPIENTS / rate
    low, high = ideal * (1 - TOLERANCE), ideal * (1 + tolerance)
    ok = (low <= elapsed <= high and throttled == 0 and failed == 0
          and len(result.outcomes) == RECIPIENTS)
    results.line(name, elapsed, "s", f"{low:.2f}..{high:.2f} s, 0 throttled",
                 f"ideal {ideal:.2f} s = {RECIPIENTS} / {rate:.0f} per s (cap {RATE}, paced "
                 f"{rate / RATE:.0%}); uncapped {per_send * 1000:.1f} ms/send = "
                 f"{per_send * RECIPIENTS:.2f} s for {RECIPIENTS}", ok,
                 f"{len(result.outcomes)} sent, {throttled} throttled, {result.retried} retried, "
                 f"{failed} failed"
                 + (f", other statuses {sorted(set(statuses) - {0})}" if failed else ""))


def main() -> int:
    isolate_this_process()
    from smsgui.core.api.client import Credentials, make_http_client
    from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET

    results = Results()
    credentials = Credentials(DEFAULT_API_KEY, DEFAULT_API_SECRET)
    with make_http_client() as http:
        per_send = _uncapped_per_send(http, credentials)
        elapsed, result = _paced_batch(http, credentials)
        _report(results, f"throughput {RECIPIENTS} sends @{RATE}/s", elapsed, result, per_send,
                TOLERANCE)
        with busy_cores(BUSY_PROCESSES):
            per_send = _uncapped_per_send(http, credentials)
            elapsed, result = _paced_batch(http, credentials)
        _report(results, f"throughput {RECIPIENTS} sends @{RATE}/s, {BUSY_PROCESSES} cores busy",
                elapsed, result, per_send, LOADED_TOLERANCE)
    return results.exit_code()


if __name__ == "__main__":
    sys.exit(main())
