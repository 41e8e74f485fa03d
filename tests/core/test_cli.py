"""``smsgui decode`` and ``smsgui check`` as a person runs them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smsgui import __version__
from smsgui.cli import main
from smsgui.core.api.documents import RequestRecord, ResponseDocument, save_document

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


def test_check_without_numbers_or_sender_checks_only_the_text(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", "Hello"], capsys)
    assert code == 0 and "Ready to send" in out


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
