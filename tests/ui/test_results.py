"""The results pane fed with real exchanges from a loopback sandbox, read as a user would."""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from faultserver import FaultServer, Reply
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from smsgui.core.api.client import AuthMethod, Credentials, Endpoint, OutgoingSms, SmsApiClient
from smsgui.core.api.documents import RequestRecord, ResponseDocument
from smsgui.core.api.signing import SignatureMethod
from smsgui.core.delivery.exchange import Exchange, exchange_from_document, exchange_from_outcome
from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.sandbox.config import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_SIGNATURE_SECRET,
    SandboxConfig,
)
from smsgui.sandbox.server import SandboxServer
from smsgui.ui.parts_table import (
    BALANCE,
    CLIENT_REF,
    DELIVERY,
    ERROR_TEXT,
    MESSAGE_ID,
    NETWORK,
    PART,
    PRICE,
    RECIPIENT,
    STATUS,
)
from smsgui.ui.results import MAY_HAVE_BEEN_SENT, ResultsPane
from smsgui.ui.troubleshooting import TroubleshootingPanel

O2_UK = "O2 (UK), United Kingdom (23410)"
TEST_NUMBER = "447700900000"
PARTIAL = (
    '{"message-count":"3","messages":['
    '{"to":"447700900000","message-id":"0A0000001","status":"0","remaining-balance":"9.9667",'
    '"message-price":"0.0333","network":"23410","client-ref":"order-7"},'
    '{"to":"447700900000","message-id":"0A0000002","status":"0","remaining-balance":"9.9334",'
    '"message-price":"0.0333","network":"23410","client-ref":"order-7"},'
    '{"to":"447700900000","status":"1","error-text":"Throughput Rate Exceeded - please wait '
    '[ 1000 ] and retry","network":"23410","client-ref":"order-7"}]}'
)
THROTTLED = "Throughput Rate Exceeded - please wait [ 1000 ] and retry"
RECORDED_REQUEST = RequestRecord("POST", "https://rest.nexmo.com/sms/json", "basic",
                                 (("from", "Acme"), ("to", TEST_NUMBER), ("text", "x" * 307)))


# -- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(SandboxConfig(dlr_delay=0.05)).start()
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5.0) as client:
        yield client


@pytest.fixture
def pane(qtbot: QtBot) -> ResultsPane:
    widget = ResultsPane()
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    return widget


def client_for(url: str, http: httpx.Client, auth: AuthMethod = AuthMethod.BASIC,
               secret: str = DEFAULT_API_SECRET) -> SmsApiClient:
    credentials = Credentials(DEFAULT_API_KEY, secret, DEFAULT_SIGNATURE_SECRET,
                              SignatureMethod.MD5_HASH, auth)
    return SmsApiClient(http, credentials, Endpoint(url, url))


def send(sandbox: SandboxServer, http: httpx.Client, to: str = TEST_NUMBER, text: str = "Hello",
         *, auth: AuthMethod = AuthMethod.BASIC, secret: str = DEFAULT_API_SECRET,
         client_ref: str | None = None) -> Exchange:
    client = client_for(sandbox.url, http, auth, secret)
    message = OutgoingSms(to, "Acme", text, client_ref=client_ref)
    return exchange_from_outcome(client.send(message), sandbox=True)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def cell(pane: ResultsPane, row: int, column: int) -> str:
    assert 0 <= row < pane.table.rowCount()
    return pane.table.text(row, column)


def column_texts(pane: ResultsPane, column: int) -> list[str]:
    return [cell(pane, row, column) for row in range(pane.table.rowCount())]


def show(qtbot: QtBot, pane: ResultsPane, exchanges: list[Exchange]) -> str:
    """Show exchanges and return the entry id the pane announced for its selected row."""
    with qtbot.waitSignal(pane.entry_selected, timeout=1000) as blocker:
        pane.show_exchanges(exchanges)
    return str(blocker.args[0])


def open_tab(qtbot: QtBot, pane: ResultsPane, view: QWidget) -> None:
    """Click the tab that holds ``view``, as a person would."""
    tab_bar = pane.tabs.tabBar()
    qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton,
                     pos=tab_bar.tabRect(pane.tabs.indexOf(view)).center())
    assert pane.tabs.currentWidget() is view


def many_parts(count: int, failed_at: int | None = None) -> Exchange:
    """An answer of ``count`` accepted parts, the one at ``failed_at`` (if any) throttled."""
    messages = [{"to": TEST_NUMBER, "message-id": f"BULK-{index:03d}", "status": "0",
                 "remaining-balance": "9.0", "message-price": "0.03", "network": "23410"}
                for index in range(count)]
    if failed_at is not None:
        messages[failed_at] = {"to": TEST_NUMBER, "status": "1", "error-text": THROTTLED}
    body = json.dumps({"message-count": str(count), "messages": messages})
    return exchange_from_document(ResponseDocument(body=body, http_status=200))


def every_text(widget: QWidget) -> str:
    """Everything the pane could show a person: labels, cells, tooltips, headers and raw text."""
    pane = widget if isinstance(widget, ResultsPane) else None
    texts: list[str] = []
    for child in widget.findChildren(QWidget):
        texts.extend([child.toolTip(), child.accessibleName()])
        if isinstance(child, (QLabel, QAbstractButton)):
            texts.append(child.text())
    if pane is not None:
        texts.append(pane.raw.toPlainText())
        table = pane.table
        for row in range(table.rowCount()):
            for column in range(table.columnCount()):
                texts.extend([table.text(row, column), table.tool_tip(row, column)])
        texts.extend(pane.tabs.tabText(i) for i in range(pane.tabs.count()))
    return "\n".join(texts)


# -- what the table shows -------------------------------------------------------------------------


def test_a_successful_send_shows_status_price_balance_and_network(
        qtbot: QtBot, pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client) -> None:
    entry_id = show(qtbot, pane, [send(sandbox, http, client_ref="order-7")])
    assert pane.table.rowCount() == 1
    assert cell(pane, 0, RECIPIENT) == TEST_NUMBER
    assert cell(pane, 0, PART) == "1/1"
    assert len(cell(pane, 0, MESSAGE_ID)) > 8
    assert cell(pane, 0, STATUS) == "0 Success"
    assert cell(pane, 0, ERROR_TEXT) == ""
    assert cell(pane, 0, PRICE) == "0.0333"
    assert cell(pane, 0, BALANCE) == "9.9667"
    assert cell(pane, 0, NETWORK) == O2_UK
    assert cell(pane, 0, CLIENT_REF) == "order-7"
    assert not pane.table.icon(0, STATUS).isNull()
    assert pane.verdict.text() == "Accepted - not yet delivered"
    assert pane.summary.text() == "1 of 1 part accepted · total 0.0333 EUR · balance 9.9667 EUR"
    assert not pane.warning_box.isVisible()
    assert pane.verdict.accessibleDescription() == pane.verdict.text()
    assert entry_id == "status-0" == pane.selected_entry_id()


def test_a_long_message_shows_one_row_per_part(
        qtbot: QtBot, pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client) -> None:
    show(qtbot, pane, [send(sandbox, http, text="x" * 307)])
    assert column_texts(pane, PART) == ["1/3", "2/3", "3/3"]
    assert column_texts(pane, STATUS) == ["0 Success"] * 3
    assert column_texts(pane, BALANCE) == ["9.9667", "9.9334", "9.9001"]
    assert len(set(column_texts(pane, MESSAGE_ID))) == 3
    assert pane.summary.text() == "3 of 3 parts accepted · total 0.0999 EUR · balance 9.9001 EUR"
    assert pane.verdict.text() == "Accepted - not yet delivered"
    assert pane.table.selectionModel().selectedRows()[0].row() == 0


def test_a_partial_failure_selects_the_failed_part(qtbot: QtBot, pane: ResultsPane) -> None:
    exchange = exchange_from_document(ResponseDocument(
        body=PARTIAL, http_status=200, elapsed_ms=42.0, request=RECORDED_REQUEST, sandbox=False))
    entry_id = show(qtbot, pane, [exchange])
    assert column_texts(pane, STATUS) == ["0 Success", "0 Success", "1 Throttled"]
    assert column_texts(pane, PRICE) == ["0.0333", "0.0333", ""]
    assert pane.summary.text().startswith(
        "2 of 3 parts accepted · 1 failed · total 0.0666 EUR · balance 9.9334 EUR")
    assert "wait 1000 ms" in pane.summary.text()
    assert pane.verdict.text() == "Partial failure"
    assert entry_id == "status-1"
    assert pane.table.selectionModel().selectedRows()[0].row() == 2


@pytest.mark.parametrize(("to", "secret", "status", "error_text", "entry_id"), [
    ("447700900001", DEFAULT_API_SECRET, "1 Throttled",
     "Throughput Rate Exceeded - please wait [ 1000 ] and retry", "status-1"),
    ("447700900029", DEFAULT_API_SECRET, "29 Non-Whitelisted Destination",
     "Non White-listed Destination - rejected", "status-29"),
    (TEST_NUMBER, "WrongSecret99", "4 Invalid Credentials", "Bad Credentials", "status-4"),
])
def test_a_refused_message_shows_its_status_and_error_text(
        qtbot: QtBot, pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client,
        to: str, secret: str, status: str, error_text: str, entry_id: str) -> None:
    shown_id = show(qtbot, pane, [send(sandbox, http, to=to, secret=secret)])
    assert pane.table.rowCount() == 1
    assert cell(pane, 0, STATUS) == status
    assert cell(pane, 0, ERROR_TEXT) == error_text
    assert cell(pane, 0, PRICE) == ""
    assert pane.verdict.text() == "Failed"
    assert pane.summary.text().startswith("0 of 1 part accepted · 1 failed")
    assert shown_id == entry_id


def test_an_unreachable_server_is_one_row_with_the_headline(
        qtbot: QtBot, pane: ResultsPane, http: httpx.Client) -> None:
    client = client_for(closed_port_url(), http)
    exchange = exchange_from_outcome(client.send(OutgoingSms(TEST_NUMBER, "Acme", "Hi")), None)
    entry_id = show(qtbot, pane, [exchange])
    assert pane.table.rowCount() == 1
    assert cell(pane, 0, RECIPIENT) == TEST_NUMBER
    assert cell(pane, 0, PART) == "-"
    assert cell(pane, 0, STATUS) == "Connection Refused"
    assert cell(pane, 0, ERROR_TEXT) == exchange.headline
    assert "nothing was sent" in pane.summary.text()
    assert pane.verdict.text() == "Failed"
    assert not pane.warning_box.isVisible()
    assert entry_id == "transport-connection-refused"
    assert "No response was received" in pane.raw.toPlainText()


def test_a_read_timeout_warns_that_the_message_may_have_gone_out(
        qtbot: QtBot, pane: ResultsPane) -> None:
    with FaultServer(Reply(delay_s=2.0, body="{}")) as server, \
            httpx.Client(trust_env=False, timeout=httpx.Timeout(2.0, read=0.2)) as slow:
        outcome = client_for(server.url, slow).send(OutgoingSms(TEST_NUMBER, "Acme", "Hi"))
    assert outcome.may_have_been_sent
    entry_id = show(qtbot, pane, [exchange_from_outcome(outcome, None)])
    assert pane.warning_box.isVisible()
    assert pane.warning.text() == MAY_HAVE_BEEN_SENT
    assert pane.verdict.text() == "Outcome unknown - it may have been sent"
    assert cell(pane, 0, STATUS) == "No Answer in Time"
    assert entry_id == "transport-read-timeout"


def test_several_recipients_and_clicking_another_row(
        qtbot: QtBot, pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client) -> None:
    exchanges = [send(sandbox, http), send(sandbox, http, to="447700900029")]
    assert show(qtbot, pane, exchanges) == "status-29"
    assert column_texts(pane, RECIPIENT) == [TEST_NUMBER, "447700900029"]
    assert pane.verdict.text() == "Partial failure"
    assert pane.summary.text() == (
        "1 of 2 parts accepted · 1 failed · total 0.0333 EUR · balance 9.9667 EUR")
    first = pane.table.visualRect(pane.table.cell(0, STATUS)).center()
    with qtbot.waitSignal(pane.entry_selected, timeout=1000) as blocker:
        qtbot.mouseClick(pane.table.viewport(), Qt.MouseButton.LeftButton, pos=first)
    assert blocker.args == ["status-0"]
    assert pane.selected_entry_id() == "status-0"


def test_receipts_show_delivery_and_decide_the_verdict(qtbot: QtBot, pane: ResultsPane) -> None:
    accepted = PARTIAL.replace('"status":"1"', '"status":"0","message-id":"0A0000003"')
    receipts = tuple({"messageId": f"0A000000{n}", "status": "delivered", "err-code": "0",
                      "msisdn": TEST_NUMBER, "to": "Acme"} for n in (1, 2))
    failed = {"messageId": "0A0000003", "status": "rejected", "err-code": "6",
              "msisdn": TEST_NUMBER, "to": "Acme"}
    document = ResponseDocument(body=accepted, request=RECORDED_REQUEST,
                                receipts=(*receipts, failed))
    entry_id = show(qtbot, pane, [exchange_from_document(document)])
    assert not pane.table.isColumnHidden(DELIVERY)
    assert column_texts(pane, DELIVERY) == [
        "delivered", "delivered", "rejected, err-code 6 (Anti-Spam Rejection)"]
    assert pane.verdict.text() == "Partial failure"
    assert "2 delivered · 1 not delivered" in pane.summary.text()
    assert entry_id == "receipt-error-6"


def test_the_raw_tab_shows_the_redacted_request_and_the_response(
        qtbot: QtBot, pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client) -> None:
    exchanges = [send(sandbox, http, auth=AuthMethod.BODY),
                 send(sandbox, http, auth=AuthMethod.SIGNATURE),
                 send(sandbox, http)]
    show(qtbot, pane, exchanges)
    open_tab(qtbot, pane, pane.raw)
    raw = pane.raw.document().toPlainText()
    assert f"POST {sandbox.url}/sms/json" in raw
    assert "(nothing is really sent)" in raw
    assert "  api_secret: [redacted]" in raw
    assert "  sig: [redacted]" in raw
    assert "Authentication: HTTP Basic" in raw
    assert f"  to: {TEST_NUMBER}" in raw
    assert "HTTP 200 · " in raw
    assert '\n  "message-count": "1",\n' in raw
    assert "Authorization:" not in raw
    assert "Basic " + "c2FuZGJveDE6" not in raw  # base64 of "sandbox1:"


def test_no_secret_appears_anywhere_in_the_pane(
        qtbot: QtBot, pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client) -> None:
    exchanges = [send(sandbox, http, auth=auth) for auth in AuthMethod]
    exchanges.append(send(sandbox, http, text="x" * 200, auth=AuthMethod.BODY))
    show(qtbot, pane, exchanges)
    shown = every_text(pane)
    assert TEST_NUMBER in shown
    for secret in (DEFAULT_API_SECRET, DEFAULT_SIGNATURE_SECRET):
        assert secret not in shown


def test_the_troubleshooting_panel_follows_the_selected_row(
        qtbot: QtBot, pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client) -> None:
    panel = TroubleshootingPanel(default_knowledge_base())
    qtbot.addWidget(panel)
    pane.entry_selected.connect(panel.highlight)
    show(qtbot, pane, [send(sandbox, http), send(sandbox, http, to="447700900001")])
    assert panel.highlighted_id() == "status-1"
    pane.table.selectRow(0)
    assert panel.highlighted_id() == "status-0"
    assert "Accepted is not delivered" in panel.details.toPlainText()


def test_a_pasted_receipt_is_one_row(qtbot: QtBot, pane: ResultsPane) -> None:
    receipt = ("messageId=0A0000001&msisdn=447700900000&to=Acme&network-code=23410"
               "&price=0.0333&status=delivered&err-code=0&client-ref=order-7")
    entry_id = show(qtbot, pane, [exchange_from_document(ResponseDocument(body=receipt))])
    assert pane.table.rowCount() == 1
    assert cell(pane, 0, PART) == "-"
    assert cell(pane, 0, MESSAGE_ID) == "0A0000001"
    assert cell(pane, 0, STATUS) == "Delivered"
    assert cell(pane, 0, NETWORK) == O2_UK
    assert pane.verdict.text() == "Delivered"
    assert entry_id == "receipt-error-0"
    assert "Request: not recorded" in pane.raw.toPlainText()


# -- behaviour of the pane itself -----------------------------------------------------------------


def test_ctrl_c_copies_the_current_cell(
        qtbot: QtBot, pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client) -> None:
    show(qtbot, pane, [send(sandbox, http)])
    pane.table.setCurrentIndex(pane.table.cell(0, NETWORK))
    pane.table.setFocus()
    qtbot.keyClick(pane.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == O2_UK


def test_hidden_tabs_show_the_latest_answer_when_opened(qtbot: QtBot, pane: ResultsPane) -> None:
    show(qtbot, pane, [exchange_from_document(ResponseDocument(body=PARTIAL))])
    show(qtbot, pane, [many_parts(100)])
    # Rendering a long answer leaves the tabs no one looks at unbuilt: that keeps it quick.
    assert pane.raw.document().isEmpty() and pane.timeline.document().isEmpty()
    open_tab(qtbot, pane, pane.timeline)
    timeline = pane.timeline.document().toPlainText()
    assert "Message BULK-000 to 447******000" in timeline
    assert "Message BULK-099 to 447******000" in timeline
    assert "0A0000001" not in timeline
    open_tab(qtbot, pane, pane.raw)
    raw = pane.raw.document().toPlainText()
    assert '\n  "message-count": "100",\n' in raw and '"message-id": "BULK-099"' in raw
    assert "order-7" not in raw


def test_an_open_tab_follows_each_new_answer_and_clear(qtbot: QtBot, pane: ResultsPane) -> None:
    open_tab(qtbot, pane, pane.raw)
    pane.show_exchanges([exchange_from_document(ResponseDocument(body=PARTIAL))])
    assert '"client-ref": "order-7"' in pane.raw.document().toPlainText()
    pane.show_exchanges([many_parts(3)])
    assert '"message-id": "BULK-002"' in pane.raw.document().toPlainText()
    pane.clear()
    assert pane.raw.document().isEmpty()
    open_tab(qtbot, pane, pane.timeline)
    assert pane.timeline.document().isEmpty()


def test_the_columns_fit_a_failed_part_far_down_a_long_answer(
        qtbot: QtBot, pane: ResultsPane) -> None:
    show(qtbot, pane, [many_parts(100, failed_at=0)])
    width_with_failure_on_top = pane.table.columnWidth(ERROR_TEXT)
    assert show(qtbot, pane, [many_parts(100, failed_at=80)]) == "status-1"
    assert pane.table.selectionModel().selectedRows()[0].row() == 80
    assert pane.table.columnWidth(ERROR_TEXT) == width_with_failure_on_top
    assert cell(pane, 80, ERROR_TEXT) == THROTTLED


def test_the_table_is_read_only_and_selects_rows(pane: ResultsPane) -> None:
    pane.show_exchanges([exchange_from_document(ResponseDocument(body=PARTIAL))])
    assert pane.table.editTriggers() == pane.table.EditTrigger.NoEditTriggers
    assert pane.table.selectionBehavior() == pane.table.SelectionBehavior.SelectRows
    assert pane.table.isColumnHidden(DELIVERY)


def test_clear_returns_to_the_empty_state(qtbot: QtBot, pane: ResultsPane) -> None:
    show(qtbot, pane, [exchange_from_document(ResponseDocument(body=PARTIAL))])
    pane.clear()
    assert pane.table.rowCount() == 0
    assert pane.verdict.text() == "No results yet"
    assert pane.raw.toPlainText() == ""
    assert pane.selected_entry_id() is None
    assert pane.exchanges() == ()


def test_progress_shows_while_recipients_remain(pane: ResultsPane) -> None:
    pane.show_progress(1, 3)
    assert pane.progress.isVisible()
    assert pane.progress.text() == "1 of 3 sent"
    pane.show_progress(3, 3)
    assert not pane.progress.isVisible()


def test_controls_have_accessible_names(pane: ResultsPane) -> None:
    names = {child.accessibleName() for child in pane.findChildren(QWidget)}
    assert {"Results table", "Result summary", "Verdict",
            "Raw request and response"} <= names


def test_the_timeline_tells_each_message_from_submission_to_verdict(
    qtbot: QtBot, pane: ResultsPane
) -> None:
    body = ('{"message-count":"1","messages":[{"to":"447700900123","message-id":"MSG-1",'
            '"status":"0","message-price":"0.0333","remaining-balance":"9.9","network":"23410"}]}')
    document = ResponseDocument(body=body, receipts=(
        {"messageId": "MSG-1", "status": "rejected", "err-code": "6", "msisdn": "447700900123",
         "to": "Acme", "scts": "2611271030"},))
    show(qtbot, pane, [exchange_from_document(document)])
    text = pane.timeline.toPlainText()
    assert "Message MSG-1 to 447******123" in text
    assert "447700900123" not in text
    assert "Not delivered" in text and "err-code 6" in text


# -- updating in place ----------------------------------------------------------------------------


def table_snapshot(pane: ResultsPane) -> list[list[str]]:
    table = pane.table
    return [[cell(pane, row, column) for column in range(table.columnCount())]
            for row in range(table.rowCount())]


def with_receipt(exchange: Exchange, status: str, err_code: str) -> Exchange:
    part = exchange.send_response.parts[0] if exchange.send_response else None
    assert part is not None and part.message_id
    receipt = {"msisdn": TEST_NUMBER, "to": "Acme", "messageId": part.message_id,
               "status": status, "err-code": err_code, "message-timestamp": "2026-12-03 09:00:05"}
    document = dataclasses.replace(exchange.document, receipts=(receipt,))
    return exchange_from_document(document)


def test_updating_some_exchanges_shows_what_showing_them_all_would(
    qtbot: QtBot, pane: ResultsPane
) -> None:
    exchanges = [many_parts(1), many_parts(3, failed_at=2), many_parts(1)]
    pane.show_exchanges(exchanges[:2])
    grown = [*exchanges[:2], exchanges[2]]
    pane.update_exchanges(grown, [2])  # one more answer at the end
    changed = [grown[0], grown[1], with_receipt(grown[2], "failed", "6")]
    pane.update_exchanges(changed, [2])  # a receipt for the last one
    incremental = (table_snapshot(pane), pane.verdict.text(), pane.summary.text(),
                   pane.selected_entry_id())

    fresh = ResultsPane()
    qtbot.addWidget(fresh)
    fresh.show_exchanges(changed)
    assert incremental == (table_snapshot(fresh), fresh.verdict.text(), fresh.summary.text(),
                           fresh.selected_entry_id())
    assert not pane.table.isColumnHidden(DELIVERY)


def test_an_update_that_changes_an_exchanges_parts_redraws_everything(
    qtbot: QtBot, pane: ResultsPane
) -> None:
    pane.show_exchanges([many_parts(1), many_parts(1)])
    pane.update_exchanges([many_parts(1), many_parts(4)], [1])
    assert pane.table.rowCount() == 5
    assert column_texts(pane, PART)[1:] == ["1/4", "2/4", "3/4", "4/4"]


def test_a_messages_api_refusal_is_counted_as_refused_not_as_unanswered(
        qtbot: QtBot, pane: ResultsPane, http: httpx.Client) -> None:
    from smsgui.core.api.messages import MessagesApiClient

    config = SandboxConfig(demo_mode=True, whitelist=(TEST_NUMBER,))
    with SandboxServer(config) as sandbox:
        client = MessagesApiClient(http, Credentials(DEFAULT_API_KEY, DEFAULT_API_SECRET),
                                   Endpoint(sandbox.url, sandbox.url))
        exchanges = [exchange_from_outcome(client.send(OutgoingSms(to, "Acme", "Hi")), True)
                     for to in (TEST_NUMBER, "447700900123")]
    assert show(qtbot, pane, exchanges) == "messages-1160"
    assert pane.verdict.text() == "Partial failure"
    assert pane.summary.text() == "1 of 1 part accepted · 1 request refused"
    assert "usable answer" not in every_text(pane)
