"""A webhook receiver for delivery receipts, listening on this computer.

Vonage sends a receipt one of three ways, chosen in the dashboard: GET with query parameters,
POST with a form body, or POST with a JSON body. ``ReceiptReceiver`` accepts all three at any
path and hands the receipt's raw string fields to ``on_receipt``, which runs on the request's
own thread: a UI marshals them to its thread itself. Anything that looks like a receipt (it has
a ``messageId``, or an ``msisdn`` and a ``status``) is answered 200; anything else 400. Nothing a
client sends can raise into the server.

It listens on 127.0.0.1 unless told otherwise. To receive receipts from a live account, expose
it through a tunnel and give the tunnel's URL plus :data:`RECEIPT_PATH` as the callback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Final, Self
from urllib.parse import parse_qsl, urlsplit

from smsgui import __version__
from smsgui.core.api.apitypes import is_loopback_host
from smsgui.core.delivery.loopback import (
    BodyRefused,
    LoopbackHTTPServer,
    LoopbackRequestHandler,
    LoopbackServer,
    read_body,
)
from smsgui.core.privacy import mask_number

logger = logging.getLogger(__name__)

RECEIPT_PATH: Final = "/webhooks/delivery-receipt"
MAX_RECEIPT_BYTES: Final = 16 * 1024
_OK: Final = 200
_NOT_A_RECEIPT: Final = 400
_NOT_STORED: Final = 500
_TEXTS: Final[Mapping[int, str]] = {
    _OK: "OK",
    _NOT_A_RECEIPT: "This is not a delivery receipt: it needs a messageId, "
                    "or an msisdn and a status (or, from the Messages API, a message_uuid "
                    "and a status).",
    _NOT_STORED: "The receipt arrived but smsgui could not keep it.",
    405: "Delivery receipts come by GET or POST.",
}

ReceiptCallback = Callable[[dict[str, str]], object]
"""Called with each receipt's raw fields; whatever it returns is ignored."""


def looks_like_receipt(fields: Mapping[str, str]) -> bool:
    """A ``messageId``, or both an ``msisdn`` and a ``status``; or a Messages API status
    webhook's ``message_uuid`` and ``status``."""
    return (bool(fields.get("messageId"))
            or bool((fields.get("msisdn") or fields.get("message_uuid")) and fields.get("status")))


def webhook_fields(query: str, body: bytes, content_type: str) -> dict[str, str] | None:
    """The fields of one webhook request: query parameters, then the body's (which win).

    The body is JSON when the content type says so or it starts with ``{``, else a form.
    None when a JSON body is not an object (or not JSON at all).
    """
    fields = dict(parse_qsl(query, keep_blank_values=True))
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return fields
    if "json" in content_type.lower() or text.startswith("{"):
        parsed = _json_fields(text)
        return None if parsed is None else {**fields, **parsed}
    return {**fields, **dict(parse_qsl(text, keep_blank_values=True))}


def _json_fields(text: str) -> dict[str, str] | None:
    try:
        # Numbers keep the digits they were sent with: a price of 0.03330000 stays that text.
        data = json.loads(text, parse_float=str, parse_int=str, parse_constant=str)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    return _flat(data)


def _flat(data: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    """Fields as text; an object's own fields (a status webhook's ``error``, ``usage``) under
    dotted names such as ``usage.price``. Lists are left out."""
    fields: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not prefix:  # one level: that is all webhooks nest
            fields.update(_flat(value, f"{name}."))
        elif value is not None and not isinstance(value, (dict, list)):
            fields[name] = _text(value)
    return fields


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ReceiptReceiver:
    """Receives delivery receipts over HTTP. A context manager, or ``start()`` and ``stop()``.

    ``start()`` raises OSError when the port cannot be bound (for example, it is in use).
    """

    def __init__(self, on_receipt: ReceiptCallback, host: str = "127.0.0.1", port: int = 0,
                 max_body_bytes: int = MAX_RECEIPT_BYTES) -> None:
        self.max_body_bytes = max_body_bytes
        self._on_receipt = on_receipt
        self._host = host
        self._server = LoopbackServer(_Handler, self, host, port, name="receipt-receiver")

    @property
    def running(self) -> bool:
        return self._server.running

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8123``; raises RuntimeError when stopped."""
        return self._server.url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def callback_url(self) -> str:
        """The URL to give as a send's ``callback``."""
        return self.url + RECEIPT_PATH

    def start(self) -> Self:
        self._server.start()
        if not is_loopback_host(self._host):
            logger.warning("The receipt receiver listens on %s: other computers can reach it",
                           self._host)
        logger.info("Receipt receiver listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop listening and wait for every request thread to finish."""
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def accept(self, fields: dict[str, str]) -> int:
        """Take one request's fields; the HTTP status to answer with.

        200 when they look like a receipt and ``on_receipt`` took them, 400 when they do not
        look like a receipt, 500 when ``on_receipt`` failed (logged with its traceback).
        """
        if not looks_like_receipt(fields):
            logger.info("Not a receipt: a request with %d field(s) was refused", len(fields))
            return _NOT_A_RECEIPT
        logger.info("Receipt %s (err-code %s) for %s, message %s",
                    fields.get("status", "-"), fields.get("err-code", "-"),
                    mask_number(fields.get("msisdn")), fields.get("messageId", "-"))
        try:
            self._on_receipt(fields)
        except Exception:
            logger.exception("A receipt for message %s could not be kept",
                             fields.get("messageId", "-"))
            return _NOT_STORED
        return _OK


class _Handler(LoopbackRequestHandler):
    server: LoopbackHTTPServer[ReceiptReceiver]
    server_version = f"smsgui-receiver/{__version__}"

    def serve(self, method: str) -> None:
        if method not in ("GET", "POST"):
            self._answer(405, extra_headers={"Allow": "GET, POST"})
            return
        receiver = self.server.owner
        body = read_body(self, receiver.max_body_bytes)
        if isinstance(body, BodyRefused):
            if body.status is not None:
                self._answer(body.status, body.detail)
            return
        query = urlsplit(self.path).query
        fields = webhook_fields(query, body, self.headers.get("Content-Type", ""))
        self._answer(_NOT_A_RECEIPT if fields is None else receiver.accept(fields))

    def _answer(self, status: int, text: str | None = None,
                extra_headers: Mapping[str, str] | None = None) -> None:
        payload = (text or _TEXTS.get(status, "")).encode("utf-8")
        self.send_answer(status, payload, "text/plain; charset=utf-8", extra_headers)
