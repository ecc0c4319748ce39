"""The review's cover: its title (area and quarter), data date, and the plan at a glance.

The plan at a glance is the first thing a reader meets: one row per target, the
area's 20-week timeliness targets first (the plan's lead KPI), each with a plain
verdict (:data:`~analysis_helpers.analysis.status.VERDICTS`), the figure it
rests on with its period and age, the baseline, and one sentence of why. The
verdicts come from :func:`~analysis_helpers.analysis.status.standing`, the same
rules as the status table.

An area with no targets gets the same box built from its numbers: the 20-week
timeliness figure (always first), the largest changes since the previous period
that are larger than chance, and its best and worst ranks among local
authorities.

Everything here is written into one HTML output, ``<section class="review-cover">``,
which the PDF prints alone on page 1 (``pipeline.html``'s print rules); every
text from a file (a council measure's label from the catalogue) is escaped by
:func:`~analysis_helpers.reporting.tables.to_html` or :func:`html_text`.
"""

from __future__ import annotations

import pandas as pd

from analysis_helpers.analysis.compare import MIN_CHANGE_DENOMINATOR, compare
from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.analysis.status import (
    AMBER,
    CONFLICTING,
    MET,
    MISSED,
    NO_FIGURE_SINCE_BASELINE,
    NO_RECENT_FIGURE,
    NOT_MEASURED,
    NOT_YET_DUE,
    ON_TRACK,
    ONE_FIGURE,
    RECENT_MONTHS,
    Standing,
    change_verdict,
    standing,
    status_cell,
)
from analysis_helpers.core.formatting import fmt_fraction, fmt_month, fmt_size, fmt_value, ordinal
from analysis_helpers.core.safe_text import html_text
from analysis_helpers.core.vintage import ended_by, months_between
from analysis_helpers.data.inputs import feed_file
from analysis_helpers.domain.areas import LOCAL_AUTHORITY
from analysis_helpers.domain.measure_periods import first_period_end
from analysis_helpers.domain.measures import BY_NAME, HEADLINE_MEASURE, TIMELINESS_MEASURE
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.domain.targets import requirements_for
from analysis_helpers.reporting import disclosure, tables
from analysis_helpers.reporting.key_messages import significant
from analysis_helpers.reporting.narrative import phrase
from analysis_helpers.reporting.summary import kpi_label

#: The plan's lead KPI: an area's targets on these measures come first, and an area without targets leads with the first.
LEAD_MEASURES = (TIMELINESS_MEASURE, HEADLINE_MEASURE)
#: Measures an area without targets is read on (DfE's, in the order the review shows them).
CHANGE_MEASURES = (
    TIMELINESS_MEASURE, "ehc_requests_decided_within_6_weeks_pct", "ehcp_issued_over_1_year_pct",
    "annual_reviews_decided_within_4_weeks_pct", "ehcp_caseload_mainstream_pct", "new_ehcp_mainstream_pct",
    "ehcp_caseload_special_pct", "ehc_requests_refused_pct", "send_tribunal_appeal_rate_pct",
)
MAX_CHANGES = 3
GLANCE_COLUMNS = ["Target", "Verdict", "Latest figure", "Baseline", "Why"]
UNTARGETED_COLUMNS = ["Measure", "Verdict", "Latest figure", "Previous figure", "Why"]
HEADING = "Plan at a glance"
RELEASE_GUIDE = 'the README\'s guide "Add the next DfE release"'


def title(area_name: str, quarter) -> str:
    """The review's title: ``Kent: SEND quarterly review, 2026-Q3 (July to September 2026)``."""
    return f"{area_name}: SEND quarterly review, {quarter} ({quarter.start:%B} to {quarter.end:%B %Y})"


def age_words(months: int | None) -> str:
    """``2 years``, ``5 months``, ``1 month``; ``less than a month`` for 0."""
    if months is None:
        return ""
    if months >= 24:
        return f"{months // 12} years"
    if months >= 12:
        return "1 year" + (f" {months - 12} month{'s' if months - 12 > 1 else ''}" if months > 12 else "")
    if months == 0:
        return "less than a month"
    return f"{months} month{'s' if months > 1 else ''}"


def figure_words(figure: pd.Series | None, unit: str, age_months: int | None) -> str:
    """``64.0% in 2024-09 (figure from Sep 2024, 2 years before this review)``; ``–`` when there is none."""
    if figure is None:
        return "–"
    fraction = ""
    if pd.notna(figure.get("numerator")) and pd.notna(figure.get("denominator")):
        fraction = f" ({fmt_fraction(figure['numerator'], figure['denominator'])})"
    ended = pd.Timestamp(figure["period_end"])
    return (f"{fmt_value(figure['value'], unit)}{fraction} in {figure['period']} (figure from {fmt_month(ended)}, "
            f"{age_words(age_months)} before this review)")


def target_goal(outlook: Outlook) -> str:
    target = outlook.target
    return f"{fmt_value(target.target_value, target.unit)} by {fmt_month(target.target_date)}"


def target_label(outlook: Outlook) -> str:
    """``EHC plans issued within 20 weeks, exceptions included (council monthly figures): 80.0% by Sep 2024``."""
    target = outlook.target
    population = f" [{target.denominator}]" if target.denominator and target.series == "dfe" else ""
    return f"{kpi_label(outlook.measure, target).replace(' (%)', '').replace(' (£m)', '')}{population}: {target_goal(outlook)}"


def ordered(outlooks: list[Outlook]) -> list[Outlook]:
    """Targets in the box's order: the lead KPI's (20-week timeliness) first, latest target date first; then the rest as
    the status table has them."""
    lead = sorted((o for o in outlooks if o.measure in LEAD_MEASURES), key=lambda o: o.target.target_date, reverse=True)
    return lead + [o for o in outlooks if o.measure not in LEAD_MEASURES]


def why(outlook: Outlook, found: Standing, release, feed_path) -> str:
    """One sentence of why, for a target's row (see the module docstring of :mod:`analysis_helpers.analysis.status`)."""
    unit = outlook.target.unit
    goal = target_goal(outlook)
    if found.status in (MET, MISSED):
        side = "reaches" if found.status == MET else "falls short of"
        text = f"The first figure for a period ending on or after the target date {side} {goal}."
    elif found.status == NOT_MEASURED:
        text = _pending_words(outlook, found, release, feed_path)
    elif outlook.latest is None:
        text = "No figure for this measure had been published by the data date."
    elif found.status == NO_FIGURE_SINCE_BASELINE or outlook.gap.empty:
        text = "Nothing has been published for a period after the baseline; the baseline never counts as progress."
    elif found.status == CONFLICTING:
        text = ("The latest figure is flagged by its source as conflicting with another for nearly the same period: it is "
                "shown as a conflict, not a trend.")
    else:
        gap = outlook.gap.iloc[-1]
        required = fmt_value(gap["required"], unit)
        if found.verdict == ON_TRACK:
            text = f"On or ahead of the {required} the path to {goal} asks for at that figure's period."
        else:
            behind = fmt_size(gap["observed"] - gap["required"], unit)
            text = f"{behind[:1].upper()}{behind[1:]} behind the {required} the path to {goal} asks for at that figure's period"
            if found.status == AMBER:
                text += ", within the figure's 95% confidence interval (the gap may be chance)."
            elif found.status == ONE_FIGURE:
                text += "; one figure since the baseline is not a trend, so it is not yet called Red or Amber."
            else:
                text += "."
    if found.status not in (MET, MISSED, NOT_MEASURED) and found.age_months is not None and found.age_months > RECENT_MONTHS:
        text += f" The latest figure is {age_words(found.age_months)} old: no recent figure shows where it stands now."
    if found.assumptions:
        text += f" Rests on an assumption the source did not state ({', '.join(found.assumptions)})."
    return text


def _pending_words(outlook: Outlook, found: Standing, release, feed_path) -> str:
    """Why an expired target is not measured: not yet due, or expected and missing (and where it goes)."""
    target = outlook.target
    due = fmt_month(found.due)
    if target.series == "dfe" and outlook.measure in BY_NAME:
        period = fmt_month(first_period_end(outlook.measure, target.target_date))
        if found.pending == NOT_YET_DUE:
            return (f"Not yet due: DfE's figure for the period ending {period} is expected in its {due} release, "
                    "after this review's data date.")
        as_of = outlook.as_of
        if (release is not None and release.published is not None and found.due <= release.published
                and (as_of is None or release.published <= as_of)):
            return (f"Expected and missing: DfE's release of {fmt_month(release.published)} has no figure for the period "
                    f"ending {period} for this area.")
        return (f"Expected and missing: DfE's figure for the period ending {period} was due in its {due} release, which is "
                f"not in data/raw/ (add it with {RELEASE_GUIDE}).")
    where = f"the council's feed ({feed_path.name})" if feed_path is not None else "the council's feed"
    if found.pending == NOT_YET_DUE:
        return (f"Not yet due: a council figure for a period ending on or after {fmt_month(target.target_date)} is expected "
                f"by {due}, after this review's data date.")
    return (f"Expected and missing: no council figure for a period ending on or after {fmt_month(target.target_date)} is in "
            f"{where}, though one was expected by {due}; add it to the feed when the council publishes it.")


def target_rows(run: RunContext, outlooks: list[Outlook]) -> pd.DataFrame:
    """One row per target (see the module docstring), in :func:`ordered` order."""
    rows = []
    feed_path = feed_file(run.area.slug, run.local)
    for outlook in ordered(outlooks):
        found = standing(outlook)
        target = outlook.target
        unit = target.unit
        baseline = "–" if target.baseline_value is None else f"{fmt_value(target.baseline_value, unit)} ({fmt_month(target.baseline_date)})"
        rows.append({
            "Target": target_label(outlook),
            "Verdict": status_cell(found.verdict, found.assumptions),
            "Latest figure": figure_words(found.figure, unit, found.age_months),
            "Baseline": baseline,
            "Why": why(outlook, found, run.release, feed_path),
        })
    return pd.DataFrame(rows, columns=GLANCE_COLUMNS)


def untargeted_rows(run: RunContext) -> pd.DataFrame:
    """The box for an area without targets: 20-week timeliness first, then the largest changes larger than chance (up
    to :data:`MAX_CHANGES`), then the best and worst ranks among local authorities (an LA only)."""
    rows: dict[str, pd.Series] = {}
    if run.dfe_published:
        for measure in CHANGE_MEASURES:
            frame = compare(run.area.name, measure, neighbours=run.neighbours, release=run.release)
            if len(frame) and frame.iloc[0]["comparator"] == "Area" and pd.notna(frame.iloc[0]["value"]):
                rows[measure] = frame
    if not rows:
        return pd.DataFrame(columns=UNTARGETED_COLUMNS)
    chosen: list[tuple[str, str]] = []  # (measure, why it is here)
    lead = LEAD_MEASURES[0]
    if lead in rows:
        chosen.append((lead, "lead"))
    changes = sorted(((abs(float(f.iloc[0]["change"])), m) for m, f in rows.items() if m != lead and significant(f.iloc[0])),
                     reverse=True)
    chosen += [(m, "change") for _, m in changes[:MAX_CHANGES]]
    ranked = [(float(f.iloc[0]["rank"]) / float(f.iloc[0]["of"]), m) for m, f in rows.items()
              if BY_NAME[m].higher_is_better is not None and pd.notna(f.iloc[0]["rank"]) and pd.notna(f.iloc[0]["of"])
              and not (pd.notna(f.iloc[0]["denominator"]) and f.iloc[0]["denominator"] < MIN_CHANGE_DENOMINATOR)]
    if ranked and run.area.level == LOCAL_AUTHORITY:
        for _, measure in (min(ranked), max(ranked)):
            if measure not in [m for m, _ in chosen]:
                chosen.append((measure, "rank"))
    return pd.DataFrame([_untargeted_row(rows[m], m) for m, _ in chosen], columns=UNTARGETED_COLUMNS)


def _untargeted_row(frame: pd.DataFrame, measure: str) -> dict:
    area = frame.iloc[0]
    m = BY_NAME[measure]
    unit = m.unit
    fraction = (f" ({fmt_fraction(area['numerator'], area['denominator'])})"
                if pd.notna(area["numerator"]) and pd.notna(area["denominator"]) else "")
    latest = f"{fmt_value(area['value'], unit)}{fraction} in {area['period']}"
    previous = "–" if pd.isna(area["previous_value"]) else f"{fmt_value(area['previous_value'], unit)} in {area['previous_period']}"
    if pd.isna(area["change"]):
        verdict, words = "No comparison", "No earlier period to compare with."
    else:
        verdict = change_verdict(float(area["change"]), significant(area), m.higher_is_better)
        direction = "Rose" if area["change"] > 0 else "Fell" if area["change"] < 0 else "Held"
        test = area.get("change_test")
        if isinstance(test, str) and test.startswith("not tested"):
            chance = test  # too few to say whether it is more than chance: not read into
        else:
            chance = "more than chance would explain" if significant(area) else "within what chance would explain"
        words = f"{direction} {fmt_size(area['change'], unit)} since {area['previous_period']}, {chance}."
    small = pd.notna(area["denominator"]) and area["denominator"] < MIN_CHANGE_DENOMINATOR  # 1 of 1 ranks nothing
    if pd.notna(area["rank"]) and pd.notna(area["of"]) and m.higher_is_better is not None and not small:
        words += f" {ordinal(int(area['rank']))} of {int(area['of'])} local authorities (1 = best)."
    england = frame[frame["comparator"] == "England"]
    if len(england) and pd.notna(england.iloc[0]["value"]) and frame.iloc[0]["area_name"] != "England":
        words += f" England: {fmt_value(england.iloc[0]['value'], unit)}."
    return {"Measure": phrase(m.label)[:1].upper() + phrase(m.label)[1:], "Verdict": verdict, "Latest figure": latest,
            "Previous figure": previous, "Why": words}


def requirement_rows(run: RunContext) -> pd.DataFrame:
    """A row for each requirement with no number (a targets-file row without a target value) on a measure the council
    publishes, e.g. Kent's casework team "of sufficient capacity" by September 2023, read on its vacancies: no figure can
    show such a requirement met, so the verdict is *No recent figure* when the latest is over
    :data:`~analysis_helpers.analysis.status.RECENT_MONTHS` months old and *Not judged (no number)* otherwise."""
    feed = run.feed if run.feed is not None else pd.DataFrame()
    rows = []
    for requirement in requirements_for(run.area.code, run.areas.get, run.targets):
        if feed.empty or "measure" not in feed:
            continue
        figures = feed[feed["measure"] == requirement.measure]  # every figure published, conflicting ones too
        figures = figures[ended_by(figures["period_end"], run.as_of)]
        figures = disclosure.plottable(figures.assign(unit=requirement.unit)).sort_values("period_end", kind="stable")
        if figures.empty:
            continue
        highest, latest = figures.loc[figures["value"].astype(float).idxmax()], figures.iloc[-1]
        age = months_between(pd.Timestamp(latest["period_end"]).date(), run.as_of)
        unit = requirement.unit
        label = kpi_label(requirement.measure, requirement).replace(" (council figures)", "")
        words = (f"As the council published them: {fmt_value(highest['value'], unit)} ({highest['period']}) at the highest, "
                 f"{fmt_value(latest['value'], unit)} ({latest['period']}) the latest; the requirement sets no number, so no "
                 "figure can show it met.")
        if age > RECENT_MONTHS:
            words += f" The latest figure is {age_words(age)} old."
        rows.append({
            "Target": f"{label} (council figures): requirement due {fmt_month(requirement.target_date)}, no number set",
            "Verdict": NO_RECENT_FIGURE if age > RECENT_MONTHS else "Not judged (no number)",
            "Latest figure": figure_words(latest, unit, age),
            "Baseline": "–",
            "Why": words,
        })
    return pd.DataFrame(rows, columns=GLANCE_COLUMNS)


def glance_table(run: RunContext, outlooks: list[Outlook]) -> tuple[pd.DataFrame, str]:
    """The box's table and its caption: targets (and requirements) when the area has any, else its changes and ranks."""
    requirements = requirement_rows(run)
    if outlooks or len(requirements):
        table = (pd.concat([target_rows(run, outlooks), requirements], ignore_index=True) if len(requirements)
                 else target_rows(run, outlooks))
        return table, f"{run.area.name}: each target's verdict at {run.as_of:%d %B %Y}, lead KPI first"
    caption = (f"{run.area.name} has no targets recorded: its 20-week timeliness, largest changes since the previous "
               "period and ranks among local authorities")
    return untargeted_rows(run), caption


def cover_html(run: RunContext, outlooks: list[Outlook]) -> str:
    """The cover as one HTML block: title, data date and sources, and the plan at a glance."""
    table, caption = glance_table(run, outlooks)
    body = (tables.to_html(table, caption=caption).replace('class="send-table"', 'class="send-table glance-table"', 1)
            if len(table) else f"<p>{html_text(empty_words(run))}</p>")
    return (f'<section class="review-cover"><h1>{html_text(title(run.area.name, run.quarter))}</h1>'
            f'<p class="review-meta">{html_text(meta_line(run))}</p>'
            f'<section class="plan-at-a-glance"><h2 id="{HEADING.replace(" ", "-")}">{HEADING}</h2>{body}</section></section>')


def empty_words(run: RunContext) -> str:
    """What the box says when it has no row."""
    if not run.dfe_published:
        return (f"{run.area.name} has no targets recorded, and DfE's release used here was not yet public at the data date: "
                "see the key messages and the sections below for earlier releases.")
    return f"No figures for {run.area.name} were published by the data date."


def meta_line(run: RunContext) -> str:
    """``Kent (E10000016) · data published by 30 September 2026 · DfE statistics: release of July 2025 · council figures: kent.csv``."""
    parts = [f"{run.area.name} ({run.area.code})", f"data published by {run.as_of:%d %B %Y}"]
    published = run.release.published
    if published is not None and published <= run.as_of:
        parts.append(f"DfE statistics: release of {published:%B %Y}")
    else:
        parts.append("DfE statistics: no release public by the data date")
    feed = feed_file(run.area.slug, run.local)
    parts.append(f"council figures: {feed.name}" if feed is not None else "no council figures")
    return " · ".join(parts)
