"""The Messages API in the window: a profile chooses it in the Profiles dialog (key and secret,
or an application ID and its private key, kept in the keyring), and a send through it reaches
the sandbox, comes back explained, and is followed by its status webhooks like any receipt."""

from __future__ import annotations

# ruff: noqa: F811 - the fixtures below are imported by name, as pytest finds them
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QPushButton, QSpinBox, QToolButton
from pytestqt.qtbot import QtBot
from test_main_window import ScriptedPrompter, prompter, send, window  # noqa: F401
from uitools import find

from smsgui.core.api.profiles import (
    SANDBOX_MESSAGES_PROFILE_NAME,
    EndpointKind,
    Profile,
    ProfileStore,
    SendApi,
)
from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET
from smsgui.sandbox.server import SandboxServer
from smsgui.ui.credentials import CredentialsDialog
from smsgui.ui.main_window import MainWindow
from smsgui.ui.services import Services

NAME = "Sandbox via Messages"


def running_sandbox(services: Services) -> SandboxServer:
    services.sandbox.url()  # starts it
    server = services.sandbox.server
    assert server is not None
    return server


def messages_profile(window: MainWindow, services: Services, jwt: bool) -> None:
    """A profile sending through the Messages API to the app's own sandbox, made current."""
    application = running_sandbox(services).application if jwt else None
    profile = Profile(NAME, EndpointKind.SANDBOX, api_key=DEFAULT_API_KEY,
                      send_api=SendApi.MESSAGES,
                      application_id=application.application_id if application else "")
    ProfileStore.save(services.profiles, [*window.profiles, profile])
    if application is not None:
        services.secrets.set(NAME, "private_key", application.private_key)
    else:
        services.secrets.set(NAME, "api_secret", DEFAULT_API_SECRET)
    window.reload_profiles()
    window.profile_combo.setCurrentIndex(window.profile_combo.findText(NAME))


def test_a_messages_send_is_accepted_and_followed_to_delivered(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    messages_profile(window, services, jwt=False)
    send(qtbot, window, "447700900000")
    (exchange,) = window.exchanges
    assert exchange.document.request is not None
    assert exchange.document.request.url.endswith("/v1/messages")
    assert exchange.ok and exchange.send_response is not None  # 202: its message_uuid
    assert exchange.entry.id in {"messages-http-202", "messages-status-submitted"}
    qtbot.waitUntil(lambda: window.exchanges[0].entry.id == "messages-status-delivered"
                    and not window.redraw_pending, timeout=10_000)
    assert window.troubleshooting.highlighted_id() == "messages-status-delivered"
    (card,) = window.results.cards.cards()
    assert "Delivered" in card.text()
    # The 202 answer names no price: the status webhook does, and the card says it.
    assert "Price: 0.0333 EUR" in card.text() and "Network: O2 (UK)" in card.text()


def test_the_built_in_messages_sandbox_sends_and_checks_delivery_there(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Out of the box, no profile to make: the Messages API path, followed in the Reports API
    under product MESSAGES, in the Messages API's words."""
    combo = window.profile_combo
    combo.setCurrentIndex(combo.findText(SANDBOX_MESSAGES_PROFILE_NAME))
    assert window.profile.send_api is SendApi.MESSAGES and window.profile.is_builtin
    send(qtbot, window, "447700900106")  # accepted; then rejected as spam (error 1210)
    (exchange,) = window.exchanges
    assert exchange.document.request is not None
    assert exchange.document.request.url.endswith("/v1/messages") and exchange.ok
    button = find(window, QPushButton, "Check delivery")
    qtbot.waitUntil(lambda: not window.is_busy_in_background)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Delivery check" in window.statusBar().currentMessage(),
                    timeout=10_000)
    qtbot.wait(1100)  # the embedded sandbox finalizes after its 1 s receipt delay
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "1 not delivered" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert window.troubleshooting.highlighted_id() == "messages-1210"
    assert not window.exchanges[0].ok
    reported = [fields for fields in window.exchanges[0].document.receipts
                if fields.get("source") == "reports"]
    assert [(fields["status"], fields["product"]) for fields in reported] == [
        ("rejected", "MESSAGES")]
    (card,) = window.results.cards.cards()
    assert "rejected (error 1210, Blocked as spam)" in card.text()  # its API's words
    assert "err-code" not in card.text()


def test_the_compose_ttl_and_message_type_reach_a_messages_send(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    messages_profile(window, services, jwt=False)
    qtbot.mouseClick(find(window, QToolButton, "Advanced options"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(find(window, QComboBox, "Message type"), "Unicode")
    ttl = find(window, QSpinBox, "Time to live")
    qtbot.keyClick(ttl, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(ttl, "60")
    send(qtbot, window, "447700900000")
    (exchange,) = window.exchanges
    request = exchange.document.request
    assert request is not None and exchange.ok
    assert (request.field_value("ttl"), request.field_value("sms.encoding_type")) == (
        "3600", "unicode")


def test_the_compose_checks_follow_the_profiles_api(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    def finding_ids() -> set[str]:
        return {finding.entry_id for finding in window.compose.report().findings}

    sms_profile = window.profile_combo.currentText()
    find(window, QPlainTextEdit, "Message text").setPlainText("a" * 1001)
    assert "check-messages-text-too-long" not in finding_ids()
    messages_profile(window, services, jwt=False)
    assert "check-messages-text-too-long" in finding_ids()
    assert window.compose.report().blocking
    window.profile_combo.setCurrentIndex(window.profile_combo.findText(sms_profile))
    assert "check-messages-text-too-long" not in finding_ids()


def test_a_jwt_profile_signs_with_the_key_from_the_keyring(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    messages_profile(window, services, jwt=True)
    send(qtbot, window, "447700900029")
    (exchange,) = window.exchanges
    assert exchange.document.request is not None
    assert exchange.document.request.auth_method == "jwt"
    assert exchange.entry.id == "messages-1160" and not exchange.ok
    assert window.troubleshooting.highlighted_id() == "messages-1160"


def test_checking_the_balance_of_a_jwt_profile_says_why_it_cannot(
    qtbot: QtBot, window: MainWindow, services: Services, prompter: ScriptedPrompter
) -> None:
    messages_profile(window, services, jwt=True)
    qtbot.waitUntil(lambda: not window.is_busy_in_background)
    window.check_credentials()
    assert prompter.errors == [f"The balance of {NAME} cannot be checked here"]
    assert not window.is_busy_in_background, "no request was started"


def test_checking_delivery_of_a_jwt_send_says_why_it_cannot(
    qtbot: QtBot, window: MainWindow, services: Services, prompter: ScriptedPrompter
) -> None:
    messages_profile(window, services, jwt=True)
    send(qtbot, window, "447700900000")
    assert window.exchanges[0].ok
    qtbot.waitUntil(lambda: not window.is_busy_in_background)
    button = find(window, QPushButton, "Check delivery")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert prompter.errors == ["Delivery cannot be checked with this profile"]
    assert not window.is_busy_in_background, "no request was started"


def test_the_profiles_dialog_chooses_the_api_and_keeps_the_key_in_the_keyring(
    qtbot: QtBot, services: Services
) -> None:
    dialog = CredentialsDialog([*services.profiles.load()], services.profiles, services.secrets,
                               None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    dialog.name.setText("Acme Messages")
    dialog.send_api.setCurrentIndex(dialog.send_api.findData(SendApi.MESSAGES))
    assert not dialog.auth.isEnabled()  # the Messages API: Basic, or a JWT
    dialog.application_id.setText("aaaaaaaa-bbbb-cccc-dddd-0123456789ab")
    assert dialog.private_key.isEnabled() and not dialog.api_secret.isEnabled()
    dialog.private_key.setPlainText("not a key")
    dialog.save_button.click()
    assert "not a PEM key" in dialog.status.text() and "Nothing was saved" in dialog.status.text()
    key = running_sandbox(services).application.private_key
    dialog.private_key.setPlainText(key)
    dialog.save_button.click()
    assert dialog.status.text().startswith("Saved Acme Messages")
    (saved,) = [p for p in services.profiles.load() if p.name == "Acme Messages"]
    assert saved.send_api is SendApi.MESSAGES and saved.uses_jwt
    assert services.secrets.get("Acme Messages", "private_key") == key.strip()
    assert find(dialog, QPlainTextEdit, "Private key").toPlainText() == ""  # not left on screen
