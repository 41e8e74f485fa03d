"""The delivery-receipt receiver's controls: start, stop, the address to give Vonage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.privacy import mask_number

if TYPE_CHECKING:
    from smsgui.core.api.decode import Receipt

_TUNNEL_HELP = (
    "<b>Sandbox:</b> smsgui starts the receiver and fills in the callback by itself, so "
    "receipts arrive without any set-up.<br><b>Live account:</b> Vonage must be able to reach "
    "this computer. Expose the receiver with a tunnel (for example <i>ngrok http PORT</i> or "
    "<i>cloudflared tunnel --url http://127.0.0.1:PORT</i>) and paste the public https address "
    "below; smsgui then uses it as the callback for every send."
)


class ReceiptsPanel(QWidget):
    """Shows whether receipts can arrive, where to, and the receipts that did."""

    start_requested = Signal(int)  # port, 0 for any free one
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QPushButton("&Start receiving receipts")
        self.toggle.setAccessibleName("Receive receipts")
        self.toggle.setToolTip("Run a small web server on this computer that delivery "
                               "receipts are posted to")
        self.toggle.setCheckable(True)
        self.toggle.clicked.connect(self._on_toggle_clicked)
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("any free port")
        self.port.setAccessibleName("Receiver port")
        self.port.setToolTip("Choose a fixed port when a tunnel forwards to it")
        self.address = QLineEdit()
        self.address.setReadOnly(True)
        self.address.setAccessibleName("Receiver address")
        self.address.setPlaceholderText("not running")
        self.copy = QPushButton("Cop&y")
        self.copy.setAccessibleName("Copy receiver address")
        self.copy.setToolTip("Copy the receiver's address")
        self.copy.clicked.connect(self._on_copy_clicked)
        self.public_url = QLineEdit()
        self.public_url.setAccessibleName("Public callback URL")
        self.public_url.setPlaceholderText("https://your-tunnel.example/webhooks/delivery-receipt")
        self.public_url.setToolTip("For live accounts: the tunnel's public address of this "
                                   "receiver")
        self.received = QListWidget()
        self.received.setAccessibleName("Received receipts")
        self.help = QLabel(_TUNNEL_HELP)
        self.help.setWordWrap(True)
        self.help.setAccessibleName("How receipts reach smsgui")
        self._build_layout()

    def _build_layout(self) -> None:
        address = QHBoxLayout()
        address.addWidget(self.address, 1)
        address.addWidget(self.copy)
        form = QFormLayout()
        form.addRow("Port:", self.port)
        form.addRow("Address:", address)
        form.addRow("Public URL:", self.public_url)
        layout = QVBoxLayout(self)
        layout.addWidget(self.toggle)
        layout.addLayout(form)
        layout.addWidget(self.help)
        layout.addWidget(QLabel("Receipts received:"))
        layout.addWidget(self.received, 1)

    def show_running(self, callback_url: str | None) -> None:
        running = callback_url is not None
        self.toggle.setChecked(running)
        self.toggle.setText("&Stop receiving receipts" if running else
                            "&Start receiving receipts")
        self.address.setText(callback_url or "")
        self.port.setEnabled(not running)

    def add_receipt(self, receipt: Receipt) -> None:
        error = "" if receipt.err_code in (None, 0) else f", err-code {receipt.err_code}"
        self.received.insertItem(0, f"{receipt.status or '?'}{error} - message "
                                    f"{receipt.message_id} to {mask_number(receipt.recipient)}")

    def public_callback(self) -> str | None:
        url = self.public_url.text().strip()
        return url or None

    def _on_toggle_clicked(self, checked: bool) -> None:
        if checked:
            self.start_requested.emit(self.port.value())
        else:
            self.stop_requested.emit()

    def _on_copy_clicked(self) -> None:
        if self.address.text():
            QGuiApplication.clipboard().setText(self.address.text())
