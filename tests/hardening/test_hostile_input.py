"""Hostile files and pastes: through the window's Open and Paste, and fuzzed through the whole path
from a document or an answer to the results pane, the diagnostic summary, a saved file and the
history.

What may happen to hostile input: it is refused with one plain sentence, or it is shown as an
answer smsgui does not recognise. What must not happen: an exception, a file read whole past the
size cap, a window left busy for seconds.
"""

from __future__ import annotations

import codecs
import json
import random
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hardening_tools import RecordingPrompter, open_window
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from test_main_window import column_texts

from smsgui.core.api.client import Credentials, Endpoint, OutgoingSms, SmsApiClient
from smsgui.core.api.documents import (
    BATCH_FORMAT_NAME,
    FORMAT_NAME,
    MAX_DOCUMENT_BYTES,
    DocumentError,
    RequestRecord,
    ResponseDocument,
    documents_to_json,
    parse_documents,
    save_documents,
)
from smsgui.core.delivery.exchange import Exchange, exchange_from_document
from smsgui.core.delivery.receiver import ReceiptReceiver
from smsgui.core.records.history import History
from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.core.report.summary import SummaryOptions, build_batch_summary
from smsgui.sandbox.config import SandboxConfig
from smsgui.sandbox.server import SandboxServer
from smsgui.ui.main_window import MainWindow
from smsgui.ui.results import ResultsPane
from smsgui.ui.services import Services

KNOWLEDGE = default_knowledge_base()
RECIPIENT = "447700900000"
SUMMARY_OPTIONS = (SummaryOptions(), SummaryOptions(markdown=True, mask_numbers=False),
                   SummaryOptions(include_text=True))
REFUSED_29 = ('{"message-count":"1","messages":[{"to":"447700900000","status":"29",'
              '"error-text":"Non White-listed Destination - rejected \u00e0 caf\u00e9"}]}')
STATUS_29 = "29 Non-Whitelisted Destination"


# -- the window ------------------------------------------------------------------------------------


@pytest.fixture
def prompter(tmp_path: Path) -> RecordingPrompter:
    return RecordingPrompter(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompter: RecordingPrompter) -> MainWindow:
    return open_window(qtbot, services, prompter, [], {})


def one_line_refusal(prompter: RecordingPrompter, headline: str) -> str:
    """The one error shown: its headline, and a cause that is one plain sentence."""
    assert [shown.headline for shown in prompter.shown] == [headline]
    cause = prompter.shown[0].cause
    assert cause and "\n" not in cause and len(cause) < 200, cause
    assert "Traceback" not in cause and "Error:" not in cause
    return cause


def test_a_file_over_the_cap_is_refused_without_being_read(
    window: MainWindow, prompter: RecordingPrompter, tmp_path: Path
) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # 3 GiB, sparse: nothing is written to the disk
        handle.truncate(3 * 1024**3)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        window.open_path(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 0.5
    assert peak < 512 * 1024, f"opening took {peak / 1e6:.1f} MB"
    cause = one_line_refusal(prompter, "Cannot open huge.json.")
    assert cause == "huge.json is 3072.0 MB; smsgui opens files up to 5 MB."
    assert window.results.table.rowCount() == 0


def test_an_endless_file_is_read_only_up_to_the_cap(
    window: MainWindow, prompter: RecordingPrompter, tmp_path: Path
) -> None:
    path = tmp_path / "endless.json"
    path.symlink_to("/dev/zero")  # reports size 0, then never ends
    tracemalloc.start()
    try:
        window.open_path(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_DOCUMENT_BYTES
    assert one_line_refusal(prompter, "Cannot open endless.json.") == (
        "The input is larger than 5 MB; smsgui does not open it.")


def _junk(size: int) -> bytes:
    return random.Random(7).randbytes(size)


@dataclass(frozen=True)
class Content:
    raw: bytes
    status: str | None = None
    """The Status column expected, or None for "shown as something smsgui does not know"."""
    refused: str | None = None
    """The one-line reason expected instead of results."""


FILES = {
    "binary junk": Content(_junk(64 * 1024)),
    "binary junk that starts with a zero byte": Content(b"\x00" + _junk(4095)),
    "Windows-1252 text": Content(REFUSED_29.encode("cp1252"), status=STATUS_29),
    "Latin-1 text": Content(REFUSED_29.encode("latin-1"), status=STATUS_29),
    "UTF-16 with a byte-order mark": Content(REFUSED_29.encode("utf-16"), status=STATUS_29),
    "UTF-16 LE without a mark": Content(REFUSED_29.encode("utf-16-le"), status=STATUS_29),
    "UTF-16 BE without a mark": Content(REFUSED_29.encode("utf-16-be"), status=STATUS_29),
    "UTF-32 with a byte-order mark": Content(REFUSED_29.encode("utf-32"), status=STATUS_29),
    "UTF-8 with a byte-order mark": Content(codecs.BOM_UTF8 + REFUSED_29.encode(),
                                            status=STATUS_29),
    "deeply nested JSON arrays": Content(b"[" * 200_000 + b"]" * 200_000),
    "deeply nested JSON objects": Content(b'{"messages":' * 100_000 + b"1" + b"}" * 100_000),
    "an smsgui document whose version is text": Content(
        json.dumps({"format": FORMAT_NAME, "version": "1", "body": REFUSED_29}).encode(),
        refused="This smsgui document has no valid version number."),
    "an smsgui document from the future": Content(
        json.dumps({"format": FORMAT_NAME, "version": 99, "body": "{}"}).encode(),
        refused="This document was saved by a newer smsgui (format 99); update smsgui to "
                "open it."),
    "a batch whose documents are not documents": Content(
        json.dumps({"format": BATCH_FORMAT_NAME, "version": 1,
                    "documents": [1, "x", None, [{}]]}).encode(),
        refused="This smsgui file lists no responses."),
    "an smsgui document with every field of the wrong type": Content(json.dumps({
        "format": FORMAT_NAME, "version": 1, "body": REFUSED_29, "http_status": "200",
        "elapsed_ms": [1], "request": [], "receipts": {"status": "delivered"},
        "failure": "yes", "sandbox": "no", "saved_at": 5, "app_version": {}}).encode(),
        status=STATUS_29),
}


def check_shown(window: MainWindow, prompter: RecordingPrompter, content: Content,
                headline: str) -> None:
    if content.refused is not None:
        assert one_line_refusal(prompter, headline) == content.refused
        assert window.results.table.rowCount() == 0
        return
    assert prompter.shown == []
    statuses = column_texts(window, "Status")
    assert statuses, "the input was neither shown nor refused"
    if content.status is not None:
        assert statuses == [content.status]
    else:
        assert window.troubleshooting.highlighted_id() in KNOWLEDGE
    for text in (window.results.verdict.text(), *column_texts(window, "Error text")):
        assert text and "\n" not in text and len(text) < 600


@pytest.mark.parametrize("name", list(FILES))
def test_a_hostile_file_opens_or_is_refused_in_one_sentence(
    qtbot: QtBot, window: MainWindow, prompter: RecordingPrompter, tmp_path: Path, name: str
) -> None:
    content = FILES[name]
    path = tmp_path / "hostile.json"
    path.write_bytes(content.raw)
    window.open_path(path)
    qtbot.waitUntil(lambda: not window.is_opening)  # a big one is read on a worker
    check_shown(window, prompter, content, "Cannot open hostile.json.")


PASTES = {
    "twenty megabytes": Content(b"", refused="The input is larger than 5 MB; smsgui does not "
                                             "open it."),
    "control characters and NULs": Content("\x00\x01\x1b[31m\x7f\u2028\u202e".encode() * 50),
    "nested JSON": Content(b"[" * 200_000),
    "a receipt in the wrong field order": Content(
        b"err-code=6&status=failed&messageId=X1&to=AcmeInc&msisdn=447700900123",
        status="Anti-Spam Rejection"),
    "an answer with a text version number": FILES[
        "an smsgui document whose version is text"],
}


@pytest.mark.parametrize("name", list(PASTES))
def test_a_hostile_paste_is_shown_or_refused_in_one_sentence(
    window: MainWindow, prompter: RecordingPrompter, name: str
) -> None:
    content = PASTES[name]
    text = "{" * (20 * 1024 * 1024) if name == "twenty megabytes" else content.raw.decode()
    QGuiApplication.clipboard().setText(text)
    started = time.perf_counter()
    window.paste_response()
    assert time.perf_counter() - started < 1.0, "the window was kept busy by the paste"
    check_shown(window, prompter, content, "The clipboard text cannot be read.")


HOSTILE_RECEIPTS = (
    ("json", '{"messageId": "HOSTILE-1", "status": "delivered", "msisdn": "\\ud800"}'),
    ("json", '{"messageId": "HOSTILE-1", "status": {"deep": [[[]]]}, "err-code": [],'
             ' "msisdn": null, "price": true}'),
    ("json", '{"messageId": "HOSTILE-1", "status": "failed", "err-code": "99999999999999999999",'
             ' "price": "1e999999", "scts": "9999999999", "network-code": "\\u0000"}'),
    ("form", "messageId=HOSTILE-1&status=%FF%FE&err-code=-1&msisdn=%00%00"),
    ("query", "messageId=HOSTILE-1&status=expired&message-timestamp=2026-13-45+25%3A61%3A61"),
    ("json", '{"messageId": "' + "A" * 8000 + '", "status": "delivered"}'),
    ("json", '{"messageId": "OTHER", "status": "' + "\\u202e" * 50 + '"}'),
)


def test_hostile_receipts_reaching_the_receiver_are_shown_or_dropped(
    qtbot: QtBot, window: MainWindow, prompter: RecordingPrompter
) -> None:
    QGuiApplication.clipboard().setText(
        '{"message-count":"1","messages":[{"to":"447700900000","message-id":"HOSTILE-1",'
        '"status":"0","remaining-balance":"9.9","message-price":"0.03","network":"23410"}]}')
    window.paste_response()
    callback = window.start_receiver()
    assert callback is not None
    with httpx.Client(trust_env=False, timeout=5.0) as http:
        for kind, payload in HOSTILE_RECEIPTS:
            if kind == "json":
                answer = http.post(callback, content=payload.encode(),
                                   headers={"Content-Type": "application/json"})
            elif kind == "form":
                answer = http.post(callback, content=payload.encode(),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
            else:
                answer = http.get(f"{callback}?{payload}")
            assert answer.status_code in (200, 400), (payload, answer.text)
    qtbot.waitUntil(lambda: window.receipts.received.count() == len(window.receipt_book),
                    timeout=5_000)
    qtbot.wait(50)  # let every receipt the receiver passed on reach the window
    assert len(window.receipt_book) >= 3
    assert prompter.shown == []
    assert len(column_texts(window, "Status")) == 1  # still the one pasted part
    assert window.troubleshooting.highlighted_id() in KNOWLEDGE
    for row in range(window.receipts.received.count()):
        assert len(window.receipts.received.item(row).text()) < 10_000


# -- fuzzing the whole path: document -> exchange -> results -> summary -> saved file -> history ---


@pytest.fixture(scope="module")
def real_send() -> Iterator[tuple[str, RequestRecord, dict[str, str]]]:
    """A two-part send answer and its delivery receipt, as the sandbox really sends them."""
    receipts: list[dict[str, str]] = []
    arrived = threading.Event()

    def keep(fields: dict[str, str]) -> None:
        receipts.append(fields)
        arrived.set()

    config = SandboxConfig(dlr_delay=0.05)
    with ReceiptReceiver(keep) as receiver, SandboxServer(config) as sandbox, \
            httpx.Client(trust_env=False, timeout=5.0) as http:
        client = SmsApiClient(http, Credentials(config.api_key, config.api_secret),
                              Endpoint(sandbox.url, sandbox.url))
        outcome = client.send(OutgoingSms(to=RECIPIENT, sender="AcmeInc", text="x" * 200,
                                          client_ref="fuzz-ref", callback=receiver.callback_url))
        assert outcome.ok and outcome.body and outcome.request is not None
        assert arrived.wait(5.0)
    yield outcome.body, outcome.request, receipts[0]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    with History(tmp_path_factory.mktemp("fuzz") / "history.sqlite3") as opened:
        yield opened


@pytest.fixture
def pane(qtbot: QtBot) -> ResultsPane:
    widget = ResultsPane()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def through_everything(documents: list[ResponseDocument], pane: ResultsPane,
                       history: History) -> list[Exchange]:
    """What the app does with opened or pasted documents, and with what a send produced."""
    exchanges = [exchange_from_document(document, KNOWLEDGE) for document in documents]
    for exchange in exchanges:
        assert exchange.entry.id in KNOWLEDGE and exchange.headline
    pane.show_exchanges(exchanges)
    assert pane.verdict.text() and pane.table.rowCount() >= len(exchanges)
    assert pane.selected_entry_id() in KNOWLEDGE
    for options in SUMMARY_OPTIONS:
        assert build_batch_summary(exchanges, options)
    reloaded = parse_documents(documents_to_json([e.document for e in exchanges]))
    assert [d.body for d in reloaded] == [e.document.body for e in exchanges]
    again = [exchange_from_document(document, KNOWLEDGE) for document in reloaded]
    assert [(e.entry.id, e.ok) for e in again] == [(e.entry.id, e.ok) for e in exchanges]
    row = history.record(exchanges, "Fuzz")
    from_history = [exchange_from_document(d, KNOWLEDGE) for d in history.load(row)]
    assert [(e.entry.id, e.ok) for e in from_history] == [(e.entry.id, e.ok) for e in exchanges]
    return exchanges


# Text includes lone surrogates: JSON escapes such as "\ud800" carry half of a UTF-16 pair.
TEXT = st.text(max_size=12) | st.text(st.characters(codec=None, categories=["Cs", "Lu", "Nd"]),
                                      max_size=4)
JSON_ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
ENTRY_IDS = st.sampled_from(sorted(entry.id for entry in KNOWLEDGE.entries))
BODIES = st.one_of(
    st.text(max_size=40),
    st.just(REFUSED_29),
    JSON_ANY.map(json.dumps),
    st.builds(lambda messages: json.dumps({"message-count": "1", "messages": messages}),
              st.lists(st.dictionaries(st.sampled_from(
                  ["to", "status", "message-id", "error-text", "network", "message-price",
                   "remaining-balance", "client-ref"]), JSON_ANY, max_size=8), max_size=3)),
)
RECEIPT_FIELDS = st.dictionaries(
    st.sampled_from(["msisdn", "to", "messageId", "status", "err-code", "price", "scts",
                     "network-code", "message-timestamp", "client-ref", "source"]) | st.text(
                         max_size=6),
    JSON_ANY, max_size=8)
DOCUMENT = st.fixed_dictionaries(
    {"format": st.just(FORMAT_NAME), "version": st.just(1) | JSON_ANY, "body": BODIES | JSON_ANY},
    optional={
        "http_status": st.integers(-1, 999) | JSON_ANY,
        "elapsed_ms": st.floats() | JSON_ANY,
        "request": JSON_ANY | st.fixed_dictionaries({}, optional={
            "method": JSON_ANY, "url": st.text(max_size=30) | JSON_ANY,
            "auth_method": st.sampled_from(["basic", "body", "signature"]) | JSON_ANY,
            "fields": JSON_ANY | st.lists(st.lists(JSON_ANY, max_size=3), max_size=4)}),
        "receipts": JSON_ANY | st.lists(RECEIPT_FIELDS | JSON_ANY, max_size=3),
        "failure": JSON_ANY | st.fixed_dictionaries({}, optional={
            "entry": ENTRY_IDS | JSON_ANY, "headline": st.text(max_size=20) | JSON_ANY,
            "may_have_been_sent": JSON_ANY}),
        "sandbox": JSON_ANY, "saved_at": st.text(max_size=30) | JSON_ANY,
        "app_version": JSON_ANY,
    },
)
FILE = st.one_of(
    DOCUMENT,
    st.fixed_dictionaries({"format": st.just(BATCH_FORMAT_NAME), "version": JSON_ANY,
                           "documents": st.lists(DOCUMENT | JSON_ANY, max_size=3) | JSON_ANY}),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(FILE)
def test_no_document_with_wrong_types_breaks_anything(pane: ResultsPane, history: History,
                                                      data: dict[str, object]) -> None:
    try:
        documents = parse_documents(json.dumps(data))
    except DocumentError as error:
        assert str(error) and "\n" not in str(error)
        return
    through_everything(documents, pane, history)


# -- mutations of what the sandbox really answers --------------------------------------------------

Pairs = list[tuple[str, object]]


@dataclass(frozen=True)
class Obj:
    pairs: Pairs


def _to_obj(value: object) -> object:
    if isinstance(value, dict):
        return Obj([(key, _to_obj(item)) for key, item in value.items()])
    if isinstance(value, list):
        return [_to_obj(item) for item in value]
    return value


def _dumps(value: object) -> str:
    if isinstance(value, Obj):
        return "{" + ",".join(f"{json.dumps(k)}:{_dumps(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps(item) for item in value) + "]"
    return json.dumps(value)


ACTIONS = ("keep", "keep", "keep", "keep", "delete", "duplicate", "retype", "flip", "recurse")


def _mutate(value: object, data: st.DataObject) -> object:
    if isinstance(value, Obj):
        pairs: Pairs = []
        for key, item in value.pairs:
            action = data.draw(st.sampled_from(ACTIONS))
            if action == "delete":
                continue
            pairs.append((key, _mutate_value(item, action, data)))
            if action == "duplicate":
                pairs.append((key, data.draw(JSON_ANY)))
        return Obj(pairs)
    if isinstance(value, list):
        items: list[object] = []
        for item in value:
            action = data.draw(st.sampled_from(ACTIONS))
            if action == "delete":
                continue
            items.append(_mutate_value(item, action, data))
            if action == "duplicate":
                items.append(item)
        return items
    return value


def _mutate_value(value: object, action: str, data: st.DataObject) -> object:
    if action == "retype":
        return data.draw(JSON_ANY)
    if action == "flip":
        return data.draw(st.sampled_from(
            ["", "0", "1", "-1", "29", "999999999999999999999", "1e400", "NaN", " 0 ", "\uff10",
             "delivered", "\ud800", "\x00", None, 0, 3.5, True, [], {}]))
    if action == "recurse":
        return _mutate(value, data)
    return value


@settings(max_examples=250, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_no_mutation_of_a_real_answer_breaks_anything(
    pane: ResultsPane, history: History, real_send: tuple[str, RequestRecord, dict[str, str]],
    data: st.DataObject,
) -> None:
    body, request, receipt = real_send
    mutated = _dumps(_mutate(_to_obj(json.loads(body)), data))
    cut = data.draw(st.sampled_from(["whole", "whole", "whole", "cut", "extra"]))
    if cut == "cut":
        mutated = mutated[: data.draw(st.integers(0, len(mutated)))]
    elif cut == "extra":
        mutated += data.draw(st.sampled_from(["}", "]", ",", "\x00", " trailing", "{}"]))
    receipt_fields = dict(receipt)
    for key in data.draw(st.lists(st.sampled_from(sorted(receipt)), max_size=4, unique=True)):
        action = data.draw(st.sampled_from(["delete", "retype", "flip"]))
        if action == "delete":
            del receipt_fields[key]
        else:
            receipt_fields[key] = str(_mutate_value(receipt_fields[key], action, data))
    documents = [ResponseDocument(body=mutated, http_status=200, elapsed_ms=12.0,
                                  request=request, sandbox=True, receipts=(receipt_fields,)),
                 ResponseDocument(body=mutated, is_bare_body=True)]
    exchanges = through_everything(documents, pane, history)
    masked = build_batch_summary(exchanges, SummaryOptions(mask_numbers=True))
    assert RECIPIENT not in masked, "a masked summary shows the recipient's number"


def test_the_real_answer_itself_goes_through(
    pane: ResultsPane, history: History, real_send: tuple[str, RequestRecord, dict[str, str]]
) -> None:
    """The unmutated answer, as a control: two accepted parts and a delivered receipt."""
    body, request, receipt = real_send
    (exchange, _) = through_everything(
        [ResponseDocument(body=body, http_status=200, request=request, receipts=(receipt,)),
         ResponseDocument(body=body)], pane, history)
    assert exchange.ok and exchange.send_response is not None
    assert len(exchange.send_response.parts) == 2 and len(exchange.receipts) == 1


def test_a_lone_surrogate_in_an_opened_answer_can_be_saved_again(
    window: MainWindow, prompter: RecordingPrompter, tmp_path: Path
) -> None:
    """JSON escapes can carry half of a UTF-16 pair; saving must neither fail nor lose it."""
    opened = tmp_path / "odd.json"
    opened.write_text(json.dumps({"format": FORMAT_NAME, "version": 1,
                                  "body": '{"messages":[{"status":"29","error-text":"\\ud800"}]}',
                                  "receipts": [{"messageId": "X", "status": "\ud83d"}]}),
                      encoding="ascii")
    window.open_path(opened)
    assert column_texts(window, "Status") == [STATUS_29]
    window.save_action.trigger()
    assert prompter.shown == []
    assert [d.receipts for d in parse_documents(prompter.path.read_bytes())] == [
        ({"messageId": "X", "status": "\ud83d"},)]
    save_documents([ResponseDocument(body="\udfff")], tmp_path / "again.json")
