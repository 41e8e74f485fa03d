"""Delivery receipts: POSTed as JSON to the request's callback after the configured delay.

A receiver that is down, slow or answers with an error is logged and never harms the server:
receipts go out from their own threads with a short timeout, and nothing is retried.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from smsgui import __version__
from smsgui.core.privacy import mask_number
from smsgui.sandbox.account import MessageRecord

logger = logging.getLogger(__name__)

POST_TIMEOUT = httpx.Timeout(3.0)
_SENDERS = 4


@dataclass(order=True, frozen=True)
class _Due:
    at: float
    sequence: int
    url: str = field(compare=False)
    payload: dict[str, object] = field(compare=False)


def receipt_payload(record: MessageRecord, api_key: str, sent_at: float) -> dict[str, str]:
    """The receipt's fields, named and formatted as the SMS API sends them."""
    moment = datetime.fromtimestamp(sent_at, UTC)
    payload = {
        "msisdn": record.to,
        "to": record.shown_sender,  # the sender the handset shows, which a country may replace
        "network-code": record.network.code if record.network else "",
        "messageId": record.message_id,
        "price": f"{record.price:.8f}",
        "status": record.receipt_status,
        "scts": moment.strftime("%y%m%d%H%M"),
        "err-code": str(record.receipt_err_code),
        "api-key": api_key,
        "message-timestamp": moment.strftime("%Y-%m-%d %H:%M:%S"),
    }
    if record.client_ref:
        payload["client-ref"] = record.client_ref
    return payload


class ReceiptSender:
    """Holds receipts until they are due, then POSTs each one on a small thread pool."""

    def __init__(self, api_key: str, clock: Callable[[], float]) -> None:
        self._api_key = api_key
        self._clock = clock
        self._due: list[_Due] = []
        self._sequence = itertools.count()
        self._wakeup = threading.Condition()
        self._stopping = False
        self._http = httpx.Client(timeout=POST_TIMEOUT, follow_redirects=False,
                                  headers={"User-Agent": f"smsgui-sandbox/{__version__}"})
        self._pool = ThreadPoolExecutor(max_workers=_SENDERS, thread_name_prefix="receipt")
        self._scheduler = threading.Thread(target=self._run, name="receipt-scheduler",
                                           daemon=True)
        self._scheduler.start()

    def schedule(self, url: str, record: MessageRecord) -> None:
        """The SMS API's delivery receipt of ``record``, when it is due."""
        self.schedule_payload(url, record.final_at,
                              dict(receipt_payload(record, self._api_key, record.final_at)))

    def schedule_payload(self, url: str, at: float, payload: dict[str, object]) -> None:
        """POST ``payload`` as JSON to ``url`` at ``at`` (Unix time), e.g. a status webhook."""
        with self._wakeup:
            if self._stopping:
                return
            heapq.heappush(self._due, _Due(at, next(self._sequence), url, payload))
            self._wakeup.notify()

    def stop(self) -> None:
        """Drop receipts not yet due, finish those being sent, and end every thread."""
        with self._wakeup:
            self._stopping = True
            self._due.clear()
            self._wakeup.notify()
        self._scheduler.join()
        self._pool.shutdown(wait=True)
        self._http.close()

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while not self._stopping and not self._ready():
                    self._wakeup.wait(timeout=self._seconds_to_next())
                if self._stopping:
                    return
                due = heapq.heappop(self._due)
            self._pool.submit(self._post, due)

    def _ready(self) -> bool:
        return bool(self._due) and self._due[0].at <= self._clock()

    def _seconds_to_next(self) -> float | None:
        return max(0.0, self._due[0].at - self._clock()) if self._due else None

    def _post(self, due: _Due) -> None:
        recipient = mask_number(str(due.payload.get("msisdn") or due.payload.get("to") or ""))
        try:
            response = self._http.post(due.url, json=due.payload)
        except httpx.HTTPError as error:
            logger.warning("Receipt for %s to %s not delivered: %s",
                           recipient, due.url, type(error).__name__)
            return
        if response.status_code >= 300:
            logger.warning("Receipt for %s: %s answered HTTP %d",
                           recipient, due.url, response.status_code)
        else:
            logger.info("Receipt %s for %s sent to %s", due.payload["status"], recipient, due.url)

