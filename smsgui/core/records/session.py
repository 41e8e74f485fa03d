"""One send from the click to its last receipt, and the one record of it.

A :class:`SendSession` owns what a send produced: the profile it was sent with (frozen when the
send starts, so switching profile later changes nothing), its exchanges, and the receipts and
Reports API records that reach them afterwards. It writes the history row when the send
returns and updates that row whenever a receipt or a Reports lookup changes what is known, so
the history, a reopened send, a saved file and the summary all tell the same story.

A :class:`SendLedger` keeps the recent sessions and hands each arriving receipt to the ones it
belongs to - not only the send on screen: a receipt for an earlier send still reaches its row.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from smsgui.core.api.decode import Receipt, ReportRecord
from smsgui.core.api.profiles import Profile
from smsgui.core.delivery.exchange import Exchange, exchange_from_outcome, with_report_records
from smsgui.core.delivery.receipts import ReceiptBook
from smsgui.core.delivery.verdict import Verdict, send_verdict
from smsgui.core.reference.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from smsgui.core.api.client import ApiOutcome
    from smsgui.core.records.history import History

_log = logging.getLogger(__name__)
HISTORY_NOT_SAVED: Final = "The send worked, but the history could not be saved."
HISTORY_NOT_UPDATED: Final = "The history could not be updated with the latest delivery news."
KEPT_SESSIONS: Final = 200
"""Sessions the ledger keeps for late receipts; older ones are left to the history."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HistoryWrite(enum.Enum):
    """How writing a send's news to its history row went."""

    DONE = "done"
    GONE = "gone"
    """The send is no longer in the history: it was deleted."""
    FAILED = "failed"


class SendSession:
    """One send (or one reopened send) and everything learned about it since.

    Args:
        profile: the account that sent it, or None when that is not known (an opened file).
        knowledge: explains statuses and err-codes.
        history: where the send is recorded; None when the history is off.
        clock: when each message goes out.
    """

    def __init__(self, profile: Profile | None, knowledge: KnowledgeBase,
                 history: History | None = None,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self._profile = profile
        self._knowledge = knowledge
        self._history = history
        self._clock = clock
        self._exchanges: list[Exchange] = []
        self._positions: dict[str, list[int]] = {}
        self._history_behind = False
        self._row_id: int | None = None
        self._sent_here = True
        self.history_problem: str | None = None
        """What went wrong with the history, in one sentence for the status bar, if anything."""

    @classmethod
    def reopened(cls, exchanges: Sequence[Exchange], knowledge: KnowledgeBase,
                 profile: Profile | None = None, history: History | None = None,
                 row_id: int | None = None) -> SendSession:
        """Answers not sent from here: opened, pasted, or reopened from history row ``row_id``
        (which later receipts and Reports lookups then update)."""
        session = cls(profile, knowledge, history if row_id is not None else None)
        session._exchanges = list(exchanges)
        session._index_positions()
        session._row_id = row_id
        session._sent_here = False
        return session

    def __repr__(self) -> str:
        name = self._profile.name if self._profile else "unknown profile"
        return f"<SendSession {name}: {len(self._exchanges)} exchange(s), row {self._row_id}>"

    @property
    def profile(self) -> Profile | None:
        """The account that sent this; Check delivery asks it, whatever is selected now."""
        return self._profile

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        return tuple(self._exchanges)

    @property
    def row_id(self) -> int | None:
        return self._row_id

    @property
    def sent_here(self) -> bool:
        """Sent in this window, rather than opened, pasted or reopened."""
        return self._sent_here

    @property
    def verdict(self) -> Verdict | None:
        if not self._exchanges:
            return None
        return send_verdict([exchange.verdict for exchange in self._exchanges])

    @property
    def message_ids(self) -> tuple[str, ...]:
        return tuple(self._positions)

    def holds(self, message_id: str) -> bool:
        return message_id in self._positions

    def positions_of(self, message_id: str) -> tuple[int, ...]:
        """Where in :attr:`exchanges` the messages with ``message_id`` are."""
        return tuple(self._positions.get(message_id, ()))

    @property
    def history_behind(self) -> bool:
        """Receipts arrived that the history row does not hold yet (see ``attach_receipt``)."""
        return self._history_behind

    def add_outcome(self, outcome: ApiOutcome, receipts: ReceiptBook | None = None) -> Exchange:
        """Keep what one message's request produced; receipts already in ``receipts`` (quicker
        than the answer) are attached at once."""
        sandbox = self._profile.is_sandbox if self._profile else None
        exchange = exchange_from_outcome(outcome, sandbox, self._knowledge, self._clock())
        if receipts is not None:
            exchange = receipts.attach(exchange)
        self._exchanges.append(exchange)
        self._index(len(self._exchanges) - 1)
        return exchange

    def finish(self) -> None:
        """The send has returned: write its history row (once)."""
        if self._row_id is not None or not self._exchanges or self._history is None:
            return
        self._history_behind = False  # the row is written with every receipt known now
        try:
            self._row_id = self._history.record(self._exchanges, self._profile_name())
        except Exception:  # the send itself worked; a history hiccup must not hide it
            _log.exception("Could not record the send in the history")
            self.history_problem = HISTORY_NOT_SAVED

    def attach_receipts(self, receipts: ReceiptBook) -> bool:
        """Attach every receipt ``receipts`` holds for this send; True when anything changed."""
        return self._replace([receipts.attach(exchange) for exchange in self._exchanges])

    def attach_receipt(self, message_id: str, receipts: ReceiptBook,
                       write_history: bool = True) -> tuple[int, ...]:
        """Attach the receipts for ``message_id`` to only the exchanges it names; the positions
        that changed. With ``write_history`` False the history row is left for
        :meth:`write_history`, so a burst of receipts costs one write."""
        changed = []
        for position in self._positions.get(message_id, ()):
            attached = receipts.attach(self._exchanges[position])
            if attached is not self._exchanges[position]:
                self._exchanges[position] = attached
                changed.append(position)
        if changed:
            self._history_behind = True
            if write_history:
                self.write_history()
        return tuple(changed)

    def write_history(self) -> None:
        """Bring the history row up to date with what is known now, if it lags behind."""
        if self._history_behind:
            self._history_behind = False
            self._update_history()

    def history_write(self) -> Callable[[], HistoryWrite] | None:
        """What brings the history row up to date with what is known now, to be called
        elsewhere (a writer thread), or None when the row does not lag behind.

        Its result goes to :meth:`history_written`. Writes must run in the order they were
        taken: each one rewrites the whole row from what was known when it was taken.
        """
        if not self._history_behind:
            return None
        self._history_behind = False
        return self._row_writer()

    def history_written(self, result: HistoryWrite) -> None:
        """Take in how a write from :meth:`history_write` went."""
        if result is HistoryWrite.GONE:  # the person deleted it: its news is not to be kept
            self._row_id = None
        elif result is HistoryWrite.FAILED:  # what is on screen is right; the row lags behind
            self.history_problem = HISTORY_NOT_UPDATED

    def _row_writer(self) -> Callable[[], HistoryWrite] | None:
        """A call rewriting the history row from the exchanges as they are now."""
        if self._row_id is None or self._history is None:
            return None
        history, row_id = self._history, self._row_id
        exchanges, profile = tuple(self._exchanges), self._profile_name()

        def write() -> HistoryWrite:
            from smsgui.core.records.history import SendGoneError

            try:
                history.update(row_id, exchanges, profile)
            except SendGoneError:
                return HistoryWrite.GONE
            except Exception:
                _log.exception("Could not update history row %s", row_id)
                return HistoryWrite.FAILED
            return HistoryWrite.DONE

        return write

    def add_report_records(self, records: Sequence[ReportRecord]) -> bool:
        """Keep what the Reports API said of this send's messages; True when anything changed."""
        return self._replace([with_report_records(exchange, records, self._knowledge)
                              for exchange in self._exchanges])

    def _replace(self, exchanges: list[Exchange]) -> bool:
        before = [exchange.document.receipts for exchange in self._exchanges]
        if before == [exchange.document.receipts for exchange in exchanges]:
            return False
        self._exchanges = exchanges
        self._index_positions()
        self._history_behind = False
        self._update_history()
        return True

    def _index_positions(self) -> None:
        self._positions = {}
        for position in range(len(self._exchanges)):
            self._index(position)

    def _index(self, position: int) -> None:
        for message_id in self._exchanges[position].message_ids:
            places = self._positions.setdefault(message_id, [])
            if position not in places:
                places.append(position)

    def _update_history(self) -> None:
        write = self._row_writer()
        if write is not None:
            self.history_written(write())

    def _profile_name(self) -> str:
        return self._profile.name if self._profile else "unknown"


class SendLedger:
    """The receipts that have arrived and the recent sessions they may belong to."""

    def __init__(self, receipts: ReceiptBook, keep: int = KEPT_SESSIONS) -> None:
        self._receipts = receipts
        self._keep = keep
        self._sessions: list[SendSession] = []

    @property
    def receipts(self) -> ReceiptBook:
        return self._receipts

    def track(self, session: SendSession) -> None:
        """Follow ``session`` so later receipts reach it (and its history row)."""
        if session not in self._sessions:
            self._sessions.append(session)
            del self._sessions[:-self._keep]
        session.attach_receipts(self._receipts)

    def take_receipt(self, fields: Mapping[str, object], write_history: bool = True,
                     ) -> tuple[Receipt | None, list[SendSession]]:
        """Keep one receipt; it and the sessions it changed (none when it was a repeat).

        Only the exchanges holding the receipt's message id are touched. With ``write_history``
        False the changed sessions' rows wait for their ``write_history``.
        """
        receipt = self._receipts.add(fields)
        if receipt is None or receipt.message_id is None:  # the book keeps only ones with an id
            return None, []
        message_id = receipt.message_id
        changed = [session for session in self._sessions
                   if session.holds(message_id)
                   and session.attach_receipt(message_id, self._receipts, write_history)]
        return receipt, changed
