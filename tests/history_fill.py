"""A History of 100,000 sends, made with straight SQL from one recorded send.

It lives with the tests, which the source distribution ships, and the benchmarks use it from
here (bench/history_search.py, bench/responsiveness.py); a test never imports from bench/, which
the source distribution leaves out (tests/test_no_bench_imports.py checks it).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

ROWS = 100_000


def template_document() -> object:
    from smsgui.core.api.documents import ResponseDocument
    body = json.dumps({"message-count": "1", "messages": [
        {"to": "447700900123", "status": "1", "message-id": "0A0000001234ABCD",
         "error-text": "Throughput Rate Exceeded - please wait [ 250 ] and retry"}]})
    return ResponseDocument(body=body, http_status=200, elapsed_ms=80.0, sandbox=True)


def make_history(path: Path, rows: int = ROWS) -> None:
    from smsgui.core.delivery.exchange import exchange_from_document
    from smsgui.core.records.history import History

    with History(path) as history:
        template = history.record([exchange_from_document(template_document())], "Acme live")
    multiply_send(path, template, rows)


def multiply_send(path: Path, template_id: int, rows: int = ROWS) -> None:
    """Copy one recorded send into ``rows`` sends with distinct numbers, ids, times and statuses.

    Straight SQL: recording 100,000 sends one by one would take most of a minute.
    """
    from smsgui.core.records import history as history_module

    connection = sqlite3.connect(path)
    with connection:
        connection.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows - 1})
            INSERT INTO sends (sent_at, profile, sandbox, sender, recipients, message_ids,
                               statuses, ok, headline, entry_id, numbers, words)
            SELECT strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', '2025-01-01',
                            '+' || (i * 300) || ' seconds'),
                   profile, sandbox, sender, json_array(printf('4477%08d', i)),
                   json_array(printf('%016X', i * 7919)),
                   json_array(CASE i % 8 WHEN 7 THEN 29 ELSE i % 8 END), i % 8 = 0,
                   headline, entry_id,
                   printf('4477%08d', i) || ' ' || lower(printf('%016X', i * 7919)),
                   words || char(10) || lower(printf('%016X', i * 7919))
            FROM n, sends WHERE sends.id = {template_id}""")
        connection.execute("INSERT INTO parts (send_id, status) "
                           "SELECT id, json_extract(statuses, '$[0]') "
                           f"FROM sends WHERE id != {template_id}")
        if history_module._fts5_available():
            connection.execute("INSERT INTO sends_search (sends_search) VALUES ('rebuild')")
    connection.close()
