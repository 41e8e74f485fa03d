"""Messages API bodies - a 202 answer, problem documents, status webhooks - decoded into the
shapes every view already shows: a send response, an explained error, a receipt.

The bodies are shaped like the examples in Vonage's Messages API description 1.4.0
(tests/sandbox/messages-openapi.yml) and its status webhook reference (docs/messages-api).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from smsgui.cli import main
from smsgui.core.api.decode import Receipt, SendResponse, Unreadable, decode_response
from smsgui.core.reference.knowledge import Kind, KnowledgeBase, default_knowledge_base

UUID = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
DESCRIPTION = Path(__file__).resolve().parent.parent / "sandbox" / "messages-openapi.yml"
INSTANCE = "bf0ca0bf927b3b52e3cb03217e1a1ddf"


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return default_knowledge_base()


def problem(code: str, title: str, detail: str, **more: object) -> str:
    return json.dumps({"type": f"https://developer.nexmo.com/api-errors/messages-olympus#{code}",
                       "title": title, "detail": detail, "instance": INSTANCE, **more})


def webhook(status: str, **more: object) -> str:
    return json.dumps({"message_uuid": UUID, "to": "447700900000", "from": "AcmeInc",
                       "timestamp": "2026-12-03T14:00:00.000Z", "status": status,
                       "channel": "sms", **more})


def test_a_202_answer_is_one_accepted_message_not_yet_delivered() -> None:
    decoded = decode_response(json.dumps({"message_uuid": UUID}))
    assert isinstance(decoded, SendResponse) and decoded.ok
    (part,) = decoded.parts
    assert part.message_id == UUID and part.accepted and part.price is None
    assert decoded.entry.id == "messages-http-202"
    assert decoded.headline.startswith("Accepted") and "not yet delivered" in decoded.headline


def test_a_422_problem_names_its_error_and_the_parameters_at_fault() -> None:
    body = problem("1150", "Invalid params", "The value of one or more parameters is invalid.",
                   invalid_parameters=[{"name": "text", "reason": "must not be empty"}])
    decoded = decode_response(body)
    assert isinstance(decoded, Unreadable) and not decoded.ok
    assert decoded.entry.id == "messages-1150"
    assert decoded.headline == ("The Messages API refused it (error 1150): Invalid params - The "
                                "value of one or more parameters is invalid.")
    assert "Invalid parameter text: must not be empty" in decoded.detail
    assert INSTANCE in decoded.detail


@pytest.mark.parametrize("detail", ["Non White-listed Destination - rejected",
                                    "non white-listed destination - rejected"])
def test_a_detail_that_repeats_the_title_is_said_once(detail: str) -> None:
    decoded = decode_response(problem("1160", "Non White-listed Destination", detail))
    assert decoded.headline == f"The Messages API refused it (error 1160): {detail}."


def test_an_internal_error_is_not_called_a_refusal() -> None:
    decoded = decode_response(problem("1000", "Internal error", "An internal error occurred."))
    assert decoded.headline == ("The Messages API had a problem (error 1000): Internal error - "
                                "An internal error occurred.")


def test_a_throttled_send_is_told_to_wait(knowledge: KnowledgeBase) -> None:
    decoded = decode_response(problem("1000", "Rate Limit Hit",
                                      "Please wait, then retry your request"))
    assert decoded.entry.id == "messages-1000"
    assert decoded.entry.retry.value == "after-wait"


def test_error_1000_titled_internal_is_a_server_fault_not_throttling() -> None:
    """The published description gives 1000 to both 429 and 500; the title tells them apart."""
    decoded = decode_response(problem("1000", "Internal error",
                                      "There was an error processing your request in the "
                                      "Platform."))
    assert decoded.entry.id == "messages-http-500"
    assert decoded.entry.retry.value != "after-wait"


@pytest.mark.parametrize("kind", ["https://developer.nexmo.com/api-errors/#unathorized",
                                  "https://developer.nexmo.com/api-errors/#low-balance"])
def test_a_generic_vonage_problem_stays_an_explained_error_object(kind: str) -> None:
    """The SMS API sends these too: without the HTTP answer, the body cannot say which API."""
    decoded = decode_response(json.dumps({"type": kind, "title": "Low balance",
                                          "detail": "Top up your account.", "instance": INSTANCE}))
    assert decoded.entry.id == "response-error-object"
    assert "Low balance - Top up your account." in decoded.headline


def test_a_problem_without_a_type_is_still_an_error_object_not_a_crash() -> None:
    decoded = decode_response(json.dumps({"title": "Invalid sender", "detail": "Bad from."}))
    assert decoded.entry.id == "response-error-object" and not decoded.ok


def test_an_unknown_messages_error_code_gets_the_generic_entry() -> None:
    decoded = decode_response(problem("9999", "Something new", "A new kind of refusal."))
    assert decoded.entry.id == "messages-error-unknown"
    assert "(error 9999): Something new" in decoded.headline


@pytest.mark.parametrize(("status", "ok", "final", "entry"), [
    ("submitted", True, False, "messages-status-submitted"),
    ("delivered", True, True, "messages-status-delivered"),
    ("undeliverable", False, True, "messages-status-undeliverable"),
    ("teleported", False, True, "messages-status-unknown"),
])
def test_a_status_webhook_is_the_receipt_of_its_message(
    status: str, ok: bool, final: bool, entry: str
) -> None:
    decoded = decode_response(webhook(status, usage={"currency": "EUR", "price": "0.0333"},
                                      client_ref="ticket-42"))
    assert isinstance(decoded, Receipt)
    assert (decoded.ok, decoded.final, decoded.entry.id) == (ok, final, entry)
    assert decoded.message_id == UUID and decoded.recipient == "447700900000"
    assert decoded.price == Decimal("0.0333") and decoded.currency == "EUR"
    assert decoded.client_ref == "ticket-42"
    assert decoded.carrier_time is not None and decoded.carrier_time.year == 2026
    assert decoded.headline.startswith(f"Status webhook: {status}")


@pytest.mark.parametrize("error", [
    {"type": "https://developer.nexmo.com/api-errors/messages-olympus#1000", "title": 1000,
     "detail": "Throttled - You have exceeded the submission capacity allowed on this account."},
    {"type": "https://developer.vonage.com/api-errors/messages#1000", "title": "Throttled",
     "detail": "Throttled"},
])
def test_a_rejected_status_names_its_error_code(error: dict[str, object]) -> None:
    decoded = decode_response(webhook("rejected", error=error))
    assert isinstance(decoded, Receipt) and not decoded.ok
    assert decoded.err_code == 1000 and decoded.entry.id == "messages-1000"
    assert decoded.headline.startswith("Status webhook: rejected, error 1000 (")


def test_every_error_code_the_description_names_has_an_entry(knowledge: KnowledgeBase) -> None:
    codes = set(re.findall(r"api-errors/messages-olympus#(\d{4})", DESCRIPTION.read_text()))
    assert len(codes) >= 5
    missing = {code for code in codes if knowledge.lookup(Kind.MESSAGES_ERROR, code) is None}
    assert not missing


@pytest.mark.parametrize("status", [401, 402, 403, 404, 422, 429, 500])
def test_every_http_answer_of_the_send_has_an_entry(knowledge: KnowledgeBase,
                                                    status: int) -> None:
    assert knowledge.lookup(Kind.MESSAGES_ERROR, f"http-{status}") is not None


@pytest.mark.parametrize("status", ["submitted", "delivered", "rejected", "undeliverable"])
def test_every_sms_status_has_an_entry(knowledge: KnowledgeBase, status: str) -> None:
    assert knowledge.lookup(Kind.MESSAGES_STATUS, status) is not None


def test_smsgui_decode_explains_a_problem_document_and_a_webhook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "problem.json"
    path.write_text(problem("1120", "Invalid sender", "The `from` parameter is invalid."))
    assert main(["decode", str(path)]) == 1  # a failure explained, not unusable input (2)
    out = capsys.readouterr().out
    assert "[messages-1120]" in out and "Invalid sender" in out
    path.write_text(webhook("delivered"))
    assert main(["decode", str(path)]) == 0
    assert "[messages-status-delivered]" in capsys.readouterr().out
