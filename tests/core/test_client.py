"""The SMS API client against a real loopback server (faultserver), plus a few mocked failures.

Only failures loopback cannot produce reliably (DNS, connect timeout, certificate errors, write
timeout) use ``httpx.MockTransport``, raising the real httpx exception with a realistic cause.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from decimal import Decimal

import httpx
import pytest
from faultserver import HTML_HEADERS, FaultServer, RecordedRequest, Reply

import smsgui
from smsgui.core.api.client import (
    DEFAULT_TIMEOUT,
    MAX_BODY_BYTES,
    MAX_REPORT_IDS,
    AuthMethod,
    Credentials,
    Endpoint,
    OutgoingSms,
    SmsApiClient,
    classify_failure,
    is_loopback_host,
    make_http_client,
    parse_retry_after,
)
from smsgui.core.api.decode import ReportsResponse, SendResponse
from smsgui.core.api.signing import SignatureMethod, verify
from smsgui.core.privacy import REDACTED, mask_number

API_KEY = "abcd1234"
API_SECRET = "Sup3rS3cretValue"
SIG_SECRET = "SigSecretValue4242"
BASIC_TOKEN = base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()
SECRETS = (API_SECRET, SIG_SECRET, BASIC_TOKEN)
NOW = 1_700_000_000.0
TO = "447700900123"
TEXT = "Hello from the smsgui test suite"

SEND_OK = (
    '{"message-count":"1","messages":[{"to":"447700900123","message-id":"0A0000000123ABCD1",'
    '"status":"0","remaining-balance":"3.14159265","message-price":"0.03330000",'
    '"network":"23410"}]}'
)
SEND_BAD_CREDENTIALS = (
    '{"message-count":"1","messages":[{"status":"4","error-text":"Bad Credentials"}]}'
)
BALANCE_OK = '{"value": 10.17127500, "autoReload": false}'
SETTINGS_OK = (
    '{"mo-callback-url": "https://example.com/webhooks/inbound-sms",'
    ' "dr-callback-url": "https://example.com/webhooks/delivery-receipt",'
    ' "max-outbound-request": 30, "max-inbound-request": 20, "max-calls-per-second": 10}'
)
REPORTS_OK = (
    '{"request_status": "SUCCESS", "ids_not_found": "", "records": [{"account_id": "abcd1234",'
    ' "message_id": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", "direction": "outbound",'
    ' "to": "447700900123", "from": "Acme", "status": "delivered", "error_code": "0",'
    ' "network": "23410", "total_price": "0.0333", "currency": "EUR"}]}'
)
PROBLEM_JSON = (
    '{"type": "https://developer.nexmo.com/api-errors#unauthorized",'
    ' "title": "Invalid credentials supplied",'
    ' "detail": "You did not provide correct credentials.",'
    ' "instance": "797a8f199c45014ab7b08bfe9cc1c12c"}'
)
PROBLEM_HEADERS = (("Content-Type", "application/problem+json"),)
HTML_500 = "<html><head><title>500 Internal Server Error</title></head><body>Oops</body></html>"
FAST = httpx.Timeout(2.0)

MESSAGE = OutgoingSms(to=TO, sender="Acme", text=TEXT)


# -- fixtures and helpers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_server() -> Iterator[FaultServer]:
    with FaultServer() as running_server:
        yield running_server


@pytest.fixture
def server(shared_server: FaultServer) -> FaultServer:
    """The module's server, its record cleared, answering a successful send."""
    shared_server.reset(Reply(body=SEND_OK))
    return shared_server


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=FAST) as client:
        yield client


def credentials(
    auth: AuthMethod = AuthMethod.BASIC, method: SignatureMethod = SignatureMethod.MD5_HASH
) -> Credentials:
    return Credentials(
        api_key=API_KEY, api_secret=API_SECRET, signature_secret=SIG_SECRET,
        signature_method=method, auth_method=auth,
    )


def api_client(
    http: httpx.Client, base_url: str, auth: AuthMethod = AuthMethod.BASIC,
    method: SignatureMethod = SignatureMethod.MD5_HASH,
) -> SmsApiClient:
    return SmsApiClient(
        http, credentials(auth, method), Endpoint(base_url, base_url), clock=lambda: NOW
    )


def mocked(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler), trust_env=False, timeout=FAST)


def raising(error: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error
    return handler


def chained(error: httpx.HTTPError, cause: BaseException) -> httpx.HTTPError:
    error.__cause__ = cause
    return error


def assert_no_secret(outcome: object) -> None:
    text = repr(outcome)
    for secret in SECRETS:
        assert secret not in text


def only_request(server: FaultServer) -> RecordedRequest:
    requests = server.requests
    assert len(requests) == 1, "the client must send exactly one request and never resend"
    return requests[0]


# -- where the credentials go ----------------------------------------------------------------------


def test_basic_auth_sends_the_header_and_no_credential_fields(
    server: FaultServer, http: httpx.Client
) -> None:
    outcome = api_client(http, server.url).send(MESSAGE)
    request = only_request(server)
    assert request.method == "POST"
    assert request.path == "/sms/json"
    assert request.header("Authorization") == f"Basic {BASIC_TOKEN}"
    assert not {"api_key", "api_secret", "sig", "timestamp"} & request.form().keys()
    assert outcome.ok
    assert outcome.entry_id == "status-0"
    assert outcome.http_status == 200
    assert isinstance(outcome.decoded, SendResponse)
    assert outcome.request is not None
    assert outcome.request.auth_method is AuthMethod.BASIC


def test_body_auth_sends_key_and_secret_as_form_fields(
    server: FaultServer, http: httpx.Client
) -> None:
    api_client(http, server.url, AuthMethod.BODY).send(MESSAGE)
    request = only_request(server)
    assert request.header("Authorization") is None
    assert request.form()["api_key"] == API_KEY
    assert request.form()["api_secret"] == API_SECRET
    assert "sig" not in request.form()
    assert request.query == ""


@pytest.mark.parametrize("method", list(SignatureMethod))
def test_signature_auth_sends_a_verifiable_sig_and_no_secret(
    server: FaultServer, http: httpx.Client, method: SignatureMethod
) -> None:
    outcome = api_client(http, server.url, AuthMethod.SIGNATURE, method).send(MESSAGE)
    request = only_request(server)
    form = request.form()
    assert request.header("Authorization") is None
    assert "api_secret" not in form
    assert form["api_key"] == API_KEY
    assert form["timestamp"] == str(int(NOW))
    assert verify(form, SIG_SECRET, method)
    assert not verify(form, "wrong-secret", method)
    assert outcome.ok


def test_signature_auth_signs_escaped_text_but_sends_it_unchanged(
    server: FaultServer, http: httpx.Client
) -> None:
    message = OutgoingSms(to=TO, sender="Acme", text="Tom & Jerry = friends")
    api_client(http, server.url, AuthMethod.SIGNATURE, SignatureMethod.SHA256).send(message)
    form = only_request(server).form()
    assert form["text"] == "Tom & Jerry = friends"
    assert verify(form, SIG_SECRET, SignatureMethod.SHA256)


def test_signature_auth_needs_a_signature_secret() -> None:
    with pytest.raises(ValueError, match="signature secret") as raised:
        Credentials(API_KEY, API_SECRET, auth_method=AuthMethod.SIGNATURE)
    assert API_SECRET not in str(raised.value)


def test_credentials_repr_never_shows_secrets() -> None:
    text = repr(credentials(AuthMethod.SIGNATURE)) + str(credentials())
    assert API_KEY in text
    for secret in SECRETS:
        assert secret not in text


# -- what is sent ----------------------------------------------------------------------------------


def test_form_fields_of_a_full_message(server: FaultServer, http: httpx.Client) -> None:
    message = OutgoingSms(
        to=TO, sender="447700900999", text="Grüße ✓", message_type="unicode",
        client_ref="ticket-42", callback="https://example.com/dlr", ttl_ms=3_600_000,
        status_report_req=False,
    )
    api_client(http, server.url).send(message)
    request = only_request(server)
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.form() == {
        "from": "447700900999", "to": TO, "text": "Grüße ✓", "type": "unicode",
        "client-ref": "ticket-42", "callback": "https://example.com/dlr", "ttl": "3600000",
        "status-report-req": "false",
    }


def test_form_fields_of_a_minimal_message_leave_unset_fields_out() -> None:
    assert MESSAGE.form_fields() == {"from": "Acme", "to": TO, "text": TEXT, "type": "text"}
    assert OutgoingSms(TO, "Acme", "x", status_report_req=True).form_fields()[
        "status-report-req"
    ] == "true"


def test_user_agent_names_smsgui_httpx_and_python(
    server: FaultServer, http: httpx.Client
) -> None:
    api_client(http, server.url).send(MESSAGE)
    agent = only_request(server).header("User-Agent") or ""
    version = re.escape(smsgui.__version__)
    assert re.fullmatch(rf"smsgui/{version} httpx/\S+ Python/\d+\.\d+\.\d+\S*", agent), agent
    assert only_request(server).header("Accept") == "application/json"


@pytest.mark.parametrize(
    ("auth", "redacted_field"), [(AuthMethod.BODY, "api_secret"), (AuthMethod.SIGNATURE, "sig")]
)
def test_request_record_redacts_secrets(
    server: FaultServer, http: httpx.Client, auth: AuthMethod, redacted_field: str
) -> None:
    outcome = api_client(http, server.url, auth).send(MESSAGE)
    record = outcome.request
    assert record is not None
    assert record.method == "POST"
    assert record.url == f"{server.url}/sms/json"
    assert record.auth_method is auth
    fields = dict(record.fields)
    assert fields[redacted_field] == REDACTED
    assert fields["api_key"] == API_KEY
    assert fields["text"] == TEXT
    assert_no_secret(record)
    assert "Authorization" not in repr(record)


def test_logs_mask_the_number_and_hold_no_text_or_secret(
    server: FaultServer, http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="smsgui")
    api_client(http, server.url, AuthMethod.BODY).send(MESSAGE)
    api_client(http, server.url, AuthMethod.BODY).balance()
    smsgui_logs = "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith("smsgui")
    )
    assert mask_number(TO) in smsgui_logs
    assert TO not in smsgui_logs
    assert TEXT not in smsgui_logs
    for secret in SECRETS:
        assert secret not in smsgui_logs


# -- balance, settings, reports --------------------------------------------------------------------


def test_balance_is_read_as_a_decimal(server: FaultServer, http: httpx.Client) -> None:
    server.respond_with(Reply(body=BALANCE_OK))
    result = api_client(http, server.url).balance()
    request = only_request(server)
    assert (request.method, request.path, request.query) == ("GET", "/account/get-balance", "")
    assert request.header("Authorization") == f"Basic {BASIC_TOKEN}"
    assert result.balance == Decimal("10.171275")
    assert result.auto_reload is False
    assert result.outcome.ok
    assert "10.171275 EUR" in result.outcome.headline


@pytest.mark.parametrize("auth", [AuthMethod.BODY, AuthMethod.SIGNATURE])
def test_account_calls_never_put_the_secret_in_the_query_string(
    server: FaultServer, http: httpx.Client, auth: AuthMethod
) -> None:
    server.respond_with(Reply(body=BALANCE_OK))
    result = api_client(http, server.url, auth).balance()
    request = only_request(server)
    assert request.header("Authorization") == f"Basic {BASIC_TOKEN}"
    assert request.query == ""
    assert result.balance == Decimal("10.171275")
    assert_no_secret(result)


@pytest.mark.parametrize(
    ("reply", "entry_id"),
    [
        (Reply(body='{"balance": 3}'), "response-unrecognized"),
        (Reply(body=HTML_500, headers=HTML_HEADERS), "response-html"),
        (Reply(body='{"value": '), "response-invalid-json"),
        (Reply(status=401, body='{"error-code":"401","error-code-label":"authentication failed"}'),
         "http-401"),
    ],
)
def test_balance_problems_are_explained(
    server: FaultServer, http: httpx.Client, reply: Reply, entry_id: str
) -> None:
    server.respond_with(reply)
    result = api_client(http, server.url).balance()
    assert result.balance is None
    assert not result.outcome.ok
    assert result.outcome.entry_id == entry_id


def test_settings_are_read_without_changing_anything(
    server: FaultServer, http: httpx.Client
) -> None:
    server.respond_with(Reply(body=SETTINGS_OK))
    result = api_client(http, server.url).settings()
    request = only_request(server)
    assert (request.method, request.path, request.body) == ("POST", "/account/settings", b"")
    assert result.outcome.ok
    assert result.max_outbound_request == 30
    assert result.max_inbound_request == 20
    assert result.max_calls_per_second == 10
    assert result.dr_callback_url == "https://example.com/webhooks/delivery-receipt"
    assert "30" in result.outcome.headline


def test_reports_url_ids_and_basic_auth(server: FaultServer, http: httpx.Client) -> None:
    server.respond_with(Reply(body=REPORTS_OK))
    ids = ["aaaaaaaa-bbbb-cccc-dddd-0123456789ab", "0A0000000123ABCD1"]
    outcome = api_client(http, server.url, AuthMethod.BODY).reports(ids, "abcd1234")
    request = only_request(server)
    assert (request.method, request.path) == ("GET", "/v2/reports/records")
    assert request.query_params() == {
        "account_id": ["abcd1234"], "product": ["SMS"], "direction": ["outbound"],
        "id": [",".join(ids)],
    }
    assert request.header("Authorization") == f"Basic {BASIC_TOKEN}"
    assert isinstance(outcome.decoded, ReportsResponse)
    assert outcome.ok
    assert outcome.request is not None
    assert outcome.request.auth_method is AuthMethod.BASIC


@pytest.mark.parametrize("count", [0, MAX_REPORT_IDS + 1])
def test_reports_rejects_a_wrong_number_of_ids_before_sending(
    server: FaultServer, http: httpx.Client, count: int
) -> None:
    client = api_client(http, server.url)
    with pytest.raises(ValueError, match="message ids"):
        client.reports([f"id-{n}" for n in range(count)], "abcd1234")
    assert server.requests == []


def test_reports_accepts_exactly_twenty_ids(server: FaultServer, http: httpx.Client) -> None:
    server.respond_with(Reply(body=REPORTS_OK))
    api_client(http, server.url).reports([f"id-{n}" for n in range(MAX_REPORT_IDS)], "acc")
    assert only_request(server).query_params()["id"][0].count(",") == MAX_REPORT_IDS - 1


# -- addresses -------------------------------------------------------------------------------------


def never_called(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"no request may be made, got {request.method} {request.url}")


@pytest.mark.parametrize(
    ("base_url", "entry_id"),
    [
        ("http://rest.nexmo.com", "transport-insecure-url"),
        ("http://10.0.0.1:8080", "transport-insecure-url"),
        ("https://exa mple.com", "transport-invalid-url"),
        ("ftp://rest.nexmo.com", "transport-invalid-url"),
        ("rest.nexmo.com", "transport-invalid-url"),
        ("https://user:Zq9pw@rest.nexmo.com", "transport-invalid-url"),
        ("https://user:Zq9/pw@rest.nexmo.com", "transport-invalid-url"),
        ("https://user:Zq9?pw@rest.nexmo.com", "transport-invalid-url"),
        ("", "transport-invalid-url"),
    ],
)
def test_unusable_addresses_make_no_request(base_url: str, entry_id: str) -> None:
    with mocked(never_called) as http:
        client = api_client(http, base_url)
        outcomes = [
            client.send(MESSAGE), client.balance().outcome, client.settings().outcome,
            client.reports(["x"], "acc"),
        ]
    for outcome in outcomes:
        assert outcome.entry_id == entry_id
        assert not outcome.ok
        assert outcome.request is None
        assert not outcome.may_have_been_sent
        assert outcome.headline
        assert "Zq9" not in outcome.headline + outcome.detail
        assert_no_secret(outcome)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True), ("127.45.6.7", True), ("::1", True), ("[::1]", True),
        ("localhost", True), ("LocalHost.", True), ("::ffff:127.0.0.1", True),
        ("10.0.0.1", False), ("rest.nexmo.com", False), ("localhost.example.com", False),
        ("128.0.0.1", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


# -- HTTP answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "entry_id"),
    [
        (Reply(status=401, body=PROBLEM_JSON, headers=PROBLEM_HEADERS), "http-401"),
        (Reply(status=403, body=PROBLEM_JSON, headers=PROBLEM_HEADERS), "http-403"),
        (Reply(status=404, body="<html><body>Not Found</body></html>", headers=HTML_HEADERS),
         "http-404"),
        (Reply(status=422, body=PROBLEM_JSON, headers=PROBLEM_HEADERS), "http-422"),
        (Reply(status=418, body=""), "http-4xx"),
        (Reply(status=500, body=HTML_500, headers=HTML_HEADERS), "http-5xx"),
        (Reply(status=502, body="Bad gateway", headers=(("Content-Type", "text/plain"),)),
         "http-5xx"),
    ],
)
def test_http_failures_map_to_their_entries(
    server: FaultServer, http: httpx.Client, reply: Reply, entry_id: str
) -> None:
    server.respond_with(reply)
    outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == entry_id
    assert not outcome.ok
    assert outcome.http_status == reply.status
    assert outcome.body == reply.body_bytes.decode()
    # A server error does not say whether the message went out: check before sending again.
    assert outcome.may_have_been_sent is (reply.status >= 500)
    assert outcome.retry_after_s is None
    assert str(reply.status) in outcome.headline
    only_request(server)


def test_problem_json_detail_reaches_the_headline(
    server: FaultServer, http: httpx.Client
) -> None:
    server.respond_with(Reply(status=401, body=PROBLEM_JSON, headers=PROBLEM_HEADERS))
    outcome = api_client(http, server.url).send(MESSAGE)
    assert "Invalid credentials supplied" in outcome.headline
    assert outcome.decoded is not None


def test_html_error_page_title_reaches_the_detail(
    server: FaultServer, http: httpx.Client
) -> None:
    server.respond_with(Reply(status=500, body=HTML_500, headers=HTML_HEADERS))
    outcome = api_client(http, server.url).send(MESSAGE)
    assert "500 Internal Server Error" in outcome.detail


def test_an_api_error_in_a_200_answer_is_not_ok(server: FaultServer, http: httpx.Client) -> None:
    server.respond_with(Reply(body=SEND_BAD_CREDENTIALS))
    outcome = api_client(http, server.url).send(MESSAGE)
    assert not outcome.ok
    assert outcome.entry_id == "status-4"
    assert outcome.http_status == 200


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (429, "7", 7.0),
        (429, email.utils.formatdate(NOW + 30, usegmt=True), 30.0),
        (503, "120", 120.0),
        (429, "soon", None),
    ],
)
def test_retry_after_is_read_on_429_and_503(
    server: FaultServer, http: httpx.Client, status: int, retry_after: str,
    expected: float | None,
) -> None:
    server.respond_with(Reply(status=status, body=PROBLEM_JSON,
                              headers=(*PROBLEM_HEADERS, ("Retry-After", retry_after))))
    outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == ("http-429" if status == 429 else "http-5xx")
    assert outcome.retry_after_s == expected
    assert retry_after in outcome.detail


def test_parse_retry_after() -> None:
    assert parse_retry_after(None, NOW) is None
    assert parse_retry_after("  ", NOW) is None
    assert parse_retry_after("0", NOW) == 0.0
    assert parse_retry_after(email.utils.formatdate(NOW - 60, usegmt=True), NOW) == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480.0 - 5) == 5.0
    assert parse_retry_after("-5", NOW) is None


def test_a_redirect_is_not_followed_and_credentials_stay_put(http: httpx.Client) -> None:
    with FaultServer(Reply(body=SEND_OK)) as elsewhere, FaultServer() as server:
        server.respond_with(Reply(status=302, headers=(("Location", f"{elsewhere.url}/sms/json"),)))
        with httpx.Client(trust_env=False, timeout=FAST, follow_redirects=True) as following:
            outcomes = [
                api_client(client, server.url, auth).send(MESSAGE)
                for client in (http, following) for auth in AuthMethod
            ]
        assert elsewhere.requests == []
    assert len(server.requests) == len(outcomes)
    for outcome in outcomes:
        assert outcome.entry_id == "http-3xx"
        assert outcome.http_status == 302
        assert not outcome.ok
        assert f"{elsewhere.url}/sms/json" in outcome.detail


@pytest.mark.parametrize("body", ["", "  \r\n"])
def test_an_empty_answer_to_a_send_says_what_came_back_and_to_check_first(
    server: FaultServer, http: httpx.Client, body: str
) -> None:
    server.respond_with(Reply(status=200, body=body))
    outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == "response-empty" and not outcome.ok
    assert outcome.headline == "The server answered HTTP 200 with nothing in it."
    assert outcome.may_have_been_sent


# -- transport failures ----------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused(http: httpx.Client) -> None:
    outcome = api_client(http, f"http://127.0.0.1:{closed_port()}").send(MESSAGE)
    assert outcome.entry_id == "transport-connection-refused"
    assert not outcome.may_have_been_sent
    assert outcome.http_status is None
    assert outcome.request is not None
    assert "ConnectError" in outcome.detail


def test_tls_to_a_plain_http_server_is_a_tls_failure(
    server: FaultServer, http: httpx.Client
) -> None:
    outcome = api_client(http, f"https://127.0.0.1:{server.port}").send(MESSAGE)
    assert outcome.entry_id == "transport-tls"
    assert not outcome.may_have_been_sent
    assert "SSL" in outcome.detail


def test_read_timeout_may_have_been_sent(server: FaultServer) -> None:
    server.respond_with(Reply(body=SEND_OK, delay_s=2.0))
    with httpx.Client(trust_env=False, timeout=httpx.Timeout(2.0, read=0.2)) as http:
        outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == "transport-read-timeout"
    assert outcome.may_have_been_sent
    assert not outcome.ok
    only_request(server)


def test_a_stall_in_the_middle_of_the_body_is_a_read_timeout(server: FaultServer) -> None:
    server.respond_with(Reply(body=SEND_OK, stall_after_bytes=20, stall_s=2.0))
    with httpx.Client(trust_env=False, timeout=httpx.Timeout(2.0, read=0.2)) as http:
        outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == "transport-read-timeout"
    assert outcome.may_have_been_sent


def test_connection_closed_without_an_answer_is_connection_lost(
    server: FaultServer, http: httpx.Client
) -> None:
    server.respond_with(Reply(close_without_answer=True))
    outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == "transport-connection-lost"
    assert outcome.may_have_been_sent
    only_request(server)


def test_connection_closed_in_the_middle_of_the_body_is_connection_lost(
    server: FaultServer, http: httpx.Client
) -> None:
    server.respond_with(Reply(body=SEND_OK, stall_after_bytes=20, stall_s=0.0))
    outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == "transport-connection-lost"
    assert outcome.may_have_been_sent


def test_a_body_over_the_cap_is_not_read(server: FaultServer, http: httpx.Client) -> None:
    server.respond_with(Reply(body=b"x" * (MAX_BODY_BYTES + 1)))
    outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == "response-too-large"
    assert not outcome.ok
    assert outcome.http_status == 200
    assert outcome.may_have_been_sent
    assert outcome.body is not None
    assert len(outcome.body) <= MAX_BODY_BYTES


def test_a_body_at_the_cap_is_read(server: FaultServer, http: httpx.Client) -> None:
    server.respond_with(Reply(body=SEND_OK.ljust(MAX_BODY_BYTES)))
    outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == "status-0"


@pytest.mark.parametrize(
    ("error", "entry_id", "may_have_been_sent"),
    [
        (chained(httpx.ConnectError("[Errno -2] Name or service not known"),
                 socket.gaierror(-2, "Name or service not known")), "transport-dns", False),
        (httpx.ConnectError("[Errno -3] Temporary failure in name resolution"),
         "transport-dns", False),
        (chained(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
                 ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
                                                 "verify failed: self-signed certificate")),
         "transport-tls-certificate", False),
        (chained(httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number"),
                 ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")),
         "transport-tls", False),
        (chained(httpx.ConnectError("[Errno 111] Connection refused"),
                 ConnectionRefusedError(111, "Connection refused")),
         "transport-connection-refused", False),
        (chained(httpx.ConnectTimeout("timed out"), TimeoutError("timed out")),
         "transport-connect-timeout", False),
        (httpx.WriteTimeout("timed out"), "transport-write-timeout", False),
        (httpx.WriteError("[Errno 32] Broken pipe"), "transport-connection-lost", True),
        (httpx.PoolTimeout("timed out"), "transport-other", False),
        (httpx.ProxyError("proxy said no"), "transport-other", False),
        (httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'gopher://'."),
         "transport-invalid-url", False),
    ],
)
def test_mocked_transport_failures(
    error: httpx.HTTPError, entry_id: str, may_have_been_sent: bool
) -> None:
    with mocked(raising(error)) as http:
        outcome = api_client(http, "https://rest.nexmo.com").send(MESSAGE)
    assert (outcome.entry_id, outcome.may_have_been_sent) == (entry_id, may_have_been_sent)
    assert classify_failure(error) == (entry_id, may_have_been_sent)
    assert outcome.request is not None
    assert outcome.headline
    assert type(error).__name__ in outcome.detail


def test_an_unexpected_exception_becomes_an_outcome() -> None:
    with mocked(raising(RuntimeError("boom"))) as http:
        outcome = api_client(http, "https://rest.nexmo.com").send(MESSAGE)
    assert outcome.entry_id == "transport-other"
    assert outcome.may_have_been_sent
    assert "RuntimeError: boom" in outcome.detail


# -- no secret anywhere ----------------------------------------------------------------------------


ECHO = f"you sent {API_SECRET} and {SIG_SECRET} as {BASIC_TOKEN}"


@pytest.mark.parametrize("auth", list(AuthMethod))
@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=SEND_OK),
        Reply(status=401, body=ECHO, headers=(("Content-Type", "text/plain"),)),
        Reply(body=ECHO),
        Reply(status=429, body=f'{{"title": "{ECHO}"}}', headers=PROBLEM_HEADERS),
        Reply(close_without_answer=True),
    ],
)
def test_no_outcome_contains_a_secret(
    server: FaultServer, http: httpx.Client, auth: AuthMethod, reply: Reply
) -> None:
    server.respond_with(reply)
    client = api_client(http, server.url, auth)
    results: list[object] = [
        client.send(MESSAGE), client.balance(), client.settings(), client.reports(["x"], "a"),
    ]
    for result in results:
        assert_no_secret(result)


def test_failures_never_carry_a_secret() -> None:
    leaky = httpx.ConnectError(f"could not connect with {API_SECRET}")
    with mocked(raising(leaky)) as http:
        outcome = api_client(http, "https://rest.nexmo.com", AuthMethod.BODY).balance().outcome
    assert_no_secret(outcome)
    assert REDACTED in outcome.detail


# -- the production HTTP client --------------------------------------------------------------------


def test_make_http_client_settings() -> None:
    with make_http_client() as http:
        assert http.timeout == DEFAULT_TIMEOUT
        assert (http.timeout.connect, http.timeout.read) == (5.0, 15.0)
        assert (http.timeout.write, http.timeout.pool) == (10.0, 5.0)
        assert http.follow_redirects is False
        assert http.trust_env is True
        assert http.headers["User-Agent"].startswith(f"smsgui/{smsgui.__version__} httpx/")


def test_make_http_client_sends_loopback_past_an_environment_proxy(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead_proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    with make_http_client(timeout=FAST) as http:
        outcome = api_client(http, server.url).send(MESSAGE)
    assert outcome.entry_id == "status-0"
    only_request(server)


def test_make_http_client_accepts_a_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=SEND_OK)

    with make_http_client(transport=httpx.MockTransport(answer)) as http:
        assert api_client(http, "https://rest.nexmo.com").send(MESSAGE).ok



def test_the_client_explains_answers_with_the_knowledge_base_it_was_given(
    server: FaultServer, http: httpx.Client
) -> None:
    from dataclasses import replace

    from smsgui.core.reference.knowledge import KnowledgeBase, default_knowledge_base

    bundled = default_knowledge_base()
    refused = bundled.for_status(29)
    reworded = replace(refused, title="Not On The Test List")
    knowledge = KnowledgeBase(reworded if entry is refused else entry
                              for entry in bundled.entries)
    server.reset(Reply(body='{"message-count":"1","messages":[{"to":"447700900029",'
                            '"status":"29","error-text":"Non White-listed Destination"}]}'))
    client = SmsApiClient(http, credentials(), Endpoint(server.url, server.url),
                          clock=lambda: NOW, knowledge=knowledge)
    outcome = client.send(OutgoingSms("447700900029", "AcmeInc", "hi"))
    assert "Not On The Test List" in outcome.headline
    assert outcome.decoded is not None and outcome.decoded.entry is reworded
