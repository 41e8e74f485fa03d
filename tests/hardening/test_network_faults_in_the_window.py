"""Network faults, sent through the real window to a profile that points at a misbehaving server.

Every fault that loopback can produce comes from a real loopback server (``FaultServer``, a
server that resets connections, a TLS server with a certificate nobody trusts); only a DNS failure
and a connect timeout come from ``httpx.MockTransport``, so no test ever asks a real resolver.

For each fault: the diagnosis names its knowledge entry and the troubleshooting panel highlights
it; the window never hangs (see FROZEN_MS) while the send runs and raises no error dialog; each
recipient is tried exactly once, never resent; and when the request may have reached the server,
the results say to check delivery before sending again.
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import ssl
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
import trustme
from faultserver import HTML_HEADERS, FaultServer, RecordedRequest, Reply
from hardening_tools import (
    FROZEN_MS,
    RECIPIENTS,
    LoopWatch,
    RecordingPrompter,
    ResetServer,
    open_window,
    wait_until_idle,
)
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot
from test_main_window import column_texts
from uitools import find, type_text

from smsgui.core.api.client import (
    KEPT_OF_TOO_LARGE,
    MAX_BODY_BYTES,
    Credentials,
    Endpoint,
    OutgoingSms,
    SmsApiClient,
    make_http_client,
)
from smsgui.core.api.profiles import EndpointKind, Profile
from smsgui.core.api.secrets import MemorySecretStore
from smsgui.core.lazy import Lazy
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui.results import MAY_HAVE_BEEN_SENT
from smsgui.ui.services import Services

API_KEY = "abcd1234"
SECRET = "Faulty-Secret-5150"
SHORT = httpx.Timeout(2.0, read=0.4)
SEND_OK = ('{"message-count":"1","messages":[{"to":"447700900000","message-id":"0A00000001",'
           '"status":"0","remaining-balance":"9.9667","message-price":"0.0333",'
           '"network":"23410"}]}')
PROBLEM = (("Content-Type", "application/problem+json"),)
HTML_502 = ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
            "<body><h1>502 Bad Gateway</h1><hr>nginx</body></html>")
BIG_BODY = b'{"messages": [' + b" " * (50 * 1024 * 1024) + b"]}"


def problem(status: int, title: str, detail: str) -> str:
    return (f'{{"type": "https://developer.nexmo.com/api-errors#{status}", "title": "{title}", '
            f'"detail": "{detail}", "instance": "bf0ca0bf927b3b52e3cb03217e1a1ddf"}}')


# -- where each fault comes from -------------------------------------------------------------------


@dataclass
class Scene:
    """A fault's server side: the base URL, the HTTP client and what reached the server."""

    base_url: str
    attempts: Callable[[], list[str]]
    """The recipient ("to") of every request that reached the server (or the fake transport)."""
    http: httpx.Client | None = None
    checks: list[Callable[[], None]] = field(default_factory=list)


def _recipients_of(requests: list[RecordedRequest]) -> list[str]:
    return [request.form().get("to", "?") for request in requests]


def _fault_server(stack: contextlib.ExitStack, reply: Reply) -> Scene:
    server = stack.enter_context(FaultServer(reply))
    return Scene(server.url, lambda: _recipients_of(server.requests))


def _mocked(stack: contextlib.ExitStack, error: Callable[[], httpx.HTTPError]) -> Scene:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(parse_qsl(request.content.decode())).get("to", "?"))
        raise error()

    http = stack.enter_context(make_http_client(SHORT, transport=httpx.MockTransport(handler)))
    return Scene("https://rest.sms-gateway.invalid", lambda: list(seen), http=http)


def _dns_failure() -> httpx.HTTPError:
    error = httpx.ConnectError("[Errno -2] Name or service not known")
    error.__cause__ = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return error


def _connect_timeout() -> httpx.HTTPError:
    error = httpx.ConnectTimeout("timed out")
    error.__cause__ = TimeoutError("timed out")
    return error


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tls_server(stack: contextlib.ExitStack, authority: trustme.CA) -> FaultServer:
    """A real HTTPS server on 127.0.0.1 whose certificate is signed by ``authority``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server = FaultServer(Reply(body=SEND_OK))
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
    return stack.enter_context(server)


def _redirect(stack: contextlib.ExitStack) -> Scene:
    elsewhere = stack.enter_context(FaultServer(Reply(body=SEND_OK)))
    # Another host name for the same machine: the credentials must not go there.
    target = f"http://localhost:{elsewhere.port}/sms/json"
    server = stack.enter_context(FaultServer(Reply(status=307, headers=(("Location", target),))))

    def nothing_reached_the_other_host() -> None:
        assert elsewhere.requests == [], "the redirect was followed"

    return Scene(server.url, lambda: _recipients_of(server.requests),
                 checks=[nothing_reached_the_other_host])


def _reset(stack: contextlib.ExitStack) -> Scene:
    server = stack.enter_context(ResetServer())

    def recipients() -> list[str]:
        return [dict(parse_qsl(raw.partition(b"\r\n\r\n")[2].decode())).get("to", "?")
                for raw in server.requests]

    return Scene(server.url, recipients)


def _plain_server_over_tls(stack: contextlib.ExitStack) -> Scene:
    server = stack.enter_context(FaultServer(Reply(body=SEND_OK)))
    return Scene(f"https://127.0.0.1:{server.port}", lambda: _recipients_of(server.requests))


def _untrusted_certificate(stack: contextlib.ExitStack) -> Scene:
    server = _tls_server(stack, trustme.CA())
    return Scene(f"https://127.0.0.1:{server.port}", lambda: _recipients_of(server.requests))


@dataclass(frozen=True)
class Fault:
    entry_id: str
    may_have_been_sent: bool
    reached_server: bool
    scene: Callable[[contextlib.ExitStack], Scene]
    shown: str = ""
    """Words the results must show besides the headline (e.g. how long to wait)."""


FAULTS = {
    "connection refused": Fault(
        "transport-connection-refused", False, False,
        lambda stack: Scene(f"http://127.0.0.1:{_closed_port()}", list)),
    "DNS failure": Fault("transport-dns", False, True,
                         lambda stack: _mocked(stack, _dns_failure)),
    "TLS handshake failure": Fault("transport-tls", False, False, _plain_server_over_tls),
    "untrusted certificate": Fault("transport-tls-certificate", False, False,
                                   _untrusted_certificate),
    "connect timeout": Fault("transport-connect-timeout", False, True,
                             lambda stack: _mocked(stack, _connect_timeout)),
    "read timeout": Fault("transport-read-timeout", True, True,
                          lambda stack: _fault_server(stack, Reply(body=SEND_OK, delay_s=3.0))),
    "stall mid-body": Fault(
        "transport-read-timeout", True, True,
        lambda stack: _fault_server(stack, Reply(body=SEND_OK, stall_after_bytes=30,
                                                 stall_s=3.0))),
    "reset after the request": Fault("transport-connection-lost", True, True, _reset),
    "closed without an answer": Fault(
        "transport-connection-lost", True, True,
        lambda stack: _fault_server(stack, Reply(close_without_answer=True))),
    "HTTP 502 with an HTML page": Fault(
        "http-5xx", True, True,
        lambda stack: _fault_server(stack, Reply(status=502, body=HTML_502, headers=HTML_HEADERS))),
    "HTTP 401 problem+json": Fault(
        "http-401", False, True,
        lambda stack: _fault_server(stack, Reply(status=401, headers=PROBLEM, body=problem(
            401, "Invalid credentials supplied", "You did not provide correct credentials.")))),
    "HTTP 403 problem+json": Fault(
        "http-403", False, True,
        lambda stack: _fault_server(stack, Reply(status=403, headers=PROBLEM, body=problem(
            403, "Forbidden", "Your account does not have permission to perform this action.")))),
    "HTTP 429 problem+json with Retry-After": Fault(
        "http-429", False, True,
        lambda stack: _fault_server(stack, Reply(
            status=429, headers=(*PROBLEM, ("Retry-After", "30")),
            body=problem(429, "Rate Limit Hit", "Please wait, then retry your request"))),
        shown="30 seconds"),
    "truncated JSON": Fault(
        "response-invalid-json", True, True,
        lambda stack: _fault_server(stack, Reply(body=SEND_OK[:57]))),
    "invalid JSON": Fault(
        "response-invalid-json", True, True,
        lambda stack: _fault_server(stack, Reply(body=SEND_OK.replace('"', "'")))),
    "50 MB body": Fault(
        "response-too-large", True, True,
        lambda stack: _fault_server(stack, Reply(body=BIG_BODY))),
    "redirect to another host": Fault("http-3xx", False, True, _redirect),
}


# -- the window ------------------------------------------------------------------------------------


@pytest.fixture
def stack() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as servers:
        yield servers


@pytest.fixture
def services(paths: AppPaths) -> Iterator[Services]:
    built = replace(build_services(paths, secrets=MemorySecretStore()),
                    http=Lazy.of(make_http_client(SHORT)))
    yield built
    close_services(built)


def start_send(qtbot: QtBot, window: object) -> None:
    find(window, QLineEdit, "From").setText("AcmeInc")  # type: ignore[arg-type]
    find(window, QPlainTextEdit, "To").setPlainText(", ".join(RECIPIENTS))  # type: ignore[arg-type]
    type_text(find(window, QPlainTextEdit, "Message text"), "Hardening test")  # type: ignore[arg-type]
    button = find(window, QPushButton, "Send")  # type: ignore[arg-type]
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_network_fault_is_diagnosed_calmly_and_never_resent(
    qtbot: QtBot, services: Services, tmp_path: Path, stack: contextlib.ExitStack, name: str
) -> None:
    fault = FAULTS[name]
    scene = fault.scene(stack)
    if scene.http is not None:
        services.http.get().close()
        services = replace(services, http=Lazy.of(scene.http))
        stack.callback(scene.http.close)
    prompter = RecordingPrompter(tmp_path)
    profile = Profile("Faulty", EndpointKind.CUSTOM, api_key=API_KEY,
                      rest_base_url=scene.base_url, api_base_url=scene.base_url)
    window = open_window(qtbot, services, prompter, [profile],
                         {"Faulty": {"api_secret": SECRET}}, select="Faulty")

    start_send(qtbot, window)
    with LoopWatch() as watch:
        wait_until_idle(qtbot, window)
        qtbot.wait(60)  # time for a (wrong) automatic retry to show up
    assert watch.longest_gap_ms < FROZEN_MS, (
        f"the window froze for {watch.longest_gap_ms:.0f} ms during {name} "
        f"({watch.longest_wall_gap_ms:.0f} ms with time other programs had the CPU)")

    # A clear diagnosis, its knowledge entry highlighted, no error dialog, nothing crashed.
    outcomes = window.exchanges
    assert [o.entry.id for o in outcomes] == [fault.entry_id] * len(RECIPIENTS)
    assert all(not o.ok for o in outcomes)
    assert window.troubleshooting.highlighted_id() == fault.entry_id
    assert prompter.shown == []
    entry = services.knowledge.get(fault.entry_id)
    assert column_texts(window, "Status") == [entry.display_title] * len(RECIPIENTS)
    for text in column_texts(window, "Error text"):
        assert text and "\n" not in text and "Traceback" not in text and SECRET not in text
    assert "2 with a problem" in window.statusBar().currentMessage()
    for check in scene.checks:
        check()

    # Each recipient tried exactly once: nothing is resent automatically.
    expected = list(RECIPIENTS) if fault.reached_server else []
    assert scene.attempts() == expected

    # May it have been sent? Then say so, and say to check before sending again.
    assert [o.may_have_been_sent for o in outcomes] == [fault.may_have_been_sent] * 2
    warning = window.results.warning
    assert window.results.warning_box.isVisible() is fault.may_have_been_sent
    if fault.may_have_been_sent:
        assert warning.text().startswith(MAY_HAVE_BEEN_SENT)
        assert all(number in warning.text() for number in RECIPIENTS)
    if fault.shown:  # e.g. the Retry-After wait, as the person reads it
        assert all(fault.shown in text for text in column_texts(window, "Error text"))

    # The window is usable again: Send, the profile chooser, Open and Paste all work.
    assert find(window, QPushButton, "Send").isEnabled()
    assert window.profile_combo.isEnabled() and window.open_action.isEnabled()

    # Saved and reopened (or reopened from the history), it still says the same.
    shown = (column_texts(window, "Status"), column_texts(window, "Error text"),
             window.results.warning_box.isVisible(), window.troubleshooting.highlighted_id())
    window.save_action.trigger()
    window.results.clear()
    window.open_file()
    reopened = (column_texts(window, "Status"), column_texts(window, "Error text"),
                window.results.warning_box.isVisible(), window.troubleshooting.highlighted_id())
    assert reopened == shown


PORTAL_PAGE = ("<!DOCTYPE html><html><head><title>Guest Wi-Fi - please log in</title></head>"
               "<body>" + "<div class=terms>" + "By using this network you agree. " * 27_000
               + "</div></body></html>")


def test_a_large_answer_under_the_cap_does_not_freeze_the_window(
    qtbot: QtBot, services: Services, tmp_path: Path, stack: contextlib.ExitStack
) -> None:
    assert 800_000 < len(PORTAL_PAGE) < MAX_BODY_BYTES
    server = stack.enter_context(FaultServer(Reply(body=PORTAL_PAGE, headers=HTML_HEADERS)))
    profile = Profile("Portal", EndpointKind.CUSTOM, api_key=API_KEY,
                      rest_base_url=server.url, api_base_url=server.url)
    window = open_window(qtbot, services, RecordingPrompter(tmp_path), [profile],
                         {"Portal": {"api_secret": SECRET}}, select="Portal")
    start_send(qtbot, window)
    with LoopWatch() as watch:
        wait_until_idle(qtbot, window)
    assert window.troubleshooting.highlighted_id() == "response-html"
    assert watch.longest_gap_ms < FROZEN_MS, f"the window froze for {watch.longest_gap_ms:.0f} ms"


def test_the_tls_server_answers_a_client_that_trusts_its_authority(
    stack: contextlib.ExitStack,
) -> None:
    """The control for the untrusted-certificate fault: the server itself works."""
    authority = trustme.CA()
    server = _tls_server(stack, authority)
    context = ssl.create_default_context()
    authority.configure_trust(context)
    base = f"https://127.0.0.1:{server.port}"
    with httpx.Client(verify=context, trust_env=False, timeout=SHORT) as http:
        outcome = SmsApiClient(http, Credentials(API_KEY, SECRET), Endpoint(base, base)).send(
            OutgoingSms(to=RECIPIENTS[0], sender="AcmeInc", text="Hello"))
    assert outcome.ok and outcome.entry_id == "status-0"
    with make_http_client(SHORT) as http:
        refused = SmsApiClient(http, Credentials(API_KEY, SECRET), Endpoint(base, base)).send(
            OutgoingSms(to=RECIPIENTS[0], sender="AcmeInc", text="Hello"))
    assert refused.entry_id == "transport-tls-certificate"
    assert len(server.requests) == 1, "only the trusting client got as far as a request"


def test_a_50_mb_answer_is_read_only_up_to_the_cap_in_little_memory(
    stack: contextlib.ExitStack,
) -> None:
    server = stack.enter_context(FaultServer(Reply(body=BIG_BODY)))
    with make_http_client(SHORT) as http:
        client = SmsApiClient(http, Credentials(API_KEY, SECRET),
                              Endpoint(server.url, server.url))
        tracemalloc.start()
        try:
            outcome = client.send(OutgoingSms(to=RECIPIENTS[0], sender="AcmeInc", text="Hi"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert outcome.entry_id == "response-too-large" and outcome.may_have_been_sent
    assert outcome.body is not None and len(outcome.body) <= KEPT_OF_TOO_LARGE
    assert outcome.body.startswith('{"messages": [')
    assert peak < 8 * MAX_BODY_BYTES, f"reading the answer took {peak / 1e6:.1f} MB"


NOW = 1_800_000_000.0


@pytest.mark.parametrize(("status", "retry_after", "seconds", "advice"), [
    (429, "1", 1.0, "Wait 1 second before trying again."),
    (429, "90", 90.0, "Wait 90 seconds before trying again."),
    (429, "600", 600.0, "Wait 10 minutes before trying again."),
    (503, email.utils.formatdate(NOW + 3 * 3600, usegmt=True), 3 * 3600.0,
     "Wait 3 hours before trying again."),
    (429, email.utils.formatdate(NOW - 60, usegmt=True), 0.0,
     "The server says it can be tried again now."),
    (429, "soon", None, None),
])
def test_the_advice_honours_retry_after(stack: contextlib.ExitStack, status: int,
                                        retry_after: str, seconds: float | None,
                                        advice: str | None) -> None:
    server = stack.enter_context(FaultServer(Reply(
        status=status, headers=(*PROBLEM, ("Retry-After", retry_after)),
        body=problem(status, "Rate Limit Hit", "Please wait, then retry your request"))))
    with make_http_client(SHORT) as http:
        outcome = SmsApiClient(http, Credentials(API_KEY, SECRET),
                               Endpoint(server.url, server.url), clock=lambda: NOW).send(
            OutgoingSms(to=RECIPIENTS[0], sender="AcmeInc", text="Hi"))
    assert outcome.retry_after_s == seconds
    if advice is None:
        assert "before trying again" not in outcome.headline
    else:
        assert outcome.headline.endswith(advice)
    assert len(server.requests) == 1


def _spin(seconds: float) -> None:
    """Compute for ``seconds`` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@pytest.mark.parametrize("block", [time.sleep, _spin], ids=["blocked", "busy"])
def test_the_loop_watch_sees_a_stalled_event_loop(qtbot: QtBot,
                                                   block: Callable[[float], None]) -> None:
    """The freeze measure itself: a UI thread that sleeps or computes for 120 ms is caught."""
    with LoopWatch() as watch:
        QTimer.singleShot(20, lambda: block(0.12))
        qtbot.wait(200)
    assert watch.ticks > 5
    assert watch.longest_gap_ms >= 100
