"""The Countries dialog: every destination country's sending rules, searchable, one at a time.

The list on the left is filtered as you type (by name, ISO code, +dialing code or rule word);
the selected country's documented facts are shown on the right, each with its source and the day
it was checked, and the topics no source documents are named as such rather than guessed.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.reference.destinations import (
    FACT_TOPICS,
    TOPIC_LABELS,
    ContentFact,
    ContentRule,
    CountryRules,
    DestinationTable,
    Fact,
    ReceiptsFact,
    Registration,
    RegistrationFact,
    SenderFact,
    SenderRule,
    ShortCodeFact,
    ShortCodeRule,
    Support,
    SupportFact,
    default_destination_table,
)

ISO_ROLE: Final = Qt.ItemDataRole.UserRole
SEARCH_PLACEHOLDER: Final = "Name, code such as +91, or rule such as DLT"
NOT_DOCUMENTED: Final = "Not documented"
DEFAULT_SIZE: Final = (900, 560)
_LIST_WIDTH: Final = 300

ABOUT_HTML: Final = (
    "<p><i>Rules change: every fact names the page it comes from and the day it was checked. "
    "A topic that is not documented is unknown, neither allowed nor forbidden.</i></p>"
)

SENDER_WORDS: Final = MappingProxyType({
    SenderRule.SUPPORTED: "Supported",
    SenderRule.NEEDS_REGISTRATION: "Needs registration",
    SenderRule.OVERWRITTEN: "Replaced",
    SenderRule.NOT_SUPPORTED: "Not supported",
})

SHORT_CODE_WORDS: Final = MappingProxyType({
    ShortCodeRule.SUPPORTED: "Supported",
    ShortCodeRule.NEEDS_REGISTRATION: "Needs registration",
    ShortCodeRule.NOT_SUPPORTED: "Not supported",
})

SUPPORT_WORDS: Final = MappingProxyType({
    Support.SUPPORTED: "Supported",
    Support.PARTIAL: "On some networks only",
    Support.NOT_SUPPORTED: "Not supported",
})

CONTENT_WORDS: Final = MappingProxyType({
    ContentRule.PROMOTIONAL_HOURS: "marketing only at allowed hours",
    ContentRule.OPT_OUT_WORDING: "opt-out wording required",
    ContentRule.NO_URL_SHORTENERS: "no public link shorteners",
    ContentRule.TEMPLATE_MATCHING: "text must match an approved template",
    ContentRule.OPT_IN_REQUIRED: "recipients must opt in first",
    ContentRule.RESTRICTED_CONTENT: "some content is banned",
})


# -- words and HTML (no widgets) -------------------------------------------------------------------

def country_label(rules: CountryRules) -> str:
    """The country as listed, e.g. "India  +91  IN"."""
    return f"{rules.name}  +{rules.dialing_code}  {rules.iso}"


def count_text(shown: int, total: int) -> str:
    return f"{shown} of {total} countries"


def rule_words(fact: Fact) -> str:
    """A fact's rule in words, e.g. "Needs registration - unregistered senders are replaced by
    a generic short code"."""
    words = _RULE_WORDS.get(type(fact))
    return words(fact) if words is not None else ""


def _sender_words(fact: SenderFact) -> str:
    words = SENDER_WORDS[fact.rule]
    if fact.replaced_by is None:
        return f"{words} by another sender" if fact.rule is SenderRule.OVERWRITTEN else words
    if fact.rule is SenderRule.NEEDS_REGISTRATION:
        return f"{words} - unregistered senders are replaced by {fact.replaced_by}"
    return f"{words} by {fact.replaced_by}"


def _registration_words(fact: RegistrationFact) -> str:
    needs = [need.label for need in Registration if need in fact.needs]
    words = f"Register: {', '.join(needs)}" if needs else "Nothing to register"
    if fact.parameters:
        words += f" - send {' and '.join(fact.parameters)} with every message"
    return words


def _receipts_words(fact: ReceiptsFact) -> str:
    words = SUPPORT_WORDS[fact.rule]
    if fact.carriers_without:
        words += f" - none from {', '.join(fact.carriers_without)}"
    return words


def _content_words(fact: ContentFact) -> str:
    rules = [words for rule, words in CONTENT_WORDS.items() if rule in fact.rules]
    text = "; ".join(rules) or "no special rules"
    return text[0].upper() + text[1:]


def _short_code_words(fact: ShortCodeFact) -> str:
    return SHORT_CODE_WORDS[fact.rule]


def _support_words(fact: SupportFact) -> str:
    return SUPPORT_WORDS[fact.rule]


_RULE_WORDS: Final[Mapping[type[Fact], Callable[[Any], str]]] = MappingProxyType({
    SenderFact: _sender_words,
    ShortCodeFact: _short_code_words,
    RegistrationFact: _registration_words,
    ReceiptsFact: _receipts_words,
    SupportFact: _support_words,
    ContentFact: _content_words,
})


def missing_topics(rules: CountryRules) -> list[str]:
    """The labels of the topics no source documents for this country, in the table's order."""
    documented = {fact.topic for fact in rules.facts()}
    return [TOPIC_LABELS[topic] for topic in FACT_TOPICS if topic not in documented]


def country_html(rules: CountryRules) -> str:
    """The country's heading, every documented fact, then the topics not documented."""
    facts = "".join(fact_html(fact) for fact in rules.facts())
    if not facts:
        facts = "<p>Nothing is documented for this country yet.</p>"
    return (
        f"<h2>{html.escape(rules.name)}</h2>"
        f"<p>Dialing code +{html.escape(rules.dialing_code)} &middot; "
        f"ISO code {html.escape(rules.iso)}</p>"
        f"{ABOUT_HTML}{facts}{_missing_html(missing_topics(rules))}"
    )


def fact_html(fact: Fact) -> str:
    """One fact: its label, the rule in words, the note and the source link with its date."""
    return (
        f"<h3>{html.escape(TOPIC_LABELS.get(fact.topic, fact.topic))}</h3>"
        f"<p><b>{html.escape(rule_words(fact))}</b></p>"
        f"<p>{html.escape(fact.note)}</p>"
        f"<p>{_source_html(fact)}</p>"
    )


def _source_html(fact: Fact) -> str:
    url = fact.source.url
    site = urlsplit(url).hostname or url
    return (f'Source: <a href="{html.escape(url, quote=True)}">{html.escape(site)}</a>, '
            f"checked {fact.source.checked.isoformat()}")


def _missing_html(labels: Iterable[str]) -> str:
    names = ", ".join(label.lower() for label in labels)
    return f"<p><b>{NOT_DOCUMENTED}:</b> {html.escape(names)}</p>" if names else ""


def no_match_html(text: str) -> str:
    return (
        f"<p>No country matches “{html.escape(text.strip())}”.</p>"
        "<p>Try a country name, a dialing code such as +44, an ISO code such as GB, "
        "or a rule word such as DLT, 10DLC or template.</p>"
    )


# -- the dialog ------------------------------------------------------------------------------------

class CountriesDialog(QDialog):
    """Every destination country, searchable by name, code or rule; one country's rules shown."""

    def __init__(self, table: DestinationTable | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._table = table if table is not None else default_destination_table()
        self.setWindowTitle("Countries")
        self.search = self._make_search()
        self.count = self._make_count()
        self.countries = self._make_list()
        self.details = self._make_details()
        self._build_layout()
        self.resize(*DEFAULT_SIZE)
        self._apply_search("")
        self.search.setFocus()

    # -- building -------------------------------------------------------------------------------

    def _make_search(self) -> QLineEdit:
        search = QLineEdit()
        search.setAccessibleName("Search countries")
        search.setPlaceholderText(SEARCH_PLACEHOLDER)
        search.setToolTip("Show only the countries whose name, codes or rules contain every "
                          "word; press Down to move into the list")
        search.setClearButtonEnabled(True)
        search.textChanged.connect(self._on_search_text_changed)
        search.installEventFilter(self)
        return search

    def _make_count(self) -> QLabel:
        count = QLabel()
        count.setAccessibleName("Countries shown")
        return count

    def _make_list(self) -> QListWidget:
        countries = QListWidget()
        countries.setAccessibleName("Countries")
        countries.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        countries.setUniformItemSizes(True)
        countries.setToolTip("Pick a country to read its sending rules")
        countries.currentItemChanged.connect(self._on_current_country_changed)
        countries.installEventFilter(self)
        return countries

    def _make_details(self) -> QTextBrowser:
        details = QTextBrowser()
        details.setAccessibleName("Country rules")
        details.setReadOnly(True)
        details.setOpenExternalLinks(True)
        return details

    def _build_layout(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._left_column())
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([_LIST_WIDTH, DEFAULT_SIZE[0] - _LIST_WIDTH])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        # Enter on a country must not close the dialog; Escape and the button still do.
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        close.setDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

    def _left_column(self) -> QWidget:
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.count)
        layout.addWidget(self.countries, 1)
        return column

    # -- public ---------------------------------------------------------------------------------

    def show_country(self, iso: str) -> bool:
        """Select and show the country with ISO code ``iso``; False when the table lacks it."""
        rules = self._table.get(iso)
        if rules is None:
            return False
        if self._row_of(rules.iso) is None:
            self.search.clear()
        row = self._row_of(rules.iso)
        if row is None:
            return False
        self.countries.setCurrentRow(row)
        self.countries.scrollToItem(self.countries.item(row),
                                    QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def shown_iso(self) -> str | None:
        """The ISO code of the country whose rules are shown, or None."""
        item = self.countries.currentItem()
        return str(item.data(ISO_ROLE)) if item is not None else None

    def visible_isos(self) -> list[str]:
        """The ISO codes the search leaves in the list, in list order."""
        return [str(self.countries.item(row).data(ISO_ROLE))
                for row in range(self.countries.count())]

    # -- filtering and showing ------------------------------------------------------------------

    def _apply_search(self, text: str) -> None:
        matches = self._table.search(text)
        self._fill_list(matches)
        self.count.setText(count_text(len(matches), len(self._table)))
        self._show_current()

    def _fill_list(self, matches: list[CountryRules]) -> None:
        self.countries.blockSignals(True)
        try:
            self.countries.clear()
            for rules in matches:
                self.countries.addItem(self._make_item(rules))
            if matches:
                self.countries.setCurrentRow(0)
        finally:
            self.countries.blockSignals(False)

    def _make_item(self, rules: CountryRules) -> QListWidgetItem:
        item = QListWidgetItem(country_label(rules))
        item.setData(ISO_ROLE, rules.iso)
        item.setToolTip(f"{rules.name}: dialing code +{rules.dialing_code}, ISO code {rules.iso}")
        return item

    def _row_of(self, iso: str) -> int | None:
        return next((row for row, shown in enumerate(self.visible_isos()) if shown == iso), None)

    def _show_current(self) -> None:
        rules = self._table.get(self.shown_iso())
        if rules is not None:
            self.details.setHtml(country_html(rules))
        elif self.countries.count() == 0:
            self.details.setHtml(no_match_html(self.search.text()))
        else:
            self.details.setHtml("<p>Pick a country to read its sending rules.</p>")

    # -- keyboard -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Down or Enter in the search moves into the list; Up on the first row moves back."""
        if event.type() is QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.search:
                return self._search_key(event)
            if watched is self.countries:
                return self._list_key(event)
        return super().eventFilter(watched, event)

    def _search_key(self, event: QKeyEvent) -> bool:
        keys = (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.key() not in keys or self.countries.count() == 0:
            return False
        if self.countries.currentRow() < 0:
            self.countries.setCurrentRow(0)
        self.countries.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _list_key(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Up and self.countries.currentRow() <= 0:
            self.search.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return False

    # -- slots ----------------------------------------------------------------------------------

    def _on_search_text_changed(self, text: str) -> None:
        self._apply_search(text)

    def _on_current_country_changed(self, current: QListWidgetItem | None,
                                    previous: QListWidgetItem | None) -> None:
        self._show_current()

