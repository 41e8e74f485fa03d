"""Build resources/networks.tsv from the shared MCC/MNC list.

Run from the repository root:
    python tools/build_networks.py ../shared/data/mcc-mnc/mcc-mnc-list.json

The output keeps one line per (network code, country): code, ISO country code, country name,
brand, operator. Rows whose MNC is not 2 or 3 digits (ranges, "?" placeholders) are dropped
because a send response's ``network`` can never match them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "resources" / "networks.tsv"
HEADER = (
    "# MCC+MNC network codes for smsgui. Built by tools/build_networks.py from the npm package\n"
    "# mcc-mnc-list 1.1.11 (MIT, (c) 2016 Peter Bakondy; see networks.LICENSE), which is built\n"
    "# from Wikipedia's 'Mobile country code' list (CC BY-SA 4.0, Wikipedia contributors).\n"
    "# Columns: code, country code, country, brand, operator.\n"
)
_STATUS_PREFERENCE = {"Operational": 0}


def _clean(value: object) -> str:
    return " ".join(str(value).split()) if value else ""


def build_rows(records: list[dict[str, object]]) -> list[tuple[str, ...]]:
    best: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}
    for record in records:
        mcc, mnc = _clean(record.get("mcc")), _clean(record.get("mnc"))
        if not (mcc.isdigit() and len(mcc) == 3 and mnc.isdigit() and len(mnc) in (2, 3)):
            continue
        country_code = _clean(record.get("countryCode")) or "-"
        country = _clean(record.get("countryName")) or "International"
        row = (mcc + mnc, country_code, country,
               _clean(record.get("brand")), _clean(record.get("operator")))
        rank = _STATUS_PREFERENCE.get(str(record.get("status")), 1)
        key = (mcc + mnc, country_code)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, row)
    return sorted(row for _, row in best.values())


def main(source: str) -> None:
    records = json.loads(Path(source).read_text(encoding="utf-8"))
    rows = build_rows(records)
    lines = ["\t".join(row) for row in rows]
    OUTPUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} rows to {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1])
