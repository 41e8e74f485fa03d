"""What happened to each message, in order: submitted, accepted, receipts, Reports, verdict.

``timeline`` turns an exchange (and any Reports API records fetched for it) into one
:class:`MessageTimeline` per message part, because every part has its own message id, its own
receipts and its own fate. Each timeline ends with a verdict event: "Delivered", "Not delivered:
<reason>", or "Accepted, no receipt yet ...". The verdict's ``entry_id`` names the knowledge entry
that explains it (for a failed receipt, its err-code entry such as ``receipt-error-6``), so a UI
can highlight that entry.

Event texts never contain phone numbers: ``MessageTimeline.recipient`` carries the number, so a
caller can mask it where it must (the diagnostic summary does).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

from smsgui.core.decode import MessagePart, Receipt, ReportRecord, ReportsResponse, SendResponse
from smsgui.core.exchange import Exchange
from smsgui.core.knowledge import Entry
from smsgui.core.networks import network_text
from smsgui.core.values import CURRENCY, money_text

DELIVERED: Final = "Delivered"
NOT_DELIVERED: Final = "Not delivered"
NO_RECEIPT_YET: Final = ("Accepted, no receipt yet - receipts can take minutes; "
                         "use Check delivery")
_ON_ITS_WAY: Final = frozenset({"accepted", "buffered"})
_MS_PER_SECOND: Final = 1000


@dataclass(frozen=True)
class TimelineEvent:
    """One step of a message's story.

    ``at`` is when it happened, if known (carrier time for a receipt, the Reports API's dates
    for a record). ``entry_id`` is the knowledge entry explaining the step, if any. ``final``
    says the step settles the message's fate (a refusal, a final receipt, the verdict).
    """

    at: datetime | None
    label: str
    detail: str
    entry_id: str | None
    final: bool


@dataclass(frozen=True)
class MessageTimeline:
    """One message part's events, oldest first; the last event is always the verdict.

    ``delivered`` is True when delivered, False when it was refused or not delivered, and
    None while nobody knows yet (accepted with no final receipt, or possibly sent).
    """

    message_id: str | None
    recipient: str | None
    events: tuple[TimelineEvent, ...]
    delivered: bool | None

    @property
    def verdict(self) -> TimelineEvent:
        return self.events[-1]

    @property
    def verdict_entry_id(self) -> str | None:
        return self.verdict.entry_id


@dataclass(frozen=True)
class _Evidence:
    """A receipt or a Reports record, reduced to what the verdict needs."""

    at: datetime | None
    status: str | None
    code: int | None
    entry: Entry
    ok: bool
    source: str

    @property
    def final(self) -> bool:
        return self.status not in _ON_ITS_WAY


def timeline(exchange: Exchange, records: Sequence[ReportRecord] = ()) -> list[MessageTimeline]:
    """One timeline per message part of ``exchange``, with ``records`` matched by message id.

    A send gives one timeline per part; a pasted receipt or Reports answer gives one per
    message it describes; an exchange with no usable answer gives one that says why.
    """
    decoded = exchange.decoded
    if isinstance(decoded, SendResponse):
        return [_part_timeline(exchange, part, records) for part in decoded.parts]
    if isinstance(decoded, Receipt):
        return [_delivery_timeline(decoded.message_id, decoded.recipient, [],
                                   (decoded, *exchange.receipts), records)]
    if isinstance(decoded, ReportsResponse) and decoded.records:
        known = (*decoded.records, *records)
        return [_delivery_timeline(record.message_id, record.to, [], exchange.receipts, known)
                for record in decoded.records]
    return [_unanswered_timeline(exchange)]


# -- sends ----------------------------------------------------------------------------------


def _part_timeline(exchange: Exchange, part: MessagePart,
                   records: Sequence[ReportRecord]) -> MessageTimeline:
    recipient = part.to or exchange.recipient
    leading = [_submitted(exchange), _answered(part)]
    if not part.accepted:
        verdict = _event(None, f"{NOT_DELIVERED}: the API refused it - {_status_text(part)}",
                         "Nothing was sent; no receipt will come.", part.entry.id)
        return MessageTimeline(part.message_id, recipient, (*leading, verdict), False)
    return _delivery_timeline(part.message_id, recipient, leading, exchange.receipts, records)


def _submitted(exchange: Exchange) -> TimelineEvent:
    document = exchange.document
    pieces = []
    if document.request is not None:
        pieces.append(f"{document.request.method} {_path_of(document.request.url)}")
    if document.http_status is not None:
        pieces.append(f"HTTP {document.http_status}")
    if document.elapsed_ms is not None:
        pieces.append(f"answered after {document.elapsed_ms:.0f} ms")
    return TimelineEvent(document.saved_at, "Submitted", "; ".join(pieces), None, False)


def _answered(part: MessagePart) -> TimelineEvent:
    pieces = [_status_text(part)]
    if part.error_text and not part.accepted:
        pieces.append(f'error-text "{part.error_text}"')
    pieces += [f"price {money_text(part.price)}", f"network {network_text(part.network)}"]
    label = "Accepted" if part.accepted else "Refused"
    return TimelineEvent(None, label, "; ".join(pieces), part.entry.id, not part.accepted)


def _status_text(part: MessagePart) -> str:
    status = "no status" if part.status is None else f"status {part.status}"
    return f"{status} ({part.entry.display_title})"


# -- receipts and Reports records -----------------------------------------------------------


def _delivery_timeline(message_id: str | None, recipient: str | None,
                       leading: list[TimelineEvent], receipts: Iterable[Receipt],
                       records: Iterable[ReportRecord]) -> MessageTimeline:
    mine = [receipt for receipt in receipts if receipt.message_id == message_id]
    found = list(dict.fromkeys(r for r in records if r.message_id == message_id))
    events = [*leading, *(_receipt_event(r) for r in mine), *(_record_event(r) for r in found)]
    evidence = [*(_from_receipt(r) for r in mine), *(_from_record(r) for r in found)]
    verdict, delivered = _verdict(evidence, leading[-1].entry_id if leading else None)
    return MessageTimeline(message_id, recipient, (*events, verdict), delivered)


def _receipt_event(receipt: Receipt) -> TimelineEvent:
    pieces = [_code_text("err-code", receipt.err_code, receipt.error_entry)]
    if receipt.carrier_time is not None:
        pieces.append(f"carrier time {receipt.carrier_time:%Y-%m-%d %H:%M} UTC")
    pieces += [f"price {money_text(receipt.price)}", f"network {network_text(receipt.network)}"]
    label = f"Receipt: {receipt.status or 'no status'}"
    return TimelineEvent(receipt.carrier_time, label, "; ".join(pieces), receipt.entry.id,
                         receipt.final)


def _record_event(record: ReportRecord) -> TimelineEvent:
    meaning = record.error_description or record.error_entry.title
    pieces = [f"error {record.error_code} ({meaning})" if record.error_code is not None
              else "no error code"]
    pieces.append(f"latency {_latency(record.latency_ms)}")
    price = None if record.price is None else money_text(record.price,
                                                         record.currency or CURRENCY)
    pieces.append(f"price {price or '-'}")
    pieces.append(f"network {record.network_name or network_text(record.network)}")
    label = f"Reports API: {record.status or 'no status'}"
    final = record.status not in _ON_ITS_WAY
    return TimelineEvent(_record_time(record), label, "; ".join(pieces), record.entry.id, final)


def _from_receipt(receipt: Receipt) -> _Evidence:
    return _Evidence(receipt.carrier_time, receipt.status, receipt.err_code, receipt.entry,
                     receipt.ok, "delivery receipt")


def _from_record(record: ReportRecord) -> _Evidence:
    return _Evidence(_record_time(record), record.status, record.error_code, record.entry,
                     record.ok, "Reports API")


# -- verdicts -------------------------------------------------------------------------------


def _verdict(evidence: Sequence[_Evidence],
             accepted_entry_id: str | None) -> tuple[TimelineEvent, bool | None]:
    """A failure anywhere wins; else any final word says delivered; else it is still on its way."""
    finals = [item for item in evidence if item.final]
    failed = next((item for item in finals if not item.ok), None)
    if failed is not None:
        reason = f"{failed.status or 'no status'} - {failed.entry.display_title}"
        if failed.code not in (None, 0):
            reason += f" (err-code {failed.code})"
        return _event(failed.at, f"{NOT_DELIVERED}: {reason}",
                      f"Decided by the {failed.source}.", failed.entry.id), False
    if finals:
        last = finals[-1]
        return _event(last.at, DELIVERED, f"Decided by the {last.source}.", last.entry.id), True
    latest = evidence[-1] if evidence else None
    detail = ("Accepted is not yet delivered." if latest is None
              else f"The latest word ({latest.source}) is {latest.status}.")
    entry_id = latest.entry.id if latest else accepted_entry_id
    return TimelineEvent(latest.at if latest else None, NO_RECEIPT_YET, detail, entry_id,
                         False), None


def _unanswered_timeline(exchange: Exchange) -> MessageTimeline:
    answer = TimelineEvent(None, "No usable answer", exchange.headline, exchange.entry.id,
                           not exchange.may_have_been_sent)
    if exchange.may_have_been_sent:
        verdict = TimelineEvent(None, "Unknown: it may have been sent - use Check delivery "
                                "before sending again", exchange.headline, exchange.entry.id,
                                False)
        delivered = None
    else:
        verdict = _event(None, f"{NOT_DELIVERED}: {exchange.entry.display_title}",
                         exchange.headline, exchange.entry.id)
        delivered = False
    return MessageTimeline(None, exchange.recipient,
                           (_submitted(exchange), answer, verdict), delivered)


def _event(at: datetime | None, label: str, detail: str, entry_id: str) -> TimelineEvent:
    """A final event: a verdict or a refusal."""
    return TimelineEvent(at, label, detail, entry_id, True)


# -- formatting -----------------------------------------------------------------------------


def _code_text(name: str, code: int | None, entry: Entry) -> str:
    return f"no {name}" if code is None else f"{name} {code} ({entry.title})"


def _record_time(record: ReportRecord) -> datetime | None:
    for text in (record.date_finalized, record.date_received):
        if text:
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                continue
    return None


def _latency(latency_ms: int | None) -> str:
    if latency_ms is None:
        return "-"
    if latency_ms < _MS_PER_SECOND:
        return f"{latency_ms} ms"
    return f"{latency_ms / _MS_PER_SECOND:.1f} s"


def _path_of(url: str) -> str:
    """The URL's path only: its query may hold credentials or numbers."""
    return urlsplit(url).path or "/"
