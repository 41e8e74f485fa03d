"""A window that explains a pasted or opened SMS API answer, receipt or saved document."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.decode import Decoded, Receipt, decode_receipt_fields, decode_response, overall
from smsgui.core.documents import DocumentError, ResponseDocument, load_document, parse_document
from smsgui.core.knowledge import Entry, KnowledgeBase
from smsgui.core.summary import SummaryOptions, build_summary, context_for_document


class DecodeWindow(QMainWindow):
    """Paste or open an answer on the left; read what it means and what to do on the right."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        super().__init__()
        self._knowledge = knowledge
        self.setWindowTitle("smsgui - explain an SMS API answer")
        self.resize(1000, 640)
        self.input = QPlainTextEdit()
        self.input.setPlaceholderText(
            "Paste an SMS API response, a delivery receipt or a saved smsgui document here."
        )
        self.decode_button = QPushButton("&Explain")
        self.decode_button.clicked.connect(self._on_decode_button_clicked)
        self.result = QTextBrowser()
        self.result.setOpenExternalLinks(True)
        self.result.setPlaceholderText("The explanation appears here.")
        self._build_layout()
        self._build_menu()

    def _build_layout(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(QLabel("Answer to explain:"))
        column.addWidget(self.input)
        column.addWidget(self.decode_button)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.result)
        splitter.setSizes([420, 580])
        self.setCentralWidget(splitter)

    def _build_menu(self) -> None:
        open_action = QAction("&Open...", self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self._on_open_action_triggered)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(open_action)
        file_menu.addAction(quit_action)

    def explain_text(self, text: str) -> Decoded:
        """Decode pasted ``text`` and show the explanation; returns what was shown."""
        try:
            document = parse_document(text)
        except DocumentError as error:
            document = ResponseDocument(body=text)
            self.result.setHtml(f"<h3>Cannot read this</h3><p>{html.escape(str(error))}</p>")
            return decode_response(document.body, self._knowledge)
        return self.explain_document(document)

    def explain_document(self, document: ResponseDocument) -> Decoded:
        """Show a document's answer with its request and receipts; returns what was shown."""
        decoded = decode_response(document.body, self._knowledge)
        receipts = [r for r in map(decode_receipt_fields, document.receipts)
                    if isinstance(r, Receipt)]
        summary = build_summary(decoded, context_for_document(document, receipts),
                                SummaryOptions())
        _, entry = overall(decoded, receipts)
        self.result.setHtml(_entry_html(decoded.headline, entry, summary))
        return decoded

    def _on_decode_button_clicked(self) -> None:
        self.explain_text(self.input.toPlainText())

    def _on_open_action_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a response", "",
                                              "JSON files (*.json);;All files (*)")
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> None:
        try:
            document = load_document(path)
        except DocumentError as error:
            self.result.setHtml(f"<h3>Cannot open this file</h3><p>{html.escape(str(error))}</p>")
            return
        self.input.setPlainText(document.body)
        self.explain_document(document)


def _entry_html(headline: str, entry: Entry, summary: str) -> str:
    causes = "".join(f"<li>{html.escape(cause)}</li>" for cause in entry.causes)
    steps = "".join(f"<li>{html.escape(step)}</li>" for step in entry.next_steps)
    links = "".join(f'<li><a href="{html.escape(link.url)}">{html.escape(link.title)}</a></li>'
                    for link in entry.links)
    return (
        f"<h2>{html.escape(headline)}</h2>"
        f"<h3>{html.escape(entry.display_title)}</h3>"
        f"<p>{html.escape(entry.meaning)}</p>"
        f"<h4>Likely causes</h4><ul>{causes}</ul>"
        f"<h4>What to do next</h4><ol>{steps}</ol>"
        f"<h4>Read more</h4><ul>{links}</ul>"
        f"<h4>Details</h4><pre style=\"white-space: pre-wrap\">{html.escape(summary)}</pre>"
    )
