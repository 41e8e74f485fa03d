"""A small loopback HTTP server for tests: records every request, answers as it is told.

Usage::

    with FaultServer(Reply(status=200, body='{"value": 1}')) as server:
        client.get(server.url + "/account/get-balance")
        assert server.requests[0].path == "/account/get-balance"

The reply can be a fixed :class:`Reply` or a function of the :class:`RecordedRequest`. Besides a
normal answer a reply can wait before answering (``delay_s``), close the connection without
answering (``close_without_answer``) or send part of the body and then stall
(``stall_after_bytes`` / ``stall_s``). Waits end early when the server stops, so shutting down
never hangs on a slow reply. The server binds 127.0.0.1 on a free port and polls every 50 ms, so
stopping costs up to 50 ms: a module-scoped server plus :meth:`FaultServer.reset` per test keeps a
large test file fast.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, parse_qsl, urlsplit

JSON_HEADERS: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
HTML_HEADERS: tuple[tuple[str, str], ...] = (("Content-Type", "text/html; charset=utf-8"),)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of a header, matched case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def query_params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    def form(self) -> dict[str, str]:
        """The body read as an ``application/x-www-form-urlencoded`` form."""
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass(frozen=True)
class Reply:
    """What the server answers. ``body`` text is sent as UTF-8."""

    status: int = 200
    body: bytes | str = b""
    headers: tuple[tuple[str, str], ...] = JSON_HEADERS
    delay_s: float = 0.0
    close_without_answer: bool = False
    stall_after_bytes: int | None = None
    stall_s: float = 0.0

    @property
    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


Responder = Callable[[RecordedRequest], Reply]


@dataclass
class _State:
    responder: Responder
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[RecordedRequest] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that give up (timeouts, closed sockets) are part of the tests: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default access log on stderr."""

    def _serve(self) -> None:
        state = self.server.state
        recorded = self._record()
        with state.lock:
            state.requests.append(recorded)
        reply = state.responder(recorded)
        if reply.delay_s and state.stopping.wait(reply.delay_s):
            self.close_connection = True
            return
        if reply.close_without_answer:
            self.close_connection = True
            return
        self._answer(reply, state.stopping)

    def _record(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        return RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers=_header_pairs(self.headers),
            body=body,
        )

    def _answer(self, reply: Reply, stopping: threading.Event) -> None:
        body = reply.body_bytes
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if reply.stall_after_bytes is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[: reply.stall_after_bytes])
        self.wfile.flush()
        stopping.wait(reply.stall_s)
        self.close_connection = True


def _header_pairs(headers: Message) -> tuple[tuple[str, str], ...]:
    return tuple((str(key), str(value)) for key, value in headers.items())


class FaultServer:
    """A threaded HTTP server on 127.0.0.1 that records requests and answers from a responder."""

    def __init__(self, reply: Reply | Responder | None = None) -> None:
        self._state = _State(responder=_as_responder(reply or Reply()))
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self._state
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._started = False

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:<port>`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received so far, oldest first."""
        with self._state.lock:
            return list(self._state.requests)

    def respond_with(self, reply: Reply | Responder) -> None:
        """Change what the server answers from now on."""
        self._state.responder = _as_responder(reply)

    def reset(self, reply: Reply | Responder | None = None) -> None:
        """Forget the recorded requests and answer ``reply`` (default: an empty 200)."""
        with self._state.lock:
            self._state.requests.clear()
        self.respond_with(reply or Reply())

    def start(self) -> Self:
        if not self._started:
            self._thread.start()
            self._started = True
        return self

    def stop(self) -> None:
        """Stop serving, cut short any delayed or stalled reply and close the socket."""
        self._state.stopping.set()
        if self._started:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._started = False
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def running(reply: Reply | Responder | None = None) -> Iterator[FaultServer]:
    """A started server for the duration of a ``with`` block (handy inside pytest fixtures)."""
    with FaultServer(reply) as server:
        yield server


def _as_responder(reply: Reply | Responder) -> Responder:
    if isinstance(reply, Reply):
        fixed = reply
        return lambda _request: fixed
    return reply
