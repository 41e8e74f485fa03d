"""A small threaded HTTP server for this computer: the sandbox and the receipt receiver share it.

``LoopbackHTTPServer`` is a ``ThreadingHTTPServer`` that remembers its open connections, so
closing it cuts idle keep-alive clients instead of waiting for their timeout, and that keeps a
large listen backlog so a burst of clients is not reset. ``LoopbackRequestHandler`` speaks
HTTP/1.1 without Nagle's delay, logs without query strings, and lets clients that go away go
quietly. ``read_body`` reads a request body only when a single, plain Content-Length frames it.
``LoopbackServer`` runs all of it on a background thread and stops it cleanly.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final, Generic, Self, TypeVar

logger = logging.getLogger(__name__)

POLL_INTERVAL: Final = 0.05
CLIENT_TIMEOUT_SECONDS: Final = 10
LISTEN_BACKLOG: Final = 128

OwnerT = TypeVar("OwnerT")


class LoopbackHTTPServer(ThreadingHTTPServer, Generic[OwnerT]):
    """A threaded HTTP server whose ``server_close`` ends every request thread promptly.

    ``owner`` is whatever the handlers answer for (a sandbox, a receipt receiver); handlers
    reach it as ``self.server.owner``.
    """

    daemon_threads = False
    block_on_close = True
    request_queue_size = LISTEN_BACKLOG  # the default 5 resets connections under a burst

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 owner: OwnerT, tls: ssl.SSLContext | None = None) -> None:
        self.owner = owner
        self.tls = tls
        self._closing = False
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Answer the connection; with ``tls``, only after its handshake, on this thread."""
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        secured = self._secured(request, client_address[0])
        if secured is None:
            return
        try:
            super().finish_request(secured, client_address)
        finally:
            self._forget(secured)
            secured.close()

    def _secured(self, raw: socket.socket, client: str) -> ssl.SSLSocket | None:
        """``raw`` after a TLS handshake; None (said and logged) for a client that spoke plain
        HTTP or whose handshake failed."""
        try:
            secured = self._wrapped(raw, client)
        except OSError as error:
            logger.debug("Client %s went away before its handshake: %s", client, error)
            return None
        if secured is None or self._shook_hands(secured, client):
            return secured
        self._forget(secured)
        secured.close()
        return None

    def _wrapped(self, raw: socket.socket, client: str) -> ssl.SSLSocket | None:
        """``raw`` ready for its handshake; None once a plain-HTTP client has been told."""
        assert self.tls is not None
        raw.settimeout(CLIENT_TIMEOUT_SECONDS)
        first = raw.recv(1, socket.MSG_PEEK)
        if not first:
            return None  # connected and closed, as a port check does
        if first != TLS_HANDSHAKE:
            logger.warning("An HTTPS connection from %s failed: %s", client, PLAIN_HTTP_TO_HTTPS)
            _answer_plain_http(raw, self.server_address[1])
            return None
        with self._connections_lock:  # wrapping detaches ``raw``: track its successor
            self._connections.discard(raw)
            secured = self.tls.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
            self._connections.add(secured)
        return secured

    def _shook_hands(self, secured: ssl.SSLSocket, client: str) -> bool:
        """Run the handshake, outside the lock so a slow client holds up no one else."""
        try:
            secured.do_handshake()
        except ssl.SSLError as error:
            if not self._closing:
                logger.warning("An HTTPS connection from %s failed: %s", client,
                               tls_failure(error))
            return False
        except OSError as error:
            logger.debug("Client %s went away during its handshake: %s", client, error)
            return False
        return True

    def _forget(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def shutdown_request(self, request: Any) -> None:
        self._forget(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A handler that raised: log it (not print it) and let the connection close."""
        logger.exception("A request from %s failed", client_address[0])

    def server_close(self) -> None:
        # Idle keep-alive connections would hold their threads until the client timeout;
        # cutting them lets block_on_close join every thread at once.
        self._closing = True  # handshakes cut from here on are not the client's failure
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        super().server_close()


class LoopbackRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, prompt small answers and quiet, query-free logging.

    OPTIONS, GET, POST, PUT, DELETE and PATCH go to ``serve``; HEAD, whose answer must not
    carry a body, stays unimplemented (501).
    """

    protocol_version = "HTTP/1.1"
    timeout = CLIENT_TIMEOUT_SECONDS
    # Headers and body leave in two small writes; with Nagle's algorithm the second waits for
    # the client's delayed ACK, about 40 ms per answer on a kept-open connection.
    disable_nagle_algorithm = True

    def do_OPTIONS(self) -> None:
        self.serve(self.command)

    def do_GET(self) -> None:
        self.serve(self.command)

    def do_POST(self) -> None:
        self.serve(self.command)

    def do_PUT(self) -> None:
        self.serve(self.command)

    def do_DELETE(self) -> None:
        self.serve(self.command)

    def do_PATCH(self) -> None:
        self.serve(self.command)

    def serve(self, method: str) -> None:
        """Answer one request; subclasses override this instead of the ``do_*`` methods."""
        self.send_error(501)

    def send_answer(self, status: int, payload: bytes, content_type: str,
                    extra_headers: Mapping[str, str] | None = None) -> None:
        """Send one complete answer; it says ``Connection: close`` when the connection will."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def handle(self) -> None:
        try:
            super().handle()
        except ssl.SSLError as error:
            logger.warning("An HTTPS connection from %s failed: %s", self.client_address[0],
                           tls_failure(error))
        except (ConnectionError, TimeoutError) as error:
            logger.debug("Client %s went away: %s", self.client_address[0], error)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The request line's query can hold phone numbers or an api_secret: log the path only.
        path = self.path.split("?", 1)[0] if hasattr(self, "path") else "-"
        logger.debug("%s - %s %s -> %s", self.client_address[0], self.command, path, code)

    def log_error(self, format: str, *args: Any) -> None:
        # http.server's own errors can quote the raw request line; keep the status code only.
        code = args[0] if args and isinstance(args[0], int) else "?"
        logger.debug("%s - refused a request: HTTP %s", self.client_address[0], code)


@dataclass(frozen=True)
class BodyRefused:
    """Why a body was not read. ``status`` is None when the client left mid-body."""

    status: int | None
    kind: str = ""
    title: str = ""
    detail: str = ""


def read_body(handler: BaseHTTPRequestHandler, max_bytes: int) -> bytes | BodyRefused:
    """The request body, or why it cannot be read exactly.

    Only a single, plain Content-Length frames a body here; anything else would risk reading
    part of one request as the next. Every refusal means the connection must be closed after
    the answer, and ``read_body`` sets ``close_connection`` for it.
    """
    refused = _framing_refusal(handler, max_bytes)
    if refused is not None:
        handler.close_connection = True
        return refused
    length = int((handler.headers.get("Content-Length") or "0").strip())
    body = handler.rfile.read(length) if length else b""
    if len(body) < length:
        handler.close_connection = True
        return BodyRefused(None)
    return body


def _framing_refusal(handler: BaseHTTPRequestHandler, max_bytes: int) -> BodyRefused | None:
    if handler.headers.get("Transfer-Encoding"):
        return BodyRefused(411, "length-required", "Length Required",
                           "Send the body with a Content-Length.")
    lengths = handler.headers.get_all("Content-Length") or ["0"]
    declared = lengths[0].strip()
    if len(set(lengths)) > 1 or not declared.isdigit():
        return BodyRefused(400, "bad-request", "Bad Request",
                           "Content-Length is missing a single number.")
    if int(declared) > max_bytes:
        return BodyRefused(413, "payload-too-large", "Payload Too Large",
                           f"Bodies are limited to {max_bytes} bytes.")
    return None


TLS_HANDSHAKE: Final = b"\x16"
"""The first byte a TLS client sends (a handshake record); a plain HTTP request starts with a
letter."""
PLAIN_HTTP_TO_HTTPS: Final = ("the client spoke plain HTTP to this HTTPS server; give it the "
                              "https:// address.")


def _answer_plain_http(raw: socket.socket, port: int) -> None:
    """Tell a plain-HTTP client, in HTTP it can read, to use https://; then close gently."""
    text = (f"This smsgui sandbox speaks HTTPS only (it was started with --tls). Use "
            f"https:// instead of http:// (port {port}), and trust the authority file it "
            "printed when it started.\n").encode()
    head = ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(text)}\r\nConnection: close\r\n\r\n").encode()
    with contextlib.suppress(OSError):
        raw.sendall(head + text)
        raw.shutdown(socket.SHUT_WR)
        # Read what the client sent until it closes: closing with unread data would reset the
        # connection and could lose the answer before the client reads it.
        deadline = time.monotonic() + _DRAIN_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            raw.settimeout(left)
            if not raw.recv(16384):
                break


_DRAIN_SECONDS: Final = 1.0
"""How long a refused plain-HTTP client is read from, at most, before it is closed."""


def tls_failure(error: ssl.SSLError) -> str:
    """What a failed handshake means, in the words of the person who started the server."""
    reason = error.reason or ""
    if reason == "HTTP_REQUEST":
        return PLAIN_HTTP_TO_HTTPS
    if reason in _UNTRUSTED_ALERTS:
        return ("the client does not trust this server's certificate; tell it to trust the "
                f"authority file (the client said {reason}).")
    return f"the handshake ended ({reason or error})."


_UNTRUSTED_ALERTS = frozenset({"TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE",
                               "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "TLSV1_ALERT_ACCESS_DENIED"})


class LoopbackServer(Generic[OwnerT]):
    """Serves ``handler`` for ``owner`` on a background thread; ``stop()`` joins every thread.

    ``start()`` raises OSError when the address cannot be bound (for example, a port in use).
    """

    def __init__(self, handler: type[BaseHTTPRequestHandler], owner: OwnerT,  # noqa: PLR0913
                 host: str = "127.0.0.1", port: int = 0, name: str = "loopback-server", *,
                 tls: ssl.SSLContext | None = None) -> None:
        """With ``tls`` (a server-side context holding a certificate) it serves HTTPS."""
        self._handler = handler
        self._owner = owner
        self._address = (host, port)
        self._name = name
        self._tls = tls
        self._http: LoopbackHTTPServer[OwnerT] | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._http is not None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8000``; raises RuntimeError when stopped."""
        if self._http is None:
            raise RuntimeError(f"the {self._name} is not running")
        host, port = self._http.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"{'https' if self._tls else 'http'}://{shown}:{port}"

    def start(self) -> Self:
        if self._http is not None:
            return self
        http = LoopbackHTTPServer(self._address, self._handler, self._owner, self._tls)
        thread = threading.Thread(target=http.serve_forever,
                                  kwargs={"poll_interval": POLL_INTERVAL},
                                  name=self._name, daemon=True)
        thread.start()
        self._http, self._thread = http, thread
        return self

    def stop(self) -> None:
        """Stop serving and wait for the serving thread and every request thread to end."""
        http, thread = self._http, self._thread
        self._http = self._thread = None
        if http is not None:
            http.shutdown()
            http.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
