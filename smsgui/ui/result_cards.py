"""The answer first: one card per message, with what a tester came for and the next step.

A card says in words and with an icon whether the message got through, to whom, in how many
parts, what it cost, the balance after it, the network as operator and country, what became of
it, and the one next step from the matching troubleshooting entry, with buttons for what that
step suggests. The per-part table stays on its own tab for the details.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.privacy import mask_number
from smsgui.core.reference.knowledge import Severity
from smsgui.core.values import money_text
from smsgui.ui.troubleshooting import severity_icon

if TYPE_CHECKING:
    from smsgui.core.api.decode import Receipt
    from smsgui.core.delivery.exchange import Exchange

MAX_CARDS: Final = 50
"""Cards shown at most; a bigger batch says how many more the Parts tab lists."""
CARDS_PER_TURN: Final = 2
"""Cards made or refilled in one event-loop turn: a new card costs Qt a few ms to lay out."""
_FINAL_RECEIPTS: Final = frozenset({"delivered", "failed", "rejected", "expired", "unknown"})


@dataclass(frozen=True)
class CardFacts:
    """What one card says, worked out from an exchange without any widget."""

    verdict: str
    severity: Severity
    recipient: str
    parts: str
    price: str
    balance: str
    network: str
    delivery: str
    headline: str
    next_step: str
    entry_id: str
    can_check_delivery: bool
    retry: str | None = None
    """How smsgui sent it once more after a throttled first answer, if it did."""
    why: str = ""
    """What went wrong, said once, when something did: "Why: the API refused it: ..."."""

    def lines(self) -> list[tuple[str, str]]:
        """The label and value of each fact the answer gave, in the card's order."""
        facts = [("Parts", self.parts), ("Price", self.price), ("Balance after", self.balance),
                 ("Network", self.network), ("Delivery", self.delivery)]
        return [(label, value) for label, value in facts if value != NOTHING_TO_SAY]

    def description(self) -> str:
        """The whole card as one sentence list, for a screen reader."""
        facts = "; ".join(f"{label}: {value}" for label, value in self.lines())
        said = " ".join(piece for piece in (self.why, f"{facts}." if facts else "",
                                            self.retry or "") if piece)
        return f"{self.verdict} - {self.recipient}. {said} Next step: {self.next_step}"


NOTHING_TO_SAY: Final = "-"
"""A fact the answer does not have at all (no answer came): the card leaves it out."""


def card_facts(exchange: Exchange, mask: bool) -> CardFacts:
    """The facts of one exchange's card; numbers masked when ``mask`` is set."""
    response = exchange.send_response
    recipient = exchange.recipient or _first_recipient(exchange)
    shown = (mask_number(recipient) if mask else recipient) if recipient else "unknown recipient"
    if response is None or not response.parts:
        price = balance = network = NOTHING_TO_SAY
        parts = NOTHING_TO_SAY
    else:
        priced = response.accepted_count == 0 or any(
            part.accepted and part.price is not None for part in response.parts)
        price = money_text(response.total_price, response.currency) if priced else "not given"
        if response.accepted_count == 0:
            price = "nothing charged"
        balance = money_text(response.final_balance, response.currency)
        balance = balance if response.final_balance is not None else "not given"
        networks = dict.fromkeys(part.network.label for part in response.parts if part.network)
        network = ", ".join(networks) or "not given"
        parts = str(len(response.parts))
        if not priced:  # a Messages API answer: its status webhook names the price and network
            price, network = _from_status_webhook(exchange, price, network)
    return CardFacts(
        verdict=str(exchange.verdict.label), severity=exchange.verdict.severity,
        recipient=shown, parts=parts, price=price, balance=balance, network=network,
        delivery=_delivery_words(exchange), headline=exchange.headline,
        next_step=exchange.entry.next_steps[0], entry_id=exchange.entry.id,
        can_check_delivery=_may_still_change(exchange), retry=exchange.retry_note,
        why=_why(exchange))


def _why(exchange: Exchange) -> str:
    """The worst failure in one sentence, and who said so; "" when nothing went wrong."""
    from smsgui.core.delivery.verdict import Fate

    worst = exchange.verdict.worst
    if worst is None:
        return ""
    reason = worst.reason.rstrip(".")
    if worst.fate is Fate.REFUSED and worst.is_part:
        verdict = exchange.verdict
        if verdict.accepted == 0:
            return f"Why: the API refused it: {reason} - nothing was sent."
        refused = verdict.count(Fate.REFUSED)
        unsent = "that part was" if refused == 1 else "those parts were"
        return (f"Why: the API refused {refused} of {verdict.parts} parts: {reason} - "
                f"{unsent} not sent.")
    if worst.fate is Fate.NOT_DELIVERED and worst.decided_by:
        return f"Why: the {worst.decided_by} says {reason}."
    return f"Why: {reason}."  # a request's own failure is a sentence already


def _from_status_webhook(exchange: Exchange, price: str, network: str) -> tuple[str, str]:
    """The price and network the latest Messages API status webhook gives, where it gives them."""
    updates = [receipt for receipt in exchange.receipts if receipt.from_messages]
    priced = [receipt for receipt in updates if receipt.price is not None]
    if priced:
        price = money_text(priced[-1].price, priced[-1].currency)
    located = [receipt.network.label for receipt in updates if receipt.network is not None]
    return price, located[-1] if located else network


def _first_recipient(exchange: Exchange) -> str | None:
    response = exchange.send_response
    if response is not None:
        return next((part.to for part in response.parts if part.to), None)
    return next((receipt.recipient for receipt in exchange.receipts if receipt.recipient), None)


def _delivery_words(exchange: Exchange) -> str:
    """What the receipts say, part by part: "delivered", "2 of 3 delivered, 1 failed (...)"."""
    response = exchange.send_response
    latest = {receipt.message_id: receipt for receipt in exchange.receipts}
    if response is None or not response.parts:
        return _receipt_words(exchange.receipts[-1]) if exchange.receipts else NOTHING_TO_SAY
    accepted = [part for part in response.parts if part.accepted]
    if not accepted:
        return NOTHING_TO_SAY
    words = [_receipt_words(latest[part.message_id]) if part.message_id in latest
             else "no receipt yet" for part in accepted]
    if len(set(words)) == 1:
        return words[0] if len(accepted) == 1 else f"all {len(accepted)} parts {words[0]}"
    counts = {word: words.count(word) for word in dict.fromkeys(words)}
    return ", ".join(f"{count} of {len(accepted)} {word}" for word, count in counts.items())


def _receipt_words(receipt: Receipt) -> str:
    words = receipt.status or "no status"
    if receipt.err_code not in (None, 0):
        words += f" ({receipt.code_label} {receipt.err_code}, {receipt.error_entry.title})"
    return words


def _may_still_change(exchange: Exchange) -> bool:
    """Some accepted part has no final receipt yet: the Reports API may know more."""
    response = exchange.send_response
    if response is None:
        return False
    final = {receipt.message_id for receipt in exchange.receipts
             if (receipt.status or "").lower() in _FINAL_RECEIPTS}
    return any(part.accepted and part.message_id not in final for part in response.parts)


class ResultCard(QFrame):
    """One message's card. Its buttons report through the :class:`ResultCards` holding it."""

    def __init__(self, number: int, facts: CardFacts, cards: ResultCards) -> None:
        super().__init__()
        self.facts: CardFacts = facts
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(f"Result card {number}")
        self._icon = QLabel()
        self._verdict = _card_label("")
        font = QFont(self._verdict.font())
        font.setBold(True)
        self._verdict.setFont(font)
        self._verdict.setAccessibleName("Card verdict")
        self._why = _card_label("")
        self._why.setAccessibleName("Why it failed")
        self._facts = _card_label("")
        self._retry = _card_label("")
        self._next_step = _card_label("")
        self._entry = QPushButton("Open the entry")
        self._entry.setAccessibleName(f"Open the entry for card {number}")
        self._entry.clicked.connect(lambda: cards.entry_requested.emit(self.facts.entry_id))
        self._check = QPushButton("Check delivery")
        self._check.setAccessibleName(f"Check delivery for card {number}")
        self._check.setToolTip("Ask the Reports API what became of this message")
        self._check.clicked.connect(cards.delivery_requested)
        column = QVBoxLayout(self)
        column.addLayout(self._heading())
        for label in (self._why, self._facts, self._retry, self._next_step):
            column.addWidget(label)
        column.addLayout(self._buttons(number, cards))
        copy = QAction("Copy this card", self)
        copy.triggered.connect(self._copy)
        self.addAction(copy)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._fill(facts)

    def text(self) -> str:
        """What the card says, line by line, as shown (numbers masked unless they are shown)."""
        lines = (self._verdict.text(), self._why.text(), self._facts.text(), self._retry.text(),
                 self._next_step.text())
        return "\n".join(line for line in lines if line)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())

    def show_facts(self, facts: CardFacts) -> None:
        """Say ``facts`` with the widgets the card has: cheaper than a new card."""
        if facts != self.facts:
            self.facts = facts
            self._fill(facts)

    def _fill(self, facts: CardFacts) -> None:
        self.setAccessibleDescription(facts.description())
        extent = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        self._icon.setPixmap(severity_icon(self.style(), facts.severity).pixmap(
            QSize(extent, extent), self.devicePixelRatioF()))
        self._verdict.setText(f"{facts.verdict} - {facts.recipient}")
        self._why.setText(facts.why)
        self._why.setVisible(bool(facts.why))
        self._facts.setText(" · ".join(f"{label}: {value}" for label, value in facts.lines()))
        self._facts.setVisible(bool(facts.lines()))
        self._retry.setText(facts.retry or "")
        self._retry.setVisible(bool(facts.retry))
        self._next_step.setText(f"Next step: {facts.next_step}")
        self._entry.setToolTip(f"Show the troubleshooting entry: {facts.headline}")
        self._check.setVisible(facts.can_check_delivery)

    def _heading(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self._verdict, 1)
        return row

    def _buttons(self, number: int, cards: ResultCards) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self._entry)
        row.addWidget(self._check)
        summary = QPushButton("Copy summary...")
        summary.setAccessibleName(f"Copy summary for card {number}")
        summary.setToolTip("Preview and copy a diagnostic summary for a support ticket")
        summary.clicked.connect(cards.summary_requested)
        row.addWidget(summary)
        row.addStretch()
        return row


class ResultCards(QWidget):
    """The cards of the exchanges shown, in a scrolled column, with the numbers masked or not.

    Signals:
        entry_requested: A card's "Open the entry" was clicked; carries the entry id.
        delivery_requested: A card's "Check delivery" was clicked.
        summary_requested: A card's "Copy summary..." was clicked.
    """

    entry_requested = Signal(str)
    delivery_requested = Signal()
    summary_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._exchanges: tuple[Exchange, ...] = ()
        self._masked_facts: tuple[CardFacts, ...] | None = None
        self.show_numbers = QCheckBox("Show full numbers")
        self.show_numbers.setAccessibleName("Show full numbers on the cards")
        self.show_numbers.setToolTip("Recipients are masked on the cards unless ticked")
        self.show_numbers.toggled.connect(lambda _checked: self._rebuild())
        self._cards: list[ResultCard] = []
        self._pending = False
        self._held = False
        self._waiting = QLabel("The cards appear when the send is done; the Parts tab lists each "
                               "answer as it comes.")
        self._waiting.setAccessibleName("Cards waiting")
        self._waiting.setWordWrap(True)
        self._waiting.hide()
        self._holder = QWidget()
        self._column = QVBoxLayout(self._holder)
        self._more = QLabel()
        self._more.setAccessibleName("More results")
        self._more.hide()
        self._column.addWidget(self._more)
        self._column.addWidget(self._waiting)
        self._column.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._holder)
        scroll.setAccessibleName("Result cards")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.show_numbers, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(scroll, 1)
        self.show_numbers.hide()

    def show_exchanges(self, exchanges: Sequence[Exchange],
                       masked_facts: Sequence[CardFacts] | None = None) -> None:
        """Show cards for ``exchanges`` in the next event-loop turn: the table and the verdict
        go first, and a burst of receipts costs one rebuild. ``masked_facts`` are the cards'
        facts with numbers masked, when a worker has worked them out already."""
        self._exchanges = tuple(exchanges)
        self._masked_facts = tuple(masked_facts) if masked_facts is not None else None
        if self._held:
            self._waiting.setVisible(bool(self._exchanges))
        else:
            self._schedule()

    def _schedule(self) -> None:
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._rebuild)

    def hold(self, held: bool) -> None:
        """While a batch is being sent, leave the cards alone: answers come dozens a second, and
        laying out a column of cards for each burst would keep the window from answering."""
        self._held = held
        if held:
            self._clear_cards()
        else:
            self._waiting.hide()
            self._schedule()

    def cards(self) -> list[ResultCard]:
        """The cards as they stand once any pending rebuild is done."""
        self._rebuild(at_most=None)
        return list(self._cards)

    def _rebuild(self, at_most: int | None = CARDS_PER_TURN) -> None:
        """Bring the cards up to date: a card whose facts changed is refilled, a missing one
        made, at most ``at_most`` of them in this event-loop turn (the rest in the next ones),
        so a batch coming in never holds the window up for long."""
        self._pending = False
        if self._held:
            return
        mask = not self.show_numbers.isChecked()
        shown = self._exchanges[:MAX_CARDS]
        if mask and self._masked_facts is not None and len(self._masked_facts) == len(shown):
            wanted = list(self._masked_facts)
        else:
            wanted = [card_facts(exchange, mask) for exchange in shown]
        work = 0
        for index, facts in enumerate(wanted):
            if index < len(self._cards) and self._cards[index].facts == facts:
                continue
            if at_most is not None and work >= at_most:
                self._pending = True
                QTimer.singleShot(0, self, self._rebuild)
                break
            work += 1
            if index < len(self._cards):
                self._cards[index].show_facts(facts)
            else:
                card = ResultCard(index + 1, facts, self)
                self._column.insertWidget(index, card)
                self._cards.append(card)
        self._clear_cards(keep=len(wanted))
        self._show_more(len(self._exchanges) - MAX_CARDS)
        self.show_numbers.setVisible(bool(self._cards))

    def _clear_cards(self, keep: int = 0) -> None:
        for card in self._cards[keep:]:
            self._column.removeWidget(card)
            card.deleteLater()
        del self._cards[keep:]
        if not keep:
            self._show_more(0)

    def _show_more(self, hidden: int) -> None:
        self._more.setText(f"... and {hidden:,} more messages: the Parts tab lists every one."
                           if hidden > 0 else "")
        self._more.setVisible(hidden > 0)


def _card_label(text: str) -> QLabel:
    # Not selectable: a selectable label lays its text out as a rich-text document, which made
    # a column of 50 cards cost Qt ~150 ms per layout. Right-click > Copy this card instead.
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
