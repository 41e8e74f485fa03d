"""One request and what came of it, whatever its source: a send, a reopened file, a paste.

The results pane and the history show exchanges, so a send, a reload and a paste of the same
answer look the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from smsgui.core.decode import (
    Decoded,
    Receipt,
    ReportRecord,
    ReportsResponse,
    SendResponse,
    decode_receipt_fields,
    decode_response,
    overall,
)
from smsgui.core.documents import ResponseDocument
from smsgui.core.knowledge import Entry, KnowledgeBase, default_knowledge_base

if TYPE_CHECKING:  # only the type: exchanges are shown long before the HTTP stack is needed
    from smsgui.core.client import ApiOutcome


@dataclass(frozen=True)
class Exchange:
    """A request, its answer as decoded, and the entry that explains the outcome.

    ``decoded`` is None when no answer was read at all (a transport failure); ``entry`` and
    ``headline`` then come from the failure itself.
    """

    document: ResponseDocument
    decoded: Decoded | None
    entry: Entry
    headline: str
    ok: bool
    receipts: tuple[Receipt, ...] = ()
    may_have_been_sent: bool = False

    @property
    def recipient(self) -> str | None:
        request = self.document.request
        return request.field_value("to") if request else None

    @property
    def send_response(self) -> SendResponse | None:
        return self.decoded if isinstance(self.decoded, SendResponse) else None

    @property
    def message_ids(self) -> tuple[str, ...]:
        """The ids the API gave this send's parts, each once, in part order."""
        response = self.send_response
        if response is None:
            return ()
        return tuple(dict.fromkeys(part.message_id for part in response.parts
                                   if part.message_id))


def exchange_from_outcome(outcome: ApiOutcome, sandbox: bool | None,
                          knowledge: KnowledgeBase | None = None) -> Exchange:
    """What a send produced, ready to show and to save."""
    base = knowledge or default_knowledge_base()
    return Exchange(
        document=outcome.to_document(sandbox),
        decoded=outcome.decoded,
        entry=base.get(outcome.entry_id) if outcome.entry_id in base else base.for_status(None),
        headline=outcome.headline,
        ok=outcome.ok,
        may_have_been_sent=outcome.may_have_been_sent,
    )


def exchange_from_document(document: ResponseDocument,
                           knowledge: KnowledgeBase | None = None) -> Exchange:
    """A saved or pasted answer, decoded with its receipts.

    A saved failure (no answer, an HTTP error, a send that may have gone out) is what the send
    said at the time, so it wins over what the body alone would suggest.
    """
    base = knowledge or default_knowledge_base()
    failure = document.failure
    if failure is not None and failure.entry_id in base:
        entry = base.get(failure.entry_id)
        decoded = decode_response(document.body, knowledge) if document.body else None
        return Exchange(document=document, decoded=decoded, entry=entry,
                        headline=failure.headline or f"{entry.title}.", ok=False,
                        may_have_been_sent=failure.may_have_been_sent)
    decoded = decode_response(document.body, knowledge)
    receipts = tuple(r for r in (decode_receipt_fields(fields, knowledge)
                                 for fields in document.receipts) if isinstance(r, Receipt))
    ok, entry = overall(decoded, receipts)
    headline = decoded.headline
    if decoded.ok and not ok:
        headline = f"Accepted, but not delivered: {entry.title}."
    return Exchange(document=document, decoded=decoded, entry=entry,
                    headline=headline, ok=ok, receipts=receipts)


def with_report_records(exchange: Exchange, records: Sequence[ReportRecord],
                        knowledge: KnowledgeBase | None = None) -> Exchange:
    """The exchange with what the Reports API says of its parts, kept like receipts.

    A record becomes receipt-shaped fields marked ``"source": "reports"``, so the results, the
    saved document and the diagnosis treat it like the receipt the carrier would have sent.
    """
    response = exchange.send_response
    if response is None:
        return exchange
    ids = set(exchange.message_ids)
    fresh = tuple(_record_fields(r) for r in records if r.message_id in ids)
    if not fresh:
        return exchange
    updated = {fields["messageId"] for fields in fresh}
    # A newer lookup replaces an older one for the same message; real receipts stay.
    kept = tuple(fields for fields in exchange.document.receipts
                 if not (fields.get("source") == "reports" and fields.get("messageId") in updated))
    document = replace(exchange.document, receipts=(*kept, *fresh))
    return exchange_from_document(document, knowledge)


def _record_fields(record: ReportRecord) -> dict[str, str]:
    fields = {"source": "reports", "messageId": record.message_id or "",
              "status": record.status or "", "msisdn": record.to or "", "to": record.sender or "",
              "network-code": record.network.code if record.network else "",
              "price": format(record.price, "f") if record.price is not None else ""}
    if record.error_code is not None:
        fields["err-code"] = str(record.error_code)
    if record.latency_ms is not None:
        fields["latency-ms"] = str(record.latency_ms)
    return {key: value for key, value in fields.items() if value}


def describe_reports(reports: ReportsResponse) -> str:
    """One line for the status bar: how many delivered, how many not, what was not found."""
    delivered = sum(1 for record in reports.records if record.status == "delivered")
    waiting = sum(1 for record in reports.records if record.status in ("accepted", "buffered"))
    failed = len(reports.records) - delivered - waiting
    pieces = [piece for piece in (f"{delivered} delivered", f"{failed} not delivered",
                                  f"{waiting} still on the way") if not piece.startswith("0 ")]
    line = "Delivery check: " + (", ".join(pieces) or "no records yet")
    if reports.ids_not_found:
        line += f"; {len(reports.ids_not_found)} not found yet (records can take a few minutes)"
    return line + "."
