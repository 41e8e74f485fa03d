"""What happened to each message, in order: submitted, accepted, receipts, Reports, verdict.

``timeline`` turns an exchange (and any Reports API records fetched for it) into one
:class:`MessageTimeline` per message part, because every part has its own message id, its own
receipts and its own fate. Each timeline ends with a verdict event: "Delivered", "Not delivered:
<reason>", or "Accepted, no receipt yet ...". The verdict's ``entry_id`` names the knowledge entry
that explains it (for a failed receipt, its err-code entry such as ``receipt-error-6``), so a UI
can highlight that entry. A message sent once more after a throttled first answer starts with a
"Throttled, sent once more" event: what the first answer was and how long smsgui waited.

Event texts never contain phone numbers: ``MessageTimeline.recipient`` carries the number, so a
caller can mask it where it must (the diagnostic summary does).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

from smsgui.core.api.decode import (
    ON_ITS_WAY_STATUSES,
    MessagePart,
    Receipt,
    ReportRecord,
    ReportsResponse,
    SendResponse,
    iso_time,
)
from smsgui.core.delivery.exchange import Exchange
from smsgui.core.delivery.verdict import NO_RECEIPT, Fate, PartFate
from smsgui.core.reference.knowledge import Entry
from smsgui.core.reference.networks import network_text
from smsgui.core.values import money_text

DELIVERED: Final = "Delivered"
NOT_DELIVERED: Final = "Not delivered"
NO_RECEIPT_YET: Final = ("Accepted, no receipt yet - receipts can take minutes; "
                         "use Check delivery")
THROTTLED_RETRIED: Final = "Throttled, sent once more"
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


def timeline(exchange: Exchange) -> list[MessageTimeline]:
    """One timeline per message part of ``exchange``, each ending in that part's verdict.

    A send gives one timeline per part; a pasted receipt or Reports answer gives one per
    message it describes; an exchange with no usable answer gives one that says why. The
    verdicts are ``exchange.verdict``'s fates, so the timeline says what every view says.
    """
    decoded = exchange.decoded
    fates = exchange.verdict.fates
    if isinstance(decoded, SendResponse) and all(fate.is_part for fate in fates):
        return [_part_timeline(exchange, part, fate)
                for part, fate in zip(decoded.parts, fates, strict=True)]
    if isinstance(decoded, Receipt):
        return [_delivery_timeline(fate, [], (decoded, *exchange.receipts), ())
                for fate in fates]
    if isinstance(decoded, ReportsResponse) and decoded.records:
        return [_delivery_timeline(fate, [], exchange.receipts, decoded.records)
                for fate in fates]
    return [_unanswered_timeline(exchange)]


# -- sends ----------------------------------------------------------------------------------


def _part_timeline(exchange: Exchange, part: MessagePart, fate: PartFate) -> MessageTimeline:
    leading = [*_retried(exchange), _submitted(exchange), _answered(part)]
    if fate.fate is Fate.REFUSED:
        verdict = _event(None, f"{NOT_DELIVERED}: the API refused it - {fate.reason}",
                         "Nothing was sent; no receipt will come.", fate.entry.id)
        return MessageTimeline(part.message_id, fate.recipient or exchange.recipient,
                               (*leading, verdict), False)
    return _delivery_timeline(fate, leading, exchange.receipts, (),
                              fate.recipient or exchange.recipient)


def _retried(exchange: Exchange) -> tuple[TimelineEvent, ...]:
    """The throttled first answer, before the request that was sent once more after it."""
    retry, note = exchange.throttle_retry, exchange.retry_note
    if retry is None or note is None:
        return ()
    first = f"First answer: {retry.first_headline}" if retry.first_headline else ""
    detail = " ".join(piece for piece in (first, note) if piece)
    return (TimelineEvent(None, THROTTLED_RETRIED, detail, retry.first_entry_id or None,
                          False),)


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
    pieces += [f"price {part.price_text}", f"network {network_text(part.network)}"]
    label = "Accepted" if part.accepted else "Refused"
    return TimelineEvent(None, label, "; ".join(pieces), part.entry.id, not part.accepted)


def _status_text(part: MessagePart) -> str:
    status = "no status" if part.status is None else f"status {part.status}"
    return f"{status} ({part.entry.display_title})"


# -- receipts and Reports records -----------------------------------------------------------


def _delivery_timeline(fate: PartFate, leading: list[TimelineEvent],
                       receipts: Iterable[Receipt], records: Iterable[ReportRecord],
                       recipient: str | None = None) -> MessageTimeline:
    message_id = fate.message_id
    mine = [receipt for receipt in receipts if receipt.message_id == message_id]
    found = list(dict.fromkeys(r for r in records if r.message_id == message_id))
    events = [*leading, *(_receipt_event(r) for r in mine), *(_record_event(r) for r in found)]
    return MessageTimeline(message_id, recipient or fate.recipient,
                           (*events, _verdict_event(fate)), _delivered(fate))


def _receipt_event(receipt: Receipt) -> TimelineEvent:
    if receipt.from_reports:
        return _reported_event(receipt)
    webhook = receipt.from_messages  # a Messages API status webhook: its words, not a DLR's
    pieces = [_code_text(receipt.code_label, receipt.err_code, receipt.error_entry)]
    if receipt.carrier_time is not None:
        pieces.append(f"{'at' if webhook else 'carrier time'} "
                      f"{receipt.carrier_time:%Y-%m-%d %H:%M} UTC")
    pieces += [f"price {money_text(receipt.price, receipt.currency)}",
               f"network {network_text(receipt.network)}"]
    label = f"{'Status webhook' if webhook else 'Receipt'}: {receipt.status or 'no status'}"
    return TimelineEvent(receipt.carrier_time, label, "; ".join(pieces), receipt.entry.id,
                         receipt.final)


def _record_event(record: ReportRecord) -> TimelineEvent:
    meaning = record.error_description or record.error_entry.title
    details = _reported_details(record.error_code, meaning, record.latency_ms,
                                money_text(record.price, record.currency),
                                record.network_name or network_text(record.network))
    label = f"Reports API: {record.status or 'no status'}"
    final = record.status not in ON_ITS_WAY_STATUSES
    return TimelineEvent(_record_time(record), label, details, record.entry.id, final)


def _reported_event(receipt: Receipt) -> TimelineEvent:
    """A Reports record kept with the send as a receipt: shown as the record it was."""
    meaning = receipt.error_description or receipt.error_entry.title
    details = _reported_details(receipt.err_code, meaning, receipt.latency_ms,
                                money_text(receipt.price, receipt.currency),
                                receipt.network_name or network_text(receipt.network))
    label = f"Reports API: {receipt.status or 'no status'}"
    return TimelineEvent(receipt.reported_at, label, details, receipt.entry.id, receipt.final)


def _reported_details(code: int | None, meaning: str, latency_ms: int | None, price: str,
                      network: str) -> str:
    error = f"error {code} ({meaning})" if code is not None else "no error code"
    return "; ".join((error, f"latency {_latency(latency_ms)}", f"price {price}",
                      f"network {network}"))


# -- verdicts -------------------------------------------------------------------------------


def _verdict_event(fate: PartFate) -> TimelineEvent:
    decided = f"Decided by the {fate.decided_by}." if fate.decided_by else ""
    if fate.fate is Fate.DELIVERED:
        return _event(fate.at, DELIVERED, decided, fate.entry.id)
    if fate.fate is Fate.NOT_DELIVERED:
        return _event(fate.at, f"{NOT_DELIVERED}: {fate.reason}", decided, fate.entry.id)
    detail = ("Accepted is not yet delivered." if fate.reason == NO_RECEIPT
              else f"Accepted is not yet delivered; {fate.reason}.")
    return TimelineEvent(fate.at, NO_RECEIPT_YET, detail, fate.entry.id, False)


def _delivered(fate: PartFate) -> bool | None:
    if fate.fate is Fate.DELIVERED:
        return True
    if fate.fate in (Fate.ON_ITS_WAY, Fate.MAY_HAVE_BEEN_SENT):
        return None
    return False


def _unanswered_timeline(exchange: Exchange) -> MessageTimeline:
    refused = any(fate.fate is Fate.REFUSED for fate in exchange.verdict.fates)
    answer = TimelineEvent(None, "Refused" if refused else "No usable answer", exchange.headline,
                           exchange.entry.id, not exchange.may_have_been_sent)
    if refused:
        verdict = _event(None,
                         f"{NOT_DELIVERED}: the API refused it - {exchange.entry.display_title}",
                         "Nothing was sent; no receipt will come.", exchange.entry.id)
        delivered: bool | None = False
    elif exchange.may_have_been_sent:
        verdict = TimelineEvent(None, "Unknown: it may have been sent - use Check delivery "
                                "before sending again", exchange.headline, exchange.entry.id,
                                False)
        delivered = None
    else:
        verdict = _event(None, f"{NOT_DELIVERED}: {exchange.entry.display_title}",
                         exchange.headline, exchange.entry.id)
        delivered = False
    return MessageTimeline(None, exchange.recipient,
                           (*_retried(exchange), _submitted(exchange), answer, verdict), delivered)


def _event(at: datetime | None, label: str, detail: str, entry_id: str) -> TimelineEvent:
    """A final event: a verdict or a refusal."""
    return TimelineEvent(at, label, detail, entry_id, True)


# -- formatting -----------------------------------------------------------------------------


def _code_text(name: str, code: int | None, entry: Entry) -> str:
    return f"no {name}" if code is None else f"{name} {code} ({entry.title})"


def _record_time(record: ReportRecord) -> datetime | None:
    return iso_time(record.date_finalized) or iso_time(record.date_received)


def _latency(latency_ms: int | None) -> str:
    if latency_ms is None:
        return "-"
    if latency_ms < _MS_PER_SECOND:
        return f"{latency_ms} ms"
    return f"{latency_ms / _MS_PER_SECOND:.1f} s"


def _path_of(url: str) -> str:
    """The URL's path only: its query may hold credentials or numbers."""
    return urlsplit(url).path or "/"
