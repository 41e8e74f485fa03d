"""Run every smsgui benchmark: ``python bench/run.py``. Exits 1 when any budget is missed.

Each benchmark runs as its own process with an isolated HOME/XDG folder in a temporary
directory, the null keyring backend and the offscreen Qt platform; all traffic is loopback.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import isolated_env

HERE = Path(__file__).resolve().parent
SCRIPTS = ("startup.py", "responsiveness.py", "throughput.py", "decode.py", "history_search.py",
           "open_document.py", "soak.py")
TIMEOUT_S = 600
"""Per script. soak.py alone paces 2,000 sends at 30/s (67 s) and took up to 260 s on a busy
2-core machine."""


def main() -> int:
    started = time.perf_counter()
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="smsgui-bench-") as base:
        for script in SCRIPTS:
            env = isolated_env(Path(base) / script.removesuffix(".py"))
            t0 = time.perf_counter()
            try:
                done = subprocess.run([sys.executable, str(HERE / script)], env=env,
                                      capture_output=True, text=True, timeout=TIMEOUT_S,
                                      check=False)
            except subprocess.TimeoutExpired:
                print(f"{script}: timed out after {TIMEOUT_S} s MISSED", flush=True)
                failed.append(script)
                continue
            print(done.stdout, end="", flush=True)
            if done.returncode != 0:
                failed.append(script)
                lines = [line for line in done.stderr.splitlines()
                         if "propagateSizeHints" not in line]
                if not any(" MISSED" in line for line in done.stdout.splitlines()):
                    print(f"{script}: failed (exit {done.returncode})\n"
                          + "\n".join(lines[-15:]), flush=True)
            print(f"  ({script} took {time.perf_counter() - t0:.1f} s)", flush=True)
    total = time.perf_counter() - started
    verdict = f"MISSED in {', '.join(failed)}" if failed else "all budgets met"
    print(f"bench total: {total:.1f} s; {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
