"""The compose form: sender, recipients, text and options, checked by the core as the user types.

The form holds no rules of its own. Every edit builds a
:class:`~smsgui.core.checks.checks.Draft`, runs :func:`~smsgui.core.checks.checks.check_draft`
(well under a millisecond) and shows the report: the size of the message, each recipient as it
will be sent, the characters that force Unicode and the findings, each linked to its
troubleshooting entry.
"""

from __future__ import annotations

import dataclasses
import itertools
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.api.apitypes import SmsOptions
from smsgui.core.checks.checks import (
    MAX_TTL_MS,
    SANDBOX_TEST_TYPE,
    UNKNOWN_TYPE,
    CheckReport,
    Draft,
    Recipient,
    check_draft,
    split_recipients,
)
from smsgui.core.checks.findings import Finding, FindingField, FindingSeverity
from smsgui.core.checks.segments import Encoding, MessageType
from smsgui.core.reference.countries import country_name
from smsgui.core.reference.knowledge import KnowledgeBase
from smsgui.core.values import joined_words
from smsgui.ui.parameters_form import (
    ParametersPanel,
    RegulatoryIdsPanel,
    buddy_label,
    describe,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon, QPalette, QTextCharFormat, QTextDocument
    from PySide6.QtWidgets import QTextEdit

ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole
"""The item data role under which each finding in the list carries its knowledge entry id."""
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1
"""The item data role under which each finding in the list carries its :class:`Finding`."""

MS_PER_MINUTE = 60_000

_MESSAGE_TYPES: tuple[tuple[str, MessageType, str], ...] = (
    ("Automatic", "auto", "GSM-7 when every character allows it, otherwise Unicode."),
    ("Text (GSM-7)", "text", "Always GSM-7: characters outside it arrive as \"?\"."),
    ("Unicode", "unicode", "Always Unicode (UCS-2): 70 characters per SMS instead of 160."),
    ("Binary (hex)", "binary", "Raw bytes given as hex in Binary body and UDH, such as a WAP"
                               " push or SIM data; 140 bytes per SMS."),
)

_SEVERITY_PREFIXES = MappingProxyType({
    FindingSeverity.BLOCKING: "Blocks sending:",
    FindingSeverity.WARNING: "Warning:",
    FindingSeverity.INFO: "Note:",
})

_SEVERITY_ICONS = MappingProxyType({
    FindingSeverity.BLOCKING: QStyle.StandardPixmap.SP_MessageBoxCritical,
    FindingSeverity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    FindingSeverity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
})

_LINE_TYPES = MappingProxyType({
    SANDBOX_TEST_TYPE: "sandbox test number",
    "mobile": "mobile",
    "fixed_line": "landline",
    "fixed_line_or_mobile": "landline or mobile",
    "toll_free": "toll-free",
    "premium_rate": "premium rate",
    "shared_cost": "shared cost",
    "voip": "internet phone (VoIP)",
    "personal_number": "personal number",
    "pager": "pager",
    "uan": "company number (UAN)",
    "voicemail": "voicemail",
    UNKNOWN_TYPE: "line type unknown",
})

_FIRST_FIELDS: Mapping[FindingField, str] = MappingProxyType({
    "from": "the sender", "to": "the recipients", "text": "the message"})
"""The fields every message needs, named as the Send status asks for them."""
HINT = ("Type who it is from, one or more numbers and the message: the checks appear here as"
        " you type.")
_TEST_NUMBER_ENTRY = "check-to-test-number"
_LIVE_TEST_NUMBER_TYPE = "fictional number (Ofcom drama range)"
_LIVE_TEST_NUMBER_TITLE = "Fictional Number"
_LIVE_TEST_NUMBER_NOTE = ("{number} is a fictional number (Ofcom drama range): on a live account it"
                          " is really sent and charged, but no phone receives it.")

_ENCODING_NAMES = MappingProxyType({
    Encoding.GSM7: "GSM-7",
    Encoding.UCS2: "Unicode (UCS-2)",
    Encoding.BINARY: "binary bytes",
})

_HIGHLIGHT_ALPHA = 90
_SHOWN_CHARACTERS = 8
_TO_LINES = 3
_TO_MOST_LINES = 5
_MESSAGE_LINES = 4
_FINDINGS_LINES = 6
_LAST_BMP_CODE_POINT = 0xFFFF


class ComposeForm(QWidget):
    """The fields of one SMS, with the core's pre-send checks shown live as the user types.

    Signals:
        send_requested: The user asked to send; carries the :class:`Draft` to send. Emitted only
            while no finding blocks sending and the form is not busy.
        entry_requested: The user clicked or activated a finding; carries its knowledge entry id.
        finding_requested: The same click, carrying the whole :class:`Finding` (a country rule's
            source and own words included); emitted before ``entry_requested``.
    """

    send_requested = Signal(object)
    entry_requested = Signal(str)
    finding_requested = Signal(object)

    def __init__(self, knowledge: KnowledgeBase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._knowledge = knowledge
        self._default_region: str | None = None
        self._sandbox = True
        self._via_messages_api = False
        self._busy = False
        self._shown_findings: tuple[Finding, ...] | None = None
        self._hinting = False
        self._touched: set[FindingField] = set()
        """The fields typed in so far; an empty field's problem waits until it is touched."""
        self._severity_icons: dict[FindingSeverity, QIcon] = {}
        self._create_fields()
        self._create_advanced()
        self._create_feedback()
        self._build_layout()
        self._connect_signals()
        self._set_tab_order()
        self._report = check_draft(self.draft())
        self._show_report()

    # --- public API ---------------------------------------------------------------------------

    def set_default_region(self, region: str | None) -> None:
        """Set the country assumed for numbers typed without a country code, e.g. ``"GB"``."""
        region = region or None
        if region == self._default_region:
            return
        self._default_region = region
        self._update_to_hints()
        self._refresh()

    def fill(self, sender: str, recipients: str, text: str) -> None:
        """Put a whole message in the form, as if typed (the sample send uses it)."""
        self._from_edit.setText(sender)
        self._to_edit.setPlainText(recipients)
        self._message_edit.setPlainText(text)

    def request_send(self) -> None:
        """Send what the form holds, exactly as the Send button would."""
        self._request_send()

    def place_region_selector(self, label: QLabel, selector: QWidget) -> None:
        """Put the default-country choice under the recipients, where it takes effect."""
        self._fields.insertRow(self._region_row, label, selector)
        QWidget.setTabOrder(self._to_edit, selector)

    def set_sandbox(self, is_sandbox: bool) -> None:
        """Say whether the profile in use is the local sandbox (the default) or a live account.

        The checks' notes on the sandbox's test numbers (447700900000-447700900999) then fit
        the profile: on the sandbox they say how it will answer; on a live account they warn
        that the message is really sent and charged, yet reaches no phone.
        """
        if is_sandbox == self._sandbox:
            return
        self._sandbox = is_sandbox
        self._show_report()

    def set_via_messages_api(self, via_messages_api: bool) -> None:
        """Say whether the profile in use sends through the Messages API, whose limits differ."""
        if via_messages_api == self._via_messages_api:
            return
        self._via_messages_api = via_messages_api
        self._refresh()

    def draft(self) -> Draft:
        """The draft as the fields hold it now; recipients are split but otherwise as typed."""
        receipt = self._receipt_check.isChecked()
        ttl_minutes = self._ttl_spin.value()
        return Draft(
            recipients=tuple(split_recipients(self._to_edit.toPlainText())),
            sender=self._from_edit.text().strip(),
            text=self._message_edit.toPlainText(),
            message_type=self._message_type(),
            default_region=self._default_region,
            callback=(self._callback_edit.text().strip() or None) if receipt else None,
            request_receipt=receipt,
            client_ref=self._client_ref_edit.text().strip() or None,
            ttl_ms=ttl_minutes * MS_PER_MINUTE if ttl_minutes else None,
            status_report_req=False if self._parameters.receipts_off() else None,
            options=self._regulatory_ids.options(self._parameters.options(SmsOptions())),
            via_messages_api=self._via_messages_api,
        )

    def report(self) -> CheckReport:
        """The checks' verdict on the latest draft."""
        return self._report

    def set_busy(self, busy: bool) -> None:
        """Lock the fields and Send while a send runs; unlock them afterwards."""
        self._busy = busy
        for widget in self._editing_widgets():
            widget.setEnabled(not busy)
        if not busy:
            self._callback_edit.setEnabled(self._receipt_check.isChecked())
            self._offer_receipt()
        self._update_send_state()

    # --- building -----------------------------------------------------------------------------

    def _create_fields(self) -> None:
        self._from_edit = QLineEdit()
        self._from_edit.setPlaceholderText("A name such as Acme, or a number such as 447700900000")
        describe(self._from_edit, "From",
                  "Who the message appears to come from: a name of up to 11 letters and digits,"
                  " or a number of up to 15 digits.")
        self._to_edit = QPlainTextEdit()
        self._to_edit.setAccessibleName("To")
        _prepare_editor(self._to_edit, _TO_LINES, _TO_MOST_LINES)
        self._update_to_hints()
        self._message_edit = QPlainTextEdit()
        self._message_edit.setPlaceholderText("Type the text of the SMS")
        _prepare_editor(self._message_edit, _MESSAGE_LINES)
        describe(self._message_edit, "Message text",
                  "The text to send. Characters that force Unicode are underlined and shown in"
                  " bold.")

    def _create_advanced(self) -> None:
        self._advanced_toggle = QToolButton()
        self._advanced_toggle.setText("&Advanced options")
        self._advanced_toggle.setCheckable(True)
        self._advanced_toggle.setAutoRaise(True)
        self._advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self._advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        describe(self._advanced_toggle, "Advanced options",
                  "Show or hide the message type, client reference, delivery receipt and time"
                  " to live.")
        self._type_combo = QComboBox()
        for label, value, tip in _MESSAGE_TYPES:
            self._type_combo.addItem(label, value)
            self._type_combo.setItemData(self._type_combo.count() - 1, tip,
                                         Qt.ItemDataRole.ToolTipRole)
        describe(self._type_combo, "Message type",
                  "How the text is encoded. Automatic picks GSM-7 when it can and Unicode when"
                  " a character needs it.")
        self._client_ref_edit = QLineEdit()
        self._client_ref_edit.setPlaceholderText("Optional, e.g. ticket-1234")
        describe(self._client_ref_edit, "Client reference",
                  "Your own label for the message; it comes back in the answer and in delivery"
                  " receipts.")
        self._receipt_check = QCheckBox("Request a &delivery receipt")
        describe(self._receipt_check, "Request a delivery receipt",
                  "Ask for a delivery receipt at a callback URL of your choice.")
        self._callback_edit = QLineEdit()
        self._callback_edit.setPlaceholderText("https://example.com/receipts (empty: the"
                                               " account's webhook)")
        self._callback_edit.setEnabled(False)
        describe(self._callback_edit, "Callback URL",
                  "The web address the delivery receipt is sent to. Leave it empty to use the"
                  " webhook set in your Vonage account.")
        self._ttl_spin = QSpinBox()
        self._ttl_spin.setRange(0, MAX_TTL_MS // MS_PER_MINUTE)
        self._ttl_spin.setSuffix(" min")
        self._ttl_spin.setSpecialValueText("API default")
        self._ttl_spin.setAccelerated(True)
        describe(self._ttl_spin, "Time to live",
                  "How long, in minutes, the network keeps trying to deliver the message"
                  " (up to 7 days). 0 leaves it to the API's default.")
        self._parameters = ParametersPanel()
        self._regulatory_ids = RegulatoryIdsPanel()
        self._regulatory_ids.setVisible(False)

    def _create_feedback(self) -> None:
        self._recipients_label = _feedback_label("Recipients as sent")
        self._counter_label = _feedback_label("Message size")
        self._forcing_label = _feedback_label("Characters that force Unicode")
        self._findings_list = QListWidget()
        self._findings_list.setWordWrap(True)
        self._findings_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self._findings_list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self._findings_list.setMinimumHeight(_lines_height(self._findings_list,
                                                           _FINDINGS_LINES))
        describe(self._findings_list, "Checks",
                  "What the checks noticed. Click an item, or press Enter on it, to open its"
                  " troubleshooting entry.")
        self._send_button = QPushButton("&Send")
        self._send_button.setDefault(False)
        self._send_button.setAutoDefault(False)
        describe(self._send_button, "Send", "Send the message to every recipient (Ctrl+Return).")
        self._send_reason = _feedback_label("Send status", wrap=True)
        self._send_shortcuts = [QShortcut(QKeySequence(keys), self)
                                for keys in ("Ctrl+Return", "Ctrl+Enter")]
        for shortcut in self._send_shortcuts:
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _build_layout(self) -> None:
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        fields.addRow(buddy_label("&From:", self._from_edit), self._from_edit)
        fields.addRow(buddy_label("&To:", self._to_edit), self._to_edit)
        fields.addRow("", self._recipients_label)
        self._region_row = fields.rowCount()
        fields.addRow(self._regulatory_ids)
        fields.addRow(buddy_label("&Message:", self._message_edit), self._message_edit)
        fields.addRow("", _stacked(self._counter_label, self._forcing_label))
        self._fields = fields
        column = QVBoxLayout(self)
        column.addLayout(fields, 1)
        column.addWidget(self._advanced_toggle)
        column.addWidget(self._build_advanced_panel())
        column.addWidget(buddy_label(
            "Chec&ks - click one to open its troubleshooting entry:", self._findings_list))
        column.addWidget(self._findings_list, 1)
        column.addLayout(self._build_send_row())

    def _build_advanced_panel(self) -> QWidget:
        self._advanced_panel = QWidget()
        form = QFormLayout(self._advanced_panel)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(buddy_label("Message t&ype:", self._type_combo), self._type_combo)
        form.addRow(buddy_label("Client &reference:", self._client_ref_edit),
                    self._client_ref_edit)
        form.addRow("", self._receipt_check)
        form.addRow(buddy_label("&Callback URL:", self._callback_edit), self._callback_edit)
        form.addRow(buddy_label("Time to &live:", self._ttl_spin), self._ttl_spin)
        form.addRow(self._parameters)
        self._advanced_panel.setVisible(False)
        return self._advanced_panel

    def _build_send_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self._send_reason, 1)
        row.addWidget(self._send_button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _connect_signals(self) -> None:
        self._from_edit.textChanged.connect(self._on_from_edit_text_changed)
        self._to_edit.textChanged.connect(self._on_to_edit_text_changed)
        self._message_edit.textChanged.connect(self._on_message_edit_text_changed)
        self._type_combo.currentIndexChanged.connect(self._on_field_changed)
        self._client_ref_edit.textChanged.connect(self._on_field_changed)
        self._callback_edit.textChanged.connect(self._on_field_changed)
        self._ttl_spin.valueChanged.connect(self._on_field_changed)
        self._parameters.changed.connect(self._on_field_changed)
        self._regulatory_ids.changed.connect(self._on_field_changed)
        self._receipt_check.toggled.connect(self._on_receipt_check_toggled)
        self._advanced_toggle.toggled.connect(self._on_advanced_toggle_toggled)
        self._findings_list.itemClicked.connect(self._on_findings_list_item_clicked)
        self._findings_list.itemActivated.connect(self._on_findings_list_item_activated)
        self._send_button.clicked.connect(self._on_send_button_clicked)
        for shortcut in self._send_shortcuts:
            shortcut.activated.connect(self._on_send_shortcut_activated)

    def _set_tab_order(self) -> None:
        chain = [self._from_edit, self._to_edit, *self._regulatory_ids.fields(),
                 self._message_edit, self._advanced_toggle, self._type_combo,
                 self._client_ref_edit, self._receipt_check, self._callback_edit, self._ttl_spin,
                 *self._parameters.fields(), self._findings_list, self._send_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _editing_widgets(self) -> Iterator[QWidget]:
        yield from (self._from_edit, self._to_edit, self._message_edit, self._type_combo,
                    self._client_ref_edit, self._receipt_check, self._callback_edit,
                    self._ttl_spin, *self._parameters.fields(), *self._regulatory_ids.fields())

    # --- slots --------------------------------------------------------------------------------

    def _on_from_edit_text_changed(self) -> None:
        self._touch("from")

    def _on_to_edit_text_changed(self) -> None:
        self._touch("to")

    def _on_message_edit_text_changed(self) -> None:
        self._touch("text")

    def _touch(self, field: FindingField) -> None:
        """From now on ``field``'s problems are shown: it has been typed in."""
        self._touched.add(field)
        self._refresh()

    def _on_field_changed(self) -> None:
        self._refresh()

    def _on_receipt_check_toggled(self, checked: bool) -> None:
        self._callback_edit.setEnabled(checked and not self._busy)
        self._refresh()

    def _on_advanced_toggle_toggled(self, checked: bool) -> None:
        self._advanced_panel.setVisible(checked)
        arrow = Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow
        self._advanced_toggle.setArrowType(arrow)

    def _on_findings_list_item_clicked(self, item: QListWidgetItem) -> None:
        self._request_entry(item)

    def _on_findings_list_item_activated(self, item: QListWidgetItem) -> None:
        self._request_entry(item)

    def _on_send_button_clicked(self) -> None:
        self._request_send()

    def _on_send_shortcut_activated(self) -> None:
        self._request_send()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Recolour the highlights when the palette changes, e.g. on a switch to dark mode."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:
            self._severity_icons.clear()
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._show_forcing_characters(self._report)

    # --- showing the report -------------------------------------------------------------------

    def _refresh(self) -> None:
        self._parameters.set_binary(self._message_type() == "binary")
        self._offer_receipt()
        self._report = check_draft(self.draft())
        self._show_regulatory_ids(self._report)
        self._show_report()
        self._show_advanced_summary()

    def _offer_receipt(self) -> None:
        """Asking for no receipt and asking for one at a callback exclude each other."""
        off = self._parameters.receipts_off()
        if off and self._receipt_check.isChecked():
            self._receipt_check.setChecked(False)
        self._receipt_check.setEnabled(not off and not self._busy)

    def _show_regulatory_ids(self, report: CheckReport) -> None:
        """The DLT fields appear as soon as a recipient's country asks for them."""
        needed = self._regulatory_ids.holds_values() or _needs_registration_ids(report)
        self._regulatory_ids.setVisible(needed)

    def _show_advanced_summary(self) -> None:
        """Name the advanced options in use on the toggle, so they are not forgotten when hidden."""
        used = [name for name, in_use in (
            ("message type", self._type_combo.currentIndex() > 0),
            ("client reference", bool(self._client_ref_edit.text().strip())),
            ("delivery receipt", self._receipt_check.isChecked()),
            ("time to live", self._ttl_spin.value() > 0),
        ) if in_use] + self._parameters.in_use()
        suffix = f" (in use: {', '.join(used)})" if used else ""
        self._advanced_toggle.setText(f"&Advanced options{suffix}")

    def _show_report(self) -> None:
        report = self._report
        self._recipients_label.setText(_recipient_lines(report.recipients, self._sandbox))
        self._recipients_label.setVisible(bool(report.recipients))
        self._counter_label.setText(_counter_text(report))
        self._show_forcing_characters(report)
        self._show_findings(self._calm(self._shown_for_profile(report)))
        self._update_send_state()

    def _show_forcing_characters(self, report: CheckReport) -> None:
        forcing = report.segments.forcing_ucs2
        self._forcing_label.setText(_forcing_text(forcing, self._message_type()))
        self._forcing_label.setVisible(bool(forcing))
        ranges = list(_utf16_ranges(self._message_edit.toPlainText(), frozenset(forcing)))
        self._message_edit.setExtraSelections(
            _highlights(self._message_edit.document(), ranges, self.palette()) if ranges else [])

    def _shown_for_profile(self, report: CheckReport) -> tuple[Finding, ...]:
        """The findings as this profile should show them.

        On a live account a sandbox test number is a fictional number that is really sent and
        charged: its note becomes a warning that says so, and never mentions the sandbox.
        """
        if self._sandbox:
            return report.findings
        numbers = {recipient.input.strip(): recipient.e164 for recipient in report.recipients
                   if recipient.test_number is not None}
        return tuple(
            dataclasses.replace(
                finding, severity=FindingSeverity.WARNING,
                message=_LIVE_TEST_NUMBER_NOTE.format(
                    number=numbers.get(finding.subject or "") or finding.subject))
            if finding.entry_id == _TEST_NUMBER_ENTRY else finding
            for finding in report.findings)

    def _calm(self, findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
        """The findings to show: none yet about a field nobody has typed in."""
        return tuple(finding for finding in findings if not self._waiting(finding))

    def _waiting(self, finding: Finding) -> bool:
        return finding.field in _FIRST_FIELDS and finding.field not in self._touched

    def _untouched_needs(self) -> list[str]:
        """What the user still has to fill in, for a calm Send status: "the sender, ..."."""
        return [_FIRST_FIELDS[field] for field in _FIRST_FIELDS
                if field not in self._touched and any(
                    f.field == field and f.severity is FindingSeverity.BLOCKING
                    for f in self._report.findings)]

    def _show_findings(self, findings: tuple[Finding, ...]) -> None:
        """Rebuild the list only when the findings change, so typing keeps its scroll position."""
        hinting = not findings and bool(self._untouched_needs())
        if (findings, hinting) == (self._shown_findings, self._hinting):
            return
        self._shown_findings, self._hinting = findings, hinting
        self._findings_list.clear()
        for finding in sorted(findings, key=_severity_rank):
            self._findings_list.addItem(self._finding_item(finding))
        if not findings:
            item = QListWidgetItem(HINT if hinting else "No problems found.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self._findings_list.addItem(item)

    def _finding_item(self, finding: Finding) -> QListWidgetItem:
        prefix = _SEVERITY_PREFIXES[finding.severity]
        item = QListWidgetItem(self._severity_icon(finding.severity), f"{prefix} {finding.message}")
        item.setData(ENTRY_ID_ROLE, finding.entry_id)
        item.setData(FINDING_ROLE, finding)
        item.setToolTip(_finding_tooltip(finding, self._entry_title(finding.entry_id)))
        return item

    def _severity_icon(self, severity: FindingSeverity) -> QIcon:
        """One icon per severity, shared by every item: a fresh icon per item is looked up in the
        style, then drawn anew."""
        if severity not in self._severity_icons:
            self._severity_icons[severity] = self.style().standardIcon(_SEVERITY_ICONS[severity])
        return self._severity_icons[severity]

    def _entry_title(self, entry_id: str) -> str:
        if entry_id not in self._knowledge:
            return "Click for the troubleshooting entry."
        if entry_id == _TEST_NUMBER_ENTRY and not self._sandbox:
            return f"{_LIVE_TEST_NUMBER_TITLE} - click for the troubleshooting entry."
        title = self._knowledge.get(entry_id).display_title
        return f"{title} - click for the troubleshooting entry."

    def _update_send_state(self) -> None:
        # Send stays clickable while the only problems are fields nobody has typed in yet: a
        # click then says what is missing, instead of a greyed-out button on a first start.
        shown = self._calm(self._report.findings)
        blocked = any(finding.severity is FindingSeverity.BLOCKING for finding in shown)
        self._send_button.setEnabled(not blocked and not self._busy)
        self._send_reason.setText(self._send_status_text())
        self._send_button.setAccessibleDescription(self._send_reason.text())

    def _send_status_text(self) -> str:
        if self._busy:
            return "Sending..."
        shown = self._calm(self._report.findings)
        reason = next((f.message for f in shown if f.severity is FindingSeverity.BLOCKING), None)
        if reason is not None:
            return f"Cannot send yet: {reason}"
        needs = self._untouched_needs()
        if needs:
            return f"To send, fill in {joined_words(needs)}."
        warnings = sum(f.severity is FindingSeverity.WARNING
                       for f in self._shown_for_profile(self._report))
        if warnings:
            return f"Ready to send, with {_plural(warnings, 'warning')} to read first."
        return "Ready to send."

    def _update_to_hints(self) -> None:
        """Say in the To field's placeholder and tooltip how numbers without a country code go."""
        region = country_name(self._default_region)
        assumed = (f"Numbers without a country code are taken as {region} numbers." if region
                   else "Write each number with its country code, or set a default country.")
        self._to_edit.setPlaceholderText(f"e.g. 447700900123 - one number per line, or several"
                                         f" separated by commas.\n{assumed}")
        self._to_edit.setToolTip(f"One or more phone numbers, one per line or separated by"
                                 f" commas. {assumed}")
        self._to_edit.setAccessibleDescription(self._to_edit.toolTip())

    def _message_type(self) -> MessageType:
        value: MessageType = self._type_combo.currentData()
        return value

    def _request_entry(self, item: QListWidgetItem) -> None:
        entry_id = item.data(ENTRY_ID_ROLE)
        if entry_id:
            self.finding_requested.emit(item.data(FINDING_ROLE))
            self.entry_requested.emit(entry_id)

    def _request_send(self) -> None:
        if self._busy:
            return
        if not self._report.blocking:
            self.send_requested.emit(self.draft())
            return
        self._touched.update(_FIRST_FIELDS)  # asked to send: say everything that stops it
        self._show_report()


# --- helpers ----------------------------------------------------------------------------------


def _feedback_label(name: str, *, wrap: bool = False) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _stacked(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        column.addWidget(widget)
    return holder


def _prepare_editor(editor: QPlainTextEdit, lines: int, most_lines: int | None = None) -> None:
    """Tab moves focus (a tab character would force Unicode); heights in lines of the font."""
    editor.setTabChangesFocus(True)
    editor.setMinimumHeight(_lines_height(editor, lines))
    if most_lines is not None:
        editor.setMaximumHeight(_lines_height(editor, most_lines))


def _lines_height(view: QAbstractScrollArea, lines: int) -> int:
    """The height that shows ``lines`` lines of text: follows the font, so it scales with it."""
    margins = view.contentsMargins()
    frame = 2 * view.frameWidth() + margins.top() + margins.bottom()
    return lines * view.fontMetrics().lineSpacing() + frame + view.fontMetrics().height()


def _recipient_lines(recipients: Sequence[Recipient], sandbox: bool) -> str:
    return "\n".join(_recipient_line(recipient, sandbox) for recipient in recipients)


def _recipient_line(recipient: Recipient, sandbox: bool) -> str:
    if recipient.e164 is None:
        return f"{recipient.input.strip()} · cannot be sent (see Checks below)"
    if recipient.number_type == SANDBOX_TEST_TYPE and not sandbox:
        line_type = _LIVE_TEST_NUMBER_TYPE
    elif recipient.valid:
        line_type = _LINE_TYPES.get(recipient.number_type, recipient.number_type)
    else:
        line_type = "not a known number"
    return " · ".join((recipient.e164, recipient.country or "country unknown", line_type))


def _counter_text(report: CheckReport) -> str:
    count = report.segments
    return (f"{_plural(count.characters, 'character')} · {_ENCODING_NAMES[count.encoding]}"
            f" · {_plural(count.parts, 'part')} ({count.remaining} left)")


def _forcing_text(forcing: Sequence[str], message_type: MessageType) -> str:
    shown = ", ".join(_character_label(char) for char in forcing[:_SHOWN_CHARACTERS])
    if len(forcing) > _SHOWN_CHARACTERS:
        shown += f" and {len(forcing) - _SHOWN_CHARACTERS} more"
    if message_type == "text":
        return f'Arrive as "?" (not in GSM-7): {shown}'
    if message_type == "unicode":
        return f"Outside GSM-7: {shown}"
    return f"Forces Unicode: {shown}"


def _character_label(char: str) -> str:
    """The character; punctuation, spaces and invisible ones also by name, e.g. "(en dash)"."""
    category = unicodedata.category(char)
    if category[0] in "LNS" and char.isprintable():
        return char
    name = unicodedata.name(char, f"U+{ord(char):04X}").lower()
    if char.isprintable() and not char.isspace():
        return f"{char} ({name})"
    return name if name.startswith("u+") else f"{name} (U+{ord(char):04X})"


def _utf16_ranges(text: str, chars: frozenset[str]) -> Iterator[tuple[int, int]]:
    """Document positions (UTF-16 units, as Qt counts) of each occurrence of ``chars``."""
    position = 0
    for char in text:
        width = 2 if ord(char) > _LAST_BMP_CODE_POINT else 1
        if char in chars:
            yield position, position + width
        position += width


def _highlights(document: QTextDocument, ranges: Sequence[tuple[int, int]],
                palette: QPalette) -> list[QTextEdit.ExtraSelection]:
    """The extra selections that mark ``ranges`` of ``document``."""
    # The text classes, here and in _highlight_format, are imported on first use: PySide6 builds
    # a class's Python enums when it is first imported (3 to 5 ms for these), and the first
    # frame's empty message highlights nothing.
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QTextEdit

    highlight = _highlight_format(palette)
    selections = []
    for start, end in ranges:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(document)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = highlight
        selections.append(selection)
    return selections


def _highlight_format(palette: QPalette) -> QTextCharFormat:
    """Bold, wavy underline and a translucent highlight: visible without relying on colour."""
    from PySide6.QtGui import QFont, QPalette, QTextCharFormat

    background = palette.color(QPalette.ColorRole.Highlight)
    background.setAlpha(_HIGHLIGHT_ALPHA)
    highlight = QTextCharFormat()
    highlight.setFontWeight(QFont.Weight.Bold)
    highlight.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    highlight.setUnderlineColor(palette.color(QPalette.ColorRole.Text))
    highlight.setBackground(background)
    return highlight


def _needs_registration_ids(report: CheckReport) -> bool:
    if not any(recipient.region for recipient in report.recipients):
        return False
    from smsgui.core.reference.destinations import default_destination_table

    table = default_destination_table()
    return any((rules := table.get(recipient.region)) is not None
               and rules.registration_parameters for recipient in report.recipients)


def _finding_tooltip(finding: Finding, entry_title: str) -> str:
    """The entry's title; for a country rule also the rule's own words and its source."""
    lines = [entry_title]
    if finding.detail:
        lines.append(finding.detail)
    if finding.source:
        checked = f", checked {finding.checked_on}" if finding.checked_on else ""
        lines.append(f"Source: {finding.source}{checked}")
    return "\n\n".join(lines)


def _severity_rank(finding: Finding) -> int:
    """Blocking findings first, then warnings, then notes; the core's order within each."""
    return list(FindingSeverity).index(finding.severity)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
