"""Diagnostic summaries for support tickets, as plain text or Markdown.

A summary never contains a secret. Phone numbers are masked unless the caller asks otherwise, and
the message text appears only when asked for.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from smsgui import __version__
from smsgui.core.api.apitypes import ADVANCED_FIELDS
from smsgui.core.api.decode import (
    Decoded,
    MessagePart,
    Receipt,
    ReportRecord,
    ReportsResponse,
    SendResponse,
    Unreadable,
)
from smsgui.core.api.documents import RequestRecord, ResponseDocument
from smsgui.core.checks.checks import CheckReport
from smsgui.core.checks.segments import MessageType, count_segments
from smsgui.core.delivery.destination import DestinationNote, destination_notes
from smsgui.core.delivery.timeline import timeline
from smsgui.core.delivery.verdict import Verdict, answer_verdict, send_verdict
from smsgui.core.privacy import mask_number
from smsgui.core.reference.knowledge import Entry
from smsgui.core.reference.networks import network_text
from smsgui.core.values import money_text

if TYPE_CHECKING:
    from smsgui.core.delivery.exchange import Exchange


_API_OF_PATH = {"/sms/json": "SMS API (POST /sms/json)",
                "/v1/messages": "Messages API (POST /v1/messages, channel sms)"}


@dataclass(frozen=True)
class SummaryContext:
    """What was asked of the API, as far as it is known; every field may be missing."""

    endpoint_host: str | None = None
    send_api: str | None = None
    """Which API the request went to, e.g. "Messages API (POST /v1/messages)"."""
    sandbox: bool | None = None
    auth_method: str | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = ()
    text: str | None = None
    message_type: MessageType = "auto"
    sent_at: datetime | None = None
    """When the request went out; None when it is not known (a pasted answer)."""
    saved_at: datetime | None = None
    receipts: tuple[Receipt, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    """The advanced parameters the request carried, as the API names them."""
    notes: tuple[DestinationNote, ...] = ()
    """The destination country's rules that explain the outcome."""


@dataclass(frozen=True)
class SummaryOptions:
    markdown: bool = False
    mask_numbers: bool = True
    include_text: bool = False
    made_at: datetime | None = None
    """When the summary is made (copied, decoded); None for now."""


def build_summary(
    decoded: Decoded, context: SummaryContext, options: SummaryOptions = SummaryOptions()
) -> str:
    """The whole summary as one string, ready for the clipboard."""
    verdict = answer_verdict(decoded, context.receipts)
    writer = _Writer(options)
    writer.heading(f"smsgui diagnostic summary: {verdict.headline}")
    writer.section("Request", _request_lines(context, options))
    writer.section(*_result_section(decoded, verdict, options))
    for receipt in context.receipts:
        writer.section(_receipt_title(receipt), _receipt_lines(receipt, options))
    writer.section("What to do next", _advice_lines(verdict.entry))
    _destination_section(writer, context.notes)
    writer.section("Environment", _environment_lines())
    return writer.text()


def _destination_section(writer: _Writer, notes: Sequence[DestinationNote]) -> None:
    if notes:
        writer.section("Destination country rules",
                       [(note.country_name, note.line.removeprefix(f"{note.country_name}: "))
                        for note in notes])


def build_batch_summary(exchanges: Sequence[Exchange],
                        options: SummaryOptions = SummaryOptions()) -> str:
    """One summary for a send to several recipients (or one), failures included."""
    if not exchanges:
        raise ValueError("a summary needs at least one exchange")
    first = exchanges[0]
    context = replace(context_for_document(first.document),
                      recipients=tuple(e.recipient for e in exchanges if e.recipient))
    verdict = send_verdict([exchange.verdict for exchange in exchanges])
    fine = sum(1 for exchange in exchanges if exchange.ok)
    writer = _Writer(options)
    writer.heading(f"smsgui diagnostic summary: {verdict.label} - {fine} of "
                   f"{len(exchanges)} recipient(s) without a problem")
    writer.section("Request", _request_lines(context, options))
    writer.section("Verdict", [("Verdict", verdict.label), ("In short", verdict.headline)])
    count = len(exchanges)
    for number, exchange in enumerate(exchanges, start=1):
        title = f"Recipient {number} of {count}: {_number(exchange.recipient, options)}"
        writer.section(title, _exchange_lines(exchange, options))
    writer.section("What to do next", _advice_lines(verdict.entry))
    notes = (note for exchange in exchanges for note in destination_notes(exchange))
    _destination_section(writer, tuple(dict.fromkeys(notes)))
    writer.section("Environment", _environment_lines())
    return writer.text()


def _exchange_lines(exchange: Exchange, options: SummaryOptions) -> list[tuple[str, str]]:
    if exchange.unanswered or exchange.decoded is None:
        lines = [("Verdict", exchange.verdict.label), ("Problem", exchange.headline),
                 ("Diagnosis", f"{exchange.entry.display_title} [{exchange.entry.id}]")]
        if exchange.may_have_been_sent:
            lines.append(("Warning", "the request may have reached the server; check delivery "
                                     "before sending again"))
        return lines
    _, lines = _result_section(exchange.decoded, exchange.verdict, options)
    if exchange.retry_note:
        lines.append(("Retry", exchange.retry_note))
    for receipt in exchange.receipts:
        lines.extend(_receipt_lines(receipt, options))
    for story in timeline(exchange):
        verdict = story.verdict
        lines.append((f"Outcome of {story.message_id or 'the message'}",
                      verdict.label + (f": {verdict.detail}" if verdict.detail else "")))
    return lines


def _environment_lines() -> list[tuple[str, str]]:
    return [
        ("smsgui", __version__),
        ("OS", f"{platform.system()} {platform.release()}".strip() or "unknown"),
        ("Python", platform.python_version()),
    ]


def _times(context: SummaryContext, options: SummaryOptions) -> list[tuple[str, str]]:
    """When it was sent, when it was saved (if that says more), and when this summary was made."""
    made = options.made_at or datetime.now(UTC)
    lines = [("Sent (UTC)", _utc(context.sent_at) if context.sent_at else "not recorded")]
    if context.saved_at is not None and context.sent_at is None:
        lines.append(("Saved (UTC)", _utc(context.saved_at)))
    lines.append(("Summary made (UTC)", _utc(made)))
    return lines


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _request_lines(context: SummaryContext, options: SummaryOptions) -> list[tuple[str, str]]:
    times = _times(context, options)
    if not (context.endpoint_host or context.sender or context.recipients or context.text):
        return [*times, ("Request", "not recorded: only the answer was given")]
    where = "sandbox" if context.sandbox else "live" if context.sandbox is False else "unknown"
    lines = [
        *times,
        ("Endpoint", f"{context.endpoint_host or 'unknown'} ({where})"),
        *([("Sent through", context.send_api)] if context.send_api else []),
        ("Authentication", context.auth_method or "unknown"),
        ("From", _number(context.sender, options)),
        ("To", ", ".join(_number(number, options) for number in context.recipients) or "-"),
    ]
    if context.text is not None and context.message_type != "binary":
        segments = count_segments(context.text, context.message_type)
        lines.append(("Message", f"{segments.characters} characters, {segments.encoding}, "
                                 f"{segments.parts} part(s)"))
        if options.include_text:
            lines.append(("Text", context.text))
    if context.parameters:
        lines.append(("Parameters", ", ".join(f"{name}={value}"
                                              for name, value in context.parameters)))
    return lines


def _result_section(
    decoded: Decoded, verdict: Verdict, options: SummaryOptions
) -> tuple[str, list[tuple[str, str]]]:
    if isinstance(decoded, SendResponse):
        return "Response", _send_lines(decoded, verdict, options)
    if isinstance(decoded, Receipt):
        return _receipt_title(decoded), [_verdict_line(verdict), *_receipt_lines(decoded, options)]
    if isinstance(decoded, ReportsResponse):
        return "Reports API", [_verdict_line(verdict), *_reports_lines(decoded, options)]
    return "Response", [_verdict_line(verdict), *_unreadable_lines(decoded)]


def _verdict_line(verdict: Verdict) -> tuple[str, str]:
    return "Verdict", str(verdict.label)


def _send_lines(response: SendResponse, verdict: Verdict,
                options: SummaryOptions) -> list[tuple[str, str]]:
    lines = [("Verdict", f"{verdict.label} ({verdict.accepted} of {verdict.parts} accepted, "
                         f"{verdict.failed} with a problem)")]
    for part in response.parts:
        lines.append((f"Part {part.index}", _part_text(part, options)))
    lines.append(("Total price", _total_price_text(response)))
    lines.append(("Remaining balance", _balance_text(response)))
    if response.throttle_wait_ms is not None:
        lines.append(("Throttled", f"the API asked to wait {response.throttle_wait_ms} ms"))
    lines.extend(("Note", note) for note in response.notes)
    return lines


def _total_price_text(response: SendResponse) -> str:
    """The total, said to be partial when some parts gave no price, and unknown when none did."""
    count, unpriced = response.accepted_count, response.unpriced_count
    if count == 0:
        return "nothing charged (no part was accepted)"
    if unpriced == count:
        return "unknown (the answer gives no price)"
    total = money_text(response.total_price, response.currency)
    if unpriced == 0:
        return total
    return f"at least {total} ({unpriced} of {count} accepted parts without a price)"


def _balance_text(response: SendResponse) -> str:
    """The balance after the last part, or after the last part that gave one, saying which."""
    given = [part for part in response.parts if part.remaining_balance is not None]
    if not given:
        return "unknown (the answer gives no balance)"
    last = given[-1]
    balance = money_text(last.remaining_balance, response.currency)
    if last is response.parts[-1]:
        return balance
    missing = len(response.parts) - len(given)
    return (f"{balance} after part {last.index} ({missing} of {len(response.parts)} parts "
            "without a balance)")


def _part_text(part: MessagePart, options: SummaryOptions) -> str:
    to = _number(part.to, options)
    status = "?" if part.status is None else str(part.status)
    pieces = [
        f"to {to}",
        f"message-id {part.message_id or '-'}",
        f"status {status} {part.entry.display_title}",
    ]
    if part.error_text:
        pieces.append(f'error-text "{part.error_text}"')
    pieces.append(f"price {part.price_text}")
    pieces.append(f"network {network_text(part.network)}")
    return "; ".join(pieces)


_RECEIPT_LABELS = ("Err-code", "Recipient (msisdn)", "Sender (to)", "Carrier time (scts)")
_WEBHOOK_LABELS = ("Error", "To", "From", "Time (timestamp)")
"""A status webhook's fields by their Messages API names: it has no msisdn, scts or err-code."""


def _receipt_title(receipt: Receipt) -> str:
    return "Status webhook" if receipt.from_messages and not receipt.from_reports else (
        "Delivery receipt")


def _receipt_lines(receipt: Receipt, options: SummaryOptions) -> list[tuple[str, str]]:
    carrier_time = receipt.carrier_time.strftime("%Y-%m-%d %H:%M") if receipt.carrier_time else "-"
    err = "-" if receipt.err_code is None else f"{receipt.err_code} {receipt.error_entry.title}"
    code, recipient, sender, moment = (_WEBHOOK_LABELS if receipt.from_messages
                                       else _RECEIPT_LABELS)
    lines = [
        ("Message id", receipt.message_id or "-"),
        ("Status", f"{receipt.status or '-'} ({receipt.status_entry.title})"),
        (code, err),
        (recipient, _number(receipt.recipient, options)),
        (sender, _number(receipt.sender, options)),
        ("Network", network_text(receipt.network)),
        ("Price", money_text(receipt.price, receipt.currency)),
        (moment, carrier_time),
    ]
    lines.extend(("Note", note) for note in receipt.notes)
    return lines


def _reports_lines(reports: ReportsResponse, options: SummaryOptions) -> list[tuple[str, str]]:
    lines = [(f"Record {index}", _record_text(record, options))
             for index, record in enumerate(reports.records, start=1)]
    if reports.ids_not_found:
        lines.append(("Not found", ", ".join(reports.ids_not_found)))
    return lines or [("Records", "none")]


def _record_text(record: ReportRecord, options: SummaryOptions) -> str:
    to = _number(record.to, options)
    error = "-" if record.error_code is None else f"{record.error_code} {record.error_entry.title}"
    latency = "-" if record.latency_ms is None else f"{record.latency_ms} ms"
    return (f"message-id {record.message_id or '-'}; to {to}; status {record.status or '-'}; "
            f"error {error}; latency {latency}; price {money_text(record.price)}; "
            f"network {network_text(record.network)}")


def _unreadable_lines(unreadable: Unreadable) -> list[tuple[str, str]]:
    lines = [("Problem", unreadable.reason)]
    if unreadable.detail:
        lines.append(("Detail", unreadable.detail))
    lines.extend(("Note", note) for note in unreadable.notes)
    return lines


def _advice_lines(entry: Entry) -> list[tuple[str, str]]:
    lines = [("Diagnosis", f"{entry.display_title} [{entry.id}]"), ("Meaning", entry.meaning)]
    lines.append(("Next step", entry.next_steps[0]))
    lines.extend(("Then", step) for step in entry.next_steps[1:3])
    return lines


def _number(value: str | None, options: SummaryOptions) -> str:
    """A phone number as the options want it shown; sender names are never masked."""
    return mask_number(value) if options.mask_numbers else (value or "-")


class _Writer:
    """Lays out headed sections of label/value lines as plain text or Markdown."""

    def __init__(self, options: SummaryOptions) -> None:
        self._markdown = options.markdown
        self._lines: list[str] = []

    def heading(self, title: str) -> None:
        self._lines.append(f"## {title}" if self._markdown else title)
        if not self._markdown:
            self._lines.append("=" * min(len(title), 72))

    def section(self, title: str, lines: Sequence[tuple[str, str]]) -> None:
        self._lines.append("")
        self._lines.append(f"### {title}" if self._markdown else f"{title}:")
        for label, value in lines:
            self._lines.append(self._line(label, value))

    def _line(self, label: str, value: str) -> str:
        if self._markdown:
            return f"- **{_escape_markdown(label)}:** {_escape_markdown(value)}"
        return f"  {label}: {value}"

    def text(self) -> str:
        return "\n".join(self._lines) + "\n"


def _escape_markdown(text: str) -> str:
    flattened = " ".join(text.splitlines())
    return "".join("\\" + char if char in "\\`*_[]<>|#" else char for char in flattened)


def context_for_document(
    document: ResponseDocument, receipts: Sequence[Receipt] = ()
) -> SummaryContext:
    """What a saved document says about its request, for the summary's Request section."""
    request = document.request
    if request is None:
        return SummaryContext(sandbox=document.sandbox, receipts=tuple(receipts),
                              sent_at=document.sent_at, saved_at=document.saved_at)
    recipient = request.field_value("to")
    message_type = request.field_value("type")
    return SummaryContext(
        parameters=_parameters(request),
        endpoint_host=urlsplit(request.url).hostname,
        send_api=_API_OF_PATH.get(urlsplit(request.url).path.rstrip("/")),
        sandbox=document.sandbox,
        auth_method=request.auth_method,
        sender=request.field_value("from"),
        recipients=(recipient,) if recipient else (),
        text=request.field_value("text"),
        message_type=_message_type(message_type),
        sent_at=document.sent_at,
        saved_at=document.saved_at,
        receipts=tuple(receipts),
    )


def _message_type(value: str | None) -> MessageType:
    if value == "unicode":
        return "unicode"
    return "binary" if value == "binary" else "text"


_SUMMARISED_PARAMETERS = tuple(name for name in ADVANCED_FIELDS
                               if name not in {"client-ref", "callback", "ttl"})
"""The advanced parameters a summary lists; the reference, callback and time to live are
matters of the receipt, which has its own lines."""


def _parameters(request: RequestRecord) -> tuple[tuple[str, str], ...]:
    """The advanced parameters sent, binary content by its size rather than its bytes."""
    pairs = []
    for name in _SUMMARISED_PARAMETERS:
        value = request.field_value(name)
        if value is not None:
            pairs.append((name, f"{len(value) // 2} bytes" if name == "body" else value))
    return tuple(pairs)


def describe_checks(report: CheckReport) -> str:
    """The pre-send check report as plain text, one finding a line."""
    segments = report.segments
    lines = [f"Text: {segments.characters} characters, {segments.encoding}, {segments.units} "
             f"units, {segments.parts} part(s) of up to {segments.per_part}"]
    if segments.forcing_ucs2:
        lines.append("Characters forcing UCS-2: " + " ".join(segments.forcing_ucs2))
    for recipient in report.recipients:
        facts = ", ".join(str(fact) for fact in (recipient.region, recipient.number_type) if fact)
        validity = "valid" if recipient.valid else "not valid"
        lines.append(f"To: {recipient.input} -> {recipient.e164 or '?'} ({facts}, {validity})")
    for finding in report.findings:
        lines.append(f"[{finding.severity}] {finding.message} ({finding.entry_id})")
        if finding.detail:
            lines.append(f"    {finding.detail}")
        if finding.source:
            checked = f" (checked {finding.checked_on})" if finding.checked_on else ""
            lines.append(f"    Source: {finding.source}{checked}")
    verdict = (f"Blocked: {report.blocking_reason}" if report.blocking
               else "Ready to send: nothing blocks this message.")
    lines.append(verdict)
    return "\n".join(lines) + "\n"
