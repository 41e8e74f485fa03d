"""``GET /v2/reports/records``: the Reports API's synchronous look-up, for messages sent here
through the SMS API (product SMS) or the Messages API (product MESSAGES)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar
from urllib.parse import urlencode

from smsgui.core.api.apitypes import MAX_REPORT_IDS
from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.core.reference.messages_outcomes import SUBMITTED
from smsgui.sandbox.account import Account, MessageRecord
from smsgui.sandbox.config import SandboxConfig
from smsgui.sandbox.messages import final_status

MAX_RANGE_SECONDS = 24 * 60 * 60
_PROBLEM_BASE = "https://developer.nexmo.com/api-errors"
_DATE_FILTERS = ("date_start", "date_end")
INVALID_FILTER: Mapping[str, str] = {
    "type": f"{_PROBLEM_BASE}/reports#invalid-filter",
    "title": "Invalid filter",
    "detail": "When using message_id, the following parameters are not supported: "
              "[date_start, date_end]",
}
"""The 422 for ``id`` with a date range: reports-openapi.yml gives this problem its own type,
title and detail (the "Invalid filter" branch of GET /v2/reports/records 422)."""
REPORTS_PRODUCTS = ("CONVERSATIONS", "MESSAGES", "NUMBER-INSIGHT", "SMS", "VERIFY-API",
                    "VERIFY-SDK", "VOICE-CALL", "WEBSOCKET-CALL", "ASR")
_UNKNOWN_PRODUCT = ("Could not resolve product name. Please use one of the following values "
                    f"[{', '.join(REPORTS_PRODUCTS)}]")
"""The reason reports-openapi.yml's "Invalid Product" 422 gives, word for word."""

Answer = tuple[int, dict[str, object]]
Record = dict[str, object]
T = TypeVar("T")


class ReportsEndpoint:
    """Answers records requests from the sandbox account's message records."""

    def __init__(self, account: Account, config: SandboxConfig) -> None:
        self._account = account
        self._config = config

    def answer(self, query: Mapping[str, Sequence[str]], authorized: bool, base_url: str,
               now: float) -> Answer:
        """The HTTP status and JSON body for one records request."""
        if not authorized:
            return 401, problem("unauthorized", "Unauthorized",
                                "You did not provide correct credentials.")
        params = {key: values[-1] for key, values in query.items() if values}
        if "id" in params and any(key in params for key in _DATE_FILTERS):
            return 422, dict(INVALID_FILTER, instance=uuid.uuid4().hex)
        invalid = _invalid_parameters(params, self._config)
        if invalid:
            return 422, {**problem("invalid-parameters", "Unprocessable entity",
                                   "The request parameters are not valid."),
                         "invalid_parameters": invalid}
        if params["product"] == "MESSAGES":
            records, missing = self._messages(params, now)
        else:
            records, missing = self._sms(params, now)
        status = params.get("status")
        if status:
            records = [record for record in records if record["status"] == status]
        body: dict[str, object] = {
            "_links": {"self": {"href": f"{base_url}/v2/reports/records?{urlencode(params)}"}},
            "request_id": str(uuid.uuid4()),
            "request_status": "SUCCESS",
            "received_at": _iso(now),
            "price": 0,
            "currency": "EUR",
            "account_id": self._config.api_key,
            "product": params["product"],
            "direction": "outbound",
            "include_message": False,
            "items_count": len(records),
            "records": records,
        }
        if missing:
            body["ids_not_found"] = ",".join(missing)
        return 200, body


    def _sms(self, params: Mapping[str, str], now: float) -> tuple[list[Record], list[str]]:
        found, missing = _selected(params, self._account.records, self._account.records_between)
        return [_record_json(record, self._config, now) for record in found], missing

    def _messages(self, params: Mapping[str, str], now: float) -> tuple[list[Record], list[str]]:
        found, missing = _selected(params, self._account.messages,
                                   self._account.messages_between)
        return [_message_json(parts, self._config, now) for parts in found], missing


def _selected(params: Mapping[str, str],
              by_id: Callable[[list[str]], tuple[list[T], list[str]]],
              between: Callable[[float, float], list[T]]) -> tuple[list[T], list[str]]:
    """What the query's ``id`` list names (and the ids not found), else its date range holds."""
    if "id" in params:
        return by_id([item.strip() for item in params["id"].split(",") if item.strip()])
    start, end = _moment(params["date_start"]), _moment(params["date_end"])
    return between(start or 0, end or 0), []


def problem(kind: str, title: str, detail: str) -> dict[str, object]:
    """An RFC 7807 problem body shaped like Vonage's."""
    return {"type": f"{_PROBLEM_BASE}#{kind}", "title": title, "detail": detail,
            "instance": uuid.uuid4().hex}


def _invalid_parameters(params: Mapping[str, str], config: SandboxConfig) -> list[dict[str, str]]:
    invalid = []
    if params.get("account_id") != config.api_key:
        invalid.append({"name": "account_id", "reason": "Missing or unknown account_id"})
    product = params.get("product")
    if product not in REPORTS_PRODUCTS:
        invalid.append({"name": "product", "reason": _UNKNOWN_PRODUCT})
    elif product not in ("SMS", "MESSAGES"):
        invalid.append({"name": "product",
                        "reason": "The sandbox keeps SMS and MESSAGES records only"})
    if params.get("direction", "outbound") != "outbound":
        invalid.append({"name": "direction", "reason": "The sandbox keeps outbound SMS only"})
    invalid.extend(_invalid_selection(params))
    return invalid


def _invalid_selection(params: Mapping[str, str]) -> list[dict[str, str]]:
    if "id" in params:
        count = len([item for item in params["id"].split(",") if item.strip()])
        if not 1 <= count <= MAX_REPORT_IDS:
            return [{"name": "id", "reason": f"Give between 1 and {MAX_REPORT_IDS} ids"}]
        return []
    start, end = _moment(params.get("date_start")), _moment(params.get("date_end"))
    if start is None or end is None:
        missing = "date_start" if start is None else "date_end"
        return [{"name": missing, "reason": "Missing required parameter"}]
    if not 0 < end - start <= MAX_RANGE_SECONDS:
        return [{"name": "date_end", "reason": "Must be after date_start, within 24 hours"}]
    return []


def _record_json(record: MessageRecord, config: SandboxConfig, now: float) -> dict[str, object]:
    status, err_code = record.status_at(now)
    network = record.network
    final = status != "accepted"
    knowledge = default_knowledge_base()
    described = (knowledge.for_receipt_error(err_code) if final
                 else knowledge.for_receipt_status(status))
    fields: dict[str, object] = {
        "account_id": config.api_key,
        "message_id": record.message_id,
        "direction": "outbound",
        "from": record.sender,
        "to": record.to,
        "network": network.code if network else "",
        "network_name": (network.operator or "") if network else "",
        "country": (network.country_code or "") if network else "",
        "country_name": (network.country or "") if network else "",
        "date_received": _iso(record.received_at),
        "status": status,
        "error_code": str(err_code),
        "error_code_description": described.title,
        "currency": "EUR",
        "total_price": float(record.price),
    }
    if record.client_ref:
        fields["client_ref"] = record.client_ref
    if final:
        fields["date_finalized"] = _iso(record.final_at)
        fields["latency"] = round((record.final_at - record.received_at) * 1000)
    return fields


def _message_json(parts: tuple[MessageRecord, ...], config: SandboxConfig,
                  now: float) -> Record:
    """A product MESSAGES record: one per message, whatever its parts, with Messages API
    statuses (submitted, delivered, rejected, undeliverable) and error codes."""
    first = parts[0]
    network = first.network
    status, error_code = final_status(first) if now >= first.final_at else SUBMITTED
    final = status != "submitted"
    fields: Record = {
        "account_id": config.api_key,
        "message_id": first.message_id,
        "direction": "outbound",
        "provider": "sms",
        "from": first.sender,
        "to": first.to,
        "country": (network.country_code or "") if network else "",
        "country_name": (network.country or "") if network else "",
        "date_received": _iso(first.received_at),
        "status": status,
        "currency": "EUR",
        "total_price": float(sum((part.price for part in parts), Decimal(0))),
    }
    if error_code is not None:
        fields["error_code"] = str(error_code)
    if first.client_ref:
        fields["client_ref"] = first.client_ref
    if final:
        fields["date_finalized"] = _iso(first.final_at)
        fields["latency"] = round((first.final_at - first.received_at) * 1000)
    return fields


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _moment(text: str | None) -> float | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "+"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
