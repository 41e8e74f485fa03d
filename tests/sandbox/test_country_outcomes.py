"""Country outcomes and the advanced parameters, over real loopback HTTP.

The sandbox reads the core's country table: India's DLT IDs decide the receipt, a country that
replaces letter senders shows another sender in the receipt's ``to``, and a country without
receipts sends none. Receipts are caught by a real receiver on 127.0.0.1.
"""
# ruff: noqa: F811 - the receiver fixture comes from test_receipts and is named as an argument

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest
from faultserver import FaultServer
from test_receipts import receiver, wait_for_receipts  # noqa: F401 (receiver is a fixture)

from smsgui.core.api.apitypes import SmsOptions
from smsgui.core.api.client import OutgoingSms, SmsApiClient
from smsgui.core.api.decode import SendResponse
from smsgui.core.reference.destinations import default_destination_table
from smsgui.core.reference.testnumbers import receipt_status_for_error
from smsgui.sandbox.server import SandboxServer
from smsgui.sandbox.sms import destination_rules, replacement_sender, shown_sender

AUTH = ("sandbox1", "SandboxSecret123")
INDIA = "919876543210"
BRAZIL = "5511912345678"
SINGAPORE = "6591234567"
COLOMBIA = "573001234567"
CONTROL = "447700900123"
ENTITY_ID = "1101456324675322134"
CONTENT_ID = "1107457532145798767"
QUIET_SECONDS = 0.4
"""How long to listen for a receipt that must not come (the test sandbox's delay is 0.05 s)."""




def send(api: SmsApiClient, to: str, callback: str, sender: str = "AcmeInc",
         options: SmsOptions | None = None) -> SendResponse:
    outcome = api.send(OutgoingSms(to, sender, "Your code is 1234", callback=callback,
                                   options=options or SmsOptions()))
    assert isinstance(outcome.decoded, SendResponse), outcome.headline
    assert [part.status for part in outcome.decoded.parts] == [0]
    return outcome.decoded


def post_form(sandbox: SandboxServer, http: httpx.Client,
              fields: dict[str, str]) -> dict[str, object]:
    response = http.post(f"{sandbox.url}/sms/json", data=fields, auth=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, dict)
    return body


class TestIndiaDlt:
    @pytest.mark.parametrize(
        ("options", "status", "err_code"),
        [
            (SmsOptions(), "rejected", "50"),
            (SmsOptions(entity_id=ENTITY_ID), "rejected", "52"),
            (SmsOptions(entity_id=ENTITY_ID, content_id=CONTENT_ID), "delivered", "0"),
        ],
        ids=["no-ids", "entity-id-only", "both-ids"],
    )
    def test_the_dlt_ids_decide_the_receipt(self, api: SmsApiClient, sandbox: SandboxServer,
                                            receiver: FaultServer, options: SmsOptions,
                                            status: str, err_code: str) -> None:
        response = send(api, INDIA, receiver.url, options=options)
        assert response.parts[0].price == Decimal("0.0333")  # accepted and charged
        assert sandbox.account.balance == Decimal("10.00") - Decimal("0.0333")
        (receipt,) = wait_for_receipts(receiver, 1)
        assert receipt["msisdn"] == INDIA
        assert (receipt["status"], receipt["err-code"]) == (status, err_code)
        assert receipt["status"] == receipt_status_for_error(int(err_code))

    def test_a_registered_sender_keeps_its_name(self, api: SmsApiClient,
                                                receiver: FaultServer) -> None:
        send(api, INDIA, receiver.url, sender="Acme",
             options=SmsOptions(entity_id=ENTITY_ID, content_id=CONTENT_ID))
        (receipt,) = wait_for_receipts(receiver, 1)
        assert (receipt["status"], receipt["to"]) == ("delivered", "Acme")

    def test_a_content_id_without_an_entity_id_still_fails_on_the_entity(
        self, api: SmsApiClient, receiver: FaultServer
    ) -> None:
        send(api, INDIA, receiver.url, options=SmsOptions(content_id=CONTENT_ID))
        (receipt,) = wait_for_receipts(receiver, 1)
        assert (receipt["status"], receipt["err-code"]) == ("rejected", "50")

    def test_the_reports_api_shows_the_failed_receipt(self, api: SmsApiClient,
                                                      sandbox: SandboxServer,
                                                      receiver: FaultServer) -> None:
        response = send(api, INDIA, receiver.url)
        wait_for_receipts(receiver, 1)
        (record,), _ = sandbox.account.records([response.parts[0].message_id or ""])
        assert record.status_at(sandbox.clock()) == ("rejected", 50)


class TestSenderReplacement:
    def test_brazil_shows_another_sender_than_a_letter_name(self, api: SmsApiClient,
                                                             receiver: FaultServer) -> None:
        send(api, BRAZIL, receiver.url, sender="Acme")
        (receipt,) = wait_for_receipts(receiver, 1)
        assert receipt["to"] != "Acme"
        assert receipt["to"].isdigit() and len(receipt["to"]) == 5  # "a generic short code"

    def test_the_replacement_is_the_same_every_time(self, api: SmsApiClient,
                                                     receiver: FaultServer) -> None:
        send(api, BRAZIL, receiver.url, sender="Acme")
        send(api, BRAZIL, receiver.url, sender="Acme")
        first, second = wait_for_receipts(receiver, 2)
        assert first["to"] == second["to"]

    def test_singapore_shows_likely_scam(self, api: SmsApiClient,
                                         receiver: FaultServer) -> None:
        send(api, SINGAPORE, receiver.url, sender="Acme")
        (receipt,) = wait_for_receipts(receiver, 1)
        assert receipt["to"] == "Likely-SCAM"

    def test_a_number_sender_is_kept(self, api: SmsApiClient, receiver: FaultServer) -> None:
        send(api, SINGAPORE, receiver.url, sender="6591230000")
        (receipt,) = wait_for_receipts(receiver, 1)
        assert receipt["to"] == "6591230000"

    def test_a_number_sender_is_replaced_where_the_country_replaces_numbers(
        self, api: SmsApiClient, receiver: FaultServer
    ) -> None:
        send(api, BRAZIL, receiver.url, sender="5511912340000")
        (receipt,) = wait_for_receipts(receiver, 1)
        assert receipt["to"] != "5511912340000" and len(receipt["to"]) == 5

    def test_a_refused_message_keeps_its_sender_as_it_reached_no_phone(
        self, api: SmsApiClient, receiver: FaultServer
    ) -> None:
        send(api, INDIA, receiver.url, sender="Acme")
        (receipt,) = wait_for_receipts(receiver, 1)
        assert (receipt["err-code"], receipt["to"]) == ("50", "Acme")

    def test_the_reports_api_keeps_the_sender_that_was_sent(
        self, api: SmsApiClient, sandbox: SandboxServer, receiver: FaultServer
    ) -> None:
        response = send(api, SINGAPORE, receiver.url, sender="Acme")
        wait_for_receipts(receiver, 1)
        (record,), _ = sandbox.account.records([response.parts[0].message_id or ""])
        assert (record.sender, record.shown_sender) == ("Acme", "Likely-SCAM")

    @pytest.mark.parametrize(
        ("replaced_by", "expected"),
        [("Likely-SCAM", "Likely-SCAM"), ("Unverified", "Unverified"),
         ("short code 85307 or 87457", "85307")],
    )
    def test_a_named_replacement_is_used_verbatim(self, replaced_by: str,
                                                  expected: str) -> None:
        rules = default_destination_table().get("BR")
        assert rules is not None
        assert replacement_sender(replaced_by, "Acme", BRAZIL, rules) == expected

    @pytest.mark.parametrize("replaced_by", ["a generic short code", "a random code",
                                             "a random number or short code"])
    def test_a_described_short_code_is_five_digits(self, replaced_by: str) -> None:
        rules = default_destination_table().get("BR")
        assert rules is not None
        code = replacement_sender(replaced_by, "Acme", BRAZIL, rules)
        assert code.isdigit() and len(code) == 5 and code[0] != "0"

    @pytest.mark.parametrize("replaced_by", ["a random number", "a local long code",
                                             "a local or hong kong number"])
    def test_a_described_number_looks_local(self, replaced_by: str) -> None:
        rules = default_destination_table().get("BR")
        assert rules is not None
        number = replacement_sender(replaced_by, "Acme", BRAZIL, rules)
        assert number.isdigit() and len(number) == len(BRAZIL)
        assert number.startswith("551") and number != BRAZIL

    def test_every_country_gives_a_plausible_sender(self) -> None:
        for rules in default_destination_table():
            to = rules.dialing_code + "912345678"
            shown = shown_sender("Acme", to, rules)
            assert shown and len(shown) <= 15, rules.iso


class TestNoReceipts:
    def test_colombia_is_charged_but_sends_no_receipt(self, api: SmsApiClient,
                                                      sandbox: SandboxServer,
                                                      receiver: FaultServer) -> None:
        response = send(api, COLOMBIA, receiver.url + "/colombia")
        assert response.parts[0].price == Decimal("0.0333")
        send(api, CONTROL, receiver.url + "/control")
        (receipt,) = wait_for_receipts(receiver, 1)
        assert receipt["msisdn"] == CONTROL
        time.sleep(QUIET_SECONDS)
        assert [request.path for request in receiver.requests] == ["/control"]
        assert sandbox.account.balance == Decimal("10.00") - 2 * Decimal("0.0333")

    def test_the_reports_api_keeps_it_accepted(self, api: SmsApiClient,
                                               sandbox: SandboxServer,
                                               receiver: FaultServer) -> None:
        response = send(api, COLOMBIA, receiver.url)
        (record,), _ = sandbox.account.records([response.parts[0].message_id or ""])
        assert record.status_at(sandbox.clock() + 3600) == ("accepted", 0)

    def test_the_magic_numbers_are_not_country_rules(self) -> None:
        assert destination_rules(CONTROL) is None
        colombia = destination_rules(COLOMBIA)
        assert colombia is not None and colombia.has_no_receipts


HELLO = {"from": "AcmeInc", "to": "447700900000", "text": "hi"}


class TestAdvancedParameters:
    @pytest.mark.parametrize(
        ("fields", "status", "text"),
        [
            ({"protocol-id": "256"}, "3", "Invalid protocol-id param"),
            ({"protocol-id": "-1"}, "3", "Invalid protocol-id param"),
            ({"protocol-id": "abc"}, "3", "Invalid protocol-id param"),
            ({"protocol-id": "9" * 5000}, "3", "Invalid protocol-id param"),
            ({"ttl": "9" * 5000}, "3", "Invalid ttl param"),
            ({"message-class": "4"}, "3", "Invalid message-class param"),
            ({"trusted-number": "yes"}, "3", "Invalid trusted-number param"),
            ({"trusted-number": "1"}, "3", "Invalid trusted-number param"),
            ({"status-report-req": "maybe"}, "3", "Invalid status-report-req param"),
            ({"status-report-req": "0"}, "3", "Invalid status-report-req param"),
            ({"type": "binary", "body": "0011", "udh": ""}, "2", "Missing udh param"),
            ({"type": "binary", "body": "0011", "udh": "0605zz"}, "3", "Invalid udh param"),
            ({"type": "binary", "body": "001", "udh": "06050415811581"}, "3",
             "Invalid body param"),
            ({"type": "binary", "udh": "06050415811581"}, "2", "Missing body param"),
        ],
    )
    def test_a_malformed_value_is_refused_naming_the_param(
        self, sandbox: SandboxServer, http: httpx.Client, fields: dict[str, str],
        status: str, text: str
    ) -> None:
        body = post_form(sandbox, http, {**HELLO, **fields})
        (message,) = body["messages"]  # type: ignore[misc]
        assert (message["status"], message["error-text"]) == (status, text)
        assert sandbox.account.balance == Decimal("10.00")

    def test_every_well_formed_parameter_is_accepted(self, sandbox: SandboxServer,
                                                     http: httpx.Client) -> None:
        """The spec gives the references no length limit, so neither does the sandbox."""
        body = post_form(sandbox, http, {
            **HELLO, "protocol-id": "127", "message-class": "1", "trusted-number": "true",
            "status-report-req": "false", "entity-id": "e" * 300, "content-id": CONTENT_ID,
            "account-ref": "customer1234", "pool-id": "abc123"})
        (message,) = body["messages"]  # type: ignore[misc]
        assert message["status"] == "0" and message["account-ref"] == "customer1234"

    def test_json_booleans_are_accepted(self, sandbox: SandboxServer,
                                        http: httpx.Client) -> None:
        response = http.post(f"{sandbox.url}/sms/json", auth=AUTH, json={
            **HELLO, "trusted-number": True, "status-report-req": False, "protocol-id": 0})
        assert response.json()["messages"][0]["status"] == "0"

    def test_the_clients_advanced_options_are_accepted(self, api: SmsApiClient) -> None:
        options = SmsOptions(message_class=0, protocol_id=127, account_ref="customer1234",
                             entity_id=ENTITY_ID, content_id=CONTENT_ID, trusted_number=False,
                             pool_id="abc123")
        outcome = api.send(OutgoingSms("447700900000", "AcmeInc", "hi", status_report_req=True,
                                       options=options))
        assert isinstance(outcome.decoded, SendResponse)
        assert [part.status for part in outcome.decoded.parts] == [0]

    def test_a_binary_message_is_charged_by_its_bytes(self, sandbox: SandboxServer,
                                                      http: httpx.Client) -> None:
        body = post_form(sandbox, http, {**HELLO, "type": "binary", "body": "ab" * 300,
                                         "udh": "06050415811581"})
        assert body["message-count"] == "3"
        assert [m["status"] for m in body["messages"]] == ["0"] * 3  # type: ignore[attr-defined]
        assert sandbox.account.balance == Decimal("10.00") - 3 * Decimal("0.0333")

    def test_a_binary_message_that_fits_is_one_part(self, sandbox: SandboxServer,
                                                    http: httpx.Client) -> None:
        body = post_form(sandbox, http, {**HELLO, "type": "binary", "body": "ab" * 133,
                                         "udh": "06050415811581"})
        assert body["message-count"] == "1"
