"""Every rule of POST /sms/json, sent through the app's own client over real loopback HTTP."""

from __future__ import annotations

import base64
from decimal import Decimal

import httpx
import pytest
from conftest import FrozenClock, api_client, sandbox_credentials, start_sandbox

from smsgui.core.api.client import ApiOutcome, AuthMethod, OutgoingSms, SmsApiClient
from smsgui.core.api.decode import SendResponse
from smsgui.core.api.signing import SignatureMethod, signed_params
from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.core.reference.testnumbers import API_STATUS_CODES
from smsgui.sandbox.server import SandboxServer

HELLO = OutgoingSms(to="447700900000", sender="AcmeInc", text="Hello from the sandbox")


def decoded(outcome: ApiOutcome) -> SendResponse:
    assert outcome.http_status == 200, outcome.headline
    assert isinstance(outcome.decoded, SendResponse), outcome.headline
    return outcome.decoded


def status_of(outcome: ApiOutcome) -> int | None:
    return decoded(outcome).parts[0].status


def post_form(sandbox: SandboxServer, http: httpx.Client, fields: dict[str, str],
              auth: tuple[str, str] | None = ("sandbox1", "SandboxSecret123")) -> dict[str, object]:
    response = http.post(f"{sandbox.url}/sms/json", data=fields, auth=auth)
    assert response.status_code == 200
    message = response.json()["messages"][0]
    assert isinstance(message, dict)
    return message


class TestAccepted:
    def test_a_plain_send_is_accepted_with_the_real_fields(self, api: SmsApiClient) -> None:
        response = decoded(api.send(HELLO))
        (part,) = response.parts
        assert part.accepted and part.to == "447700900000"
        assert part.message_id and part.price == Decimal("0.0333")
        assert part.remaining_balance == Decimal("9.9667")
        assert part.network is not None and part.network.code == "23410"

    def test_each_part_has_its_own_id_price_and_falling_balance(self, api: SmsApiClient) -> None:
        long_text = "x" * 307
        response = decoded(api.send(OutgoingSms("447700900000", "AcmeInc", long_text)))
        assert [p.status for p in response.parts] == [0, 0, 0]
        assert len({p.message_id for p in response.parts}) == 3
        assert [p.remaining_balance for p in response.parts] == [
            Decimal("9.9667"), Decimal("9.9334"), Decimal("9.9001")]
        assert response.total_price == Decimal("0.0999")

    def test_unicode_counts_ucs2_parts(self, api: SmsApiClient) -> None:
        text = "😀" * 36  # 72 UTF-16 units: two UCS-2 parts
        message = OutgoingSms("447700900000", "AcmeInc", text, message_type="unicode")
        assert len(decoded(api.send(message)).parts) == 2

    def test_references_are_echoed(self, sandbox: SandboxServer, http: httpx.Client) -> None:
        message = post_form(sandbox, http, {"from": "AcmeInc", "to": "447700900000",
                                            "text": "hi", "client-ref": "ticket-42",
                                            "account-ref": "customer1234"})
        assert message["client-ref"] == "ticket-42"
        assert message["account-ref"] == "customer1234"

    def test_the_balance_goes_down(self, api: SmsApiClient, sandbox: SandboxServer) -> None:
        api.send(HELLO)
        api.send(HELLO)
        assert sandbox.account.balance == Decimal("10.00") - 2 * Decimal("0.0333")
        balance = api.balance()
        assert balance.balance == Decimal("9.9334")

    def test_a_json_body_is_accepted_too(self, sandbox: SandboxServer,
                                         http: httpx.Client) -> None:
        response = http.post(f"{sandbox.url}/sms/json", json={
            "api_key": "sandbox1", "api_secret": "SandboxSecret123", "from": "AcmeInc",
            "to": 447700900000, "text": "hi"})
        assert response.json()["messages"][0]["status"] == "0"


class TestCredentials:
    @pytest.mark.parametrize("auth", list(AuthMethod))
    def test_every_auth_method_of_the_client_is_accepted(
        self, sandbox: SandboxServer, http: httpx.Client, auth: AuthMethod
    ) -> None:
        client = api_client(sandbox, http, sandbox_credentials(auth))
        assert status_of(client.send(HELLO)) == 0

    @pytest.mark.parametrize("method", list(SignatureMethod))
    def test_every_signature_method_round_trips(self, http: httpx.Client,
                                                method: SignatureMethod) -> None:
        server = start_sandbox(signature_method=method)
        try:
            credentials = sandbox_credentials(AuthMethod.SIGNATURE, method)
            assert status_of(api_client(server, http, credentials).send(HELLO)) == 0
        finally:
            server.stop()

    def test_a_signature_with_the_wrong_method_is_status_14(
        self, sandbox: SandboxServer, http: httpx.Client
    ) -> None:
        credentials = sandbox_credentials(AuthMethod.SIGNATURE, SignatureMethod.SHA256)
        outcome = api_client(sandbox, http, credentials).send(HELLO)
        assert status_of(outcome) == 14
        assert outcome.entry_id == "status-14"

    @pytest.mark.parametrize("skew", [-301, 301])
    def test_a_timestamp_more_than_five_minutes_off_is_status_14(
        self, http: httpx.Client, skew: int
    ) -> None:
        clock = FrozenClock()
        server = start_sandbox(clock=clock)
        try:
            fields = {"api_key": "sandbox1", "from": "AcmeInc", "to": "447700900000",
                      "text": "hi"}
            signed = signed_params(fields, "SandboxSignatureSecret", SignatureMethod.MD5_HASH,
                                   int(clock.now) + skew)
            assert post_form(server, http, signed, auth=None)["status"] == "14"
            fresh = signed_params(fields, "SandboxSignatureSecret", SignatureMethod.MD5_HASH,
                                  int(clock.now) + 290)
            assert post_form(server, http, fresh, auth=None)["status"] == "0"
        finally:
            server.stop()

    def test_sig_with_api_secret_is_status_32(self, sandbox: SandboxServer,
                                              http: httpx.Client) -> None:
        fields = signed_params({"api_key": "sandbox1", "from": "AcmeInc", "to": "447700900000",
                                "text": "hi"}, "SandboxSignatureSecret",
                               SignatureMethod.MD5_HASH, int(sandbox.clock()))
        fields["api_secret"] = "SandboxSecret123"
        assert post_form(sandbox, http, fields, auth=None)["status"] == "32"

    @pytest.mark.parametrize(
        ("auth", "fields", "status", "text"),
        [
            (("sandbox1", "wrong"), {}, "4", "Bad Credentials"),
            (("someone", "SandboxSecret123"), {}, "4", "Bad Credentials"),
            (None, {"api_key": "sandbox1", "api_secret": "nope"}, "4", "Bad Credentials"),
            (None, {}, "2", "Missing api_key"),
            (None, {"api_key": "sandbox1"}, "2", "Missing api_secret"),
        ],
    )
    def test_wrong_or_missing_credentials(self, sandbox: SandboxServer, http: httpx.Client,
                                          auth: tuple[str, str] | None, fields: dict[str, str],
                                          status: str, text: str) -> None:
        message = post_form(sandbox, http, {"from": "A", "to": "447700900000", "text": "hi",
                                            **fields}, auth=auth)
        assert (message["status"], message["error-text"]) == (status, text)
        assert "message-id" not in message and "message-price" not in message

    def test_a_garbled_basic_header_is_bad_credentials(self, sandbox: SandboxServer,
                                                       http: httpx.Client) -> None:
        response = http.post(f"{sandbox.url}/sms/json",
                             data={"from": "A", "to": "447700900000", "text": "hi"},
                             headers={"Authorization": "Basic !!!not-base64"})
        assert response.json()["messages"][0]["status"] == "4"
        token = base64.b64encode(b"sandbox1").decode()  # no colon, no secret
        response = http.post(f"{sandbox.url}/sms/json",
                             data={"from": "A", "to": "447700900000", "text": "hi"},
                             headers={"Authorization": f"Basic {token}"})
        assert response.json()["messages"][0]["status"] == "4"


class TestRefusals:
    @pytest.mark.parametrize(
        ("fields", "status", "text"),
        [
            ({"from": "", "to": "447700900000", "text": "hi"}, "2", "Missing from param"),
            ({"from": "A", "text": "hi"}, "2", "Missing to param"),
            ({"from": "A", "to": "447700900000"}, "2", "Missing Message Text"),
            ({"from": "A", "to": "+447700900000", "text": "hi"}, "3", "to address is not numeric"),
            ({"from": "A", "to": "12345", "text": "hi"}, "3", "Invalid to param"),
            ({"from": "A", "to": "447700900000", "text": "hi", "ttl": "100"}, "3",
             "Invalid ttl param"),
            ({"from": "A", "to": "447700900000", "text": "hi", "ttl": "soon"}, "3",
             "Invalid ttl param"),
            ({"from": "A", "to": "447700900000", "text": "hi", "type": "wappush"}, "3",
             "Invalid type param"),
            ({"from": "A", "to": "447700900000", "text": "hi", "message-class": "4"}, "3",
             "Invalid message-class param"),
            ({"from": "A", "to": "447700900000", "text": "x" * 3201}, "12", "Message too long"),
            ({"from": "A", "to": "447700900000", "text": "hi",
              "callback": "https://example.com/" + "a" * 81}, "23", "Invalid Callback Url"),
            ({"from": "A", "to": "447700900000", "text": "hi", "callback": "not a url"}, "23",
             "Invalid Callback Url"),
            ({"from": "Acme", "to": "14155550100", "text": "hi"}, "15",
             "Illegal Sender Address - rejected"),
            ({"from": "Acme", "to": "442079460000", "text": "hi"}, "6",
             "Unroutable message - rejected"),
        ],
    )
    def test_malformed_or_undeliverable_requests(self, sandbox: SandboxServer,
                                                 http: httpx.Client, fields: dict[str, str],
                                                 status: str, text: str) -> None:
        message = post_form(sandbox, http, fields)
        assert (message["status"], message["error-text"]) == (status, text)
        assert sandbox.account.balance == Decimal("10.00")

    def test_3200_characters_are_still_accepted(self, api: SmsApiClient) -> None:
        assert status_of(api.send(OutgoingSms("447700900000", "A", "x" * 3200))) == 0

    def test_a_numeric_sender_may_send_to_north_america(self, api: SmsApiClient) -> None:
        assert status_of(api.send(OutgoingSms("14155550100", "14155550199", "hi"))) == 0

    def test_not_enough_balance_is_status_9(self, http: httpx.Client) -> None:
        server = start_sandbox(balance=Decimal("0.05"), price=Decimal("0.04"))
        try:
            client = api_client(server, http)
            assert status_of(client.send(HELLO)) == 0
            assert status_of(client.send(HELLO)) == 9
            two_parts = OutgoingSms("447700900000", "A", "x" * 200)
            assert status_of(client.send(two_parts)) == 9
            assert server.account.balance == Decimal("0.01")
        finally:
            server.stop()

    def test_demo_mode_only_reaches_the_whitelist(self, http: httpx.Client) -> None:
        server = start_sandbox(demo_mode=True, whitelist=("447700900000",))
        try:
            client = api_client(server, http)
            assert status_of(client.send(HELLO)) == 0
            other = OutgoingSms("447700900123", "AcmeInc", "hi")
            outcome = client.send(other)
            assert status_of(outcome) == 29
            assert decoded(outcome).parts[0].error_text == "Non White-listed Destination - rejected"
        finally:
            server.stop()

    def test_throttling_names_the_wait_and_lifts_after_a_second(
        self, http: httpx.Client
    ) -> None:
        clock = FrozenClock()
        server = start_sandbox(clock=clock, rate_limit=3)
        try:
            client = api_client(server, http)
            assert [status_of(client.send(HELLO)) for _ in range(3)] == [0, 0, 0]
            clock.advance(0.25)
            throttled = decoded(client.send(HELLO))
            assert throttled.parts[0].status == 1
            assert throttled.throttle_wait_ms == 750
            assert throttled.parts[0].error_text == (
                "Throughput Rate Exceeded - please wait [ 750 ] and retry")
            clock.advance(0.8)
            assert status_of(client.send(HELLO)) == 0
        finally:
            server.stop()


@pytest.mark.parametrize("status", API_STATUS_CODES)
def test_every_magic_status_number(api: SmsApiClient, status: int) -> None:
    number = f"4477009000{status:02d}"
    outcome = api.send(OutgoingSms(number, "AcmeInc", "hi"))
    part = decoded(outcome).parts[0]
    assert part.status == status
    assert part.entry is default_knowledge_base().for_status(status)
    if status == 0:
        assert part.message_id and part.price is not None
    else:
        assert part.message_id is None and part.error_text
        assert (part.price is None) == (status != 9), "status 9 states the price it lacked"
