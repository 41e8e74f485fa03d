"""Every view gives the same verdict for the same send.

Each case is one send, saved the way the app saves it (receipts in the documents). It is then
shown by the results pane, told by the timeline, recorded in the history, summarised for a
ticket and decoded by ``smsgui decode`` (text, JSON and exit code); all must agree with the
core's verdict, and the verdict must be the one a person would give.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from smsgui.cli import main
from smsgui.core.api.documents import Failure, RequestRecord, ResponseDocument, save_documents
from smsgui.core.delivery.exchange import Exchange, exchange_from_document
from smsgui.core.delivery.timeline import timeline
from smsgui.core.delivery.verdict import Label, send_verdict
from smsgui.core.records.history import History
from smsgui.core.report.summary import SummaryOptions, build_batch_summary
from smsgui.ui.results import ResultsPane

SENT_AT = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def sent(number: str, status: str = "0", *receipts: tuple[str, str]) -> ResponseDocument:
    """A one-part send to ``number`` answered with ``status``, and its (status, err-code)
    receipts."""
    message_id = f"id-{number}"
    part = {"to": number, "status": status, "network": "23410"}
    if status == "0":
        part |= {"message-id": message_id, "message-price": "0.0333",
                 "remaining-balance": "9.9667"}
    request = RequestRecord("POST", "https://rest.nexmo.com/sms/json", "basic",
                            (("from", "AcmeInc"), ("to", number), ("text", "hello")))
    fields = tuple({"messageId": message_id, "msisdn": number, "to": "AcmeInc",
                    "status": state, "err-code": code} for state, code in receipts)
    return ResponseDocument(body=json.dumps({"message-count": "1", "messages": [part]}),
                            http_status=200, request=request, receipts=fields, sandbox=False,
                            sent_at=SENT_AT)


def unanswered(number: str, may_have_been_sent: bool) -> ResponseDocument:
    entry = "transport-read-timeout" if may_have_been_sent else "transport-connection-refused"
    request = RequestRecord("POST", "https://rest.nexmo.com/sms/json", "basic",
                            (("from", "AcmeInc"), ("to", number), ("text", "hello")))
    return ResponseDocument(body="", request=request, sandbox=False, sent_at=SENT_AT,
                            failure=Failure(entry, "No answer came back.", may_have_been_sent))


CASES = {
    "success": ([sent("447700900000", "0", ("delivered", "0"))], Label.DELIVERED),
    "accepted, no receipt yet": ([sent("447700900000")], Label.ACCEPTED),
    "partial failure": ([sent("447700900000", "0", ("delivered", "0")),
                         sent("447700900029", "29")], Label.PARTIAL_FAILURE),
    "expired": ([sent("447700900200", "0", ("expired", "1"))], Label.NOT_DELIVERED),
    "failed receipt": ([sent("447700900105", "0", ("failed", "5"))], Label.NOT_DELIVERED),
    "a late failure among several": ([sent("447700900000", "0", ("delivered", "0")),
                                      sent("447700900105", "0", ("failed", "5"))],
                                     Label.PARTIAL_FAILURE),
    "transport failure, maybe sent": ([unanswered("447700900000", True)], Label.UNKNOWN),
    "transport failure, not sent": ([unanswered("447700900000", False)], Label.FAILED),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request: pytest.FixtureRequest) -> tuple[list[Exchange], Label]:
    documents, expected = CASES[request.param]
    return [exchange_from_document(document) for document in documents], expected


def test_the_core_verdict_is_the_one_a_person_would_give(
    case: tuple[list[Exchange], Label]
) -> None:
    exchanges, expected = case
    verdict = send_verdict([exchange.verdict for exchange in exchanges])
    assert verdict.label is expected
    assert verdict.ok is (expected in (Label.DELIVERED, Label.ACCEPTED))


def test_the_results_pane_says_it(qtbot: QtBot, case: tuple[list[Exchange], Label]) -> None:
    exchanges, expected = case
    pane = ResultsPane()
    qtbot.addWidget(pane)
    pane.show_exchanges(exchanges)
    assert pane.verdict.text() == expected
    verdict = send_verdict([exchange.verdict for exchange in exchanges])
    assert pane.selected_entry_id() == verdict.entry.id  # the row the panel explains


def test_the_timeline_says_it(case: tuple[list[Exchange], Label]) -> None:
    exchanges, expected = case
    lines = [line for exchange in exchanges for line in timeline(exchange)]
    delivered = [line.delivered for line in lines]
    assert (expected is Label.DELIVERED) == all(value is True for value in delivered)
    assert (expected in (Label.NOT_DELIVERED, Label.FAILED)) == all(
        value is False for value in delivered)
    if expected is Label.PARTIAL_FAILURE:
        assert False in delivered and any(value is not False for value in delivered)


def test_the_history_says_it(tmp_path: Path, case: tuple[list[Exchange], Label]) -> None:
    exchanges, expected = case
    verdict = send_verdict([exchange.verdict for exchange in exchanges])
    with History(tmp_path / "history.sqlite3") as history:
        row = history.row(history.record(exchanges, "Acme live"))
        reopened = [exchange_from_document(document) for document in history.load(row.id)]
    assert (row.ok, row.headline, row.entry_id) == (verdict.ok, verdict.headline,
                                                    verdict.entry.id)
    assert send_verdict([exchange.verdict for exchange in reopened]).label is expected


def test_the_summary_says_it(case: tuple[list[Exchange], Label]) -> None:
    exchanges, expected = case
    text = build_batch_summary(exchanges, SummaryOptions())
    assert text.splitlines()[0].startswith(f"smsgui diagnostic summary: {expected} - ")
    assert f"  Verdict: {expected}\n" in text
    assert "Sent (UTC): 2026-12-03 09:30:00" in text


def test_smsgui_decode_says_it(tmp_path: Path, case: tuple[list[Exchange], Label],
                               capsys: pytest.CaptureFixture[str]) -> None:
    exchanges, expected = case
    path = tmp_path / "send.json"
    save_documents([exchange.document for exchange in exchanges], path)
    ok = expected in (Label.DELIVERED, Label.ACCEPTED)
    assert main(["decode", str(path)]) == (0 if ok else 1)
    text = capsys.readouterr().out
    assert f"Verdict: {expected}" in text
    assert main(["decode", "--json", str(path)]) == (0 if ok else 1)
    payload = json.loads(capsys.readouterr().out)
    assert (payload["verdict"], payload["ok"]) == (expected, ok)
