"""One request and what came of it, whatever its source: a send, a reopened file, a paste.

The results pane and the history show exchanges, so a send, a reload and a paste of the same
answer look the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from smsgui.core.client import ApiOutcome
from smsgui.core.decode import (
    Decoded,
    Receipt,
    SendResponse,
    decode_receipt_fields,
    decode_response,
    overall,
)
from smsgui.core.documents import ResponseDocument
from smsgui.core.knowledge import Entry, KnowledgeBase, default_knowledge_base


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
    """A saved or pasted answer, decoded with its receipts."""
    base = knowledge or default_knowledge_base()
    failure = document.failure
    if failure is not None and not document.body and failure.entry_id in base:
        return Exchange(document=document, decoded=None, entry=base.get(failure.entry_id),
                        headline=failure.headline, ok=False,
                        may_have_been_sent=failure.may_have_been_sent)
    decoded = decode_response(document.body, knowledge)
    receipts = tuple(r for r in (decode_receipt_fields(fields, knowledge)
                                 for fields in document.receipts) if isinstance(r, Receipt))
    ok, entry = overall(decoded, receipts)
    return Exchange(document=document, decoded=decoded, entry=entry,
                    headline=decoded.headline, ok=ok, receipts=receipts)
