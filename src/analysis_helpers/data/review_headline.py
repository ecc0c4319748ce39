"""Read a previous review's ``headline.json``: what the last review told its readers, for "what changed".

A review leaves ``headline.json`` beside its page (``pipeline.quarter_index``):
its area, quarter, data date and one record per status-table row (``measure``,
``kpi``, ``latest``, ``status``). The next quarter's review compares itself
with it. The file is an earlier output, not a trusted input: it is used only
when it parses, names the same area and the quarter asked for, and every record
has the four fields as text; otherwise :func:`read_previous` says why in one
line and the caller computes the previous quarter instead.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

#: The file a review leaves beside its page for the quarter index and the next review.
HEADLINE_FILE = "headline.json"
FIELDS = ("measure", "kpi", "latest", "status")
#: The largest headline.json read (a review's has about 20 records: a few kB).
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class PreviousReview:
    """A previous review's rows (dicts with :data:`FIELDS`), its data date and where they came from."""

    rows: list[dict]
    as_of: dt.date
    source: str  # "headline.json of the 2026-Q2 review" or "computed for 2026-Q2"


def read_previous(path: Path, area_code: str, quarter: str) -> tuple[PreviousReview | None, str]:
    """``(review, "")`` from ``path``, or ``(None, why)`` when there is none or it cannot be used."""
    if not path.is_file():
        return None, ""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, f"{path.name} of {quarter} is larger than {MAX_BYTES:,} bytes"
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{path.name} of {quarter} could not be read ({type(exc).__name__})"
    if not isinstance(record, dict) or record.get("code") != area_code or record.get("quarter") != quarter:
        return None, f"{path.name} of {quarter} is for another area or quarter"
    try:
        as_of = dt.date.fromisoformat(str(record.get("as_of")))
    except ValueError:
        return None, f"{path.name} of {quarter} has no valid as_of date"
    rows = record.get("kpis")
    if not isinstance(rows, list) or not all(isinstance(r, dict) and all(isinstance(r.get(f), str) for f in FIELDS) for r in rows):
        return None, f"{path.name} of {quarter}: kpis must be records with text fields {', '.join(FIELDS)}"
    return PreviousReview([{f: r[f] for f in FIELDS} for r in rows], as_of, f"the {quarter} review's {path.name}"), ""
