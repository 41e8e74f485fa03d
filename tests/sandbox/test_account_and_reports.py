"""Balance, settings and the Reports API, through the app's client and as raw HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from conftest import FrozenClock, api_client, start_sandbox

from smsgui.core.api.client import Credentials, OutgoingSms, SmsApiClient
from smsgui.core.api.decode import ReportsResponse, SendResponse
from smsgui.sandbox.server import SandboxServer

AUTH = ("sandbox1", "SandboxSecret123")


def sent_ids(api: SmsApiClient, to: str, text: str = "hi") -> list[str]:
    outcome = api.send(OutgoingSms(to, "AcmeInc", text, client_ref="ref-1"))
    assert isinstance(outcome.decoded, SendResponse)
    return [part.message_id or "" for part in outcome.decoded.parts]


def reports(api: SmsApiClient, ids: list[str]) -> ReportsResponse:
    outcome = api.reports(ids, "sandbox1")
    assert outcome.http_status == 200, outcome.headline
    assert isinstance(outcome.decoded, ReportsResponse)
    return outcome.decoded


class TestAccount:
    def test_balance_and_settings_through_the_client(self, http: httpx.Client) -> None:
        server = start_sandbox(balance=Decimal("12.50"), rate_limit=7)
        try:
            client = api_client(server, http)
            assert client.balance().balance == Decimal("12.50")
            settings = client.settings()
            assert settings.outcome.ok and settings.max_outbound_request == 7
        finally:
            server.stop()

    def test_settings_are_kept_and_every_call_returns_them(self, sandbox: SandboxServer,
                                                           http: httpx.Client) -> None:
        """ACCT spec: "Settings were updated if supplied, the details of the current settings
        are included in the response"; an empty string unsets a URL."""
        def settings(**fields: str) -> dict[str, object]:
            response = http.post(f"{sandbox.url}/account/settings", auth=AUTH, data=fields)
            assert response.status_code == 200
            body: dict[str, object] = response.json()
            return body

        assert settings()["dr-callback-url"] == ""
        settings(drCallBackUrl="https://example.com/dlr")
        settings(moCallBackUrl="https://example.com/inbound")
        current = settings()
        assert (current["mo-callback-url"], current["dr-callback-url"]) == (
            "https://example.com/inbound", "https://example.com/dlr")
        assert settings(drCallBackUrl="")["dr-callback-url"] == ""
        assert settings()["mo-callback-url"] == "https://example.com/inbound"

    def test_refused_settings_change_nothing(self, sandbox: SandboxServer,
                                             http: httpx.Client) -> None:
        refused = http.post(f"{sandbox.url}/account/settings", auth=("sandbox1", "wrong"),
                            data={"drCallBackUrl": "https://attacker.example/dlr"})
        assert refused.status_code == 401
        current = http.post(f"{sandbox.url}/account/settings", auth=AUTH).json()
        assert current["dr-callback-url"] == ""

    def test_balance_with_query_credentials_as_the_2021_spec_shows(
        self, sandbox: SandboxServer, http: httpx.Client
    ) -> None:
        response = http.get(f"{sandbox.url}/account/get-balance",
                            params={"api_key": "sandbox1", "api_secret": "SandboxSecret123"})
        assert response.json() == {"value": 10.0, "autoReload": False}

    @pytest.mark.parametrize("path", ["/account/get-balance", "/account/settings"])
    def test_wrong_credentials_are_refused(self, sandbox: SandboxServer, http: httpx.Client,
                                           path: str) -> None:
        method = "GET" if "balance" in path else "POST"
        response = http.request(method, sandbox.url + path, auth=("sandbox1", "wrong"))
        assert response.status_code == 401
        assert response.json() == {"error-code": "401",
                                   "error-code-label": "authentication failed"}

    def test_the_client_explains_a_refused_balance(self, sandbox: SandboxServer,
                                                   http: httpx.Client) -> None:
        client = api_client(sandbox, http, Credentials("sandbox1", "wrong"))
        result = client.balance()
        assert result.balance is None and result.outcome.entry_id == "http-401"


class TestReports:
    def test_a_lookup_follows_the_message_to_its_receipt(self, http: httpx.Client) -> None:
        clock = FrozenClock()
        server = start_sandbox(clock=clock, dlr_delay=30.0)
        try:
            client = api_client(server, http)
            ids = sent_ids(client, "447700900106")  # receipt: rejected, err-code 6
            before = reports(client, ids)
            assert [r.status for r in before.records] == ["accepted"]
            assert before.ok
            clock.advance(31)
            (record,) = reports(client, ids).records
            assert (record.status, record.error_code) == ("rejected", 6)
            assert record.latency_ms == 30_000
            assert record.to == "447700900106" and record.sender == "AcmeInc"
            assert record.client_ref == "ref-1" and record.price == Decimal("0.0333")
            assert record.network is not None and record.network.code == "23410"
            assert record.entry.id == "receipt-error-6"
        finally:
            server.stop()

    def test_records_match_the_receipts_and_unknown_ids_are_listed(
        self, api: SmsApiClient
    ) -> None:
        delivered = sent_ids(api, "447700900000", text="x" * 200)
        failed = sent_ids(api, "447700900101")
        time.sleep(0.1)  # the sandbox fixture's receipts are due after 0.05 s
        result = reports(api, [*delivered, *failed, "not-a-real-id"])
        statuses = {r.message_id: (r.status, r.error_code) for r in result.records}
        assert statuses == {delivered[0]: ("delivered", 0), delivered[1]: ("delivered", 0),
                            failed[0]: ("failed", 1)}
        assert result.ids_not_found == ("not-a-real-id",)
        assert not result.ok

    def test_twenty_ids_at_most(self, sandbox: SandboxServer, http: httpx.Client) -> None:
        ids = ",".join(f"id-{n}" for n in range(21))
        response = http.get(f"{sandbox.url}/v2/reports/records", auth=AUTH, params={
            "account_id": "sandbox1", "product": "SMS", "direction": "outbound", "id": ids})
        assert response.status_code == 422
        assert response.json()["invalid_parameters"][0]["name"] == "id"

    def test_a_date_range_finds_what_was_sent(self, api: SmsApiClient, sandbox: SandboxServer,
                                              http: httpx.Client) -> None:
        ids = sent_ids(api, "447700900000")
        start = datetime.fromtimestamp(time.time() - 60, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        end = datetime.fromtimestamp(time.time() + 60, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        response = http.get(f"{sandbox.url}/v2/reports/records", auth=AUTH, params={
            "account_id": "sandbox1", "product": "SMS", "direction": "outbound",
            "date_start": start, "date_end": end})
        assert [r["message_id"] for r in response.json()["records"]] == ids

    def test_an_id_with_a_date_range_is_the_invalid_filter_problem(
        self, sandbox: SandboxServer, http: httpx.Client
    ) -> None:
        response = http.get(f"{sandbox.url}/v2/reports/records", auth=AUTH, params={
            "account_id": "sandbox1", "product": "SMS", "id": "some-id",
            "date_start": "2026-01-01T00:00:00Z"})
        assert response.status_code == 422
        assert response.headers["Content-Type"].startswith("application/problem+json")
        body = response.json()
        assert (body["type"], body["title"]) == (
            "https://developer.nexmo.com/api-errors/reports#invalid-filter", "Invalid filter")
        assert "invalid_parameters" not in body

    def test_an_unknown_product_gets_the_documented_reason(self, sandbox: SandboxServer,
                                                           http: httpx.Client) -> None:
        response = http.get(f"{sandbox.url}/v2/reports/records", auth=AUTH, params={
            "account_id": "sandbox1", "product": "FAX", "id": "x"})
        (problem,) = response.json()["invalid_parameters"]
        assert problem["name"] == "product"
        assert problem["reason"].startswith("Could not resolve product name.")

    @pytest.mark.parametrize(
        ("params", "name"),
        [({"product": "SMS"}, "account_id"), ({"account_id": "sandbox1"}, "product"),
         ({"account_id": "sandbox1", "product": "SMS"}, "date_start"),
         ({"account_id": "sandbox1", "product": "SMS", "date_start": "2026-01-01T00:00:00Z",
           "date_end": "2026-01-03T00:00:00Z"}, "date_end")],
    )
    def test_invalid_parameters_are_named(self, sandbox: SandboxServer, http: httpx.Client,
                                          params: dict[str, str], name: str) -> None:
        response = http.get(f"{sandbox.url}/v2/reports/records", auth=AUTH, params=params)
        assert response.status_code == 422
        assert name in [item["name"] for item in response.json()["invalid_parameters"]]

    def test_reports_need_basic_credentials(self, sandbox: SandboxServer,
                                            http: httpx.Client) -> None:
        response = http.get(f"{sandbox.url}/v2/reports/records", params={
            "account_id": "sandbox1", "product": "SMS", "id": "x",
            "api_key": "sandbox1", "api_secret": "SandboxSecret123"})
        assert response.status_code == 401
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert response.json()["title"] == "Unauthorized"
