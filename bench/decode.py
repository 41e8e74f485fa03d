"""Decoding a 1,000-part send response in the core (decode_response), median of several runs.

Baseline: json.loads of the same body, measured in the same run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Results, isolate_this_process, median

PARTS = 1000
RUNS = 9
BUDGET_MS = 20.0


def body(parts: int) -> str:
    messages = []
    for i in range(parts):
        status = (0, 0, 0, 1, 29, 6)[i % 6]
        message = {"to": f"4477009{i:05d}", "status": str(status),
                   "network": "23410", "client-ref": "bench"}
        if status == 0:
            message.update({"message-id": f"{i * 7919:016X}", "remaining-balance": "9.50",
                            "message-price": "0.0333"})
        else:
            message["error-text"] = "Throughput Rate Exceeded - please wait [ 250 ] and retry"
        messages.append(message)
    return json.dumps({"message-count": str(parts), "messages": messages})


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000


def main() -> int:
    isolate_this_process()
    from smsgui.core.api.decode import decode_response
    from smsgui.core.reference.knowledge import default_knowledge_base
    from smsgui.core.reference.networks import default_network_table

    text = body(PARTS)
    default_knowledge_base()
    default_network_table()  # loading the tables once is start-up's cost, not decoding's
    decoded = decode_response(text)
    assert len(decoded.parts) == PARTS, decoded  # type: ignore[union-attr]
    decode_ms = median([timed(lambda: decode_response(text)) for _ in range(RUNS)])
    json_ms = median([timed(lambda: json.loads(text)) for _ in range(RUNS)])
    results = Results()
    results.line("decode 1000-part response", decode_ms, "ms", f"<= {BUDGET_MS:.0f} ms",
                 f"json.loads {json_ms:.2f} ms", decode_ms <= BUDGET_MS,
                 f"median of {RUNS}, {len(text) // 1024} KiB body")
    return results.exit_code()


if __name__ == "__main__":
    sys.exit(main())
