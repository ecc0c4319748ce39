"""What changed since the last review: new figures, statuses that changed, and targets whose date passed.

The last review is the previous quarter's: its ``headline.json`` when the run
finds one beside this review's folder (what its readers were told,
:mod:`analysis_helpers.data.review_headline`), otherwise the previous quarter
computed now from the same files at its data date. Rows are matched by measure
and KPI label (a KPI tracked on two series has two rows).

* a **new figure**: the row's latest figure differs from the last review's;
* a **status changed**: the row's status differs (a row the last review did not
  have is new, not changed);
* a **target date passed**: a target that was live at the last review's data
  date (on or before its date) and has expired by this one's (after it).

:func:`changes_table` is the review's table; :func:`summary_sentence` the key
message that opens with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.analysis.status import rag_status
from analysis_helpers.core.formatting import fmt_month
from analysis_helpers.core.safe_text import md_text
from analysis_helpers.data.review_headline import HEADLINE_FILE, PreviousReview, read_previous
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.reporting import tables
from analysis_helpers.reporting.summary import base_status, executive_summary, headline, kpi_label

NEW_FIGURE, STATUS_CHANGED, DATE_PASSED = "New figure", "Status changed", "Target date passed"
CHANGE_COLUMNS = ["Change", "KPI", "Last review", "This review"]
#: Items named in the key message (the table lists them all).
NAMED = 3


@dataclass(frozen=True)
class Change:
    kind: str
    kpi: str
    before: str
    after: str


def previous_review(run: RunContext) -> tuple[PreviousReview, str]:
    """The last review (see the module docstring) and, when its ``headline.json`` was there but could not be used, why."""
    quarter = run.quarter.previous
    why = ""
    if run.report_dir is not None:
        path = run.report_dir.parent.parent / str(quarter) / run.report_dir.name / HEADLINE_FILE
        found, why = read_previous(path, run.area.code, str(quarter))
        if found is not None:
            return found, ""
    summary, _ = executive_summary(run.area, quarter.end, run.release, run.targets, local=run.local)
    return previous_from_summary(summary, quarter.end, str(quarter)), why


def previous_from_summary(summary: pd.DataFrame, as_of: dt.date, quarter: str) -> PreviousReview:
    """The previous quarter's review computed now (its status table at its data date)."""
    return PreviousReview(headline(summary), as_of, f"the {quarter} review, computed from the same files at its data date")


def changes(summary: pd.DataFrame, outlooks: list, previous: PreviousReview, as_of: dt.date) -> list[Change]:
    """Every change since ``previous`` (see the module docstring), in the status table's order."""
    before = {(r["measure"], r["kpi"]): r for r in previous.rows}
    found: list[Change] = []
    for row in headline(summary):
        old = before.get((row["measure"], row["kpi"]))
        if old is None:
            continue
        kpi = row["kpi"]
        if old["latest"] != row["latest"]:
            found.append(Change(NEW_FIGURE, kpi, old["latest"], row["latest"]))
        if base_status(old["status"]) != row["status"]:
            found.append(Change(STATUS_CHANGED, kpi, base_status(old["status"]), row["status"]))
    for outlook in outlooks:
        target = outlook.target
        if target is not None and previous.as_of <= target.target_date < as_of:  # live then, expired now
            goal = f"target date {fmt_month(target.target_date)}"
            found.append(Change(DATE_PASSED, _target_kpi(outlook), f"{goal} still ahead", f"{goal} passed: {rag_status(outlook)}"))
    return found


def _target_kpi(outlook) -> str:
    return kpi_label(outlook.measure, outlook.target)


def changes_table(found: list[Change]) -> pd.DataFrame:
    return pd.DataFrame([[c.kind, c.kpi, c.before, c.after] for c in found], columns=CHANGE_COLUMNS)


def summary_sentence(found: list[Change], previous: PreviousReview, quarter: str) -> str:
    """The key message: what changed since the last review (plain text; the caller escapes it for Markdown)."""
    since = f"Since the last review ({quarter}, figures published by {previous.as_of:%d %B %Y})"
    if not found:
        return f"{since}: nothing changed: no new figure was loaded, no status changed and no target date passed."
    parts = []
    for kind, one, many in ((NEW_FIGURE, "new figure", "new figures"), (STATUS_CHANGED, "status changed", "statuses changed"),
                            (DATE_PASSED, "target date passed", "target dates passed")):
        items = [c for c in found if c.kind == kind]
        if not items:
            continue
        named = "; ".join(_item_words(c) for c in items[:NAMED]) + ("; and more in the table" if len(items) > NAMED else "")
        parts.append(f"{len(items)} {one if len(items) == 1 else many} ({named})")
    return f"{since}: " + ", ".join(parts) + "."


def _item_words(change: Change) -> str:
    label = change.kpi.replace(" (%)", "")
    if change.kind == NEW_FIGURE:
        return f"{label}: {change.after}, was {change.before}"
    if change.kind == STATUS_CHANGED:
        return f"{label}: {change.before} to {change.after}"
    return f"{label}: {change.after}"


def section(found: list[Change], previous: PreviousReview, quarter: str, why: str = "") -> list:
    """The review's section: where the last review's figures come from, and the table of changes (or that there are none)."""
    shown = [Markdown(f"*Compared with {md_text(previous.source)} (figures published by {previous.as_of:%d %B %Y})."
                      + (f" The saved {HEADLINE_FILE} was not used: {md_text(why)}.*" if why else "*"))]
    if not found:
        shown.append(Markdown("Nothing changed: no new figure was loaded, no status changed and no target date passed."))
        return shown
    caption = f"What changed between the {quarter} review and this one"
    shown.append(HTML(tables.to_html(changes_table(found), caption=caption)))
    return shown
