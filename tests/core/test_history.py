"""The local history: one row per send, searchable, reopenable, robust against damage."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from history_fill import ROWS, multiply_send

from smsgui.core.api.client import Credentials, Endpoint, OutgoingSms, SmsApiClient
from smsgui.core.api.documents import RequestRecord, ResponseDocument
from smsgui.core.delivery.exchange import Exchange, exchange_from_document, exchange_from_outcome
from smsgui.core.privacy import REDACTED
from smsgui.core.records import history as history_module
from smsgui.core.records.history import History, HistoryError, HistoryRow

BASE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SECRET = "s3cr3t-Zebra-9941"
REPOSITORY = Path(__file__).resolve().parents[2]


class Clock:
    """A clock that moves one minute on every reading, or jumps where a test sets it."""

    def __init__(self, start: datetime = BASE) -> None:
        self.now = start

    def __call__(self) -> datetime:
        reading = self.now
        self.now += timedelta(minutes=1)
        return reading


def send_document(to: str, *parts: tuple[str | None, int, str | None],
                  sender: str = "Acme", sandbox: bool = True) -> ResponseDocument:
    """A send answer with one message object per (message-id, status, error-text)."""
    messages = [{"to": to, "status": str(status),
                 **({"message-id": message_id} if message_id else {}),
                 **({"error-text": error} if error else {})}
                for message_id, status, error in parts]
    body = json.dumps({"message-count": str(len(messages)), "messages": messages})
    fields = (("from", sender), ("to", to), ("text", "Hello"), ("api_key", "abcd1234"),
              ("api_secret", SECRET))
    request = RequestRecord("POST", f"https://rest.nexmo.com/sms/json?api_secret={SECRET}",
                            "body", fields)
    return ResponseDocument(body=body, http_status=200, elapsed_ms=87.5, request=request,
                            sandbox=sandbox)


def send(to: str, *parts: tuple[str | None, int, str | None], sender: str = "Acme") -> Exchange:
    return exchange_from_document(send_document(to, *parts, sender=sender))


def refused_send(to: str) -> Exchange:
    """A transport failure: nothing was answered."""
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as http:
        client = SmsApiClient(http, Credentials("abcd1234", SECRET),
                              Endpoint("http://127.0.0.1:9", "http://127.0.0.1:9"))
        return exchange_from_outcome(client.send(OutgoingSms(to, "Acme", "Hi")), sandbox=False)


THROTTLED = "Throughput Rate Exceeded - please wait [ 250 ] and retry"


def fill(history: History, clock: Clock) -> dict[str, int]:
    """Six sends; the last one on another day. Returns their row ids by name."""
    rows = {
        "accepted": history.record([send("447700900123", ("0A0000001234ABCD", 0, None))],
                                   "Acme live"),
        "throttled": history.record([send("447700900456", (None, 1, THROTTLED))], "Acme live"),
        "whitelist": history.record([send("14155550100", (None, 29, "Non White-listed"))],
                                    "Sandbox (built in)"),
        "two": history.record([send("447700900777", ("0B00000055556666", 0, None)),
                               send("447700900888", (None, 6, "Unroutable"))], "Acme live"),
        "refused": history.record([refused_send("33612345678")], "Acme live"),
    }
    clock.now = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    rows["december"] = history.record(
        [send("4915112345678", ("0C00000077778888", 0, None), sender="Shop")], "Shop")
    return rows


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def history(tmp_path: Path, clock: Clock) -> Iterator[History]:
    with History(tmp_path / "history.sqlite3", clock=clock, timezone=UTC) as opened:
        yield opened


@pytest.fixture(params=["fts5", "scan"])
def searchable(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
               tmp_path: Path, clock: Clock) -> Iterator[tuple[History, dict[str, int]]]:
    """A filled history searched through FTS5, and again through a plain scan."""
    if request.param == "scan":
        monkeypatch.setattr(history_module, "_fts5_available", lambda: False)
    elif not history_module._fts5_available():
        pytest.skip("this SQLite has no FTS5 trigram tokenizer")
    with History(tmp_path / "history.sqlite3", clock=clock, timezone=UTC) as opened:
        assert opened.full_text is (request.param == "fts5")
        yield opened, fill(opened, clock)


def names(rows: Sequence[HistoryRow], ids: dict[str, int]) -> list[str]:
    by_id = {row_id: name for name, row_id in ids.items()}
    return [by_id[row.id] for row in rows]


NEWEST_FIRST = ["december", "refused", "two", "whitelist", "throttled", "accepted"]


@pytest.mark.parametrize(("query", "expected"), [
    ("", NEWEST_FIRST),
    ("   ", NEWEST_FIRST),
    ("447700900123", ["accepted"]),
    ("+44 7700 900123", ["accepted"]),
    ("07700 900123", ["accepted"]),
    ("(0)7700-900.888", ["two"]),
    ("7700 900", ["two", "throttled", "accepted"]),
    ("1234abcd", ["accepted"]),
    ("0a0000001234ABCD", ["accepted"]),
    ("55556666", ["two"]),
    ("29", ["whitelist"]),
    ("status 29", ["whitelist"]),
    ("Status: 1", ["throttled"]),
    ("status 0", ["december", "two", "accepted"]),
    ("status 6", ["two"]),
    ("throttled", ["throttled"]),
    ("THROTTLED", ["throttled"]),
    ("non-whitelisted", ["whitelist"]),
    ("whitelisted destination", ["whitelist"]),
    ("unroutable", ["two"]),
    ("status-6", ["two"]),
    ("connection refused", ["refused"]),
    ("partial failure", ["two"]),
    ("throughput rate", ["throttled"]),
    ("sandbox", ["whitelist"]),
    ("shop", ["december"]),
    ("12 cd", ["accepted"]),
    ("throttled 25", ["throttled"]),
    ("2026-11-27", ["refused", "two", "whitelist", "throttled", "accepted"]),
    ("2026-11-27 09:02", ["whitelist"]),
    ("2026-11-27T09", ["refused", "two", "whitelist", "throttled", "accepted"]),
    ("2026-12", ["december"]),
    ("2026-12-01", ["december"]),
    ("2026-10", []),
    ("nothing like this", []),
    ('quote " and % and _', []),
])
def test_search(searchable: tuple[History, dict[str, int]], query: str,
                expected: list[str]) -> None:
    history, ids = searchable
    assert names(history.search(query), ids) == expected


def test_search_limit_keeps_the_newest(searchable: tuple[History, dict[str, int]]) -> None:
    history, ids = searchable
    assert names(history.search(limit=2), ids) == NEWEST_FIRST[:2]
    assert names(history.search("status 0", limit=1), ids) == ["december"]
    assert names(history.search("7700 900", limit=2), ids) == ["two", "throttled"]
    assert history.search(limit=0) == []


def test_dates_are_searched_in_local_time(tmp_path: Path, clock: Clock) -> None:
    east = timezone(timedelta(hours=2))
    with History(tmp_path / "history.sqlite3", clock=clock, timezone=east) as history:
        ids = fill(history, clock)
        assert names(history.search("2026-12-02"), ids) == ["december"]
        assert names(history.search("2026-12-01"), ids) == []
        assert names(history.search("2026-11-27 11:00"), ids) == ["accepted"]


def test_a_send_is_one_row_with_what_the_list_shows(history: History, clock: Clock) -> None:
    ids = fill(history, clock)
    rows = {row.id: row for row in history.search()}
    two = rows[ids["two"]]
    assert two == HistoryRow(
        id=ids["two"], sent_at=BASE + timedelta(minutes=3), profile="Acme live", sandbox=True,
        recipients=("447700900777", "447700900888"), sender="Acme",
        message_ids=("0B00000055556666",), statuses=(0, 6), ok=False,
        headline=two.headline, entry_id="status-6")
    assert two.headline.startswith("Partial failure: 1 of 2 parts went through; Invalid Message")
    refused = rows[ids["refused"]]
    assert refused.statuses == (None,) and refused.recipients == ("33612345678",)
    assert refused.entry_id == "transport-connection-refused" and not refused.ok
    assert not refused.sandbox
    accepted = rows[ids["accepted"]]
    assert accepted.ok and accepted.statuses == (0,) and accepted.entry_id == "status-0"
    assert accepted.headline.startswith("Accepted: 1 part")
    assert history.count() == 6


def test_reopening_gives_the_same_documents_and_exchanges(history: History) -> None:
    originals = [send("447700900777", ("0B00000055556666", 0, None)),
                 send("447700900888", (None, 6, "Unroutable"))]
    row_id = history.record(originals, "Acme live")
    documents = history.load(row_id)
    assert len(documents) == 2
    for original, document in zip(originals, documents, strict=True):
        assert document.body == original.document.body
        assert (document.http_status, document.elapsed_ms) == (200, 87.5)
        assert document.sandbox is True and document.saved_at == BASE
        assert document.request is not None
        assert document.request.field_value("to") == original.recipient
        assert document.request.field_value("api_secret") == REDACTED
        assert SECRET not in document.request.url
        reopened = exchange_from_document(document)
        assert (reopened.headline, reopened.entry, reopened.ok) == (
            original.headline, original.entry, original.ok)


def test_no_secret_reaches_the_database_files(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "history.sqlite3"
    with History(path, clock=clock) as history:
        fill(history, clock)
        files = sorted(tmp_path.iterdir())
        assert any(file.name.endswith("-wal") for file in files)
        assert not [file for file in files if SECRET.encode() in file.read_bytes()]
    assert SECRET.encode() not in path.read_bytes()


def test_loading_a_missing_send_or_recording_nothing_is_refused(history: History) -> None:
    with pytest.raises(HistoryError, match="no longer in the history"):
        history.load(12345)
    with pytest.raises(ValueError, match="at least one exchange"):
        history.record([], "Acme")


def test_a_closed_history_says_so(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")
    history.close()
    history.close()
    with pytest.raises(HistoryError, match="closed"):
        history.search()
    with pytest.raises(HistoryError, match="closed"):
        history.record([send("447700900123", ("A", 0, None))], "Acme")


def test_a_missing_folder_is_created(tmp_path: Path) -> None:
    with History(tmp_path / "deep" / "data" / "history.sqlite3") as history:
        assert history.count() == 0 and history.recovered_from is None


@pytest.mark.parametrize("content", [
    pytest.param(b"this is not a database\n" * 200, id="text"),
    pytest.param(b"SQLite format 3\x00" + bytes(range(256)) * 32, id="damaged-header"),
])
def test_a_damaged_file_is_set_aside_and_a_new_history_started(
        tmp_path: Path, clock: Clock, content: bytes) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(content)
    path.with_name("history.sqlite3-wal").write_bytes(b"stale log")
    with History(path, clock=clock) as history:
        aside = tmp_path / "history.sqlite3.corrupt-20261127T090000Z"
        assert history.recovered_from == aside
        assert aside.read_bytes() == content
        assert (tmp_path / "history.sqlite3.corrupt-20261127T090000Z-wal").read_bytes() == (
            b"stale log")
        assert history.count() == 0
        history.record([send("447700900123", ("A", 0, None))], "Acme")
        assert history.count() == 1
    with History(path) as reopened:
        assert reopened.recovered_from is None and reopened.count() == 1


def test_a_database_damaged_inside_is_set_aside_too(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with History(path) as history:
        history.record([send("447700900123", ("A", 0, None))], "Acme")
    with path.open("r+b") as stream:  # keep the header, wreck the schema page behind it
        stream.seek(100)
        stream.write(b"\xff" * 3996)
    with History(path, clock=lambda: BASE) as history:
        assert history.recovered_from == tmp_path / "history.sqlite3.corrupt-20261127T090000Z"
        assert history.count() == 0


def test_a_second_damaged_file_in_the_same_second_gets_its_own_name(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    for _ in range(2):
        path.write_bytes(b"garbage" * 100)
        History(path, clock=lambda: BASE).close()
    assert sorted(p.name for p in tmp_path.glob("*.corrupt-*")) == [
        "history.sqlite3.corrupt-20261127T090000Z", "history.sqlite3.corrupt-20261127T090000Z-2"]


def test_an_empty_file_is_a_new_history(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.touch()
    with History(path) as history:
        assert history.recovered_from is None and history.count() == 0


def test_errors_that_are_not_damage_leave_the_file_alone(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="Cannot open the history"):
        History(tmp_path)
    assert tmp_path.is_dir() and not list(tmp_path.parent.glob("*.corrupt-*"))


def test_a_history_from_a_newer_smsgui_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with History(path):
        pass
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 99")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="newer smsgui"):
        History(path)
    assert path.read_bytes() == before and not list(tmp_path.glob("*.corrupt-*"))


CRASH = r"""
import os, sys, pathlib
from smsgui.core.api.documents import RequestRecord, ResponseDocument
from smsgui.core.delivery.exchange import exchange_from_document
from smsgui.core.records.history import History

history = History(pathlib.Path(sys.argv[1]))
insert = history._insert

def insert_then_die(connection, record):
    insert(connection, record)
    os._exit(3)  # the process dies with the send written but not committed

history._insert = insert_then_die
body = '{"messages":[{"to":"447700900999","message-id":"DEAD","status":"0"}]}'
request = RequestRecord("POST", "https://rest.nexmo.com/sms/json", "basic",
                        (("to", "447700900999"),))
history.record([exchange_from_document(ResponseDocument(body=body, request=request))], "Acme")
"""


def test_a_crash_in_the_middle_of_a_write_leaves_the_history_intact(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with History(path) as history:
        history.record([send("447700900123", ("A", 0, None))], "Acme")
    result = subprocess.run([sys.executable, "-c", CRASH, str(path)], cwd=REPOSITORY,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 3, result.stderr
    with History(path) as history:
        assert history.recovered_from is None and history.count() == 1
        assert history.search("447700900999") == [] and history.search("dead") == []
        assert history._read("PRAGMA integrity_check", ()) == [("ok",)]
        history.record([send("447700900999", ("DEAD", 0, None))], "Acme")
        assert len(history.search("447700900999")) == 1


def test_a_writer_thread_and_a_reader_share_one_history(history: History) -> None:
    errors: list[BaseException] = []
    done = threading.Event()

    def write() -> None:
        try:
            for index in range(100):
                history.record([send(f"4477009{index:05d}", (f"ID{index:06d}", 0, None))],
                               "Acme")
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    seen: list[int] = []
    while not done.is_set():
        rows = history.search("4477009", limit=1000)
        seen.append(len(rows))
        assert len(rows) <= history.count()
    writer.join()
    assert errors == []
    assert seen == sorted(seen)
    assert history.count() == 100 and len(history.search("4477009", limit=1000)) == 100


def test_two_histories_on_one_file_see_each_other(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with History(path) as first, History(path) as second:
        first.record([send("447700900123", ("A", 0, None))], "Acme")
        second.record([send("447700900456", ("B", 0, None))], "Acme")
        assert first.count() == second.count() == 2
        assert len(second.search("447700900123")) == 1


def test_a_history_made_without_full_text_search_gains_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock) -> None:
    if not history_module._fts5_available():
        pytest.skip("this SQLite has no FTS5 trigram tokenizer")
    path = tmp_path / "history.sqlite3"
    with monkeypatch.context() as patch:
        patch.setattr(history_module, "_fts5_available", lambda: False)
        with History(path, clock=clock) as history:
            ids = fill(history, clock)
            assert not history.full_text
    with History(path, timezone=UTC) as history:
        assert history.full_text
        assert names(history.search("throttled"), ids) == ["throttled"]
        assert names(history.search("447700900123"), ids) == ["accepted"]


def test_searching_100k_sends_is_quick(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "history.sqlite3"
    with History(path) as history:
        template = history.record([send("447700900123", ("0A0000001234ABCD", 1, THROTTLED))],
                                  "Acme live")
    multiply_send(path, template)
    message_id = f"{54321 * 7919:016X}"
    queries = ["", "447700054321", "07700 054 321", "4477000", "29", "status 29", "throttled",
               message_id[-7:], message_id.lower(), "2025-06-15", "2025-06", "2025",
               "nothing like this", "ab", "throttled 25", "whitelisted"]
    timings: list[str] = []
    with History(path) as history:
        assert history.count() == ROWS
        for query in queries:
            start = time.perf_counter()
            rows = history.search(query)
            elapsed_ms = (time.perf_counter() - start) * 1000
            timings.append(f"{query!r:>22}: {len(rows):3} rows in {elapsed_ms:5.1f} ms")
            assert elapsed_ms < 1000, timings[-1]
        found = history.search(message_id)
        assert [(row.recipients, row.message_ids) for row in found] == [
            (("447700054321",), (message_id,))]
        assert {row.statuses for row in history.search("status 29")} == {(29,)}
        mode = "FTS5 trigram" if history.full_text else "scan"
    with capsys.disabled():
        print(f"\nhistory search over {ROWS:,} sends ({mode}, limit 500):")
        print("\n".join(timings))
