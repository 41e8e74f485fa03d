"""History: searching 100,000 recorded sends (History.search), typical queries, median of runs.

Baseline: reading the newest 500 rows with plain SQL from the same file (no search at all).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # history_fill
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Results, isolate_this_process, median

RUNS = 5
BUDGET_MS = 50.0


def main() -> int:
    base = isolate_this_process()
    from history_fill import ROWS, make_history

    from smsgui.core.records.history import History

    path = Path(tempfile.mkdtemp(dir=base)) / "history.sqlite3"
    started = time.perf_counter()
    make_history(path)
    fill_s = time.perf_counter() - started
    message_id = f"{54321 * 7919:016X}"
    queries = {"number": "447700054321", "message id": message_id, "status": "status 29",
               "date": "2025-06-15", "national number": "07700 054 321",
               "partial id": message_id[-7:].lower(), "empty": ""}
    timings: dict[str, float] = {}
    with History(path) as history:
        assert history.count() == ROWS, history.count()
        mode = "FTS5 trigram" if history.full_text else "scan"
        for label, query in queries.items():
            history.search(query)  # first run warms SQLite's page cache
            runs = []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                history.search(query)
                runs.append((time.perf_counter() - t0) * 1000)
            timings[label] = median(runs)
    connection = sqlite3.connect(path)
    plain = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        connection.execute("SELECT * FROM sends ORDER BY id DESC LIMIT 500").fetchall()
        plain.append((time.perf_counter() - t0) * 1000)
    connection.close()
    worst_label = max(timings, key=timings.__getitem__)
    worst = timings[worst_label]
    results = Results()
    results.line("history search 100k (slowest query)", worst, "ms", f"<= {BUDGET_MS:.0f} ms",
                 f"plain SELECT of 500 rows {median(plain):.1f} ms", worst <= BUDGET_MS,
                 f"{mode}; slowest {worst_label!r}; "
                 + ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
                 + f"; fill {fill_s:.1f} s")
    return results.exit_code()


if __name__ == "__main__":
    sys.exit(main())
