"""Manage profiles: name, endpoint, API key here; API and signature secrets in the OS keyring.

Nothing secret is written anywhere but the secret store. When the keyring does not work, the
dialog says why and that secrets are kept for this session only; it never falls back to a file.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.api.apitypes import VONAGE_API_URL, VONAGE_REST_URL, AuthMethod
from smsgui.core.api.documents import DocumentError
from smsgui.core.api.profiles import (
    EndpointKind,
    Profile,
    ProfileStore,
    SendApi,
    is_builtin_name,
)
from smsgui.core.api.secrets import SecretProblem, SecretStore, SecretStoreError
from smsgui.core.api.signing import SignatureMethod

_ENDPOINTS = (("Vonage (rest.nexmo.com)", EndpointKind.VONAGE),
              ("Sandbox on this computer", EndpointKind.SANDBOX),
              ("Custom base URLs", EndpointKind.CUSTOM))
_AUTH = (("HTTP Basic header (recommended)", AuthMethod.BASIC),
         ("Key and secret in the request body", AuthMethod.BODY),
         ("Signed requests (signature secret)", AuthMethod.SIGNATURE))
_APIS = (("SMS API (/sms/json)", SendApi.SMS),
         ("Messages API (/v1/messages, channel sms)", SendApi.MESSAGES))
_KEEP = "stored - leave empty to keep"
_KEY_TIP = ("Only with an application ID: the private.key file Vonage gave you, pasted whole; "
            "kept only in your system keyring")


def _builtin_note(profile: Profile) -> str:
    """What the Profiles dialog says about a built-in sandbox profile, which cannot be edited."""
    via = ("through the Messages API (POST /v1/messages)" if profile.send_api is SendApi.MESSAGES
           else "through the SMS API (POST /sms/json)")
    return (f"Built in: sends {via} to the sandbox on this computer. It needs no credentials "
            "and answers like the real API; nothing leaves this computer.")


def _secret_field(name: str, tip: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    field.setToolTip(tip)
    reveal = QAction(QIcon.fromTheme("view-reveal-symbolic"), "Show", field)
    reveal.setCheckable(True)
    reveal.setToolTip("Show or hide what you typed")
    reveal.toggled.connect(lambda shown: field.setEchoMode(
        QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password))
    field.addAction(reveal, QLineEdit.ActionPosition.TrailingPosition)
    return field


class CredentialsDialog(QDialog):
    """The profile list on the left, the selected profile's details on the right."""

    profiles_changed = Signal(object)  # the new list of profiles
    check_requested = Signal(str)  # a profile name

    def __init__(self, profiles: Sequence[Profile], store: ProfileStore, secrets: SecretStore,
                 keyring_problem: SecretProblem | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Profiles and credentials")
        self._profiles = list(profiles)
        self._store = store
        self._secrets = secrets
        self._editing: str | None = None
        self._stored: frozenset[str] = frozenset()  # secret kinds the keyring holds for it
        self.profile_list = QListWidget()
        self.profile_list.setAccessibleName("Profiles")
        self.profile_list.currentRowChanged.connect(self._on_profile_list_changed)
        self._build_fields()
        self.status = QLabel()
        self.status.setAccessibleName("Profile status")
        self.status.setWordWrap(True)
        self.keyring = QLabel(self._keyring_text(keyring_problem))
        self.keyring.setAccessibleName("Keyring")
        self.keyring.setWordWrap(True)
        self._build_layout()
        self._fill_list(select=0)

    # -- building -------------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.name = self._line("Profile name", "A name you will recognise, e.g. Acme live")
        self.endpoint = self._combo("Endpoint", _ENDPOINTS, "Where requests go")
        self.endpoint.currentIndexChanged.connect(self._update_enabled)
        self.api_key = self._line("API key", "From the Vonage Dashboard, 8 characters")
        self.api_secret = _secret_field("API secret", "Kept only in your system keyring")
        self.signature_secret = _secret_field(
            "Signature secret", "Only for signed requests; kept only in your system keyring")
        self.send_api = self._combo("Send through", _APIS, "Which Vonage API sends the SMS")
        self.send_api.currentIndexChanged.connect(self._update_enabled)
        self.application_id = self._line(
            "Application ID", "Messages API only: leave empty to sign in with key and secret")
        self.application_id.textChanged.connect(self._update_enabled)
        self.private_key = QPlainTextEdit()
        self.private_key.setAccessibleName("Private key")
        self.private_key.setToolTip(_KEY_TIP)
        self.private_key.setTabChangesFocus(True)
        self.private_key.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        self.auth = self._combo("Authentication", _AUTH, "How credentials travel")
        self.auth.currentIndexChanged.connect(self._update_enabled)
        self.signature_method = self._combo(
            "Signature method", tuple((m.value, m) for m in SignatureMethod),
            "The method chosen with the signature secret in the Vonage Dashboard")
        self.rest_url = self._line("REST base URL", "e.g. https://rest.nexmo.com")
        self.api_url = self._line("API base URL", "e.g. https://api.nexmo.com (Reports API)")

    def _line(self, name: str, tip: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setToolTip(tip)
        field.setPlaceholderText(tip)
        return field

    def _combo(self, name: str, choices: Sequence[tuple[str, object]], tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(tip)
        for text, value in choices:
            combo.addItem(text, value)
        return combo

    def _build_layout(self) -> None:
        form = QFormLayout()
        for label, field in (("&Name:", self.name), ("&Endpoint:", self.endpoint),
                             ("Send &through:", self.send_api),
                             ("API &key:", self.api_key), ("API &secret:", self.api_secret),
                             ("A&pplication ID:", self.application_id),
                             ("Private ke&y:", self.private_key),
                             ("&Authentication:", self.auth),
                             ("Si&gnature secret:", self.signature_secret),
                             ("Signature &method:", self.signature_method),
                             ("&REST base URL:", self.rest_url),
                             ("AP&I base URL:", self.api_url)):
            form.addRow(label, field)
        self.new_button = self._button("&New profile", "Start a new profile", self._on_new)
        self.save_button = self._button("Sa&ve", "Save the profile; secrets go to the keyring",
                                        self._on_save)
        self.delete_button = self._button("&Delete", "Delete the profile and its secrets",
                                          self._on_delete)
        self.check_button = self._button("&Check credentials",
                                         "Fetch the balance; no message is sent", self._on_check)
        actions = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.delete_button, self.check_button):
            actions.addWidget(button)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(actions)
        right.addWidget(self.status)
        right.addStretch()
        right.addWidget(self.keyring)
        body = QHBoxLayout()
        body.addWidget(self.profile_list, 1)
        body.addLayout(right, 2)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(close)
        self.resize(860, 520)

    def _button(self, text: str, tip: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", ""))
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _keyring_text(self, problem: SecretProblem | None) -> str:
        if problem is None:
            return f"Secrets are stored in: {self._secrets.backend_name}."
        return (f"<b>{problem.headline}.</b> {problem.cause} {problem.next_step} "
                "Until then, secrets you enter are kept for this session only and are "
                "never written to a file.")

    # -- showing a profile --------------------------------------------------------------------

    def _fill_list(self, select: int) -> None:
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        self.profile_list.addItems([profile.name for profile in self._profiles])
        self.profile_list.blockSignals(False)
        self.profile_list.setCurrentRow(min(select, len(self._profiles) - 1))
        self._on_profile_list_changed(self.profile_list.currentRow())

    def _on_profile_list_changed(self, row: int) -> None:
        profile = self._profiles[row] if 0 <= row < len(self._profiles) else None
        self._show(profile)

    def _show(self, profile: Profile | None) -> None:
        self._editing = profile.name if profile else None
        sandbox = profile is not None and profile.is_builtin
        self.name.setText(profile.name if profile else "")
        self.api_key.setText(profile.api_key if profile else "")
        self._select(self.endpoint, profile.kind if profile else EndpointKind.VONAGE)
        self._select(self.auth, profile.auth_method if profile else AuthMethod.BASIC)
        self._select(self.send_api, profile.send_api if profile else SendApi.SMS)
        self.application_id.setText(profile.application_id if profile else "")
        self._select(self.signature_method,
                     profile.signature_method if profile else SignatureMethod.MD5_HASH)
        self.rest_url.setText(profile.rest_base_url if profile else VONAGE_REST_URL)
        self.api_url.setText(profile.api_base_url if profile else VONAGE_API_URL)
        self._stored = (self._stored_kinds(profile.name) if profile and not sandbox
                        else frozenset())
        for field, kind in ((self.api_secret, "api_secret"),
                            (self.signature_secret, "signature_secret"),
                            (self.private_key, "private_key")):
            field.clear()
            field.setPlaceholderText(_KEEP if kind in self._stored else "")
        self.status.setText(_builtin_note(profile) if profile and sandbox else "")
        self._update_enabled()

    def _stored_kinds(self, name: str) -> frozenset[str]:
        """Which secrets the keyring holds for ``name``, asked once each time a profile is shown."""
        stored = set()
        for kind in ("api_secret", "signature_secret", "private_key"):
            try:
                if self._secrets.get(name, kind):
                    stored.add(kind)
            except SecretStoreError:
                pass
        return frozenset(stored)

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))

    def _update_enabled(self) -> None:
        sandbox = self._editing is not None and is_builtin_name(self._editing)
        for field in (self.name, self.endpoint, self.send_api, self.api_key, self.api_secret,
                      self.save_button, self.delete_button):
            field.setEnabled(not sandbox)
        # Qt hands item data back as plain str, so compare by value.
        messages = self.send_api.currentData() == SendApi.MESSAGES
        jwt = messages and bool(self.application_id.text().strip())
        self.application_id.setEnabled(not sandbox and messages)
        self.private_key.setEnabled(not sandbox and jwt)
        self.api_secret.setEnabled(not sandbox and not jwt)
        self.auth.setEnabled(not sandbox and not messages)  # the Messages API: Basic or a JWT
        signed = self.auth.currentData() == AuthMethod.SIGNATURE and not messages
        self.signature_secret.setEnabled(not sandbox and signed)
        self.signature_method.setEnabled(not sandbox and signed)
        custom = self.endpoint.currentData() == EndpointKind.CUSTOM
        self.rest_url.setEnabled(not sandbox and custom)
        self.api_url.setEnabled(not sandbox and custom)

    # -- actions ----------------------------------------------------------------------------------

    def _on_new(self) -> None:
        self.profile_list.clearSelection()
        self._show(None)
        self.name.setFocus()

    def _on_save(self) -> None:
        profile = self._profile_from_fields()
        problem = self._validate(profile)
        if problem:
            self.status.setText(problem)
            return
        try:
            self._store_secrets(profile.name)
        except SecretStoreError as error:
            self.status.setText(f"{error.problem.headline}. {error.problem.cause} "
                                f"{error.problem.next_step}")
            return
        replaced = [p for p in self._profiles if p.name != self._editing]
        self._profiles = [*replaced, profile]
        if self._persist():
            self._fill_list(select=self._profiles.index(profile))
            self.status.setText(f"Saved {profile.name}. Its secrets are in: "
                                f"{self._secrets.backend_name}.")

    def _profile_from_fields(self) -> Profile:
        return Profile(
            name=self.name.text().strip(), kind=EndpointKind(self.endpoint.currentData()),
            api_key=self.api_key.text().strip(), auth_method=AuthMethod(self.auth.currentData()),
            signature_method=SignatureMethod(self.signature_method.currentData()),
            rest_base_url=self.rest_url.text().strip() or VONAGE_REST_URL,
            api_base_url=self.api_url.text().strip() or VONAGE_API_URL,
            send_api=SendApi(self.send_api.currentData()),
            application_id=(self.application_id.text().strip()
                            if self.send_api.currentData() == SendApi.MESSAGES else ""))

    def _validate(self, profile: Profile) -> str | None:
        if not profile.name:
            return "Give the profile a name."
        if is_builtin_name(profile.name) or (
                profile.name != self._editing
                and any(p.name == profile.name for p in self._profiles)):
            return f"There is already a profile called {profile.name}."
        return self._key_problem() if profile.uses_jwt else self._secret_problem(profile)

    def _secret_problem(self, profile: Profile) -> str | None:
        """What is missing for a key-and-secret profile, in one sentence."""
        if not profile.api_key:
            return "Enter the API key from the Vonage Dashboard."
        if not self.api_secret.text() and "api_secret" not in self._stored:
            return "Enter the API secret from the Vonage Dashboard."
        if (profile.auth_method is AuthMethod.SIGNATURE and profile.send_api is SendApi.SMS
                and not self.signature_secret.text() and "signature_secret" not in self._stored):
            return "Signed requests need the signature secret from the Vonage Dashboard."
        return None

    def _key_problem(self) -> str | None:
        """What is wrong with the private key typed (or stored), in one sentence."""
        from smsgui.core.api.messages import PrivateKeyError, load_private_key

        pem = self.private_key.toPlainText().strip()
        if not pem:
            return (None if "private_key" in self._stored else
                    "Paste the application's private key (the private.key file from the "
                    "Vonage Dashboard).")
        try:
            load_private_key(pem)
        except PrivateKeyError as problem:
            return f"{problem} Nothing was saved."
        return None

    def _store_secrets(self, name: str) -> None:
        old = self._editing
        written = set()
        for field, kind in ((self.api_secret, "api_secret"),
                            (self.signature_secret, "signature_secret"),
                            (self.private_key, "private_key")):
            typed = field.toPlainText().strip() if isinstance(field, QPlainTextEdit) \
                else field.text()
            value = typed or (self._secrets.get(old, kind) if old and old != name else None)
            if value:
                self._secrets.set(name, kind, value)
                written.add(kind)
            field.clear()
        if old and old != name:
            self._secrets.delete_profile(old)
            self._stored = frozenset()
        elif old == name:
            self._stored |= written

    def _on_delete(self) -> None:
        name = self._editing
        if not name or is_builtin_name(name) or not self.confirm_delete(name):
            return
        try:
            self._secrets.delete_profile(name)
        except SecretStoreError as error:
            self.status.setText(f"{error.problem.headline}. {error.problem.next_step}")
            return
        self._profiles = [p for p in self._profiles if p.name != name]
        if self._persist():
            self._fill_list(select=0)
            self.status.setText(f"Deleted {name} and its secrets.")

    def _persist(self) -> bool:
        try:
            self._store.save(self._profiles)
        except DocumentError as error:
            self.status.setText(f"The profiles could not be saved: {error}")
            return False
        self.profiles_changed.emit(list(self._profiles))
        return True

    def _on_check(self) -> None:
        if self._editing:
            self.status.setText("Checking the balance...")
            self.check_requested.emit(self._editing)

    def confirm_delete(self, name: str) -> bool:
        """Asked before a profile and its secrets go; tests replace it."""
        answer = QMessageBox.question(
            self, "Delete profile?",
            f"Delete {name} and remove its secrets from the keyring? This cannot be undone.")
        return answer == QMessageBox.StandardButton.Yes

    def show_check_result(self, text: str) -> None:
        self.status.setText(text)
