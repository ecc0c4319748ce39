"""Ofsted and CQC's area SEND inspections in words: one line in the review's context, a table on the details page.

Both come from one :class:`~analysis_helpers.domain.inspections.InspectionHistory` (only what was published by the
review's data date) and name their source files. Text from the files (an outcome, an area's name as Ofsted writes
it) is shown as the characters it is: :func:`~analysis_helpers.core.safe_text.md_text` in sentences, the table's
cells escaped by :func:`~analysis_helpers.reporting.tables.to_html`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.core.formatting import fmt_count, fmt_date, is_missing
from analysis_helpers.core.paths import OFSTED_2023_FRAMEWORK_FILE, OFSTED_INSPECTIONS_FILE
from analysis_helpers.core.safe_text import md_code, md_text
from analysis_helpers.domain.inspections import (
    COVERAGE,
    FRAMEWORK_2016,
    SOURCE_2016,
    SOURCE_2023,
    InspectionHistory,
    inspection_history,
)
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.reporting import tables

#: The 2016 file's last inspection date, for "no revisit by then".
FILE_2016_ENDS = "31 August 2022"


def _month(day) -> str:
    return f"{day:%B %Y}"


def _count(value) -> str | None:
    return None if is_missing(value) else fmt_count(value)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def inspection_words(row: pd.Series) -> str:
    """What an inspection found: ``found significant weaknesses and required a written statement of action (9 areas of
    significant weakness)``, or a 2023-framework outcome quoted as the file writes it."""
    count = _count(row["weaknesses"])
    if row["framework"] == FRAMEWORK_2016:
        if not row["action_required"]:
            return "did not require a written statement of action"
        return ("found significant weaknesses and required a written statement of action"
                + (f" ({count} areas of significant weakness)" if count else ""))
    found = f"found \u201c{md_text(row['outcome'])}\u201d"
    if not row["action_required"]:
        return f"{found} and required no priority action plan"
    return f"{found} and required a priority action plan" + (f" ({count} areas for priority action)" if count else "")


def revisit_words(row: pd.Series) -> str:
    """What a revisit found, from the file's outcome and its counts: ``sufficient progress in 8 of the 12 significant
    weaknesses``."""
    progressed, not_progressed = _count(row["weaknesses_progressed"]), _count(row["weaknesses_not_progressed"])
    total = _count(row["weaknesses"])
    if progressed is not None and not_progressed is not None:
        total = fmt_count(float(row["weaknesses_progressed"]) + float(row["weaknesses_not_progressed"]))
    of_them = f" {total} significant weaknesses" if total else " significant weaknesses"
    progress = row["revisit_progress"]
    if progress == "Yes":
        return f"sufficient progress in all{of_them}"
    if progress == "No":
        return f"sufficient progress in none of the{of_them}"
    return f"sufficient progress in {progressed or 'some'} of the{of_them}"


def _revisit_clause(history: InspectionHistory, row: pd.Series) -> str:
    if isinstance(row["revisit_published"], dt.date) and not is_missing(row["revisit_progress"]):
        return (f"; the revisit ({_month(row['revisit_start'])}, published {_month(row['revisit_published'])}) found "
                f"{revisit_words(row)}")
    if history.revisit_later:
        return "; its revisit was published after this review's data date and is left out"
    if row["framework"] == FRAMEWORK_2016 and row["action_required"]:
        return f"; Ofsted's file records no revisit by {FILE_2016_ENDS}"
    return ""


def _source(history: InspectionHistory) -> str:
    shown = history.rows[["source", "file"]].drop_duplicates() if len(history.rows) else pd.DataFrame(
        {"source": [SOURCE_2016, SOURCE_2023], "file": [OFSTED_INSPECTIONS_FILE.name, OFSTED_2023_FRAMEWORK_FILE.name]})
    names = "; ".join(f"{title} ({md_code(name)})" for title, name in zip(shown["source"], shown["file"], strict=True))
    return f"Source{'s' if len(shown) > 1 else ''}: {names}."


def inspection_line(history: InspectionHistory, details_page: bool = False) -> str:
    """The review's one line on the area's latest inspection and revisit, with its source (Markdown); on the details
    page (``details_page``) it does not point to itself."""
    name = md_text(history.area.name)
    if not history.inspected:
        return (f"**Inspection:** Ofsted and CQC inspect each local area's SEND services (the council with its NHS partners), "
                f"not regions or England: no inspection is shown for {name}.")
    by = fmt_date(history.as_of) if history.as_of else "now"
    row = history.latest
    later = ""
    if history.later:
        verb = "is" if history.later == 1 else "are"
        later = f" {_plural(history.later, 'inspection')} published after this review's data date ({by}) {verb} left out."
    if row is None:
        return (f"**Inspection:** no area SEND inspection of {name} published by {by} is in Ofsted's files held here, which "
                f"cover {COVERAGE}.{later} {_source(history)}")
    framework = f"{row['framework']} framework; {_month(row['inspection_start'])}, published {_month(row['inspection_published'])}"
    if history.predecessor:
        subject = (f"no area SEND inspection of {name} is in Ofsted's files; Ofsted and CQC's inspection of "
                   f"{md_text(history.predecessor)} (the council it replaced; {framework})")
    else:
        subject = f"Ofsted and CQC's area SEND inspection of {name} ({framework})"
    line = f"**Inspection:** {subject} {inspection_words(row)}{_revisit_clause(history, row)}."
    earlier = len(history.rows) - 1
    if earlier and not details_page:
        line += f" The details page lists {_plural(earlier, 'earlier inspection')}."
    if history.old:
        line += (f" This is the latest record in Ofsted's files held here, which cover {COVERAGE}: a later inspection or "
                 "revisit is not shown.")
    return f"{line}{later} {_source(history)}"


def history_table(history: InspectionHistory) -> pd.DataFrame:
    """Every inspection and revisit shown, one row each, oldest first, with its source file (plain text: the table
    escapes it)."""
    rows = []
    for _, row in history.rows.iterrows():
        count = _count(row["weaknesses"])
        if row["framework"] == FRAMEWORK_2016:
            outcome = "Written statement of action required" if row["action_required"] else "No written statement of action required"
            weakness = f"{count} significant weaknesses" if count else "–"
        else:
            outcome = str(row["outcome"]) + ("; priority action plan required" if row["action_required"] else "; no priority action plan")
            weakness = f"{count} areas for priority action" if count else "–"
        source = f"{row['source']} ({row['file']})"
        rows.append({"Framework": row["framework"], "Visit": "Inspection", "Began": fmt_date(row["inspection_start"]),
                     "Published": fmt_date(row["inspection_published"]), "Outcome": outcome, "Weaknesses": weakness, "Source": source})
        if not is_missing(row["revisit_progress"]):
            done = [_count(row["weaknesses_progressed"]), _count(row["weaknesses_not_progressed"])]
            rows.append({"Framework": row["framework"], "Visit": "Revisit", "Began": fmt_date(row["revisit_start"]),
                         "Published": fmt_date(row["revisit_published"]),
                         "Outcome": revisit_words(row)[:1].upper() + revisit_words(row)[1:],
                         "Weaknesses": f"{done[0]} progressed, {done[1]} not" if None not in done else "–", "Source": source})
    return pd.DataFrame(rows, columns=["Framework", "Visit", "Began", "Published", "Outcome", "Weaknesses", "Source"])


def history_caption(history: InspectionHistory) -> str:
    by = fmt_date(history.as_of) if history.as_of else "now"
    whose = f"inspections of {history.predecessor}, the council it replaced," if history.predecessor else "inspections and revisits"
    return f"{history.area.name}: Ofsted and CQC area SEND {whose} published by {by}"


def context_line(run: RunContext) -> list:
    """The review's one line on the area's latest inspection (its context, after the executive summary)."""
    return [Markdown(inspection_line(inspection_history(run.area, run.areas, run.as_of)))]


def details(run: RunContext) -> list:
    """The details page's inspection history: the review's line, then every inspection and revisit in a table."""
    history = inspection_history(run.area, run.areas, run.as_of)
    shown = [Markdown(inspection_line(history, details_page=True))]
    if len(history.rows):
        shown.append(HTML(tables.to_html(history_table(history), caption=history_caption(history))))
    return shown
