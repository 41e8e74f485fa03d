"""The user's own data: deleting chosen sends, clearing the history, keeping it for a while only.

What is removed must be gone from the files too, not just from the list: a real database file in
``tmp_path`` is read byte by byte after each removal.
"""

from __future__ import annotations

# ruff: noqa: F811 - the path fixture is imported by name, as pytest finds it
import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from history_fill import ROWS, multiply_send
from test_history import BASE, THROTTLED, Clock, fill, names, send
from test_history_update import path  # noqa: F401 - the fixture, FTS5 and plain scan

from smsgui.core.api.documents import RequestRecord, ResponseDocument
from smsgui.core.delivery.exchange import Exchange, exchange_from_document
from smsgui.core.records import history as history_module
from smsgui.core.records.history import History, HistoryError, TidyError

GONE = "447700900456"
KEPT = "447700900123"
SIDE_FILES = ("-wal", "-shm", "-journal")
FILL_START = datetime(2025, 1, 1, tzinfo=UTC)  # history_fill's sends: one every five minutes
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")


def send_to(digits: str, message_id: str, text: str = "Hi there") -> Exchange:
    """A send whose request names the number in E.164 and whose answer names its digits."""
    body = json.dumps({"message-count": "1", "messages": [
        {"to": digits, "message-id": message_id, "status": "0"}]})
    request = RequestRecord("POST", "https://rest.nexmo.com/sms/json", "body",
                            (("from", "Acme"), ("to", f"+{digits}"), ("text", text)))
    return exchange_from_document(ResponseDocument(body=body, http_status=200, elapsed_ms=80.0,
                                                   request=request))


def stored_forms(digits: str) -> list[bytes]:
    """The forms a number takes in the history: E.164 and plain digits."""
    return [f"+{digits}".encode(), digits.encode()]


def files_of(path: Path) -> dict[str, bytes]:
    """The raw bytes of the database file and each side file that exists."""
    found = {path.name: path.read_bytes()}
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            found[side.name] = side.read_bytes()
    return found


def traces(path: Path, digits: str) -> list[str]:
    """Which files hold which stored form of ``digits``."""
    return [f"{name}: {form.decode()}" for name, raw in files_of(path).items()
            for form in stored_forms(digits) if form in raw]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def history(path: Path, clock: Clock) -> Iterator[History]:
    with History(path, clock=clock, timezone=UTC) as opened:
        yield opened


def index_agrees_with_sends(path: Path) -> None:
    """FTS5's own check that its index holds exactly what the sends table holds."""
    with sqlite3.connect(path) as connection:
        if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sends_search'"
                              ).fetchone():
            connection.execute("INSERT INTO sends_search (sends_search, rank) "
                               "VALUES ('integrity-check', 1)")
    connection.close()


# -- deleting chosen sends ---------------------------------------------------------------------

def test_deleted_sends_are_no_longer_listed_found_or_reopened(
        history: History, clock: Clock, path: Path) -> None:
    ids = fill(history, clock)
    assert history.delete([ids["throttled"], ids["two"], ids["two"]]) == 2
    assert names(history.search(), ids) == ["december", "refused", "whitelist", "accepted"]
    assert history.search("throttled") == [] and history.search("447700900777") == []
    assert history.search("status 6") == [] and history.search("55556666") == []
    assert names(history.search("status 0"), ids) == ["december", "accepted"]
    with pytest.raises(HistoryError, match="no longer in the history"):
        history.load(ids["two"])
    assert history.count() == 4
    assert history.delete([ids["two"], 999]) == 0  # already gone, never there
    index_agrees_with_sends(path)


def test_a_deleted_number_leaves_no_trace_in_the_files(history: History, path: Path) -> None:
    gone = history.record([send_to(GONE, "0D00000000000001")], "Acme live")
    history.record([send_to(KEPT, "0D00000000000002")], "Acme live")
    history.update(gone, [send_to(GONE, "0D00000000000001")], "Acme live")  # an older copy
    assert traces(path, GONE) and traces(path, KEPT)
    assert history.delete([gone]) == 1
    assert traces(path, GONE) == []
    assert f"{path.name}: {KEPT}" in traces(path, KEPT)
    history.close()
    assert traces(path, GONE) == [] and traces(path, KEPT)


def test_many_sends_are_deleted_and_pruned_a_batch_at_a_time(
        history: History, clock: Clock, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "_DELETE_BATCH", 7)
    ids = [history.record([send(f"4477009{index:05d}", (f"ID{index:06d}", 0, None))], "Acme")
           for index in range(40)]  # a minute apart from BASE
    assert history.delete(ids[:23]) == 23
    assert [row.id for row in history.search()] == ids[:22:-1]
    assert history.prune(BASE + timedelta(minutes=37)) == 37 - 23  # two full batches
    assert [row.id for row in history.search()] == ids[:36:-1]
    assert history.prune(BASE + timedelta(minutes=38)) == 1
    index_agrees_with_sends(path)


def test_a_prune_told_to_stop_ends_after_its_batch_and_the_next_prune_takes_the_rest(
        history: History, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "_DELETE_BATCH", 7)
    ids = [history.record([send(f"4477009{index:05d}", (f"ID{index:06d}", 0, None))], "Acme")
           for index in range(20)]  # a minute apart from BASE
    checks: list[int] = []

    def quitting() -> bool:
        checks.append(history.count())
        return True

    assert history.prune(BASE + timedelta(hours=1), stop=quitting) == 7
    assert checks == [13], "asked once, after the first batch"
    assert [row.id for row in history.search()] == ids[:6:-1]
    assert traces(path, "447700900003") == [], "what it removed is tidied even so"
    assert traces(path, "447700900010")
    assert history.prune(BASE + timedelta(hours=1)) == 13
    index_agrees_with_sends(path)


def test_an_id_is_never_given_again_after_the_newest_send_is_deleted(
        history: History, path: Path) -> None:
    first = history.record([send(KEPT, ("A", 0, None))], "Acme")
    newest = history.record([send(GONE, ("B", 0, None))], "Acme")
    history.delete([newest])
    later = history.record([send("447700900789", ("C", 0, None))], "Acme")
    assert first < newest < later
    with pytest.raises(HistoryError, match="no longer in the history"):
        history.update(newest, [send(GONE, ("B", 0, None))], "Acme")  # a late receipt
    assert [row.recipients for row in history.search()] == [("447700900789",), (KEPT,)]
    history.clear()
    assert history.record([send(KEPT, ("D", 0, None))], "Acme") > later
    history.close()
    with History(path) as reopened:
        assert reopened.record([send(KEPT, ("E", 0, None))], "Acme") > later + 1


def test_rows_gives_every_send_or_the_chosen_ones_newest_first(
        history: History, clock: Clock) -> None:
    ids = fill(history, clock)
    assert [row.id for row in history.rows()] == [row.id for row in history.search()]
    assert names(history.rows([ids["accepted"], ids["december"], 999]), ids) == [
        "december", "accepted"]
    assert history.rows([]) == []


# -- clearing everything -------------------------------------------------------------------------

def test_clearing_removes_every_send_and_every_trace(
        history: History, clock: Clock, path: Path) -> None:
    fill(history, clock)
    history.record([send_to(GONE, "0D00000000000001")], "Acme live")
    assert history.clear() == 7
    assert history.count() == 0 and history.search() == [] and history.search("throttled") == []
    assert traces(path, GONE) == [] and traces(path, "447700900777") == []
    assert history.clear() == 0
    history.record([send_to(KEPT, "0D00000000000002")], "Acme live")
    assert [row.recipients for row in history.search(KEPT)] == [(f"+{KEPT}",)]
    index_agrees_with_sends(path)


# -- keeping sends for a while only ----------------------------------------------------------------

def test_pruning_removes_the_sends_made_before_the_time_given(
        history: History, clock: Clock, path: Path) -> None:
    ids = fill(history, clock)  # five on 2026-11-27 from 09:00, one on 2026-12-01
    cutoff = BASE + timedelta(minutes=2)
    assert history.count(before=cutoff) == 2
    assert history.prune(cutoff) == 2
    assert names(history.search(), ids) == ["december", "refused", "two", "whitelist"]
    assert history.count(before=cutoff) == 0 and history.prune(cutoff) == 0
    east = datetime(2026, 12, 2, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert history.prune(east) == 3  # 2026-12-01 22:30 UTC: the December send stays
    assert names(history.search(), ids) == ["december"]
    index_agrees_with_sends(path)


def test_pruning_many_sends_makes_the_file_smaller(path: Path) -> None:
    with History(path) as history:
        template = history.record([send(KEPT, ("0A0000001234ABCD", 1, THROTTLED))], "Acme live")
    multiply_send(path, template, 3000)  # one every five minutes from 2025-01-01
    before = path.stat().st_size
    with History(path) as history:
        assert history.prune(FILL_START + timedelta(days=7)) == 2015
        assert history.count() == 985
        assert history.search("447700002016")[0].recipients == ("447700002016",)
        assert history.search("447700002015") == []
    assert path.stat().st_size < before * 0.5
    index_agrees_with_sends(path)


def test_an_older_history_is_converted_to_give_freed_space_back(path: Path) -> None:
    """A history made before removing existed: no incremental vacuum, index or counter."""
    with History(path) as history:
        for index in range(40):
            history.record([send(f"4477009{index:05d}", (f"ID{index:06d}", 0, None))], "Acme")
    with sqlite3.connect(path, isolation_level=None) as connection:
        connection.executescript("DROP INDEX parts_by_send; DROP TABLE counters; "
                                 "PRAGMA auto_vacuum = NONE; VACUUM;")
        assert connection.execute("PRAGMA auto_vacuum").fetchone() == (0,)
    connection.close()
    with History(path) as history:
        history.prune(datetime(2030, 1, 1, tzinfo=UTC))
        assert history.count() == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA auto_vacuum").fetchone() == (2,)
        assert connection.execute("PRAGMA freelist_count").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM sqlite_master WHERE name IN "
                                  "('parts_by_send', 'counters')").fetchone() == (2,)
    connection.close()


def test_the_search_index_is_merged_so_no_deleted_entry_stays_in_it(
        tmp_path: Path, clock: Clock) -> None:
    """FTS5 keeps a deleted row's entries, marked deleted, until its segments are merged."""
    if not history_module._fts5_available():
        pytest.skip("this SQLite has no FTS5 trigram tokenizer")
    path = tmp_path / "history.sqlite3"
    with History(path, clock=clock) as history:
        ids = fill(history, clock)
        history.delete([ids["throttled"]])
    with sqlite3.connect(path) as connection:
        index = "SELECT id, block FROM sends_search_data ORDER BY id"
        merged = connection.execute(index).fetchall()
        connection.execute("INSERT INTO sends_search (sends_search) VALUES ('optimize')")
        assert connection.execute(index).fetchall() == merged  # nothing was left to merge
    connection.close()


def test_a_locked_history_says_why_nothing_was_deleted(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "_BUSY_TIMEOUT_S", 0.1)
    with History(path) as history:
        row_id = history.record([send(GONE, ("A", 0, None))], "Acme")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program writing
        try:
            with pytest.raises(HistoryError) as raised:
                history.delete([row_id])
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert "locked" in raised.value.cause
        assert raised.value.next_step.startswith("Close any other smsgui window")
        assert history.count() == 1
        assert history.delete([row_id]) == 1


def test_sends_whose_files_could_not_be_tidied_say_so_and_are_tidied_next_time(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "_BUSY_TIMEOUT_S", 0.1)
    free_pages = History._free_pages
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def another_program_writes_meanwhile(history: History) -> None:
        other.execute("BEGIN IMMEDIATE")
        free_pages(history)

    with History(path, clock=Clock()) as history:
        long_text = "A long message. " * 2000  # pages of its own, freed when it goes
        gone = history.record([send_to(GONE, "0D00000000000001", long_text)], "Acme live")
        history.record([send_to(KEPT, "0D00000000000002")], "Acme live")
        monkeypatch.setattr(History, "_free_pages", another_program_writes_meanwhile)
        with pytest.raises(TidyError) as raised:
            history.delete([gone])
        other.execute("ROLLBACK")
        other.close()
        monkeypatch.setattr(History, "_free_pages", free_pages)
        assert raised.value.removed == 1 and "locked" in raised.value.cause
        assert history.count() == 1 and history.search(GONE) == []
        assert traces(path, GONE)  # the log still holds the page the send was written to
        assert history.prune(BASE - timedelta(days=1)) == 0  # removes nothing, tidies
        assert traces(path, GONE) == []


# -- who may read the file -----------------------------------------------------------------------

def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_a_new_history_and_its_side_files_are_for_their_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0)  # even under a umask that lets everyone read and write
    try:
        path = tmp_path / "history.sqlite3"
        with History(path) as history:
            history.record([send(KEPT, ("A", 0, None))], "Acme")
            side = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
            assert all(file.exists() for file in side)
            assert [mode(file) for file in (path, *side)] == [0o600, 0o600, 0o600]
    finally:
        os.umask(previous)


@posix_only
def test_an_existing_history_readable_by_others_is_made_private_on_open(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with History(path) as history:
        history.record([send(KEPT, ("A", 0, None))], "Acme")
        wal = path.with_name(path.name + "-wal")
        os.chmod(path, 0o644)
        os.chmod(wal, 0o644)
        with History(path) as second:  # a second window, or the next start
            assert second.count() == 1
            assert (mode(path), mode(wal)) == (0o600, 0o600)


@posix_only
def test_a_history_started_again_after_damage_is_private_too(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database\n" * 100)
    os.chmod(path, 0o644)
    with History(path, clock=lambda: BASE) as history:
        assert history.recovered_from is not None
        history.record([send(KEPT, ("A", 0, None))], "Acme")
        assert mode(path) == 0o600


# -- how long it takes on a big history ----------------------------------------------------------

def test_pruning_100k_sends_never_holds_up_a_search_for_long(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A search from another thread (the window's) waits for one step of the prune at most."""
    path = tmp_path / "history.sqlite3"
    with History(path) as history:
        template = history.record([send(KEPT, ("0A0000001234ABCD", 1, THROTTLED))], "Acme live")
    multiply_send(path, template)
    size_before = path.stat().st_size
    waits: list[float] = []
    done = threading.Event()
    with History(path) as history:
        def search_meanwhile() -> None:
            while not done.is_set():
                started = time.perf_counter()
                history.search("447700054321")
                waits.append(time.perf_counter() - started)
                time.sleep(0.01)

        reader = threading.Thread(target=search_meanwhile)
        reader.start()
        started = time.perf_counter()
        try:
            removed = history.prune(FILL_START + timedelta(seconds=300 * 3000 + 1))
        finally:
            done.set()
            reader.join()
        prune_s = time.perf_counter() - started
        assert removed == 3000 and history.count() == ROWS - 3000
    assert max(waits) < 1.5, f"a search waited {max(waits):.2f} s"
    with capsys.disabled():
        print(f"\nprune of {removed:,} of {ROWS:,} sends: {prune_s:.1f} s; a search meanwhile "
              f"waited at most {max(waits) * 1000:.0f} ms ({len(waits)} searches); file "
              f"{size_before / 1e6:.1f} MB before, {path.stat().st_size / 1e6:.1f} MB after")


def test_clearing_also_removes_damaged_copies_set_aside_earlier(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"garbage 447700900123 " * 100)  # a damaged history, with a number in it
    (tmp_path / "history.sqlite3-wal").write_bytes(b"447700900123")
    with History(path, clock=lambda: BASE) as history:
        assert history.recovered_from is not None
        copies = history.damaged_copies()
        assert [copy.name for copy in copies] == ["history.sqlite3.corrupt-20261127T090000Z",
                                                  "history.sqlite3.corrupt-20261127T090000Z-wal"]
        history.record([send("447700900456")], "Sandbox")
        assert history.clear() == 1
        assert history.damaged_copies() == []
    assert not any(b"447700900123" in (tmp_path / name).read_bytes()
                   for name in os.listdir(tmp_path))
