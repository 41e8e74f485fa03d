"""Saving and loading response documents."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsgui.core.api.documents import (
    FORMAT_VERSION,
    MAX_DOCUMENT_BYTES,
    DocumentError,
    RequestRecord,
    ResponseDocument,
    ThrottleRetry,
    load_document,
    load_documents,
    parse_document,
    parse_documents,
    save_document,
    save_documents,
)
from smsgui.core.privacy import REDACTED

BODY = ('{"message-count":"1","messages":[{"to":"447700900000","message-id":"0C000000217B7F02",'
        '"status":"0","remaining-balance":"15.53590000","message-price":"0.03330000",'
        '"network":"23410"}]}')
SECRET = "s3cr3t-Zebra-9941"


def sample_document() -> ResponseDocument:
    return ResponseDocument(
        body=BODY,
        http_status=200,
        elapsed_ms=123.5,
        request=RequestRecord(
            method="POST", url="https://rest.nexmo.com/sms/json", auth_method="signature",
            fields=(("from", "Acme"), ("to", "447700900000"), ("text", "Hello"),
                    ("api_key", "abcd1234"), ("api_secret", SECRET), ("sig", "deadbeef" * 4)),
        ),
        receipts=({"messageId": "0C000000217B7F02", "status": "delivered", "err-code": "0"},),
        sandbox=False,
    )


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "send.json"
    saved_at = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
    save_document(sample_document(), path, now=saved_at)
    loaded = load_document(path)
    assert loaded.body == BODY
    assert loaded.http_status == 200 and loaded.elapsed_ms == 123.5
    assert loaded.saved_at == saved_at
    assert loaded.sandbox is False
    assert loaded.receipts == sample_document().receipts
    assert loaded.request is not None
    assert loaded.request.field_value("to") == "447700900000"
    assert not loaded.is_bare_body


def test_secrets_never_reach_the_file(tmp_path: Path) -> None:
    path = tmp_path / "send.json"
    save_document(sample_document(), path)
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text and "deadbeef" not in text
    fields = dict(json.loads(text)["request"]["fields"])
    assert fields["api_secret"] == REDACTED and fields["sig"] == REDACTED
    assert json.loads(text)["version"] == FORMAT_VERSION


def test_a_loaded_file_with_a_secret_is_redacted_on_load() -> None:
    raw = json.dumps({"format": "smsgui-response", "version": 1, "body": BODY,
                      "request": {"method": "POST", "url": "https://x", "auth_method": "body",
                                  "fields": [["api_secret", SECRET]]}})
    document = parse_document(raw)
    assert document.request is not None
    assert document.request.field_value("api_secret") == REDACTED


def test_saving_replaces_atomically_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "send.json"
    path.write_text("old", encoding="utf-8")
    save_document(sample_document(), path)
    assert json.loads(path.read_text(encoding="utf-8"))["body"] == BODY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["send.json"]


def test_saving_into_a_missing_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="Cannot write"):
        save_document(sample_document(), tmp_path / "nope" / "send.json")


@pytest.mark.parametrize(
    "content",
    [
        BODY,
        '{"msisdn":"447700900000","to":"Acme","messageId":"1","status":"delivered"}',
        '{"type":"https://x","title":"Unauthorized","detail":"Bad"}',
        "not json at all",
    ],
)
def test_bare_bodies_are_kept_for_the_decoder(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bare.json"
    path.write_text(content, encoding="utf-8")
    document = load_document(path)
    assert document.body == content and document.is_bare_body


def test_non_utf8_files_open(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9".encode("latin-1"))
    assert "caf" in load_document(path).body


def test_oversized_files_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(DocumentError, match="MB"):
        load_document(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        load_document(tmp_path / "missing.json")
    with pytest.raises(DocumentError, match="folder"):
        load_document(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.json"
    path.write_text(BODY, encoding="utf-8")
    path.chmod(0)
    with pytest.raises(DocumentError, match="not allowed"):
        load_document(path)


def test_documents_from_a_newer_smsgui_are_refused_plainly() -> None:
    with pytest.raises(DocumentError, match="newer smsgui"):
        parse_document(json.dumps({"format": "smsgui-response", "version": 99, "body": "{}"}))


def test_a_document_without_body_is_refused() -> None:
    with pytest.raises(DocumentError, match="no response body"):
        parse_document(json.dumps({"format": "smsgui-response", "version": 1}))


DOCUMENT_FIELDS = st.fixed_dictionaries(
    {"format": st.just("smsgui-response")},
    optional={
        "version": st.one_of(st.integers(-2, 3), st.text(max_size=3), st.none()),
        "body": st.one_of(st.text(max_size=30), st.integers(), st.none()),
        "request": st.one_of(st.none(), st.text(max_size=5), st.dictionaries(
            st.sampled_from(["method", "url", "auth_method", "fields"]),
            st.one_of(st.text(max_size=5), st.lists(st.lists(st.text(max_size=3), max_size=3),
                                                   max_size=3)))),
        "receipts": st.one_of(st.none(), st.lists(st.one_of(st.integers(), st.dictionaries(
            st.text(max_size=4), st.one_of(st.text(max_size=4), st.none()))), max_size=3)),
        "http_status": st.one_of(st.integers(), st.booleans(), st.text(max_size=3)),
        "elapsed_ms": st.one_of(st.floats(), st.text(max_size=3)),
        "saved_at": st.one_of(st.text(max_size=25), st.integers()),
        "sandbox": st.one_of(st.booleans(), st.text(max_size=3)),
        "throttle_retry": st.one_of(st.none(), st.text(max_size=3), st.dictionaries(
            st.sampled_from(["waited_s", "asked_s", "first"]),
            st.one_of(st.floats(), st.text(max_size=3), st.booleans(), st.none(),
                      st.dictionaries(st.sampled_from(["entry", "headline", "http_status",
                                                       "body"]),
                                      st.one_of(st.text(max_size=3), st.integers(),
                                                st.none()))))),
    },
)


@settings(max_examples=300, deadline=None)
@given(DOCUMENT_FIELDS)
def test_no_document_shape_escapes_as_anything_but_document_error(data: dict[str, object]) -> None:
    try:
        document = parse_document(json.dumps(data))
    except DocumentError as error:
        assert str(error)
    else:
        assert isinstance(document.body, str)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_no_bytes_make_the_loader_raise(raw: bytes) -> None:
    try:
        parse_document(raw)
    except DocumentError as error:
        assert str(error)


def test_query_secrets_in_the_url_and_receipt_signatures_are_redacted(tmp_path: Path) -> None:
    path = tmp_path / "send.json"
    save_document(ResponseDocument(
        body=BODY,
        request=RequestRecord("GET", "https://rest.nexmo.com/account/get-balance?api_key=k&"
                              f"api_secret={SECRET}", "body"),
        receipts=({"messageId": "1", "status": "delivered", "sig": "abcdef0123456789"},),
    ), path)
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text and "abcdef0123456789" not in text
    assert "api_key=k" in text


def test_a_utf16_file_opens(tmp_path: Path) -> None:
    path = tmp_path / "powershell.json"
    path.write_bytes(BODY.encode("utf-16"))
    assert load_document(path).body == BODY


def test_endless_input_is_cut_off_not_read_whole() -> None:
    with pytest.raises(DocumentError, match="larger than"):
        load_document(Path("/dev/zero"))


def test_a_send_to_several_recipients_saves_as_one_batch_file(tmp_path: Path) -> None:
    first, second = sample_document(), ResponseDocument(body='{"messages":[{"status":"29"}]}')
    path = tmp_path / "batch.json"
    save_documents([first, second], path)
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "smsgui-responses"
    loaded = load_documents(path)
    assert [d.body for d in loaded] == [first.body, second.body]
    save_documents([first], path)
    assert [d.body for d in load_documents(path)] == [first.body]


def test_an_empty_batch_is_refused_plainly(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="nothing to save"):
        save_documents([], tmp_path / "x.json")
    with pytest.raises(DocumentError, match="no responses"):
        parse_documents('{"format": "smsgui-responses", "version": 1, "documents": []}')


THROTTLED = ('{"message-count":"1","messages":[{"to":"447700900000","status":"1",'
             '"error-text":"Throughput Rate Exceeded - please wait [ 702 ] and retry"}]}')
RETRY = ThrottleRetry(waited_s=1.2345, asked_s=0.702, first_entry_id="status-1",
                      first_headline="Failed: Throttled (status 1) on the only part.",
                      first_http_status=200, first_body=THROTTLED)


def test_a_retry_after_throttling_is_saved_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "retried.json"
    save_document(replace(sample_document(), throttle_retry=RETRY), path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["version"] == FORMAT_VERSION == 1
    assert saved["throttle_retry"]["first"]["body"] == THROTTLED
    loaded = load_document(path)
    assert loaded.throttle_retry == replace(RETRY, waited_s=1.234)
    assert loaded.body == BODY  # the answer shown is the second one


def test_a_batch_file_keeps_each_documents_retry(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    save_documents([sample_document(), replace(sample_document(), throttle_retry=RETRY)], path)
    first, second = load_documents(path)
    assert first.throttle_retry is None
    assert second.throttle_retry is not None and second.throttle_retry.asked_s == 0.702


def test_a_document_saved_before_retries_existed_still_loads() -> None:
    old = json.dumps({"format": "smsgui-response", "version": 1, "body": BODY,
                      "http_status": 200, "failure": None})
    assert parse_document(old).throttle_retry is None


@pytest.mark.parametrize("raw", [
    {"waited_s": -1, "asked_s": 1, "first": {"entry": "status-1", "headline": "x"}},
    {"waited_s": "1", "first": {"entry": "status-1", "headline": "x"}},
    {"waited_s": 1, "first": {"entry": 1, "headline": "x"}},
    {"waited_s": 1, "first": "throttled"},
    {"waited_s": float("inf"), "first": {"entry": "status-1", "headline": "x"}},
])
def test_an_unusable_retry_record_is_left_out_not_guessed(raw: dict[str, object]) -> None:
    text = json.dumps({"format": "smsgui-response", "version": 1, "body": BODY,
                       "throttle_retry": raw})
    assert parse_document(text).throttle_retry is None


def test_a_retry_record_without_a_named_wait_or_body_still_loads() -> None:
    text = json.dumps({"format": "smsgui-response", "version": 1, "body": BODY,
                       "throttle_retry": {"waited_s": 1, "asked_s": None,
                                          "first": {"entry": "http-429", "headline": "x"}}})
    assert parse_document(text).throttle_retry == ThrottleRetry(1.0, None, "http-429", "x")
