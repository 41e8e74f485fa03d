"""ReceiptBook: receipts kept by message id and attached to their sends, in any order."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest

from smsgui.core.api.decode import Receipt
from smsgui.core.api.documents import Failure, ResponseDocument
from smsgui.core.delivery.exchange import Exchange, exchange_from_document
from smsgui.core.delivery.receipts import ReceiptBook, receipt_key


def send_exchange(*message_ids: str, status: str = "0") -> Exchange:
    """An exchange for a send answered with one accepted part per message id."""
    messages = [{"to": "447700900123", "message-id": message_id, "status": status,
                 "remaining-balance": "9.9667", "message-price": "0.0333",
                 "network": "23410"} for message_id in message_ids]
    body = json.dumps({"message-count": str(len(messages)), "messages": messages})
    return exchange_from_document(ResponseDocument(body=body, http_status=200))


def receipt(message_id: str, status: str = "delivered", err_code: str = "0",
            timestamp: str = "2024-05-01 10:00:00", **extra: str) -> dict[str, str]:
    return {"msisdn": "447700900123", "to": "AcmeInc", "network-code": "23410",
            "messageId": message_id, "price": "0.03330000", "status": status,
            "scts": "2405011000", "err-code": err_code, "message-timestamp": timestamp, **extra}


def test_add_decodes_and_keeps_the_raw_fields() -> None:
    book = ReceiptBook()
    added = book.add(receipt("m-1"))
    assert isinstance(added, Receipt) and added.message_id == "m-1" and added.ok
    assert book.for_message("m-1") == (receipt("m-1"),)
    assert len(book) == 1 and book.message_ids() == ("m-1",)


def test_values_are_kept_as_text() -> None:
    book = ReceiptBook()
    book.add({"messageId": "m-1", "status": "failed", "err-code": 6, "price": None})
    assert book.for_message("m-1") == ({"messageId": "m-1", "status": "failed",
                                        "err-code": "6"},)


def test_receipts_for_a_message_come_back_in_arrival_order() -> None:
    book = ReceiptBook()
    first = receipt("m-1", "buffered", timestamp="2024-05-01 10:00:00")
    second = receipt("m-1", "delivered", timestamp="2024-05-01 10:05:00")
    book.add(first)
    book.add(receipt("m-2"))
    book.add(second)
    assert book.for_message("m-1") == (first, second)
    assert book.for_message("unknown") == ()


def test_the_returned_fields_are_copies() -> None:
    book = ReceiptBook()
    book.add(receipt("m-1"))
    book.for_message("m-1")[0]["status"] = "failed"
    assert book.for_message("m-1")[0]["status"] == "delivered"


@pytest.mark.parametrize("fields", [{}, {"msisdn": "447700900123", "status": "delivered"},
                                    {"messageId": ""}],
                         ids=["empty", "no-message-id", "blank-message-id"])
def test_receipts_without_a_message_id_are_not_kept(fields: dict[str, str]) -> None:
    book = ReceiptBook()
    assert book.add(fields) is None
    assert len(book) == 0


def test_duplicates_are_kept_once() -> None:
    book = ReceiptBook()
    assert book.add(receipt("m-1")) is not None
    assert book.add(receipt("m-1")) is None
    assert book.add(receipt("m-1", price="0.05")) is None  # same id, status, err-code, time
    assert book.add({**receipt("m-1"), "status": "DELIVERED"}) is None
    assert book.add(receipt("m-1", timestamp="2024-05-01 10:01:00")) is not None
    assert book.add(receipt("m-1", "failed", "6")) is not None
    assert len(book.for_message("m-1")) == 3


def test_receipt_key_reads_either_message_id_spelling() -> None:
    assert receipt_key({"message-id": "a", "status": "x"}) == receipt_key(
        {"messageId": "a", "status": "x"})


# -- attach ---------------------------------------------------------------------------------

def test_a_failed_receipt_makes_an_accepted_send_not_ok() -> None:
    book = ReceiptBook()
    exchange = send_exchange("m-1")
    assert exchange.ok
    book.add(receipt("m-1", "rejected", "6"))
    attached = book.attach(exchange)
    assert not attached.ok
    assert attached.entry.id == "receipt-error-6"
    assert [r.status for r in attached.receipts] == ["rejected"]
    assert attached.document.receipts == (receipt("m-1", "rejected", "6"),)


def test_a_delivered_receipt_keeps_the_send_ok() -> None:
    book = ReceiptBook()
    exchange = send_exchange("m-1")
    book.add(receipt("m-1"))
    attached = book.attach(exchange)
    assert attached.ok and attached.verdict.label == "Delivered"
    assert attached.receipts[0].status == "delivered"


def test_an_early_receipt_is_matched_when_its_send_lands() -> None:
    book = ReceiptBook()
    book.add(receipt("m-early", "failed", "8"))  # the send is not recorded yet
    exchange = send_exchange("m-early")  # now it is
    attached = book.attach(exchange)
    assert attached.entry.id == "receipt-error-8" and not attached.ok


def test_attach_takes_only_the_exchanges_own_receipts() -> None:
    book = ReceiptBook()
    book.add(receipt("someone-else", "failed", "8"))
    exchange = send_exchange("m-1")
    assert book.attach(exchange) is exchange


def test_every_part_gets_its_receipts() -> None:
    book = ReceiptBook()
    book.add(receipt("part-2", "failed", "5"))
    book.add(receipt("part-1"))
    attached = book.attach(send_exchange("part-1", "part-2"))
    assert [r.message_id for r in attached.receipts] == ["part-2", "part-1"]
    assert not attached.ok and attached.entry.id == "receipt-error-5"


def test_attach_is_idempotent_and_adds_only_new_receipts() -> None:
    book = ReceiptBook()
    book.add(receipt("m-1", "buffered"))
    once = book.attach(send_exchange("m-1"))
    assert book.attach(once) is once
    book.add(receipt("m-1", "delivered", timestamp="2024-05-01 10:09:00"))
    twice = book.attach(once)
    assert [r.status for r in twice.receipts] == ["buffered", "delivered"]


def test_receipts_already_in_a_reloaded_document_are_not_doubled() -> None:
    book = ReceiptBook()
    book.add(receipt("m-1"))
    reloaded = exchange_from_document(
        replace(send_exchange("m-1").document, receipts=(receipt("m-1"),)))
    assert book.attach(reloaded) is reloaded


def test_a_transport_failure_is_left_as_it_is() -> None:
    book = ReceiptBook()
    book.add(receipt("m-1", "failed", "8"))
    failure = Failure("transport-read-timeout", "No answer in time.", may_have_been_sent=True)
    exchange = exchange_from_document(ResponseDocument(body="", failure=failure))
    assert exchange.decoded is None
    assert book.attach(exchange) is exchange


def test_a_refused_send_has_no_message_id_to_attach_to() -> None:
    book = ReceiptBook()
    body = json.dumps({"message-count": "1", "messages": [{"status": "4",
                                                          "error-text": "Bad Credentials"}]})
    exchange = exchange_from_document(ResponseDocument(body=body))
    assert book.attach(exchange) is exchange


def test_attach_keeps_may_have_been_sent() -> None:
    book = ReceiptBook()
    book.add(receipt("m-1"))
    exchange = replace(send_exchange("m-1"), may_have_been_sent=True)
    assert book.attach(exchange).may_have_been_sent


# -- threads --------------------------------------------------------------------------------

def test_many_threads_adding_and_attaching_at_once() -> None:
    book = ReceiptBook()
    threads_count, per_thread = 8, 150
    exchange = send_exchange(*(f"m-{index}" for index in range(per_thread)))
    start = threading.Barrier(threads_count + 1)
    attached: list[Exchange] = []

    def add_all(thread: int) -> None:
        start.wait()
        for index in range(per_thread):
            # every thread adds the same delivered receipts, plus its own buffered ones
            book.add(receipt(f"m-{index}"))
            book.add(receipt(f"m-{index}", "buffered", timestamp=f"t{thread}"))

    def attach_repeatedly() -> None:
        start.wait()
        for _ in range(20):
            attached.append(book.attach(exchange))

    workers = [threading.Thread(target=add_all, args=(n,)) for n in range(threads_count)]
    workers.append(threading.Thread(target=attach_repeatedly))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(book) == per_thread * (1 + threads_count)
    final = book.attach(exchange)
    assert len(final.receipts) == per_thread * (1 + threads_count)
    keys = [receipt_key(fields) for fields in final.document.receipts]
    assert len(set(keys)) == len(keys)
    assert all(len(each.receipts) <= len(final.receipts) for each in attached)
