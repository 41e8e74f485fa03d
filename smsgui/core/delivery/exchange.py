"""One request and what came of it, whatever its source: a send, a reopened file, a paste.

The results pane and the history show exchanges, so a send, a reload and a paste of the same
answer look the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from smsgui.core.api.decode import (
    Decoded,
    Receipt,
    ReportRecord,
    ReportsResponse,
    SendResponse,
    decode_receipt_fields,
    decode_response,
)
from smsgui.core.api.documents import Failure, ResponseDocument, ThrottleRetry
from smsgui.core.delivery.verdict import Verdict, answer_verdict, failure_verdict
from smsgui.core.reference.knowledge import Entry, KnowledgeBase, default_knowledge_base

if TYPE_CHECKING:  # only the type: exchanges are shown long before the HTTP stack is needed
    from smsgui.core.api.client import ApiOutcome


@dataclass(frozen=True)
class Exchange:
    """A request, its answer as decoded, its receipts, and the verdict on all of them.

    ``decoded`` is None when no answer was read at all (a transport failure); the verdict then
    comes from the failure itself.
    """

    document: ResponseDocument
    decoded: Decoded | None
    verdict: Verdict
    receipts: tuple[Receipt, ...] = ()
    may_have_been_sent: bool = False

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    @property
    def entry(self) -> Entry:
        return self.verdict.entry

    @property
    def headline(self) -> str:
        return self.verdict.headline

    @property
    def unanswered(self) -> bool:
        """No usable answer came: the failure the send recorded is the whole story."""
        return self.decoded is None or self.document.failure is not None

    @property
    def recipient(self) -> str | None:
        request = self.document.request
        return request.field_value("to") if request else None

    @property
    def send_response(self) -> SendResponse | None:
        return self.decoded if isinstance(self.decoded, SendResponse) else None

    @property
    def throttle_retry(self) -> ThrottleRetry | None:
        """The throttled first answer, when smsgui sent this message once more after it."""
        return self.document.throttle_retry

    @property
    def retry_note(self) -> str | None:
        """One sentence on the retry after a throttled first answer; None when there was none."""
        retry = self.document.throttle_retry
        return None if retry is None else retry_sentence(retry)

    @property
    def message_ids(self) -> tuple[str, ...]:
        """The ids the API gave this send's parts, each once, in part order."""
        response = self.send_response
        if response is None:
            return ()
        return tuple(dict.fromkeys(part.message_id for part in response.parts
                                   if part.message_id))


def retry_sentence(retry: ThrottleRetry) -> str:
    """What happened, in words: "Throttled at first: smsgui waited 1.2 s as the API asked and
    sent it once more." The wait is the one smsgui kept, which pacing can make longer."""
    waited = _seconds_text(retry.waited_s)
    if retry.asked_s is None:
        how = f"the API named no wait, so smsgui waited {waited}"
    elif waited == _seconds_text(retry.asked_s):
        how = f"smsgui waited {waited} as the API asked"
    else:
        how = f"smsgui waited {waited} (the API asked for {_seconds_text(retry.asked_s)})"
    return f"Throttled at first: {how} and sent it once more."


def _seconds_text(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


def exchange_from_outcome(outcome: ApiOutcome, sandbox: bool | None,
                          knowledge: KnowledgeBase | None = None,
                          sent_at: datetime | None = None) -> Exchange:
    """What a send produced, ready to show and to save; ``sent_at`` is when it went out."""
    document = replace(outcome.to_document(sandbox), sent_at=sent_at)
    return _exchange(document, outcome.decoded, knowledge or default_knowledge_base())


def exchange_from_document(document: ResponseDocument,
                           knowledge: KnowledgeBase | None = None) -> Exchange:
    """A saved or pasted answer, decoded with its receipts."""
    base = knowledge or default_knowledge_base()
    unanswered = not document.body and saved_failure(document, base) is not None
    decoded = None if unanswered else decode_response(document.body, base)
    return _exchange(document, decoded, base)


def _exchange(document: ResponseDocument, decoded: Decoded | None,
              base: KnowledgeBase) -> Exchange:
    """The one place an exchange's verdict is worked out.

    A saved failure (no answer, an HTTP error, a send that may have gone out) is what the send
    said at the time, so it wins over what the body alone would suggest.
    """
    failure = saved_failure(document, base)
    receipts = tuple(r for r in (decode_receipt_fields(fields, base)
                                 for fields in document.receipts) if isinstance(r, Receipt))
    recipient = document.request.field_value("to") if document.request else None
    if failure is not None:
        entry = base.get(failure.entry_id)
        verdict = failure_verdict(entry, failure.headline or f"{entry.title}.",
                                  failure.may_have_been_sent, recipient,
                                  refused=_turned_down(document))
        return Exchange(document, decoded, verdict, receipts, failure.may_have_been_sent)
    if decoded is None:  # an outcome with no answer always has a failure; this is a safety net
        decoded = decode_response(document.body, base)
    verdict = answer_verdict(decoded, receipts, refused=_turned_down(document))
    return Exchange(document, decoded, verdict, receipts)


def _turned_down(document: ResponseDocument) -> bool:
    """The server answered and refused the whole request (HTTP 4xx): nothing was sent."""
    status = document.http_status
    return status is not None and 400 <= status < 500


UNEXPLAINED_FAILURE = "transport-reason-unknown"
"""The entry of a request that got no answer when the document does not say why."""


def saved_failure(document: ResponseDocument, base: KnowledgeBase) -> Failure | None:
    """What the send said went wrong, as this smsgui can explain it; None for an answer.

    A request saved with no answer (no body, no HTTP status) always had a reason. When the
    reason is missing, or names an entry this version lacks (a newer smsgui saved it), it is
    still a request that got no answer - not empty input - and its headline is kept.
    """
    failure = document.failure
    if failure is not None:
        return failure if failure.entry_id in base else replace(failure,
                                                                entry_id=UNEXPLAINED_FAILURE)
    if document.request is None or document.body.strip() or document.http_status is not None:
        return None  # pasted text, or an answer if an empty one: the decoder says what it is
    return Failure(UNEXPLAINED_FAILURE,
                   "This document records a request that got no answer, and not why.",
                   may_have_been_sent=True)


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
    if record.from_messages:
        fields["product"] = "MESSAGES"
    if record.error_code is not None:
        fields["err-code"] = str(record.error_code)
    if record.latency_ms is not None:
        fields["latency-ms"] = str(record.latency_ms)
    fields |= {"reported-at": record.date_finalized or record.date_received or "",
               "error-description": record.error_description or "",
               "network-name": record.network_name or "", "currency": record.currency or ""}
    return {key: value for key, value in fields.items() if value}


def describe_reports(reports: ReportsResponse) -> str:
    """One line for the status bar: how many delivered, how many not, what was not found."""
    delivered = sum(1 for record in reports.records if record.status == "delivered")
    waiting = sum(1 for record in reports.records
                  if record.ok and record.status != "delivered")
    failed = len(reports.records) - delivered - waiting
    pieces = [piece for piece in (f"{delivered} delivered", f"{failed} not delivered",
                                  f"{waiting} still on the way") if not piece.startswith("0 ")]
    line = "Delivery check: " + (", ".join(pieces) or "no records yet")
    if reports.ids_not_found:
        line += f"; {len(reports.ids_not_found)} not found yet (records can take a few minutes)"
    return line + "."
