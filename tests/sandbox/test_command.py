"""``smsgui sandbox`` as a user runs it: a subprocess, one line on stdout, real HTTP, signals."""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from faultserver import FaultServer

from smsgui.core.api.signing import SignatureMethod, signed_params
from smsgui.sandbox import config

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
LISTENING = re.compile(r"Sandbox listening on (http://127\.0\.0\.1:([1-9]\d*))\n")
STARTUP_SECONDS = 20.0
EXIT_SECONDS = 5.0
CREDENTIALS: Mapping[str, str] = {"api_key": config.DEFAULT_API_KEY,
                                  "api_secret": config.DEFAULT_API_SECRET}
HELLO: Mapping[str, str] = {"from": "AcmeInc", "to": "447700900000", "text": "hello"}
THROTTLED = re.compile(r"Throughput Rate Exceeded - please wait \[ \d+ \] and retry")
CURL_EXAMPLE = ('curl -X "POST" "$URL/sms/json" -d "from=AcmeInc" '
                '-d "text=A text message sent using the Vonage SMS API" -d "to=447700900000" '
                '-d "api_key=sandbox1" -d "api_secret=SandboxSecret123"')
ENV = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
       "COLUMNS": "100", "PYTHONUNBUFFERED": ""}


def command(*options: str) -> list[str]:
    return [sys.executable, "-m", "smsgui", "sandbox", *options]


@dataclass
class Running:
    process: subprocess.Popen[str]
    url: str

    def stop(self, how: signal.Signals = signal.SIGTERM) -> tuple[int, str, str, float]:
        """Send ``how``; the exit code, the rest of stdout, stderr, and how long it took."""
        started = time.monotonic()
        self.process.send_signal(how)
        out, err = self.process.communicate(timeout=EXIT_SECONDS)
        return self.process.returncode, out, err, time.monotonic() - started


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first stdout line, without waiting for the process to end."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            pytest.fail(f"nothing on stdout within {timeout} s")
    return process.stdout.readline()


@contextlib.contextmanager
def sandbox_command(*options: str) -> Iterator[Running]:
    process = subprocess.Popen(command("--port", "0", *options), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=REPO, env=ENV)
    try:
        line = read_line(process, STARTUP_SECONDS)
        match = LISTENING.fullmatch(line)
        if match is None:
            process.kill()
            _, err = process.communicate(timeout=EXIT_SECONDS)
            pytest.fail(f"expected 'Sandbox listening on http://127.0.0.1:PORT', got {line!r}; "
                        f"stderr: {err}")
        assert process.poll() is None, "the line only came out as the process ended"
        yield Running(process, match.group(1))
    finally:
        if process.returncode is None:
            process.kill()
            process.communicate(timeout=EXIT_SECONDS)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5.0) as client:
        yield client


def send(http: httpx.Client, url: str, fields: Mapping[str, str],
         credentials: Mapping[str, str] = CREDENTIALS) -> dict[str, Any]:
    response = http.post(f"{url}/sms/json", data={**credentials, **fields})
    assert response.status_code == 200
    message = response.json()["messages"][0]
    assert isinstance(message, dict)
    return message


def assert_clean_exit(code: int, rest_of_stdout: str, stderr: str, took: float) -> None:
    assert code == 0, stderr
    assert rest_of_stdout == "", "more than one line on stdout"
    assert "Traceback" not in stderr, stderr
    assert took < EXIT_SECONDS


def readme_curl_fields() -> dict[str, str]:
    """The ``-d`` fields of the README's curl example."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r'curl -X "POST" "http://127\.0\.0\.1:\d+/sms/json"(.*?)```', text,
                      re.DOTALL)
    assert match, "the README has no curl example against the sandbox"
    pairs = re.findall(r'-d "([^"=]+)=([^"]*)"', match.group(1))
    return dict(pairs)


# -- the one line, the README example, signals -------------------------------------------------

def test_it_prints_one_line_and_serves_the_readme_curl_fields(http: httpx.Client) -> None:
    fields = readme_curl_fields()
    assert set(fields) == {"from", "text", "to", "api_key", "api_secret"}
    with sandbox_command() as sandbox:
        message = send(http, sandbox.url, fields, credentials={})
        assert message["status"] == "0" and message["to"] == fields["to"]
        assert_clean_exit(*sandbox.stop())


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_literal_curl_example_is_accepted() -> None:
    with sandbox_command() as sandbox:
        result = subprocess.run(["sh", "-c", CURL_EXAMPLE], capture_output=True, text=True,
                                env={**ENV, "URL": sandbox.url}, timeout=10, check=False)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["messages"][0]["status"] == "0"
        assert_clean_exit(*sandbox.stop())


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_ends_it_with_exit_0_and_no_traceback(http: httpx.Client,
                                                        how: signal.Signals) -> None:
    with sandbox_command() as sandbox:
        assert send(http, sandbox.url, HELLO)["status"] == "0"
        assert_clean_exit(*sandbox.stop(how))


def test_a_port_in_use_is_reported_in_one_line_with_exit_2() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = subprocess.run(command("--port", port), capture_output=True, text=True,
                                cwd=REPO, env=ENV, timeout=STARTUP_SECONDS, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert "cannot listen" in result.stderr and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert f"port {port} on 127.0.0.1 is already in use" in line
    assert "choose another --port, or --port 0 for any free one" in line


# -- --help --------------------------------------------------------------------------------------

DOCUMENTED_DEFAULTS: Mapping[str, str | None] = {
    "--host": "127.0.0.1",
    "--port": "0",
    "--api-key": config.DEFAULT_API_KEY,
    "--api-secret": config.DEFAULT_API_SECRET,
    "--signature-secret": config.DEFAULT_SIGNATURE_SECRET,
    "--signature-method": "md5hash",
    "--balance": "10.00",
    "--price": str(config.DEFAULT_PRICE),
    "--rate-limit": "30",
    "--dlr-delay": str(config.DEFAULT_DLR_DELAY),
    "--demo-mode": None,
    "--whitelist": None,
    "--dlr-url": None,
    "--latency": "0.0",
}


def help_entries(help_text: str) -> dict[str, str]:
    """Each option's description in ``--help`` (what follows its flags and metavar)."""
    options = help_text.split("options:", 1)[1]
    entries = {}
    for section in re.split(r"\n(?=  -)", options):
        first, _, rest = section.strip("\n").partition("\n")
        if not first.strip():
            continue
        invocation, *description = re.split(r"\s{2,}", first.strip(), maxsplit=1)
        flag = invocation.split()[0].rstrip(",")
        entries[flag] = " ".join([*description, *rest.split()])
    return entries


def test_help_documents_every_option_and_its_default() -> None:
    result = subprocess.run(command("--help"), capture_output=True, text=True, cwd=REPO,
                            env=ENV, timeout=STARTUP_SECONDS, check=True)
    entries = help_entries(result.stdout)
    undocumented = []
    for option, default in DOCUMENTED_DEFAULTS.items():
        description = entries.get(option, "")
        shows_default = default is None or re.search(
            rf"\bdefault\b[^)]*?{re.escape(default)}", description, re.IGNORECASE)
        if not description or not shows_default:
            undocumented.append(f"{option}: {description!r}")
    assert not undocumented, "options whose help or default is missing:\n" + "\n".join(
        undocumented)


# -- options take effect ----------------------------------------------------------------------

def statuses(http: httpx.Client, url: str, *sends: Mapping[str, str]) -> list[str]:
    return [send(http, url, fields)["status"] for fields in sends]


def test_balance_and_price_options_refuse_the_unpaid_send(http: httpx.Client) -> None:
    with sandbox_command("--balance", "0.05", "--price", "0.04") as sandbox:
        assert statuses(http, sandbox.url, HELLO, HELLO) == ["0", "9"]
        balance = http.get(f"{sandbox.url}/account/get-balance", params=CREDENTIALS).json()
        assert balance["value"] == pytest.approx(0.01)


def test_demo_mode_only_reaches_the_whitelist(http: httpx.Client) -> None:
    with sandbox_command("--demo-mode", "--whitelist", "447700900000") as sandbox:
        other = {**HELLO, "to": "447700900123"}
        assert statuses(http, sandbox.url, HELLO, other) == ["0", "29"]


def test_the_rate_limit_throttles_the_third_quick_request(http: httpx.Client) -> None:
    with sandbox_command("--rate-limit", "2") as sandbox:
        messages = [send(http, sandbox.url, HELLO) for _ in range(3)]
    assert [message["status"] for message in messages] == ["0", "0", "1"]
    assert THROTTLED.fullmatch(messages[2]["error-text"])


def test_the_latency_option_delays_every_answer(http: httpx.Client) -> None:
    with sandbox_command("--latency", "0.4") as sandbox:
        started = time.monotonic()
        assert send(http, sandbox.url, HELLO)["status"] == "0"
        assert time.monotonic() - started >= 0.4


@pytest.mark.parametrize("value", ["-1", "61", "nan", "inf", "soon"])
def test_an_impossible_latency_is_refused_before_listening(value: str) -> None:
    done = subprocess.run(command("--latency", value), capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert "is not a number of seconds from 0 to 60" in done.stderr


def test_credential_options_replace_the_defaults(http: httpx.Client) -> None:
    mine = {"api_key": "abcd1234", "api_secret": "MySecret4567"}
    with sandbox_command("--api-key", mine["api_key"], "--api-secret",
                         mine["api_secret"]) as sandbox:
        assert send(http, sandbox.url, HELLO, credentials=mine)["status"] == "0"
        assert send(http, sandbox.url, HELLO)["status"] == "4"


def test_signature_options_verify_a_signed_request(http: httpx.Client) -> None:
    secret = "CommandLineSignatureSecret"

    def signed(method: SignatureMethod) -> dict[str, str]:
        return signed_params({**HELLO, "api_key": config.DEFAULT_API_KEY}, secret, method,
                             int(time.time()))

    with sandbox_command("--signature-method", "sha256", "--signature-secret",
                         secret) as sandbox:
        good = send(http, sandbox.url, signed(SignatureMethod.SHA256), credentials={})
        wrong_method = send(http, sandbox.url, signed(SignatureMethod.MD5_HASH), credentials={})
    assert (good["status"], wrong_method["status"]) == ("0", "14")


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_dlr_url_option_receives_the_receipt(http: httpx.Client) -> None:
    with FaultServer() as receiver, sandbox_command("--dlr-url", receiver.url + "/dlr",
                                                    "--dlr-delay", "0.1") as sandbox:
        message = send(http, sandbox.url, HELLO)
        assert wait_for(lambda: len(receiver.requests) == 1), "no receipt arrived"
        assert_clean_exit(*sandbox.stop())
    receipt = receiver.requests[0]
    assert receipt.path == "/dlr"
    fields = json.loads(receipt.body)
    assert fields["messageId"] == message["message-id"] and fields["status"] == "delivered"


# -- numbers that cannot be used are refused by argparse, before anything listens ----------------

def refusal(capsys: pytest.CaptureFixture[str], *options: str) -> str:
    """The argparse error for ``smsgui sandbox OPTIONS``, which must exit 2 before serving."""
    from smsgui.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["sandbox", *options])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2 and out == ""
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize("value", ["99999", "65536", "-1", "abc", "1e3", "8o8o", "\u0668\u0660"])
def test_a_port_outside_0_to_65535_is_an_argparse_error(
    capsys: pytest.CaptureFixture[str], value: str
) -> None:
    line = refusal(capsys, "--port", value)
    assert line == (f"smsgui sandbox: error: argument --port: {value!r} is not a port: "
                    "use a whole number from 0 to 65535 (0 picks any free port)")


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--rate-limit", "0", "is not a whole number from 1 to 1000000"),
    ("--rate-limit", "\u00b2", "is not a whole number from 1 to 1000000"),
    ("--rate-limit", "10000001", "is not a whole number from 1 to 1000000"),
    ("--dlr-delay", "-1", "is not a number of seconds from 0 to 86400"),
    ("--dlr-delay", "nan", "is not a number of seconds from 0 to 86400"),
    ("--dlr-delay", "inf", "is not a number of seconds from 0 to 86400"),
    ("--dlr-delay", "1e308", "is not a number of seconds from 0 to 86400"),
    ("--balance", "1e999999", "is not an amount from 0 to 1000000000 EUR"),
    ("--balance", "-5", "is not an amount from 0 to 1000000000 EUR"),
    ("--price", "0.000000001", "has more than 8 decimal places"),
    ("--price", "NaN", "is not an amount from 0 to 1000000000 EUR"),
])
def test_other_numbers_outside_their_range_are_argparse_errors(
    capsys: pytest.CaptureFixture[str], option: str, value: str, expected: str
) -> None:
    line = refusal(capsys, option, value)
    assert line.startswith(f"smsgui sandbox: error: argument {option}: {value!r} ")
    assert expected in line


def test_the_largest_allowed_numbers_still_serve(http: httpx.Client) -> None:
    with sandbox_command("--rate-limit", "1000000", "--dlr-delay", "86400", "--balance",
                         "1000000000", "--price", "0.00000001") as sandbox:
        message = send(http, sandbox.url, HELLO)
        assert message["status"] == "0" and message["message-price"] == "0.00000001"
        assert_clean_exit(*sandbox.stop())
