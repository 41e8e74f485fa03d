"""``smsgui sandbox``: serve the sandbox in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType
from typing import TextIO

from smsgui.core.api.apitypes import is_loopback_host
from smsgui.sandbox.config import SandboxConfig
from smsgui.sandbox.server import SandboxServer

logger = logging.getLogger(__name__)


def serve(config: SandboxConfig, host: str, port: int, stdout: TextIO = sys.stdout) -> int:
    """Print the one ``Sandbox listening on`` line, then serve until told to stop."""
    if not is_loopback_host(host):
        logger.warning("The sandbox is reachable from other machines on %s, as --host asked.",
                       host)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with SandboxServer(config, host=host, port=port) as server:
            print(f"Sandbox listening on {server.url}", file=stdout, flush=True)
            while not stop.wait(0.2):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
