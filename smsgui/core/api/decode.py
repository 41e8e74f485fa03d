"""Decode whatever the SMS API (or a person pasting) hands us into typed, explained results.

``decode_response`` accepts a send response, a delivery receipt (JSON, form or query string), a
Reports API answer, or anything else, and never raises: input it cannot use becomes an
``Unreadable`` result whose knowledge entry says what is wrong with it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import parse_qsl

from smsgui.core.api import json_steps
from smsgui.core.reference.knowledge import Entry, KnowledgeBase, default_knowledge_base
from smsgui.core.reference.networks import Network, NetworkTable, default_network_table
from smsgui.core.values import (
    CURRENCY,
    bytes_to_text,
    decimal_or_none,
    int_or_none,
    money_text,
    text_or_none,
)

_THROTTLE_WAIT = re.compile(r"please\s+wait\s*\[\s*(\d+)\s*\]", re.IGNORECASE)
_RECEIPT_KEYS = frozenset({"messageId", "msisdn", "err-code", "scts", "network-code"})
ON_ITS_WAY_STATUSES = frozenset({"accepted", "buffered", "submitted"})
"""Receipt statuses on the way; ``submitted`` is the Messages API's (sent to the network)."""
_MESSAGES_PROBLEM = re.compile(r"/api-errors/messages(?:-olympus)?#?(?P<code>[\w-]*)$")
"""A Messages API problem ``type``, e.g. https://developer.vonage.com/api-errors/messages#1120."""
_MAX_TEXT_IN_REASON = 60
MAX_JSON_DEPTH = 64
"""How deeply JSON may nest before smsgui stops reading it: an SMS API answer nests three levels
(answer, messages, part), so anything near this is not one, and Python's own parser gives up
somewhere below a thousand levels, depending on how deep the caller already is."""
_NOT_AN_ANSWER = "not an SMS API answer or a saved smsgui document"
_FILE_SIGNATURES = (
    ("\ufffdPNG\r\n\x1a\n", "a PNG image"), ("GIF87a", "a GIF image"), ("GIF89a", "a GIF image"),
    ("%PDF-", "a PDF document"), ("PK\x03\x04", "a ZIP archive"),
    ("SQLite format 3\x00", "an SQLite database"),
)
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")
_BINARY_SHARE = 0.02
_SAMPLE_CHARACTERS = 4096


@dataclass(frozen=True)
class MessagePart:
    """One message object of a send response: one SMS part."""

    index: int
    to: str | None
    message_id: str | None
    status: int | None
    entry: Entry
    error_text: str | None
    price: Decimal | None
    remaining_balance: Decimal | None
    network: Network | None
    client_ref: str | None
    account_ref: str | None
    notes: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status == 0

    @property
    def price_text(self) -> str:
        """The price as the answer gave it, said to be uncharged for a refused part (status 9
        answers carry one)."""
        shown = money_text(self.price)
        return shown if self.accepted or self.price is None else f"{shown}, not charged"

    @property
    def throttle_wait_ms(self) -> int | None:
        """The wait the API asked for in a throttling error-text, in milliseconds."""
        match = _THROTTLE_WAIT.search(self.error_text or "")
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class SendResponse:
    """A decoded ``/sms/json`` answer: every part, with totals and a verdict."""

    parts: tuple[MessagePart, ...]
    declared_count: int | None
    notes: tuple[str, ...] = ()
    kind: Literal["send"] = "send"
    currency: str = CURRENCY

    @property
    def accepted_count(self) -> int:
        return sum(1 for part in self.parts if part.accepted)

    @property
    def failed_count(self) -> int:
        return len(self.parts) - self.accepted_count

    @property
    def total_price(self) -> Decimal:
        """What the accepted parts cost, as far as they gave a price (``unpriced_count`` counts
        those that gave none). A refused part's price is left out: it was not charged."""
        return sum((part.price for part in self.parts if part.accepted and part.price is not None),
                   Decimal(0))

    @property
    def unpriced_count(self) -> int:
        """Accepted parts without a price, which ``total_price`` cannot include."""
        return sum(1 for part in self.parts if part.accepted and part.price is None)

    @property
    def total_price_known(self) -> bool:
        """Whether ``total_price`` says what was charged: some accepted part gave a price, or
        none was accepted (so nothing was charged)."""
        return self.accepted_count == 0 or self.unpriced_count < self.accepted_count

    @property
    def final_balance(self) -> Decimal | None:
        """The balance after the last part that reported one."""
        balances = [p.remaining_balance for p in self.parts if p.remaining_balance is not None]
        return balances[-1] if balances else None

    @property
    def missing_count(self) -> int:
        """Parts that message-count announces but the answer does not list (a cut-off body)."""
        return max((self.declared_count or 0) - len(self.parts), 0)

    @property
    def ok(self) -> bool:
        return self.failed_count == 0 and self.missing_count == 0

    @property
    def throttle_wait_ms(self) -> int | None:
        waits = [wait for part in self.parts if (wait := part.throttle_wait_ms) is not None]
        return max(waits) if waits else None

    @property
    def worst_part(self) -> MessagePart:
        """The part whose entry deserves the spotlight: the first failure, else the first part."""
        return next((part for part in self.parts if not part.accepted), self.parts[0])

    @property
    def entry(self) -> Entry:
        return self.worst_part.entry

    @property
    def headline(self) -> str:
        count = len(self.parts)
        noun = "part" if count == 1 else "parts"
        if self.failed_count == 0 and self.missing_count:
            return (f"Incomplete: the answer announces {self.declared_count} parts but lists "
                    f"{count}; the rest may be lost.")
        if self.failed_count == 0:
            return (f"Accepted: {count} {noun} accepted for delivery "
                    "(accepted is not yet delivered).")
        worst = self.worst_part
        reason = worst.entry.display_title if worst.status is not None else "no status"
        code = f"status {worst.status}" if worst.status is not None else "no status code"
        if self.accepted_count == 0:
            return f"Failed: {reason} ({code}) on {self._failed_phrase()}."
        return (f"Partial failure: {self.accepted_count} of {count} parts accepted; "
                f"{reason} ({code}).")

    def _failed_phrase(self) -> str:
        return "the only part" if len(self.parts) == 1 else f"all {len(self.parts)} parts"


def delivery_ok(status: str | None, err_code: int | None) -> bool:
    """Delivered, or still on its way (accepted or buffered)."""
    if status == "delivered":
        return err_code in (None, 0)
    return status in ON_ITS_WAY_STATUSES


def delivery_entry(status_entry: Entry, error_entry: Entry, status: str | None,
                   err_code: int | None) -> Entry:
    """The err-code's entry when there is a code worth explaining, else the status's."""
    if err_code is not None and (err_code != 0 or status == "delivered"):
        return error_entry
    return status_entry


@dataclass(frozen=True)
class Receipt:
    """A delivery receipt (DLR).

    ``recipient`` is the receipt's ``msisdn`` and ``sender`` its ``to``: the names are swapped.
    """

    message_id: str | None
    recipient: str | None
    sender: str | None
    status: str | None
    err_code: int | None
    status_entry: Entry
    error_entry: Entry
    network: Network | None
    price: Decimal | None
    carrier_time: datetime | None
    message_timestamp: str | None
    client_ref: str | None
    notes: tuple[str, ...] = ()
    kind: Literal["receipt"] = "receipt"
    currency: str = CURRENCY
    from_reports: bool = False
    """A Reports API record kept as a receipt (``"source": "reports"``), not the carrier's."""
    reported_at: datetime | None = None
    """A Reports record's finalized (else received) time; None for a carrier's receipt."""
    latency_ms: int | None = None
    error_description: str | None = None
    network_name: str | None = None
    from_messages: bool = False
    """A Messages API status webhook (``status`` submitted, delivered, rejected...)."""

    @property
    def ok(self) -> bool:
        """Delivered, or still on its way (accepted, buffered or submitted)."""
        return delivery_ok(self.status, self.err_code)

    @property
    def final(self) -> bool:
        return self.status not in ON_ITS_WAY_STATUSES

    @property
    def code_label(self) -> str:
        """What its error code is called where it came from: a DLR's ``err-code``, or the
        Messages API's ``error``."""
        return "error" if self.from_messages else "err-code"

    @property
    def entry(self) -> Entry:
        return delivery_entry(self.status_entry, self.error_entry, self.status, self.err_code)

    @property
    def headline(self) -> str:
        status = self.status or "no status"
        if self.from_messages and not self.from_reports:
            error = f", error {self.err_code} ({self.error_entry.title})" if self.err_code else ""
            return f"Status webhook: {status}{error or f' ({self.status_entry.title})'}."
        if self.err_code in (None, 0):
            return f"Receipt: {status} ({self.status_entry.title})."
        return f"Receipt: {status}, err-code {self.err_code} ({self.error_entry.title})."


@dataclass(frozen=True)
class ReportRecord:
    """One Reports API record for an outbound SMS."""

    message_id: str | None
    to: str | None
    sender: str | None
    status: str | None
    error_code: int | None
    error_description: str | None
    status_entry: Entry
    error_entry: Entry
    price: Decimal | None
    currency: str | None
    network: Network | None
    network_name: str | None
    country: str | None
    client_ref: str | None
    date_received: str | None
    date_finalized: str | None
    latency_ms: int | None
    from_messages: bool = False
    """A product MESSAGES record: Messages API statuses (submitted, rejected...) and codes."""

    @property
    def ok(self) -> bool:
        return delivery_ok(self.status, self.error_code)

    @property
    def entry(self) -> Entry:
        return delivery_entry(self.status_entry, self.error_entry, self.status, self.error_code)


@dataclass(frozen=True)
class ReportsResponse:
    """A Reports API answer: the records found and the ids it did not find."""

    records: tuple[ReportRecord, ...]
    ids_not_found: tuple[str, ...]
    empty_entry: Entry
    notes: tuple[str, ...] = ()
    kind: Literal["reports"] = "reports"

    @property
    def ok(self) -> bool:
        return bool(self.records) and all(record.ok for record in self.records)

    @property
    def entry(self) -> Entry:
        failing = [record for record in self.records if not record.ok]
        if failing:
            return failing[0].entry
        if self.records:
            return self.records[0].entry
        return self.empty_entry

    @property
    def headline(self) -> str:
        if not self.records:
            missing = len(self.ids_not_found)
            return f"The Reports API found no records ({missing} id(s) not found)."
        statuses = ", ".join(sorted({record.status or "no status" for record in self.records}))
        return f"Reports API: {len(self.records)} record(s), status {statuses}."


@dataclass(frozen=True)
class Unreadable:
    """Input that is not a usable answer; ``entry`` explains what it is instead."""

    entry: Entry
    reason: str
    detail: str = ""
    notes: tuple[str, ...] = field(default=())
    kind: Literal["unreadable"] = "unreadable"
    ok: bool = False

    @property
    def headline(self) -> str:
        return self.reason


Decoded = SendResponse | Receipt | ReportsResponse | Unreadable


@dataclass(frozen=True)
class _Context:
    knowledge: KnowledgeBase
    networks: NetworkTable


def decode_response(
    body: str | bytes | object,
    knowledge: KnowledgeBase | None = None,
    networks: NetworkTable | None = None,
) -> Decoded:
    """Decode any body: a send response, receipt, Reports answer, or something else.

    Never raises. ``body`` may be text, bytes, or already-parsed JSON (a dict or list).
    """
    context = _Context(knowledge or default_knowledge_base(), networks or default_network_table())
    try:
        return _decode_any(body, context)
    except Exception as error:  # the decoder's promise is to never raise
        return _unreadable(context, "response-unrecognized",
                           "smsgui could not make sense of this input.",
                           detail=f"{type(error).__name__}: {error}")


def decode_receipt_fields(
    fields: Mapping[str, object],
    knowledge: KnowledgeBase | None = None,
    networks: NetworkTable | None = None,
) -> Receipt | Unreadable:
    """Decode a receipt already split into fields, e.g. a webhook's query parameters."""
    context = _Context(knowledge or default_knowledge_base(), networks or default_network_table())
    try:
        if "message_uuid" in fields:  # a Messages API status webhook, its objects flattened
            return _status_webhook(_nested(fields), context, ())
        return _receipt(fields, context)
    except Exception as error:  # the same promise for receipts
        return _unreadable(context, "response-unrecognized", "This receipt could not be read.",
                           detail=f"{type(error).__name__}: {error}")


def _decode_any(body: object, context: _Context) -> Decoded:
    if isinstance(body, (dict, list)):
        if nested_too_deeply(body):
            return _too_deep(context, (), valid=True)
        return _decode_json(body, context, ())
    notes: list[str] = []
    if isinstance(body, (bytes, bytearray)):
        text = _bytes_to_text(bytes(body), notes)
    elif isinstance(body, str):
        text = body
    else:
        return _unreadable(context, "response-unrecognized",
                           f"Expected text, got {type(body).__name__}.")
    return _decode_text(text.lstrip("\ufeff").strip(), context, tuple(notes))


def _bytes_to_text(raw: bytes, notes: list[str]) -> str:
    text, clean = bytes_to_text(raw)
    if not clean:
        notes.append("The input is not valid UTF-8 text; unreadable bytes were replaced.")
    return text


def _decode_text(text: str, context: _Context, notes: tuple[str, ...]) -> Decoded:
    if not text:
        return _unreadable(context, "response-empty", "The input is empty.", notes=notes)
    binary = binary_kind(text)
    if binary is not None:
        return _unreadable(context, "response-binary",
                           f"This is {binary}, {_NOT_AN_ANSWER}.", notes=notes)
    if text.startswith("<"):
        return _decode_markup(text, context, notes)
    return _decode_json_text(text, context, notes)


def _decode_json_text(text: str, context: _Context, notes: tuple[str, ...]) -> Decoded:
    try:
        data = _parsed(text)
    except RecursionError:  # the parser's own limit, somewhere below a thousand levels
        return _too_deep(context, notes)
    except ValueError as error:
        return _decode_non_json(text, context, notes, error)
    if nested_too_deeply(data):
        return _too_deep(context, notes, valid=True)
    return _decode_json(data, context, notes)


def _json_int(digits: str) -> int | Decimal:
    """A JSON integer; one too long for Python's int conversion (4,300 digits) as a Decimal."""
    return int(digits) if len(digits) < 100 else Decimal(digits)


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=_json_int)


def _parsed(text: str) -> Any:
    return json_steps.loads(text, _DECODER)


def binary_kind(text: str) -> str | None:
    """What the text is when it is no text at all ("a PNG image", "binary data"), else None.

    Works on text already decoded: a file is binary when it starts like a known file type,
    holds a zero byte, or when control characters make up more than a fiftieth of its start.
    Replaced bytes (U+FFFD) alone do not count: text in another encoding has plenty of those.
    """
    named = next((name for start, name in _FILE_SIGNATURES if text.startswith(start)), None)
    if named is not None:
        return named
    sample = text[:_SAMPLE_CHARACTERS]
    if "\x00" in sample:
        return "binary data"
    controls = sum(1 for char in sample
                   if (char < " " and char not in _TEXT_CONTROLS) or "\x7f" <= char < "\xa0")
    return "binary data" if controls > len(sample) * _BINARY_SHARE else None


def nested_too_deeply(data: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests lists and objects more than ``limit`` levels deep.

    Walks with its own stack, so no depth makes it raise RecursionError.
    """
    pending: list[tuple[dict[str, Any] | list[Any], int]] = []
    if isinstance(data, (dict, list)):
        pending.append((data, 1))
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children
                       if isinstance(child, (dict, list)))
    return False


def _too_deep(context: _Context, notes: tuple[str, ...], *, valid: bool = False) -> Unreadable:
    """JSON nested past ``MAX_JSON_DEPTH``; ``valid`` when it parsed, so it is known to be JSON."""
    what = "This is valid JSON, but nested" if valid else "This JSON is nested"
    return _unreadable(context, "response-too-deep",
                       f"{what} more than {MAX_JSON_DEPTH} levels deep, and an SMS API answer is "
                       f"nested three: it is {_NOT_AN_ANSWER}.", notes=notes)


def _decode_markup(text: str, context: _Context, notes: tuple[str, ...]) -> Unreadable:
    head = text[:2000].lower()
    if "<html" in head or "<!doctype html" in head or "<body" in head:
        title = re.search(r"<title[^>]*>(.*?)</title>", text[:5000], re.IGNORECASE | re.DOTALL)
        detail = f"Page title: {_shorten(' '.join(title.group(1).split()))}" if title else ""
        return _unreadable(context, "response-html",
                           "This is a web page (HTML), not an SMS API answer.", detail, notes)
    return _unreadable(context, "response-xml",
                       "This is XML; smsgui reads the SMS API's JSON answers.", "", notes)


def _decode_non_json(
    text: str, context: _Context, notes: tuple[str, ...], error: Exception
) -> Decoded:
    if text[0] in "{[":
        return _unreadable(context, "response-invalid-json",
                           "This looks like JSON but is broken or cut short.",
                           detail=str(error), notes=notes)
    fields = _query_fields(text)
    if fields and _RECEIPT_KEYS & fields.keys():
        return _receipt(fields, context, notes)
    return _unreadable(context, "response-not-json",
                       f"This is plain text, not an SMS API answer: {_shorten(text)!r}",
                       notes=notes)


def _query_fields(text: str) -> dict[str, str]:
    query = text.split("?", 1)[1] if "?" in text and "=" in text.split("?", 1)[1] else text
    if "=" not in query or any(char.isspace() for char in query.strip()):
        return {}
    return dict(parse_qsl(query.strip(), keep_blank_values=True))


def _decode_json(data: object, context: _Context, notes: tuple[str, ...]) -> Decoded:
    if isinstance(data, list):
        if data and all(isinstance(item, dict) and "status" in item for item in data):
            note = "A bare list of message objects was read as a response."
            return _send_response({"messages": data}, context, (*notes, note))
        return _unreadable(context, "response-unrecognized",
                           "This JSON list is not an SMS API answer.", notes=notes)
    if not isinstance(data, dict):
        return _unreadable(context, "response-unrecognized",
                           f"This JSON is a single {type(data).__name__}, not an SMS API answer.",
                           notes=notes)
    return _decode_object(data, context, notes)


def _decode_object(data: dict[str, Any], context: _Context, notes: tuple[str, ...]) -> Decoded:
    if "messages" in data:
        return _send_response(data, context, notes)
    if "records" in data or "ids_not_found" in data:
        return _reports(data, context, notes)
    if _RECEIPT_KEYS & data.keys():
        return _receipt(data, context, notes)
    messages = _messages_answer(data, context, notes)
    if messages is not None:
        return messages
    if "status" in data and ({"message-id", "error-text", "to"} & data.keys()):
        return _send_response({"messages": [data]}, context,
                              (*notes, "A single message object was read as a one-part response."))
    return _other_object(data, context, notes)


def _other_object(data: dict[str, Any], context: _Context, notes: tuple[str, ...]) -> Unreadable:
    error = _error_object(data)
    if error:
        return _unreadable(context, "response-error-object", error, notes=notes)
    keys = ", ".join(sorted(str(key) for key in data)[:8]) or "no fields"
    return _unreadable(context, "response-unrecognized",
                       f"This JSON is not an SMS API answer (it has {keys}).", notes=notes)


def _error_object(data: Mapping[str, Any]) -> str | None:
    """Summarize problem+json and ``error-code`` bodies; None for anything else."""
    if "error-code" in data or "error-code-label" in data:
        code = text_or_none(data.get("error-code"))
        label = text_or_none(data.get("error-code-label"))
        return f"The API answered with an error: {label or 'no label'} (error-code {code or '?'})."
    title = text_or_none(data.get("title")) or text_or_none(data.get("error_title"))
    detail = text_or_none(data.get("detail"))
    if title or ("type" in data and detail):
        parts = [part for part in (title, detail) if part]
        return "The API answered with an error: " + " - ".join(parts)
    return None


# The Messages API (POST /v1/messages): a 202 answer, a problem document, a status webhook.

def _messages_answer(data: Mapping[str, Any], context: _Context,
                     notes: tuple[str, ...]) -> Decoded | None:
    """What a Messages API body says, or None when it is not one."""
    if "message_uuid" in data:
        if "status" in data:
            return _status_webhook(data, context, notes)
        return _messages_accepted(data, context, notes)
    return _messages_problem(data, context, notes)


def _messages_accepted(data: Mapping[str, Any], context: _Context,
                       notes: tuple[str, ...]) -> SendResponse:
    """``{"message_uuid": ...}``: one message accepted, read as a one-part send response."""
    part = MessagePart(
        index=1, to=text_or_none(data.get("to")), message_id=text_or_none(data["message_uuid"]),
        status=0, entry=context.knowledge.for_messages_error("http-202"), error_text=None,
        price=None, remaining_balance=None, network=None,
        client_ref=text_or_none(data.get("client_ref")), account_ref=None)
    return SendResponse(parts=(part,), declared_count=1,
                        notes=(*notes, "A Messages API answer: one message, its message_uuid."))


MESSAGES_REFUSED = "The Messages API refused it"
MESSAGES_HAD_A_PROBLEM = "The Messages API had a problem"
"""How a problem document's headline opens: a refusal, or (an internal error) not one."""
THROTTLED_OR_INTERNAL = "1000"
"""The Messages API's error 1000 is both "Rate Limit Hit" (HTTP 429) and "Internal error"
(HTTP 500) in its published description: only the title or the HTTP status tells which."""


def _messages_problem(data: Mapping[str, Any], context: _Context,
                      notes: tuple[str, ...]) -> Unreadable | None:
    """A Messages API problem document (RFC 7807), or None for anything else."""
    kind = text_or_none(data.get("type")) or ""
    match = _MESSAGES_PROBLEM.search(kind)
    if match is None:
        return None
    code = match.group("code") or None
    title = text_or_none(data.get("title")) or "no title"
    detail = text_or_none(data.get("detail"))
    named = f" (error {code})" if code and code.isdigit() else ""
    said = detail if detail and detail.casefold().startswith(title.casefold()) else \
        title + (f" - {detail}" if detail else "")
    if code == THROTTLED_OR_INTERNAL and title.lower().startswith("internal"):
        code = "http-500"
    opening = MESSAGES_HAD_A_PROBLEM if code == "http-500" else MESSAGES_REFUSED
    reason = f"{opening}{named}: {said}"
    return Unreadable(entry=context.knowledge.for_messages_error(code),
                      reason=reason.rstrip(".") + ".", detail=_problem_detail(data),
                      notes=notes)


def _problem_detail(data: Mapping[str, Any]) -> str:
    """The parameters a problem document names, and its instance (for Vonage support)."""
    wrong = data.get("invalid_parameters")
    named = [f"{text_or_none(item.get('name')) or '?'}: {text_or_none(item.get('reason')) or '?'}"
             for item in wrong if isinstance(item, dict)] if isinstance(wrong, list) else []
    lines = [f"Invalid parameter {text}" for text in named]
    if instance := text_or_none(data.get("instance")):
        lines.append(f"Instance (for Vonage support): {instance}")
    return "\n".join(lines)


def _status_webhook(data: Mapping[str, Any], context: _Context,
                    notes: tuple[str, ...]) -> Receipt:
    """A Messages API status webhook, read as the receipt of the message it names."""
    notes_list = [*notes]
    status = (text_or_none(data.get("status")) or "").lower() or None
    error, usage = _inner(data, "error"), _inner(data, "usage")
    code = _messages_error_code(error)
    destination = _inner(data, "destination")
    recipient = text_or_none(data.get("to"))
    return Receipt(
        message_id=text_or_none(data.get("message_uuid")),
        recipient=recipient,
        sender=text_or_none(data.get("from")),
        status=status,
        err_code=int(code) if code and code.isdigit() else None,
        status_entry=context.knowledge.for_messages_status(status),
        error_entry=context.knowledge.for_messages_error(code),
        network=_network(destination.get("network_code"), recipient, context),
        price=_decimal(usage.get("price"), "usage.price", notes_list),
        carrier_time=iso_time(data.get("timestamp")),
        message_timestamp=text_or_none(data.get("timestamp")),
        client_ref=text_or_none(data.get("client_ref")),
        notes=tuple(notes_list),
        currency=text_or_none(usage.get("currency")) or CURRENCY,
        error_description=text_or_none(error.get("detail")),
        from_messages=True,
    )


def _nested(fields: Mapping[str, object]) -> dict[str, Any]:
    """Fields named ``usage.price`` back inside their objects: ``{"usage": {"price": ...}}``."""
    data: dict[str, Any] = {}
    for key, value in fields.items():
        outer, dot, inner = str(key).partition(".")
        if dot and inner:
            holder = data.setdefault(outer, {})
            if isinstance(holder, dict):
                holder[inner] = value
        else:
            data[key] = value
    return data


def _inner(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """The object ``data`` holds at ``name``; empty when it holds none."""
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _messages_error_code(error: Mapping[str, Any]) -> str | None:
    """A status webhook error's code: its type's ``#1320``, else a numeric title."""
    match = _MESSAGES_PROBLEM.search(text_or_none(error.get("type")) or "")
    if match is not None and match.group("code"):
        return match.group("code")
    title = text_or_none(error.get("title"))
    return title if title and title.isdigit() else None


def _send_response(data: Mapping[str, Any], context: _Context, notes: tuple[str, ...]) -> Decoded:
    messages = data.get("messages")
    notes_list = list(notes)
    if not isinstance(messages, list) or not messages:
        what = "an empty list" if isinstance(messages, list) else f"a {type(messages).__name__}"
        return _unreadable(context, "response-no-messages",
                           f"The answer's 'messages' is {what}: it reports no message at all.",
                           notes=notes)
    declared = int_or_none(data.get("message-count"))
    if declared is not None and declared != len(messages):
        notes_list.append(
            f"message-count says {declared} but the answer lists {len(messages)} message(s)."
        )
    parts = tuple(_part(index, raw, context) for index, raw in enumerate(messages, start=1))
    return SendResponse(parts=parts, declared_count=declared, notes=tuple(notes_list))


def _part(index: int, raw: object, context: _Context) -> MessagePart:
    if not isinstance(raw, dict):
        return MessagePart(
            index=index, to=None, message_id=None, status=None,
            entry=context.knowledge.for_status(None), error_text=None, price=None,
            remaining_balance=None, network=None, client_ref=None, account_ref=None,
            notes=(f"Part {index} is not a message object ({type(raw).__name__}).",),
        )
    notes: list[str] = []
    status = int_or_none(raw.get("status"))
    if status is None:
        notes.append(f"Part {index} has no readable status ({_shorten(repr(raw.get('status')))}).")
    to = text_or_none(raw.get("to"))
    return MessagePart(
        index=index,
        to=to,
        message_id=text_or_none(raw.get("message-id")),
        status=status,
        entry=context.knowledge.for_status(status),
        error_text=text_or_none(raw.get("error-text")),
        price=_decimal(raw.get("message-price"), "message-price", notes),
        remaining_balance=_decimal(raw.get("remaining-balance"), "remaining-balance", notes),
        network=_network(raw.get("network"), to, context),
        client_ref=text_or_none(raw.get("client-ref")),
        account_ref=text_or_none(raw.get("account-ref")),
        notes=tuple(notes),
    )


def _receipt(
    data: Mapping[str, Any], context: _Context, notes: tuple[str, ...] = ()
) -> Receipt | Unreadable:
    if not isinstance(data, Mapping):
        return _unreadable(context, "response-unrecognized", "This receipt could not be read.")
    notes_list = list(notes)
    status = (text_or_none(data.get("status")) or "").lower() or None
    err_code = int_or_none(data.get("err-code"))
    if data.get("err-code") is not None and err_code is None:
        notes_list.append(f"The err-code {_shorten(repr(data.get('err-code')))} is not a number.")
    recipient = text_or_none(data.get("msisdn"))
    messages = text_or_none(data.get("product")) == "MESSAGES"  # a Reports record of one
    status_entry, error_entry = _delivery_entries(context.knowledge, status, err_code, messages)
    return Receipt(
        message_id=text_or_none(data.get("messageId")) or text_or_none(data.get("message-id")),
        recipient=recipient,
        sender=text_or_none(data.get("to")),
        status=status,
        err_code=err_code,
        status_entry=status_entry,
        error_entry=error_entry,
        network=_network(data.get("network-code"), recipient, context),
        price=_decimal(data.get("price"), "price", notes_list),
        carrier_time=_scts(data.get("scts")),
        message_timestamp=text_or_none(data.get("message-timestamp")),
        client_ref=text_or_none(data.get("client-ref")),
        notes=tuple(notes_list),
        currency=text_or_none(data.get("currency")) or CURRENCY,
        from_reports=text_or_none(data.get("source")) == "reports",
        reported_at=iso_time(data.get("reported-at")),
        latency_ms=int_or_none(data.get("latency-ms")),
        error_description=text_or_none(data.get("error-description")),
        network_name=text_or_none(data.get("network-name")),
        from_messages=messages,
    )


def _reports(data: Mapping[str, Any], context: _Context, notes: tuple[str, ...]) -> Decoded:
    raw_records = data.get("records") or []
    if not isinstance(raw_records, list):
        return _unreadable(context, "response-unrecognized",
                           "The Reports answer's 'records' is not a list.", notes=notes)
    messages = (text_or_none(data.get("product")) or "").upper() == "MESSAGES"
    records = tuple(_record(raw, context, messages) for raw in raw_records
                    if isinstance(raw, dict))
    missing = data.get("ids_not_found") or ""
    ids = missing if isinstance(missing, list) else str(missing).split(",")
    return ReportsResponse(
        records=records,
        empty_entry=context.knowledge.get("response-no-messages"),
        ids_not_found=tuple(str(item).strip() for item in ids if str(item).strip()),
        notes=notes,
    )


def _record(raw: Mapping[str, Any], context: _Context, messages: bool) -> ReportRecord:
    status = (text_or_none(raw.get("status")) or "").lower() or None
    error_code = int_or_none(raw.get("error_code"))
    to = text_or_none(raw.get("to"))
    status_entry, error_entry = _delivery_entries(context.knowledge, status, error_code,
                                                  messages)
    return ReportRecord(
        message_id=text_or_none(raw.get("message_id")),
        to=to,
        sender=text_or_none(raw.get("from")),
        status=status,
        error_code=error_code,
        error_description=text_or_none(raw.get("error_code_description")),
        status_entry=status_entry,
        error_entry=error_entry,
        price=_decimal(raw.get("total_price", raw.get("price")), "total_price", []),
        currency=text_or_none(raw.get("currency")),
        network=_network(raw.get("network"), to, context, text_or_none(raw.get("country"))),
        network_name=text_or_none(raw.get("network_name")),
        country=text_or_none(raw.get("country_name")) or text_or_none(raw.get("country")),
        client_ref=text_or_none(raw.get("client_ref")),
        date_received=text_or_none(raw.get("date_received")),
        date_finalized=text_or_none(raw.get("date_finalized")),
        latency_ms=int_or_none(raw.get("latency")),
        from_messages=messages,
    )


def _delivery_entries(knowledge: KnowledgeBase, status: str | None, code: int | None,
                      messages: bool) -> tuple[Entry, Entry]:
    """The entries for a delivery status and its error code: a receipt's, or the Messages
    API's when the status came from it."""
    if messages:
        return (knowledge.for_messages_status(status),
                knowledge.for_messages_error(None if code is None else str(code)))
    return knowledge.for_receipt_status(status), knowledge.for_receipt_error(code)


def _unreadable(
    context: _Context, entry_id: str, reason: str, detail: str = "",
    notes: Sequence[str] = (),
) -> Unreadable:
    return Unreadable(entry=context.knowledge.get(entry_id), reason=reason, detail=detail,
                      notes=tuple(notes))


def _network(
    code: object, number: str | None, context: _Context, country: str | None = None
) -> Network | None:
    if code is None or code == "":
        return None
    text = text_or_none(code)
    if text is None:
        return None
    candidates = context.networks.candidates(text)
    hint = country or (region_of_number(number) if len(candidates) > 1 and number else None)
    return context.networks.lookup(text, hint)


@functools.lru_cache(maxsize=4096)
def region_of_number(number: str) -> str | None:
    """The ISO region a digits-only E.164 number belongs to, or None.

    Remembered: a results pane with many recipients asks again on every receipt.
    """
    import phonenumbers  # imported here: most decodes never need it

    digits = "".join(char for char in number if char.isdigit())
    if not 7 <= len(digits) <= 15:
        return None
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.region_code_for_number(parsed)


def _decimal(value: object, name: str, notes: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    number = decimal_or_none(value)
    if number is None:
        notes.append(f"{name} {_shorten(str(value))!r} is not a number.")
    return number


def _scts(value: object) -> datetime | None:
    """The carrier's ``scts`` time, ``YYMMDDHHMM``, read as UTC."""
    text = text_or_none(value)
    if not text or not text.isdigit() or len(text) not in (10, 12):
        return None
    try:
        pattern = "%y%m%d%H%M%S" if len(text) == 12 else "%y%m%d%H%M"
        return datetime.strptime(text, pattern).replace(tzinfo=UTC)
    except ValueError:
        return None


def iso_time(value: object) -> datetime | None:
    """An ISO 8601 time such as the Reports API's ``2024-05-01T10:00:02+0000``, or None."""
    text = text_or_none(value)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _shorten(text: str) -> str:
    single_line = " ".join(text.split())
    if len(single_line) <= _MAX_TEXT_IN_REASON:
        return single_line
    return single_line[: _MAX_TEXT_IN_REASON - 1] + "…"

