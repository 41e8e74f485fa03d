"""The troubleshooting panel: entries by kind, the matching entry marked and shown, search."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem, QWidget
from pytestqt.qtbot import QtBot

from smsgui.core.reference.knowledge import (
    Kind,
    KnowledgeBase,
    Retry,
    Severity,
    default_knowledge_base,
)
from smsgui.ui.troubleshooting import (
    ENTRY_ID_ROLE,
    MATCH_LABEL,
    RETRY_WORDS,
    TroubleshootingPanel,
)

GROUPS = ["SMS API status codes", "HTTP answers", "Connection problems", "Unreadable answers",
          "Delivery receipt statuses", "Receipt error codes", "Pre-send checks",
          "Messages API errors", "Messages API statuses"]


@pytest.fixture
def knowledge() -> KnowledgeBase:
    return default_knowledge_base()


@pytest.fixture
def panel(qtbot: QtBot, knowledge: KnowledgeBase) -> TroubleshootingPanel:
    widget = TroubleshootingPanel(knowledge)
    qtbot.addWidget(widget)
    widget.resize(500, 500)
    widget.show()
    return widget


def item_for(panel: TroubleshootingPanel, entry_id: str) -> QTreeWidgetItem:
    found = [item for item in iter_entries(panel) if item.data(0, ENTRY_ID_ROLE) == entry_id]
    assert len(found) == 1
    return found[0]


def iter_entries(panel: TroubleshootingPanel) -> list[QTreeWidgetItem]:
    groups = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    return [group.child(i) for group in groups for i in range(group.childCount())]


def is_on_screen(panel: TroubleshootingPanel, item: QTreeWidgetItem) -> bool:
    return panel.tree.viewport().rect().contains(panel.tree.visualItemRect(item))


def test_entries_are_grouped_by_kind(panel: TroubleshootingPanel,
                                     knowledge: KnowledgeBase) -> None:
    groups = [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]
    assert [group.rsplit(" (", 1)[0] for group in groups] == GROUPS
    assert len(iter_entries(panel)) == len(knowledge.entries)
    labels = {item.text(0) for item in iter_entries(panel)}
    assert "29 · Non-Whitelisted Destination" in labels
    assert "6 · Invalid Message (Unroutable)" in labels
    assert "Unauthorized (401)" in labels
    assert "Connection Refused" in labels


def test_every_entry_shows_the_one_icon_of_its_severity(panel: TroubleshootingPanel,
                                                         knowledge: KnowledgeBase) -> None:
    icons: dict[Severity, set[int]] = {}
    for item in iter_entries(panel):
        assert not item.icon(0).isNull()
        severity = knowledge.get(item.data(0, ENTRY_ID_ROLE)).severity
        icons.setdefault(severity, set()).add(item.icon(0).cacheKey())
    assert [len(keys) for keys in icons.values()] == [1] * len(icons)
    assert len(set.union(*icons.values())) == len(icons)


def test_highlight_selects_expands_shows_and_marks_the_entry(
        panel: TroubleshootingPanel, knowledge: KnowledgeBase) -> None:
    assert panel.highlight("status-29")
    item = item_for(panel, "status-29")
    assert panel.highlighted_id() == "status-29" == panel.shown_id()
    assert item.isSelected()
    assert item.parent().isExpanded()
    assert is_on_screen(panel, item)
    assert item.text(0) == "▶ 29 · Non-Whitelisted Destination"
    assert item.font(0).bold()
    entry = knowledge.get("status-29")
    shown = " ".join(panel.details.toMarkdown().split())
    assert MATCH_LABEL in shown
    assert entry.meaning.split(".")[0] in shown
    assert f"1. {entry.next_steps[0][:30]}" in shown
    assert RETRY_WORDS[Retry.AFTER_FIX] in shown
    assert entry.links[0].url in panel.details.toHtml()
    assert panel.details.openExternalLinks()


def test_a_new_highlight_unmarks_the_previous_one(panel: TroubleshootingPanel) -> None:
    panel.highlight("status-29")
    panel.highlight("receipt-error-6")
    old = item_for(panel, "status-29")
    assert old.text(0) == "29 · Non-Whitelisted Destination"
    assert not old.font(0).bold()
    assert item_for(panel, "receipt-error-6").text(0).startswith("▶ 6 · ")
    assert panel.highlighted_id() == "receipt-error-6"


def test_every_entry_can_be_highlighted(panel: TroubleshootingPanel,
                                        knowledge: KnowledgeBase) -> None:
    for entry in knowledge.entries:
        assert panel.highlight(entry.id), entry.id
        assert panel.shown_id() == entry.id
        assert is_on_screen(panel, item_for(panel, entry.id)), entry.id
        shown = panel.details.toPlainText()
        assert entry.title in shown
        assert "Matches your result" in shown


def test_an_unknown_id_changes_nothing(panel: TroubleshootingPanel) -> None:
    panel.highlight("status-4")
    assert not panel.highlight("no-such-entry")
    assert panel.highlighted_id() == "status-4"


def test_status_0_says_accepted_is_not_delivered(panel: TroubleshootingPanel) -> None:
    panel.highlight("status-0")
    shown = " ".join(panel.details.toPlainText().split())
    assert "Accepted is not delivered" in shown
    assert "delivery receipt" in shown


def test_a_read_timeout_says_to_check_before_sending_again(panel: TroubleshootingPanel) -> None:
    panel.highlight("transport-read-timeout")
    shown = " ".join(panel.details.toPlainText().split()).lower()
    assert "check delivery before sending again: the message may already have gone out" in shown


def test_search_filters_titles(qtbot: QtBot, panel: TroubleshootingPanel,
                              knowledge: KnowledgeBase) -> None:
    qtbot.keyClicks(panel.search, "whitelist")
    assert panel.visible_ids() == ["status-29"]
    assert not panel.no_match.isVisible()
    panel.search.clear()
    qtbot.keyClicks(panel.search, "401")
    assert panel.visible_ids() == ["http-401"]
    shown_groups = [group.text(0) for group in panel.tree.findItems(
        "*", Qt.MatchFlag.MatchWildcard) if not group.isHidden()]
    assert shown_groups == [f"HTTP answers (1 of {len(knowledge.of_kind(Kind.HTTP))})"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "no such problem")
    assert panel.visible_ids() == []
    assert panel.no_match.isVisible()
    assert "No entry title matches" in panel.no_match.text()
    panel.search.clear()
    assert len(panel.visible_ids()) == len(iter_entries(panel))
    assert not panel.no_match.isVisible()


def test_highlighting_an_entry_hidden_by_the_search_clears_it(
        qtbot: QtBot, panel: TroubleshootingPanel) -> None:
    qtbot.keyClicks(panel.search, "throttled")
    panel.highlight("status-29")
    assert panel.search.text() == ""
    assert not item_for(panel, "status-29").isHidden()
    assert panel.shown_id() == "status-29"


def test_clicking_another_entry_shows_it_and_keeps_the_match(
        qtbot: QtBot, panel: TroubleshootingPanel) -> None:
    panel.highlight("status-29")
    other = item_for(panel, "status-4")
    panel.tree.scrollToItem(other)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.tree.visualItemRect(other).center())
    assert panel.shown_id() == "status-4"
    assert panel.highlighted_id() == "status-29"
    assert "Invalid Credentials" in panel.details.toPlainText()
    assert MATCH_LABEL not in panel.details.toPlainText()


def test_a_highlight_lays_out_the_entry_once(panel: TroubleshootingPanel) -> None:
    """Each layout of an entry costs ~6 ms of the window's time; one highlight needs one."""
    panel.highlight("status-1")
    layouts: list[None] = []
    panel.details.textChanged.connect(lambda: layouts.append(None))
    panel.highlight("status-29")
    assert len(layouts) == 1
    panel.highlight("status-29")
    assert len(layouts) == 1
    assert "Invalid Credentials" not in panel.details.toPlainText()


def test_clear_highlight_unmarks(panel: TroubleshootingPanel) -> None:
    panel.highlight("status-1")
    panel.clear_highlight()
    assert panel.highlighted_id() is None
    assert not item_for(panel, "status-1").text(0).startswith("▶")
    assert MATCH_LABEL not in panel.details.toPlainText()


def test_controls_have_accessible_names(panel: TroubleshootingPanel) -> None:
    names = {child.accessibleName() for child in panel.findChildren(QWidget)}
    assert {"Troubleshooting entries", "Search troubleshooting", "Entry details"} <= names
