"""The decoder on every response shape the API (or a person pasting) can produce."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsgui.core.api.decode import (
    Receipt,
    ReportsResponse,
    SendResponse,
    Unreadable,
    decode_receipt_fields,
    decode_response,
)
from smsgui.core.delivery.verdict import Label, answer_verdict

SEED_SUCCESS = """{
    "message-count": "1",
    "messages": [{
        "to": "447700900000", "message-id": "0C000000217B7F02", "status": "0",
        "remaining-balance": "15.53590000", "message-price": "0.03330000", "network": "23410"
    }]
}"""

THREE_PARTS = {
    "message-count": "3",
    "messages": [
        {"to": "447700900000", "message-id": f"0A00000001234567{n}", "status": "0",
         "remaining-balance": balance, "message-price": "0.03330000", "network": "23410",
         "client-ref": "ticket-42", "account-ref": "customer1234"}
        for n, balance in ((1, "3.14159265"), (2, "3.10829265"), (3, "3.07499265"))
    ],
}

PARTIAL = {
    "message-count": "2",
    "messages": [
        {"to": "447700900000", "message-id": "3295d748-4e14-4681-af78-166dca3c5aab",
         "status": "0", "remaining-balance": "9.9667", "message-price": "0.0333",
         "network": "23410"},
        {"to": "447700900000", "status": "1",
         "error-text": "Throughput Rate Exceeded - please wait [ 702 ] and retry",
         "network": "23410"},
    ],
}

THROTTLED_US = {
    "message-count": "1",
    "messages": [{"to": "14843472194", "status": "1", "network": "310260",
                  "error-text": "Throughput Rate Exceeded - please wait [ 702 ] and retry"}],
}

DLR_JSON = {
    "err-code": "0", "message-timestamp": "2018-10-25 12:10:29", "messageId": "0B00000127FDBC63",
    "msisdn": "447547232824", "network-code": "23410", "price": "0.03330000", "scts": "1810251310",
    "status": "delivered", "to": "Vonage",
}


def decode_send(body: object) -> SendResponse:
    result = decode_response(body)
    assert isinstance(result, SendResponse), result
    return result


def decode_unreadable(body: object) -> Unreadable:
    result = decode_response(body)
    assert isinstance(result, Unreadable), result
    assert not result.ok
    return result


class TestSendResponses:
    def test_the_seed_example(self) -> None:
        result = decode_send(SEED_SUCCESS)
        (part,) = result.parts
        assert part.to == "447700900000"
        assert part.message_id == "0C000000217B7F02"
        assert part.status == 0 and part.accepted
        assert part.entry.id == "status-0"
        assert part.price == Decimal("0.03330000")
        assert part.remaining_balance == Decimal("15.53590000")
        assert part.network is not None
        assert (part.network.operator, part.network.country) == ("O2 (UK)", "United Kingdom")
        assert answer_verdict(result).label is Label.ACCEPTED and result.ok
        assert "not yet delivered" in result.headline

    def test_multipart_totals_and_final_balance(self) -> None:
        result = decode_send(THREE_PARTS)
        assert len(result.parts) == 3 == result.declared_count
        assert result.total_price == Decimal("0.09990000")
        assert result.final_balance == Decimal("3.07499265")
        assert [p.index for p in result.parts] == [1, 2, 3]
        assert {p.client_ref for p in result.parts} == {"ticket-42"}
        assert {p.account_ref for p in result.parts} == {"customer1234"}
        assert result.currency == "EUR"

    def test_partial_failure_and_throttle_wait(self) -> None:
        result = decode_send(PARTIAL)
        assert answer_verdict(result).label is Label.PARTIAL_FAILURE and not result.ok
        assert (result.accepted_count, result.failed_count) == (1, 1)
        assert result.throttle_wait_ms == 702
        assert result.entry.id == "status-1"
        assert result.worst_part.index == 2
        assert result.worst_part.message_id is None and result.worst_part.price is None
        assert "1 of 2 parts accepted" in result.headline
        assert result.total_price == Decimal("0.0333")

    def test_all_failed(self) -> None:
        result = decode_send('{"message-count":"1","messages":[{"status":"4",'
                             '"error-text":"Bad Credentials"}]}')
        assert answer_verdict(result).label is Label.FAILED
        assert result.entry.id == "status-4"
        assert result.parts[0].error_text == "Bad Credentials"
        assert result.final_balance is None
        assert "status 4" in result.headline

    def test_a_shared_network_code_uses_the_recipients_country(self) -> None:
        us = decode_send(THROTTLED_US).parts[0].network
        assert us is not None and us.country_code == "US"
        puerto_rico = dict(THROTTLED_US["messages"][0], to="17875550123")
        pr = decode_send({"messages": [puerto_rico]}).parts[0].network
        assert pr is not None and pr.country_code == "PR"

    @pytest.mark.parametrize("code", [*range(13), 14, 15, 17, 22, 23, 29, 32, 33])
    def test_every_status_code_finds_its_entry(self, code: int) -> None:
        result = decode_send({"messages": [{"status": str(code), "error-text": "x"}]})
        assert result.entry.id == f"status-{code}"

    def test_the_old_labels_are_shown_beside_the_new(self) -> None:
        six = decode_send({"messages": [{"status": "6", "error-text": "x"}]})
        assert "Unroutable" in six.headline and "Invalid Message" in six.headline

    def test_unknown_code(self) -> None:
        result = decode_send({"messages": [{"status": "101",
                                            "error-text": "Invalid Account for Campaign"}]})
        assert result.parts[0].status == 101
        assert result.entry.id == "status-unknown"
        assert not result.ok

    def test_numbers_instead_of_strings(self) -> None:
        body = ('{"message-count": 1, "messages": [{"to": 447700900000, "status": 0, '
                '"message-price": 0.0333, "remaining-balance": 10, "network": 23410}]}')
        (part,) = decode_send(body).parts
        assert part.status == 0 and part.to == "447700900000"
        assert part.price == Decimal("0.0333")
        assert part.remaining_balance == Decimal(10)
        assert part.network is not None and part.network.operator == "O2 (UK)"

    def test_missing_and_extra_fields(self) -> None:
        result = decode_send({"messages": [{"status": "0", "surprise": {"nested": True}}]})
        (part,) = result.parts
        assert part.accepted and part.to is None and part.network is None and part.price is None

    def test_missing_status_is_a_failure_with_a_note(self) -> None:
        result = decode_send({"messages": [{"to": "447700900000", "message-id": "abc"}]})
        assert result.parts[0].status is None
        assert result.entry.id == "status-unknown"
        assert any("no readable status" in note for note in result.parts[0].notes)

    def test_garbage_price_is_noted_not_raised(self) -> None:
        (part,) = decode_send({"messages": [{"status": "0", "message-price": "cheap",
                                             "remaining-balance": "NaN"}]}).parts
        assert part.price is None and part.remaining_balance is None
        assert len(part.notes) == 2

    def test_count_mismatch_is_noted(self) -> None:
        result = decode_send({"message-count": "2", "messages": [{"status": "0"}]})
        assert any("message-count says 2" in note for note in result.notes)

    def test_a_single_pasted_message_object(self) -> None:
        result = decode_send({"status": "29", "error-text": "Non White-listed Destination - "
                                                            "rejected", "to": "447700900000"})
        assert result.entry.id == "status-29"

    def test_bytes_and_bom(self) -> None:
        result = decode_send(b"\xef\xbb\xbf" + SEED_SUCCESS.encode())
        assert result.ok

    def test_non_utf8_bytes_are_noted(self) -> None:
        result = decode_response(b'{"messages": [{"status": "0", "to": "\xff"}]}')
        assert isinstance(result, SendResponse)
        assert any("UTF-8" in note for note in result.notes)


class TestBodiesThatAreNotAnswers:
    @pytest.mark.parametrize(
        ("body", "entry_id"),
        [
            ("", "response-empty"),
            ("   \n", "response-empty"),
            ('{"message-count":"0","messages":[]}', "response-no-messages"),
            ('{"messages": "none"}', "response-no-messages"),
            ("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
             "response-html"),
            ("<!DOCTYPE html><p>Captive portal</p>", "response-html"),
            ('<?xml version="1.0"?><mt-submission-response><messages count="1"/>'
             "</mt-submission-response>", "response-xml"),
            ("Bad Gateway", "response-not-json"),
            ('{"message-count":"1","messages":[{"status":"0"', "response-invalid-json"),
            ("[1, 2, 3]", "response-unrecognized"),
            ('"just a string"', "response-unrecognized"),
            ("42", "response-unrecognized"),
            ('{"hello": "world"}', "response-unrecognized"),
        ],
    )
    def test_each_shape_says_what_it_is(self, body: str, entry_id: str) -> None:
        result = decode_unreadable(body)
        assert result.entry.id == entry_id
        assert result.headline

    def test_html_title_is_kept_as_detail(self) -> None:
        result = decode_unreadable("<html><title>502 Bad\nGateway</title></html>")
        assert result.detail == "Page title: 502 Bad Gateway"

    def test_problem_json(self) -> None:
        body = json.dumps({
            "type": "https://developer.nexmo.com/api-errors#unauthorized",
            "title": "Unauthorized",
            "detail": "You did not provide correct credentials.",
            "instance": "797a8f199c45014ab7b08bfe9cc1c12c",
        })
        result = decode_unreadable(body)
        assert result.entry.id == "response-error-object"
        assert "Unauthorized" in result.headline
        assert "correct credentials" in result.headline

    def test_error_code_body(self) -> None:
        body = '{"error-code":"401","error-code-label":"authentication failed"}'
        result = decode_unreadable(body)
        assert result.entry.id == "response-error-object"
        assert "authentication failed" in result.headline and "401" in result.headline

    def test_plain_text_is_quoted_short(self) -> None:
        result = decode_unreadable("x" * 500)
        assert len(result.headline) < 120


class TestReceipts:
    def test_json_receipt_swaps_msisdn_and_to(self) -> None:
        result = decode_response(DLR_JSON)
        assert isinstance(result, Receipt)
        assert result.recipient == "447547232824"
        assert result.sender == "Vonage"
        assert result.message_id == "0B00000127FDBC63"
        assert result.status == "delivered" and result.err_code == 0
        assert result.ok and result.final
        assert result.entry.id == "receipt-error-0"
        assert result.carrier_time == datetime(2018, 10, 25, 13, 10, tzinfo=UTC)
        assert result.network is not None and result.network.operator == "O2 (UK)"
        assert result.price == Decimal("0.03330000")

    def test_form_encoded_receipt(self) -> None:
        body = ("msisdn=447700900001&to=AcmeInc&network-code=23410&messageId=0A0000001234567B"
                "&price=0.03330000&status=failed&scts=2001011400&err-code=6"
                "&message-timestamp=2020-01-01+14%3A00%3A00")
        result = decode_response(body)
        assert isinstance(result, Receipt)
        assert result.status == "failed" and result.err_code == 6
        assert not result.ok
        assert result.entry.id == "receipt-error-6"
        assert result.message_timestamp == "2020-01-01 14:00:00"

    def test_query_string_receipt_pasted_as_url(self) -> None:
        url = ("https://example.com/webhooks/dlr?msisdn=447700900001&to=Acme&messageId=X1"
               "&status=expired&err-code=1")
        result = decode_response(url)
        assert isinstance(result, Receipt)
        assert result.status == "expired" and not result.ok

    @pytest.mark.parametrize(
        ("status", "err_code", "ok", "entry_id"),
        [
            ("accepted", "0", True, "receipt-status-accepted"),
            ("buffered", "0", True, "receipt-status-buffered"),
            ("delivered", "0", True, "receipt-error-0"),
            ("failed", "2", False, "receipt-error-2"),
            ("rejected", "9", False, "receipt-error-9"),
            ("expired", "0", False, "receipt-status-expired"),
            ("unknown", "0", False, "receipt-status-unknown"),
            ("teleported", "0", False, "receipt-status-unrecognized"),
            ("failed", "77", False, "receipt-error-unrecognized"),
        ],
    )
    def test_status_and_err_code(self, status: str, err_code: str, ok: bool,
                                 entry_id: str) -> None:
        result = decode_receipt_fields(dict(DLR_JSON, status=status, **{"err-code": err_code}))
        assert isinstance(result, Receipt)
        assert result.ok is ok
        assert result.entry.id == entry_id

    def test_unreadable_err_code_is_noted(self) -> None:
        result = decode_receipt_fields({"messageId": "1", "status": "failed", "err-code": "x"})
        assert isinstance(result, Receipt)
        assert result.err_code is None and result.notes


class TestReports:
    def test_records_and_ids_not_found(self) -> None:
        body = {
            "request_id": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
            "request_status": "SUCCESS",
            "ids_not_found": "7b10a0c2-1a05-11eb-bad9-38f9d331649",
            "items_count": 1,
            "records": [{
                "account_id": "abcdef01", "message_id": "3295d748-4e14-4681-af78-166dca3c5aab",
                "client_ref": "ticket-42", "direction": "outbound", "from": "Acme",
                "to": "447700900000", "network": "23410", "network_name": "Telefonica UK",
                "country": "GB", "country_name": "United Kingdom",
                "date_received": "2020-03-05T13:00:00+0000",
                "date_finalized": "2020-03-05T13:00:02+0000", "latency": 2000,
                "status": "delivered", "error_code": "0",
                "error_code_description": "Delivered", "currency": "EUR", "total_price": 0.0333,
            }],
        }
        result = decode_response(json.dumps(body))
        assert isinstance(result, ReportsResponse)
        (record,) = result.records
        assert record.status == "delivered" and record.ok and result.ok
        assert record.latency_ms == 2000
        assert record.price == Decimal("0.0333")
        assert record.network is not None and record.network.country_code == "GB"
        assert result.ids_not_found == ("7b10a0c2-1a05-11eb-bad9-38f9d331649",)
        assert result.entry.id == "receipt-error-0"

    def test_a_failed_record(self) -> None:
        body = {"records": [{"message_id": "x", "status": "failed", "error_code": "6"}]}
        result = decode_response(body)
        assert isinstance(result, ReportsResponse)
        assert not result.ok and result.entry.id == "receipt-error-6"

    def test_nothing_found(self) -> None:
        result = decode_response({"records": [], "ids_not_found": "a,b"})
        assert isinstance(result, ReportsResponse)
        assert not result.ok and result.ids_not_found == ("a", "b")
        assert "no records" in result.headline


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["status", "messages", "to", "network", "message-price",
                                        "remaining-balance", "err-code", "msisdn", "records",
                                        "message-count", "error-text", "title", "scts",
                                        "ids_not_found", "price", "messageId"])
                      | st.text(max_size=8),
                      children, max_size=6),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_text_makes_the_decoder_raise(text: str) -> None:
    assert decode_response(text).headline


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_no_bytes_make_the_decoder_raise(raw: bytes) -> None:
    assert decode_response(raw).headline


@settings(max_examples=500, deadline=None)
@given(JSON_VALUES)
def test_no_json_shape_makes_the_decoder_raise(value: object) -> None:
    result = decode_response(json.dumps(value))
    assert result.headline
    assert isinstance(result.ok, bool)
    assert result.entry.id


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=12), st.text(max_size=12) | st.integers(), max_size=8))
def test_no_receipt_fields_make_the_receipt_decoder_raise(fields: dict[str, object]) -> None:
    result = decode_receipt_fields(fields)
    assert result.headline


class TestReviewedEdges:
    def test_absurd_amounts_are_refused_not_overflowed(self) -> None:
        result = decode_send('{"messages":[{"status":"0","message-price":"1e999999999"},'
                             '{"status":"0","message-price":"1e999999999"}]}')
        assert result.parts[0].price is None and result.parts[0].notes
        assert result.total_price == Decimal(0)

    def test_a_delivered_receipt_without_err_code_is_explained_as_delivered(self) -> None:
        result = decode_response('{"msisdn":"447700900123","status":"delivered",'
                                 '"messageId":"X","to":"Acme"}')
        assert isinstance(result, Receipt)
        assert result.ok and result.entry.id == "receipt-status-delivered"

    def test_a_receipt_headline_names_no_phone_number(self) -> None:
        result = decode_response(DLR_JSON)
        assert "447547232824" not in result.headline

    def test_a_cut_off_answer_is_not_ok(self) -> None:
        result = decode_send('{"message-count":"2","messages":[{"status":"0"}]}')
        assert not result.ok and result.missing_count == 1
        assert result.headline.startswith("Incomplete")

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
    def test_byte_order_marked_text_decodes(self, encoding: str) -> None:
        assert decode_send(SEED_SUCCESS.encode(encoding)).ok


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_no_json_shape_breaks_the_summary_or_the_json_export(value: object) -> None:
    from smsgui.core.report.export import decoded_as_json
    from smsgui.core.report.summary import SummaryContext, SummaryOptions, build_summary

    decoded = decode_response(json.dumps(value))
    for options in (SummaryOptions(), SummaryOptions(markdown=True, mask_numbers=False)):
        assert build_summary(decoded, SummaryContext(), options)
    json.dumps(decoded_as_json(decoded))


class TestInputThatIsNoText:
    @pytest.mark.parametrize(("raw", "what"), [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "This is a PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00", "This is a PDF document"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "This is a ZIP archive"),
        (b"SQLite format 3\x00\x10\x00\x01\x01", "This is an SQLite database"),
        (bytes(range(256)) * 4, "This is binary data"),
        (bytes(b for b in random.Random(3).randbytes(3000) if b), "This is binary data"),
        ("日本語のテキスト and more".encode("utf-16-le"), "This is binary data"),
    ], ids=["png", "pdf", "zip", "sqlite", "every byte", "random bytes without a zero",
            "utf-16 without a mark"])
    def test_binary_data_is_named_not_quoted(self, raw: bytes, what: str) -> None:
        for body in (raw, raw.decode("utf-8", "replace")):
            result = decode_response(body)
            assert isinstance(result, Unreadable) and result.entry.id == "response-binary"
            assert result.reason.startswith(what)
            assert "not an SMS API answer or a saved smsgui document" in result.reason
            assert "\x00" not in result.reason and "\ufffd" not in result.reason

    @pytest.mark.parametrize("text", [
        "Caf\ufffd au lait, and a long line of plain text around it",
        "Gr\ufffd\ufffde",
        "status ok \x1b[31m red \x1b[0m",
        "line one\r\nline two\tand a tab\f",
    ])
    def test_text_with_a_few_odd_characters_is_still_text(self, text: str) -> None:
        assert decode_response(text).entry.id == "response-not-json"


class TestJsonNestedTooDeeply:
    @pytest.mark.parametrize("body", [
        "[" * 2000 + "]" * 2000,
        '{"a":' * 3000 + "1" + "}" * 3000,
        "[" * 65 + "]" * 65,
        '{"messages":[{"status":"0","x":' + "[" * 70 + "]" * 70 + "}]}",
    ], ids=["arrays past the parser", "objects past the parser", "65 levels", "inside a part"])
    def test_it_is_called_too_deep_not_broken(self, body: str) -> None:
        for given_as in (body, body.encode(), _parsed_or_text(body)):
            result = decode_response(given_as)
            assert isinstance(result, Unreadable) and result.entry.id == "response-too-deep"
            assert "more than 64 levels" in result.reason and "broken" not in result.reason

    def test_sixty_four_levels_are_still_read(self) -> None:
        result = decode_response("[" * 64 + "]" * 64)
        assert result.entry.id == "response-unrecognized"

    def test_broken_json_is_still_called_broken(self) -> None:
        assert decode_response('{"messages": [').entry.id == "response-invalid-json"

    def test_a_very_long_number_is_read_not_called_broken(self) -> None:
        result = decode_send('{"messages":[{"status":"0","message-price":' + "1" * 5000 + "}]}")
        assert result.ok and result.parts[0].price is None and result.parts[0].notes


def test_a_deep_file_opened_as_a_document_is_called_too_deep_too() -> None:
    from smsgui.core.api.documents import parse_document, parse_documents
    from smsgui.core.delivery.exchange import exchange_from_document

    deep = "[" * 5000 + "]" * 5000
    wrapped = '{"format":"smsgui-response","version":1,"body":' + json.dumps(deep) + "}"
    for document in (parse_document(deep), *parse_documents(deep.encode()),
                     parse_document(wrapped)):
        exchange = exchange_from_document(document)
        assert exchange.entry.id == "response-too-deep", exchange.headline


def _parsed_or_text(body: str) -> object:
    """The JSON value when Python can parse it, else the text itself."""
    try:
        return json.loads(body)
    except RecursionError:
        return body


class TestPrices:
    def test_accepted_parts_without_a_price_are_counted(self) -> None:
        assert decode_send(PARTIAL).unpriced_count == 0, "the refused part was not charged"
        assert decode_send(THREE_PARTS).unpriced_count == 0
        assert decode_send(THROTTLED_US).unpriced_count == 0
        unpriced = {"message-count": "1", "messages": [{"status": "0", "message-id": "A1"}]}
        assert decode_send(unpriced).unpriced_count == 1
        assert not decode_send(unpriced).total_price_known
        assert decode_send(THROTTLED_US).total_price_known

    def test_a_refused_part_that_states_a_price_is_not_charged(self) -> None:
        """Real status 9 answers carry message-price and remaining-balance (shapes.md: a
        serialized capture); the total must not count what was never sent."""
        unpaid = {"message-count": "1", "messages": [{
            "to": "447700900000", "status": "9", "error-text": "Quota Exceeded - rejected",
            "message-price": "0.03330000", "remaining-balance": "0.01000000",
            "network": "23410"}]}
        response = decode_send(unpaid)
        assert response.total_price == 0 and response.final_balance == Decimal("0.01")
        assert response.parts[0].price_text == "0.0333 EUR, not charged"
