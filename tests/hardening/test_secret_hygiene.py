"""Secret hygiene end to end: use every feature with distinctive secrets, then look everywhere.

A sandbox started with its own API secret and signature secret (signature method SHA-256)
stands in for Vonage. Profiles using signed requests, HTTP Basic and key-and-secret-in-the-body
are entered through the profiles dialog, then used to send, check credentials, receive a receipt,
check delivery, save, reopen from the history, copy the summary and a results row, and to show an
unexpected-error dialog and copy its details, all with the log at DEBUG. Afterwards no file
written under the app's folders (settings, profiles, history database with its -wal, logs, saved
documents), no clipboard content and no widget holds a secret or the Basic credentials' base64.

Also: plain http:// is refused for every host that is not this computer, and no credential ever
travels in a URL (inspected on what the client would send, through a fake transport).
"""

from __future__ import annotations

import base64
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from hardening_tools import RecordingPrompter, iter_files, open_window, wait_until_idle
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot
from test_main_window import column_texts
from uitools import find, type_text

from smsgui.applog import setup_logging
from smsgui.core.api.client import (
    AuthMethod,
    Credentials,
    Endpoint,
    OutgoingSms,
    SmsApiClient,
)
from smsgui.core.api.profiles import EndpointKind
from smsgui.core.api.signing import SignatureMethod
from smsgui.core.records.history import History
from smsgui.sandbox.config import SandboxConfig
from smsgui.sandbox.server import SandboxServer
from smsgui.ui.app import AppPaths, close_services
from smsgui.ui.errors import ErrorDialog, install_excepthook
from smsgui.ui.main_window import MainWindow
from smsgui.ui.services import Services

API_KEY = "hyg13n3k"
API_SECRET = "Qx7-ApiSecret-Zz9Kp"
SIGNATURE_SECRET = "Wv4-SignatureSecret-Ty8Lm"
SIGNATURE_METHOD = SignatureMethod.SHA256
BASIC_TOKEN = base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()
FORBIDDEN = tuple(dict.fromkeys(
    text for secret in (API_SECRET, SIGNATURE_SECRET, BASIC_TOKEN)
    for text in (secret, quote(secret, safe=""), quote_plus(secret))))
PROFILES = {"Signed": AuthMethod.SIGNATURE, "Basic": AuthMethod.BASIC, "Body": AuthMethod.BODY}


def leaks(text: str | bytes) -> list[str]:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    found = [secret for secret in FORBIDDEN if secret.encode() in data]
    found += [secret for secret in (API_SECRET, SIGNATURE_SECRET)
              if secret.encode("utf-16-le") in data]
    return found


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    config = SandboxConfig(api_key=API_KEY, api_secret=API_SECRET,
                           signature_secret=SIGNATURE_SECRET, signature_method=SIGNATURE_METHOD,
                           dlr_delay=0.1)
    with SandboxServer(config) as server:
        yield server


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "app" / "config", tmp_path / "app" / "data",
                    tmp_path / "app" / "logs")


@pytest.fixture
def debug_log(paths: AppPaths) -> Iterator[Path]:
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "httpx", "httpcore")}
    handler = setup_logging(paths.logs, level=logging.DEBUG)
    yield paths.logs / "smsgui.log"
    root.removeHandler(handler)
    handler.close()
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def restored_excepthook() -> Iterator[None]:
    previous = sys.excepthook
    yield
    sys.excepthook = previous


def enter_profile(qtbot: QtBot, window: MainWindow, name: str, auth: AuthMethod,
                  url: str) -> None:
    """Type a profile into the profiles dialog, secrets included, and save it."""
    dialog = window.credentials_dialog
    assert dialog is not None
    qtbot.mouseClick(find(dialog, QPushButton, "New profile"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(find(dialog, QLineEdit, "Profile name"), name)
    endpoint = find(dialog, QComboBox, "Endpoint")
    endpoint.setCurrentIndex(endpoint.findData(EndpointKind.CUSTOM))
    authentication = find(dialog, QComboBox, "Authentication")
    authentication.setCurrentIndex(authentication.findData(auth))
    qtbot.keyClicks(find(dialog, QLineEdit, "API key"), API_KEY)
    qtbot.keyClicks(find(dialog, QLineEdit, "API secret"), API_SECRET)
    if auth is AuthMethod.SIGNATURE:
        method = find(dialog, QComboBox, "Signature method")
        method.setCurrentIndex(method.findData(SIGNATURE_METHOD))
        qtbot.keyClicks(find(dialog, QLineEdit, "Signature secret"), SIGNATURE_SECRET)
    for field in ("REST base URL", "API base URL"):
        find(dialog, QLineEdit, field).setText(url)
    qtbot.mouseClick(find(dialog, QPushButton, "Save"), Qt.MouseButton.LeftButton)
    assert find(dialog, QLabel, "Profile status").text().startswith(f"Saved {name}.")


def choose(window: MainWindow, name: str) -> None:
    window.profile_combo.setCurrentIndex(window.profile_combo.findText(name))


def send(qtbot: QtBot, window: MainWindow, to: str) -> None:
    find(window, QLineEdit, "From").setText("AcmeInc")
    find(window, QPlainTextEdit, "To").setPlainText(to)
    message = find(window, QPlainTextEdit, "Message text")
    message.clear()
    type_text(message, "Hygiene check")
    qtbot.mouseClick(find(window, QPushButton, "Send"), Qt.MouseButton.LeftButton)
    wait_until_idle(qtbot, window)


def shows_status(qtbot: QtBot, window: MainWindow, action: Callable[[], None],
                 test: Callable[[str], bool]) -> None:
    """Run ``action``, then wait until the status bar has shown a message passing ``test``.

    Every message since the action counts: a receipt for an earlier send may replace it at any
    moment.
    """
    shown: list[str] = []

    def record(text: str) -> None:
        shown.append(text)

    bar = window.statusBar()
    bar.messageChanged.connect(record)
    try:
        action()
        qtbot.waitUntil(lambda: any(test(text) for text in shown), timeout=10_000)
    finally:
        bar.messageChanged.disconnect(record)


def shown_texts(root: QWidget) -> Iterator[str]:
    """Every text a person could see or copy from the widgets under ``root``."""
    for label in root.findChildren(QLabel):
        yield label.text()
        yield label.toolTip()
    for line in root.findChildren(QLineEdit):
        if line.echoMode() is QLineEdit.EchoMode.Normal:
            yield line.text()
    for editor in root.findChildren(QPlainTextEdit):
        yield editor.toPlainText()
    for browser in root.findChildren(QTextBrowser):
        yield browser.toPlainText()
    for view in root.findChildren(QAbstractItemView):  # tables, the history, trees, lists
        yield from model_texts(view.model())


def column_count(model: QAbstractItemModel, parent: QModelIndex) -> int:
    try:
        return model.columnCount(parent)
    except TypeError:  # list models keep columnCount private: they have one column
        return 1


def model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> Iterator[str]:
    parent = parent or QModelIndex()
    for row in range(model.rowCount(parent)):
        for column in range(column_count(model, parent)):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = index.data(role)
                if isinstance(value, str):
                    yield value
            yield from model_texts(model, index)


def set_up_profiles_and_receipts(qtbot: QtBot, window: MainWindow, url: str) -> None:
    """Profiles with secrets, typed into the dialog and saved; receipts come back to the
    receiver through the public callback address."""
    window.manage_profiles()
    for name, auth in PROFILES.items():
        enter_profile(qtbot, window, name, auth, url)
    assert window.credentials_dialog is not None
    window.credentials_dialog.close()
    callback = window.start_receiver()
    assert callback is not None
    find(window, QLineEdit, "Public callback URL").setText(callback)


def check_and_send_with_every_profile(qtbot: QtBot, window: MainWindow) -> None:
    for name in PROFILES:
        choose(window, name)
        shows_status(qtbot, window,
                     lambda: qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton),
                     lambda text, name=name: text.startswith(f"{name}: credentials work."))
        send(qtbot, window, "447700900000")
        assert column_texts(window, "Status") == ["0 Success"], name
    qtbot.waitUntil(lambda: len(window.receipt_book) == len(PROFILES), timeout=10_000)


def follow_up_save_copy_and_reopen(qtbot: QtBot, window: MainWindow, history: History,
                                   copied: Callable[[], None]) -> None:
    """Check delivery (the Reports API), save, copy a row and the summary, reopen the history."""
    delivery = find(window, QPushButton, "Check delivery")
    shows_status(qtbot, window, lambda: qtbot.mouseClick(delivery, Qt.MouseButton.LeftButton),
                 lambda text: text.startswith("Delivery check"))
    window.save_action.trigger()
    window.results.table.selectRow(0)
    (copy_row,) = [action for action in window.results.table.actions()
                   if action.text() == "Copy &row"]
    copy_row.trigger()
    copied()
    window.copy_summary_action.trigger()
    assert window.summary_dialog is not None
    qtbot.mouseClick(find(window.summary_dialog, QPushButton, "Copy to clipboard"),
                     Qt.MouseButton.LeftButton)
    copied()
    rows = history.search("")
    assert len(rows) == len(PROFILES)
    for row in rows:
        window.results.clear()
        window.history.reopen_requested.emit(row.id)
        qtbot.waitUntil(lambda: not window.is_opening)
        assert column_texts(window, "Status") == ["0 Success"]


def crash_and_copy_the_details(qtbot: QtBot, window: MainWindow,
                               copied: Callable[[], None]) -> ErrorDialog:
    """An unexpected error: logged, shown in the dialog, its details copied."""
    install_excepthook(lambda: window)
    try:
        raise RuntimeError("the hardening test's deliberate crash")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    (dialog,) = window.findChildren(ErrorDialog)
    qtbot.mouseClick(find(dialog, QPushButton, "Copy details"), Qt.MouseButton.LeftButton)
    copied()
    return dialog


def test_no_secret_reaches_any_file_the_clipboard_or_the_screen(
    qtbot: QtBot, services: Services, tmp_path: Path, sandbox: SandboxServer,
    debug_log: Path, restored_excepthook: None,
) -> None:
    prompter = RecordingPrompter(tmp_path)
    prompter.path = tmp_path / "app" / "saved" / "response.json"
    prompter.path.parent.mkdir(parents=True)
    window = open_window(qtbot, services, prompter, [], {})
    history = services.history.get()
    assert history is not None
    clipboard: list[str] = []

    def copied() -> None:
        clipboard.append(QGuiApplication.clipboard().text())

    set_up_profiles_and_receipts(qtbot, window, sandbox.url)
    check_and_send_with_every_profile(qtbot, window)
    follow_up_save_copy_and_reopen(qtbot, window, history, copied)
    assert prompter.shown == [] and prompter.path.exists()
    dialog = crash_and_copy_the_details(qtbot, window, copied)
    assert "deliberate crash" in clipboard[-1]
    window.left_tabs.setCurrentWidget(window.history)
    assert window.history.row_count() == len(PROFILES)
    on_screen = [text for root in (window, dialog, window.summary_dialog)
                 for text in shown_texts(root)]
    window.shutdown()

    # Now look everywhere: every file the app wrote (the -wal too, before the history closes),
    # the clipboard and the screen.
    written = list(iter_files(tmp_path / "app"))
    names = {path.name for path in written}
    assert {"settings.ini", "profiles.json", "history.sqlite3", "history.sqlite3-wal",
            "smsgui.log", "response.json"} <= names, names
    log_text = debug_log.read_text(encoding="utf-8")
    assert "Sending an SMS to 447******000" in log_text and "Unexpected error" in log_text
    for path in written:
        assert leaks(path.read_bytes()) == [], path
    for text in clipboard:
        assert leaks(text) == [], text
    assert [text for text in on_screen if leaks(text)] == []
    close_services(services)
    for path in iter_files(tmp_path / "app"):
        assert leaks(path.read_bytes()) == [], path


# -- where credentials may travel ------------------------------------------------------------------

MESSAGE = OutgoingSms(to="447700900000", sender="AcmeInc", text="Hi")


def every_call(client: SmsApiClient) -> list[object]:
    return [client.send(MESSAGE), client.balance(), client.settings(),
            client.reports(["0A0000001234ABCD"], client.account_id)]


def recording() -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"messages": [{"status": "0"}]})

    return httpx.Client(transport=httpx.MockTransport(answer), trust_env=False), seen


@pytest.mark.parametrize("auth", list(AuthMethod))
def test_credentials_never_travel_in_a_url(auth: AuthMethod) -> None:
    http, seen = recording()
    credentials = Credentials(API_KEY, API_SECRET, signature_secret=SIGNATURE_SECRET,
                              signature_method=SIGNATURE_METHOD, auth_method=auth)
    base = "https://rest.sms-gateway.invalid"
    with http:
        every_call(SmsApiClient(http, credentials, Endpoint(base, base)))
    assert len(seen) == 4
    for request in seen:
        assert request.url.scheme == "https"
        assert leaks(str(request.url)) == [], request.url
        query_names = {name for name, _ in request.url.params.multi_items()}
        assert not query_names & {"api_secret", "sig", "signature_secret", "password"}
        authorization = request.headers.get("Authorization")
        if request.method == "POST" and request.url.path == "/sms/json" \
                and auth is not AuthMethod.BASIC:
            assert authorization is None  # the credentials are in the body
        else:
            assert authorization == f"Basic {BASIC_TOKEN}"
        if auth is AuthMethod.SIGNATURE:
            assert SIGNATURE_SECRET.encode() not in request.content


@pytest.mark.parametrize("base", [
    "http://rest.nexmo.com", "http://api.nexmo.com:80", "http://10.0.0.1", "http://192.168.1.1",
    "http://0.0.0.0", "http://127.1", "http://2130706433", "http://[::ffff:10.0.0.1]",
    "http://localhost.sms-gateway.invalid", "http://127.0.0.1.sms-gateway.invalid",
    "http://[::]", "HTTP://REST.NEXMO.COM", "http://localhost@rest.nexmo.com",
    "http://rest.nexmo.com#@127.0.0.1", "http://rest.nexmo.com\\@127.0.0.1",
])
def test_plain_http_to_another_computer_is_refused_before_anything_is_sent(base: str) -> None:
    http, seen = recording()
    credentials = Credentials(API_KEY, API_SECRET, signature_secret=SIGNATURE_SECRET,
                              auth_method=AuthMethod.BODY)
    with http:
        outcomes = every_call(SmsApiClient(http, credentials, Endpoint(base, base)))
    assert seen == []
    for outcome in outcomes:
        result = getattr(outcome, "outcome", outcome)
        assert result.entry_id in ("transport-insecure-url", "transport-invalid-url"), base
        assert not result.may_have_been_sent and result.request is None


@pytest.mark.parametrize("base", ["http://127.0.0.1:8080", "http://127.45.6.7", "http://[::1]",
                                  "http://localhost:9000", "http://LOCALHOST."])
def test_plain_http_is_allowed_for_this_computer_only(base: str) -> None:
    http, seen = recording()
    with http:
        every_call(SmsApiClient(http, Credentials(API_KEY, API_SECRET), Endpoint(base, base)))
    assert len(seen) == 4
