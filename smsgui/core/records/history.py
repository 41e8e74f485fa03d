"""The local history of sends: one SQLite row per send, searchable, each reopenable.

A row keeps what the history list shows and searches (recipients, message-ids, status codes,
verdict, headline) and the response documents of the send, exactly as a saved file holds them:
the request without secrets, the status, timing and body as received. Receipts and Reports
lookups arrive after the send; ``update`` rewrites its row with them, keeping its time.

Search uses an FTS5 trigram index when SQLite has one (substring search on 100,000 rows in a few
milliseconds) and a plain scan otherwise. A file that is not a valid database is set aside as
``<name>.corrupt-<time>`` and a fresh history started; ``History.recovered_from`` says so.

The history holds full phone numbers, so it is the user's to remove: ``delete``, ``clear`` and
``prune`` (the retention period) leave no copy behind in the files. SQLite zeroes what it deletes
(``secure_delete``), the full-text index is merged until no deleted entry is left in it, the freed
pages are cut off the end of the file (``auto_vacuum`` incremental; an older history is converted
by one VACUUM) and the write-ahead log is emptied. Long work runs in short steps, each under the
lock on its own, so a search from another thread waits for one step at most. The database and
its side files are readable by their owner only (0600).
"""

from __future__ import annotations

import contextlib
import functools
import glob
import json
import logging
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from smsgui.core.api.decode import Receipt
from smsgui.core.api.documents import (
    ResponseDocument,
    document_to_json,
    json_bytes,
    parse_document,
)
from smsgui.core.delivery.exchange import Exchange
from smsgui.core.delivery.verdict import send_verdict
from smsgui.core.reference.knowledge import Entry

_log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_LIMIT = 500
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26
_AUTO_VACUUM_INCREMENTAL = 2
_PRIVATE_MODE = 0o600  # the owner reads and writes; nobody else
_SIDE_FILES = ("-wal", "-shm", "-journal")
# Steps of the work that removes sends, each short enough that a search waiting for the lock is
# hardly noticed (a quarter of a second at worst on 100,000 sends): rows deleted per transaction,
# index pages merged, file pages freed.
_DELETE_BATCH = 500
_MERGE_PAGES = 64
_VACUUM_PAGES = 1024
_BETWEEN_STEPS_S = 0.002  # the lock is not fair: without a pause, the next step takes it again
_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100
_BUSY_TIMEOUT_S = 5.0
_MIN_TRIGRAM = 3  # FTS5's trigram index finds substrings of three characters or more
_MAX_STATUS_DIGITS = 4
_MIN_NUMBER_DIGITS = 6  # from here on a digit query is a phone number: leading zeros dropped

_STATUS_QUERY = re.compile(r"status\s*[:#=]?\s*(\d{1,4})", re.IGNORECASE)
_DATE_QUERY = re.compile(
    r"(\d{4})-(\d{2})(?:-(\d{2})(?:[ T](\d{2})(?::(\d{2})(?::(\d{2}))?)?)?)?")
_NUMBER_QUERY = re.compile(r"[\d\s+\-().]*\d[\d\s+\-().]*")

_TABLES = (
    """CREATE TABLE sends (
        id INTEGER PRIMARY KEY,
        sent_at TEXT NOT NULL,
        profile TEXT NOT NULL,
        sandbox INTEGER NOT NULL,
        sender TEXT NOT NULL,
        recipients TEXT NOT NULL,
        message_ids TEXT NOT NULL,
        statuses TEXT NOT NULL,
        ok INTEGER NOT NULL,
        headline TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        numbers TEXT NOT NULL,
        words TEXT NOT NULL
    )""",
    "CREATE INDEX sends_by_time ON sends (sent_at)",
    """CREATE TABLE parts (
        send_id INTEGER NOT NULL REFERENCES sends (id) ON DELETE CASCADE,
        status INTEGER NOT NULL
    )""",
    "CREATE INDEX parts_by_status ON parts (status, send_id)",
    """CREATE TABLE documents (
        send_id INTEGER NOT NULL REFERENCES sends (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (send_id, position)
    ) WITHOUT ROWID""",
)
# Added after version 1 without changing it, so an older smsgui still opens the history: deleting a
# send looks its parts up by send (without the index, each deleted send scans every part), and
# the highest send id ever given, so that an id is never reused after the newest send is deleted.
_ADDED_TABLES = (
    "CREATE INDEX IF NOT EXISTS parts_by_send ON parts (send_id)",
    """CREATE TABLE IF NOT EXISTS counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) WITHOUT ROWID""",
)
_LAST_ID = "last_send_id"
_SEARCH_TABLE = ("CREATE VIRTUAL TABLE sends_search USING fts5(numbers, words, "
                 "content='sends', content_rowid='id', tokenize='trigram')")
_ROW_COLUMNS = ("id, sent_at, profile, sandbox, recipients, sender, message_ids, statuses, ok, "
                "headline, entry_id")
_GONE = "This send is no longer in the history."


class HistoryError(Exception):
    """The history cannot be opened, read or written; the message is one plain sentence.

    ``cause`` and ``next_step`` say, in words for someone who is not a developer, why (the file
    is locked, the disk is full, writing is not allowed) and what to do; empty when unknown.
    """

    def __init__(self, message: str, cause: str = "", next_step: str = "") -> None:
        super().__init__(message)
        self.cause = cause
        self.next_step = next_step


class SendGoneError(HistoryError):
    """The send asked for was deleted (or never recorded): nothing is wrong with the history."""

    def __init__(self) -> None:
        super().__init__(_GONE)


class TidyError(HistoryError):
    """The sends were removed (``removed`` of them), but the files could not be tidied after,
    so copies of them may remain in the file until a later removal tidies it."""

    def __init__(self, error: HistoryError, removed: int) -> None:
        super().__init__(str(error), error.cause, error.next_step)
        self.removed = removed


@dataclass(frozen=True)
class HistoryRow:
    """One send as the history list shows it; ``load(id)`` gives its documents."""

    id: int
    sent_at: datetime
    profile: str
    sandbox: bool
    recipients: tuple[str, ...]
    sender: str
    message_ids: tuple[str, ...]
    statuses: tuple[int | None, ...]
    ok: bool
    headline: str
    entry_id: str


@dataclass(frozen=True)
class _Record:
    """A send ready to write: the row's columns and its documents as JSON."""

    sent_at: str
    profile: str
    sandbox: bool
    sender: str
    recipients: tuple[str, ...]
    message_ids: tuple[str, ...]
    statuses: tuple[int | None, ...]
    ok: bool
    headline: str
    entry_id: str
    numbers: str
    words: str
    documents: tuple[str, ...]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class History:
    """The history database at ``path``; one connection, shared by threads under a lock.

    Args:
        path: the database file; its folder is created when missing.
        clock: gives the time a send is recorded (and names a corrupt file set aside).
        timezone: the zone dates typed into a search are in; None for the system's.
    """

    def __init__(self, path: Path, clock: Callable[[], datetime] = _utc_now,
                 timezone: tzinfo | None = None) -> None:
        self._path = path
        self._clock = clock
        self._timezone = timezone
        self._lock = threading.Lock()
        self._untidy = False  # a removal's tidying failed or was put off: the next one tidies
        self.recovered_from: Path | None = None
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise HistoryError(f"Cannot create the history folder {path.parent}: "
                               f"{error.strerror}.") from error
        if not _has_database_header(path):
            # Set aside before SQLite opens it: closing would delete its -wal file.
            self.recovered_from = self._set_aside("not an SQLite database")
        self._connection: sqlite3.Connection | None = self._open_or_recover()
        self._fts = self._has_search_table()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<History {str(self._path)!r}>"

    @property
    def path(self) -> Path:
        return self._path

    @property
    def full_text(self) -> bool:
        """True when searches use the FTS5 trigram index."""
        return self._fts

    def record(self, exchanges: Sequence[Exchange], profile: str) -> int:
        """Keep one send (one or more exchanges, e.g. one per recipient); returns its row id."""
        if not exchanges:
            raise ValueError("a send has at least one exchange")
        record = _prepare(exchanges, profile, _as_utc(self._clock()))
        with self._transaction() as connection:
            return self._insert(connection, record)

    def update(self, row_id: int, exchanges: Sequence[Exchange], profile: str) -> None:
        """Rewrite a kept send from its exchanges as they are now, e.g. with receipts.

        Everything the send contributes is worked out again except its time, which stays the
        time it was sent. Raises HistoryError when the send is no longer in the history.
        """
        if not exchanges:
            raise ValueError("a send has at least one exchange")
        with self._transaction() as connection:
            found = connection.execute("SELECT sent_at, numbers, words FROM sends WHERE id = ?",
                                       (row_id,)).fetchone()
            if found is None:
                raise SendGoneError
            sent_at, numbers, words = found
            record = _prepare(exchanges, profile, _as_utc(datetime.fromisoformat(str(sent_at))))
            self._rewrite(connection, row_id, record, (str(numbers), str(words)))

    def search(self, text: str = "", limit: int = DEFAULT_LIMIT) -> list[HistoryRow]:
        """Sends matching ``text``, newest (most recently recorded) first.

        See ``_matching_ids`` for what a text matches.
        """
        limit = max(limit, 0)
        selector = self._matching_ids(text, limit)
        if selector is None:
            rows = self._read(f"SELECT {_ROW_COLUMNS} FROM sends ORDER BY id DESC LIMIT ?",
                              (limit,))
        else:
            sql, parameters = selector
            rows = self._read(f"SELECT {_ROW_COLUMNS} FROM sends WHERE id IN ({sql}) "
                              "ORDER BY id DESC", parameters)
        return [_history_row(row) for row in rows]

    def row(self, row_id: int) -> HistoryRow:
        """One send as the history list shows it."""
        rows = self._read(f"SELECT {_ROW_COLUMNS} FROM sends WHERE id = ?", (row_id,))
        if not rows:
            raise SendGoneError
        return _history_row(rows[0])

    def load(self, row_id: int) -> list[ResponseDocument]:
        """The documents of one send, in the order they were sent, ready to reopen."""
        rows = self._read("SELECT json FROM documents WHERE send_id = ? ORDER BY position",
                          (row_id,))
        if not rows:
            raise SendGoneError
        return [parse_document(str(row[0])) for row in rows]

    def count(self, before: datetime | None = None) -> int:
        """How many sends are kept; with ``before``, how many were sent before that time."""
        if before is None:
            return int(self._read("SELECT count(*) FROM sends", ())[0][0])
        return int(self._read("SELECT count(*) FROM sends WHERE sent_at < ?",
                              (_iso(_as_utc(before)),))[0][0])

    def rows(self, ids: Iterable[int] | None = None) -> list[HistoryRow]:
        """Every send (``ids`` None) or those of ``ids`` still kept, newest first; for exports."""
        if ids is None:
            found = self._read(f"SELECT {_ROW_COLUMNS} FROM sends ORDER BY id DESC", ())
        else:
            found = self._read(f"SELECT {_ROW_COLUMNS} FROM sends WHERE id IN "
                               "(SELECT value FROM json_each(?)) ORDER BY id DESC",
                               (_id_list(ids),))
        return [_history_row(row) for row in found]

    def delete(self, ids: Iterable[int]) -> int:
        """Remove the sends with these ids, leaving no copy in the files; returns how many.

        Ids no longer kept are skipped. Raises HistoryError when the history cannot be written
        (the sends deleted before that stay deleted), TidyError when the sends went but the
        files could not be tidied after.
        """
        wanted = sorted(set(ids))
        removed = 0
        for start in range(0, len(wanted), _DELETE_BATCH):
            batch = _id_list(wanted[start:start + _DELETE_BATCH])
            with self._transaction() as connection:
                removed += self._remove(connection, "id IN (SELECT value FROM json_each(?))",
                                        (batch,))
            _let_others_in()
        self._scrub(removed)
        return removed

    def prune(self, older_than: datetime, stop: Callable[[], bool] = lambda: False) -> int:
        """Remove every send made before ``older_than``, as ``delete`` does; returns how many.

        Sends go oldest first, a batch per transaction, so a long prune keeps the history
        usable from other threads while it runs. When ``stop`` says True between two batches
        (the app is quitting) the prune ends early and tidies what it removed; the next prune
        takes the rest.
        """
        cutoff = _iso(_as_utc(older_than))
        removed = 0
        while True:
            with self._transaction() as connection:
                batch = self._remove(connection, "id IN (SELECT id FROM sends WHERE sent_at < ? "
                                     "ORDER BY sent_at LIMIT ?)", (cutoff, _DELETE_BATCH))
            removed += batch
            if batch < _DELETE_BATCH or stop():
                break
            _let_others_in()
        self._scrub(removed)
        return removed

    def clear(self) -> int:
        """Remove every send, as ``delete`` does, in one transaction; returns how many."""
        with self._transaction() as connection:
            removed = int(connection.execute("SELECT count(*) FROM sends").fetchone()[0])
            self._keep_last_id(connection)
            if self._fts:
                connection.execute("INSERT INTO sends_search (sends_search) VALUES ('delete-all')")
            for table in ("documents", "parts", "sends"):
                connection.execute(f"DELETE FROM {table}")
        self._scrub(removed)
        self._remove_damaged_copies(removed)
        return removed

    def damaged_copies(self) -> list[Path]:
        """Damaged histories set aside earlier (``<name>.corrupt-<time>``, side files too):
        they hold numbers as well, so clearing the history removes them."""
        return sorted(self._path.parent.glob(f"{glob.escape(self._path.name)}.corrupt-*"))

    def _remove_damaged_copies(self, removed: int) -> None:
        try:
            for copy in self.damaged_copies():
                copy.unlink(missing_ok=True)
        except OSError as error:
            raise TidyError(HistoryError(
                "The sends were deleted, but a damaged copy set aside earlier could not be.",
                f"{error.filename}: {error.strerror}.",
                "Delete that file yourself, or clear the history again."), removed) from error

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # Opening, creating and recovering the database.

    def _open(self) -> sqlite3.Connection:
        _make_private(self._path)  # before SQLite creates side files: they take its mode
        connection = sqlite3.connect(self._path, timeout=_BUSY_TIMEOUT_S, isolation_level=None,
                                     check_same_thread=False)
        try:
            if connection.execute("PRAGMA page_count").fetchone()[0] == 0:
                # A new file only: an older history is converted when sends are first removed
                # (see _free_pages), and setting it again would write to the file.
                connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA secure_delete = ON")  # what is deleted is overwritten
            _migrate(connection)
            connection.execute("SELECT id FROM sends ORDER BY id DESC LIMIT 1").fetchall()
        except BaseException:
            connection.close()
            raise
        return connection

    def _open_or_recover(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.DatabaseError as error:
            if not _is_corruption(error):
                raise HistoryError(f"Cannot open the history {self._path}: {error}.") from error
            self.recovered_from = self._set_aside(str(error))
        return self._open_or_raise()

    def _open_or_raise(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.Error as error:
            raise HistoryError(f"Cannot start a new history at {self._path}: {error}.") from error

    def _set_aside(self, reason: str) -> Path:
        stamp = _as_utc(self._clock()).strftime("%Y%m%dT%H%M%SZ")
        target = self._path.with_name(f"{self._path.name}.corrupt-{stamp}")
        serial = 1
        while target.exists():
            serial += 1
            target = self._path.with_name(f"{self._path.name}.corrupt-{stamp}-{serial}")
        try:
            os.replace(self._path, target)
            for suffix in ("-wal", "-shm", "-journal"):
                sidecar = self._path.with_name(self._path.name + suffix)
                if sidecar.exists():
                    os.replace(sidecar, target.with_name(target.name + suffix))
        except OSError as move_error:
            raise HistoryError(f"The history {self._path} is damaged and cannot be moved "
                               f"aside: {move_error.strerror}.") from move_error
        _log.warning("History %s is not a usable database (%s); moved it to %s and started "
                     "a new one", self._path, reason, target)
        return target

    def _has_search_table(self) -> bool:
        rows = self._read("SELECT 1 FROM sqlite_master WHERE name = 'sends_search'", ())
        return bool(rows) and _fts5_available()

    # Reading and writing under the lock.

    def _live(self) -> sqlite3.Connection:
        if self._connection is None:
            raise HistoryError("The history is closed.")
        return self._connection

    def _read(self, sql: str, parameters: Sequence[object]) -> list[Any]:
        with self._lock:
            try:
                return self._live().execute(sql, tuple(parameters)).fetchall()
            except sqlite3.Error as error:
                raise _failure("Cannot read the history", error, self._path) from error

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = self._live()
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise _failure("Cannot write to the history", error, self._path) from error
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException as error:
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise _failure("Cannot write to the history", error, self._path) from error
                raise

    def _insert(self, connection: sqlite3.Connection, record: _Record) -> int:
        columns = {"id": _next_id(connection), **_columns(record)}
        cursor = connection.execute(
            f"INSERT INTO sends ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})", tuple(columns.values()))
        row_id = cursor.lastrowid
        if row_id is None:
            raise sqlite3.OperationalError("no row id after insert")
        self._write_details(connection, row_id, record)
        return row_id

    def _rewrite(self, connection: sqlite3.Connection, row_id: int, record: _Record,
                 indexed: tuple[str, str]) -> None:
        """Replace row ``row_id`` with ``record``; ``indexed`` is its old (numbers, words)."""
        if self._fts:
            # An external-content index forgets a row only when told the values it indexed.
            connection.execute("INSERT INTO sends_search (sends_search, rowid, numbers, words) "
                               "VALUES ('delete', ?, ?, ?)", (row_id, *indexed))
        columns = _columns(record)
        del columns["sent_at"]  # a send stays at the time it was sent
        connection.execute(
            f"UPDATE sends SET {', '.join(f'{name} = ?' for name in columns)} WHERE id = ?",
            (*columns.values(), row_id))
        connection.execute("DELETE FROM parts WHERE send_id = ?", (row_id,))
        connection.execute("DELETE FROM documents WHERE send_id = ?", (row_id,))
        self._write_details(connection, row_id, record)

    def _write_details(self, connection: sqlite3.Connection, row_id: int,
                       record: _Record) -> None:
        """The parts, documents and index entry of row ``row_id``, which has none yet."""
        codes = sorted({status for status in record.statuses if status is not None})
        connection.executemany("INSERT INTO parts (send_id, status) VALUES (?, ?)",
                               [(row_id, code) for code in codes])
        connection.executemany("INSERT INTO documents (send_id, position, json) VALUES (?, ?, ?)",
                               [(row_id, i, text) for i, text in enumerate(record.documents)])
        if self._fts:
            connection.execute("INSERT INTO sends_search (rowid, numbers, words) "
                               "VALUES (?, ?, ?)", (row_id, record.numbers, record.words))

    # Removing sends and every copy of them.

    def _remove(self, connection: sqlite3.Connection, where: str,
                parameters: Sequence[object]) -> int:
        """Delete the sends ``where`` selects with their parts, documents and index entries."""
        found = connection.execute(f"SELECT id, numbers, words FROM sends WHERE {where}",
                                   tuple(parameters)).fetchall()
        if not found:
            return 0
        self._keep_last_id(connection)
        if self._fts:
            # An external-content index forgets a row only when told the values it indexed.
            connection.executemany("INSERT INTO sends_search (sends_search, rowid, numbers, "
                                   "words) VALUES ('delete', ?, ?, ?)", found)
        ids = [(row[0],) for row in found]
        connection.executemany("DELETE FROM parts WHERE send_id = ?", ids)
        connection.executemany("DELETE FROM documents WHERE send_id = ?", ids)
        connection.executemany("DELETE FROM sends WHERE id = ?", ids)
        return len(found)

    @staticmethod
    def _keep_last_id(connection: sqlite3.Connection) -> None:
        """Remember the highest id given before a delete can lower it (see ``_next_id``)."""
        connection.execute(
            "INSERT INTO counters (name, value) SELECT ?, max(id) FROM sends HAVING count(*) > 0 "
            "ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)", (_LAST_ID,))

    def _scrub(self, removed: int) -> None:
        """After ``removed`` sends were deleted: leave no copy of them anywhere in the files.

        Secure delete zeroed their rows. What is left: their entries in the full-text index's
        older segments (gone once the index is merged), the freed pages (cut off the file) and
        the write-ahead log's older frames (gone when it is emptied). Tidying that failed is
        done again by the next removal, even one that removes nothing.
        """
        if removed == 0 and not self._untidy:
            return
        self._untidy = True
        try:
            if self._fts:
                self._merge_search_index()
            self._free_pages()
            self._untidy = not self._empty_log()
        except HistoryError as error:
            raise TidyError(error, removed) from error

    def _merge_search_index(self) -> None:
        """Merge the index into one segment, a few pages per step (FTS5's 'merge' command).

        The first step puts every segment on one level (a negative page count); the next ones
        carry that merge on until a step changes nothing.
        """
        pages = -_MERGE_PAGES
        while True:
            with self._step("tidy") as connection:
                before = connection.total_changes
                connection.execute("INSERT INTO sends_search (sends_search, rank) "
                                   "VALUES ('merge', ?)", (pages,))
                if connection.total_changes - before < 2:
                    return
            pages = _MERGE_PAGES
            _let_others_in()

    def _free_pages(self) -> None:
        """Cut the freed pages off the end of the file, a step at a time.

        An older history without incremental auto-vacuum is converted, once, by a VACUUM.
        """
        with self._step("compact") as connection:
            mode = int(connection.execute("PRAGMA auto_vacuum").fetchone()[0])
            if mode != _AUTO_VACUUM_INCREMENTAL:
                connection.executescript("PRAGMA auto_vacuum = INCREMENTAL; VACUUM;")
                return
        while True:
            with self._step("compact") as connection:
                if int(connection.execute("PRAGMA freelist_count").fetchone()[0]) == 0:
                    return
                # execute() would run the pragma one step, freeing one page; a script runs it
                # to the end.
                connection.executescript(f"PRAGMA incremental_vacuum({_VACUUM_PAGES});")
            _let_others_in()

    def _empty_log(self) -> bool:
        """Copy the log into the database and cut it to nothing; it holds older page copies.

        False when another connection (a second window) was reading and the log could not be
        emptied: SQLite empties it when the last connection closes, or the next removal does.
        """
        with self._step("compact") as connection:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            _log.warning("History %s: another connection is reading, so its write-ahead log "
                         "keeps older pages until the next checkpoint", self._path)
        return not busy

    @contextlib.contextmanager
    def _step(self, doing: str) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock, for one step of work outside a transaction."""
        with self._lock:
            connection = self._live()
            try:
                yield connection
            except sqlite3.Error as error:
                raise _failure(f"Cannot {doing} the history", error, self._path) from error

    # Turning what the user typed into SQL: each selector is a SELECT of at most ``limit`` row
    # ids, newest first, so that an index or the full-text table can stop early.

    def _matching_ids(self, text: str, limit: int) -> _Selector | None:
        """The ids a search text matches; None for an empty text (every send).

        - "status 29" (or "status:29"): sends with a part of that status;
        - a date or time prefix in local time ("2026-11", "2026-11-27", "2026-11-27 14:05"):
          sends made within that month, day, hour, minute or second;
        - digits (spaces, "+", "-", "(", ")" and "." ignored): a recipient number containing
          them (leading zeros dropped from six digits on, so "07700 900123" finds
          447700900123), a message-id containing them, or a status code equal to them;
        - anything else: each word appears (case-insensitive, as a substring) in a message-id,
          a status ("status 29"), an entry title or id ("throttled"), the headline, the
          sender, the profile or an error-text.
        """
        query = " ".join(text.split())
        if not query:
            return None
        if match := _STATUS_QUERY.fullmatch(query):
            return _with_status(int(match.group(1)), limit)
        if (span := _time_span(query, self._timezone)) is not None:
            # Newest by time, not by id: the time index then stops at the limit.
            return ("SELECT id FROM sends WHERE sent_at >= ? AND sent_at < ? "
                    "ORDER BY sent_at DESC LIMIT ?", [_iso(span[0]), _iso(span[1]), limit])
        if _NUMBER_QUERY.fullmatch(query):
            return self._number_ids(re.sub(r"\D", "", query), limit)
        return self._containing("words", query.lower().split(), limit)

    def _number_ids(self, digits: str, limit: int) -> _Selector:
        number = (digits.lstrip("0") or digits) if len(digits) >= _MIN_NUMBER_DIGITS else digits
        selectors = [self._containing("numbers", list(dict.fromkeys([number, digits])), limit,
                                      every=False)]
        if len(digits) <= _MAX_STATUS_DIGITS:
            selectors.append(_with_status(int(digits), limit))
        if len(selectors) == 1:
            return selectors[0]
        union = " UNION ".join(f"SELECT id FROM ({sql})" for sql, _ in selectors)
        parameters = [value for _, values in selectors for value in values]
        return f"{union} ORDER BY id DESC LIMIT ?", [*parameters, limit]

    def _containing(self, column: str, terms: list[str], limit: int,
                    every: bool = True) -> _Selector:
        """Every term (or, with ``every`` False, any) is a substring of ``column``.

        Both columns hold lower-case text. Terms of three characters or more go to the FTS5
        trigram index, which lists matches newest first and stops at the limit; shorter ones
        are looked for row by row.
        """
        operator = " AND " if every else " OR "
        indexed = [term for term in terms if self._fts and len(term) >= _MIN_TRIGRAM]
        scanned = [term for term in terms if term not in indexed]
        if indexed and not every and scanned:
            indexed, scanned = [], terms
        phrase = operator.join(f'{column} : "{_fts_quoted(term)}"' for term in indexed)
        if not scanned:
            return ("SELECT rowid AS id FROM sends_search WHERE sends_search MATCH ? "
                    "ORDER BY rowid DESC LIMIT ?", [phrase, limit])
        scan = operator.join(f"instr(sends.{column}, ?) > 0" for _ in scanned)
        if not indexed:
            return (f"SELECT id FROM sends WHERE {scan} ORDER BY id DESC LIMIT ?",
                    [*scanned, limit])
        return ("SELECT sends.id FROM sends_search JOIN sends ON sends.id = sends_search.rowid "
                f"WHERE sends_search MATCH ? AND {scan} ORDER BY sends_search.rowid DESC LIMIT ?",
                [phrase, *scanned, limit])


_Selector = tuple[str, list[object]]


def _with_status(status: int, limit: int) -> _Selector:
    return ("SELECT send_id AS id FROM parts WHERE status = ? ORDER BY send_id DESC LIMIT ?",
            [status, limit])


def _time_span(query: str, timezone: tzinfo | None) -> tuple[datetime, datetime] | None:
    """The UTC span a local date or time prefix covers, or None when it is not one."""
    match = _DATE_QUERY.fullmatch(query)
    if match is None:
        return None
    values = [int(value) for value in match.groups() if value is not None]
    try:
        start, end = _local_span(values)
        return _local_to_utc(start, timezone), _local_to_utc(end, timezone)
    except (ValueError, OverflowError):  # "2026-13", "2026-02-30", "9999-12"
        return None


def _local_span(values: Sequence[int]) -> tuple[datetime, datetime]:
    """The naive local span of [year, month, day?, hour?, minute?, second?]."""
    fields = (*values, *(1, 0, 0, 0)[len(values) - 2:])
    start = datetime(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
    if len(values) == 2:
        year, month = values
        return start, datetime(year + month // 12, month % 12 + 1, 1)
    steps = (timedelta(days=1), timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1))
    return start, start + steps[len(values) - 3]


def _local_to_utc(moment: datetime, timezone: tzinfo | None) -> datetime:
    if timezone is None:
        return moment.astimezone(UTC)  # a naive time is taken as the system's local time
    return moment.replace(tzinfo=timezone).astimezone(UTC)


def _iso(moment: datetime) -> str:
    """UTC, fixed width, so that text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _fts_quoted(term: str) -> str:
    return term.replace('"', '""')


def _has_database_header(path: Path) -> bool:
    """False for a file that exists, is not empty and has no valid SQLite header."""
    try:
        with path.open("rb") as stream:
            header = stream.read(_HEADER_SIZE)
    except OSError:
        return True  # missing (a new history), or for SQLite to report
    if not header:
        return True
    if len(header) < _HEADER_SIZE or not header.startswith(_SQLITE_MAGIC):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    valid_size = page_size == 1 or (512 <= page_size <= 32768 and page_size & (page_size - 1) == 0)
    return valid_size and header[21:24] == b"\x40\x20\x20"  # payload fractions 64, 32, 32


def _let_others_in() -> None:
    """Between two steps of a long removal: a thread waiting for the lock gets it now."""
    time.sleep(_BETWEEN_STEPS_S)


def _make_private(path: Path) -> None:
    """Create the database file for its owner only, or make it and its side files so.

    SQLite makes the log and shared-memory files with the database file's mode, so a private
    database keeps them private. Where the file cannot be made (a folder of that name), SQLite
    reports the problem.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_MODE))
    except FileExistsError:
        pass
    except OSError:
        return
    if os.name != "posix":  # Windows keeps a user's files in their profile, theirs alone
        return
    for file in (path, *(path.with_name(path.name + suffix) for suffix in _SIDE_FILES)):
        _restrict(file)


def _restrict(file: Path) -> None:
    """Take group and other permissions off a regular file, if it exists."""
    try:
        status = os.stat(file)
    except OSError:
        return
    mode = stat.S_IMODE(status.st_mode)
    if not stat.S_ISREG(status.st_mode) or not mode & 0o077:
        return
    try:
        os.chmod(file, mode & _PRIVATE_MODE)
    except OSError as error:
        _log.warning("Cannot make %s readable by its owner only: %s", file, error.strerror)


_LOCKED = ("Another program is using the history database, so it is locked.",
           "Close any other smsgui window (or program) that has the history open, then try "
           "again.")
_DISK_FULL = ("The disk that holds the history is full.",
              "Free some space on that disk, then try again.")
_NOT_ALLOWED = ("smsgui is not allowed to write the history file {path}.",
                "Make sure your user owns that file and may write to it, then try again.")
_DISK_TROUBLE = ("The disk did not let smsgui read or write the history file {path}.",
                 "Check that the disk is still connected and has room, then try again.")
_PROBLEMS = {_SQLITE_BUSY: _LOCKED, _SQLITE_LOCKED: _LOCKED, _SQLITE_FULL: _DISK_FULL,
             _SQLITE_READONLY: _NOT_ALLOWED, _SQLITE_PERM: _NOT_ALLOWED,
             _SQLITE_CANTOPEN: _NOT_ALLOWED, _SQLITE_IOERR: _DISK_TROUBLE}
"""Why an SQLite error code stops the history, and what to do: (cause, next step)."""


def _failure(doing: str, error: sqlite3.Error, path: Path) -> HistoryError:
    """A HistoryError for ``error``, with its cause and next step when SQLite's code says."""
    code = getattr(error, "sqlite_errorcode", None)
    cause, next_step = _PROBLEMS.get(code & 0xFF if isinstance(code, int) else -1, ("", ""))
    return HistoryError(f"{doing}: {error}.", cause.format(path=path), next_step)


def _id_list(ids: Iterable[int]) -> str:
    """Ids as one JSON array, for ``json_each``: any number of them, one parameter."""
    return json.dumps([int(row_id) for row_id in ids])


def _next_id(connection: sqlite3.Connection) -> int:
    """One more than any id given so far, even to a send deleted since.

    A send keeps being updated (receipts, Reports lookups) by its id after it was recorded;
    were the id of a deleted send given again, that send could write over a new one.
    """
    row = connection.execute(
        "SELECT max(coalesce((SELECT max(id) FROM sends), 0), "
        "coalesce((SELECT value FROM counters WHERE name = ?), 0)) + 1", (_LAST_ID,)).fetchone()
    return int(row[0])


def _is_corruption(error: sqlite3.DatabaseError) -> bool:
    """True when the file is not a database or is damaged; not for locks or permissions."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    message = str(error).lower()
    return "not a database" in message or "malformed" in message


@functools.cache
def _fts5_available() -> bool:
    """True when this SQLite has FTS5 with the trigram tokenizer (SQLite 3.34 and later)."""
    with contextlib.closing(sqlite3.connect(":memory:")) as probe:
        try:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='trigram')")
        except sqlite3.Error:
            return False
    return True


def _migrate(connection: sqlite3.Connection) -> None:
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise HistoryError("This history was written by a newer smsgui; update smsgui to use "
                           "it.")
    if version < SCHEMA_VERSION:
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in _TABLES:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    _ensure_added_tables(connection)
    _ensure_search_table(connection)


def _ensure_added_tables(connection: sqlite3.Connection) -> None:
    """Create what was added to version 1 of the schema (_ADDED_TABLES) when it is missing."""
    present = connection.execute("SELECT count(*) FROM sqlite_master "
                                 "WHERE name IN ('parts_by_send', 'counters')").fetchone()[0]
    if present == len(_ADDED_TABLES):
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        for statement in _ADDED_TABLES:
            connection.execute(statement)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _ensure_search_table(connection: sqlite3.Connection) -> None:
    """Create (and fill) the full-text index when SQLite offers one and it is missing."""
    present = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'sends_search'").fetchone()
    if present or not _fts5_available():
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(_SEARCH_TABLE)
        connection.execute("INSERT INTO sends_search (sends_search) VALUES ('rebuild')")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _history_row(row: Sequence[Any]) -> HistoryRow:
    return HistoryRow(
        id=int(row[0]),
        sent_at=_as_utc(datetime.fromisoformat(str(row[1]))),
        profile=str(row[2]),
        sandbox=bool(row[3]),
        recipients=tuple(str(value) for value in json.loads(row[4])),
        sender=str(row[5]),
        message_ids=tuple(str(value) for value in json.loads(row[6])),
        statuses=tuple(None if value is None else int(value) for value in json.loads(row[7])),
        ok=bool(row[8]),
        headline=str(row[9]),
        entry_id=str(row[10]),
    )


# What a send contributes to its row.

def _prepare(exchanges: Sequence[Exchange], profile: str, sent_at: datetime) -> _Record:
    recipients = _recipients(exchanges)
    message_ids = tuple(dict.fromkeys(
        message_id for exchange in exchanges for message_id in exchange.message_ids))
    statuses = tuple(status for exchange in exchanges for status in _statuses(exchange))
    ok, headline, entry = _outcome(exchanges)
    sender = next((s for e in exchanges if (s := _field(e.document, "from"))), "")
    return _Record(
        sent_at=_iso(sent_at),
        profile=_storable(profile),
        sandbox=any(exchange.document.sandbox for exchange in exchanges),
        sender=_storable(sender),
        recipients=recipients,
        message_ids=message_ids,
        statuses=statuses,
        ok=ok,
        headline=_storable(headline),
        entry_id=entry.id,
        numbers=_storable(" ".join([*(_digits(number) for number in recipients),
                                    *(message_id.lower() for message_id in message_ids)])),
        words=_storable(_words(exchanges, message_ids, statuses,
                               (headline, sender, profile, *_references(exchanges)))),
        documents=tuple(_storable(document_to_json(e.document, now=sent_at))
                        for e in exchanges),
    )


_SEARCHABLE_PARAMETERS = ("account-ref", "entity-id", "content-id", "pool-id")
"""Parameters a support agent may search the history by, e.g. a customer's account reference."""


def _references(exchanges: Sequence[Exchange]) -> list[str]:
    values = (_field(exchange.document, name) for exchange in exchanges
              for name in _SEARCHABLE_PARAMETERS)
    return list(dict.fromkeys(value for value in values if value))


def _columns(record: _Record) -> dict[str, object]:
    """The ``sends`` columns of a record, by name, as SQLite keeps them."""
    return {
        "sent_at": record.sent_at, "profile": record.profile, "sandbox": int(record.sandbox),
        "sender": record.sender, "recipients": json.dumps(record.recipients),
        "message_ids": json.dumps(record.message_ids), "statuses": json.dumps(record.statuses),
        "ok": int(record.ok), "headline": record.headline, "entry_id": record.entry_id,
        "numbers": record.numbers, "words": record.words,
    }


def _storable(text: str) -> str:
    """Text SQLite can keep: half of a UTF-16 pair (from a JSON escape in an answer) has no
    UTF-8 form, so it is kept as its escape; in a document that escape reads back unchanged."""
    return json_bytes(text).decode("utf-8")


def _recipients(exchanges: Sequence[Exchange]) -> tuple[str, ...]:
    numbers: list[str] = []
    for exchange in exchanges:
        if exchange.recipient:
            numbers.append(exchange.recipient)
        elif exchange.send_response:
            numbers.extend(part.to for part in exchange.send_response.parts if part.to)
    return tuple(dict.fromkeys(numbers))


def _statuses(exchange: Exchange) -> tuple[int | None, ...]:
    response = exchange.send_response
    if response is None or not response.parts:
        return (None,)
    return tuple(part.status for part in response.parts)


def _outcome(exchanges: Sequence[Exchange]) -> tuple[bool, str, Entry]:
    """Whether the send worked, its headline, and the entry that explains it: the verdict
    every other view gives, receipts and Reports records included."""
    verdict = send_verdict([exchange.verdict for exchange in exchanges])
    return verdict.ok, verdict.headline, verdict.entry


def _entries(exchange: Exchange) -> list[Entry]:
    entries = [exchange.entry]
    if exchange.send_response:
        entries.extend(part.entry for part in exchange.send_response.parts)
    for receipt in exchange.receipts:
        entries.extend((receipt.status_entry, receipt.error_entry))
    return entries


def _words(exchanges: Sequence[Exchange], message_ids: Sequence[str],
           statuses: Sequence[int | None], extra: Sequence[str]) -> str:
    texts: list[str] = [*message_ids, *extra]
    texts.extend(f"status {status}" for status in statuses if status is not None)
    for exchange in exchanges:
        texts.append(exchange.headline)
        texts.extend(f"{entry.id} {entry.display_title}" for entry in _entries(exchange))
        if exchange.send_response:
            texts.extend(p.error_text for p in exchange.send_response.parts if p.error_text)
        texts.extend(word for receipt in exchange.receipts for word in _receipt_words(receipt))
    return "\n".join(dict.fromkeys(text.lower() for text in texts if text))


def _receipt_words(receipt: Receipt) -> list[str]:
    """What finds a delivery outcome: "receipt expired", "err-code 5"."""
    words = [f"receipt {receipt.status}"] if receipt.status else []
    if receipt.err_code is not None:
        words.append(f"err-code {receipt.err_code}")
    return words


def _digits(number: str) -> str:
    return "".join(char for char in number if char.isascii() and char.isdigit())


def _field(document: ResponseDocument, name: str) -> str | None:
    return document.request.field_value(name) if document.request else None
