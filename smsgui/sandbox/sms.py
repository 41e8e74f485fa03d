"""The rules of ``POST /sms/json``: what the real API accepts, refuses, and answers.

Everything here is plain Python over the request's parameters; the HTTP layer in ``server.py``
parses the request and writes the answer. The rules reuse the core's tables (segment counter,
signatures, test numbers, number checks, network table, country rules) so the sandbox and the app
never disagree.
"""

from __future__ import annotations

import hashlib
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
from smsgui.core.checks.parameters import MESSAGE_CLASSES, PROTOCOL_IDS, hex_bytes
from smsgui.core.checks.segments import count_binary_segments, count_segments
from smsgui.core.reference.destinations import CountryRules, SenderRule, default_destination_table
from smsgui.core.reference.networks import Network, default_network_table
from smsgui.core.reference.testnumbers import (
    RANGE_PREFIX,
    lookup_test_number,
    receipt_status_for_error,
)
from smsgui.sandbox.account import Account, MessageRecord, Order
from smsgui.sandbox.config import SIGNATURE_WINDOW_SECONDS, SandboxConfig

# The API's limits, from the tables the pre-send checks use: the two never disagree.
TTL_RANGE = range(MIN_TTL_MS, MAX_TTL_MS + 1)
MESSAGE_TYPES = frozenset({"text", "unicode", "binary"})
_RECIPIENT = re.compile(rf"\d{{{MIN_RECIPIENT_DIGITS},{MAX_RECIPIENT_DIGITS}}}")
_TEST_NUMBER_NETWORK = "23410"
_INTEGER = re.compile(r"0|[1-9][0-9]{0,8}")
# The spec types these boolean, and a form carries a boolean as "true" or "false" (what the
# app's client and every SDK send). Nothing public shows the real API taking "1"/"0" or "TRUE",
# so the sandbox is conservative and refuses them with status 3 rather than guess a meaning.
_FLAGS = ("status-report-req", "trusted-number")
_FLAG_VALUES = frozenset({"true", "false"})

# The error-text of each status as the real API words it, where an answer of it was found; the
# docs' wording otherwise. tests/sandbox/test_answer_shapes.py names the source of each.
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
_OWN_WORDS: Mapping[tuple[int, str], str] = {
    (2, "api_key"): "Missing api_key",
    (2, "api_secret"): "Missing api_secret",
    (2, "text"): "Missing Message Text",
    (3, "to"): "to address is not numeric",
}
"""Parameters whose status 2 or 3 does not read "Missing/Invalid {param} param"."""

# Which fields a refused part carries besides status and error-text, by status, as the answers
# found show them; a status with none found has the spec's ErrorMessage shape (those two only).
_NAMES_THE_RECIPIENT = frozenset({1, 6, 9, 15, 29})
_NAMES_THE_NETWORK = frozenset({1, 9})
_STATES_THE_PRICE = frozenset({9})


@dataclass(frozen=True)
class Rejection:
    """Why a request was refused: an API status, its error-text, and the parameter at fault."""

    status: int
    error_text: str
    param: str | None = None


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
    refused: Rejection | None = None

    @property
    def statuses(self) -> tuple[str, ...]:
        messages = self.body.get("messages")
        if not isinstance(messages, list):
            return ()
        return tuple(str(message.get("status")) for message in messages)


def rejection(status: int, param: str | None = None, wait: int = 1000) -> Rejection:
    """Status ``status`` in the API's words; ``param`` names the parameter of a 2 or 3."""
    own = _OWN_WORDS.get((status, param or ""))
    text = own or ERROR_TEXTS[status].format(param=param, wait=wait)
    return Rejection(status, text, param if status in (2, 3) else None)


def submit(params: Mapping[str, str], caller: Caller, account: Account, config: SandboxConfig,
           now: float) -> Submission:
    """Apply the API's rules to one request and, if it passes, charge and record every part."""
    refused = (authenticate(params, caller, config, now)
               or _throttle(account, now)
               or _check_parameters(params))
    to = params.get("to", "")
    if refused is None:
        refused = _check_destination(params, config)
    if refused is None:
        rules = destination_rules(to)
        records = account.charge_parts(order_of(params, rules), _part_count(params),
                                       config.price, now)
        if records is not None:
            callback = (None if rules is not None and rules.has_no_receipts
                        else _receipt_url(params, account))
            return Submission(body=_success_body(records, params), accepted=records,
                              callback=callback)
        refused = rejection(9)
    charges = None
    if refused.status == 9:  # only once the parameters passed, so the parts can be counted
        charges = _money(config.price * _part_count(params)), _money(account.balance)
    return Submission(body=_error_body(refused, to, charges), refused=refused)


def _part_count(params: Mapping[str, str]) -> int:
    """The parts charged (at least one): a binary message's from its bytes, a text's from its
    characters."""
    message_type = params.get("type", "text")
    if message_type == "binary":
        body, udh = hex_bytes(params["body"]) or b"", hex_bytes(params["udh"]) or b""
        return max(count_binary_segments(body, udh).parts, 1)
    text = params.get("text", "")
    return max(count_segments(text, "unicode" if message_type == "unicode" else "text").parts, 1)


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
        refused = _check_binary(params)
        if refused is not None:
            return refused
    elif not params.get("text"):
        return rejection(2, param="text")
    return _check_formats(params)


def _check_binary(params: Mapping[str, str]) -> Rejection | None:
    """A binary message needs its body and header as hex, as the app's checks read them."""
    for name in ("body", "udh"):
        value = params.get(name, "")
        if not value.strip():
            return rejection(2, param=name)
        if hex_bytes(value) is None:
            return rejection(3, param=name)
    return None


def _check_formats(params: Mapping[str, str]) -> Rejection | None:
    to = params["to"]
    if not _RECIPIENT.fullmatch(to):
        return Rejection(3, "Invalid to param", "to") if to.isdigit() else rejection(3, "to")
    if len(params.get("text", "")) > MAX_TEXT_CHARACTERS:
        return rejection(12)
    callback = params.get("callback")
    if callback is not None and not _is_callback_url(callback):
        return rejection(23)
    return _check_options(params)


def _check_options(params: Mapping[str, str]) -> Rejection | None:
    ttl = params.get("ttl")
    if ttl is not None and not _is_integer_in(ttl, TTL_RANGE):
        return rejection(3, param="ttl")
    for name, allowed in (("message-class", MESSAGE_CLASSES), ("protocol-id", PROTOCOL_IDS)):
        value = params.get(name)
        if value is not None and not _is_integer_in(value, allowed):
            return rejection(3, param=name)
    for name in _FLAGS:
        if params.get(name, "true") not in _FLAG_VALUES:
            return rejection(3, param=name)
    if len(params.get("client-ref", "")) > MAX_CLIENT_REF:
        return rejection(3, param="client-ref")
    return None


def _check_destination(params: Mapping[str, str], config: SandboxConfig) -> Rejection | None:
    """Status 6, 15, 29 and the magic numbers: where the message is going."""
    to = params["to"]
    test_number = lookup_test_number(to)
    if test_number is not None and test_number.api_status != 0:
        # The pattern, not a real parameter's own words: the number itself is fine.
        status = test_number.api_status
        return Rejection(status, ERROR_TEXTS[status].format(param="to", wait=1000),
                         "to" if status in (2, 3) else None)
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


# -- country outcomes ---------------------------------------------------------------------------
# What the destination country does to an accepted message, read from the core's country table
# (resources/destinations.toml): the sandbox shows what the app's country checks warn about.

_REGISTRATION_ERR_CODES: Mapping[str, int] = {"entity-id": 50, "content-id": 52}
"""The receipt err-code for a missing registration parameter: entity filter, content filter."""
_REGULATION_ERROR = 54
_REPLACING_RULES = frozenset({SenderRule.OVERWRITTEN, SenderRule.NEEDS_REGISTRATION})
_NUMBER_IN_PHRASE = re.compile(r"\b[0-9]{3,8}\b")


def destination_rules(to: str) -> CountryRules | None:
    """The recipient country's rules; None for the magic numbers, whose behaviour is their own."""
    if to.startswith(RANGE_PREFIX):
        return None
    return default_destination_table().get(region_of_number(to))


def order_of(params: Mapping[str, str], rules: CountryRules | None = None) -> Order:
    """What is charged and recorded, with what the destination does to it."""
    to, sender = params["to"], params["from"]
    shown: str = sender
    status: str | None = None
    err_code: int | None = None
    if rules is not None:
        status, err_code = _country_receipt(params, rules)
        # A refused message reached no phone, and a registered one keeps its sender.
        kept = err_code not in (None, 0) or bool(rules.registration_parameters)
        shown = sender if kept else shown_sender(sender, to, rules)
    return Order(to=to, sender=sender, network=destination_network(to),
                 client_ref=params.get("client-ref"), shown_sender=shown,
                 receipt_status=status, receipt_err_code=err_code)


def _country_receipt(params: Mapping[str, str],
                     rules: CountryRules) -> tuple[str | None, int | None]:
    """The receipt status and err-code the country gives; (None, None) for the usual delivery."""
    err_code = missing_registration_err_code(params, rules)
    if err_code is not None:
        return receipt_status_for_error(err_code), err_code
    if rules.has_no_receipts:
        # No receipt ever comes, so the Reports API keeps it "accepted", as the app's check says.
        return "accepted", 0
    return None, None


def missing_registration_err_code(params: Mapping[str, str], rules: CountryRules) -> int | None:
    """The receipt err-code when the request lacks a registration parameter the country needs.

    The API accepts the message and charges it; the receipt then fails (India: 50 without an
    entity-id, 52 without a content-id). Only a missing ID fails: the sandbox cannot know which
    IDs are registered, and the app already warns about an ID of the wrong shape.
    """
    for name in rules.registration_parameters:
        if not params.get(name, "").strip():
            return _REGISTRATION_ERR_CODES.get(name, _REGULATION_ERROR)
    return None


def shown_sender(sender: str, to: str, rules: CountryRules) -> str:
    """The sender the handset shows: replaced where the country replaces its kind of sender.

    A country that needs registration replaces only unregistered senders, but the sandbox has
    no registry, so it treats every sender as unregistered, as a first send would find.
    """
    is_name = any(char.isalpha() for char in sender)
    fact = rules.alphanumeric_sender if is_name else rules.numeric_sender
    if fact is None or fact.replaced_by is None or fact.rule not in _REPLACING_RULES:
        return sender
    return replacement_sender(fact.replaced_by, sender, to, rules)


def replacement_sender(replaced_by: str, sender: str, to: str, rules: CountryRules) -> str:
    """A plausible sender for what the table's ``replaced_by`` describes, the same every time.

    One word ("Likely-SCAM", "Unverified") is the label the handset shows; a phrase naming a code
    ("short code 85307 or 87457") gives its first code; a phrase about a short code gives a
    5-digit code; anything else ("a random number", "a local long code") a local-looking number.
    """
    if not any(char.isspace() for char in replaced_by):
        return replaced_by
    named = _NUMBER_IN_PHRASE.search(replaced_by)
    if named:
        return named.group()
    digits = _stable_digits(rules.iso, sender)
    if _describes_short_code(replaced_by):
        return str(10_000 + int(digits[:9]) % 90_000)
    national = to[len(rules.dialing_code):]
    return rules.dialing_code + national[:1] + digits[:max(len(national) - 1, 0)]


def _describes_short_code(phrase: str) -> bool:
    words = phrase.lower()
    if "short code" in words:
        return True
    return "code" in words and "long code" not in words and "number" not in words


def _stable_digits(*seed: str) -> str:
    """Decimal digits derived from ``seed``: the same sender shows the same stand-in."""
    digest = hashlib.sha256("\x1f".join(seed).encode("utf-8")).digest()
    return str(int.from_bytes(digest, "big")).zfill(78)


def _receipt_url(params: Mapping[str, str], account: Account) -> str | None:
    """The request's own callback, else the account's dr-callback-url (which settings change)."""
    if params.get("status-report-req") == "false":
        return None
    return params.get("callback") or account.callbacks.receipts or None


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


def _error_body(refused: Rejection, to: str,
                charges: tuple[str, str] | None = None) -> dict[str, object]:
    """One refused part, with the fields the real API gives that status (``charges``: the
    message's price and the balance, for status 9)."""
    status = refused.status
    message: dict[str, str] = {}
    if status in _NAMES_THE_RECIPIENT and to:
        message["to"] = to
    message.update({"status": str(status), "error-text": refused.error_text})
    if status in _STATES_THE_PRICE and charges is not None:
        message.update({"message-price": charges[0], "remaining-balance": charges[1]})
    if status in _NAMES_THE_NETWORK and _RECIPIENT.fullmatch(to):
        network = destination_network(to)
        message["network"] = network.code if network else ""
    return {"message-count": "1", "messages": [message]}


def _is_integer_in(value: str, allowed: range) -> bool:
    """A plain decimal integer (no sign, spaces or leading zeros) within ``allowed``."""
    return bool(_INTEGER.fullmatch(value)) and int(value) in allowed


def _is_callback_url(url: str) -> bool:
    if len(url) > MAX_CALLBACK_LENGTH or any(char.isspace() for char in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _money(amount: Decimal) -> str:
    return f"{amount:.8f}"
