"""One-off conversion: Kent's published figures (``data/raw/kent_published_kpis.csv``, to 2023, and
``data/raw/kent_published_kpis_2024_on.csv``, 2024 to January 2026) into the local feed format
(``data/local/kent.csv``), the older file's rows first.

The raw file lists what Kent County Council and the local press published, one
figure a row, with the wording in ``basis``. The feed adds a ``qualifier`` read
from that wording ("lower bound" or "'over ..." -> over; "approximate",
"nearly", "around" -> about) and blank numerator/denominator columns.

Run: ``python -m tools.convert_kent_feed > data/local/kent.csv`` (from the
project root, with the project's .venv). It is repository tooling, not part of
the runtime package: the workbook reads ``data/local/kent.csv`` like any
council's feed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

from analysis_helpers.core.paths import RAW_DIR
from analysis_helpers.data.council_measures import catalogue
from analysis_helpers.data.local_feed import REQUIRED


def _unit(row: dict) -> str:
    """The raw file's unit, except that a duration it counted in weeks ("count") is the catalogue's ``weeks``."""
    catalogued = catalogue().get(row["measure"])
    if row["unit"] == "count" and catalogued is not None and catalogued.unit == "weeks":
        return "weeks"
    return row["unit"]


def convert_published(raw: Path) -> pd.DataFrame:
    """The feed format from ``raw/kent_published_kpis.csv`` (qualifiers read from its basis text)."""
    with open(raw, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for r in rows:
        basis = r["basis"]
        qualifier = ""
        if "lower bound" in basis or "'over " in basis:
            qualifier = "over"
        elif "approximate" in basis or "nearly" in basis.lower() or "around" in basis:
            qualifier = "about"
        out.append(
            {
                "measure": r["measure"], "period": r["period"], "value": r["value"], "unit": _unit(r), "basis": basis,
                "numerator": "", "denominator": "", "qualifier": qualifier, "source_title": r["source_title"],
                "source_url": r["source_url"], "quote": r["quote"],
            }
        )
    return pd.DataFrame(out, columns=REQUIRED + ["quote"])


#: The raw files the feed is converted from, in the order their rows are written.
PUBLISHED = ("kent_published_kpis.csv", "kent_published_kpis_2024_on.csv")

if __name__ == "__main__":
    feed = pd.concat([convert_published(RAW_DIR / name) for name in PUBLISHED], ignore_index=True)
    feed.to_csv(sys.stdout, index=False, lineterminator="\n")
