"""``smsgui decode`` and ``smsgui check`` as a person runs them."""

from __future__ import annotations

import codecs
import io
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from faultserver import FaultServer, Reply
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smsgui import __version__
from smsgui.cli import main
from smsgui.core.api.client import Credentials, Endpoint, OutgoingSms, SmsApiClient
from smsgui.core.api.documents import (
    RequestRecord,
    ResponseDocument,
    save_document,
    save_documents,
)
from smsgui.core.reference.knowledge import default_knowledge_base

SUCCESS = ('{"message-count":"1","messages":[{"to":"447700900000","message-id":"0C000000217B7F02",'
           '"status":"0","remaining-balance":"15.53590000","message-price":"0.03330000",'
           '"network":"23410"}]}')
FAILED = '{"message-count":"1","messages":[{"status":"29","error-text":"Non White-listed ' \
         'Destination - rejected","to":"447700900123"}]}'
RECEIPT_FAILED = ('{"msisdn":"447700900123","to":"Acme","messageId":"X1","status":"rejected",'
                  '"err-code":"6","network-code":"23410"}')
RECEIPT_BUFFERED = ('{"msisdn":"447700900123","to":"Acme","messageId":"X1","status":"buffered",'
                    '"err-code":"0"}')


def run(argv: list[str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch | None = None,
        stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, content: str, name: str = "body.json") -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


class TestDecode:
    def test_success_exits_zero_with_a_masked_summary(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(["decode", write(tmp_path, SUCCESS)], capsys)
        assert code == 0 and err == ""
        assert "Accepted" in out and "447******000" in out and "0C000000217B7F02" in out

    def test_failure_exits_one(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(["decode", write(tmp_path, FAILED)], capsys)
        assert code == 1
        assert "Non-Whitelisted Destination" in out

    def test_json_output_has_the_documented_fields(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = run(["decode", "--json", write(tmp_path, SUCCESS)], capsys)
        data = json.loads(out)
        assert code == 0 and data["ok"] is True
        assert data["parts"] == 1 and data["total_price"] == "0.03330000"
        assert data["currency"] == "EUR" and data["remaining_balance"] == "15.53590000"
        (message,) = data["messages"]
        assert message == message | {
            "status": 0, "title": "Success", "error_text": None,
            "message_id": "0C000000217B7F02", "to": "447700900000", "price": "0.03330000",
            "entry": "status-0",
        }
        assert message["network"]["operator"] == "O2 (UK)"
        assert message["network"]["country"] == "United Kingdom"
        assert message["network"]["code"] == "23410"

    def test_json_totals_what_accepted_parts_cost_and_only_that(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        _, out, _ = run(["decode", "--json", write(tmp_path, FAILED)], capsys)
        data = json.loads(out)
        assert (data["total_price"], data["unpriced_parts"]) == ("0", 0), "nothing charged"
        unpaid_and_accepted = (
            '{"message-count":"2","messages":[{"to":"447700900000","status":"9",'
            '"error-text":"Quota Exceeded - rejected","message-price":"0.0333",'
            '"remaining-balance":"0.0100","network":"23410"},{"to":"447700900000","status":"0",'
            '"message-id":"A1","message-price":"0.0333"}]}')
        _, out, _ = run(["decode", "--json", write(tmp_path, unpaid_and_accepted)], capsys)
        data = json.loads(out)
        assert (data["total_price"], data["unpriced_parts"]) == ("0.0333", 0)
        unpriced = ('{"message-count":"1","messages":[{"to":"447700900000","status":"0",'
                    '"message-id":"A1"}]}')
        _, out, _ = run(["decode", "--json", write(tmp_path, unpriced)], capsys)
        data = json.loads(out)
        assert (data["total_price"], data["unpriced_parts"]) == (None, 1)

    def test_markdown_output(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(["decode", "--markdown", write(tmp_path, FAILED)], capsys)
        assert code == 1 and out.startswith("## ")

    @pytest.mark.parametrize(("body", "expected"), [(RECEIPT_FAILED, 1), (RECEIPT_BUFFERED, 0)])
    def test_receipts(self, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str,
                      expected: int) -> None:
        code, out, _ = run(["decode", "--json", write(tmp_path, body)], capsys)
        receipt = json.loads(out)["receipt"]
        assert code == expected
        assert receipt["recipient"] == "447700900123" and receipt["sender"] == "Acme"
        assert receipt["message_id"] == "X1"
        assert set(receipt) >= {"status", "err_code", "title", "entry"}

    def test_a_saved_document(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "saved.json"
        save_document(ResponseDocument(
            body=SUCCESS, http_status=200, sandbox=True,
            request=RequestRecord("POST", "http://127.0.0.1:9/sms/json", "basic",
                                   (("from", "Acme"), ("to", "447700900000"), ("text", "Hi"))),
            receipts=({"messageId": "0C000000217B7F02", "status": "delivered", "err-code": "0",
                       "msisdn": "447700900000", "to": "Acme"},),
        ), path)
        code, out, _ = run(["decode", str(path)], capsys)
        assert code == 0
        assert "127.0.0.1 (sandbox)" in out and "Delivery receipt:" in out

    def test_standard_input(self, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
        code, out, _ = run(["decode", "-"], capsys, monkeypatch, stdin=SUCCESS)
        assert code == 0 and "Accepted" in out

    @pytest.mark.parametrize(
        ("content", "reason"),
        [("<html><title>502</title></html>", "web page"), ("", "empty"),
         ('{"messages": [', "broken"), ("hello", "plain text")],
    )
    def test_unreadable_input_exits_two_with_one_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, reason: str
    ) -> None:
        code, out, err = run(["decode", write(tmp_path, content)], capsys)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and reason in err

    def test_an_error_object_is_a_failure_not_unreadable(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        body = '{"type":"https://developer.nexmo.com/api-errors#unauthorized",' \
               '"title":"Unauthorized","detail":"You did not provide correct credentials."}'
        code, out, _ = run(["decode", write(tmp_path, body)], capsys)
        assert code == 1 and "Unauthorized" in out

    def test_missing_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(["decode", str(tmp_path / "nope.json")], capsys)
        assert code == 2 and "does not exist" in err and "Traceback" not in err


class TestCheck:
    def test_a_clean_message(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(["check", "--to", "+447400123456", "--from", "Acme", "--json",
                            "Hello there"], capsys)
        data = json.loads(out)
        assert code == 0
        assert data["text"] == {"encoding": "GSM-7", "characters": 11, "units": 11, "parts": 1,
                                "per_part": 160, "forcing_ucs2": []}
        (recipient,) = data["to"]
        assert recipient["e164"] == "447400123456" and recipient["region"] == "GB"
        assert recipient["valid"] is True and recipient["type"] == "mobile"
        assert data["from"] == "Acme"
        assert all(f["severity"] != "blocking" for f in data["findings"])

    def test_unicode_and_several_numbers(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(["check", "--to", "447400123456", "--to", "07400 123457",
                            "--region", "gb", "--from", "Acme", "--json", "Grüße 😀"], capsys)
        data = json.loads(out)
        assert code == 0
        assert data["text"]["encoding"] == "UCS-2" and data["text"]["forcing_ucs2"] == ["😀"]
        assert [r["e164"] for r in data["to"]] == ["447400123456", "447400123457"]

    def test_a_blocking_finding_exits_one(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(["check", "--to", "447400123456", "--from", "ThisSenderIsTooLong",
                            "Hi"], capsys)
        assert code == 1
        assert "[blocking]" in out and "check-from-alphanumeric-too-long" in out

    def test_the_messages_api_has_its_own_limits(
            self, capsys: pytest.CaptureFixture[str]) -> None:
        """1,001 characters pass for the SMS API (7 parts) but not for the Messages API."""
        argv = ["check", "--to", "447400123456", "--from", "Acme", "x" * 1001]
        assert run(argv, capsys)[0] == 0
        code, out, _ = run([*argv[:1], "--api", "messages", *argv[1:]], capsys)
        assert code == 1 and "check-messages-text-too-long" in out
        code, out, _ = run(["check", "--api", "messages", "--to", "447400123456", "--from",
                            "Acme", "--message-class", "1", "Hi"], capsys)
        assert code == 0 and "check-messages-sms-only-options" in out

    def test_text_from_standard_input(self, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
        code, out, _ = run(["check", "--to", "447400123456", "--from", "Acme", "--json", "-"],
                           capsys, monkeypatch, stdin="x" * 161 + "\n")
        assert code == 0 and json.loads(out)["text"]["parts"] == 2

    def test_bad_usage_exits_two(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exit_info:
            main(["check", "--type", "klingon", "Hi"])
        assert exit_info.value.code == 2
        code, _, err = run(["check", "--region", "XX", "Hi"], capsys)
        assert code == 2 and "country code" in err


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200), number=st.text(max_size=20), sender=st.text(max_size=20))
def test_check_never_raises(text: str, number: str, sender: str,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assume(text != "-")  # "-" means "read standard input", tested on its own above
    argv = ["check", "--json", f"--from={sender}", f"--to={number}", "--", text]
    code = main(argv)
    out, _ = capsys.readouterr()
    assert code in (0, 1)
    assert json.loads(out)["text"]["characters"] == len(text)


def test_the_installed_command_runs(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(SUCCESS, encoding="utf-8")
    version = subprocess.run([sys.executable, "-m", "smsgui", "--version"], capture_output=True,
                             text=True, check=True, cwd=tmp_path, timeout=60)
    assert version.stdout.strip() == f"smsgui {__version__}"
    decoded = subprocess.run([sys.executable, "-m", "smsgui", "decode", "--json", str(body)],
                             capture_output=True, text=True, cwd=tmp_path, timeout=60,
                             check=False)
    assert decoded.returncode == 0, decoded.stderr
    assert json.loads(decoded.stdout)["ok"] is True


def test_a_failed_receipt_in_a_document_fails_the_decode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "saved.json"
    save_document(ResponseDocument(body=SUCCESS, receipts=(
        {"messageId": "0C000000217B7F02", "status": "failed", "err-code": "6",
         "msisdn": "447700900000", "to": "Acme"},)), path)
    code, out, _ = run(["decode", "--json", str(path)], capsys)
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["entry"] == "receipt-error-6"


def test_json_for_a_receipt_still_has_the_send_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["decode", "--json", write(tmp_path, RECEIPT_BUFFERED)], capsys)
    data = json.loads(out)
    assert data["parts"] == 0 and data["messages"] == [] and data["currency"] == "EUR"


def test_output_the_console_cannot_show_is_replaced_not_a_traceback(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    result = subprocess.run(
        [sys.executable, "-m", "smsgui", "check", "--to", "447700900123", "--from", "Acme",
         "Grüße 😀"], capture_output=True, cwd=tmp_path, env=environment, timeout=60,
        check=False)
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr


def test_a_batch_file_summarises_every_recipient(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from smsgui.core.api.documents import save_documents

    path = tmp_path / "batch.json"
    save_documents([ResponseDocument(body=SUCCESS), ResponseDocument(body=FAILED)], path)
    code, out, _ = run(["decode", str(path)], capsys)
    assert code == 1 and "Recipient 1" in out and "Recipient 2" in out
    code, out, _ = run(["decode", "--json", str(path)], capsys)
    data = json.loads(out)
    assert data["kind"] == "batch" and not data["ok"] and len(data["documents"]) == 2


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    parts = [{"to": "447700900000", "message-id": f"id{n}", "status": "0",
              "message-price": "0.0333", "network": "23410"} for n in range(1000)]
    body = tmp_path / "big.json"
    body.write_text(json.dumps({"messages": parts}), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "smsgui", "decode", "--json", str(body)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()  # like `| head -c 10` or `| grep -q`
    errors = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 0
    assert b"Traceback" not in errors


def test_check_to_india_names_dlt_and_both_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--to", "919876543210", "--from", "Acme", "Your OTP is 1234"],
                       capsys)
    assert code == 0
    assert "DLT" in out and "Entity ID" in out and "Content Template ID" in out
    assert "Source: https://" in out and "(checked 2026-12-03)" in out


def test_check_to_brazil_says_the_sender_will_be_replaced(
    capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["check", "--to", "5511912345678", "--from", "Acme", "hi"], capsys)
    assert "Brazil: unregistered letter senders are replaced by a generic short code" in out


def test_check_json_carries_country_findings_with_their_ids_and_sources(
    capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["check", "--json", "--to", "919876543210", "--to", "919876543211",
                     "--to", "6591234567", "--from", "Acme", "hi"], capsys)
    findings = json.loads(out)["findings"]
    dlt = [finding for finding in findings if finding["entry"] == "check-country-dlt"]
    assert len(dlt) == 1, "a batch names each country once"
    assert dlt[0]["country"] == "IN" and dlt[0]["source"].startswith("https://")
    assert dlt[0]["checked_on"] == "2026-12-03"
    assert any(f["country"] == "SG" and "Likely-SCAM" in f["message"] for f in findings
               if "country" in f)


def test_check_with_the_ids_no_longer_asks_for_them(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["check", "--json", "--to", "919876543210", "--from", "Acme",
                     "--entity-id", "1101456324675322134", "--content-id", "12", "hi"], capsys)
    entries = [finding["entry"] for finding in json.loads(out)["findings"]]
    assert "check-country-dlt" not in entries and "check-dlt-id-shape" in entries


def test_check_binary_reads_the_hex_and_blocks_on_bad_hex(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", "--json", "--to", "447700900123", "--from", "Acme", "--type",
                        "binary", "--body", "00" * 300, "--udh", "0605040B8423F0", ""], capsys)
    data = json.loads(out)
    assert code == 0 and data["text"]["parts"] == 3 and data["text"]["encoding"] == "8-bit binary"
    code, out, _ = run(["check", "--to", "447700900123", "--from", "Acme", "--type", "binary",
                        "--body", "zz", "--udh", "00", ""], capsys)
    assert code == 1 and "not hex" in out


# -- a saved transport failure ------------------------------------------------------------------


def closed_port() -> int:
    """A loopback port nothing listens on: bound once, then released."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def failed_send(base_url: str, timeout: float = 5.0) -> ResponseDocument:
    """What the app saves after a send to ``base_url`` that got no answer."""
    with httpx.Client(trust_env=False, timeout=timeout) as http:
        client = SmsApiClient(http, Credentials("abcd1234", "secret-value"),
                              Endpoint(base_url, base_url))
        outcome = client.send(OutgoingSms("447700900000", "Acme", "Hi"))
    assert outcome.decoded is None and outcome.body is None, "the send was meant to fail"
    return outcome.to_document(sandbox=True)


@pytest.fixture(scope="module")
def refused() -> ResponseDocument:
    return failed_send(f"http://127.0.0.1:{closed_port()}")


@pytest.fixture(scope="module")
def cut_off() -> ResponseDocument:
    with FaultServer(Reply(close_without_answer=True)) as server:
        return failed_send(server.url)


SEND_KEYS = {"ok", "verdict", "headline", "parts", "accepted", "failed", "total_price",
             "currency", "remaining_balance", "throttle_wait_ms", "entry", "next_step",
             "messages"}


class TestSavedTransportFailure:
    def test_text_and_markdown_name_the_failure_its_entry_and_next_step(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], refused: ResponseDocument
    ) -> None:
        path = tmp_path / "refused.json"
        save_document(refused, path)
        entry = default_knowledge_base().get("transport-connection-refused")
        for style in ([], ["--markdown"]):
            code, out, err = run(["decode", *style, str(path)], capsys)
            flat = out.replace("\\", "")
            assert (code, err) == (1, ""), err
            assert "Could not connect to 127.0.0.1, so nothing was sent." in flat
            assert "[transport-connection-refused]" in flat
            assert entry.meaning in flat and entry.next_steps[0] in flat
            assert "empty" not in out.lower()

    def test_json_keeps_every_documented_key(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], refused: ResponseDocument
    ) -> None:
        path = tmp_path / "refused.json"
        save_document(refused, path)
        code, out, _ = run(["decode", "--json", str(path)], capsys)
        data = json.loads(out)
        assert code == 1 and data.keys() >= SEND_KEYS
        assert data["kind"] == "no-answer" and data["entry"] == "transport-connection-refused"
        assert data["headline"] == "Could not connect to 127.0.0.1, so nothing was sent."
        assert data["may_have_been_sent"] is False
        assert (data["parts"], data["messages"], data["total_price"]) == (0, [], None)

    def test_one_that_may_have_been_sent_says_so(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], cut_off: ResponseDocument
    ) -> None:
        path = tmp_path / "cut-off.json"
        save_document(cut_off, path)
        code, out, _ = run(["decode", str(path)], capsys)
        assert code == 1 and "may have been sent" in out
        assert "check delivery before sending again" in out
        code, out, _ = run(["decode", "--json", str(path)], capsys)
        data = json.loads(out)
        assert code == 1 and data["may_have_been_sent"] is True
        assert data["entry"] == "transport-connection-lost"

    def test_in_a_batch_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             refused: ResponseDocument, cut_off: ResponseDocument) -> None:
        path = tmp_path / "batch.json"
        save_documents([ResponseDocument(body=SUCCESS), refused, cut_off], path)
        code, out, _ = run(["decode", str(path)], capsys)
        assert code == 1 and "Recipient 3 of 3" in out and "empty" not in out.lower()
        assert "Could not connect to 127.0.0.1" in out and "may have been processed" in out
        code, out, _ = run(["decode", "--json", str(path)], capsys)
        documents = json.loads(out)["documents"]
        assert [d["kind"] for d in documents] == ["send", "no-answer", "no-answer"]
        assert all(document.keys() >= SEND_KEYS for document in documents)

    def test_a_failure_this_smsgui_has_no_entry_for_keeps_its_headline(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], cut_off: ResponseDocument
    ) -> None:
        path = tmp_path / "newer.json"
        save_document(cut_off, path)
        saved = json.loads(path.read_text(encoding="utf-8"))
        saved["failure"] |= {"entry": "transport-from-a-newer-smsgui",
                             "headline": "The proxy at 10.0.0.1 dropped the request."}
        path.write_text(json.dumps(saved), encoding="utf-8")
        code, out, err = run(["decode", str(path)], capsys)
        assert (code, err) == (1, "")
        assert "The proxy at 10.0.0.1 dropped the request." in out
        assert "[transport-reason-unknown]" in out and "may have been sent" in out
        assert "empty" not in out.lower()

    def test_a_document_without_an_answer_or_a_reason_is_a_failure_not_empty_input(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], refused: ResponseDocument
    ) -> None:
        path = tmp_path / "reasonless.json"
        save_document(replace(refused, failure=None), path)
        code, out, err = run(["decode", str(path)], capsys)
        assert (code, err) == (1, "")
        assert "got no answer" in out and "[transport-reason-unknown]" in out
        code, out, _ = run(["decode", "--json", str(path)], capsys)
        assert json.loads(out)["may_have_been_sent"] is True


# -- JSON nested too deeply -----------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    "[" * 2000 + "]" * 2000,
    '{"messages":' * 2000 + "[]" + "}" * 2000,
    '{"messages":[{"status":"0","x":' + "[" * 80 + "]" * 80 + "}]}",
    '{"format":"smsgui-response","version":1,"body":"","extra":' + "[" * 5000 + "]" * 5000
    + "}",
], ids=["arrays", "objects", "deep inside an answer", "deep inside a document"])
def test_deeply_nested_json_is_called_nested_not_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str
) -> None:
    code, out, err = run(["decode", write(tmp_path, body)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "nested more than 64 levels deep" in err and "Give it an SMS API answer" in err
    assert "broken" not in err and "Traceback" not in err


def test_a_number_longer_than_python_converts_is_not_broken_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = '{"messages":[{"status":"0","to":"447700900000","x":' + "9" * 5000 + "}]}"
    code, out, _ = run(["decode", write(tmp_path, body)], capsys)
    assert code == 0 and "Accepted" in out


# -- binary files and what reaches the terminal --------------------------------------------------


def png_image() -> bytes:
    """A real 1x1 PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
BINARY_FILES = {
    "a PNG image": (png_image(), "PNG image"),
    "random bytes with NULs": (random.Random(15).randbytes(2000) + b"\x00\x1b[2J", "binary"),
    "UTF-16 text without a byte-order mark": ("日本語のテキスト and more".encode("utf-16-le"),
                                              "binary"),
}


@pytest.mark.parametrize("name", list(BINARY_FILES))
def test_a_binary_file_is_called_binary_with_a_next_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    raw, words = BINARY_FILES[name]
    path = tmp_path / "file.bin"
    path.write_bytes(raw)
    code, out, err = run(["decode", str(path)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert words in err and "not an SMS API answer or a saved smsgui document" in err
    assert "Give it" in err and "plain text" not in err
    assert not CONTROL.search(err), repr(err)


def test_binary_standard_input_is_called_binary(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(png_image())))
    code, out, err = run(["decode", "-"], capsys)
    assert code == 2 and out == "" and "PNG image" in err and not CONTROL.search(err)


@pytest.mark.parametrize("raw", [
    codecs.BOM_UTF8 + SUCCESS.encode(), SUCCESS.encode("utf-16"),
    FAILED.replace("Destination", "Destinaci\u00f3n").encode("latin-1"),
], ids=["UTF-8 with a byte-order mark", "UTF-16 with a byte-order mark", "invalid UTF-8"])
def test_text_files_in_other_encodings_still_decode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: bytes
) -> None:
    path = tmp_path / "answer.json"
    path.write_bytes(raw)
    code, out, _ = run(["decode", str(path)], capsys)
    assert code in (0, 1) and "diagnostic summary" in out


def test_control_characters_in_an_answer_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "\x1b[2J\x1b]0;owned\x07\u009b31m\u202eevil"
    body = json.dumps({"messages": [{"status": "29", "to": "447700900000",
                                     "error-text": hostile, "message-id": hostile}]})
    for style in ([], ["--markdown"], ["--json"]):
        code, out, _ = run(["decode", *style, write(tmp_path, body)], capsys)
        assert code == 1 and not CONTROL.search(out), repr(out)
        if style == ["--json"]:
            assert json.loads(out)["messages"][0]["error_text"] == hostile
        else:
            assert "\\x1b" in out and "\\u202e" in out


def test_plain_text_with_control_characters_is_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["decode", write(tmp_path, "status ok \x1b[31m red")], capsys)
    assert code == 2 and "plain text" in err and not CONTROL.search(err)


# -- check: what it reads and what it asks for -------------------------------------------------


def run_with_stdin(argv: list[str], raw: bytes, capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    return run(argv, capsys)


def test_check_without_recipient_or_sender_is_not_ready(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", "hello"], capsys)
    assert code == 1 and "Ready to send" not in out
    assert "There is no recipient" in out and "There is no sender" in out
    code, out, _ = run(["check", "--json", "hello"], capsys)
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    entries = {finding["entry"] for finding in data["findings"]}
    assert {"check-to-missing", "check-from-missing"} <= entries


@pytest.mark.parametrize(("argv", "missing"), [
    (["check", "--to", "447700900123", "hello"], "check-from-missing"),
    (["check", "--from", "Acme", "hello"], "check-to-missing"),
])
def test_check_with_only_one_of_them_names_the_other(
    capsys: pytest.CaptureFixture[str], argv: list[str], missing: str
) -> None:
    code, out, _ = run(argv, capsys)
    assert code == 1 and f"({missing})" in out


@pytest.mark.parametrize("name", list(BINARY_FILES))
def test_check_refuses_binary_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    raw, _ = BINARY_FILES[name]
    code, out, err = run_with_stdin(["check", "--to", "447700900123", "--from", "Acme", "-"],
                                    raw, capsys, monkeypatch)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert f"standard input holds {'a PNG image' if 'PNG' in name else 'binary data'}, " \
           "not message text" in err and "--type binary with --body HEX" in err
    assert not CONTROL.search(err)


def test_check_refuses_standard_input_that_is_not_utf8(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_with_stdin(["check", "--to", "447700900123", "--from", "Acme", "-"],
                                    "Caf\u00e9 at noon".encode("latin-1"), capsys, monkeypatch)
    assert code == 2 and out == "" and "not UTF-8" in err and "save it as UTF-8" in err


def test_check_reads_standard_input_with_a_byte_order_mark_as_plain_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_with_stdin(
        ["check", "--json", "--to", "447700900123", "--from", "Acme", "-"],
        codecs.BOM_UTF8 + b"Hello there\n", capsys, monkeypatch)
    text = json.loads(out)["text"]
    assert code == 0 and text["encoding"] == "GSM-7" and text["characters"] == 11


def test_check_refuses_a_text_argument_that_is_not_utf8(
    capsys: pytest.CaptureFixture[str]
) -> None:
    text = b"Caf\xe9".decode("utf-8", "surrogateescape")  # how Python hands over such an argv
    code, out, err = run(["check", "--to", "447700900123", "--from", "Acme", text], capsys)
    assert code == 2 and out == "" and "not UTF-8" in err and "\udce9" not in err


def test_check_says_how_to_give_what_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["check", "hello"], capsys)
    assert out.splitlines()[-1] == ("Give the recipients with --to NUMBER and the sender with "
                                    "--from SENDER.")


def test_check_reads_standard_input_in_the_console_encoding_when_it_is_not_utf8(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    console = io.TextIOWrapper(io.BytesIO("Caf\u00e9 \u20ac5".encode("cp1252")), encoding="cp1252")
    monkeypatch.setattr(sys, "stdin", console)  # as a Windows console pipes it
    code, out, _ = run(["check", "--json", "--to", "447700900123", "--from", "Acme", "-"], capsys)
    assert code == 0 and json.loads(out)["text"]["characters"] == 7


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_no_text_inside_an_answer_reaches_the_terminal_raw(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    body = json.dumps({"messages": [{"status": "29", "to": text, "error-text": text,
                                     "message-id": text, "network": text}]})
    path = tmp_path_factory.mktemp("answer") / "answer.json"
    path.write_text(body, encoding="utf-8", errors="surrogatepass")
    for style in ([], ["--markdown"], ["--json"]):
        code = main(["decode", *style, str(path)])
        out, err = capsys.readouterr()
        assert code == 1 and not CONTROL.search(out + err), repr(out)
