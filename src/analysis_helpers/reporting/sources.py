"""The review's sources section: which DfE release, public when, and every input file's checksum."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis_helpers.core.formatting import fmt_date
from analysis_helpers.core.paths import PROJECT_ROOT
from analysis_helpers.core.vintage import public_by
from analysis_helpers.data.provenance import input_files, publication_date, sha256_of
from analysis_helpers.data.release import Release


def inputs_table() -> pd.DataFrame:
    """File, publication date and SHA-256 of every input, for a report's provenance section."""
    rows = []
    for path in input_files():
        if path.exists():
            published = publication_date(path)
            rows.append(
                {
                    "File": path.relative_to(PROJECT_ROOT).as_posix(),
                    "Published": published.isoformat() if published else "",
                    "SHA-256": sha256_of(path),
                }
            )
    return pd.DataFrame(rows)


def vintages_text(release: Release, as_of: dt.date) -> str:
    """One sentence on which DfE release a report uses and whether it was public by ``as_of``."""
    published = release.published
    if published is None:
        return f"DfE release {release.path.name}: publication date not in the data log."
    state = "published before" if public_by(published, as_of) else "NOT yet published at"
    return (
        f"Data vintage: DfE release `{release.path.name}` (public by {fmt_date(published)}, {state} this review's data date "
        f"{fmt_date(as_of)}). Only figures public by the data date are used."
    )
