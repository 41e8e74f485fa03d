"""The sandbox account's state: balance, throughput window and the messages it accepted.

One lock guards it all; the HTTP server calls in from many threads at once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from smsgui.core.reference.networks import Network
from smsgui.core.reference.testnumbers import lookup_test_number

WINDOW_SECONDS = 1.0


@dataclass(frozen=True)
class Order:
    """What is being sent, and to whom, as the records keep it."""

    to: str
    sender: str
    network: Network | None
    client_ref: str | None
    shown_sender: str | None = None
    """The sender the handset shows when the destination replaces ``sender``; None keeps it."""
    receipt_status: str | None = None
    """The receipt status the destination's rules give (e.g. India without DLT IDs)."""
    receipt_err_code: int | None = None
    """Its err-code. Both None: the message is reported delivered."""


def receipt_outcome(order: Order) -> tuple[str, int]:
    """The receipt's status and err-code: a magic number's, else the destination's, else delivered.

    The magic numbers come first so their behaviour never depends on anything else.
    """
    test_number = lookup_test_number(order.to)
    if test_number is not None and test_number.receipt_status is not None:
        return test_number.receipt_status, test_number.receipt_err_code or 0
    if order.receipt_status is not None:
        return order.receipt_status, order.receipt_err_code or 0
    return "delivered", 0


@dataclass(frozen=True)
class MessageRecord:
    """One accepted part, as the Reports API and the delivery receipt describe it."""

    message_id: str
    to: str
    sender: str
    shown_sender: str
    """The sender the handset shows (the receipt's ``to``): ``sender`` unless replaced."""
    network: Network | None
    price: Decimal
    balance_after: Decimal
    client_ref: str | None
    received_at: float
    final_at: float
    receipt_status: str
    receipt_err_code: int

    def status_at(self, now: float) -> tuple[str, int]:
        """The delivery status as known at ``now``: "accepted" until the receipt is due."""
        if now < self.final_at:
            return "accepted", 0
        return self.receipt_status, self.receipt_err_code


@dataclass(frozen=True)
class CallbackUrls:
    """The account's default webhooks, as ``POST /account/settings`` keeps them ("" for none)."""

    inbound: str = ""
    """``mo-callback-url``: where SMS to the account's numbers go."""
    receipts: str = ""
    """``dr-callback-url``: where receipts go for a send without its own ``callback``."""


class Account:
    """Balance, throughput and the record of accepted parts, safe to share between threads."""

    def __init__(self, balance: Decimal, rate_limit: int, receipt_delay: float,
                 make_id: Callable[[], str], callbacks: CallbackUrls | None = None) -> None:
        self._make_id = make_id
        self._lock = threading.Lock()
        self._callbacks = callbacks or CallbackUrls()
        self._balance = balance
        self._rate_limit = rate_limit
        self._receipt_delay = receipt_delay
        self._recent: deque[float] = deque()
        self._records: dict[str, MessageRecord] = {}
        self._messages: dict[str, tuple[MessageRecord, ...]] = {}
        """Messages API messages by ``message_uuid`` (their first part's id): their parts."""
        self._message_parts: set[str] = set()
        """Every part id of those messages, which the SMS product does not list."""

    @property
    def balance(self) -> Decimal:
        with self._lock:
            return self._balance

    @property
    def callbacks(self) -> CallbackUrls:
        with self._lock:
            return self._callbacks

    def change_callbacks(self, inbound: str | None, receipts: str | None) -> CallbackUrls:
        """Keep the URLs given (None leaves one as it is, "" unsets it); the settings now."""
        with self._lock:
            self._callbacks = CallbackUrls(
                inbound=self._callbacks.inbound if inbound is None else inbound,
                receipts=self._callbacks.receipts if receipts is None else receipts)
            return self._callbacks

    def throttle(self, now: float) -> int | None:
        """Count one request; over the per-second cap, the wait in ms before one is free."""
        with self._lock:
            while self._recent and self._recent[0] <= now - WINDOW_SECONDS:
                self._recent.popleft()
            if len(self._recent) >= self._rate_limit:
                return max(1, round((self._recent[0] + WINDOW_SECONDS - now) * 1000))
            self._recent.append(now)
            return None

    def charge_parts(self, order: Order, parts: int, price: Decimal,
                     now: float) -> tuple[MessageRecord, ...] | None:
        """Charge every part at once, or none when the balance cannot pay for all of them."""
        receipt = receipt_outcome(order)
        with self._lock:
            if self._balance < price * parts:
                return None
            records = []
            for _ in range(parts):
                self._balance -= price
                record = self._new_record(order, price, (now, now + self._receipt_delay),
                                          receipt)
                self._records[record.message_id] = record
                records.append(record)
            return tuple(records)

    def file_as_message(self, parts: tuple[MessageRecord, ...]) -> None:
        """Keep ``parts`` as one Messages API message: the Reports API lists it under product
        MESSAGES, by its first part's id, and no longer under SMS."""
        with self._lock:
            self._messages[parts[0].message_id] = parts
            self._message_parts.update(part.message_id for part in parts)

    def file_rejected_message(self, order: Order, now: float, rejected_at: float,
                              receipt_err_code: int) -> MessageRecord:
        """Keep a Messages API message that was taken (HTTP 202) but is rejected at
        ``rejected_at`` without reaching a network: uncharged, reported like any other."""
        with self._lock:
            record = self._new_record(order, Decimal(0), (now, rejected_at),
                                      ("rejected", receipt_err_code))
            self._messages[record.message_id] = (record,)
            self._message_parts.add(record.message_id)
            return record

    def _new_record(self, order: Order, price: Decimal, span: tuple[float, float],
                    receipt: tuple[str, int]) -> MessageRecord:
        """A record of one part of ``order`` at the current balance (the lock is held):
        ``span`` is when it was received and when its receipt is final, ``receipt`` that
        receipt's status and err-code."""
        return MessageRecord(
            message_id=self._make_id(), to=order.to, sender=order.sender,
            shown_sender=order.shown_sender or order.sender, network=order.network,
            price=price, balance_after=self._balance, client_ref=order.client_ref,
            received_at=span[0], final_at=span[1], receipt_status=receipt[0],
            receipt_err_code=receipt[1],
        )

    def records(self, message_ids: Iterable[str]) -> tuple[list[MessageRecord], list[str]]:
        """The SMS API records found, and the ids that were not."""
        with self._lock:
            found, missing = [], []
            for message_id in message_ids:
                record = self._records.get(message_id)
                if record is None or message_id in self._message_parts:
                    missing.append(message_id)
                else:
                    found.append(record)
            return found, missing

    def records_between(self, start: float, end: float) -> list[MessageRecord]:
        with self._lock:
            return [r for r in self._records.values()
                    if start <= r.received_at < end and r.message_id not in self._message_parts]

    def messages(self, message_uuids: Iterable[str]
                 ) -> tuple[list[tuple[MessageRecord, ...]], list[str]]:
        """The Messages API messages found (each its parts), and the ids that were not."""
        with self._lock:
            found, missing = [], []
            for message_uuid in message_uuids:
                parts = self._messages.get(message_uuid)
                if parts is None:
                    missing.append(message_uuid)
                else:
                    found.append(parts)
            return found, missing

    def messages_between(self, start: float, end: float) -> list[tuple[MessageRecord, ...]]:
        with self._lock:
            return [parts for parts in self._messages.values()
                    if start <= parts[0].received_at < end]
