"""The sandbox's HTTP layer: a threaded loopback server speaking the SMS, Account and Reports APIs.

``SandboxServer`` runs in a background thread, so the app can embed it on an ephemeral port and
tests can start one per test; ``smsgui sandbox`` runs one in the foreground.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from smsgui import __version__
from smsgui.core.api.messages import MESSAGES_PATH, Application
from smsgui.core.delivery.loopback import (
    BodyRefused,
    LoopbackHTTPServer,
    LoopbackRequestHandler,
    LoopbackServer,
    read_body,
)
from smsgui.core.privacy import mask_number
from smsgui.sandbox.account import Account, CallbackUrls
from smsgui.sandbox.config import SandboxConfig
from smsgui.sandbox.messages import (
    MessagesRequest,
    SandboxState,
    make_application,
    send_message,
)
from smsgui.sandbox.receipts import ReceiptSender
from smsgui.sandbox.reports import Answer, ReportsEndpoint, problem
from smsgui.sandbox.sms import Caller, submit

logger = logging.getLogger(__name__)

_BAD_CREDENTIALS: Mapping[str, object] = {"error-code": "401",
                                         "error-code-label": "authentication failed"}


class SandboxServer:
    """A running sandbox. Use as a context manager, or call ``start()`` and ``stop()``."""

    def __init__(self, config: SandboxConfig | None = None, host: str = "127.0.0.1",
                 port: int = 0, clock: Callable[[], float] = time.time,
                 tls: ssl.SSLContext | None = None) -> None:
        """With ``tls``, a server-side context with a certificate, it serves HTTPS."""
        self.config = config or SandboxConfig()
        self.clock = clock
        self.account = Account(self.config.balance, self.config.rate_limit,
                               self.config.dlr_delay, make_id=lambda: str(uuid.uuid4()),
                               callbacks=CallbackUrls(receipts=self.config.dlr_url or ""))
        self._reports = ReportsEndpoint(self.account, self.config)
        self._server = LoopbackServer(_Handler, self, host, port, name="sandbox-server",
                                      tls=tls)
        self._receipts: ReceiptSender | None = None
        self._application: Application | None = None
        self._application_lock = threading.Lock()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8000``; valid once started."""
        if not self._server.running:
            raise RuntimeError("the sandbox is not running")
        return self._server.url

    def start(self) -> SandboxServer:
        self._receipts = ReceiptSender(self.config.api_key, self.clock)
        try:
            self._server.start()
        except OSError:
            self._receipts.stop()
            self._receipts = None
            raise
        logger.debug("Sandbox listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving, wait for every request thread and receipt sender to finish."""
        self._server.stop()
        if self._receipts is not None:
            self._receipts.stop()
        self._receipts = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # -- endpoints ------------------------------------------------------------------------------

    def send_sms(self, params: Mapping[str, str], caller: Caller) -> Answer:
        now = self.clock()
        submission = submit(params, caller, self.account, self.config, now)
        if submission.callback and self._receipts is not None:
            for record in submission.accepted:
                self._receipts.schedule(submission.callback, record)
        logger.info("SMS to %s: status %s", mask_number(params.get("to")),
                    ",".join(submission.statuses))
        return 200, submission.body

    @property
    def application(self) -> Application:
        """The Vonage application whose key signs the JWTs this sandbox accepts (made on first
        use: an RSA key takes a moment to generate)."""
        with self._application_lock:
            if self._application is None:
                self._application = make_application()
            return self._application

    def send_message(self, body: bytes, authorization: str | None,
                     caller: Caller) -> tuple[int, dict[str, object], dict[str, str]]:
        """``POST /v1/messages``: the answer, and its extra headers."""
        now = self.clock()
        application = self.application if (authorization or "").lower().startswith(
            "bearer ") else None
        answer = send_message(MessagesRequest(body, authorization, caller),
                              SandboxState(self.account, self.config, application), now)
        if self._receipts is not None:
            for update in answer.updates:
                self._receipts.schedule_payload(update.url, update.at, update.payload)
        logger.info("Messages API SMS: HTTP %d", answer.status)
        headers = {} if answer.retry_after_s is None else {
            "Retry-After": str(answer.retry_after_s)}
        return answer.status, answer.body, headers

    def balance(self, params: Mapping[str, str], caller: Caller) -> Answer:
        if not self._is_account_holder(params, caller):
            return 401, dict(_BAD_CREDENTIALS)
        return 200, {"value": Decimal(self.account.balance), "autoReload": False}

    def settings(self, params: Mapping[str, str], caller: Caller) -> Answer:
        """Keep the webhooks given, and answer with the account's settings as they now are."""
        if not self._is_account_holder(params, caller):
            return 401, dict(_BAD_CREDENTIALS)
        callbacks = self.account.change_callbacks(params.get("moCallBackUrl"),
                                                  params.get("drCallBackUrl"))
        limit = self.config.rate_limit
        return 200, {
            "mo-callback-url": callbacks.inbound,
            "dr-callback-url": callbacks.receipts,
            "max-outbound-request": limit,
            "max-inbound-request": limit,
            "max-calls-per-second": limit,
        }

    def reports(self, query: Mapping[str, list[str]], caller: Caller) -> Answer:
        authorized = (caller.basic_key, caller.basic_secret) == (self.config.api_key,
                                                                 self.config.api_secret)
        return self._reports.answer(query, authorized, self.url, self.clock())

    def _is_account_holder(self, params: Mapping[str, str], caller: Caller) -> bool:
        return caller.credentials(params) == (self.config.api_key, self.config.api_secret)


class _Handler(LoopbackRequestHandler):
    server: LoopbackHTTPServer[SandboxServer]
    server_version = f"smsgui-sandbox/{__version__}"

    def serve(self, method: str) -> None:
        # Before anything is read or charged, as if the request crossed a slow network.
        time.sleep(self.server.owner.config.latency)
        body = self._read_body()
        if body is None:
            return
        url = urlsplit(self.path)
        sandbox = self.server.owner
        caller = _basic_caller(self.headers.get("Authorization"))
        params = {**dict(parse_qsl(url.query, keep_blank_values=True)),
                  **_body_params(body, self.headers.get("Content-Type", ""))}
        routes: dict[tuple[str, str], Callable[[], Answer]] = {
            ("POST", "/sms/json"): lambda: sandbox.send_sms(params, caller),
            ("GET", "/account/get-balance"): lambda: sandbox.balance(params, caller),
            ("POST", "/account/settings"): lambda: sandbox.settings(params, caller),
            ("GET", "/v2/reports/records"): lambda: sandbox.reports(
                parse_qs(url.query, keep_blank_values=True), caller),
        }
        path = url.path.rstrip("/") or "/"
        if (method, path) == ("POST", MESSAGES_PATH):
            status, answer, headers = sandbox.send_message(
                body, self.headers.get("Authorization"), caller)
            self._answer(status, answer, extra_headers=headers)
            return
        route = routes.get((method, path))
        allowed = [known_method for known_method, known_path in [*routes, ("POST", MESSAGES_PATH)]
                   if known_path == path]
        if route is not None:
            self._answer(*route())
        elif allowed:
            self._answer(405, problem("method-not-allowed", "Method Not Allowed",
                                      f"{method} is not supported on {url.path}."),
                         extra_headers={"Allow": ", ".join(allowed)})
        else:
            self._answer(404, problem("not-found", "Not Found",
                                      f"The sandbox has no endpoint {url.path}."))

    def _read_body(self) -> bytes | None:
        """The request body, or None when it cannot be read exactly (after answering if useful)."""
        body = read_body(self, self.server.owner.config.max_body_bytes)
        if not isinstance(body, BodyRefused):
            return body
        if body.status is not None:
            self._answer(body.status, problem(body.kind, body.title, body.detail))
        return None

    def _answer(self, status: int, body: Mapping[str, Any],
                extra_headers: Mapping[str, str] | None = None) -> None:
        payload = json.dumps(body, default=_json_default).encode("utf-8")
        content_type = ("application/problem+json" if "title" in body and "type" in body
                        else "application/json")
        self.send_answer(status, payload, f"{content_type}; charset=utf-8", extra_headers)


def _basic_caller(header: str | None) -> Caller:
    if not header or not header.lower().startswith("basic "):
        return Caller()
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return Caller(basic_key="", basic_secret="")
    key, _, secret = decoded.partition(":")
    return Caller(basic_key=key, basic_secret=secret)


def _body_params(body: bytes, content_type: str) -> dict[str, str]:
    text = body.decode("utf-8", errors="replace")
    if "json" not in content_type.lower():
        return dict(parse_qsl(text, keep_blank_values=True))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(key): _form_value(value) for key, value in data.items()
            if value is not None and not isinstance(value, (dict, list))}


def _form_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")

