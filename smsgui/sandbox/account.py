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


@dataclass(frozen=True)
class MessageRecord:
    """One accepted part, as the Reports API and the delivery receipt describe it."""

    message_id: str
    to: str
    sender: str
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


class Account:
    """Balance, throughput and the record of accepted parts, safe to share between threads."""

    def __init__(self, balance: Decimal, rate_limit: int, receipt_delay: float,
                 make_id: Callable[[], str]) -> None:
        self._make_id = make_id
        self._lock = threading.Lock()
        self._balance = balance
        self._rate_limit = rate_limit
        self._receipt_delay = receipt_delay
        self._recent: deque[float] = deque()
        self._records: dict[str, MessageRecord] = {}

    @property
    def balance(self) -> Decimal:
        with self._lock:
            return self._balance

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
        test_number = lookup_test_number(order.to)
        status = test_number.receipt_status if test_number else None
        err_code = test_number.receipt_err_code if test_number else None
        with self._lock:
            if self._balance < price * parts:
                return None
            records = []
            for _ in range(parts):
                self._balance -= price
                record = MessageRecord(
                    message_id=self._make_id(), to=order.to, sender=order.sender,
                    network=order.network, price=price, balance_after=self._balance,
                    client_ref=order.client_ref, received_at=now,
                    final_at=now + self._receipt_delay, receipt_status=status or "delivered",
                    receipt_err_code=err_code or 0,
                )
                self._records[record.message_id] = record
                records.append(record)
            return tuple(records)

    def records(self, message_ids: Iterable[str]) -> tuple[list[MessageRecord], list[str]]:
        """The records found, and the ids that were not."""
        with self._lock:
            found, missing = [], []
            for message_id in message_ids:
                record = self._records.get(message_id)
                if record is None:
                    missing.append(message_id)
                else:
                    found.append(record)
            return found, missing

    def records_between(self, start: float, end: float) -> list[MessageRecord]:
        with self._lock:
            return [r for r in self._records.values() if start <= r.received_at < end]
