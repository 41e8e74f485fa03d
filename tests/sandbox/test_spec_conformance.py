"""Every JSON answer of the sandbox matches the published OpenAPI specs, over real loopback HTTP.

The send response is checked against the 1.5.1 spec's ``200 application/json`` schema and the
stricter shape of :func:`openapi.assert_strict_send_response`; balance, settings and Reports
answers against ``account-openapi.yml`` and ``reports-openapi.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from conftest import FrozenClock, start_sandbox
from openapi import (
    assert_conforming_send_response,
    assert_matches_component,
    assert_matches_response,
    assert_valid,
    one_of_branch,
    require_specs,
    response_schema,
    strict_send_response_errors,
)

from smsgui.core.api.signing import SignatureMethod, signed_params
from smsgui.core.reference.testnumbers import API_STATUS_CODES, RANGE_PREFIX
from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_SIGNATURE_SECRET
from smsgui.sandbox.server import SandboxServer

CREDENTIALS: Mapping[str, str] = {"api_key": DEFAULT_API_KEY, "api_secret": DEFAULT_API_SECRET}
BASIC = (DEFAULT_API_KEY, DEFAULT_API_SECRET)
HELLO: Mapping[str, str] = {"from": "AcmeInc", "to": "447700900000",
                            "text": "Hello from the sandbox"}
SUCCESS_KEYS = frozenset({"to", "message-id", "status", "remaining-balance", "message-price",
                          "network"})
PAID_KEYS = frozenset({"message-id", "remaining-balance", "message-price"})
THROTTLED = re.compile(r"Throughput Rate Exceeded - please wait \[ \d+ \] and retry")
# The Reports spec reuses its 40-character client_ref *search filter* schema for the records'
# client_ref field, so only a 40-character reference can conform.
CLIENT_REF_40 = "ticket-" + "4" * 33
SMS_OUTBOUND = "sms-outbound"


@pytest.fixture(autouse=True, scope="module")
def _specs() -> None:
    require_specs()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def frozen(clock: FrozenClock) -> Iterator[SandboxServer]:
    server = start_sandbox(clock=clock, dlr_delay=5.0)
    yield server
    server.stop()


# -- helpers ----------------------------------------------------------------------------------

def media_type(response: httpx.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def conforming_send(response: httpx.Response) -> dict[str, Any]:
    """The body of a /sms/json answer, after checking it against the spec and the real shapes."""
    assert response.status_code == 200, response.text
    assert media_type(response) == "application/json"
    body = response.json()
    assert_conforming_send_response(body)
    assert body["message-count"] == str(len(body["messages"]))
    for message in body["messages"]:
        if message["status"] == "0":
            assert set(message) >= SUCCESS_KEYS, message
        else:
            # A refusal is never given an id; only status 9 states a price and a balance.
            paid = PAID_KEYS if message["status"] != "9" else {"message-id"}
            assert "error-text" in message and not paid & set(message), message
    return body


def send(sandbox: SandboxServer, http: httpx.Client, fields: Mapping[str, str],
         credentials: Mapping[str, str] = CREDENTIALS) -> dict[str, Any]:
    return conforming_send(http.post(f"{sandbox.url}/sms/json",
                                     data={**credentials, **fields}))


def statuses(body: Mapping[str, Any]) -> list[str]:
    return [message["status"] for message in body["messages"]]


def records(sandbox: SandboxServer, http: httpx.Client, **query: str) -> httpx.Response:
    params = {"account_id": DEFAULT_API_KEY, "product": "SMS", "direction": "outbound", **query}
    return http.get(f"{sandbox.url}/v2/reports/records", params=params, auth=BASIC)


def assert_sms_outbound_records(body: Any) -> None:
    schema = response_schema("reports", "/v2/reports/records", "get", 200)
    assert_valid("reports", schema, body)
    assert_valid("reports", one_of_branch("reports", schema, SMS_OUTBOUND), body)


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


# -- the checks themselves are not vacuous ----------------------------------------------------

def test_the_send_schema_rejects_a_number_where_the_spec_says_string() -> None:
    body = {"message-count": 1, "messages": [{"status": 0, "to": "447700900000"}]}
    with pytest.raises(AssertionError, match="not of type 'string'"):
        assert_conforming_send_response(body)


def test_the_strict_check_rejects_keys_the_spec_does_not_define() -> None:
    body = {"message-count": "1", "messages": [{"status": "0", "messageId": "abc"}]}
    assert strict_send_response_errors(body) == [
        "messages[0] has keys the spec does not define: ['messageId']"]


def test_the_records_branch_rejects_an_undocumented_status() -> None:
    body = {"records": [{"status": "DELIVRD", "latency": 42}]}
    schema = response_schema("reports", "/v2/reports/records", "get", 200)
    with pytest.raises(AssertionError, match="DELIVRD"):
        assert_valid("reports", one_of_branch("reports", schema, SMS_OUTBOUND), body)


# -- POST /sms/json: accepted -----------------------------------------------------------------

def test_a_one_part_gsm_send_conforms(sandbox: SandboxServer, http: httpx.Client) -> None:
    body = send(sandbox, http, HELLO)
    assert statuses(body) == ["0"]


def test_a_multipart_gsm_send_conforms(sandbox: SandboxServer, http: httpx.Client) -> None:
    body = send(sandbox, http, {**HELLO, "text": "x" * 307})
    assert body["message-count"] == "3" and statuses(body) == ["0", "0", "0"]


@pytest.mark.parametrize(("text", "parts"), [("Grüße 😀", 1), ("Привет " * 10 + "!", 2)],
                         ids=["one-part", "two-parts"])
def test_unicode_sends_conform(sandbox: SandboxServer, http: httpx.Client, text: str,
                               parts: int) -> None:
    body = send(sandbox, http, {**HELLO, "text": text, "type": "unicode"})
    assert statuses(body) == ["0"] * parts


def test_a_binary_send_conforms(sandbox: SandboxServer, http: httpx.Client) -> None:
    fields = {"from": "AcmeInc", "to": "447700900000", "type": "binary",
              "body": "0011223344556677", "udh": "06050415811581"}
    assert statuses(send(sandbox, http, fields)) == ["0"]


def test_echoed_references_conform(sandbox: SandboxServer, http: httpx.Client) -> None:
    body = send(sandbox, http, {**HELLO, "client-ref": "ticket-42", "account-ref": "cust1234"})
    (message,) = body["messages"]
    assert (message["client-ref"], message["account-ref"]) == ("ticket-42", "cust1234")


def test_a_json_body_send_conforms(sandbox: SandboxServer, http: httpx.Client) -> None:
    response = http.post(f"{sandbox.url}/sms/json", json={**CREDENTIALS, **HELLO})
    assert statuses(conforming_send(response)) == ["0"]


def test_a_basic_auth_send_conforms(sandbox: SandboxServer, http: httpx.Client) -> None:
    response = http.post(f"{sandbox.url}/sms/json", data=HELLO, auth=BASIC)
    assert statuses(conforming_send(response)) == ["0"]


# -- POST /sms/json: every magic number and refusal -------------------------------------------

@pytest.mark.parametrize("code", API_STATUS_CODES, ids=lambda code: f"status-{code:02d}")
def test_every_magic_status_number_conforms(sandbox: SandboxServer, http: httpx.Client,
                                            code: int) -> None:
    body = send(sandbox, http, {**HELLO, "to": f"{RANGE_PREFIX}0{code:02d}"})
    assert statuses(body) == [str(code)]


REFUSALS: list[tuple[str, dict[str, str], str]] = [
    ("missing-from", {"to": "447700900000", "text": "hi"}, "2"),
    ("missing-to", {"from": "AcmeInc", "text": "hi"}, "2"),
    ("missing-text", {"from": "AcmeInc", "to": "447700900000"}, "2"),
    ("malformed-to", {**HELLO, "to": "+44 7700 900000"}, "3"),
    ("letters-in-to", {**HELLO, "to": "44770090000x"}, "3"),
    ("malformed-ttl", {**HELLO, "ttl": "soon"}, "3"),
    ("ttl-below-range", {**HELLO, "ttl": "5"}, "3"),
    ("malformed-type", {**HELLO, "type": "wappush"}, "3"),
    ("malformed-message-class", {**HELLO, "message-class": "7"}, "3"),
    ("text-over-3200", {**HELLO, "text": "x" * 3201}, "12"),
    ("callback-not-a-url", {**HELLO, "callback": "not a url"}, "23"),
    ("callback-over-100", {**HELLO, "callback": "https://example.com/" + "a" * 90}, "23"),
    ("letters-sender-to-north-america", {**HELLO, "to": "12025550123"}, "15"),
    ("fixed-line", {**HELLO, "to": "442079460000"}, "6"),
]


@pytest.mark.parametrize(("fields", "status"), [(f, s) for _, f, s in REFUSALS],
                         ids=[name for name, _, _ in REFUSALS])
def test_refused_parameters_conform(sandbox: SandboxServer, http: httpx.Client,
                                    fields: dict[str, str], status: str) -> None:
    assert statuses(send(sandbox, http, fields)) == [status]


CREDENTIAL_REFUSALS: list[tuple[str, dict[str, str], str]] = [
    ("missing-api-key", {"api_secret": DEFAULT_API_SECRET}, "2"),
    ("missing-api-secret", {"api_key": DEFAULT_API_KEY}, "2"),
    ("wrong-secret", {"api_key": DEFAULT_API_KEY, "api_secret": "WrongSecret999"}, "4"),
    ("unknown-key", {"api_key": "nobody12", "api_secret": DEFAULT_API_SECRET}, "4"),
]


@pytest.mark.parametrize(("credentials", "status"), [(c, s) for _, c, s in CREDENTIAL_REFUSALS],
                         ids=[name for name, _, _ in CREDENTIAL_REFUSALS])
def test_refused_credentials_conform(sandbox: SandboxServer, http: httpx.Client,
                                     credentials: dict[str, str], status: str) -> None:
    assert statuses(send(sandbox, http, HELLO, credentials=credentials)) == [status]


def test_wrong_basic_credentials_conform(sandbox: SandboxServer, http: httpx.Client) -> None:
    response = http.post(f"{sandbox.url}/sms/json", data=HELLO,
                         auth=(DEFAULT_API_KEY, "WrongSecret999"))
    assert statuses(conforming_send(response)) == ["4"]


def test_bad_signatures_conform(frozen: SandboxServer, http: httpx.Client,
                                clock: FrozenClock) -> None:
    signed = signed_params({**HELLO, "api_key": DEFAULT_API_KEY}, DEFAULT_SIGNATURE_SECRET,
                           SignatureMethod.MD5_HASH, int(clock.now))
    assert statuses(send(frozen, http, signed, credentials={})) == ["0"]
    tampered = {**signed, "text": "changed"}
    stale = signed_params({**HELLO, "api_key": DEFAULT_API_KEY}, DEFAULT_SIGNATURE_SECRET,
                          SignatureMethod.MD5_HASH, int(clock.now) - 301)
    with_secret = {**signed, "api_secret": DEFAULT_API_SECRET}
    assert statuses(send(frozen, http, tampered, credentials={})) == ["14"]
    assert statuses(send(frozen, http, stale, credentials={})) == ["14"]
    assert statuses(send(frozen, http, with_secret, credentials={})) == ["32"]


def test_a_throttled_send_conforms(clock: FrozenClock, http: httpx.Client) -> None:
    server = start_sandbox(clock=clock, rate_limit=2)
    try:
        first, second, third = (send(server, http, HELLO) for _ in range(3))
    finally:
        server.stop()
    assert statuses(first) == statuses(second) == ["0"]
    (message,) = third["messages"]
    assert message["status"] == "1" and THROTTLED.fullmatch(message["error-text"])


def test_an_unpaid_send_conforms(http: httpx.Client) -> None:
    server = start_sandbox(balance=Decimal("0.05"), price=Decimal("0.04"))
    try:
        paid, unpaid = send(server, http, HELLO), send(server, http, HELLO)
    finally:
        server.stop()
    assert (statuses(paid), statuses(unpaid)) == (["0"], ["9"])


def test_a_demo_mode_refusal_conforms(http: httpx.Client) -> None:
    server = start_sandbox(demo_mode=True, whitelist=("447700900000",))
    try:
        allowed = send(server, http, HELLO)
        refused = send(server, http, {**HELLO, "to": "447700900123"})
    finally:
        server.stop()
    assert (statuses(allowed), statuses(refused)) == (["0"], ["29"])


def test_an_unreadable_json_body_gets_a_conforming_refusal(sandbox: SandboxServer,
                                                           http: httpx.Client) -> None:
    response = http.post(f"{sandbox.url}/sms/json", content=b"{not json",
                         headers={"Content-Type": "application/json"})
    assert statuses(conforming_send(response)) == ["2"]


# -- Account API -------------------------------------------------------------------------------

def test_the_balance_conforms(sandbox: SandboxServer, http: httpx.Client) -> None:
    send(sandbox, http, HELLO)
    for response in (http.get(f"{sandbox.url}/account/get-balance", params=CREDENTIALS),
                     http.get(f"{sandbox.url}/account/get-balance", auth=BASIC)):
        assert response.status_code == 200 and media_type(response) == "application/json"
        body = response.json()
        assert_matches_response("account", "/account/get-balance", "get", 200, body)
        assert_matches_component("account", "accountBalance", body)
        assert set(body) == {"value", "autoReload"}
        assert body["value"] == pytest.approx(9.9667) and body["autoReload"] is False


@pytest.mark.parametrize("params", [
    {"api_key": DEFAULT_API_KEY, "api_secret": "WrongSecret999"},
    {"api_key": DEFAULT_API_KEY},
    {},
], ids=["wrong-secret", "no-secret", "no-credentials"])
def test_a_refused_balance_conforms_to_the_401_schema(sandbox: SandboxServer, http: httpx.Client,
                                                      params: dict[str, str]) -> None:
    response = http.get(f"{sandbox.url}/account/get-balance", params=params)
    assert response.status_code == 401 and media_type(response) == "application/json"
    body = response.json()
    assert_matches_response("account", "/account/get-balance", "get", 401, body)
    assert_matches_component("account", "ErrorAuthenticationFailedAccountBalance", body)
    assert body == {"error-code": "401", "error-code-label": "authentication failed"}


def test_the_settings_conform(sandbox: SandboxServer, http: httpx.Client) -> None:
    response = http.post(f"{sandbox.url}/account/settings", params=CREDENTIALS,
                         data={"drCallBackUrl": "https://example.com/webhooks/dlr"})
    assert response.status_code == 200 and media_type(response) == "application/json"
    body = response.json()
    assert_matches_response("account", "/account/settings", "post", 200, body)
    assert_matches_component("account", "accountSettings", body)
    assert body["dr-callback-url"] == "https://example.com/webhooks/dlr"
    assert body["max-outbound-request"] == sandbox.config.rate_limit


# -- Reports API -------------------------------------------------------------------------------

def test_records_by_id_conform_and_list_ids_not_found(sandbox: SandboxServer,
                                                      http: httpx.Client) -> None:
    sent = send(sandbox, http, {**HELLO, "text": "x" * 200, "client-ref": CLIENT_REF_40})
    ids = [message["message-id"] for message in sent["messages"]]
    missing = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
    response = records(sandbox, http, id=",".join([*ids, missing]))
    assert response.status_code == 200 and media_type(response) == "application/json"
    body = response.json()
    assert_sms_outbound_records(body)
    assert body["items_count"] == len(body["records"]) == 2
    assert [record["message_id"] for record in body["records"]] == ids
    assert body["ids_not_found"] == missing


def test_a_record_without_client_ref_conforms(sandbox: SandboxServer,
                                              http: httpx.Client) -> None:
    (message,) = send(sandbox, http, HELLO)["messages"]
    response = records(sandbox, http, id=message["message-id"])
    assert response.status_code == 200
    assert_sms_outbound_records(response.json())


@pytest.mark.parametrize("suffix", ["100", "105", "200", "201", "202"],
                         ids=["delivered", "failed", "expired", "buffered", "unknown"])
def test_final_records_conform(frozen: SandboxServer, http: httpx.Client, clock: FrozenClock,
                               suffix: str) -> None:
    fields = {**HELLO, "to": RANGE_PREFIX + suffix, "client-ref": CLIENT_REF_40}
    (message,) = send(frozen, http, fields)["messages"]
    pending = records(frozen, http, id=message["message-id"]).json()
    clock.advance(10)
    final = records(frozen, http, id=message["message-id"]).json()
    for body in (pending, final):
        assert_sms_outbound_records(body)
    assert pending["records"][0]["status"] == "accepted"
    assert final["records"][0]["status"] != "accepted"
    assert isinstance(final["records"][0]["latency"], int)


def test_a_date_range_answer_conforms(frozen: SandboxServer, http: httpx.Client,
                                      clock: FrozenClock) -> None:
    send(frozen, http, {**HELLO, "client-ref": CLIENT_REF_40})
    response = records(frozen, http, date_start=iso(clock.now - 60), date_end=iso(clock.now + 60))
    assert response.status_code == 200
    body = response.json()
    assert_sms_outbound_records(body)
    assert body["items_count"] == 1 and "ids_not_found" not in body


def test_an_invalid_records_request_conforms_to_the_422_schema(sandbox: SandboxServer,
                                                               http: httpx.Client) -> None:
    response = records(sandbox, http, product="VOICE-CALL")
    assert response.status_code == 422
    assert media_type(response) in {"application/json", "application/problem+json"}
    body = response.json()
    assert_valid("reports", response_schema("reports", "/v2/reports/records", "get", 422), body)
    assert {item["name"] for item in body["invalid_parameters"]} >= {"product"}


def test_an_id_with_a_date_range_is_the_specs_invalid_filter_problem(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    response = records(sandbox, http, id="some-id", date_start=iso(1.7e9), date_end=iso(1.7e9 + 60))
    assert response.status_code == 422
    body = response.json()
    schema = response_schema("reports", "/v2/reports/records", "get", 422)
    (branch,) = [b for b in schema["oneOf"] if b.get("description") == "Invalid filter"]
    assert_valid("reports", branch, body)
    documented = {name: branch["properties"][name]["example"]
                  for name in ("type", "title", "detail")}
    assert {name: body[name] for name in documented} == documented
    assert isinstance(body["instance"], str) and body["instance"]
