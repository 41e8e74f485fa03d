"""Soak: 2,000 sandbox sends with delivery receipts through the real window, history along the way.

The window (as bench/responsiveness.py builds it) sends 2,000 messages to its built-in sandbox in
batches of 50 recipients, one batch per click on Send, paced at the account's cap of 30
requests/s (the window learns it from Check credentials, as a person's would). Every recipient is
a sandbox test number that is accepted and later reported delivered (447700900300-499); the
sandbox posts each receipt to the window's own receiver 1 s after the send. Every 200 sends the
History tab is opened, a row is reopened with a click, the reopened send is saved to a file,
cleared and opened again; then the Compose tab is back and the next batch goes.

Budgets:
- resident memory grows by at most 30 MB from after the first 200 sends (and their history
  round) to the end;
- no event-loop stall over 50 ms (5 ms QTimer, bench/_common.py ``StallWatch``) in the whole run,
  labelled by what the bench was doing (compose, sending, history, reopen, receipts) and by the
  window's slots that ran during the stall;
- every exchange of every send in the history (read through ``History``) has its receipt, and so
  has every send the window made (its ``SendSession``); zero missing;
- the run takes at most 180 s (the pacing alone is 2,000/30 = 67 s).

What the UI thread did is told three ways: the window's slots and what they call are timed by
wrapping them on their classes before the window is built (``SlotClock``: wall and UI-thread
CPU time per call, a microsecond or two each), garbage collections are timed through
``gc.callbacks``, and each stall says how much CPU the UI thread and the process used during it
(far less than the stall: it waited for a CPU, or the GIL). Options for finding out more:
``--events`` times every Qt event by type and receiver (layout and painting happen there, in
C++, outside any Python slot), ``--profile`` runs cProfile on the UI thread, ``--trace-memory``
lists the Python allocations made after the first round and still held at the end, and
``--receipts-apart`` lets each batch's receipts come after it is sent, so the UI thread's time
per receipt shows on its own; with ``--sends`` and ``--batch``, e.g. ``--sends 200 --batch 100
--every 200 --receipts-apart``, it shows how that time grows with the batch.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import gc
import itertools
import statistics
import sys
import threading
import time
import tracemalloc
from array import array
from collections.abc import Callable, Iterator, Sequence, Sized
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    ROOT,
    Results,
    Stall,
    StallWatch,
    isolate_this_process,
    resident_mb,
    run_until,
)

if TYPE_CHECKING:
    import cProfile

    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    from smsgui.core.records.history import History
    from smsgui.core.records.session import SendSession
    from smsgui.core.reference.knowledge import KnowledgeBase
    from smsgui.ui.main_window import Prompter

T = TypeVar("T")

BUDGET_STALL_MS = 50.0
BUDGET_GROWTH_MB = 30.0
BUDGET_TOTAL_S = 180.0
SENDS = 2000
BATCH = 50
RATE = 30
EVERY = 200
RECORD_OVER_S = 0.010
"""Pauses at least this long are kept, to say per phase how long the longest was."""
FIRST_NUMBER = 447700900300
NUMBERS = 200
"""447700900300-499: sandbox test numbers that are accepted, then reported delivered."""
RECEIPT_WAIT_S = 60.0
TOP_STALLS = 8
RECEIPTS_APART_S = 2.0
"""How long after a batch's last send its first receipt is due, with ``--receipts-apart``."""
RECEIPTS_SETTLE_S = 0.3
"""After a batch's last receipt: the deferred card rebuild, layout and paint."""
TRACE_FRAMES = 8
MEMORY_LINES = 12
PROFILE_LINES = 30
EVENT_LINES = 20


@dataclass
class Timings:
    """The calls of one timed method: start, end and (when it has one) a size, as arrays."""

    started: array = field(default_factory=lambda: array("d"))
    ended: array = field(default_factory=lambda: array("d"))
    cpu: array = field(default_factory=lambda: array("d"))
    """The UI thread's CPU time in each call: what it cost, whatever else the machine did."""
    sizes: array = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.started)

    def durations(self) -> list[float]:
        return [end - start for start, end in zip(self.started, self.ended, strict=True)]

    def add(self, started: float, ended: float, cpu: float, size: int) -> None:
        self.started.append(started)
        self.ended.append(ended)
        self.cpu.append(cpu)
        self.sizes.append(size)

    def within(self, start: float, end: float) -> Iterator[int]:
        """The indexes of the calls that started in [start, end]."""
        first = bisect.bisect_left(self.started, start)
        last = bisect.bisect_right(self.started, end)
        yield from range(first, last)


class SlotClock:
    """Times chosen methods by wrapping them on their classes; ``restore`` unwraps them.

    Wrap before the window is built: Qt connections made in its constructor hold the bound
    method then, and so call the wrapper.
    """

    def __init__(self) -> None:
        self.timings: dict[str, Timings] = {}
        self._wrapped: list[tuple[type, str, object]] = []
        self._collections: Callable[[str, dict[str, int]], None] | None = None

    def wrap(self, cls: type, name: str, size: Callable[..., int] | None = None) -> None:
        original = cls.__dict__[name]
        timings = self.timings.setdefault(f"{cls.__name__}.{name}", Timings())

        def measure(self_: object, *args: object) -> int:
            try:
                return size(self_, *args) if size is not None else -1
            except (TypeError, AttributeError, IndexError):  # the timed code changed its mind
                return -1

        @functools.wraps(original)
        def timed(self_: object, *args: object, **kwargs: object) -> object:
            count = measure(self_, *args)
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(self_, *args, **kwargs)
            finally:
                timings.add(started, time.perf_counter(), time.thread_time() - cpu, count)

        setattr(cls, name, timed)
        self._wrapped.append((cls, name, original))

    def time_garbage_collection(self) -> None:
        """Time every collection too, by generation and thread: one on a worker holds the GIL,
        and so stalls the UI thread, as long as it runs."""
        starts: dict[int, float] = {}

        def on_collection(stage: str, info: dict[str, int]) -> None:
            thread = threading.get_ident()
            if stage == "start":
                starts[thread] = time.perf_counter()
                return
            started = starts.pop(thread, None)
            if started is None:
                return
            where = "UI thread" if thread == main_thread else "a worker"
            name = f"gc generation {info['generation']} on {where}"
            ended = time.perf_counter()
            self.timings.setdefault(name, Timings()).add(started, ended, ended - started,
                                                         info.get("collected", -1))

        main_thread = threading.main_thread().ident
        gc.callbacks.append(on_collection)
        self._collections = on_collection

    def restore(self) -> None:
        for cls, name, original in reversed(self._wrapped):
            setattr(cls, name, original)
        self._wrapped.clear()
        if self._collections in gc.callbacks:
            gc.callbacks.remove(self._collections)

    def during(self, start: float, end: float) -> dict[str, tuple[int, float]]:
        """Per method, the calls that started in [start, end] and their total time."""
        found = {}
        for name, timings in self.timings.items():
            indexes = list(timings.within(start, end))
            if indexes:
                found[name] = (len(indexes), sum(timings.ended[i] - timings.started[i]
                                                 for i in indexes))
        return found

    def nested(self, outer: str, *inner: str) -> list[float]:
        """For each call of ``outer``, the time spent in the calls of ``inner`` it made."""
        outside = self.timings.get(outer, Timings())
        insides = [self.timings[name] for name in inner if name in self.timings]
        return [sum(inside.ended[i] - inside.started[i]
                    for inside in insides
                    for i in inside.within(outside.started[n], outside.ended[n])
                    if inside.ended[i] <= outside.ended[n])
                for n in range(len(outside))]


class EventClock:
    """Times every event Qt delivers (``QApplication.notify``), by event type and receiver class.

    A nested event (a paint inside an update request) counts in its own line and not in its
    parent's. Top-level events that took at least ``keep_over_s`` are kept with their times, to
    say what ran during a stall: layout and painting happen here, outside any Python slot.
    """

    def __init__(self, keep_over_s: float = 0.002) -> None:
        self.keep_over_s = keep_over_s
        self.totals: dict[tuple[int, str], list[float]] = {}
        """Per (event type, receiver class): [count, own time, longest own time]."""
        self.long: list[tuple[float, float, tuple[int, str]]] = []
        self._children: list[float] = []

    def application(self, argv: list[str]) -> QApplication:
        """A QApplication whose every delivered event goes through :meth:`deliver`."""
        from PySide6.QtWidgets import QApplication

        clock = self

        class TimedApplication(QApplication):
            def notify(self, receiver: QObject, event: QEvent) -> bool:
                return clock.deliver(super().notify, receiver, event)

        return TimedApplication(argv)

    def deliver(self, notify: Callable[[QObject, QEvent], bool], receiver: QObject,
                event: QEvent) -> bool:
        key = (event.type().value, type(receiver).__name__)
        self._children.append(0.0)
        started = time.perf_counter()
        try:
            return notify(receiver, event)
        finally:
            spent = time.perf_counter() - started
            own = spent - self._children.pop()
            if self._children:
                self._children[-1] += spent
            elif spent >= self.keep_over_s:
                self.long.append((started, started + spent, key))
            entry = self.totals.setdefault(key, [0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += own
            entry[2] = max(entry[2], own)

    def during(self, start: float, end: float) -> str:
        """The long top-level events that started in [start, end], the costliest first."""
        spent: dict[tuple[int, str], list[float]] = {}
        first = bisect.bisect_left(self.long, (start,))
        for began, ended, key in self.long[first:]:
            if began > end:
                break
            entry = spent.setdefault(key, [0, 0.0])
            entry[0] += 1
            entry[1] += ended - began
        return ", ".join(f"{_event_name(key)} x{count:.0f} {_ms(total)} ms"
                         for key, (count, total) in sorted(spent.items(), key=lambda i: -i[1][1]))


def _event_name(key: tuple[int, str]) -> str:
    from PySide6.QtCore import QEvent

    kind, receiver = key
    try:
        name = QEvent.Type(kind).name
    except ValueError:
        name = str(kind)
    return f"{name} to {receiver}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _spread(durations: Sequence[float], cpu: Sequence[float] = ()) -> str:
    """Count, mean, 95th percentile, longest and total of wall times; the mean CPU time."""
    if not durations:
        return "no calls"
    ordered = sorted(durations)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    on_cpu = f" (CPU {_ms(statistics.fmean(cpu))})" if cpu else ""
    return (f"{len(durations)} calls, mean {_ms(statistics.fmean(durations))}{on_cpu} ms, "
            f"p95 {_ms(p95)} ms, max {_ms(ordered[-1])} ms, total {sum(durations):.2f} s")


def _by_size(timings: Timings, edges: list[int]) -> str:
    """Mean CPU time of the calls whose size falls in each bucket [edges[i], edges[i+1])."""
    pieces = []
    for low, high in itertools.pairwise(edges):
        picked = [cpu for cpu, size in zip(timings.cpu, timings.sizes, strict=True)
                  if low <= size < high]
        if picked:
            pieces.append(f"{low}-{high - 1}: {_ms(statistics.fmean(picked))} ms (n={len(picked)})")
    return "; ".join(pieces)


def _print_breakdown(clock: SlotClock, watch: StallWatch, started: float, batch: int,
                     receipts: int) -> None:
    """Where the UI thread's time went: the longest stalls, each phase's, each slot's cost."""
    print("  the longest stalls, with the timed calls that started in them:", flush=True)
    for stall in sorted(watch.recorded, key=lambda stall: -stall.seconds)[:TOP_STALLS]:
        print(f"    {_ms(stall.seconds)} ms at {stall.started - started:.1f} s, {stall.after} "
              f"({_cpu(stall)}): {_calls_in(clock, stall) or '-'}")
    print("  longest stall per phase:")
    worst: dict[str, list[float]] = {}
    for stall in watch.recorded:
        worst.setdefault(phase_kind(stall.after), []).append(stall.seconds)
    for kind, pauses in sorted(worst.items(), key=lambda item: -max(item[1])):
        over = sum(1 for pause in pauses if pause * 1000 > BUDGET_STALL_MS)
        print(f"    {kind}: {_ms(max(pauses))} ms ({over} over {BUDGET_STALL_MS:.0f} ms)")
    print(f"    (a phase not listed never paused {_ms(RECORD_OVER_S)} ms or more)")
    print("  time in the timed methods, wall (UI thread CPU), each including what it calls:")
    for name, timings in clock.timings.items():
        if len(timings):
            print(f"    {name}: {_spread(timings.durations(), timings.cpu)}")
    edges = sorted({1, *range(0, batch + 1, max(batch // 5, 1)), batch + 1} - {0})
    for name in ("ResultsPane.show_exchanges", "ResultsPane.update_exchanges"):
        if len(clock.timings.get(name, ())):
            print(f"  {name}, CPU by exchanges shown: {_by_size(clock.timings[name], edges)}")
    step = max(receipts // 4, 1)
    book = clock.timings.get("SendLedger.take_receipt")
    if book is not None and len(book):
        print(f"  SendLedger.take_receipt, CPU by receipts already kept: "
              f"{_by_size(book, list(range(0, receipts + step, step)))}")
    slot = "MainWindow._on_receipt_received"
    calls = clock.timings[slot].durations()
    if not calls:
        return
    cpu = clock.timings[slot].cpu
    redraws = clock.nested(slot, "ResultsPane.show_exchanges", "ResultsPane.update_exchanges")
    ledger = clock.nested(slot, "SendLedger.take_receipt")
    writes = clock.nested(slot, "History.update")
    redrawn = [spent for spent, redraw in zip(calls, redraws, strict=True) if redraw]
    other = [spent for spent, redraw in zip(calls, redraws, strict=True) if not redraw]
    print(f"  per receipt slot: {_ms(statistics.fmean(calls))} ms mean "
          f"(CPU {_ms(statistics.fmean(cpu))}), of it the ledger (attaching)"
          f" {_ms(statistics.fmean(ledger))} ms, History.update inside it "
          f"{_ms(statistics.fmean(writes))} ms, redrawing the results "
          f"{_ms(statistics.fmean(redraws))} ms ({len(redrawn)} receipts redrew)")
    print(f"    receipts for the send on screen (redrawn): {_spread(redrawn)}")
    print(f"    receipts for other sends (not redrawn): {_spread(other)}")
    print("    (ResultCards._rebuild runs in a later event-loop turn, once per burst)")


def _cpu(stall: Stall) -> str:
    """How busy the UI thread and the process were during ``stall``."""
    return (f"UI thread on CPU {_ms(stall.thread_cpu_s)} ms, "
            f"process {_ms(stall.process_cpu_s)} ms")


def _calls_in(clock: SlotClock, stall: Stall) -> str:
    """The timed calls that started during ``stall``, the costliest first."""
    found = clock.during(stall.started, stall.ended)
    return ", ".join(f"{name} x{calls} {_ms(spent)} ms"
                     for name, (calls, spent) in sorted(found.items(), key=lambda i: -i[1][1]))


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sends", type=int, default=SENDS)
    parser.add_argument("--batch", type=int, default=BATCH, help="recipients per send")
    parser.add_argument("--rate", type=int, default=RATE,
                        help="the sandbox's cap in requests/s, which the window paces at")
    parser.add_argument("--every", type=int, default=EVERY,
                        help="sends between two rounds of history, reopen, save and open")
    parser.add_argument("--profile", action="store_true",
                        help="also run cProfile on the UI thread and print the top functions")
    parser.add_argument("--events", action="store_true",
                        help="also time every Qt event (layout, paint, queued slots) by type")
    parser.add_argument("--receipts-apart", action="store_true",
                        help="receipts come after their batch is sent, and the next batch waits"
                        " for them: the UI thread's CPU time per receipt, on its own")
    parser.add_argument("--trace-memory", action="store_true",
                        help="trace Python allocations from the first round on (tracemalloc)")
    options = parser.parse_args(argv)
    if options.sends % options.batch or options.every % options.batch:
        parser.error("--sends and --every must be multiples of --batch")
    return options


def _instrument(clock: SlotClock) -> None:
    """Time the window's slots and what they call, in whichever of them this version has."""
    from smsgui.core.records.history import History
    from smsgui.core.records.session import SendLedger, SendSession
    from smsgui.ui.compose import ComposeForm
    from smsgui.ui.history_view import HistoryPanel
    from smsgui.ui.main_window import MainWindow
    from smsgui.ui.result_cards import ResultCards
    from smsgui.ui.results import ResultsPane

    def shown(_self: object, exchanges: Sized, *_rest: object) -> int:
        return len(getattr(exchanges, "exchanges", exchanges))  # a sequence, or a prepared view

    def kept(ledger: SendLedger, *_rest: object) -> int:
        return len(ledger.receipts)

    def held(session: SendSession, *_rest: object) -> int:
        return len(session.exchanges)

    def written(_self: object, _row: int, exchanges: Sized, *_rest: object) -> int:
        return len(exchanges)

    timed: tuple[tuple[type, str, Callable[..., int] | None], ...] = (
        (MainWindow, "_on_send_progressed", None),
        (MainWindow, "_on_receipt_received", None),
        (MainWindow, "_on_send_finished", None),
        (MainWindow, "_on_history_reopen_requested", None),
        (MainWindow, "write_receipts_to_history", None),
        (MainWindow, "save_file", None),
        (MainWindow, "open_path", None),
        (ResultsPane, "show_exchanges", shown),
        (ResultsPane, "update_exchanges", shown),
        (ResultCards, "_rebuild", None),
        (SendLedger, "take_receipt", kept),
        (SendSession, "attach_receipts", held),
        (SendSession, "attach_receipt", held),
        (History, "update", written),
        (History, "record", shown),
        (HistoryPanel, "_reload", None),
        (ComposeForm, "_refresh", None),
    )
    for cls, name, size in timed:
        if name in cls.__dict__:  # the window's code changes; time what this version has
            clock.wrap(cls, name, size)


@dataclass(frozen=True)
class ReceiptCount:
    """Each part sent, and whether its receipt is attached where it should be."""

    sent: int
    """Message ids in the sends the window made."""
    history_rows: int
    in_history: int
    attached_in_history: int
    not_delivered: int
    """Attached in the history, but saying something other than "delivered"."""
    in_window: int
    attached_in_window: int

    @property
    def missing(self) -> int:
        return ((self.in_history - self.attached_in_history)
                + (self.in_window - self.attached_in_window)
                + abs(self.sent - self.in_history))


def count_receipts(history: History, knowledge: KnowledgeBase,
                   sessions: Sequence[SendSession], rows: int) -> ReceiptCount:
    """Look every part up through the History API, and in the sessions the window kept."""
    from smsgui.core.delivery.exchange import exchange_from_document

    in_history = attached = not_delivered = 0
    found = history.search(limit=rows + 10)
    for row in found:
        for saved in history.load(row.id):
            receipts = {fields.get("messageId"): fields.get("status") for fields in saved.receipts}
            for message_id in exchange_from_document(saved, knowledge).message_ids:
                in_history += 1
                if message_id in receipts:
                    attached += 1
                    not_delivered += receipts[message_id] != "delivered"
    in_window = attached_in_window = 0
    for session in sessions:
        for exchange in session.exchanges:
            ids = {receipt.message_id for receipt in exchange.receipts}
            in_window += len(exchange.message_ids)
            attached_in_window += sum(1 for message_id in exchange.message_ids
                                      if message_id in ids)
    return ReceiptCount(sent=in_window, history_rows=len(found), in_history=in_history,
                        attached_in_history=attached, not_delivered=not_delivered,
                        in_window=in_window, attached_in_window=attached_in_window)


class Soak:
    """The window on its sandbox, and the steps of the soak, each run from the event loop."""

    def __init__(self, options: argparse.Namespace, base: Path, app: QApplication) -> None:
        from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton

        from smsgui.core.api.secrets import MemorySecretStore
        from smsgui.sandbox.config import SandboxConfig
        from smsgui.sandbox.embedded import EmbeddedSandbox
        from smsgui.ui.app import AppPaths, build_services
        from smsgui.ui.main_window import MainWindow

        self.options = options
        self.document = base / "soak-response.json"
        self.errors: list[str] = []
        self.app = app
        paths = AppPaths(base / "app" / "config", base / "app" / "data", base / "app" / "logs")
        # The account's cap is what the window paces at; the balance pays for every send.
        config = SandboxConfig(rate_limit=options.rate, balance=Decimal(options.sends))
        if options.receipts_apart:  # the first receipt comes just after the last send
            config = replace(config, dlr_delay=options.batch / options.rate + RECEIPTS_APART_S)
        self.services = replace(build_services(paths, secrets=MemorySecretStore()),
                                sandbox=EmbeddedSandbox(config))
        self.window = MainWindow(self.services, _prompter(self.document, self.errors))
        self.window.show()
        self.sender = _find(self.window, QLineEdit, "From")
        self.recipients = _find(self.window, QPlainTextEdit, "To")
        self.message = _find(self.window, QPlainTextEdit, "Message text")
        self.button = _find(self.window, QPushButton, "Send")
        self._phase = "setup"
        self._phase_began = (time.perf_counter(), time.thread_time())
        self.phases: dict[str, list[float]] = {}
        """Per kind of phase (its first word): [wall time, UI thread CPU time] spent in it."""
        self.watch = StallWatch(snapshot=lambda: self._phase, record_over_s=RECORD_OVER_S)
        self.sessions: list[SendSession] = []
        self.rss: dict[int, float] = {}
        self.batches = options.sends // options.batch
        self.idle_s = self.total_s = self.rss_open = self.rss_end = 0.0
        self.blocks: dict[int, int] = {}
        """Python's allocated memory blocks at each round (``sys.getallocatedblocks``)."""
        self.blocks_end = 0
        self.malloc: dict[int, float | None] = {}
        """What the C allocator had handed out at each round (``malloc_in_use_mb``)."""
        self.malloc_end: float | None = None
        self.traced_mb = 0.0
        self.receipts_apart = 0
        """Receipts taken while the bench waited for nothing else (``--receipts-apart``)."""
        self.memory: tracemalloc.Snapshot | None = None
        self.started = time.perf_counter()

    @property
    def phase(self) -> str:
        """What the bench is doing now, e.g. "sending batch 3"; its first word is its kind."""
        return self._phase

    @phase.setter
    def phase(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        spent = self.phases.setdefault(phase_kind(self._phase), [0.0, 0.0])
        spent[0] += wall - self._phase_began[0]
        spent[1] += cpu - self._phase_began[1]
        self._phase, self._phase_began = name, (wall, cpu)

    @property
    def sent(self) -> int:
        return len(self.sessions) * self.options.batch

    def settle(self) -> None:
        """The first frame, the preload after it and the account's cap; then the idle loop's
        longest stall and the memory with the window open."""
        window = self.window
        run_until(lambda: True, settle_s=0.5)
        run_until(lambda: not window.is_busy_in_background)
        run_until(lambda: window.throughput_of(window.profile) is not None
                  and not window.is_busy_in_background, window.check_credentials)
        assert window.profile.is_sandbox
        cap = window.throughput_of(window.profile)
        assert cap == self.options.rate, (cap, window.statusBar().currentMessage())
        with StallWatch() as idle:
            run_until(lambda: True, settle_s=0.5)
        self.idle_s = idle.longest_s
        self.rss_open = resident_mb()

    def run(self) -> None:
        """Every batch, a history round every ``--every`` sends, then the last receipts."""
        self.started = time.perf_counter()
        with self.watch:
            for batch in range(self.batches):
                self._send_batch(batch)
                if self.options.receipts_apart:
                    self.phase = f"receipts for batch {batch + 1}"
                    before = len(self.window.receipt_book)
                    run_until(lambda: len(self.window.receipt_book) >= self.sent,
                              timeout_s=RECEIPT_WAIT_S, settle_s=RECEIPTS_SETTLE_S)
                    self.receipts_apart += len(self.window.receipt_book) - before
                if self.sent % self.options.every == 0:
                    self._history_round()
                    self.rss[self.sent] = resident_mb()
                    self.blocks[self.sent] = sys.getallocatedblocks()
                    self.malloc[self.sent] = malloc_in_use_mb()
                    if self.sent == self.options.every and self.options.trace_memory:
                        tracemalloc.start(TRACE_FRAMES)
            self.phase = "receipts: waiting for the last ones"
            expected = self.sent
            run_until(lambda: len(self.window.receipt_book) >= expected
                      and not self.window.is_writing_history,
                      timeout_s=RECEIPT_WAIT_S, settle_s=0.2)
            self.phase = "history at the end"
            self._show_history()
            run_until(lambda: True, settle_s=0.2)
            self.phase = "done"
        self.total_s = time.perf_counter() - self.started
        self.rss_end = resident_mb()
        self.blocks_end = sys.getallocatedblocks()
        self.malloc_end = malloc_in_use_mb()
        if tracemalloc.is_tracing():
            self.memory = tracemalloc.take_snapshot()
            self.traced_mb = tracemalloc.get_traced_memory()[0] / (1024 * 1024)
            tracemalloc.stop()

    def close(self) -> None:
        from smsgui.ui.app import close_services

        self.window.shutdown()
        self.window.close()
        self.app.processEvents()
        close_services(self.services)

    def _send_batch(self, batch: int) -> None:
        window, count = self.window, self.options.batch
        self.phase = f"compose batch {batch + 1}"
        first = (batch * count) % NUMBERS
        numbers = ", ".join(str(FIRST_NUMBER + (first + i) % NUMBERS) for i in range(count))

        def fill() -> None:
            self.sender.setText("AcmeInc")
            self.recipients.setPlainText(numbers)
            self.message.setPlainText(f"Soak test, batch {batch + 1} of {self.batches}")

        run_until(self.button.isEnabled, fill)
        self.phase = f"sending batch {batch + 1}"
        run_until(lambda: not window.is_sending, self.button.click, timeout_s=120)
        run_until(self.button.isEnabled, timeout_s=5)
        session = window.session
        assert session is not None and len(session.exchanges) == count, session
        self.sessions.append(session)

    def _show_history(self) -> None:
        history = self.window.history
        run_until(lambda: history.row_count() == len(self.sessions),
                  lambda: self.window.left_tabs.setCurrentWidget(history))

    def _history_round(self) -> None:
        """Open the History tab, reopen a row with a click, save it, clear, open the file."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        window, table = self.window, self.window.history.table
        self.phase = f"history after {self.sent} sends"
        self._show_history()
        model = table.model()
        row = (self.sent // self.options.every * 3) % model.rowCount()
        index, row_id = model.index(row, 0), model.row_id(row)
        self.phase = f"reopen after {self.sent} sends"

        def click() -> None:
            table.scrollTo(index)
            QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                             pos=table.visualRect(index).center())

        run_until(lambda: window.session is not None and window.session.row_id == row_id, click)
        reopened, shown = window.session, len(window.results.exchanges())
        run_until(self.document.exists, window.save_action.trigger)
        run_until(lambda: not window.results.exchanges(), window.results.clear)
        run_until(lambda: window.session is not reopened
                  and len(window.results.exchanges()) == shown, window.open_file)
        self.document.unlink()
        self.phase = f"compose after {self.sent} sends"
        run_until(lambda: True, lambda: window.left_tabs.setCurrentWidget(window.compose))


def malloc_in_use_mb() -> float | None:
    """Bytes the C allocator has handed out and not had back (glibc ``mallinfo2``), in MB: Qt's
    objects and Python's bigger ones; None where there is no glibc."""
    import ctypes
    import ctypes.util

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost")]

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallinfo2 = libc.mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return (info.uordblks + info.hblkhd) / (1024 * 1024)


def phase_kind(phase: object) -> str:
    """ "sending" for "sending batch 3", "receipts" for "receipts: waiting for the last ones"."""
    return str(phase).split(" ")[0].rstrip(":")


def _prompter(document: Path, errors: list[str]) -> Prompter:
    """Says yes, saves to and opens ``document``, and keeps any error the window shows."""
    from smsgui.ui.main_window import Prompter

    class Files(Prompter):
        def confirm(self, parent: object, title: str, text: str) -> bool:
            return True

        def save_path(self, parent: object, suggested: str) -> Path | None:
            return document

        def open_path(self, parent: object) -> Path | None:
            return document

        def error(self, parent: object, headline: str, cause: str, next_step: str,
                  details: str = "") -> None:
            errors.append(headline)
            print(f"  (window error: {headline} {cause})", file=sys.stderr)

    return Files()


def _find(root: QWidget, kind: type[T], name: str) -> T:
    matches = [w for w in root.findChildren(kind) if w.accessibleName() == name]
    assert len(matches) == 1, (kind, name, len(matches))
    return matches[0]


def _report(results: Results, soak: Soak, counts: ReceiptCount, clock: SlotClock) -> None:
    """The four budget lines."""
    options, total, rss_open, rss_end = soak.options, soak.total_s, soak.rss_open, soak.rss_end
    first = soak.rss.get(options.every, rss_open)
    growth = rss_end - first
    trend = ", ".join(f"{count}: {mb:.0f}" for count, mb in soak.rss.items())
    blocks = soak.blocks_end - soak.blocks.get(options.every, soak.blocks_end)
    malloc_first = soak.malloc.get(options.every)
    malloc = (f"; C allocator in use {soak.malloc_end - malloc_first:+.1f} MB"
              if soak.malloc_end is not None and malloc_first is not None else "")
    traced = (f"; tracemalloc: {soak.traced_mb:.1f} MB of Python allocations made since "
              f"{options.every} sends still held (its bookkeeping adds to RSS)"
              if soak.memory is not None else "")
    results.line(f"soak RSS growth, {options.every} to {options.sends} sends", growth, "MB",
                 f"<= {BUDGET_GROWTH_MB:.0f} MB",
                 f"{first:.1f} MB after {options.every} sends, {rss_end:.1f} MB at the end, "
                 f"{rss_open:.1f} MB with the window open", growth <= BUDGET_GROWTH_MB,
                 f"MB after n sends: {trend}; Python blocks {blocks:+,}{malloc}{traced}")
    longest = soak.watch.longest
    stall_ms = soak.watch.longest_s * 1000
    note = "no ticks"
    if longest is not None:
        where = str(longest.after) + (f" (from {longest.before})"
                                      if longest.before != longest.after else "")
        note = (f"during {where}; {_cpu(longest)}; "
                f"calls in it: {_calls_in(clock, longest) or 'none timed'}")
    over = sum(1 for stall in soak.watch.recorded if stall.seconds * 1000 > BUDGET_STALL_MS)
    results.line("soak longest stall", stall_ms, "ms", f"<= {BUDGET_STALL_MS:.0f} ms",
                 f"idle loop {soak.idle_s * 1000:.1f} ms", stall_ms <= BUDGET_STALL_MS,
                 f"{over} stall(s) over {BUDGET_STALL_MS:.0f} ms; {note}")
    results.line("soak receipts missing", counts.missing, "", "0",
                 f"{counts.attached_in_history}/{counts.in_history} attached in the history, "
                 f"{counts.attached_in_window}/{counts.in_window} in the window's sessions",
                 counts.missing == 0 and counts.sent == options.sends,
                 f"{counts.history_rows} history rows for {len(soak.sessions)} sends; "
                 f"{counts.not_delivered} receipt(s) not 'delivered'; "
                 f"{len(soak.window.receipt_book)} receipts in the window's book")
    ideal = options.sends / options.rate
    results.line(f"soak total, {options.sends} sends in batches of {options.batch}", total, "s",
                 f"<= {BUDGET_TOTAL_S:.0f} s, no window errors",
                 f"pacing alone {ideal:.1f} s at {options.rate}/s",
                 total <= BUDGET_TOTAL_S and not soak.errors,
                 f"{len(soak.errors)} window error(s)"
                 + (f": {soak.errors[:3]}" if soak.errors else ""))


def _print_phases(soak: Soak) -> None:
    """Wall and UI-thread CPU time per kind of phase; per receipt when they came apart."""
    print("  time per phase, wall (UI thread CPU):", flush=True)
    for kind, (wall, cpu) in sorted(soak.phases.items(), key=lambda item: -item[1][0]):
        print(f"    {kind}: {wall:.1f} s ({cpu:.1f} s)")
    receipts = soak.phases.get("receipts")
    if soak.options.receipts_apart and receipts is not None and soak.receipts_apart:
        _, cpu = receipts  # the wall time includes the wait for the first receipt
        print(f"  per receipt, counting everything the UI thread did while only receipts came "
              f"(batch {soak.options.batch}, {soak.receipts_apart} of {soak.sent} receipts): "
              f"{_ms(cpu / soak.receipts_apart)} ms CPU")


def _print_memory(snapshot: tracemalloc.Snapshot) -> None:
    """The Python allocations still alive at the end that were made after the first round."""
    print("  Python memory allocated after the first round and still held, by line:")
    for stat in snapshot.statistics("lineno")[:MEMORY_LINES]:
        frame = stat.traceback[0]
        print(f"    {stat.size / 1024:,.0f} KiB in {stat.count:,} blocks: "
              f"{frame.filename.removeprefix(str(ROOT) + '/')}:{frame.lineno}")
    print("  ... and by the longest call chains holding the most:")
    for stat in snapshot.statistics("traceback")[:3]:
        print(f"    {stat.size / 1024:,.0f} KiB in {stat.count:,} blocks, allocated in:")
        for frame in stat.traceback.format()[-2 * TRACE_FRAMES:]:
            print(f"      {frame.strip()}")


def _print_events(events: EventClock, watch: StallWatch) -> None:
    """Where the UI thread's time went by Qt event, and the events in the longest stalls."""
    print("  Qt events by own time (nested events counted apart):")
    ranked = sorted(events.totals.items(), key=lambda item: -item[1][1])
    for key, (count, own, longest) in ranked[:EVENT_LINES]:
        print(f"    {_event_name(key)}: {count:.0f} events, {own:.2f} s, "
              f"mean {_ms(own / count)} ms, longest {_ms(longest)} ms")
    print(f"  top-level Qt events of {_ms(events.keep_over_s)} ms or more in the longest stalls:")
    for stall in sorted(watch.recorded, key=lambda stall: -stall.seconds)[:TOP_STALLS]:
        print(f"    {_ms(stall.seconds)} ms, {stall.after}: "
              f"{events.during(stall.started, stall.ended) or '-'}")


def _print_profile(profiler: cProfile.Profile) -> None:
    import io
    import pstats

    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(PROFILE_LINES)
        print(f"  cProfile of the UI thread by {order} (profiling inflates the times):")
        for line in out.getvalue().splitlines():
            if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced")):
                print(f"    {line}")


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    base = isolate_this_process()
    from smsgui.core.records.history import History

    clock = SlotClock()
    _instrument(clock)  # before the window is built, so its connections call the wrappers
    clock.time_garbage_collection()
    from PySide6.QtWidgets import QApplication

    events = EventClock() if options.events else None
    app = events.application(sys.argv) if events is not None else QApplication(sys.argv)
    soak = Soak(options, base, app)
    soak.settle()
    profiler = None
    if options.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    soak.run()
    if profiler is not None:
        profiler.disable()
    clock.restore()
    history = soak.services.history.peek()
    assert isinstance(history, History), "the history did not open"
    counts = count_receipts(history, soak.services.knowledge, soak.sessions, soak.batches)
    soak.close()

    results = Results()
    _report(results, soak, counts, clock)
    _print_phases(soak)
    _print_breakdown(clock, soak.watch, soak.started, options.batch, counts.sent)
    if soak.memory is not None:
        _print_memory(soak.memory)
    if events is not None:
        _print_events(events, soak.watch)
    if profiler is not None:
        _print_profile(profiler)
    return results.exit_code()


if __name__ == "__main__":
    sys.exit(main())
