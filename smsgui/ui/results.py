"""The results pane: a row per message part, a summary and verdict, and the raw exchange."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontDatabase, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from smsgui.core.privacy import mask_number, redact_fields, redact_url
from smsgui.core.reference.knowledge import Entry, Severity
from smsgui.core.values import amount_text, money_text
from smsgui.ui.parts_table import (
    COLUMNS,
    DELIVERY,
    MESSAGE_ID,
    PartsTable,
)
from smsgui.ui.result_cards import MAX_CARDS, CardFacts, ResultCards, card_facts
from smsgui.ui.troubleshooting import severity_icon

if TYPE_CHECKING:  # the empty pane of the first frame needs none of them
    from smsgui.core.api.decode import MessagePart, Receipt, SendResponse
    from smsgui.core.api.documents import RequestRecord, ResponseDocument
    from smsgui.core.delivery.destination import DestinationNote
    from smsgui.core.delivery.exchange import Exchange
    from smsgui.core.delivery.timeline import TimelineEvent
    from smsgui.core.delivery.verdict import PartFate, Verdict
    from smsgui.core.reference.networks import Network

NO_PART: Final = "-"
MAY_HAVE_BEEN_SENT: Final = (
    "The request may have reached Vonage: check delivery before sending again."
)
EMPTY_VERDICT: Final = "No results yet"
_SHOWN_NOTES: Final = 3
EMPTY_SUMMARY: Final = (
    "Send a message, or open or paste a response: what happened to each part appears here."
)
SANDBOX_INTRO: Final = (
    "You are on the sandbox: nothing is really sent, and it answers as Vonage's API does,"
    " failures included. A sample send shows you one message accepted and delivered, and one"
    " refused (status 29)."
)
_MAX_COLUMN_CHARS: Final = 40
_NARROW_COLUMNS: Final = MappingProxyType({MESSAGE_ID: 14})
_ROWS_MEASURED: Final = 50
_AUTH_WORDS: Final = MappingProxyType({
    "basic": "HTTP Basic: API key and secret in the Authorization header (not shown)",
    "body": "API key and secret as form fields (secret redacted)",
    "signature": "signed request: API key and signature (the signature secret is never sent)",
})


# -- what the table shows: plain data, built without Qt ------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What a delivery receipt says about one part."""

    text: str
    severity: Severity
    status: str | None
    ok: bool


def worst_row(rows: Sequence[ResultRow]) -> int:
    """The failed row with the most serious entry (the first of equals), else the first row."""
    failed = [(index, row) for index, row in enumerate(rows) if row.failed]
    if not failed:
        return 0
    return max(failed, key=lambda item: (item[1].severity.rank, -item[0]))[0]


@dataclass(frozen=True)
class ResultRow:
    """One table row: a message part, or a whole exchange that has no parts to list."""

    recipient: str
    part: str
    message_id: str
    status: str
    severity: Severity
    status_tip: str
    error_text: str
    price: str
    balance: str
    network: str
    client_ref: str
    entry_id: str
    failed: bool
    accepted: bool | None = None
    """None for a row that is not a send-response part."""
    unknown: bool = False
    """The request may have reached Vonage although no usable answer came back."""
    delivery: Delivery | None = None
    exchange: int = 0
    """The index of the exchange the row belongs to."""

    def cells(self) -> tuple[str, ...]:
        delivery = self.delivery.text if self.delivery is not None else ""
        return (self.recipient, self.part, self.message_id, self.status, self.error_text,
                self.price, self.balance, self.network, self.client_ref, delivery)


def build_rows(exchanges: Sequence[Exchange]) -> tuple[ResultRow, ...]:
    """Every row the table shows for these exchanges, in order."""
    return tuple(row for index, exchange in enumerate(exchanges)
                 for row in exchange_rows(index, exchange))


def exchange_rows(index: int, exchange: Exchange) -> list[ResultRow]:
    """The rows of the exchange at ``index``: one per part, or one for the whole exchange."""
    response = exchange.send_response
    if response is None:
        return [replace(_exchange_row(exchange), exchange=index)]
    return _part_rows(index, exchange, response)


def _part_rows(index: int, exchange: Exchange, response: SendResponse) -> list[ResultRow]:
    receipts = {receipt.message_id: receipt for receipt in exchange.receipts}
    count = len(response.parts)
    recipient = exchange.recipient
    fates = exchange.verdict.fates
    if len(fates) != count or not all(fate.is_part for fate in fates):
        # a send whose failure the body does not explain
        return [replace(_exchange_row(exchange), exchange=index)]
    place = _Place(index, count, recipient)
    return [_part_row(part, fate, place, receipts.get(part.message_id))
            for part, fate in zip(response.parts, fates, strict=True)]


@dataclass(frozen=True)
class _Place:
    """Where a part's row sits: its exchange, how many parts that has, and its recipient."""

    exchange: int
    parts: int
    recipient: str | None


def _part_row(part: MessagePart, fate: PartFate, place: _Place,
              receipt: Receipt | None) -> ResultRow:
    code = str(part.status) if part.status is not None else "?"
    return ResultRow(
        recipient=part.to or place.recipient or "",
        part=f"{part.index}/{place.parts}",
        message_id=part.message_id or "",
        status=f"{code} {part.entry.display_title}",
        severity=part.entry.severity,
        status_tip=_entry_tip(part.entry),
        error_text=part.error_text or "",
        price=amount_text(part.price) + ("" if part.accepted or part.price is None
                                         else " not charged"),
        balance=amount_text(part.remaining_balance),
        network=_network_label(part.network),
        client_ref=part.client_ref or "",
        entry_id=fate.entry.id,
        failed=fate.failed,
        accepted=part.accepted,
        delivery=_delivery(receipt) if receipt is not None else None,
        exchange=place.exchange,
    )


def _delivery(receipt: Receipt) -> Delivery:
    words = receipt.status or "no status"
    if receipt.err_code not in (None, 0):
        words = f"{words}, err-code {receipt.err_code} ({receipt.error_entry.title})"
    return Delivery(words, receipt.entry.severity, receipt.status, receipt.ok)


def _exchange_row(exchange: Exchange) -> ResultRow:
    from smsgui.core.api.decode import Receipt, ReportsResponse

    decoded = exchange.decoded
    source: Receipt | None = decoded if isinstance(decoded, Receipt) else None
    if isinstance(decoded, ReportsResponse) and decoded.records:
        record = decoded.records[0]
        details = (record.to, record.message_id, record.price, record.network, record.client_ref)
    elif source is not None:
        details = (source.recipient, source.message_id, source.price, source.network,
                   source.client_ref)
    else:
        details = (None, None, None, None, None)
    to, message_id, price, network, client_ref = details
    headline = exchange.headline
    if source is not None:
        headline += (f" Read it the right way round: msisdn ({mask_number(source.recipient)}) "
                     f"is the recipient, to ({source.sender or '-'}) is your sender.")
    return ResultRow(
        recipient=exchange.recipient or to or "",
        part=NO_PART,
        message_id=message_id or "",
        status=exchange.entry.display_title,
        severity=exchange.entry.severity,
        status_tip=_entry_tip(exchange.entry),
        error_text=headline,
        price=amount_text(price),
        balance="",
        network=_network_label(network),
        client_ref=client_ref or "",
        entry_id=exchange.entry.id,
        failed=not exchange.ok,
        unknown=exchange.may_have_been_sent and not exchange.ok,
    )


def _entry_tip(entry: Entry) -> str:
    return f"{entry.display_title}: {entry.meaning}"


def _network_label(network: Network | None) -> str:
    return network.label if network is not None else ""


# -- the summary line and the verdict -------------------------------------------------------------


@dataclass(frozen=True)
class PreparedView:
    """Everything the pane shows for some exchanges, worked out without Qt, so that a worker
    can do it for a big file and the window only has to put it up."""

    exchanges: tuple[Exchange, ...]
    rows: tuple[ResultRow, ...]
    summary: ResultSummary
    notes: tuple[tuple[DestinationNote, ...], ...]
    """Each exchange's destination notes."""
    cards: tuple[CardFacts, ...]
    """The facts of the cards shown, numbers masked."""
    first_rows: tuple[int, ...]
    """The table row each exchange starts at."""
    worst: int
    """The row to select: the most serious failure."""
    has_delivery: bool
    """Some row has a delivery receipt."""


def prepare_view(exchanges: Sequence[Exchange]) -> PreparedView:
    rows = build_rows(exchanges)
    summary = (summarize(exchanges, rows) if exchanges
               else ResultSummary(EMPTY_SUMMARY, EMPTY_VERDICT, Severity.INFO))
    return PreparedView(tuple(exchanges), rows, summary,
                        tuple(exchange_notes([exchange]) for exchange in exchanges),
                        tuple(card_facts(exchange, mask=True)
                              for exchange in exchanges[:MAX_CARDS]),
                        _first_rows(rows), worst_row(rows),
                        any(row.delivery is not None for row in rows))


def _first_rows(rows: Sequence[ResultRow]) -> tuple[int, ...]:
    firsts: list[int] = []
    for index, row in enumerate(rows):
        if row.exchange == len(firsts):
            firsts.append(index)
    return tuple(firsts)


@dataclass(frozen=True)
class ResultSummary:
    """What the lines above the table say."""

    text: str
    verdict: str
    severity: Severity
    maybe_sent_to: tuple[str, ...] = ()


def summarize(exchanges: Sequence[Exchange], rows: Sequence[ResultRow]) -> ResultSummary:
    """The summary line and the verdict for these exchanges, in the words every view uses."""
    from smsgui.core.delivery.verdict import send_verdict

    verdict = send_verdict([exchange.verdict for exchange in exchanges])
    maybe_sent = tuple(row.recipient or "an unknown recipient" for row in rows if row.unknown)
    return ResultSummary(_summary_text(exchanges, verdict), str(verdict.label),
                         verdict.severity, maybe_sent)


def _summary_text(exchanges: Sequence[Exchange], verdict: Verdict) -> str:
    if not verdict.parts and len(exchanges) == 1:
        return exchanges[0].headline
    pieces = [*_count_pieces(verdict), *_money_pieces(exchanges)]
    wait = _throttle_wait_ms(exchanges)
    if wait is not None:
        pieces.append(f"Vonage asks you to wait {wait} ms before retrying")
    return " · ".join(pieces)


def _count_pieces(verdict: Verdict) -> list[str]:
    from smsgui.core.delivery.verdict import Fate

    pieces: list[str] = []
    if verdict.parts:
        noun = "part" if verdict.parts == 1 else "parts"
        pieces.append(f"{verdict.accepted} of {verdict.parts} {noun} accepted")
    requests = [item for item in verdict.fates if item.whole_request]
    refused = sum(1 for item in requests if item.fate is Fate.REFUSED)
    counted = ((verdict.count(Fate.REFUSED) - refused, "failed"),
               (verdict.missing, "missing from the answer"),
               (verdict.count(Fate.DELIVERED), "delivered"),
               (verdict.count(Fate.NOT_DELIVERED), "not delivered"))
    pieces.extend(f"{number} {words}" for number, words in counted if number)
    for number, words in ((refused, "refused"),
                          (len(requests) - refused, "without a usable answer")):
        if number:
            pieces.append(f"{number} {'request' if number == 1 else 'requests'} {words}")
    return pieces


def _money_pieces(exchanges: Sequence[Exchange]) -> list[str]:
    responses = [e.send_response for e in exchanges if e.send_response is not None]
    priced = [r for r in responses if any(part.price is not None for part in r.parts)]
    pieces = []
    if priced:
        total = sum((r.total_price for r in priced), Decimal(0))
        pieces.append(f"total {money_text(total, priced[-1].currency)}")
    balances = [r for r in responses if r.final_balance is not None]
    if balances:
        pieces.append(f"balance {money_text(balances[-1].final_balance, balances[-1].currency)}")
    return pieces


def _throttle_wait_ms(exchanges: Sequence[Exchange]) -> int | None:
    waits = [wait for e in exchanges if e.send_response is not None
             and (wait := e.send_response.throttle_wait_ms) is not None]
    return max(waits) if waits else None


# -- the raw request and response -----------------------------------------------------------------


def raw_text(exchanges: Sequence[Exchange]) -> str:
    """Each exchange's request (secrets redacted, no Authorization header) and response."""
    count = len(exchanges)
    return "\n\n".join(_raw_exchange(index, count, exchange)
                       for index, exchange in enumerate(exchanges, start=1))


def _raw_exchange(index: int, count: int, exchange: Exchange) -> str:
    to = f" - to {exchange.recipient}" if exchange.recipient else ""
    lines = [f"===== Request {index} of {count}{to} =====",
             *_request_lines(exchange.document),
             "", "----- Response -----", *_response_lines(exchange),
             *_receipt_lines(exchange.document)]
    return "\n".join(lines)


def server_line(document: ResponseDocument) -> str | None:
    """Which server answered, named by its host, and whether it was the real Vonage."""
    from urllib.parse import urlsplit

    host = urlsplit(document.request.url).netloc if document.request else ""
    if document.sandbox:
        where = f"the built-in sandbox at {host}" if host else "the built-in sandbox"
        return f"Server: {where} (nothing is really sent)"
    if not host:
        return None if document.sandbox is None else "Server: not recorded"
    name = host.rsplit("@", 1)[-1].split(":")[0].lower()
    if name.endswith((".nexmo.com", ".vonage.com")):
        return f"Server: {host} (live Vonage account: real messages, real charges)"
    return f"Server: {host} (your own server, not Vonage)"


def _request_lines(document: ResponseDocument) -> list[str]:
    line = server_line(document)
    server = [line] if line else []
    request = document.request
    if request is None:
        return [*server, "Request: not recorded (this answer was pasted or opened from a file)."]
    return [*server, f"{request.method} {redact_url(request.url)}",
            f"Authentication: {_AUTH_WORDS.get(str(request.auth_method), request.auth_method)}",
            *_field_lines(request)]


def _field_lines(request: RequestRecord) -> list[str]:
    if not request.fields:
        return ["No parameters."]
    title = "Form fields:" if request.method.upper() == "POST" else "Query parameters:"
    return [title, *(f"  {key}: {value}" for key, value in redact_fields(request.fields))]


def _response_lines(exchange: Exchange) -> list[str]:
    document = exchange.document
    elapsed = f" after {document.elapsed_ms:.0f} ms" if document.elapsed_ms is not None else ""
    if document.http_status is None and not document.body:
        return [f"No response was received{elapsed}.", exchange.headline]
    status = (f"HTTP {document.http_status}" if document.http_status is not None
              else "HTTP status not recorded")
    took = f" · {document.elapsed_ms:.0f} ms" if document.elapsed_ms is not None else ""
    return [f"{status}{took}", "", pretty_body(document.body)]


RAW_BODY_LIMIT = 64 * 1024


def pretty_body(body: str) -> str:
    """JSON indented for reading; anything else exactly as received; long bodies cut short.

    A text view takes a noticeable moment to lay out a body of hundreds of kilobytes, and the
    whole answer stays in a saved document anyway.
    """
    if not body.strip():
        return "(empty body)"
    if len(body) > RAW_BODY_LIMIT:
        return (body[:RAW_BODY_LIMIT] + f"\n\n[... {len(body) - RAW_BODY_LIMIT:,} more "
                "characters not shown here; Save keeps the whole answer]")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return body
    return json.dumps(data, indent=2, ensure_ascii=False)


def _receipt_lines(document: ResponseDocument) -> list[str]:
    if not document.receipts:
        return []
    lines = ["", "----- Delivery receipts -----"]
    for number, receipt in enumerate(document.receipts, start=1):
        lines.append(f"Receipt {number}:")
        lines.extend(f"  {key}: {value}" for key, value in redact_fields(tuple(receipt.items())))
    return lines


def _set_label_text(label: QLabel, text: str) -> None:
    """Set the text, and repeat it as the description screen readers read after the name."""
    label.setText(text)
    label.setAccessibleDescription(text)


# -- text views filled on first need --------------------------------------------------------------


class _PendingText:
    """Text a view will show, built only when the view is first shown or its text is read."""

    def __init__(self, apply: Callable[[str], None]) -> None:
        self._apply = apply
        self._build: Callable[[], str] | None = None

    def set(self, build: Callable[[], str], *, now: bool) -> None:
        self._build = build
        if now:
            self.apply()

    def forget(self) -> None:
        self._build = None

    def apply(self) -> None:
        build, self._build = self._build, None
        if build is not None:
            self._apply(build())


class _FilledWhenNeeded:
    """For a text view whose content is costly: built when the view is shown or its text read."""

    _pending: _PendingText

    def fill_when_needed(self, build: Callable[[], str]) -> None:
        self._pending.set(build, now=self.isVisible())  # type: ignore[attr-defined]

    def clear(self) -> None:
        self._pending.forget()
        super().clear()  # type: ignore[misc]

    def toPlainText(self) -> str:  # noqa: N802 - Qt's name
        self._pending.apply()
        return super().toPlainText()  # type: ignore[misc, no-any-return]

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        self._pending.apply()
        super().showEvent(event)  # type: ignore[misc]


class RawView(_FilledWhenNeeded, QPlainTextEdit):
    """The Raw tab's text view; a hidden tab's text costs nothing until it is shown or read."""

    def __init__(self) -> None:
        super().__init__()
        self._pending = _PendingText(self.setPlainText)


class TimelineView(_FilledWhenNeeded, QTextBrowser):
    """The Timeline tab's view; a hidden tab's HTML costs nothing until it is shown or read."""

    def __init__(self) -> None:
        super().__init__()
        self._pending = _PendingText(self.setHtml)


# -- the widget -----------------------------------------------------------------------------------


class ResultsPane(QWidget):
    """Shows exchanges: a table of parts with a summary and verdict, and a Raw tab."""

    entry_selected = Signal(str)
    """The knowledge entry id of the selected row; emitted when the selection changes."""
    sample_requested = Signal()
    """The user asked for the sample send offered on the sandbox's empty pane."""
    notes_changed = Signal(object)
    """The destination country rules that explain the selected row's exchange (a tuple of
    :class:`DestinationNote`); emitted just before ``entry_selected``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._exchanges: tuple[Exchange, ...] = ()
        self.verdict_icon = QLabel()
        self.verdict = self._make_verdict()
        self.progress = self._make_progress()
        self.summary = self._make_label("Result summary")
        self.warning_icon = QLabel()
        self.warning = self._make_label("Send warning")
        self.warning_box = self._make_warning_box()
        self.destination = self._make_destination()
        self.sample_button = self._make_sample_button()
        self._sandbox = True
        self.last_announcement: str | None = None
        """What the pane last had a screen reader announce: the verdict when it changed."""
        self._notes: tuple[DestinationNote, ...] = ()
        self._notes_by_exchange: list[tuple[DestinationNote, ...]] = []
        self._rows: tuple[ResultRow, ...] = ()
        self._first_rows: list[int] = []
        """The table row each exchange starts at."""
        self._worst = 0
        self._fit_pending = False
        self.table = self._make_table()
        self.cards = ResultCards()
        self.cards.entry_requested.connect(self._on_card_entry_requested)
        self.raw = self._make_raw()
        self.timeline = self._make_timeline()
        self.tabs = self._make_tabs()
        self._build_layout()
        self.clear()

    # -- building -------------------------------------------------------------------------------

    def _make_verdict(self) -> QLabel:
        label = self._make_label("Verdict")
        font = QFont(label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        label.setFont(font)
        return label

    def _make_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setAccessibleName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _make_destination(self) -> QLabel:
        label = self._make_label("Destination rules")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setOpenExternalLinks(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.hide()
        return label

    def _make_sample_button(self) -> QPushButton:
        button = QPushButton("Try a sample send")
        button.setAccessibleName("Try a sample send")
        button.setToolTip("Send two sample messages to the sandbox's test numbers: one accepted"
                          " and delivered, one refused with status 29")
        button.clicked.connect(self.sample_requested)
        return button

    def set_sandbox(self, is_sandbox: bool) -> None:
        """On the sandbox the empty pane explains it and offers a sample send; live, it never
        does (a sample on a live account would be charged)."""
        self._sandbox = is_sandbox
        if not self._exchanges:
            self._show_empty_state()

    def _show_empty_state(self) -> None:
        _set_label_text(self.summary, SANDBOX_INTRO if self._sandbox else EMPTY_SUMMARY)
        self.sample_button.setVisible(self._sandbox)

    def _make_progress(self) -> QProgressBar:
        progress = QProgressBar()
        progress.setAccessibleName("Send progress")
        progress.setFormat("%v of %m sent")
        label_width = progress.fontMetrics().horizontalAdvance("  999 of 999 sent  ")
        progress.setMinimumWidth(label_width * 2)
        progress.hide()
        return progress

    def _make_warning_box(self) -> QFrame:
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(box)
        row.addWidget(self.warning_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.warning, 1)
        font = QFont(self.warning.font())
        font.setBold(True)
        self.warning.setFont(font)
        box.hide()
        return box

    def _make_table(self) -> PartsTable:
        icons = {severity: severity_icon(self.style(), severity) for severity in Severity}
        table = PartsTable(icons)
        table.selectionModel().selectionChanged.connect(self._on_table_item_selection_changed)
        self._add_copy_actions(table)
        return table

    def _add_copy_actions(self, table: PartsTable) -> None:
        copy_cell = QAction("&Copy cell", table)
        copy_cell.setShortcut(QKeySequence.StandardKey.Copy)
        copy_cell.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy_cell.triggered.connect(self._on_copy_cell_triggered)
        copy_row = QAction("Copy &row", table)
        copy_row.triggered.connect(self._on_copy_row_triggered)
        table.addActions([copy_cell, copy_row])
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _make_raw(self) -> RawView:
        raw = RawView()
        raw.setAccessibleName("Raw request and response")
        raw.setReadOnly(True)
        raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        raw.setPlaceholderText("The exact request (secrets redacted) and response appear here.")
        return raw

    @staticmethod
    def _make_timeline() -> TimelineView:
        view = TimelineView()
        view.setAccessibleName("Timeline")
        view.setOpenExternalLinks(False)
        return view

    def _make_tabs(self) -> QTabWidget:
        tabs = QTabWidget()
        tabs.setAccessibleName("Result views")
        tabs.addTab(self.cards, "&Overview")
        tabs.addTab(self._parts_view(), "Parts")  # no mnemonic: Alt+P is Profiles
        tabs.addTab(self.timeline, "&Timeline")
        tabs.addTab(self.raw, "Ra&w")
        tabs.setTabToolTip(0, "A card per message: did it work, what it cost, what to do next")
        tabs.setTabToolTip(1, "A row per message part: status, price, network, every field")
        tabs.setTabToolTip(2, "Each message from submission to its delivery receipt")
        tabs.setTabToolTip(3, "The exact request (secrets redacted) and response")
        return tabs

    def _parts_view(self) -> QSplitter:
        """The table, and beside it every field of the selected part, to read or copy."""
        self.part_details = QPlainTextEdit()
        self.part_details.setReadOnly(True)
        self.part_details.setAccessibleName("Part details")
        self.part_details.setPlaceholderText("Select a row to see all of its fields here.")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.part_details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        return splitter

    def add_header_widgets(self, *widgets: QWidget) -> None:
        """Put ``widgets`` (buttons about the results shown) at the end of the verdict line."""
        for widget in widgets:
            self._heading.addWidget(widget)

    def _build_layout(self) -> None:
        heading = QHBoxLayout()
        heading.addWidget(self.verdict_icon)
        heading.addWidget(self.verdict, 1)
        heading.addWidget(self.progress)
        self._heading = heading
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(heading)
        column.addWidget(self.summary)
        column.addWidget(self.sample_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.warning_box)
        column.addWidget(self.destination)
        column.addWidget(self.tabs, 1)

    # -- public ---------------------------------------------------------------------------------

    def show_exchanges(self, exchanges: Sequence[Exchange] | PreparedView) -> None:
        """Show these exchanges (or a view of them already prepared) and select the worst row,
        which emits ``entry_selected``."""
        view = exchanges if isinstance(exchanges, PreparedView) else prepare_view(exchanges)
        self._exchanges = view.exchanges
        if not self._exchanges:
            self.clear()
            return
        rows = view.rows
        self.sample_button.hide()
        self.cards.show_exchanges(self._exchanges, view.cards)
        self._fill_table(rows, view.has_delivery)
        self._show_summary(view.summary)
        self._rows, self._first_rows = rows, list(view.first_rows)
        self._notes_by_exchange = list(view.notes)
        self._show_notes(_joined_notes(self._notes_by_exchange))
        self._fill_raw_and_timeline_when_needed()
        self._worst = view.worst
        self._select_row(self._worst)
        # Measured in the next event-loop turn, so that the verdict and rows are up first.
        self._fit_columns_soon()

    def update_exchanges(self, exchanges: Sequence[Exchange], changed: Iterable[int]) -> None:
        """Show ``exchanges``, of which only those at ``changed`` differ from the ones shown or
        are new at the end: only their rows are redrawn, so a receipt or one more answer costs
        the same in a batch of a thousand as in a batch of one."""
        new = tuple(exchanges)
        positions = sorted(set(changed))
        old_count = len(self._exchanges)
        appended = range(old_count, len(new))
        if (not old_count or len(new) < old_count or any(p >= len(new) for p in positions)
                or not set(appended) <= set(positions)):
            self.show_exchanges(new)
            return
        rows = list(self._rows)
        redrawn: list[int] = []
        for position in (p for p in positions if p < old_count):
            start = self._first_rows[position]
            end = self._first_rows[position + 1] if position + 1 < old_count else len(rows)
            fresh = exchange_rows(position, new[position])
            if len(fresh) != end - start:  # the parts changed shape: start over
                self.show_exchanges(new)
                return
            rows[start:end] = fresh
            redrawn.extend(range(start, end))
        for position in appended:
            fresh = exchange_rows(position, new[position])
            redrawn.extend(range(len(rows), len(rows) + len(fresh)))
            rows.extend(fresh)
        self._exchanges = new
        self._redraw_rows(rows, redrawn)
        self._show_summary(summarize(new, rows))
        for position in positions:
            notes = exchange_notes([new[position]])
            if position < len(self._notes_by_exchange):
                self._notes_by_exchange[position] = notes
            else:
                self._notes_by_exchange.append(notes)
        self._show_notes(_joined_notes(self._notes_by_exchange))
        self.cards.show_exchanges(new)
        self._fill_raw_and_timeline_when_needed()
        worst = worst_row(rows)
        if worst != self._worst or worst in redrawn:  # the panel follows the worst row
            self._worst = worst
            self._select_row(worst)
        elif self._selected_row() in redrawn:
            self._on_table_item_selection_changed()
        if appended:
            self._fit_columns_soon()

    def clear(self) -> None:
        """Back to the empty state: no rows, no verdict, no warning."""
        self._exchanges = ()
        self._set_rows(())
        self._notes_by_exchange = []
        self.cards.show_exchanges(())
        self.part_details.clear()
        self.table.parts.show_rows(())
        self.raw.clear()
        self.timeline.clear()
        _set_label_text(self.verdict, EMPTY_VERDICT)
        self.verdict_icon.clear()
        self.verdict_icon.hide()
        self._show_empty_state()
        self.warning_box.hide()
        self._show_notes(())
        self.notes_changed.emit(())
        self.table.setColumnHidden(DELIVERY, True)

    def destination_notes(self) -> tuple[DestinationNote, ...]:
        """The country rules shown beside the verdict."""
        return self._notes

    def _show_notes(self, notes: tuple[DestinationNote, ...]) -> None:
        if notes != self._notes:
            self._notes = notes
            self.destination.setText(notes_html(notes))
            self.destination.setVisible(bool(notes))

    def show_busy(self, text: str | None) -> None:
        """Show a moving bar saying ``text`` (such as "Opening big.json"); None hides it."""
        self.progress.setFormat(text or "%v of %m sent")
        self.progress.setRange(0, 0)
        self.progress.setVisible(text is not None)

    def show_progress(self, done: int, total: int) -> None:
        """Show "2 of 3 sent" while a send to several recipients is under way."""
        # QProgressBar repaints at once when its text changes (~10 ms): with updates off it
        # is painted with the rest of the window instead.
        self.progress.setUpdatesEnabled(False)
        self.progress.setFormat("%v of %m sent")
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(min(max(done, 0), max(total, 0)))
        self.progress.setUpdatesEnabled(True)
        self.progress.setVisible(0 <= done < total)

    def exchanges(self) -> tuple[Exchange, ...]:
        return self._exchanges

    def selected_entry_id(self) -> str | None:
        row = self._selected_row()
        return None if row is None else self.table.entry_id(row)

    # -- filling --------------------------------------------------------------------------------

    def _fill_table(self, rows: Sequence[ResultRow], has_delivery: bool) -> None:
        self.table.parts.show_rows(rows)
        self.table.setColumnHidden(DELIVERY, not has_delivery)

    def _set_rows(self, rows: Sequence[ResultRow]) -> None:
        self._rows = tuple(rows)
        self._first_rows = list(_first_rows(self._rows))

    def _redraw_rows(self, rows: Sequence[ResultRow], redrawn: Sequence[int]) -> None:
        """Repaint just the table rows at ``redrawn`` (growing the table for new ones)."""
        self.table.parts.update_rows(rows, redrawn)
        if any(rows[index].delivery is not None for index in redrawn):
            self.table.setColumnHidden(DELIVERY, False)
        self._set_rows(rows)

    def _fit_columns_soon(self) -> None:
        """Fit the columns once the current burst of rows is in: one measure, not one per row."""
        if not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self, self._fit_columns)

    def _fit_columns(self) -> None:
        """Fit the columns to the first rows and those around the worst one, which is shown."""
        self._fit_pending = False
        char = self.table.fontMetrics().averageCharWidth()
        widest = {column: char * _NARROW_COLUMNS.get(column, _MAX_COLUMN_CHARS)
                  for column in range(len(COLUMNS))}
        around = range(self._worst - _ROWS_MEASURED // 2, self._worst + _ROWS_MEASURED // 2)
        self.table.fit_columns([*range(_ROWS_MEASURED), *around], widest)

    def _fill_raw_and_timeline_when_needed(self) -> None:
        exchanges = self._exchanges
        self.raw.fill_when_needed(lambda: raw_text(exchanges))
        self.timeline.fill_when_needed(lambda: timeline_html(exchanges))

    def _show_summary(self, summary: ResultSummary) -> None:
        changed = (summary.verdict, summary.text) != (self.verdict.text(), self.summary.text())
        _set_label_text(self.verdict, summary.verdict)
        self._set_icon(self.verdict_icon, summary.severity)
        _set_label_text(self.summary, summary.text)
        self._show_warning(summary.maybe_sent_to)
        if changed:
            self._announce(f"{summary.verdict}. {summary.text}")

    def _announce(self, text: str) -> None:
        """Have a screen reader say a new verdict, as it would not read a label that changed.

        In the next event-loop turn: the first touch of QAccessible makes its enums (~15 ms),
        which must not lengthen the turn that puts the verdict up."""
        self.last_announcement = text
        QTimer.singleShot(0, self, lambda: self._tell_screen_reader(text))

    def _tell_screen_reader(self, text: str) -> None:
        from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

        if QAccessible.isActive():  # no screen reader: no event to build (3-6 ms the first time)
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self, text))

    def _show_warning(self, recipients: tuple[str, ...]) -> None:
        text = MAY_HAVE_BEEN_SENT
        if len(self._exchanges) > 1 and recipients:
            text = f"{text} Affected: {', '.join(recipients)}."
        _set_label_text(self.warning, text)
        self._set_icon(self.warning_icon, Severity.WARNING)
        self.warning_box.setVisible(bool(recipients))

    def _set_icon(self, label: QLabel, severity: Severity) -> None:
        extent = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        icon = severity_icon(self.style(), severity)
        label.setPixmap(icon.pixmap(QSize(extent, extent), self.devicePixelRatioF()))
        label.show()

    def _select_row(self, index: int) -> None:
        self.table.select_only(index)

    def _selected_row(self) -> int | None:
        return self.table.selected_row()

    # -- slots ----------------------------------------------------------------------------------

    def _on_table_item_selection_changed(self) -> None:
        self._show_part_details()
        entry_id = self.selected_entry_id()
        if entry_id:
            self.notes_changed.emit(self._selected_notes())
            self.entry_selected.emit(entry_id)

    def _on_card_entry_requested(self, entry_id: str) -> None:
        self.entry_selected.emit(entry_id)

    def _show_part_details(self) -> None:
        row = self._selected_row()
        if row is None or row >= len(self._rows):
            self.part_details.clear()
            return
        titles = [title for title, _ in COLUMNS]
        lines = [f"{title}: {value or '-'}"
                 for title, value in zip(titles, self._rows[row].cells(), strict=True)]
        lines.append(f"Entry: {self._rows[row].entry_id}")
        self.part_details.setPlainText("\n".join(lines))

    def _selected_notes(self) -> tuple[DestinationNote, ...]:
        """The country rules that explain the selected row's exchange, and no other's."""
        row = self._selected_row()
        if row is None or row >= len(self._rows) or not self._notes:
            return ()
        return exchange_notes([self._exchanges[self._rows[row].exchange]])

    def _on_copy_cell_triggered(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            QApplication.clipboard().setText(self.table.text(index.row(), index.column()))

    def _on_copy_row_triggered(self) -> None:
        row = self._selected_row()
        if row is not None:
            QApplication.clipboard().setText("\t".join(self.table.row_texts(row)))


def exchange_notes(exchanges: Sequence[Exchange]) -> tuple[DestinationNote, ...]:
    """Every exchange's destination notes, each once."""
    from smsgui.core.delivery.destination import destination_notes  # loads the country table

    return tuple(dict.fromkeys(note for exchange in exchanges
                               for note in destination_notes(exchange)))


def _joined_notes(per_exchange: Iterable[tuple[DestinationNote, ...]],
                  ) -> tuple[DestinationNote, ...]:
    return tuple(dict.fromkeys(note for notes in per_exchange for note in notes))


def notes_html(notes: Sequence[DestinationNote]) -> str:
    """The notes as short paragraphs, each ending with a link to its source."""
    shown = notes[:_SHOWN_NOTES]
    more = len(notes) - len(shown)
    rows = [note_html(note) for note in shown]
    if more:
        rows.append(f"<p>... and {more} more in the diagnostic summary.</p>")
    return "".join(rows)


def note_html(note: DestinationNote) -> str:
    source = html.escape(note.source, quote=True)
    return (f"<p><b>{html.escape(note.country_name)}:</b> {html.escape(note.text)}"
            f' (<a href="{source}">source</a>, checked {note.checked_on})</p>')


def timeline_html(exchanges: Sequence[Exchange]) -> str:
    """Every message's story, oldest step first, the verdict in bold."""
    import html

    from smsgui.core.delivery.timeline import timeline

    blocks = []
    for exchange in exchanges:
        for story in timeline(exchange):
            title = f"Message {story.message_id or '(no id)'} to {mask_number(story.recipient)}"
            steps = "".join(_timeline_step(event) for event in story.events)
            blocks.append(f"<h4>{html.escape(title)}</h4><ol>{steps}</ol>")
    return "".join(blocks) or "<p>No messages yet.</p>"


def _timeline_step(event: TimelineEvent) -> str:
    import html

    when = event.at.strftime("%Y-%m-%d %H:%M UTC ") if event.at else ""
    text = html.escape(f"{when}{event.label}" + (f": {event.detail}" if event.detail else ""))
    return f"<li><b>{text}</b></li>" if event.final else f"<li>{text}</li>"
