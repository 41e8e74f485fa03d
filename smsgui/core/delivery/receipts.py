"""Delivery receipts as they arrive, kept by message id until their sends claim them.

Receipts come in on the receiver's request threads, possibly before the send they belong to has
been recorded (the network can be quicker than the app). ``ReceiptBook`` keeps every receipt,
raw fields and all, and ``attach`` adds the ones for an exchange's message ids to its document
whenever the exchange turns up, so the order of arrival never matters.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Mapping

from smsgui.core.api.decode import Receipt, decode_receipt_fields
from smsgui.core.delivery.exchange import Exchange, exchange_from_document
from smsgui.core.reference.knowledge import KnowledgeBase
from smsgui.core.reference.networks import NetworkTable

ReceiptKey = tuple[str, str, str, str]


def receipt_key(fields: Mapping[str, str]) -> ReceiptKey:
    """What makes two receipts the same one: message id, status, err-code and timestamp."""
    message_id = fields.get("messageId") or fields.get("message-id") or ""
    return (message_id, (fields.get("status") or "").lower(), fields.get("err-code") or "",
            fields.get("message-timestamp") or "")


def raw_fields(fields: Mapping[str, object]) -> dict[str, str]:
    """A receipt's fields as strings, as a document keeps them; None values are dropped."""
    return {str(key): str(value) for key, value in fields.items() if value is not None}


class ReceiptBook:
    """A thread-safe store of delivery receipts, by message id, in order of arrival."""

    def __init__(self, knowledge: KnowledgeBase | None = None,
                 networks: NetworkTable | None = None) -> None:
        self._knowledge = knowledge
        self._networks = networks
        self._lock = threading.Lock()
        # By message id, each with its arrival number: attaching looks up only its own ids, so
        # a receipt costs the same in a session of 10 as in one of 10,000.
        self._arrivals: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._keys: set[ReceiptKey] = set()

    def __len__(self) -> int:
        with self._lock:
            return len(self._keys)

    def add(self, fields: Mapping[str, object]) -> Receipt | None:
        """Keep one receipt; its decoded form, or None when it was not kept.

        A receipt is not kept when it cannot be read as one, has no message id, or was
        already kept (same message id, status, err-code and message-timestamp).
        """
        raw = raw_fields(fields)
        receipt = decode_receipt_fields(raw, self._knowledge, self._networks)
        if not isinstance(receipt, Receipt) or not receipt.message_id:
            return None
        key = receipt_key(raw)
        with self._lock:
            if key in self._keys:
                return None
            self._keys.add(key)
            self._arrivals.setdefault(receipt.message_id, []).append((len(self._keys), raw))
        return receipt

    def for_message(self, message_id: str) -> tuple[dict[str, str], ...]:
        """The raw fields of every receipt kept for ``message_id``, oldest first."""
        return tuple(self._receipts_for((message_id,)))

    def message_ids(self) -> tuple[str, ...]:
        """Every message id with at least one receipt, in order of first arrival."""
        with self._lock:
            firsts = sorted((arrivals[0][0], message_id)
                            for message_id, arrivals in self._arrivals.items())
        return tuple(message_id for _, message_id in firsts)

    def attach(self, exchange: Exchange) -> Exchange:
        """``exchange`` with every kept receipt for its message ids added to its document.

        The receipts, ``ok`` and ``entry`` are worked out again the way a reloaded document's
        are (:func:`exchange_from_document`). An exchange with no answer (a transport failure)
        or nothing new to add comes back as it is.
        """
        if exchange.decoded is None or not self._arrivals:
            return exchange
        stored = self._receipts_for(exchange.message_ids)
        receipts = _merged(exchange.document.receipts, stored)
        if len(receipts) == len(exchange.document.receipts):
            return exchange
        document = dataclasses.replace(exchange.document, receipts=receipts)
        attached = exchange_from_document(document, self._knowledge)
        return dataclasses.replace(attached, may_have_been_sent=exchange.may_have_been_sent)

    def _receipts_for(self, message_ids: Iterable[str]) -> list[dict[str, str]]:
        """The receipts for any of ``message_ids``, in order of arrival."""
        with self._lock:
            found = [arrival for message_id in set(message_ids)
                     for arrival in self._arrivals.get(message_id, ())]
        return [dict(fields) for _, fields in sorted(found, key=lambda arrival: arrival[0])]


def _merged(existing: tuple[Mapping[str, str], ...],
            stored: Iterable[dict[str, str]]) -> tuple[Mapping[str, str], ...]:
    """The document's receipts, then each stored one it does not hold yet."""
    seen = {receipt_key(fields) for fields in existing}
    added: list[Mapping[str, str]] = []
    for fields in stored:
        key = receipt_key(fields)
        if key not in seen:
            seen.add(key)
            added.append(fields)
    return (*existing, *added)
