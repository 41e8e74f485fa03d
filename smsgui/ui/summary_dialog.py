"""Copy diagnostic summary: choose the form, see exactly what will be copied, copy it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.delivery.exchange import Exchange
from smsgui.core.report.summary import SummaryOptions, build_batch_summary


class SummaryDialog(QDialog):
    """The preview is the clipboard text, character for character."""

    def __init__(self, exchanges: Sequence[Exchange], options: SummaryOptions,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Copy diagnostic summary")
        self._exchanges = tuple(exchanges)
        self.markdown = self._option("&Markdown", "Format as Markdown", options.markdown,
                                     "For tickets and chats that render Markdown")
        self.mask_numbers = self._option("Mask phone &numbers", "Mask phone numbers",
                                 options.mask_numbers,
                                 "Hide the last digits of every phone number")
        self.include_text = self._option("Include message &text", "Include message text",
                                         options.include_text,
                                         "Add the message text itself (left out by default)")
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Summary preview")
        self.preview.setToolTip("Exactly what will go on the clipboard")
        self._build_layout()
        self._refresh()

    def _option(self, text: str, name: str, checked: bool, tip: str) -> QCheckBox:
        box = QCheckBox(text)
        box.setChecked(checked)
        box.setAccessibleName(name)
        box.setToolTip(tip)
        box.toggled.connect(self._refresh)
        return box

    def _build_layout(self) -> None:
        options = QHBoxLayout()
        for box in (self.markdown, self.mask_numbers, self.include_text):
            options.addWidget(box)
        options.addStretch()
        buttons = QDialogButtonBox()
        self.copy_button = buttons.addButton("&Copy to clipboard",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.copy_button.setAccessibleName("Copy to clipboard")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addWidget(QLabel("This is exactly what will be copied. API secrets are never "
                                "included."))
        layout.addWidget(self.preview)
        layout.addWidget(buttons)
        self.resize(720, 520)

    def options(self) -> SummaryOptions:
        return SummaryOptions(markdown=self.markdown.isChecked(),
                              mask_numbers=self.mask_numbers.isChecked(),
                              include_text=self.include_text.isChecked())

    def _refresh(self) -> None:
        self.preview.setPlainText(build_batch_summary(self._exchanges, self.options()))

    def _on_buttons_accepted(self) -> None:
        QGuiApplication.clipboard().setText(self.preview.toPlainText())
        self.accept()
