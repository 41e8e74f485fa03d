"""The SMS API's less common parameters, as form fields the compose form embeds.

:class:`ParametersPanel` holds the advanced ones (binary content, message class, references,
trusted number); :class:`RegulatoryIdsPanel` holds the IDs some countries require, which the
compose form shows next to the recipients whenever a recipient's country needs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from smsgui.core.api.apitypes import SmsOptions
from smsgui.core.checks.parameters import DLT_ID_DIGITS

_NOT_SET = -1
_MESSAGE_CLASSES = (
    ("Not set", None),
    ("0 - flash: shown at once, not stored", 0),
    ("1 - stored on the phone", 1),
    ("2 - stored on the SIM", 2),
    ("3 - for an external device", 3),
)


def describe(widget: QWidget, name: str, tip: str) -> None:
    """Accessible name, tooltip and description in one go."""
    widget.setAccessibleName(name)
    widget.setToolTip(tip)
    widget.setAccessibleDescription(tip)


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _line_edit(name: str, placeholder: str, tip: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    describe(edit, name, tip)
    return edit


def _optional(edit: QLineEdit) -> str | None:
    return edit.text().strip() or None


class ParametersPanel(QWidget):
    """Binary body and header, protocol ID, message class, references and trusted number.

    Signals:
        changed: Any field was edited.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._create_fields()
        self._build_layout()
        self.set_binary(False)
        for edit in (self._body_edit, self._udh_edit, self._account_ref_edit, self._pool_edit):
            edit.textChanged.connect(self.changed)
        self._protocol_spin.valueChanged.connect(self.changed)
        self._class_combo.currentIndexChanged.connect(self.changed)
        self._trusted_check.toggled.connect(self.changed)
        self._no_receipt_check.toggled.connect(self.changed)

    def _create_fields(self) -> None:
        self._body_edit = _line_edit(
            "Binary body", "Hex, e.g. 0011223344556677",
            "The message's bytes as hex (pairs of 0-9 and A-F); sent only with type Binary.")
        self._udh_edit = _line_edit(
            "User data header", "Hex, e.g. 0605040B8423F0",
            "The user data header (UDH) as hex; its first byte counts the bytes after it.")
        self._protocol_spin = QSpinBox()
        self._protocol_spin.setRange(_NOT_SET, 255)
        self._protocol_spin.setSpecialValueText("Not set")
        self._protocol_spin.setValue(_NOT_SET)
        describe(self._protocol_spin, "Protocol ID",
                 "The protocol identifier, 0-255, matching the header (e.g. 127 for SIM data).")
        self._class_combo = QComboBox()
        for label, value in _MESSAGE_CLASSES:
            self._class_combo.addItem(label, value)
        describe(self._class_combo, "Message class",
                 "Where the phone puts the message: 0 shows it at once (flash SMS).")
        self._account_ref_edit = _line_edit(
            "Account reference", "Optional, e.g. customer1234",
            "Separates billing by customer; works once Vonage support has enabled it.")
        self._pool_edit = _line_edit(
            "Number pool ID", "Optional, e.g. abc123",
            "Send from a number of this Number Pool; From is used if the pool cannot be.")
        self._trusted_check = QCheckBox("Trusted number (skip Fraud Defender's rules)")
        describe(self._trusted_check, "Trusted number",
                 "Let this message past Fraud Defender's rules; only for Fraud Defender Premium.")
        self._no_receipt_check = QCheckBox("No delivery receipt for this message")
        describe(self._no_receipt_check, "No delivery receipt",
                 "Send status-report-req=false: the network sends no receipt, so the message"
                 " stays \"accepted\" in smsgui.")

    def _build_layout(self) -> None:
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._binary_rows = (
            (buddy_label("Binary &body:", self._body_edit), self._body_edit),
            (buddy_label("&UDH:", self._udh_edit), self._udh_edit),
            (buddy_label("Pr&otocol ID:", self._protocol_spin), self._protocol_spin),
        )
        for label, field in self._binary_rows:
            form.addRow(label, field)
        form.addRow(buddy_label("Messa&ge class:", self._class_combo), self._class_combo)
        form.addRow(buddy_label("Accou&nt reference:", self._account_ref_edit),
                    self._account_ref_edit)
        form.addRow(buddy_label("Number &pool ID:", self._pool_edit), self._pool_edit)
        form.addRow("", self._trusted_check)
        form.addRow("", self._no_receipt_check)
        self._form = form

    def set_binary(self, binary: bool) -> None:
        """Show the body, header and protocol ID only for a binary message."""
        for _, field in self._binary_rows:
            self._form.setRowVisible(field, binary)

    def options(self, base: SmsOptions) -> SmsOptions:
        """``base`` with this panel's parameters filled in."""
        protocol = self._protocol_spin.value()
        binary = self._form.isRowVisible(self._protocol_spin)
        return replace(
            base,
            body=_optional(self._body_edit), udh=_optional(self._udh_edit),
            protocol_id=None if protocol == _NOT_SET or not binary else protocol,
            message_class=self._class_combo.currentData(),
            account_ref=_optional(self._account_ref_edit), pool_id=_optional(self._pool_edit),
            trusted_number=True if self._trusted_check.isChecked() else None)

    def in_use(self) -> list[str]:
        """The names of the parameters set, for the Advanced options toggle."""
        used = [("binary content", bool(self._body_edit.text().strip())),
                ("protocol ID", self._form.isRowVisible(self._protocol_spin)
                 and self._protocol_spin.value() != _NOT_SET),
                ("message class", self._class_combo.currentIndex() > 0),
                ("account reference", bool(self._account_ref_edit.text().strip())),
                ("number pool", bool(self._pool_edit.text().strip())),
                ("trusted number", self._trusted_check.isChecked()),
                ("no delivery receipt", self._no_receipt_check.isChecked())]
        return [name for name, set_ in used if set_]

    def receipts_off(self) -> bool:
        """Whether the message asks for no delivery receipt (``status-report-req=false``)."""
        return self._no_receipt_check.isChecked()

    def fields(self) -> Iterator[QWidget]:
        """The editing widgets in tab order."""
        yield from (self._body_edit, self._udh_edit, self._protocol_spin, self._class_combo,
                    self._account_ref_edit, self._pool_edit, self._trusted_check,
                    self._no_receipt_check)


class RegulatoryIdsPanel(QWidget):
    """India's DLT Entity ID and Content Template ID (``entity-id``, ``content-id``).

    Signals:
        changed: Either ID was edited.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entity_edit = _line_edit(
            "Entity ID", f"{DLT_ID_DIGITS} digits from the DLT portal",
            "The DLT Entity ID (entity-id) of the business registered on India's DLT platform.")
        self._content_edit = _line_edit(
            "Content Template ID", f"{DLT_ID_DIGITS} digits from the DLT portal",
            "The DLT Content Template ID (content-id) of the template this text matches.")
        self._heading = QLabel("India requires its DLT registration with every message:")
        self._heading.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._heading)
        form.addRow(buddy_label("&Entity ID:", self._entity_edit), self._entity_edit)
        form.addRow(buddy_label("Content Template &ID:", self._content_edit), self._content_edit)
        self._entity_edit.textChanged.connect(self.changed)
        self._content_edit.textChanged.connect(self.changed)

    def options(self, base: SmsOptions) -> SmsOptions:
        return replace(base, entity_id=_optional(self._entity_edit),
                       content_id=_optional(self._content_edit))

    def holds_values(self) -> bool:
        return bool(self._entity_edit.text().strip() or self._content_edit.text().strip())

    def fields(self) -> Iterator[QWidget]:
        yield from (self._entity_edit, self._content_edit)
