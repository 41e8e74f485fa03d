"""``smsgui sandbox --tls``: a local authority made once, real HTTPS on loopback, and clients that
trust it (or not) exactly as the printed instructions and the README say."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import start_sandbox
from cryptography import x509
from test_command import ENV, EXIT_SECONDS, README, REPO, STARTUP_SECONDS, read_line

from smsgui.sandbox.command import trust_instructions
from smsgui.sandbox.server import SandboxServer
from smsgui.sandbox.tls import (
    LOOPBACK_NAMES,
    RENEW_BEFORE,
    SERVER_DAYS,
    LocalCertificates,
    ensure_certificates,
)

HELLO = {"api_key": "sandbox1", "api_secret": "SandboxSecret123", "from": "AcmeInc",
         "to": "447700900000", "text": "Hello over HTTPS"}
LISTENING = re.compile(r"Sandbox listening on (https://127\.0\.0\.1:([1-9]\d*))\n")
README_CA = "~/.local/share/smsgui/sandbox-tls/smsgui-sandbox-ca.pem"
README_PORT = "8443"
REQUIRE_NODE = "SMSGUI_REQUIRE_NODE"


@pytest.fixture
def certificates(tmp_path: Path) -> LocalCertificates:
    return ensure_certificates(tmp_path / "sandbox-tls")


@pytest.fixture
def https_sandbox(certificates: LocalCertificates) -> Iterator[SandboxServer]:
    server = start_sandbox(tls=certificates.server_context())
    yield server
    server.stop()


def names_covered(path: Path) -> set[str]:
    leaf = x509.load_pem_x509_certificates(path.read_bytes())[0]
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {*names.get_values_for_type(x509.DNSName),
            *(str(ip) for ip in names.get_values_for_type(x509.IPAddress))}


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it was raised from, down the chain."""
    current: BaseException | None = error
    while current is not None:
        yield current
        current = current.__cause__ or current.__context__


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get(REQUIRE_NODE) == "1":
            pytest.fail(f"{REQUIRE_NODE}=1 but Node.js is not installed")
        pytest.skip("Node.js is not installed")
    return node


# -- the authority and the certificate --------------------------------------------------------

def test_the_first_run_makes_an_authority_and_a_loopback_certificate(
    certificates: LocalCertificates,
) -> None:
    authority = x509.load_pem_x509_certificate(certificates.authority.read_bytes())
    constraints = authority.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca is True
    assert names_covered(certificates.server) == set(LOOPBACK_NAMES)
    leaf, chained = x509.load_pem_x509_certificates(certificates.server.read_bytes())
    leaf.verify_directly_issued_by(authority)
    assert chained == authority


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_keys_are_readable_by_this_user_only(certificates: LocalCertificates) -> None:
    assert certificates.folder.stat().st_mode & 0o777 == 0o700
    for key in (certificates.authority_key, certificates.server_key):
        assert key.stat().st_mode & 0o777 == 0o600
    assert certificates.authority.stat().st_mode & 0o777 == 0o644


def test_later_runs_reuse_both_files(certificates: LocalCertificates) -> None:
    before = {path: path.read_bytes() for path in (certificates.authority, certificates.server)}
    again = ensure_certificates(certificates.folder)
    assert {path: path.read_bytes() for path in (again.authority, again.server)} == before


def test_a_host_beyond_loopback_gets_a_new_certificate_from_the_same_authority(
    certificates: LocalCertificates,
) -> None:
    authority = certificates.authority.read_bytes()
    again = ensure_certificates(certificates.folder, host="192.0.2.10")
    assert names_covered(again.server) == {*LOOPBACK_NAMES, "192.0.2.10"}
    assert again.authority.read_bytes() == authority
    # The wildcard address is no name a client connects to: loopback still covers it.
    wildcard = ensure_certificates(certificates.folder, "0.0.0.0")
    assert "0.0.0.0" not in names_covered(wildcard.server)


def test_a_certificate_near_its_end_is_renewed_and_the_authority_kept(
    certificates: LocalCertificates,
) -> None:
    authority, server = certificates.authority.read_bytes(), certificates.server.read_bytes()
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=SERVER_DAYS)
             - RENEW_BEFORE + datetime.timedelta(days=1))
    renewed = ensure_certificates(certificates.folder, now=later)
    assert renewed.server.read_bytes() != server
    assert renewed.authority.read_bytes() == authority


@pytest.mark.parametrize("damaged", ["server", "server_key"])
def test_a_damaged_server_file_is_made_again(certificates: LocalCertificates,
                                            damaged: str) -> None:
    getattr(certificates, damaged).write_text("not a PEM file")
    again = ensure_certificates(certificates.folder)
    again.server_context()  # loads, so the pair matches again
    assert names_covered(again.server) == set(LOOPBACK_NAMES)


# -- real HTTPS on loopback -------------------------------------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_client_that_trusts_the_authority_sends(https_sandbox: SandboxServer,
                                                  certificates: LocalCertificates,
                                                  host: str) -> None:
    url = https_sandbox.url.replace("127.0.0.1", host)
    trusting = ssl.create_default_context(cafile=certificates.authority)
    with httpx.Client(verify=trusting, trust_env=False, timeout=5.0) as client:
        response = client.post(f"{url}/sms/json", data=HELLO)
    assert url.startswith("https://")
    assert response.json()["messages"][0]["status"] == "0"


def test_a_client_that_does_not_trust_it_fails_with_a_certificate_error(
    https_sandbox: SandboxServer,
) -> None:
    with httpx.Client(trust_env=False, timeout=5.0) as client, \
            pytest.raises(httpx.ConnectError) as raised:
        client.post(f"{https_sandbox.url}/sms/json", data=HELLO)
    assert any(isinstance(cause, ssl.SSLCertVerificationError)
               for cause in causes(raised.value)), repr(raised.value)
    assert https_sandbox.account.balance == https_sandbox.config.balance  # nothing was sent


def test_a_plain_http_client_is_answered_in_words_it_can_read(
    https_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture,
) -> None:
    plain_url = https_sandbox.url.replace("https", "http")
    port = plain_url.rsplit(":", 1)[1]
    with httpx.Client(trust_env=False, timeout=5.0) as client:
        response = client.post(f"{plain_url}/sms/json", data=HELLO)
    assert response.status_code == 400
    assert response.text.startswith("This smsgui sandbox speaks HTTPS only")
    assert f"Use https:// instead of http:// (port {port})" in response.text
    assert https_sandbox.account.balance == https_sandbox.config.balance  # nothing was sent
    https_sandbox.stop()
    assert "spoke plain HTTP to this HTTPS server" in caplog.text
    assert "Traceback" not in caplog.text


def test_a_connection_that_says_nothing_and_closes_is_not_an_error(
    https_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture,
) -> None:
    port = int(https_sandbox.url.rsplit(":", 1)[1])
    socket.create_connection(("127.0.0.1", port), timeout=5.0).close()  # a port check
    https_sandbox.stop()
    assert "failed" not in caplog.text and "Traceback" not in caplog.text


def test_a_stalled_handshake_holds_up_no_one(https_sandbox: SandboxServer,
                                            certificates: LocalCertificates,
                                            caplog: pytest.LogCaptureFixture) -> None:
    port = int(https_sandbox.url.rsplit(":", 1)[1])
    trusting = ssl.create_default_context(cafile=certificates.authority)
    with socket.create_connection(("127.0.0.1", port), timeout=5.0) as stalled:
        stalled.sendall(b"\x16")  # the first byte of a TLS handshake, then nothing
        time.sleep(0.2)
        started = time.monotonic()
        with httpx.Client(verify=trusting, trust_env=False, timeout=5.0) as client:
            assert client.post(f"{https_sandbox.url}/sms/json", data=HELLO).status_code == 200
        answered = time.monotonic() - started
        started = time.monotonic()
        https_sandbox.stop()
        stopped = time.monotonic() - started
    assert answered < 1.0, "another client waited for the stalled handshake"
    assert stopped < 1.0, "stop waited for the stalled handshake"
    assert "failed" not in caplog.text, "a handshake cut by stop is not the client's failure"


def test_stopping_cuts_idle_https_connections_at_once(https_sandbox: SandboxServer,
                                                      certificates: LocalCertificates) -> None:
    before = set(threading.enumerate())
    trusting = ssl.create_default_context(cafile=certificates.authority)
    clients = [httpx.Client(verify=trusting, trust_env=False, timeout=5.0) for _ in range(3)]
    try:
        for client in clients:  # each leaves a kept-open connection, and its thread, behind
            client.post(f"{https_sandbox.url}/sms/json", data=HELLO).raise_for_status()
        started = time.monotonic()
        https_sandbox.stop()
        assert time.monotonic() - started < 1.0, "stop waited for the clients' timeout"
    finally:
        for client in clients:
            client.close()
    assert set(threading.enumerate()) <= before


# -- the command, its instructions, and the README's examples ---------------------------------

@contextlib.contextmanager
def tls_command(data_home: Path) -> Iterator[tuple[str, Path, str]]:
    """``smsgui sandbox --tls`` with its data folder under ``data_home``: URL, CA, the rest."""
    env = {**ENV, "XDG_DATA_HOME": str(data_home)}
    process = subprocess.Popen([sys.executable, "-m", "smsgui", "sandbox", "--tls", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=REPO, env=env)
    try:
        match = LISTENING.fullmatch(read_line(process, STARTUP_SECONDS))
        assert match, process.stderr.read() if process.stderr else "no stderr"
        # One flushed write: the first read already buffered the rest.
        lines = [process.stdout.readline() for _ in range(7)] if process.stdout else []
        authority = Path(lines[1].strip())
        yield match.group(1), authority, "".join(lines)
    finally:
        process.terminate()
        process.communicate(timeout=EXIT_SECONDS)


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=20,
                          check=False)


def test_the_command_prints_the_authority_and_how_to_trust_it(tmp_path: Path) -> None:
    with tls_command(tmp_path) as (url, authority, instructions):
        assert authority == tmp_path / "smsgui" / "sandbox-tls" / "smsgui-sandbox-ca.pem"
        assert authority.is_file()
        assert instructions == trust_instructions(authority, windows=False) + "\n"
        for setting in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"):
            assert f"export {setting}='{authority}'" in instructions
        assert url.startswith("https://127.0.0.1:")  # loopback unless --host says otherwise


PYTHON_CHECK = """
import sys, urllib.parse, urllib.request, json
form = urllib.parse.urlencode(json.loads(sys.argv[2])).encode()
print(json.load(urllib.request.urlopen(sys.argv[1] + "/sms/json", form))["messages"][0]["status"])
"""
REQUESTS_CHECK = """
import sys, json, requests
print(requests.post(sys.argv[1] + "/sms/json", data=json.loads(sys.argv[2])).json()
      ["messages"][0]["status"])
"""


@pytest.mark.parametrize(("setting", "script"), [("SSL_CERT_FILE", PYTHON_CHECK),
                                                 ("REQUESTS_CA_BUNDLE", REQUESTS_CHECK)])
def test_each_printed_python_setting_lets_a_client_in_and_nothing_else_does(
    tmp_path: Path, setting: str, script: str
) -> None:
    pytest.importorskip("requests")
    clean = {key: value for key, value in ENV.items()
             if key not in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    with tls_command(tmp_path) as (url, authority, _):
        command = [sys.executable, "-c", script, url, json.dumps(HELLO)]
        trusted = run(command, {**clean, setting: str(authority)})
        assert (trusted.returncode, trusted.stdout.strip()) == (0, "0"), trusted.stderr
        refused = run(command, clean)
        assert refused.returncode != 0
        assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr


def readme_example(marker: str) -> str:
    """The README's shell example that sets ``marker``, from that line to the block's end."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"```sh\n(export {marker}=.*?)```", text, re.DOTALL)
    assert match, f"the README has no --tls example that sets {marker}"
    return match.group(1)


def run_readme_example(marker: str, url: str, authority: Path) -> dict[str, object]:
    example = readme_example(marker)
    assert README_CA in example and f"localhost:{README_PORT}" in example
    port = url.rsplit(":", 1)[1]
    script = (example.replace(README_CA, str(authority))
              .replace(f"localhost:{README_PORT}", f"localhost:{port}"))
    clean = {key: value for key, value in ENV.items() if key != marker}
    result = run(["bash", "-c", script], clean)
    assert result.returncode == 0, result.stderr
    return {"stdout": result.stdout}


def test_the_readme_python_example_sends_over_https(tmp_path: Path) -> None:
    with tls_command(tmp_path) as (url, authority, _):
        printed = run_readme_example("SSL_CERT_FILE", url, authority)["stdout"]
    assert "'status': '0'" in str(printed)


def test_the_readme_node_example_sends_over_https(tmp_path: Path) -> None:
    node_or_skip()
    with tls_command(tmp_path) as (url, authority, _):
        printed = run_readme_example("NODE_EXTRA_CA_CERTS", url, authority)["stdout"]
        without = run(["node", "-e", f'fetch("{url}/sms/json", {{method: "POST"}})'
                       '.catch((e) => { console.log(e.cause.code); process.exit(3); })'], ENV)
    assert "status: '0'" in str(printed)
    assert without.returncode == 3 and "CERT" in without.stdout, without.stdout


def test_the_readme_shows_the_options_and_both_examples() -> None:
    text = README.read_text(encoding="utf-8")
    assert "smsgui sandbox --tls --port 8443" in text
    assert "| `--tls` |" in text
    for marker in ("SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"):
        readme_example(marker)
