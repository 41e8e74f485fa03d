"""Plain JSON forms of decoded answers and check reports, for ``--json`` output and scripts.

Money is written as decimal strings so no precision is lost; absent values are ``null``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from smsgui.core.api.decode import (
    Decoded,
    MessagePart,
    Receipt,
    ReportRecord,
    ReportsResponse,
    SendResponse,
)
from smsgui.core.checks.checks import CheckReport, Recipient
from smsgui.core.checks.findings import Finding
from smsgui.core.delivery.verdict import Verdict, answer_verdict
from smsgui.core.reference.networks import Network
from smsgui.core.values import CURRENCY


def decoded_as_json(decoded: Decoded, receipts: Sequence[Receipt] = (),
                    verdict: Verdict | None = None) -> dict[str, Any]:
    """One JSON object describing any decoded answer.

    ``ok``, ``verdict``, ``headline``, ``entry``, ``accepted`` and ``failed`` are the verdict's
    (by default the answer's with its receipts; pass an exchange's to include its failure).
    The send-response keys are always there, so scripts can read ``parts`` or ``messages``
    whatever came back; for a receipt or an error they say there were no parts.
    """
    verdict = verdict or answer_verdict(decoded, receipts)
    entry = verdict.entry
    common: dict[str, Any] = {
        "kind": decoded.kind,
        "ok": verdict.ok,
        "verdict": str(verdict.label),
        "headline": verdict.headline,
        "entry": entry.id,
        "next_step": entry.next_steps[0],
        "notes": list(decoded.notes),
        "parts": 0, "accepted": verdict.accepted, "failed": verdict.failed, "total_price": None,
        "unpriced_parts": 0, "currency": CURRENCY, "remaining_balance": None,
        "throttle_wait_ms": None,
        "messages": [],
    }
    if isinstance(decoded, SendResponse):
        common |= _send_json(decoded)
    elif isinstance(decoded, Receipt):
        common["receipt"] = receipt_as_json(decoded)
    elif isinstance(decoded, ReportsResponse):
        common["records"] = [_record_json(record) for record in decoded.records]
        common["ids_not_found"] = list(decoded.ids_not_found)
    else:
        common["reason"] = decoded.reason
        common["detail"] = decoded.detail
    if receipts:
        common["receipts"] = [receipt_as_json(receipt) for receipt in receipts]
    return common


def _send_json(response: SendResponse) -> dict[str, Any]:
    return {
        "parts": len(response.parts),
        # None when no accepted part gave a price: nothing is known, which is not the same as
        # free. Refused parts are never charged, even when they state a price (status 9).
        "total_price": _money(response.total_price) if response.total_price_known else None,
        "unpriced_parts": response.unpriced_count,
        "currency": response.currency,
        "remaining_balance": _money(response.final_balance),
        "throttle_wait_ms": response.throttle_wait_ms,
        "messages": [_part_json(part) for part in response.parts],
    }


def _part_json(part: MessagePart) -> dict[str, Any]:
    return {
        "index": part.index,
        "status": part.status,
        "title": part.entry.display_title,
        "error_text": part.error_text,
        "message_id": part.message_id,
        "to": part.to,
        "price": _money(part.price),
        "remaining_balance": _money(part.remaining_balance),
        "network": network_as_json(part.network),
        "client_ref": part.client_ref,
        "account_ref": part.account_ref,
        "entry": part.entry.id,
        "notes": list(part.notes),
    }


def receipt_as_json(receipt: Receipt) -> dict[str, Any]:
    return {
        "status": receipt.status,
        "err_code": receipt.err_code,
        "title": receipt.entry.display_title,
        "entry": receipt.entry.id,
        "final": receipt.final,
        "message_id": receipt.message_id,
        "recipient": receipt.recipient,
        "sender": receipt.sender,
        "network": network_as_json(receipt.network),
        "price": _money(receipt.price),
        "carrier_time": receipt.carrier_time.isoformat() if receipt.carrier_time else None,
        "message_timestamp": receipt.message_timestamp,
        "client_ref": receipt.client_ref,
    }


def _record_json(record: ReportRecord) -> dict[str, Any]:
    return {
        "message_id": record.message_id,
        "status": record.status,
        "error_code": record.error_code,
        "title": record.entry.display_title,
        "entry": record.entry.id,
        "to": record.to,
        "from": record.sender,
        "price": _money(record.price),
        "currency": record.currency,
        "network": network_as_json(record.network),
        "latency_ms": record.latency_ms,
        "date_received": record.date_received,
        "date_finalized": record.date_finalized,
        "client_ref": record.client_ref,
    }


def network_as_json(network: Network | None) -> dict[str, Any] | None:
    if network is None:
        return None
    return {"code": network.code, "country": network.country, "operator": network.operator,
            "country_code": network.country_code}


def check_report_as_json(report: CheckReport, sender: str) -> dict[str, Any]:
    """The ``smsgui check --json`` object."""
    segments = report.segments
    return {
        "ok": not report.blocking,
        "text": {
            "encoding": str(segments.encoding),
            "characters": segments.characters,
            "units": segments.units,
            "parts": segments.parts,
            "per_part": segments.per_part,
            "forcing_ucs2": list(segments.forcing_ucs2),
        },
        "to": [_recipient_json(recipient) for recipient in report.recipients],
        "from": sender,
        "findings": [_finding_json(finding) for finding in report.findings],
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    """A finding; a country rule's also with its country, own words, source and date."""
    payload: dict[str, Any] = {"entry": finding.entry_id, "severity": str(finding.severity),
                               "field": finding.field, "message": finding.message}
    extra = {"country": finding.country, "detail": finding.detail, "source": finding.source,
             "checked_on": finding.checked_on.isoformat() if finding.checked_on else None}
    payload.update({key: value for key, value in extra.items() if value is not None})
    return payload


def _recipient_json(recipient: Recipient) -> dict[str, Any]:
    return {
        "input": recipient.input,
        "e164": recipient.e164,
        "region": recipient.region,
        "type": recipient.number_type,
        "valid": recipient.valid,
        "test_number": recipient.test_number.description if recipient.test_number else None,
    }


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else format(amount, "f")
