"""The rules of ``POST /sms/json``: what the real API accepts, refuses, and answers.

Everything here is plain Python over the request's parameters; the HTTP layer in ``server.py``
parses the request and writes the answer. The rules reuse the core's tables (segment counter,
signatures, test numbers, number checks, network table) so the sandbox and the app never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from smsgui.core.api.decode import region_of_number
from smsgui.core.api.signing import verify
from smsgui.core.checks.checks import (
    MAX_CALLBACK_LENGTH,
    MAX_CLIENT_REF,
    MAX_RECIPIENT_DIGITS,
    MAX_TEXT_CHARACTERS,
    MAX_TTL_MS,
    MIN_RECIPIENT_DIGITS,
    MIN_TTL_MS,
    check_recipient,
    check_sender,
)
from smsgui.core.checks.segments import count_segments
from smsgui.core.reference.networks import Network, default_network_table
from smsgui.core.reference.testnumbers import RANGE_PREFIX, lookup_test_number
from smsgui.sandbox.account import Account, MessageRecord, Order
from smsgui.sandbox.config import SIGNATURE_WINDOW_SECONDS, SandboxConfig

# The API's limits, from the tables the pre-send checks use: the two never disagree.
TTL_RANGE = range(MIN_TTL_MS, MAX_TTL_MS + 1)
MESSAGE_TYPES = frozenset({"text", "unicode", "binary"})
_RECIPIENT = re.compile(rf"\d{{{MIN_RECIPIENT_DIGITS},{MAX_RECIPIENT_DIGITS}}}")
_TEST_NUMBER_NETWORK = "23410"

ERROR_TEXTS: Mapping[int, str] = {
    1: "Throughput Rate Exceeded - please wait [ {wait} ] and retry",
    2: "Missing {param} param",
    3: "Invalid {param} param",
    4: "Bad Credentials",
    5: "Server Error",
    6: "Unroutable message - rejected",
    7: "Number barred.",
    8: "Partner account barred",
    9: "Quota Exceeded - rejected",
    10: "Too many existing binds",
    11: "Account not enabled for HTTP",
    12: "Message too long",
    14: "Invalid Signature",
    15: "Illegal Sender Address - rejected",
    17: "Message blocked by provider",
    22: "Invalid Network Code",
    23: "Invalid Callback Url",
    29: "Non White-listed Destination - rejected",
    32: "Signature and API secret disallowed",
    33: "Number de-activated",
}


@dataclass(frozen=True)
class Rejection:
    """Why a request was refused: an API status and its error-text."""

    status: int
    error_text: str


@dataclass(frozen=True)
class Caller:
    """Who is asking, as the HTTP layer found it: Basic header and/or body credentials."""

    basic_key: str | None = None
    basic_secret: str | None = None

    def credentials(self, params: Mapping[str, str]) -> tuple[str | None, str | None]:
        """The API key and secret presented: the Basic header's if any, else the form's."""
        if self.basic_key is not None:
            return self.basic_key, self.basic_secret
        return params.get("api_key"), params.get("api_secret")


@dataclass(frozen=True)
class Submission:
    """The sandbox's answer to one send: the JSON body and the parts it accepted."""

    body: dict[str, object]
    accepted: tuple[MessageRecord, ...] = ()
    callback: str | None = None

    @property
    def statuses(self) -> tuple[str, ...]:
        messages = self.body.get("messages")
        if not isinstance(messages, list):
            return ()
        return tuple(str(message.get("status")) for message in messages)


def rejection(status: int, **values: object) -> Rejection:
    return Rejection(status, ERROR_TEXTS[status].format(**values))


def submit(params: Mapping[str, str], caller: Caller, account: Account, config: SandboxConfig,
           now: float) -> Submission:
    """Apply the API's rules to one request and, if it passes, charge and record every part."""
    refused = (authenticate(params, caller, config, now)
               or _throttle(account, now)
               or _check_parameters(params))
    to = params.get("to", "")
    if refused is None:
        refused = _check_destination(params, config)
    if refused is not None:
        return Submission(body=_error_body(refused, to))
    text, message_type = params.get("text", ""), params.get("type", "text")
    parts = count_segments(text, "unicode" if message_type == "unicode" else "text").parts
    order = Order(to=to, sender=params["from"], network=destination_network(to),
                  client_ref=params.get("client-ref"))
    records = account.charge_parts(order, max(parts, 1), config.price, now)
    if records is None:
        return Submission(body=_error_body(rejection(9), to))
    callback = _receipt_url(params, config)
    return Submission(body=_success_body(records, params), accepted=records, callback=callback)


def _throttle(account: Account, now: float) -> Rejection | None:
    wait_ms = account.throttle(now)
    return None if wait_ms is None else rejection(1, wait=wait_ms)


def authenticate(params: Mapping[str, str], caller: Caller, config: SandboxConfig,
                 now: float) -> Rejection | None:
    """Status 2, 4, 14 or 32 when the credentials are missing, wrong or badly signed."""
    if "sig" in params:
        if "api_secret" in params:
            return rejection(32)
        return _check_signature(params, config, now)
    key, secret = caller.credentials(params)
    if caller.basic_key is None:
        if not key:
            return rejection(2, param="api_key")
        if secret is None:
            return rejection(2, param="api_secret")
    if (key, secret) != (config.api_key, config.api_secret):
        return rejection(4)
    return None


def _check_signature(params: Mapping[str, str], config: SandboxConfig,
                     now: float) -> Rejection | None:
    if params.get("api_key") != config.api_key:
        return rejection(4)
    timestamp = params.get("timestamp", "")
    if not timestamp.isdigit() or abs(int(timestamp) - now) > SIGNATURE_WINDOW_SECONDS:
        return rejection(14)
    if not verify(params, config.signature_secret, config.signature_method):
        return rejection(14)
    return None


def _check_parameters(params: Mapping[str, str]) -> Rejection | None:
    """Status 2, 3, 12 and 23: the request itself is incomplete or malformed."""
    for required in ("from", "to"):
        if not params.get(required, "").strip():
            return rejection(2, param=required)
    message_type = params.get("type", "text")
    if message_type not in MESSAGE_TYPES:
        return rejection(3, param="type")
    if message_type == "binary":
        if not (_is_hex(params.get("body", "")) and _is_hex(params.get("udh", ""))):
            return rejection(2 if not params.get("body") else 3, param="body")
    elif not params.get("text"):
        return rejection(2, param="text")
    return _check_formats(params)


def _check_formats(params: Mapping[str, str]) -> Rejection | None:
    if not _RECIPIENT.fullmatch(params["to"]):
        return rejection(3, param="to")
    if len(params.get("text", "")) > MAX_TEXT_CHARACTERS:
        return rejection(12)
    callback = params.get("callback")
    if callback is not None and not _is_callback_url(callback):
        return rejection(23)
    return _check_options(params)


def _check_options(params: Mapping[str, str]) -> Rejection | None:
    ttl = params.get("ttl")
    if ttl is not None and not (ttl.isdigit() and int(ttl) in TTL_RANGE):
        return rejection(3, param="ttl")
    message_class = params.get("message-class")
    if message_class is not None and message_class not in {"0", "1", "2", "3"}:
        return rejection(3, param="message-class")
    if len(params.get("client-ref", "")) > MAX_CLIENT_REF:
        return rejection(3, param="client-ref")
    return None


def _check_destination(params: Mapping[str, str], config: SandboxConfig) -> Rejection | None:
    """Status 6, 15, 29 and the magic numbers: where the message is going."""
    to = params["to"]
    test_number = lookup_test_number(to)
    if test_number is not None and test_number.api_status != 0:
        status = test_number.api_status
        return rejection(status, wait=1000, param="to")
    if config.demo_mode and to not in config.whitelist:
        return rejection(29)
    recipient, _ = check_recipient(to, None)
    if recipient.number_type == "fixed_line":
        return rejection(6)
    findings = check_sender(params["from"], [recipient])
    if any(f.entry_id == "check-from-alphanumeric-to-north-america" for f in findings):
        return rejection(15)
    return None


def destination_network(to: str) -> Network | None:
    """The network the sandbox pretends the recipient is on."""
    table = default_network_table()
    if to.startswith(RANGE_PREFIX):
        return table.lookup(_TEST_NUMBER_NETWORK, "GB")
    region = region_of_number(to)
    return table.for_country(region) if region else None


def _receipt_url(params: Mapping[str, str], config: SandboxConfig) -> str | None:
    if params.get("status-report-req", "true").lower() in {"false", "0"}:
        return None
    return params.get("callback") or config.dlr_url


def _success_body(records: tuple[MessageRecord, ...],
                  params: Mapping[str, str]) -> dict[str, object]:
    messages = []
    for record in records:
        message = {
            "to": record.to,
            "message-id": record.message_id,
            "status": "0",
            "remaining-balance": _money(record.balance_after),
            "message-price": _money(record.price),
            "network": record.network.code if record.network else "",
        }
        messages.append(_with_references(message, params))
    return {"message-count": str(len(messages)), "messages": messages}


def _with_references(message: dict[str, str], params: Mapping[str, str]) -> dict[str, str]:
    for reference in ("client-ref", "account-ref"):
        if params.get(reference):
            message[reference] = params[reference]
    return message


def _error_body(refused: Rejection, to: str) -> dict[str, object]:
    message: dict[str, str] = {"status": str(refused.status), "error-text": refused.error_text}
    if _RECIPIENT.fullmatch(to):
        message = {"to": to, **message}
    return {"message-count": "1", "messages": [message]}


def _is_hex(value: str) -> bool:
    return bool(value) and len(value) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in value)


def _is_callback_url(url: str) -> bool:
    if len(url) > MAX_CALLBACK_LENGTH or any(char.isspace() for char in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _money(amount: Decimal) -> str:
    return f"{amount:.8f}"
