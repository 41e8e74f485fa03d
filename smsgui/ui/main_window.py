"""The main window: compose on the left, results in the middle, troubleshooting on the right.

The window wires widgets to the core and to background jobs; it decides nothing itself.
Everything it needs comes in through ``Services`` (built by ``app.py``), and every dialog goes
through ``Prompter`` so tests can answer them.
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.api.profiles import EndpointKind, Profile, SendApi
from smsgui.core.api.secrets import (
    SecretProblem,
    SecretStoreError,
)
from smsgui.core.privacy import mask_number
from smsgui.core.reference.countries import known_countries
from smsgui.core.values import money_text
from smsgui.ui.compose import ComposeForm
from smsgui.ui.history_view import HistoryPanel
from smsgui.ui.receipts_view import ReceiptsPanel
from smsgui.ui.results import PreparedView, ResultsPane, prepare_view
from smsgui.ui.services import Services
from smsgui.ui.theme import Theme, apply_theme, current_theme
from smsgui.ui.troubleshooting import TroubleshootingPanel
from smsgui.ui.workers import CallJob, ClientFactory, JobFailure, SendJob

# What the first frame does not show - the HTTP client, the sandbox server, the history,
# documents, receipts and dialogs - is imported where it is first used, to keep start-up fast
# (bench/startup.py measures it).
if TYPE_CHECKING:
    import httpx

    from smsgui.core.api.apitypes import Credentials, Endpoint
    from smsgui.core.api.client import ApiOutcome, BalanceOutcome, SettingsOutcome, SmsApiClient
    from smsgui.core.api.documents import DocumentError
    from smsgui.core.checks.checks import Draft
    from smsgui.core.checks.findings import Finding
    from smsgui.core.checks.sending import BatchPlan
    from smsgui.core.delivery.exchange import Exchange
    from smsgui.core.delivery.receipts import ReceiptBook
    from smsgui.core.delivery.receiver import ReceiptReceiver
    from smsgui.core.records.history import History, HistoryError
    from smsgui.core.records.session import SendLedger, SendSession
    from smsgui.core.reference.knowledge import KnowledgeBase
    from smsgui.ui.countries_view import CountriesDialog
    from smsgui.ui.credentials import CredentialsDialog
    from smsgui.ui.summary_dialog import SummaryDialog

logger = logging.getLogger(__name__)
SANDBOX_BADGE = "SANDBOX - nothing is really sent"
LIVE_BADGE = "LIVE - {name} - charged"
CUSTOM_BADGE = "OWN SERVER - {name}"
_BADGE_NAME_CHARS = 18  # the badge stays about as wide as the sandbox's, whatever the name


def _short(name: str) -> str:
    return name if len(name) <= _BADGE_NAME_CHARS else name[:_BADGE_NAME_CHARS - 1] + "…"


def badge_for(profile: Profile) -> tuple[str, str, QStyle.StandardPixmap]:
    """The badge's text, tooltip and icon for sends through ``profile``."""
    if profile.is_sandbox:
        return (SANDBOX_BADGE, "The built-in sandbox answers like the real API; no SMS leaves "
                "this computer and nothing is charged.",
                QStyle.StandardPixmap.SP_MessageBoxInformation)
    endpoint = profile.endpoint()
    if profile.kind is EndpointKind.VONAGE:
        return (LIVE_BADGE.format(name=_short(profile.name)),
                f"Live: sends go to Vonage ({urlsplit(endpoint.rest_base_url).netloc}) on the "
                f"account of {profile.name}: real phones receive them and the account is "
                "charged.",
                QStyle.StandardPixmap.SP_MessageBoxWarning)
    host = urlsplit(endpoint.rest_base_url).netloc or endpoint.rest_base_url
    return (CUSTOM_BADGE.format(name=_short(profile.name)),
            f"Sends go to {host} ({endpoint.rest_base_url}), a server you set up, not Vonage's and "
            "not the built-in sandbox. What it does with them is up to that server.",
            QStyle.StandardPixmap.SP_MessageBoxWarning)
_REFUSED_CREDENTIALS = frozenset({"http-401", "http-403", "status-4"})
# The longest a request can take: connect 5 s, write 10 s and read 15 s timeouts.
_JOB_WAIT_MS = 35_000
_AFTER_FIRST_FRAME_MS = 300
OPEN_ON_WORKER_BYTES = 256 * 1024
"""Files from this size on are read on a worker, with a bar, so the window never stalls."""
REDRAW_DELAY_MS = 100
"""How long answers and receipts gather before the results are redrawn: one redraw a burst."""
HISTORY_WRITE_DELAY_MS = 500
"""How long receipts gather before their history rows are written: a burst costs one write."""
SAMPLE_SENDER = "smsgui"
SAMPLE_RECIPIENTS = "447700900000\n447700900029"
"""The sandbox's test numbers for "accepted, then delivered" and "refused with status 29"."""
SAMPLE_TEXT = "Hello from smsgui: this sample shows what a result looks like."
PREFERRED_SIZE = QSize(1400, 820)
"""The window's size on a first start, when the screen has room for it."""
_SPLITTER_SHARES = (0.34, 0.42, 0.24)
"""Compose, results and troubleshooting, as parts of the window's width on a first start."""


def fitted_geometry(frame: QRect, available: QRect, minimum: QSize | None = None) -> QRect:
    """``frame`` made to fit ``available`` (the screen less its task bars): shrunk if too big,
    never below ``minimum``, moved back on screen if it hangs over an edge."""
    least = minimum or QSize(0, 0)
    width = max(min(frame.width(), available.width()), least.width())
    height = max(min(frame.height(), available.height()), least.height())
    left = min(max(frame.left(), available.left()), available.right() - width + 1)
    top = min(max(frame.top(), available.top()), available.bottom() - height + 1)
    return QRect(left, top, width, height)


def splitter_sizes(width: int) -> list[int]:
    """The three panes' widths for a window ``width`` pixels wide."""
    return [round(width * share) for share in _SPLITTER_SHARES]


INTERPRETER_SWITCH_S = 0.001
"""How long a worker computing in Python may keep the interpreter while the window's thread
waits for it (Python's default is 5 ms). The window takes it for every event a Python method
handles, so with 5 ms a worker parsing a big file stretched one redraw to 50-90 ms."""

_COUNTRY_CHARACTERS = 18
"""The default-country list is as wide as this many characters; longer names are cut."""
_PRELOADED = ("phonenumbers", "smsgui.core.records.history", "smsgui.core.delivery.receiver",
              "smsgui.core.delivery.destination", "smsgui.core.checks.sending",
              "smsgui.core.delivery.receipts", "smsgui.core.records.session")
"""What typing a number and the first send import (~55 ms together): imported on a worker once
the window is up, so that first use does not stall it."""


def _preload(names: Sequence[str], make_http_client: Callable[[], object]) -> None:
    """Import ``names``, read the country rules (~50 ms), which the first recipient needs, and
    the network table (~25 ms), which the first answer needs, and make the HTTP client: loading
    its certificate authorities holds the interpreter ~40 ms, which during the first send would
    keep the window from drawing."""
    for name in names:
        importlib.import_module(name)
    from smsgui.core.reference.destinations import default_destination_table
    from smsgui.core.reference.networks import default_network_table

    default_destination_table()
    default_network_table()
    make_http_client()


def _missing_secret(profile: str, what: str) -> SecretProblem:
    return SecretProblem(
        f"No {what} is stored for {profile}",
        "smsgui keeps secrets only in your system keyring (or, without one, for this session), "
        "and there is none for this profile.",
        f"Open Profiles..., enter the {what} from the Vonage Dashboard and save.")


def _messages_client(profile: Profile, private_key: str | None, http: httpx.Client,
                     endpoint: Endpoint,
                     knowledge: KnowledgeBase) -> SmsApiClient | SecretProblem:
    """A Messages API client signing with the profile's application key (JWT)."""
    from smsgui.core.api.apitypes import Credentials
    from smsgui.core.api.messages import Application, MessagesApiClient

    if not private_key:
        return _missing_secret(profile.name, "application's private key")
    return MessagesApiClient(http, Credentials(profile.api_key or "-", "-"), endpoint,
                             knowledge=knowledge,
                             application=Application(profile.application_id, private_key))


def _api_client(profile: Profile, http: httpx.Client, credentials: Credentials,
                endpoint: Endpoint, knowledge: KnowledgeBase) -> SmsApiClient:
    """The client for the profile's API, signing with a key and secret."""
    if profile.send_api is SendApi.MESSAGES:
        from smsgui.core.api.messages import MessagesApiClient

        return MessagesApiClient(http, credentials, endpoint, knowledge=knowledge)
    from smsgui.core.api.client import SmsApiClient

    return SmsApiClient(http, credentials, endpoint, knowledge=knowledge)


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # opening it says why, in the user's words
        return 0


@dataclass(frozen=True)
class _OpenedFile:
    session: SendSession
    view: PreparedView


def _read_for_view(path: Path, knowledge: KnowledgeBase) -> _OpenedFile | DocumentError:
    """Read, decode and lay out a saved file: safe to run on a worker."""
    from smsgui.core.api.documents import DocumentError, load_documents

    try:
        documents = load_documents(path)
    except DocumentError as error:  # before loading the decoder: a refusal is quick and small
        return error
    from smsgui.core.delivery.exchange import exchange_from_document
    from smsgui.core.records.session import SendSession

    view = prepare_view([exchange_from_document(document, knowledge) for document in documents])
    return _OpenedFile(SendSession.reopened(view.exchanges, knowledge), view)


def _reopen_for_view(history: History, row_id: int,
                     knowledge: KnowledgeBase) -> PreparedView | HistoryError:
    """Read, decode and lay out a send kept in the history: safe to run on a worker."""
    from smsgui.core.delivery.exchange import exchange_from_document
    from smsgui.core.records.history import HistoryError

    try:
        documents = history.load(row_id)
    except HistoryError as error:
        return error
    return prepare_view([exchange_from_document(document, knowledge) for document in documents])


def _exempt_long_lived_objects() -> None:
    """Leave everything alive now (modules, tables, Qt wrappers) out of later full collections.

    Once the HTTP stack is loaded a full collection walks several hundred thousand objects that
    live as long as the app, stalling the window ~15 ms for nothing (bench/responsiveness.py
    step b found it). Called after the preload and after every send: the receipts ledger keeps
    the exchanges of the last sessions for late receipts, and after 2,000 sends a full
    collection walked 64,000 of them (45-65 ms stalls in bench/soak.py); freezing each time
    keeps full collections at a millisecond or two. The young generations are collected first,
    so recent garbage - such as a failed send's traceback - is freed rather than kept for good;
    what slips through is small (846 objects over 2,000 sends, no growth in resident memory).
    """
    gc.collect(1)
    gc.freeze()


@dataclass(frozen=True)
class AccountCheck:
    """What "Check credentials" learned: the balance, and the throughput cap when it worked."""

    profile: str
    balance: BalanceOutcome
    settings: SettingsOutcome | None


class Prompter:
    """Every question the window asks a person; tests replace it with scripted answers."""

    def confirm(self, parent: QWidget, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def save_path(self, parent: QWidget, suggested: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(parent, "Save response", suggested,
                                              "smsgui responses (*.json);;All files (*)")
        return Path(path) if path else None

    def open_path(self, parent: QWidget) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(parent, "Open response", "",
                                              "JSON files (*.json);;All files (*)")
        return Path(path) if path else None

    def error(self, parent: QWidget, headline: str, cause: str, next_step: str,
              details: str = "") -> None:
        from smsgui.ui.errors import ErrorDialog

        ErrorDialog(headline, cause, next_step, details, parent).open()


class ReceiptBridge(QObject):
    """Carries receipts from the receiver's threads to the UI thread."""

    received = Signal(object)  # the receipt's raw fields


class MainWindow(QMainWindow):
    def __init__(self, services: Services, prompter: Prompter | None = None) -> None:
        super().__init__()
        sys.setswitchinterval(INTERPRETER_SWITCH_S)
        self.services = services
        self.prompter = prompter or Prompter()
        self.setWindowTitle("smsgui")
        self.setAcceptDrops(True)
        self._session: SendSession | None = None
        self._history_note: str | None = None
        self._opening: Path | None = None
        self._reopening: int | None = None
        """The history row last asked to be reopened, while it is read on a worker."""
        self._preloaded = False
        self._concluding: tuple[object] | None = None
        """The result of a send that finished, until it is recorded (see _conclude_send)."""
        self._resume: tuple[BatchPlan, Profile] | None = None
        self._sessions_behind: set[SendSession] = set()
        self._history_writes = QThreadPool(self)
        self._history_writes.setMaxThreadCount(1)  # one at a time, in the order they came
        self._history_writer = self._single_shot(HISTORY_WRITE_DELAY_MS,
                                                 self.write_receipts_to_history)
        self._redraw_positions: set[int] = set()
        self._redraw_timer = self._single_shot(REDRAW_DELAY_MS, self.redraw_results)
        self._job: SendJob | None = None
        self._total = 0
        self._side_jobs: list[CallJob] = []
        self._throughput: dict[str, int] = {}
        self._shut_down = False
        self._shown_before = False
        self.summary_dialog: SummaryDialog | None = None
        self.credentials_dialog: CredentialsDialog | None = None
        self._profiles: list[Profile] = services.profiles.load()
        self.compose = ComposeForm(services.knowledge)
        self.compose.set_default_region(services.settings.default_country)
        self.results = ResultsPane()
        self.troubleshooting = TroubleshootingPanel(services.knowledge)
        self.history = HistoryPanel(self._open_history, settings=services.settings,
                                    pool=services.pool)
        self.receipts = ReceiptsPanel()
        self._ledger: SendLedger | None = None
        self._receipt_bridge = ReceiptBridge()
        self._receiver: ReceiptReceiver | None = None
        self._build_profile_bar()
        self._build_layout()
        self._build_menus()
        self._connect()
        self._catch_file_drops()
        self._restore()

    # -- building -------------------------------------------------------------------------------

    def _build_profile_bar(self) -> None:
        self.profile_combo = QComboBox()
        self.profile_combo.setAccessibleName("Profile")
        self.profile_combo.setToolTip("Where messages go and which account pays for them")
        self.badge = QLabel(SANDBOX_BADGE)
        self.badge.setAccessibleName("Account badge")
        self.badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        self.badge_icon = QLabel()
        self.badge_icon.setAccessibleName("Account badge icon")
        self.country_combo = QComboBox()
        self.country_combo.setAccessibleName("Default country")
        self.country_combo.setToolTip("The country of numbers written without a country code")
        for code, name in sorted(known_countries().items(), key=lambda item: item[1]):
            self.country_combo.addItem(f"{name} ({code})", code)
        self.country_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.country_combo.setMinimumContentsLength(_COUNTRY_CHARACTERS)
        self.manage_button = QPushButton("&Profiles...")
        self.manage_button.setAccessibleName("Manage profiles")
        self.manage_button.setToolTip("Add, edit or delete profiles and their credentials")
        self.check_button = QPushButton("Check &credentials")
        self.check_button.setAccessibleName("Check credentials")
        self.check_button.setToolTip("Fetch the balance to test the credentials; "
                                     "no message is sent")
        self.balance = QLabel()
        self.balance.setAccessibleName("Balance")
        self.delivery_button = QPushButton("Check &delivery")
        self.delivery_button.setAccessibleName("Check delivery")
        self.delivery_button.setToolTip("Ask the Reports API what became of the messages shown: "
                                        "delivered, failed and why")
        self.cancel_button = QPushButton("Cancel sending")
        self.cancel_button.setAccessibleName("Cancel sending")
        self.cancel_button.setToolTip("Drop the recipients not sent yet; the message in "
                                      "flight is never sent twice")
        self.cancel_button.setEnabled(False)
        self.resume_button = QPushButton("&Resume sending")
        self.resume_button.setAccessibleName("Resume sending")
        self.resume_button.setToolTip("Send to the recipients the cancelled send did not reach; "
                                      "none that were sent are sent again")
        self.resume_button.hide()
        self._fill_profiles()

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        profile_label = QLabel("Send &with:")
        profile_label.setBuddy(self.profile_combo)
        for widget in (profile_label, self.profile_combo, self.badge_icon, self.badge,
                       self.manage_button, self.check_button, self.balance):
            bar.addWidget(widget)
        bar.addStretch()
        country_label = QLabel("National &numbers are from:")
        country_label.setBuddy(self.country_combo)
        self.compose.place_region_selector(country_label, self.country_combo)
        self.results.add_header_widgets(self.delivery_button, self.cancel_button,
                                        self.resume_button)
        left = QTabWidget()
        left.setAccessibleName("Compose and history")
        left.addTab(self.compose, "&Compose")
        left.addTab(self.history, "&History")
        left.addTab(self.receipts, "&Receipts")
        self.left_tabs = left
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for pane in (left, self.results, self.troubleshooting):
            splitter.addWidget(pane)
        splitter.setStretchFactor(1, 2)
        for index in range(3):  # hidden only through View > Troubleshooting panel, never to 0 px
            splitter.setCollapsible(index, False)
        self.splitter = splitter
        central = QWidget()
        column = QVBoxLayout(central)
        column.addLayout(bar)
        column.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Ready")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action(file_menu, "&Open...", QKeySequence.StandardKey.Open,
                                        self.open_file)
        self.save_action = self._action(file_menu, "&Save...", QKeySequence.StandardKey.Save,
                                        self.save_file)
        self.paste_action = self._action(file_menu, "&Paste response",
                                         QKeySequence("Ctrl+Shift+V"), self.paste_response)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.copy_summary_action = self._action(
            edit_menu, "&Copy diagnostic summary...", QKeySequence("Ctrl+Shift+C"),
            self.copy_summary)
        account_menu = self.menuBar().addMenu("&Account")
        self._action(account_menu, "Manage &profiles...", None, self.manage_profiles)
        self._action(account_menu, "&Check credentials", None, self.check_credentials)
        self._build_view_menu()
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Countries and their rules...", None, self.show_countries)
        self._action(help_menu, "Run &self-test", None, self.run_self_test)
        self._action(help_menu, "&About smsgui", None, self.show_about)
        self._update_actions()

    def send_sample(self) -> None:
        """Send the sample to the sandbox, leaving whatever the form holds as it is."""
        from smsgui.core.checks.checks import Draft, check_draft
        from smsgui.core.checks.sending import plan_batch

        profile = self.profile
        if not profile.is_sandbox or self._job is not None:
            return
        draft = Draft((SAMPLE_RECIPIENTS,), SAMPLE_SENDER, SAMPLE_TEXT)
        plan = plan_batch(draft, check_draft(draft),
                          status_report_callback=self._receipt_callback(profile))
        self._start_send(plan, profile)

    def show_troubleshooting(self) -> None:
        """Bring the troubleshooting panel back if it was hidden, at a usable width."""
        self.troubleshooting_action.setChecked(True)
        sizes = self.splitter.sizes()
        if sizes[2] == 0:
            self.splitter.setSizes(splitter_sizes(self.width()))

    def fit_to_screen(self) -> None:
        """Shrink and move the window so all of it is on the screen it opens on."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None or self.isMaximized() or self.isFullScreen():
            return
        frame = self.frameGeometry()
        margins = (frame.width() - self.width(), frame.height() - self.height())
        least = self.minimumSizeHint().expandedTo(self.minimumSize())
        placed = fitted_geometry(frame, screen.availableGeometry(),
                                 QSize(least.width() + margins[0], least.height() + margins[1]))
        if placed == frame:
            return  # already fits, or is as small as it can be: a resize would only relayout
        self.resize(placed.width() - margins[0], placed.height() - margins[1])
        self.move(placed.topLeft())

    def _build_view_menu(self) -> None:
        view_menu = self.menuBar().addMenu("&View")
        self.troubleshooting_action = QAction("&Troubleshooting panel", self)
        self.troubleshooting_action.setCheckable(True)
        self.troubleshooting_action.setChecked(True)
        self.troubleshooting_action.setShortcut(QKeySequence("F9"))
        self.troubleshooting_action.toggled.connect(self.troubleshooting.setVisible)
        view_menu.addAction(self.troubleshooting_action)
        theme_menu = view_menu.addMenu("T&heme")
        self.theme_actions: dict[Theme, QAction] = {}
        group = QActionGroup(self)
        for theme in Theme:
            action = QAction(theme.label, group)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked, chosen=theme: self.set_theme(chosen))
            theme_menu.addAction(action)
            self.theme_actions[theme] = action

    def set_theme(self, theme: Theme, *, remember: bool = True) -> None:
        """Follow the system's light or dark scheme, or force one; remembered."""
        apply_theme(theme)
        self.theme_actions[theme].setChecked(True)
        if remember:
            self.services.settings.theme = theme.value

    def show_countries(self, iso: str | None = None) -> CountriesDialog:
        """Open the Countries dialog, on ``iso``'s rules when given."""
        from smsgui.ui.countries_view import CountriesDialog

        dialog = CountriesDialog(parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if iso:
            dialog.show_country(iso)
        dialog.open()
        return dialog

    def _on_compose_finding_requested(self, finding: Finding) -> None:
        """A country rule's finding shows its own words above its entry; others show none."""
        from smsgui.core.delivery.destination import note_of_finding

        self.troubleshooting.set_destination_notes(
            [note_of_finding(finding)] if finding.country and finding.source else [])

    def show_about(self) -> None:
        from smsgui.ui.about import AboutDialog

        AboutDialog(self).open()

    def _action(self, menu: object, text: str, shortcut: QKeySequence | QKeySequence.StandardKey
                | None, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    def _connect(self) -> None:
        self.compose.send_requested.connect(self._on_compose_send_requested)
        self.compose.finding_requested.connect(self._on_compose_finding_requested)
        self.compose.entry_requested.connect(self.troubleshooting.highlight)
        self.results.notes_changed.connect(self.troubleshooting.set_destination_notes)
        self.results.sample_requested.connect(self.send_sample)
        self.results.cards.delivery_requested.connect(self.check_delivery)
        self.results.cards.entry_requested.connect(lambda _entry: self.show_troubleshooting())
        self.results.cards.summary_requested.connect(self.copy_summary)
        self.results.entry_selected.connect(self.troubleshooting.highlight)
        self.history.reopen_requested.connect(self._on_history_reopen_requested)
        self.profile_combo.currentIndexChanged.connect(self._on_profile_combo_changed)
        self.check_button.clicked.connect(self.check_credentials)
        self.manage_button.clicked.connect(self.manage_profiles)
        self.delivery_button.clicked.connect(self.check_delivery)
        self.country_combo.currentIndexChanged.connect(self._on_country_combo_changed)
        self.receipts.start_requested.connect(self.start_receiver)
        self.receipts.stop_requested.connect(self.stop_receiver)
        self._receipt_bridge.received.connect(self._on_receipt_received)
        self.cancel_button.clicked.connect(self.cancel_sending)
        self.resume_button.clicked.connect(self.resume_sending)

    def _restore(self) -> None:
        settings = self.services.settings
        if settings.geometry is None or not self.restoreGeometry(settings.geometry):
            self.resize(PREFERRED_SIZE)
        self.fit_to_screen()
        # The theme is the application's: a second window (the self-test's) shows it, never
        # resets it.
        applied = current_theme()
        self.set_theme(Theme.from_setting(settings.theme) if applied is None else applied,
                       remember=applied is None)
        if settings.splitter_state is None or not self.splitter.restoreState(
                settings.splitter_state):
            self.splitter.setSizes(splitter_sizes(self.width()))
        country = self.country_combo.findData(settings.default_country)
        self.country_combo.setCurrentIndex(max(country, 0))
        names = [profile.name for profile in self._profiles]
        if settings.last_profile in names:
            self.profile_combo.setCurrentIndex(names.index(settings.last_profile))
        self._on_profile_combo_changed()

    def _fill_profiles(self) -> None:
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for profile in self._profiles:
            self.profile_combo.addItem(profile.name)
        self.profile_combo.blockSignals(False)

    # -- profile and credentials ----------------------------------------------------------------

    @property
    def profile(self) -> Profile:
        """The profile chosen under "Send with": where the next send goes."""
        return self._profiles[max(self.profile_combo.currentIndex(), 0)]

    @property
    def profiles(self) -> tuple[Profile, ...]:
        return tuple(self._profiles)

    def reload_profiles(self) -> None:
        """Read the profiles again from their store, keeping the chosen one if it is still
        there."""
        self._on_profiles_changed(self.services.profiles.load())

    def _on_profile_combo_changed(self) -> None:
        profile = self.profile
        self._show_badge(profile)
        self.compose.set_sandbox(profile.is_sandbox)
        self.compose.set_via_messages_api(profile.send_api is SendApi.MESSAGES)
        self.results.set_sandbox(profile.is_sandbox)
        self.balance.clear()
        self._forget_resume()  # it would go through the profile it was started with
        self.services.settings.last_profile = profile.name

    def _show_badge(self, profile: Profile) -> None:
        """Say in words, with an icon, where a send goes: colour alone is easy to miss."""
        text, tip, icon = badge_for(profile)
        self.badge.setText(text)
        self.badge.setToolTip(tip)
        # The sandbox in the palette's own highlight pair; a live account in a fixed red with
        # white text, which reads on light and dark schemes alike.
        colours = ("color: palette(highlighted-text); background: palette(highlight);"
                   if profile.is_sandbox else "color: white; background: #b3261e;")
        self.badge.setStyleSheet("QLabel { font-weight: bold; padding: 3px 10px; "
                                 f"{colours} border-radius: 4px; }}")
        extent = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        self.badge_icon.setPixmap(self.style().standardIcon(icon).pixmap(extent, extent))
        self.badge_icon.setToolTip(tip)

    def _client_factory(self, profile: Profile) -> ClientFactory:
        """Makes the profile's client on a worker thread: the keyring may wait for an unlock."""
        secrets, http, sandbox = self.services.secrets, self.services.http, self.services.sandbox
        knowledge = self.services.knowledge

        def make() -> SmsApiClient | SecretProblem:
            from smsgui.core.api.apitypes import Credentials
            from smsgui.core.delivery.destination import destination_notes  # noqa: F401
            from smsgui.core.reference.destinations import default_destination_table

            default_destination_table()  # the result's country notes need it: load it here
            endpoint = profile.endpoint(sandbox.url() if profile.is_sandbox else None)
            if profile.is_builtin:
                return _api_client(profile, http.get(), sandbox.credentials(profile.auth_method),
                                   endpoint, knowledge)
            try:
                secret = secrets.get(profile.name, "api_secret")
                signature = secrets.get(profile.name, "signature_secret")
                private_key = secrets.get(profile.name, "private_key") if profile.uses_jwt else None
            except SecretStoreError as error:
                return error.problem
            if profile.uses_jwt:
                return _messages_client(profile, private_key, http.get(), endpoint, knowledge)
            if not secret:
                return _missing_secret(profile.name, "API secret")
            credentials = Credentials(profile.api_key, secret, signature_secret=signature,
                                      signature_method=profile.signature_method,
                                      auth_method=profile.auth_method)
            return _api_client(profile, http.get(), credentials, endpoint, knowledge)

        return make

    def _open_history(self) -> History | None:
        """The history, opened on first use; says so when a damaged one was set aside."""
        history, note = self._open_history_with_note()
        if note:
            self.statusBar().showMessage(note)
        return history

    def _open_history_with_note(self) -> tuple[History | None, str | None]:
        opening = not self.services.history.built
        history = self.services.history.get()
        if opening and history is not None and history.recovered_from is not None:
            return history, (f"The history was damaged, so it was set aside as "
                             f"{history.recovered_from.name} and a new one started.")
        return history, None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._shown_before:
            self._shown_before = True
            self.fit_to_screen()  # now that the window has its frame, and its screen
            QTimer.singleShot(0, self, self.fit_to_screen)  # a window manager adds it later
            QTimer.singleShot(_AFTER_FIRST_FRAME_MS, self, self._after_first_frame)

    def _after_first_frame(self) -> None:
        """Work the first frame does not wait for, on worker threads."""
        if self._shut_down:
            return
        self._probe_keyring()
        make_http_client = self.services.http.get
        self._start_side_job(CallJob(lambda: _preload(_PRELOADED, make_http_client)),
                             self._on_preloaded)

    @property
    def preloaded(self) -> bool:
        """What the first send needs has been loaded in the background (see ``_preload``)."""
        return self._preloaded

    def _on_preloaded(self, _result: object) -> None:
        # PySide6 makes QAccessible's enums the first time it is touched (~17 ms): here, while
        # the window is idle, rather than when the first verdict is announced.
        from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent  # noqa: F401

        QAccessible.isActive()
        _exempt_long_lived_objects()
        self._preloaded = True

    def _probe_keyring(self) -> None:
        """Ask the keyring whether it works, off the UI thread: it may wait for an unlock."""
        if self.services.secrets.persistent and self.services.keyring_problem is None:
            self._start_side_job(CallJob(self.services.secrets.status), self._on_keyring_probed)

    def _on_keyring_probed(self, problem: object) -> None:
        if isinstance(problem, SecretProblem):
            logger.warning("No usable keyring (%s); secrets are kept for this session only",
                           problem.headline)
            self.services.keyring.fall_back_to_memory(problem)
            self.statusBar().showMessage(
                f"{problem.headline}: secrets you enter are kept for this session only.")

    def _on_country_combo_changed(self) -> None:
        region = str(self.country_combo.currentData())
        self.services.settings.default_country = region
        self.compose.set_default_region(region)

    def manage_profiles(self) -> None:
        from smsgui.ui.credentials import CredentialsDialog

        dialog = CredentialsDialog(self._profiles, self.services.profiles, self.services.secrets,
                                   self.services.keyring_problem, self)
        dialog.profiles_changed.connect(self._on_profiles_changed)
        dialog.check_requested.connect(self._on_dialog_check_requested)
        self.credentials_dialog = dialog
        dialog.open()

    def _on_profiles_changed(self, profiles: list[Profile]) -> None:
        current = self.profile.name
        self._profiles = profiles
        self._fill_profiles()
        names = [profile.name for profile in profiles]
        self.profile_combo.setCurrentIndex(names.index(current) if current in names else 0)
        self._on_profile_combo_changed()

    def _on_dialog_check_requested(self, name: str) -> None:
        """Check the profile the dialog names; choosing where sends go stays the user's act."""
        profile = next((profile for profile in self._profiles if profile.name == name), None)
        if profile is not None:
            self.check_credentials(profile)

    def check_credentials(self, profile: Profile | None = None) -> None:
        """Fetch the balance of ``profile`` (the selected one by default); nothing is sent."""
        if self._job is not None:
            return
        profile = profile or self.profile
        if profile.uses_jwt:
            self._show_problem(
                f"The balance of {profile.name} cannot be checked here",
                "This profile signs its sends with an application's private key, and the "
                "balance is given only for the account's API key and secret.",
                "Look the balance up in the Vonage Dashboard, or add a profile with the "
                "account's API key and secret and check that one. Nothing was sent.")
            return
        make = self._client_factory(profile)

        def check() -> AccountCheck | SecretProblem:
            client = make()
            if isinstance(client, SecretProblem):
                return client
            balance = client.balance()
            settings = client.settings() if balance.balance is not None else None
            return AccountCheck(profile.name, balance, settings)

        if profile == self.profile:
            self.balance.setText("Checking...")
        self._start_side_job(CallJob(check), self._on_account_checked)

    def _on_account_checked(self, result: object) -> None:
        if self.balance.text() == "Checking...":
            self.balance.clear()
        if isinstance(result, SecretProblem):
            self._show_problem(result.headline, result.cause, result.next_step)
            return
        if not isinstance(result, AccountCheck):
            self._show_job_failure(result)
            return
        cap = result.settings.max_outbound_request if result.settings else None
        if cap:
            self._throughput[result.profile] = cap
        message = self._describe_check(result, cap)
        self.statusBar().showMessage(message)
        dialog = self.credentials_dialog
        if dialog is not None and dialog.isVisible():
            dialog.show_check_result(message)

    def _describe_check(self, result: AccountCheck, cap: int | None) -> str:
        outcome = result.balance.outcome
        current = result.profile == self.profile.name
        if result.balance.balance is not None:
            if current:
                self.balance.setText(f"Balance: {money_text(result.balance.balance)}")
            limit = f"; up to {cap} requests per second" if cap else ""
            return f"{result.profile}: credentials work. {outcome.headline.rstrip('.')}{limit}."
        knowledge = self.services.knowledge
        entry = knowledge.get(outcome.entry_id) if outcome.entry_id in knowledge else None
        if entry is not None and current:
            self.troubleshooting.highlight(entry.id)
        if outcome.entry_id in _REFUSED_CREDENTIALS:
            if current:
                self.balance.setText("Credentials not accepted")
            return f"{result.profile}: the API key or secret was not accepted."
        if entry is not None:
            self._show_problem(outcome.headline, entry.meaning, entry.next_steps[0])
        return f"{result.profile}: the credentials could not be checked. {outcome.headline}"

    # -- sending --------------------------------------------------------------------------------

    def _on_compose_send_requested(self, draft: Draft) -> None:
        from smsgui.core.checks.sending import DEFAULT_THROUGHPUT, plan_batch

        if self._job is not None:
            return
        profile = self.profile
        throughput = self._throughput.get(profile.name, DEFAULT_THROUGHPUT)
        plan = plan_batch(draft, self.compose.report(), throughput=throughput,
                          status_report_callback=self._receipt_callback(profile))
        if not plan.messages:
            return
        if not profile.is_sandbox and not self._confirm_live_send(plan, profile):
            return
        self._start_send(plan, profile)

    def _confirm_live_send(self, plan: BatchPlan, profile: Profile) -> bool:
        price = self.services.settings.price_per_part
        cost = plan.estimated_cost(price)
        recipients = len(plan.messages)
        text = (f"Send {plan.total_parts} SMS part(s) to {recipients} recipient(s) through "
                f"{profile.name}?\n\nEstimated cost: about {cost:.2f} EUR "
                f"({price} EUR per part; the real price depends on the destination). "
                "Real phones will receive this message.")
        return self.prompter.confirm(self, "Send for real?", text)

    def _start_send(self, plan: BatchPlan, profile: Profile) -> None:
        from smsgui.core.records.session import SendSession

        history, self._history_note = self._open_history_with_note()
        self._session = SendSession(profile, self.services.knowledge, history)
        self.ledger.track(self._session)
        self._total = len(plan.messages)
        self._redraw_positions.clear()
        self.results.clear()
        self.results.cards.hold(self._total > 1)
        self.results.show_progress(0, self._total)
        self._forget_resume()
        self._job = SendJob(plan, self._client_factory(profile))
        self._job.signals.progressed.connect(self._on_send_progressed)
        self._job.signals.retrying.connect(self._on_send_retrying)
        self._job.signals.finished.connect(self._on_send_finished)
        self._set_sending(True)
        self.statusBar().showMessage(f"Sending to {self._total} recipient(s)...")
        self.services.pool.start(self._job)

    def _set_sending(self, sending: bool) -> None:
        """While a send runs, nothing may change where it goes or what the results show."""
        for widget in (self.profile_combo, self.manage_button, self.check_button,
                       self.country_combo, self.history):
            widget.setEnabled(not sending)
        for action in (self.open_action, self.paste_action):
            action.setEnabled(not sending)
        self.setAcceptDrops(not sending)
        self.compose.set_busy(sending)
        self.cancel_button.setEnabled(sending)
        self._update_actions()

    def resume_sending(self) -> None:
        """Send the cancelled batch's recipients that were never started, with its profile."""
        if self._resume is None or self._job is not None:
            return
        plan, profile = self._resume
        if not profile.is_sandbox and not self._confirm_live_send(plan, profile):
            return
        self._start_send(plan, profile)

    @property
    def can_resume(self) -> bool:
        return self._resume is not None

    def _offer_resume(self, plan: BatchPlan, profile: Profile) -> None:
        self._resume = (plan, profile)
        self.resume_button.setText(f"&Resume sending ({len(plan.messages)} left)")
        self.resume_button.show()

    def _forget_resume(self) -> None:
        self._resume = None
        self.resume_button.hide()

    def _on_send_retrying(self, index: int, wait_s: float) -> None:
        self.statusBar().showMessage(
            f"Recipient {index + 1} was throttled: nothing was accepted or charged, so smsgui "
            f"sends it once more in {wait_s:.1f} s, as the API asked.")

    def cancel_sending(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.cancel_button.setEnabled(False)
            self.statusBar().showMessage("Cancelling: the message in flight finishes, "
                                         "the rest are not sent.")

    def _on_send_progressed(self, index: int, outcome: ApiOutcome) -> None:
        session = self._session
        if session is None:
            return
        session.add_outcome(outcome, self.receipt_book)
        self._redraw_soon([len(session.exchanges) - 1])
        if len(session.exchanges) == 1:  # the first answer goes up at once; later ones gather
            self.redraw_results()

    def _redraw_soon(self, positions: Iterable[int]) -> None:
        """Have the exchanges at ``positions`` of the send on screen redrawn shortly: answers
        and receipts arrive dozens a second, and one redraw per burst keeps the window free."""
        self._redraw_positions.update(positions)
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    @property
    def redraw_pending(self) -> bool:
        """Answers or receipts have arrived that the results do not show yet."""
        return bool(self._redraw_positions)

    def redraw_results(self) -> None:
        """Put what arrived since the last redraw on screen now."""
        self._redraw_timer.stop()
        positions, self._redraw_positions = self._redraw_positions, set()
        session = self._session
        if session is None or not positions:
            return
        self.results.update_exchanges(session.exchanges, positions)
        if self._job is not None:
            self.results.show_progress(len(session.exchanges), self._total)
        self._update_actions()

    def _on_send_finished(self, result: object) -> None:
        _exempt_long_lived_objects()
        self.redraw_results()
        self.results.show_progress(self._total, self._total)
        # Recording the send and handing the controls back wait for the next turn of the event
        # loop: with the last redraw in the same turn, the window would stall for too long.
        self._concluding = (result,)
        QTimer.singleShot(0, self, self._conclude_send)

    def _conclude_send(self) -> None:
        """The send is over: record it, give the controls back and say how it went."""
        from smsgui.core.checks.sending import BatchResult

        if self._concluding is None:
            return
        (result,), self._concluding = self._concluding, None
        job, self._job = self._job, None
        self._set_sending(False)
        self.results.cards.hold(False)
        history_note = self._record_history()
        exchanges = self.exchanges

        def status(message: str) -> None:  # what the send did, then what became of its record
            self.statusBar().showMessage(f"{message} {history_note}" if history_note else message)

        if isinstance(result, SecretProblem):
            status("Nothing was sent.")
            self._show_problem(result.headline, result.cause, result.next_step)
            return
        if isinstance(result, JobFailure):
            status("The send stopped on an unexpected error.")
            self._show_job_failure(result)
            return
        failed = sum(1 for exchange in exchanges if not exchange.ok)
        done = f"{len(exchanges) - failed} of {len(exchanges)} recipient(s) without a problem"
        if isinstance(result, BatchResult) and result.cancelled:
            status(f"Cancelled: {done}; {result.not_started} recipient(s) were not sent.")
            session = self._session
            if job is not None and result.can_resume and session and session.profile:
                self._offer_resume(job.plan.remaining(result), session.profile)
        else:
            problems = f"; {failed} with a problem - see the results" if failed else ""
            status(f"Done: {done}{problems}.")

    def _record_history(self) -> str | None:
        """Record the send; returns what the person should know about the history, if anything."""
        session = self._session
        if session is None:
            return None
        session.finish()
        self.history.refresh()
        note, self._history_note = self._history_note, None
        return " ".join(text for text in (session.history_problem, note) if text) or None

    # -- results from elsewhere -----------------------------------------------------------------

    @property
    def session(self) -> SendSession | None:
        """The send (or opened answer) on screen, with all that is known about it."""
        return self._session

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        return self._session.exchanges if self._session is not None else ()

    @property
    def is_sending(self) -> bool:
        return self._job is not None

    @property
    def is_busy_in_background(self) -> bool:
        """A balance check, delivery check, keyring probe or preload is still running."""
        return bool(self._side_jobs)

    def throughput_of(self, profile: Profile) -> int | None:
        """The requests per second ``profile``'s account allows, once Check credentials said."""
        return self._throughput.get(profile.name)

    def show_exchanges(self, exchanges: Sequence[Exchange], profile: Profile | None = None,
                       row_id: int | None = None) -> None:
        """Show answers that were not sent from here: opened, pasted or reopened."""
        from smsgui.core.records.session import SendSession

        self.show_session(SendSession.reopened(exchanges, self.services.knowledge, profile,
                                               self.services.history.peek(), row_id))

    def show_session(self, session: SendSession, view: PreparedView | None = None) -> None:
        """Show ``session``; ``view`` is its exchanges already prepared for the pane, used when
        no receipt changed them meanwhile."""
        self._forget_resume()  # the cancelled send is no longer the one on screen
        self._redraw_positions.clear()  # they were places in the send shown before
        self._session = session
        if session.message_ids:
            self.ledger.track(session)
        exchanges = session.exchanges
        unchanged = view is not None and len(view.exchanges) == len(exchanges) and all(
            shown is current for shown, current in zip(view.exchanges, exchanges, strict=True))
        self.results.show_exchanges(view if view is not None and unchanged else exchanges)
        self._update_actions()

    def open_file(self) -> None:
        path = self.prompter.open_path(self)
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path) -> None:
        """Open a saved document; a big one is read on a worker while a bar shows it coming."""
        if self._opening is not None:
            self.statusBar().showMessage(f"Still opening {self._opening.name}...")
            return
        from smsgui.core.api.documents import MAX_DOCUMENT_BYTES

        knowledge = self.services.knowledge
        size = _size_of(path)
        if size < OPEN_ON_WORKER_BYTES or size > MAX_DOCUMENT_BYTES:  # quick, or refused
            self._show_opened(path, _read_for_view(path, knowledge))
            return
        self._opening = path
        self._set_opening(True)
        note = f"Opening {path.name} ({size / 1_000_000:.1f} MB)..."
        self.results.show_busy(note)
        self.statusBar().showMessage(note)
        self._start_side_job(CallJob(lambda: _read_for_view(path, knowledge)),
                             lambda result: self._on_opened(path, result))

    @property
    def is_opening(self) -> bool:
        """A big file, or a send from the history, is being read on a worker."""
        return self._opening is not None or self._reopening is not None

    def _set_opening(self, opening: bool) -> None:
        for action in (self.open_action, self.paste_action):
            action.setEnabled(not opening and self._job is None)
        self.setAcceptDrops(not opening and self._job is None)

    def _on_opened(self, path: Path, result: object) -> None:
        self._opening = None
        self._set_opening(False)
        self.results.show_busy(None)
        if self._job is not None:  # a send started meanwhile: its results stay on screen
            self.statusBar().showMessage(f"{path.name} was read, but a send is running: "
                                         "open it again when the send is done.")
            return
        self._show_opened(path, result)

    def _show_opened(self, path: Path, result: object) -> None:
        from smsgui.core.api.documents import DocumentError

        if isinstance(result, DocumentError):
            self.prompter.error(self, f"Cannot open {path.name}.", str(result),
                                "Choose a file saved by smsgui, or an API answer saved as text.")
        elif isinstance(result, _OpenedFile):
            self.show_session(result.session, result.view)
            self.statusBar().showMessage(f"Opened {path.name}")
        else:
            self._show_job_failure(result)

    def save_file(self) -> None:
        from smsgui.core.api.documents import DocumentError, save_documents

        exchanges = self.exchanges
        if not exchanges:
            return
        path = self.prompter.save_path(self, "sms-response.json")
        if path is None:
            return
        try:
            save_documents([exchange.document for exchange in exchanges], path)
        except DocumentError as error:
            self.prompter.error(self, "The response was not saved.", str(error),
                                "Choose another folder, or check that there is free space.")
            return
        self.statusBar().showMessage(f"Saved to {path}")

    def paste_response(self) -> None:
        from smsgui.core.api.documents import DocumentError, parse_documents
        from smsgui.core.delivery.exchange import exchange_from_document

        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.statusBar().showMessage("The clipboard is empty: copy an API answer first.")
            return
        try:
            documents = parse_documents(text)
        except DocumentError as error:
            self.prompter.error(self, "The clipboard text cannot be read.", str(error),
                                "Copy the whole API answer and paste again.")
            return
        self.show_exchanges([exchange_from_document(d, self.services.knowledge)
                             for d in documents])
        self.statusBar().showMessage("Decoded the answer from the clipboard.")

    def _on_history_reopen_requested(self, row_id: int) -> None:
        """Read the send on a worker (50 answers take ~30 ms to decode); the last click wins."""
        history = self._open_history()
        if history is None:
            return
        self._reopening = row_id
        knowledge = self.services.knowledge
        self._start_side_job(CallJob(lambda: _reopen_for_view(history, row_id, knowledge)),
                             lambda result: self._on_reopened(history, row_id, result))

    def _on_reopened(self, history: History, row_id: int, result: object) -> None:
        from smsgui.core.records.history import HistoryError
        from smsgui.core.records.session import SendSession

        if row_id != self._reopening:  # another send was clicked meanwhile
            return
        self._reopening = None
        if self._job is not None:  # a send started meanwhile: its results stay on screen
            self.statusBar().showMessage("A send is running: reopen that send when it is done.")
        elif isinstance(result, HistoryError):
            self._show_problem("This send cannot be reopened.", str(result),
                               "Search the history again; the list may be out of date.")
            self.history.refresh()
        elif isinstance(result, PreparedView):
            session = SendSession.reopened(result.exchanges, self.services.knowledge,
                                           self._profile_that_sent(history, row_id), history,
                                           row_id)
            self.show_session(session, result)
            self.statusBar().showMessage("Reopened from the history.")
        else:
            self._show_job_failure(result)

    def _profile_that_sent(self, history: History, row_id: int) -> Profile | None:
        from smsgui.core.records.history import HistoryError

        try:
            name = history.row(row_id).profile
        except HistoryError:
            return None
        return next((profile for profile in self._profiles if profile.name == name), None)

    def copy_summary(self) -> None:
        from smsgui.core.report.summary import SummaryOptions
        from smsgui.ui.summary_dialog import SummaryDialog

        if not self.exchanges:
            self.statusBar().showMessage("Nothing to summarise yet: send or open a response.")
            return
        settings = self.services.settings
        options = SummaryOptions(markdown=settings.summary_markdown,
                                 mask_numbers=settings.mask_numbers)
        dialog = SummaryDialog(self.exchanges, options, self)
        dialog.accepted.connect(lambda: self._remember_summary_options(dialog))
        dialog.open()
        self.summary_dialog = dialog

    def _remember_summary_options(self, dialog: SummaryDialog) -> None:
        options = dialog.options()
        self.services.settings.summary_markdown = options.markdown
        self.services.settings.mask_numbers = options.mask_numbers
        self.statusBar().showMessage("The diagnostic summary is on the clipboard.")

    def run_self_test(self) -> None:
        """Check this install end to end in a hidden window with its own throwaway data."""
        report = self.services.self_test(self)  # the composition root chose what runs
        icon = QMessageBox.Icon.Information if report.passed else QMessageBox.Icon.Warning
        box = QMessageBox(icon, "Self-test", report.summary, parent=self)
        box.setDetailedText(report.describe())
        self.self_test_box = box
        box.open()

    @property
    def ledger(self) -> SendLedger:
        """The receipts that arrived and the sends they belong to, made on first use."""
        if self._ledger is None:
            from smsgui.core.delivery.receipts import ReceiptBook
            from smsgui.core.records.session import SendLedger

            self._ledger = SendLedger(ReceiptBook(self.services.knowledge))
        return self._ledger

    @property
    def receipt_book(self) -> ReceiptBook:
        return self.ledger.receipts

    def _update_actions(self) -> None:
        has_result = bool(self.exchanges)
        self.save_action.setEnabled(has_result)
        self.copy_summary_action.setEnabled(has_result)
        self.delivery_button.setEnabled(bool(self._message_ids()) and self._job is None)

    def _message_ids(self) -> tuple[str, ...]:
        return self._session.message_ids if self._session is not None else ()

    # -- delivery -------------------------------------------------------------------------------

    def _receipt_callback(self, profile: Profile) -> str | None:
        """Where receipts should go: the local receiver for the sandbox, a tunnel for live."""
        if profile.is_sandbox:
            return self.start_receiver()
        if self._receiver is not None:
            return self.receipts.public_callback()
        return None

    def start_receiver(self, port: int = 0) -> str | None:
        """Start the receipt receiver if it is not running; returns its callback URL."""
        if self._receiver is None:
            from smsgui.core.delivery.receiver import ReceiptReceiver

            receiver = ReceiptReceiver(self._receipt_bridge.received.emit, port=port)
            try:
                receiver.start()
            except OSError as error:
                self.receipts.show_running(None)
                self._show_problem(f"Receipts cannot be received on port {port}.",
                                   f"The port is not available ({error.strerror or error}).",
                                   "Choose another port, or leave it at 'any free port'.")
                return None
            self._receiver = receiver
        self.receipts.show_running(self._receiver.callback_url)
        return self._receiver.callback_url

    def stop_receiver(self) -> None:
        if self._receiver is not None:
            self._receiver.stop()
            self._receiver = None
        self.receipts.show_running(None)

    def _on_receipt_received(self, fields: dict[str, str]) -> None:
        receipt, changed = self.ledger.take_receipt(fields, write_history=False)
        if receipt is None or receipt.message_id is None:
            return
        self.receipts.add_receipt(receipt)
        self._sessions_behind.update(changed)
        if changed and not self._history_writer.isActive():
            self._history_writer.start()
        self.statusBar().showMessage(f"Receipt for {mask_number(receipt.recipient)}: "
                                     f"{receipt.headline.removeprefix('Receipt: ')}")
        session = self._session
        if session is not None and session in changed:
            # Only this message's rows change; a worse row is selected, and the troubleshooting
            # panel follows it.
            self._redraw_soon(session.positions_of(receipt.message_id))

    def _single_shot(self, interval_ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    def write_receipts_to_history(self) -> None:
        """Write the receipts that arrived since the last write to their history rows: one
        write per send for a burst of receipts, not one per receipt, on the history's own
        thread (a row of 50 answers takes 15-40 ms to rewrite), in the order they came."""
        self._history_writer.stop()
        sessions, self._sessions_behind = self._sessions_behind, set()
        for session in sessions:
            write = session.history_write()
            if write is not None:
                job = CallJob(write)
                job.signals.finished.connect(
                    lambda result, session=session: self._on_history_written(session, result))
                self._history_writes.start(job)

    def _on_history_written(self, session: SendSession, result: object) -> None:
        from smsgui.core.records.session import HistoryWrite

        session.history_written(result if isinstance(result, HistoryWrite)
                                else HistoryWrite.FAILED)
        if self._history_writes.activeThreadCount() == 0:  # the last of a burst
            self.history.refresh()
        if session.history_problem:
            self.statusBar().showMessage(session.history_problem)

    @property
    def is_writing_history(self) -> bool:
        """Receipts are waiting to be written to the history, or being written."""
        return (bool(self._sessions_behind) or self._history_writer.isActive()
                or self._history_writes.activeThreadCount() > 0)

    def _flush_history_writes(self) -> None:
        """Write every receipt known now to the history before the window goes."""
        self._history_writer.stop()
        self._history_writes.waitForDone()
        sessions, self._sessions_behind = self._sessions_behind, set()
        for session in sessions:
            session.write_history()

    def check_delivery(self) -> None:
        """Look the shown messages up in the Reports API and attach what it says."""
        from smsgui.core.api.apitypes import MAX_REPORT_IDS

        ids = self._message_ids()[:MAX_REPORT_IDS]
        if not ids or self._job is not None:
            return
        session = self._session
        if session is None:
            return
        profile = session.profile or self.profile
        if profile.uses_jwt:
            self._show_problem(
                "Delivery cannot be checked with this profile",
                f"{profile.name} signs its sends with an application's private key, and the"
                " Reports API answers only to the account's API key and secret.",
                "Follow the message by its status webhooks here, or look it up in the Vonage"
                " Dashboard. Nothing was sent.")
            return
        make = self._client_factory(profile)

        def look_up() -> ApiOutcome | SecretProblem:
            client = make()
            if isinstance(client, SecretProblem):
                return client
            return client.reports(ids, client.account_id)

        self.statusBar().showMessage("Asking the Reports API what became of the messages...")
        self._start_side_job(CallJob(look_up),
                             lambda result: self._on_delivery_checked(session, result))

    def _on_delivery_checked(self, session: SendSession, result: object) -> None:
        from smsgui.core.api.client import ApiOutcome
        from smsgui.core.api.decode import ReportsResponse
        from smsgui.core.delivery.exchange import describe_reports

        if isinstance(result, SecretProblem):
            self._show_problem(result.headline, result.cause, result.next_step)
            return
        if not isinstance(result, ApiOutcome):
            self._show_job_failure(result)
            return
        if not isinstance(result.decoded, ReportsResponse):
            knowledge = self.services.knowledge
            entry = knowledge.get(result.entry_id) if result.entry_id in knowledge else None
            self._show_problem(result.headline, entry.meaning if entry else "",
                               entry.next_steps[0] if entry else "Try again later.")
            return
        reports = result.decoded
        session.add_report_records(reports.records)
        if session.row_id is not None:
            self.history.refresh()
        if session is self._session:
            self.results.show_exchanges(session.exchanges)
            self._update_actions()
        note = describe_reports(reports)
        self.statusBar().showMessage(f"{note} {session.history_problem}"
                                     if session.history_problem else note)

    # -- drag and drop ----------------------------------------------------------------------------

    def _catch_file_drops(self) -> None:
        """A file dropped on a text field opens it, instead of pasting its path into the SMS."""
        for editor in self.compose.findChildren(QPlainTextEdit):
            # Qt delivers a drop to the viewport or, when it declines, to the editor itself.
            editor.installEventFilter(self)
            editor.viewport().installEventFilter(self)
        for line in self.compose.findChildren(QLineEdit):
            line.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kinds = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)
        if event.type() in kinds and isinstance(event, QDropEvent) \
                and event.mimeData().hasUrls():
            if event.type() == QEvent.Type.Drop and self.acceptDrops():
                self.dropEvent(event)
            else:
                event.acceptProposedAction()
            return True
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        local = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if local:
            self.open_path(Path(local[0]))
            event.acceptProposedAction()

    # -- jobs and shutdown ----------------------------------------------------------------------

    def _start_side_job(self, job: CallJob, done: Callable[[object], None]) -> None:
        self._side_jobs.append(job)

        def finished(result: object) -> None:
            self._side_jobs.remove(job)
            done(result)

        job.signals.finished.connect(finished)
        self.services.pool.start(job)

    def _show_problem(self, headline: str, cause: str, next_step: str) -> None:
        self.prompter.error(self, headline, cause, next_step)

    def _show_job_failure(self, result: object) -> None:
        detail = result.detail if isinstance(result, JobFailure) else repr(result)
        headline = result.headline if isinstance(result, JobFailure) else "Unexpected result."
        self.prompter.error(self, headline, "An unexpected error stopped this action.",
                            "Try again; if it happens again, copy the details for support.",
                            detail)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._job is not None:
            if not self.prompter.confirm(
                    self, "A send is still running",
                    "Stop sending and close? The message being sent right now still finishes; "
                    "the recipients after it are not sent."):
                event.ignore()
                return
            self._job.cancel()
        if self._job is not None or self.is_busy_in_background or self.history.busy():
            # The wait below is for the request in flight, or for the history's work to
            # finish; show no frozen window meanwhile.
            self.hide()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop background work and save the window's state; safe to call twice."""
        self._shut_down = True
        if self._job is not None:
            self._job.cancel()
        self.history.wind_down()
        self.services.pool.waitForDone(_JOB_WAIT_MS)
        self._conclude_send()  # a send that just finished is recorded before the window goes
        self.stop_receiver()
        self._flush_history_writes()
        self.services.settings.geometry = self.saveGeometry()
        self.services.settings.splitter_state = self.splitter.saveState()
        self.services.settings.sync()
