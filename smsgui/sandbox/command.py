"""``smsgui sandbox``: serve the sandbox in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TextIO

from smsgui.core.api.apitypes import is_loopback_host
from smsgui.sandbox.config import SandboxConfig
from smsgui.sandbox.server import SandboxServer
from smsgui.sandbox.tls import LocalCertificates

logger = logging.getLogger(__name__)


def serve(config: SandboxConfig, host: str, port: int, stdout: TextIO = sys.stdout,
          certificates: LocalCertificates | None = None) -> int:
    """Print the ``Sandbox listening on`` line, then serve until told to stop.

    With ``certificates`` it serves HTTPS and, after that first line, says which file clients
    must trust and how.
    """
    if not is_loopback_host(host):
        logger.warning("The sandbox is reachable from other machines on %s, as --host asked.",
                       host)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        tls = certificates.server_context() if certificates else None
        with SandboxServer(config, host=host, port=port, tls=tls) as server:
            print(f"Sandbox listening on {server.url}", file=stdout, flush=True)
            if certificates is not None:
                print(trust_instructions(certificates.authority), file=stdout, flush=True)
            while not stop.wait(0.2):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def trust_instructions(authority: Path, windows: bool = os.name == "nt") -> str:
    """How to make a client trust ``authority``, for this shell only."""
    def setting(name: str) -> str:
        return f'$env:{name} = "{authority}"' if windows else f"export {name}='{authority}'"

    return "\n".join([
        "HTTPS: the certificate was signed by a local authority made on this computer:",
        f"  {authority}",
        "Clients must be told to trust it. In the shell that runs your client:",
        f"  Python (ssl, urllib, httpx):    {setting('SSL_CERT_FILE')}",
        f"  Python (requests, vonage 3.x):  {setting('REQUESTS_CA_BUNDLE')}",
        f"  Node.js:                        {setting('NODE_EXTRA_CA_CERTS')}",
        "Python's settings replace its usual authorities: that shell then reaches only the "
        "sandbox over HTTPS, not Vonage. Node's adds to them.",
    ])
