"""The review's sources section: which DfE release, public when, the next one due, and every input file's checksum.

The staleness sentences live here, once: the review's header and its
data-vintage section show them, and ``send-review run`` logs the same words as
one warning line each (:mod:`analysis_helpers.pipeline.review_dates`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from analysis_helpers.core.formatting import fmt_date
from analysis_helpers.core.paths import shown_path
from analysis_helpers.core.safe_text import md_code
from analysis_helpers.core.vintage import (
    STALE_FEED_MONTHS,
    STALE_RELEASE_MONTHS,
    ended_by,
    next_release_due,
    public_by,
    stale,
)
from analysis_helpers.data.provenance import newest_release, publication_date, sha256_of, unlisted_label
from analysis_helpers.data.release import Release


def inputs_table(files: list[Path]) -> pd.DataFrame:
    """File, publication date and SHA-256 of each file a run read (``data.inputs.files_read``), for its sources section.

    A file inside the project is named from the project root; one elsewhere (``--local``, ``--release``) by its path."""
    rows = []
    for path in files:
        path = Path(path).resolve()
        if path.exists():
            published = publication_date(path)
            rows.append({"File": shown_path(path), "Published": published.isoformat() if published else "", "SHA-256": sha256_of(path)})
    return pd.DataFrame(rows, columns=["File", "Published", "SHA-256"])


def vintages_text(release: Release, as_of: dt.date) -> str:
    """One sentence on which DfE release a report uses and whether it was public by ``as_of``."""
    published = release.published
    undated = _undated(release, "Data vintage: {name} is an {label}: no data log records its checksum, so it has no "
                       "publication date and its figures are not checked against this review's data date.",
                       "DfE release {name}: publication date not in the data log.")
    if undated:
        return undated
    state = "published before" if public_by(published, as_of) else "NOT yet published at"
    return (
        f"Data vintage: DfE release {md_code(release.path.name)} (public by {fmt_date(published)}, {state} this review's data date "
        f"{fmt_date(as_of)}). Only figures public by the data date are used."
    )


#: The README's guides a staleness note points to.
RELEASE_GUIDE = 'the README\'s guide "Add the next DfE release"'
FEED_GUIDE = 'the README\'s guide "Add a month of local figures"'


def next_release_text(published: dt.date | None, as_of: dt.date) -> str:
    """When DfE's next release after one published on ``published`` is due, and whether it is missing at ``as_of``."""
    if published is None:
        return "the next release's date is unknown (no publication date in the data log)"
    due = next_release_due(published)
    if due <= as_of:
        return f"the {due:%B %Y} release is expected but missing from data/raw/"
    return f"the next release is expected in {due:%B %Y}"


def _undated(release: Release, unlisted: str, unlogged: str) -> str | None:
    """For a release with no publication date, ``unlisted`` (no log records it) or ``unlogged`` (the log gives no date),
    with its file's ``{name}`` and its ``{label}`` filled in; None for a dated release."""
    words = {"name": md_code(release.path.name), "label": unlisted_label(release.sha256)}
    if not release.listed:
        return unlisted.format(**words)
    return unlogged.format(**words) if release.published is None else None


def release_line(release: Release, as_of: dt.date) -> str:
    """Which DfE release the review's DfE sections use, when it was published and when the next is expected."""
    published = release.published
    undated = _undated(release, "DfE figures come from {name}, an {label}: no data log records its checksum, so it has no "
                       "publication date.", "DfE figures come from {name} (publication date not in the data log).")
    if undated:
        return undated
    if not public_by(published, as_of):
        return (
            f"DfE's release {md_code(release.path.name)} was published in {published:%B %Y}, after this review's data date "
            f"({fmt_date(as_of)}): its figures are left out; the 2014+ timeliness series uses the releases published by then."
        )
    return (
        f"DfE figures come from the release published in {published:%B %Y} ({md_code(release.path.name)}, public by "
        f"{fmt_date(published)}); {next_release_text(published, as_of)}."
    )


def release_staleness(as_of: dt.date) -> str | None:
    """A sentence when the newest DfE release stored (and public by ``as_of``) is more than 12 months older than it."""
    newest = newest_release(as_of)
    if newest is None or not stale(newest[1], as_of, STALE_RELEASE_MONTHS):
        return None
    name, published = newest
    return (
        f"The newest DfE release stored, {md_code(name)}, was published in {published:%B %Y}, more than {STALE_RELEASE_MONTHS} "
        f"months before this review's data date ({fmt_date(as_of)}): {next_release_text(published, as_of)}. "
        f"To add it, follow {RELEASE_GUIDE}."
    )


def feed_newest(feed: pd.DataFrame | None, as_of: dt.date) -> dt.date | None:
    """The end of the newest period a council feed has a figure for, among periods ended by ``as_of`` (None if none)."""
    if feed is None or len(feed) == 0:
        return None
    ended = feed.loc[ended_by(feed["period_end"], as_of), "period_end"]
    return pd.Timestamp(ended.max()).date() if len(ended) else None


def feed_line(feed: pd.DataFrame | None, area_name: str, as_of: dt.date) -> str:
    """Which council figures the local sections use, and how new the newest is."""
    if feed is None or len(feed) == 0:
        return f"No council figures for {area_name} in `data/local/`."
    newest = feed_newest(feed, as_of)
    if newest is None:
        return f"Council figures: {area_name}'s feed has none for a period ended by the data date."
    return (
        f"Council figures come from {area_name}'s feed in `data/local/` (figures for periods ended by the data date); "
        f"the newest is for the period ending {fmt_date(newest)}."
    )


def feed_staleness(feed: pd.DataFrame | None, area_name: str, as_of: dt.date) -> str | None:
    """A sentence when a council feed's newest figure is for a period ending more than 6 months before ``as_of`` (None without a feed)."""
    if feed is None or len(feed) == 0:
        return None
    newest = feed_newest(feed, as_of)
    if not stale(newest, as_of, STALE_FEED_MONTHS):
        return None
    if newest is None:  # every figure is for a period that ends after the data date
        return (
            f"{area_name}'s council feed has no figure for a period ended by this review's data date ({fmt_date(as_of)}). "
            f"To add figures, follow {FEED_GUIDE}."
        )
    return (
        f"{area_name}'s newest council figure is for the period ending {fmt_date(newest)}, more than {STALE_FEED_MONTHS} "
        f"months before this review's data date ({fmt_date(as_of)}). To add newer figures, follow {FEED_GUIDE}."
    )


def vintage_table(release: Release, feed: pd.DataFrame | None, area_name: str, as_of: dt.date) -> pd.DataFrame:
    """Each part of the review, the data it uses, when that was published and when the next is expected."""
    published = release.published
    public = published is not None and public_by(published, as_of)
    dfe = f"DfE release {release.path.name}" if public else f"none (DfE release {release.path.name} not public by the data date)"
    if not release.listed:
        dfe = f"{release.path.name}, an {unlisted_label(release.sha256)}"
    newest = newest_release(as_of)
    history = "DfE releases published by the data date" + (f" (newest {newest[0]})" if newest else "")
    council = feed_newest(feed, as_of)
    rows = [
        ("Timeliness, placements, demand, benchmarks", dfe, fmt_date(published) if public else "",
         next_release_text(published, as_of) if public else ""),
        ("Timeliness since 2014 (long view)", history, fmt_date(newest[1]) if newest else "",
         next_release_text(newest[1], as_of) if newest else ""),
        ("Executive summary", "both of the above and the council's figures", "", ""),
        ("Council figures, workforce, high-needs budget", f"{area_name}'s feed in data/local/",
         f"newest figure for the period ending {fmt_date(council)}" if council else "no figure ended by the data date",
         "each month or quarter, as the council publishes"),
    ]
    return pd.DataFrame(rows, columns=["Section", "Data", "Published", "Next expected"])


def _ranges(numbers: list[int]) -> str:
    """``[5, 9, 10, 11, 14]`` -> ``5, 9–11, 14``."""
    out, numbers = [], sorted(set(numbers))
    for n in numbers:
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in out)


def feed_source(rows: pd.DataFrame, feed_path: Path | None = None, area_name: str = "") -> str:
    """The source line of a chart of council figures: the feed file and the rows actually drawn.

    ``rows`` carries ``source`` as the local feed writes it (``kent.csv row 12`` or ``kent.csv row 12: title``);
    ``feed_path`` is the feed file the run read (written from the project root), else the file name is used.
    """
    drawn: dict[str, list[int]] = {}
    for text in rows.get("source", pd.Series(dtype=object)).dropna().astype(str):
        name, _, rest = text.partition(" row ")
        number = rest.split(":", 1)[0].strip()
        if number.isdigit():
            drawn.setdefault(name.strip(), []).append(int(number))
    owner = f"{area_name}'s council figures" if area_name else "Council figures"
    if not drawn:
        return f"{owner} as published ({shown_path(feed_path) if feed_path else 'data/local'})"
    files = []
    for name, numbers in drawn.items():
        where = shown_path(feed_path) if feed_path is not None and Path(feed_path).name == name else name
        files.append(f"{where} row{'s' if len(set(numbers)) > 1 else ''} {_ranges(numbers)}")
    return f"{owner} as published: {'; '.join(files)} (each figure's own source is in the council table)"
