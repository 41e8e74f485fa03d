"""Pre-send checks: pure functions the compose form runs on every keystroke.

Each problem found is a :class:`Finding` that names a knowledge base entry (``check-...``), how
serious it is and one plain sentence about the number, sender or text it concerns. Blocking
findings are the ones the API would refuse; warnings and notes leave the choice to the user.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from smsgui.core.api.apitypes import SmsOptions
from smsgui.core.checks.findings import Finding, FindingField, FindingSeverity
from smsgui.core.checks.parameters import check_parameters
from smsgui.core.checks.segments import (
    Encoding,
    MessageType,
    SegmentCount,
    count_binary_segments,
    count_segments,
)
from smsgui.core.reference.countries import country_name
from smsgui.core.reference.testnumbers import SandboxNumber, lookup_test_number

# phonenumbers is imported by the functions that read a number: a form without recipients, and
# the window's first frame, never need its ~25 ms import.
if TYPE_CHECKING:
    from phonenumbers import PhoneNumber


MIN_RECIPIENT_DIGITS = 7
MAX_RECIPIENT_DIGITS = 15
MAX_ALPHANUMERIC_SENDER = 11
MAX_NUMERIC_SENDER = 15
MAX_TEXT_CHARACTERS = 3200
MAX_MESSAGES_TEXT_CHARACTERS = 1000
MAX_RECOMMENDED_PARTS = 6
MAX_CALLBACK_LENGTH = 100
MAX_PORTABLE_CLIENT_REF = 40
MAX_CLIENT_REF = 100
MIN_TTL_MS = 20_000
MAX_TTL_MS = 604_800_000

_REMEMBERED_RECIPIENTS = 4096
SANDBOX_TEST_TYPE = "sandbox_test"
UNKNOWN_TYPE = "unknown"

_RECIPIENT_SEPARATORS = re.compile(r"[\n\r,;]+")
_NUMBER_PUNCTUATION = frozenset("-.()/\u2010\u2011\u2012\u2013")
_NUMERIC_SENDER = re.compile(r"\+?[0-9]+")
_ALPHANUMERIC_SENDER_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 "
)
_NON_GEOGRAPHIC_REGIONS = frozenset({"001", "ZZ"})
_SHOWN_CHARACTERS = 5
_SHOWN_VALUE_LENGTH = 40


@dataclass(frozen=True)
class Recipient:
    """One recipient as typed and as it will be sent.

    Attributes:
        input: The text the user entered for this recipient.
        e164: The number the API will get, digits only; None when it cannot be sent.
        region: ISO 3166 code of the number's country, e.g. ``GB``.
        country: The country's English name (the region code when no name is known).
        number_type: Lowercase phonenumbers type name, e.g. ``mobile`` or ``fixed_line``;
            ``sandbox_test`` for the sandbox's test numbers.
        valid: Whether the phone number database knows the number; always true for test numbers.
        test_number: What the sandbox does with the number, when it is a test number.
        calling_code: The number's country calling code, e.g. ``44``; None when unknown.
    """

    input: str
    e164: str | None
    region: str | None
    country: str | None
    number_type: str
    valid: bool
    test_number: SandboxNumber | None
    calling_code: str | None = None


@dataclass(frozen=True)
class Draft:
    """Everything the compose form holds."""

    recipients: tuple[str, ...]
    sender: str
    text: str
    message_type: MessageType = "auto"
    default_region: str | None = None
    callback: str | None = None
    client_ref: str | None = None
    ttl_ms: int | None = None
    request_receipt: bool = False
    status_report_req: bool | None = None
    """``status-report-req`` when no receipt is asked for here: False turns receipts off."""
    options: SmsOptions = field(default_factory=SmsOptions)
    via_messages_api: bool = False
    """Sent through the Messages API (the profile chooses), whose limits and fields differ."""


@dataclass(frozen=True)
class CheckReport:
    """The result of checking a whole draft."""

    recipients: tuple[Recipient, ...]
    segments: SegmentCount
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> bool:
        """Whether any finding stops the draft from being sent."""
        return self.blocking_reason is not None

    @property
    def blocking_reason(self) -> str | None:
        """The message of the first blocking finding, if any."""
        for finding in self.findings:
            if finding.severity is FindingSeverity.BLOCKING:
                return finding.message
        return None


def without_findings(report: CheckReport, entry_ids: Collection[str]) -> CheckReport:
    """The same report minus the findings explained by ``entry_ids``."""
    kept = tuple(finding for finding in report.findings if finding.entry_id not in entry_ids)
    return replace(report, findings=kept)


@dataclass(frozen=True)
class _Resolution:
    """Where a recipient's digits lead before the number's type and validity are looked at."""

    e164: str | None
    parsed: PhoneNumber | None
    findings: tuple[Finding, ...] = ()


def check_draft(draft: Draft) -> CheckReport:
    """Run every check on a draft."""
    entries = [item for entry in draft.recipients for item in split_recipients(entry)]
    recipients: list[Recipient] = []
    findings: list[Finding] = []
    if not entries:
        findings.append(_recipient_missing())
    for entry in entries:
        recipient, recipient_findings = check_recipient(entry, draft.default_region)
        recipients.append(recipient)
        if draft.via_messages_api and recipient.test_number is not None:
            recipient_findings = _test_number_via_messages(recipient.test_number,
                                                           recipient_findings)
        findings += recipient_findings
    findings += _duplicates(recipients)
    findings += check_sender(draft.sender, recipients)
    segments, content_findings = _check_content(draft)
    findings += content_findings
    findings += check_options(draft.callback, draft.client_ref, draft.ttl_ms)
    if draft.via_messages_api:
        findings += check_messages_api(draft)
    if any(recipient.e164 is not None and recipient.test_number is None
           for recipient in recipients):
        # Loaded with the first real recipient: the window's first frame does without it.
        from smsgui.core.checks.destinations import check_destinations, destinations_of

        findings += check_destinations(destinations_of(recipients), draft.sender, segments,
                                       draft.options)
    return CheckReport(tuple(recipients), segments, tuple(findings))


def _check_content(draft: Draft) -> tuple[SegmentCount, list[Finding]]:
    """The text's checks, or for a binary message the body's; then the advanced parameters."""
    if draft.message_type == "binary":
        binary_count, findings = check_parameters("binary", draft.options)
        return binary_count or count_binary_segments(b""), findings
    segments, findings = check_text(draft.text, draft.message_type)
    return segments, findings + check_parameters(draft.message_type, draft.options)[1]


def split_recipients(text: str) -> list[str]:
    """Split a recipients field on new lines, commas and semicolons, dropping blank entries."""
    entries = (entry.strip() for entry in _RECIPIENT_SEPARATORS.split(text))
    return [entry for entry in entries if entry]


# --- recipients -------------------------------------------------------------------------------


def check_recipient(raw: str, default_region: str | None) -> tuple[Recipient, list[Finding]]:
    """Work out the number the API will get for one recipient, and what may go wrong with it.

    Answers are remembered: the compose form checks every recipient again on each keystroke,
    and parsing a number is the costly part (about 0.1 ms each).

    Args:
        raw: The recipient as the user typed it.
        default_region: ISO code of the country assumed for numbers without a country code;
            None when the user chose none.
    """
    recipient, findings = _remembered_check(raw, default_region)
    return recipient, list(findings)


@functools.lru_cache(maxsize=_REMEMBERED_RECIPIENTS)
def _remembered_check(raw: str, default_region: str | None) -> tuple[Recipient,
                                                                     tuple[Finding, ...]]:
    recipient, findings = _check_recipient(raw, default_region)
    return recipient, tuple(findings)


def _check_recipient(raw: str, default_region: str | None) -> tuple[Recipient, list[Finding]]:
    shown = raw.strip()
    if not shown:
        return _unsendable(raw), [_recipient_missing()]
    digits = _phone_digits(shown)
    if digits is None:
        return _unsendable(raw), [_not_a_number(shown)]
    resolution = _resolve(shown, digits, _supported_region(default_region))
    findings = list(resolution.findings)
    e164 = resolution.e164
    if e164 is None:
        return _unsendable(raw), findings
    if not MIN_RECIPIENT_DIGITS <= len(e164) <= MAX_RECIPIENT_DIGITS:
        kept = [finding for finding in findings if finding.severity is not FindingSeverity.INFO]
        return _unsendable(raw), [*kept, _wrong_length(shown, len(e164))]
    recipient, type_findings = _describe(raw, shown, e164, resolution.parsed)
    return recipient, findings + type_findings


def _phone_digits(shown: str) -> str | None:
    """The ASCII digits of a phone number, or None if the text holds anything but a number."""
    body = shown.removeprefix("+")
    digits: list[str] = []
    for char in body:
        if char.isdecimal():
            digits.append(str(unicodedata.decimal(char)))
        elif not (char.isspace() or char in _NUMBER_PUNCTUATION):
            return None
    return "".join(digits) or None


def _supported_region(region: str | None) -> str | None:
    import phonenumbers

    if not region:
        return None
    region = region.strip().upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def _resolve(shown: str, digits: str, region: str | None) -> _Resolution:
    if shown.startswith("+") or digits.startswith("00"):
        return _resolve_international(shown, digits)
    if digits.startswith("0"):
        return _resolve_national(shown, digits, region)
    if len(digits) < MIN_RECIPIENT_DIGITS:
        return _resolve_short(shown, digits, region)
    return _resolve_bare(shown, digits, region)


def _resolve_international(shown: str, digits: str) -> _Resolution:
    prefix = "+" if shown.startswith("+") else "00"
    number = digits if prefix == "+" else digits.removeprefix("00")
    parsed = _parse("+" + number, None)
    e164 = _e164(parsed) if parsed else number
    message = f"{shown} starts with {prefix}; sent as {e164}, as the API wants digits only."
    return _Resolution(e164, parsed, (_to_finding("check-to-prefix", "info", message, shown),))


def _resolve_national(shown: str, digits: str, region: str | None) -> _Resolution:
    """Digits starting with a trunk 0: only a default country can say which country they are in."""
    if region is None:
        return _Resolution(None, None, (_no_country_code(shown),))
    parsed = _parse(digits, region)
    if parsed is None:
        return _Resolution(None, None, (_unparsable(shown, digits),))
    e164 = _e164(parsed)
    return _Resolution(e164, parsed, (_country_code_added(shown, e164, region),))


def _resolve_short(shown: str, digits: str, region: str | None) -> _Resolution:
    """Too few digits for a full number; the length check blocks it."""
    if region and _is_short_code(digits, region):
        message = (
            f"{shown} looks like a short code; the SMS API sends only to full numbers with a"
            " country code."
        )
        return _Resolution(
            digits, None, (_to_finding("check-to-short-code", "warning", message, shown),)
        )
    return _Resolution(digits, None)


def _resolve_bare(shown: str, digits: str, region: str | None) -> _Resolution:
    """Digits without a prefix: international (the API's own format) or national of the region."""
    national = _parse(digits, region) if region else None
    international = _parse("+" + digits, None)
    if region and national and _prefer_national(national, international):
        e164 = _e164(national)
        if e164 == digits:
            return _Resolution(e164, national)
        return _Resolution(e164, national, (_country_code_added(shown, e164, region),))
    if international is None and region is None:
        return _Resolution(None, None, (_no_country_code(shown),))
    return _Resolution(_e164(international) if international else digits, international)


def _prefer_national(national: PhoneNumber, international: PhoneNumber | None) -> bool:
    """A valid number wins, national first; failing that, a national number of plausible length.

    Users type numbers of their default country without its country code, so a plausible
    national reading beats an international one the database does not know either.
    """
    import phonenumbers

    if phonenumbers.is_valid_number(national):
        return True
    if international is not None and phonenumbers.is_valid_number(international):
        return False
    return phonenumbers.is_possible_number(national)


def _describe(
    raw: str, shown: str, e164: str, parsed: PhoneNumber | None
) -> tuple[Recipient, list[Finding]]:
    """Type, country and validity of a number that can be sent."""
    import phonenumbers

    valid = parsed is not None and phonenumbers.is_valid_number(parsed)
    region = _region_of(parsed, valid)
    country = country_name(region)
    test_number = lookup_test_number(e164)
    if test_number is not None:
        recipient = Recipient(raw, e164, region, country, SANDBOX_TEST_TYPE, True, test_number)
        message = f"{e164} is a sandbox test number: {test_number.behaviour}."
        return recipient, [_to_finding("check-to-test-number", "info", message, shown)]
    number_type = _type_name(parsed) if valid and parsed else UNKNOWN_TYPE
    calling_code = str(parsed.country_code) if parsed and parsed.country_code else None
    recipient = Recipient(raw, e164, region, country, number_type, valid, None, calling_code)
    where = f" ({country})" if country else ""
    if not valid:
        message = (
            f"{shown} does not look like a valid phone number{where}; check the digits (the"
            " number database can lag behind new ranges, so it may still work)."
        )
        return recipient, [_to_finding("check-to-invalid", "warning", message, shown)]
    if number_type == "fixed_line":
        message = (
            f"{shown} is a landline{where}; most landlines cannot receive SMS, so the API may"
            " answer status 6."
        )
        return recipient, [_to_finding("check-to-fixed-line", "warning", message, shown)]
    return recipient, []


def _parse(text: str, region: str | None) -> PhoneNumber | None:
    import phonenumbers

    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _e164(parsed: PhoneNumber) -> str:
    import phonenumbers

    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).removeprefix("+")


def _is_short_code(digits: str, region: str) -> bool:
    import phonenumbers

    parsed = _parse(digits, region)
    return parsed is not None and phonenumbers.is_valid_short_number_for_region(parsed, region)


def _region_of(parsed: PhoneNumber | None, valid: bool) -> str | None:
    """The number's country; for a number the database does not know, its calling code's main one.

    The fallback names the United Kingdom for the drama range 07700 900xxx, which the database
    calls invalid.
    """
    import phonenumbers

    if parsed is None:
        return None
    region = phonenumbers.region_code_for_number(parsed) if valid else None
    if (region is None or region in _NON_GEOGRAPHIC_REGIONS) and parsed.country_code:
        region = phonenumbers.region_code_for_country_code(parsed.country_code)
    return None if region is None or region in _NON_GEOGRAPHIC_REGIONS else region


def _type_name(parsed: PhoneNumber) -> str:
    import phonenumbers

    return phonenumbers.PhoneNumberType.to_string(phonenumbers.number_type(parsed)).lower()


def _unsendable(raw: str) -> Recipient:
    return Recipient(raw, None, None, None, UNKNOWN_TYPE, False, None)


def _duplicates(recipients: Iterable[Recipient]) -> list[Finding]:
    first_seen: dict[str, str] = {}
    findings: list[Finding] = []
    for recipient in recipients:
        if recipient.e164 is None:
            continue
        shown = recipient.input.strip()
        if recipient.e164 not in first_seen:
            first_seen[recipient.e164] = shown
            continue
        message = (
            f"{shown} is the same number as {first_seen[recipient.e164]} ({recipient.e164});"
            " it would get the message twice."
        )
        findings.append(_to_finding("check-to-duplicate", "warning", message, shown))
    return findings


def _recipient_missing() -> Finding:
    message = "There is no recipient: enter at least one phone number."
    return _to_finding("check-to-missing", "blocking", message, None)


def _not_a_number(shown: str) -> Finding:
    message = (
        f"{_quoted(shown)} is not a phone number: use digits only, with the country code,"
        " such as 447700900123."
    )
    return _to_finding("check-to-not-a-number", "blocking", message, shown)


def _no_country_code(shown: str) -> Finding:
    message = (
        f"{shown} has no country code: write it with one (such as 44 for the United Kingdom)"
        " or choose a default country."
    )
    return _to_finding("check-to-no-country-code", "blocking", message, shown)


def _country_code_added(shown: str, e164: str, region: str) -> Finding:
    message = f"{shown} has no country code; sent as {e164} ({country_name(region)})."
    return _to_finding("check-to-no-country-code", "info", message, shown)


def _unparsable(shown: str, digits: str) -> Finding:
    if not MIN_RECIPIENT_DIGITS <= len(digits) <= MAX_RECIPIENT_DIGITS:
        return _wrong_length(shown, len(digits))
    return _not_a_number(shown)


def _wrong_length(shown: str, digit_count: int) -> Finding:
    message = (
        f"{_quoted(shown)} has {digit_count} digit{'' if digit_count == 1 else 's'}; the API"
        f" accepts {MIN_RECIPIENT_DIGITS} to {MAX_RECIPIENT_DIGITS} digits, country code included."
    )
    return _to_finding("check-to-length", "blocking", message, shown)


def _test_number_via_messages(number: SandboxNumber,
                              findings: list[Finding]) -> list[Finding]:
    """A test number's note told in the Messages API's answers (HTTP status, status webhook)."""
    from smsgui.core.reference.messages_outcomes import messages_behaviour

    message = f"{number.e164} is a sandbox test number: {messages_behaviour(number)}."
    return [replace(finding, message=message) if finding.entry_id == "check-to-test-number"
            else finding for finding in findings]


def _to_finding(
    entry_id: str,
    severity: Literal["blocking", "warning", "info"],
    message: str,
    subject: str | None,
) -> Finding:
    return Finding(entry_id, FindingSeverity(severity), "to", message, subject)


# --- sender -----------------------------------------------------------------------------------


def check_sender(sender: str, recipients: Sequence[Recipient]) -> list[Finding]:
    """Check the sender ID (``from``): a number of up to 15 digits or a name of up to 11.

    Args:
        sender: The sender as typed.
        recipients: The checked recipients, for the North America rule.
    """
    shown = sender.strip()
    if not shown:
        message = "There is no sender: enter a number or a name of up to 11 letters and digits."
        return [Finding("check-from-missing", FindingSeverity.BLOCKING, "from", message)]
    compact = shown.replace(" ", "")
    if _NUMERIC_SENDER.fullmatch(compact):
        return _check_numeric_sender(shown, compact)
    return _check_alphanumeric_sender(shown, compact, recipients)


def _check_numeric_sender(shown: str, compact: str) -> list[Finding]:
    digits = compact[1:] if compact.startswith("+") else compact.removeprefix("00")
    if len(digits) <= MAX_NUMERIC_SENDER:
        return []
    message = (
        f"The sender number {_shortened(shown)} has {len(digits)} digits; a number sender may"
        f" have at most {MAX_NUMERIC_SENDER}."
    )
    return [_from_finding("check-from-numeric-too-long", message, shown)]


def _check_alphanumeric_sender(
    shown: str, compact: str, recipients: Sequence[Recipient]
) -> list[Finding]:
    findings: list[Finding] = []
    unusable = _distinct(char for char in shown if char not in _ALPHANUMERIC_SENDER_CHARACTERS)
    if unusable:
        message = (
            f"The sender {_quoted(shown)} contains {_listed(unusable)}; a name sender may use"
            " only the letters A-Z, digits and spaces."
        )
        findings.append(_from_finding("check-from-invalid-characters", message, shown))
    if len(compact) > MAX_ALPHANUMERIC_SENDER:
        message = (
            f"The sender {_quoted(shown)} has {len(compact)} characters without spaces; a name"
            f" sender may have at most {MAX_ALPHANUMERIC_SENDER}."
        )
        findings.append(_from_finding("check-from-alphanumeric-too-long", message, shown))
    north_american = _first_north_american(recipients)
    if north_american and any(char.isalpha() for char in shown):
        message = (
            f"A sender name such as {_quoted(shown)} is not allowed for +1 numbers like"
            f" {north_american} (US, Canada and neighbours), so expect status 15; use a Vonage"
            " number as sender."
        )
        findings.append(
            Finding(
                "check-from-alphanumeric-to-north-america",
                FindingSeverity.WARNING,
                "from",
                message,
                shown,
            )
        )
    return findings


def _first_north_american(recipients: Sequence[Recipient]) -> str | None:
    for recipient in recipients:
        if recipient.e164 is not None and recipient.e164.startswith("1"):
            return recipient.e164
    return None


def _from_finding(entry_id: str, message: str, subject: str) -> Finding:
    return Finding(entry_id, FindingSeverity.BLOCKING, "from", message, subject)


# --- text -------------------------------------------------------------------------------------


def check_text(text: str, message_type: MessageType) -> tuple[SegmentCount, list[Finding]]:
    """Count the message's parts and note what its encoding and length mean for the user."""
    count = count_segments(text, message_type)
    if not text.strip():
        message = (
            "The message has only spaces or line breaks: type the text to send."
            if text
            else "The message is empty: type the text to send."
        )
        return count, [_text_finding("check-text-missing", "blocking", message)]
    findings = _encoding_findings(text, message_type, count)
    if count.characters > MAX_TEXT_CHARACTERS:
        message = (
            f"The message has {count.characters:,} characters; the API refuses more than"
            f" {MAX_TEXT_CHARACTERS:,} (status 12)."
        )
        findings.append(_text_finding("check-text-too-long", "blocking", message))
    elif count.parts > MAX_RECOMMENDED_PARTS:
        message = (
            f"The message is sent as {count.parts} SMS parts; some networks drop messages of"
            f" more than {MAX_RECOMMENDED_PARTS} parts."
        )
        findings.append(_text_finding("check-text-many-parts", "warning", message))
    elif count.parts > 1:
        message = (
            f"The message is sent as {count.parts} SMS parts of up to {count.per_part}"
            " characters, each charged as one SMS."
        )
        findings.append(_text_finding("check-text-multipart", "info", message))
    return count, findings


def _encoding_findings(text: str, message_type: MessageType, count: SegmentCount) -> list[Finding]:
    forcing = count.forcing_ucs2
    if message_type == "auto" and count.encoding is Encoding.UCS2:
        message = (
            f"The message goes as Unicode (70 characters per SMS instead of 160) because of"
            f" {_listed(forcing)}."
        )
        return [_text_finding("check-text-ucs2", "info", message)]
    if message_type == "text" and forcing:
        message = (
            f"{_listed(forcing).capitalize()} cannot be sent as type text and will arrive"
            ' as "?"; choose Unicode to keep them.'
        )
        return [_text_finding("check-text-unicode-as-text", "warning", message)]
    if message_type == "unicode" and not forcing:
        as_text = count_segments(text, "text")
        if as_text.parts < count.parts:
            message = (
                f"The message needs no Unicode: as type text it would take {as_text.parts} SMS"
                f" parts instead of {count.parts}."
            )
            return [_text_finding("check-text-unicode-not-needed", "info", message)]
    return []


def _text_finding(
    entry_id: str, severity: Literal["blocking", "warning", "info"], message: str
) -> Finding:
    return Finding(entry_id, FindingSeverity(severity), "text", message)


# --- the Messages API ---------------------------------------------------------------------------

_SMS_API_ONLY_OPTIONS: tuple[tuple[FindingField, str], ...] = (
    ("message_class", "message class"), ("protocol_id", "protocol ID"),
    ("account_ref", "account reference"), ("trusted_number", "trusted number"),
    ("pool_id", "number pool"),
)


def check_messages_api(draft: Draft) -> list[Finding]:
    """What the Messages API refuses or leaves out that the SMS API would take."""
    if draft.message_type == "binary":
        return [Finding("check-messages-binary", FindingSeverity.BLOCKING, "text",
                        "The Messages API sends no binary SMS: choose a text type, or a profile"
                        " that sends through the SMS API.")]
    findings = []
    characters = len(draft.text)
    if characters > MAX_MESSAGES_TEXT_CHARACTERS:
        findings.append(Finding(
            "check-messages-text-too-long", FindingSeverity.BLOCKING, "text",
            f"The message has {characters:,} characters; the Messages API takes at most"
            f" {MAX_MESSAGES_TEXT_CHARACTERS:,}."))
    left_out = [(name, label) for name, label in _SMS_API_ONLY_OPTIONS
                if getattr(draft.options, name) is not None]
    if left_out:
        *first, last = [label for _, label in left_out]
        labels = f"{', '.join(first)} and {last}" if first else last
        findings.append(Finding(
            "check-messages-sms-only-options", FindingSeverity.WARNING, left_out[0][0],
            f"The Messages API leaves out the {labels}, which only the SMS API takes."))
    return findings


# --- options ----------------------------------------------------------------------------------


def check_options(
    callback: str | None, client_ref: str | None, ttl_ms: int | None
) -> list[Finding]:
    """Check the optional callback URL, client reference and time to live.

    Values are checked exactly as they will be sent; None or an empty text means "not set".
    """
    findings = _check_callback(callback) if callback else []
    if client_ref:
        findings += _check_client_ref(client_ref)
    if ttl_ms is not None and not MIN_TTL_MS <= ttl_ms <= MAX_TTL_MS:
        message = (
            f"The time to live of {ttl_ms:,} ms is out of range: the API accepts"
            f" {MIN_TTL_MS:,} ms (20 seconds) to {MAX_TTL_MS:,} ms (7 days)."
        )
        findings.append(
            Finding("check-ttl-out-of-range", FindingSeverity.BLOCKING, "ttl", message, str(ttl_ms))
        )
    return findings


def _check_callback(callback: str) -> list[Finding]:
    if len(callback) > MAX_CALLBACK_LENGTH:
        message = (
            f"The callback URL has {len(callback)} characters; the API accepts at most"
            f" {MAX_CALLBACK_LENGTH} (status 23)."
        )
        return [_callback_finding("check-callback-too-long", message, callback)]
    if not callback.isascii() or not callback.isprintable() or " " in callback:
        message = (
            f"The callback URL {_quoted(callback)} contains spaces or characters a web address"
            " cannot hold (status 23)."
        )
        return [_callback_finding("check-callback-invalid", message, callback)]
    if not _is_absolute_http_url(callback):
        message = (
            f"The callback URL {_quoted(callback)} is not a full web address starting with"
            " http:// or https:// (status 23)."
        )
        return [_callback_finding("check-callback-invalid", message, callback)]
    return []


def _callback_finding(entry_id: str, message: str, callback: str) -> Finding:
    return Finding(entry_id, FindingSeverity.BLOCKING, "callback", message, callback)


def _is_absolute_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(host)


def _check_client_ref(client_ref: str) -> list[Finding]:
    length = len(client_ref)
    if length > MAX_CLIENT_REF:
        severity = FindingSeverity.BLOCKING
        message = (
            f"The client reference has {length} characters; the API accepts at most"
            f" {MAX_CLIENT_REF}."
        )
    elif length > MAX_PORTABLE_CLIENT_REF:
        severity = FindingSeverity.WARNING
        message = (
            f"The client reference has {length} characters; older parts of the API keep only"
            f" {MAX_PORTABLE_CLIENT_REF}, so it may come back cut short."
        )
    else:
        return []
    return [Finding("check-client-ref-too-long", severity, "client_ref", message, client_ref)]


# --- wording helpers --------------------------------------------------------------------------


def _distinct(chars: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(chars))


def _listed(chars: Sequence[str]) -> str:
    """Name characters for a sentence: '"ç", "ê" and 3 more'."""
    names = [_character_name(char) for char in chars[:_SHOWN_CHARACTERS]]
    hidden = len(chars) - len(names)
    if hidden:
        return f"{', '.join(names)} and {hidden} more"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _character_name(char: str) -> str:
    if char.isprintable() and not char.isspace():
        return f'"{char}"'
    name = unicodedata.name(char, "").lower()
    return f"the {name} (U+{ord(char):04X})" if name else f"U+{ord(char):04X}"


def _quoted(value: str) -> str:
    return f'"{_shortened(value)}"'


def _shortened(value: str) -> str:
    if len(value) <= _SHOWN_VALUE_LENGTH:
        return value
    return value[: _SHOWN_VALUE_LENGTH - 1] + "…"
