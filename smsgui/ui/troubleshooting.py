"""The troubleshooting panel: every knowledge entry, grouped, searchable, with the match marked."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStyle,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.reference.knowledge import Entry, Kind, KnowledgeBase, Retry, Severity

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from smsgui.core.delivery.destination import DestinationNote

MATCH_MARK: Final = "▶"
MATCH_LABEL: Final = f"{MATCH_MARK} Matches your result"
DESTINATION_HEADING: Final = "What the destination country's rules add"
ENTRY_ID_ROLE: Final = Qt.ItemDataRole.UserRole
GROUP_TITLE_ROLE: Final = Qt.ItemDataRole.UserRole + 1

INTRO_HTML: Final = (
    "<p>Pick an entry above to read what it means and what to do.</p>"
    f"<p>After a send, the entry that explains your result is marked {MATCH_MARK} and shown "
    "here.</p>"
)

GROUP_TITLES: Final = MappingProxyType({
    Kind.API_STATUS: "SMS API status codes",
    Kind.HTTP: "HTTP answers",
    Kind.TRANSPORT: "Connection problems",
    Kind.RESPONSE: "Unreadable answers",
    Kind.RECEIPT_STATUS: "Delivery receipt statuses",
    Kind.RECEIPT_ERROR: "Receipt error codes",
    Kind.CHECK: "Pre-send checks",
    Kind.MESSAGES_ERROR: "Messages API errors",
    Kind.MESSAGES_STATUS: "Messages API statuses",
})

KIND_NAMES: Final = MappingProxyType({
    Kind.API_STATUS: "SMS API status",
    Kind.HTTP: "HTTP answer",
    Kind.TRANSPORT: "Connection problem",
    Kind.RESPONSE: "Unreadable answer",
    Kind.RECEIPT_STATUS: "Delivery receipt status",
    Kind.RECEIPT_ERROR: "Delivery receipt err-code",
    Kind.CHECK: "Pre-send check",
    Kind.MESSAGES_ERROR: "Messages API error",
    Kind.MESSAGES_STATUS: "Messages API status",
})

RETRY_WORDS: Final = MappingProxyType({
    Retry.YES: "Yes: sending again can help.",
    Retry.AFTER_WAIT: "Yes, after a wait: give it a little time, then send again.",
    Retry.AFTER_FIX: ("Only after fixing the cause: the same request sent again will fail "
                      "the same way."),
    Retry.CHECK_FIRST: ("Not yet. Check delivery before sending again: the message may already "
                        "have gone out."),
    Retry.NO: "No: sending the same message again will not change this.",
})

_SEVERITY_PIXMAPS: Final = MappingProxyType({
    Severity.OK: QStyle.StandardPixmap.SP_DialogApplyButton,
    Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
    Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Severity.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
})

_CODE_PREFIXED: Final = frozenset({Kind.API_STATUS, Kind.RECEIPT_ERROR})


def severity_icon(style: QStyle, severity: Severity) -> QIcon:
    """The style's standard icon for a severity: a tick, an i, a warning sign or a stop sign."""
    return style.standardIcon(_SEVERITY_PIXMAPS[severity])


def entry_label(entry: Entry) -> str:
    """The entry as listed, e.g. "29 · Non-Whitelisted Destination" or "Unauthorized (401)"."""
    numbered = entry.kind is Kind.MESSAGES_ERROR and (entry.code or "").isdigit()
    if (entry.kind in _CODE_PREFIXED or numbered) and entry.code is not None:
        return f"{entry.code} · {entry.display_title}"
    return entry.display_title


def retry_words(retry: Retry) -> str:
    """Whether sending again helps, in plain words."""
    return RETRY_WORDS[retry]


def entry_html(entry: Entry, is_match: bool) -> str:
    """The entry expanded: match banner, title, meaning, causes, next steps, retry, links."""
    banner = f"<p><b>{html.escape(MATCH_LABEL)}</b></p>" if is_match else ""
    return (
        f"{banner}<h2>{html.escape(entry_label(entry))}</h2>"
        f"<p><i>{html.escape(_kind_line(entry))}</i></p>"
        f"<p>{html.escape(entry.meaning)}</p>"
        f"<h3>Likely causes</h3>{_html_list('ul', entry.causes)}"
        f"<h3>What to do next</h3>{_html_list('ol', entry.next_steps)}"
        f"<h3>Does sending again help?</h3><p>{html.escape(retry_words(entry.retry))}</p>"
        f"<h3>Read more</h3>{_links_html(entry)}"
    )


def destination_html(notes: Sequence[DestinationNote]) -> str:
    """The destination's rules, first in the matching entry: they say why it happened there."""
    rows = "".join(
        f"<li><b>{html.escape(note.country_name)}:</b> {html.escape(note.text)}"
        f" <i>{html.escape(note.detail)}</i>"
        f' (<a href="{html.escape(note.source, quote=True)}">source</a>,'
        f" checked {note.checked_on})</li>" for note in notes)
    return f"<h3>{html.escape(DESTINATION_HEADING)}</h3><ul>{rows}</ul>"


def _kind_line(entry: Entry) -> str:
    kind = KIND_NAMES[entry.kind]
    if entry.code is None or entry.kind is Kind.HTTP or entry.code == "unknown":
        return kind
    if entry.code.startswith("http-"):
        return f"{kind}, HTTP {entry.code.removeprefix('http-')}"
    return f"{kind} {entry.code}"


def _html_list(tag: str, items: tuple[str, ...]) -> str:
    rows = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f"<{tag}>{rows}</{tag}>"


def _links_html(entry: Entry) -> str:
    rows = "".join(
        f'<li><a href="{html.escape(link.url, quote=True)}">{html.escape(link.title)}</a></li>'
        for link in entry.links
    )
    return f"<ul>{rows}</ul>"


class TroubleshootingPanel(QWidget):
    """Every troubleshooting entry by kind; the entry matching the result is marked and shown."""

    def __init__(self, knowledge: KnowledgeBase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._knowledge = knowledge
        self._items: dict[str, QTreeWidgetItem] = {}
        self._highlighted: str | None = None
        self._notes: tuple[DestinationNote, ...] = ()
        self._shown_html = INTRO_HTML
        self.search = self._make_search()
        self.no_match = QLabel()
        self.no_match.setAccessibleName("Search result")
        self.no_match.setWordWrap(True)
        self.no_match.hide()
        self.tree = self._make_tree()
        self.details = self._make_details()
        self._fill_tree()
        self._build_layout()

    # -- building -------------------------------------------------------------------------------

    def _make_search(self) -> QLineEdit:
        search = QLineEdit()
        search.setAccessibleName("Search troubleshooting")
        search.setPlaceholderText("Filter by title or code, e.g. 29 or whitelist")
        search.setToolTip("Show only the entries whose title or code contains these words")
        search.setClearButtonEnabled(True)
        search.textChanged.connect(self._on_search_text_changed)
        return search

    def _make_tree(self) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setAccessibleName("Troubleshooting entries")
        tree.setHeaderHidden(True)
        tree.setUniformRowHeights(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setToolTip("Pick an entry to read what it means and what to do")
        tree.itemSelectionChanged.connect(self._on_tree_item_selection_changed)
        return tree

    def _make_details(self) -> QTextBrowser:
        details = QTextBrowser()
        details.setAccessibleName("Entry details")
        details.setOpenExternalLinks(True)
        details.setHtml(INTRO_HTML)
        details.sourceChanged.connect(self._on_details_source_changed)  # a link was followed
        return details

    def _fill_tree(self) -> None:
        # One icon per severity shared by every item: a fresh icon per item is looked up in the
        # style, then measured and drawn anew.
        icons = {severity: severity_icon(self.style(), severity) for severity in Severity}
        groups = [self._make_group(title, entries, icons)
                  for title, entries in self._non_empty_groups()]
        # Built outside the tree and added at once: one insertion instead of one per item.
        self.tree.addTopLevelItems(groups)

    def _non_empty_groups(self) -> Iterator[tuple[str, tuple[Entry, ...]]]:
        for kind, title in GROUP_TITLES.items():
            entries = self._knowledge.of_kind(kind)
            if entries:
                yield title, entries

    def _make_group(self, title: str, entries: tuple[Entry, ...],
                    icons: Mapping[Severity, QIcon]) -> QTreeWidgetItem:
        group = QTreeWidgetItem([f"{title} ({len(entries)})"])
        group.setData(0, GROUP_TITLE_ROLE, title)
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        for entry in entries:
            self._items[entry.id] = self._make_item(group, entry, icons[entry.severity])
        return group

    def _make_item(self, group: QTreeWidgetItem, entry: Entry, icon: QIcon) -> QTreeWidgetItem:
        item = QTreeWidgetItem(group, [entry_label(entry)])
        item.setData(0, ENTRY_ID_ROLE, entry.id)
        item.setIcon(0, icon)
        item.setToolTip(0, entry.meaning)
        return item

    def _build_layout(self) -> None:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.no_match)
        column.addWidget(splitter)

    # -- public ---------------------------------------------------------------------------------

    def highlight(self, entry_id: str) -> bool:
        """Mark ``entry_id`` as the match, select, expand and show it; False for an unknown id."""
        item = self._items.get(entry_id)
        if item is None:
            return False
        self._set_marked(self._highlighted, marked=False)
        self._highlighted = entry_id
        self._set_marked(entry_id, marked=True)
        if item.isHidden():
            self.search.clear()
        self._reveal(item)
        return True

    def set_destination_notes(self, notes: Sequence[DestinationNote]) -> None:
        """Show these country rules above the matching entry, where they explain it."""
        self._notes = tuple(notes)
        self._show_current()

    def clear_highlight(self) -> None:
        """Forget the match, e.g. when the results are cleared."""
        self._set_marked(self._highlighted, marked=False)
        self._highlighted = None
        self._show_current()

    def highlighted_id(self) -> str | None:
        return self._highlighted

    def shown_id(self) -> str | None:
        """The id of the entry whose details are shown, or None."""
        selected = self.tree.selectedItems()
        return selected[0].data(0, ENTRY_ID_ROLE) if selected else None

    def visible_ids(self) -> list[str]:
        """The ids of the entries the search leaves in the list, in list order."""
        return [entry_id for entry_id, item in self._items.items() if not item.isHidden()]

    # -- marking and showing --------------------------------------------------------------------

    def _set_marked(self, entry_id: str | None, marked: bool) -> None:
        if entry_id is None or entry_id not in self._items:
            return
        item = self._items[entry_id]
        entry = self._knowledge.get(entry_id)
        label = entry_label(entry)
        item.setText(0, f"{MATCH_MARK} {label}" if marked else label)
        font = QFont(item.font(0))
        font.setBold(marked)
        item.setFont(0, font)
        tooltip = f"{MATCH_LABEL}\n{entry.meaning}" if marked else entry.meaning
        item.setToolTip(0, tooltip)

    def _reveal(self, item: QTreeWidgetItem) -> None:
        parent = item.parent()
        if parent is not None:
            parent.setExpanded(True)
        self.tree.setCurrentItem(item)
        item.setSelected(True)
        self.tree.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)
        self._show_current()

    def _show_current(self) -> None:
        entry_id = self.shown_id()
        if entry_id is None:
            self._show_html(INTRO_HTML)
            return
        entry = self._knowledge.get(entry_id)
        is_match = entry_id == self._highlighted
        notes = destination_html(self._notes) if is_match and self._notes else ""
        self._show_html(notes + entry_html(entry, is_match=is_match))

    def _show_html(self, html: str) -> None:
        # Laying out an entry takes ~6 ms, and one highlight asks for it up to three times.
        if html != self._shown_html:
            self._shown_html = html
            self.details.setHtml(html)

    def _apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        shown = 0
        for group in self._groups():
            shown += self._filter_group(group, words)
        self.no_match.setText(f"No entry title matches “{text.strip()}”.")
        self.no_match.setVisible(bool(words) and shown == 0)

    def _groups(self) -> list[QTreeWidgetItem]:
        groups = (self.tree.topLevelItem(index) for index in range(self.tree.topLevelItemCount()))
        return [group for group in groups if group is not None]

    def _filter_group(self, group: QTreeWidgetItem, words: list[str]) -> int:
        ids = self._ids_in(group)
        shown = 0
        for entry_id in ids:
            haystack = entry_label(self._knowledge.get(entry_id)).casefold()
            hidden = not all(word in haystack for word in words)
            self._items[entry_id].setHidden(hidden)
            shown += not hidden
        title = group.data(0, GROUP_TITLE_ROLE)
        count = f"{shown} of {len(ids)}" if words else str(len(ids))
        group.setText(0, f"{title} ({count})")
        group.setHidden(shown == 0)
        group.setExpanded(bool(words) or self._holds_highlight(group))
        return shown

    def _ids_in(self, group: QTreeWidgetItem) -> list[str]:
        return [entry_id for entry_id, item in self._items.items() if item.parent() is group]

    def _holds_highlight(self, group: QTreeWidgetItem) -> bool:
        item = self._items.get(self._highlighted) if self._highlighted else None
        return item is not None and item.parent() is group

    # -- slots ----------------------------------------------------------------------------------

    def _on_search_text_changed(self, text: str) -> None:
        self._apply_filter(text)

    def _on_tree_item_selection_changed(self) -> None:
        self._show_current()

    def _on_details_source_changed(self) -> None:
        self._shown_html = ""
