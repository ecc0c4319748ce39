"""The review's key messages: three to six sentences written from the numbers, each linking to its section.

They come in this order, as far as the figures allow:

1. the plan's lead KPI, 20-week timeliness: each of its targets' verdict, or
   (an area without one) the headline timeliness figure against England;
2. what changed since the last review (:mod:`.changes`), when the run knows it;
3. other targets missed or at risk (Missed, Red, Amber), worst first; while
   none is, targets on track or met; then, for a safety-valve area whose
   projected high-needs path misses its balance year, that projection;
4. balancing measures moving the wrong way (a significant rise in the share of
   requests the LA decided not to assess), read together with faster decisions
   on requests when both moved;
5. the largest change since the previous period that is larger than chance;
6. the area's best and worst ranks among local authorities;
7. other targets not measured since their date (saying whether the figure is
   not yet due or expected and missing), while there are fewer than three.

Every sentence is built from the same outlooks, comparisons and status rules as
the status table; a council figure that disclosure control would hide is never
quoted (its message is left out). The sections a message links to are the
review's own headings (:data:`SECTIONS`); ``tests/e2e`` checks each link lands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analysis_helpers.analysis.compare import MIN_CHANGE_DENOMINATOR, compare
from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.analysis.status import (
    AMBER,
    EXPECTED_MISSING,
    GREEN,
    MET,
    MISSED,
    NO_FIGURE_SINCE_BASELINE,
    NOT_MEASURED,
    RED,
    assumptions,
    judged_figure,
    rag_status,
    standing,
)
from analysis_helpers.core.formatting import fmt_fraction, fmt_month, fmt_size, fmt_value, ordinal
from analysis_helpers.core.safe_text import md_text
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area
from analysis_helpers.domain.measures import BY_NAME, HEADLINE_MEASURE, TIMELINESS_MEASURE
from analysis_helpers.reporting import disclosure
from analysis_helpers.reporting.narrative import phrase
from analysis_helpers.reporting.summary import kpi_label

MAX_MESSAGES = 6
#: The review's section headings (03_quarterly_review), by the key a message links to.
SECTIONS = {
    "summary": "Executive summary",
    "timeliness": "Timeliness: plans issued within 20 weeks",
    "pathway": "The EHC pathway",
    "placements": "Placements: mainstream and special schools",
    "inclusion": "Inclusion across the school years",
    "demand": "Demand and balancing measures",
    "confidence": "Parents' confidence",
    "benchmarks": "Benchmarks",
    "budget": "High-needs budget and the safety valve",
    "changes": "What changed since the last review",
}
#: The section each DfE measure of the review is shown in.
SECTION_OF = {
    TIMELINESS_MEASURE: "timeliness",
    HEADLINE_MEASURE: "timeliness",
    "ehcp_caseload_mainstream_pct": "placements",
    "new_ehcp_mainstream_pct": "placements",
    "ehcp_caseload_special_pct": "placements",
    "ehc_requests_refused_pct": "demand",
    "ehc_requests_count": "demand",
    "ehcp_caseload_count": "summary",
    "ehc_requests_decided_within_6_weeks_pct": "pathway",
    "ehcp_issued_over_1_year_pct": "pathway",
    "annual_reviews_decided_within_4_weeks_pct": "pathway",
    "ehcp_caseload_mainstream_secondary_age_pct": "inclusion",
    "send_tribunal_appeal_rate_pct": "confidence",
}
#: Balancing measures and the direction that is the wrong way ("rise"): faster plans must not come from refusing more.
BALANCING = {"ehc_requests_refused_pct": "rise"}
#: The measure that speeds up when fewer requests are assessed: read with a rising refusal share when both move.
FASTER_DECISIONS = "ehc_requests_decided_within_6_weeks_pct"
HEADLINE = HEADLINE_MEASURE
#: The plan's lead KPI: targets on these measures open the messages.
LEAD_MEASURES = (TIMELINESS_MEASURE, HEADLINE_MEASURE)
_SEVERITY = {MISSED: 0, RED: 1, AMBER: 2, GREEN: 3, MET: 4}


@dataclass(frozen=True)
class KeyMessage:
    """One sentence and the section (a key of :data:`SECTIONS`) it links to."""

    text: str
    section: str
    text_measures: tuple[str, ...] = ()  # the measures the message reads (so a later message does not repeat one)

    @property
    def anchor(self) -> str:
        """The heading's id as the exported page (and JupyterLab) writes it: spaces become hyphens."""
        return "#" + SECTIONS[self.section].replace(" ", "-")

    def markdown(self) -> str:
        return f"{self.text} See [{SECTIONS[self.section]}]({self.anchor})."


def key_messages(area: Area, outlooks: list[Outlook], release: Release, dfe_published: bool,
                 changed: str | None = None, budget: str | None = None) -> list[KeyMessage]:
    """Up to :data:`MAX_MESSAGES` messages for the area (see the module docstring for their order); ``changed`` is the
    sentence of what changed since the last review (plain text), when the run knows it; ``budget`` the high-needs
    outlook's sentence when a safety-valve area's projected path misses its balance year
    (:func:`~analysis_helpers.reporting.money_sections.key_message`)."""
    lead = sorted((o for o in outlooks if o.measure in LEAD_MEASURES), key=lambda o: o.target.target_date, reverse=True)
    others = [o for o in outlooks if o.measure not in LEAD_MEASURES]
    comparisons = {m: compare(area.name, m, release=release) for m in SECTION_OF} if dfe_published else {}
    messages = _lead_messages(lead)
    if not messages and HEADLINE in comparisons:
        messages += _headline(comparisons[HEADLINE])
    if changed:
        messages.append(KeyMessage(md_text(changed), "changes"))
    messages += _target_messages(others)
    if budget:
        messages.append(KeyMessage(md_text(budget), "budget"))
    if dfe_published:
        rows = {m: frame.iloc[0] for m, frame in comparisons.items() if len(frame) and frame.iloc[0]["comparator"] == "Area"}
        balancing = _balancing_messages(rows)
        messages += balancing
        together = any(FASTER_DECISIONS in m.text_measures for m in balancing)
        messages += _largest_change({m: r for m, r in rows.items() if not (together and m == FASTER_DECISIONS)})
        if area.level == LOCAL_AUTHORITY:
            messages += _ranks(rows)
    else:
        messages.append(KeyMessage("DfE's figures for this review's period are not yet published, so the review shows only "
                                   "the council's own figures and earlier releases.", "summary"))
    if len(messages) < 3:
        messages += _pending_messages(others)[: 3 - len(messages)]
    return messages[:MAX_MESSAGES]


def _lead_messages(lead: list[Outlook]) -> list[KeyMessage]:
    """One message for the lead KPI's targets, each with its verdict and the figure (or missing figure) behind it."""
    parts = []
    for outlook in lead:
        found = standing(outlook)
        unit = outlook.target.unit
        series = "council monthly figures" if outlook.target.series == "council" else "DfE statistics"
        goal = f"{fmt_value(outlook.target.target_value, unit)} by {fmt_month(outlook.target.target_date)} ({series})"
        figure = found.figure if found.figure is not None and _shown(found.figure, unit) else None
        value = "" if figure is None else f"{fmt_value(figure['value'], unit)}{_fraction(figure)} in {figure['period']}"
        verdict = found.verdict.lower() if found.verdict != NOT_MEASURED else "not measured since the target date"
        if found.status == NOT_MEASURED:
            where = "DfE's release" if outlook.target.series == "dfe" else "the council's figure"
            why = (f"{where} due {fmt_month(found.due)} is expected and missing" if found.pending == EXPECTED_MISSING
                   else f"{where} is not yet due ({fmt_month(found.due)})")
            parts.append(f"{goal} {verdict}: {why}" + (f"; the latest is {value}" if value else ""))
        elif found.status == NO_FIGURE_SINCE_BASELINE:
            parts.append(f"{goal}: no figure since its baseline" + (f", {value}" if value else ""))
        else:
            parts.append(f"{goal} {verdict}" + (f", {value}" if value else ""))
        if found.assumptions:
            parts[-1] += f" ({', '.join(found.assumptions)})"
    if not parts:
        return []
    label = phrase(BY_NAME[lead[0].measure].label).split(",")[0]
    return [KeyMessage(f"The plan's lead KPI, {label}: " + "; ".join(parts) + ".", "timeliness")]


def _label(outlook: Outlook) -> str:
    """The status table's label for the target's KPI, for use mid-sentence (its unit suffix dropped); a message is
    Markdown, and a council measure's label comes from the catalogue file, so it is escaped."""
    return md_text(phrase(kpi_label(outlook.measure, outlook.target).replace(" (£m)", "")))


def _section(outlook: Outlook) -> str:
    if outlook.measure in SECTION_OF:
        return SECTION_OF[outlook.measure]
    return "budget" if outlook.target is not None and outlook.target.unit == "gbp_m" else "summary"


def _shown(row: pd.Series, unit: str) -> bool:
    """Would disclosure control show this figure? (Council rates on small denominators and small counts are hidden.)"""
    frame = pd.DataFrame([{"unit": unit, "value": row.get("value"), "numerator": row.get("numerator"),
                           "denominator": row.get("denominator")}])
    return len(disclosure.plottable(frame)) == 1


def _target_messages(outlooks: list[Outlook]) -> list[KeyMessage]:
    judged = sorted(((rag_status(o), i, o) for i, o in enumerate(outlooks)), key=lambda t: (_SEVERITY.get(t[0], 9), t[1]))
    at_risk = [(s, o) for s, _, o in judged if s in (MISSED, RED, AMBER)]
    chosen = at_risk[:3] or [(s, o) for s, _, o in judged if s in (GREEN, MET)][:2]
    messages = []
    for status, outlook in chosen:
        text = _target_sentence(status, outlook)
        if text:
            messages.append(KeyMessage(text, _section(outlook)))
    return messages


def _target_sentence(status: str, outlook: Outlook) -> str | None:
    """The sentence for a target's status, ending with what it assumes when its source left a date or population unstated."""
    sentence = _status_words(status, outlook)
    assumed = assumptions(outlook.target)
    if sentence is None or not assumed:
        return sentence
    what = " and ".join({"date assumed": "the target date", "population assumed": "which plans it counts"}[a] for a in assumed)
    return sentence[:-1] + f" (the source did not state {what}: assumed here)."


def _status_words(status: str, outlook: Outlook) -> str | None:
    target, unit, label = outlook.target, outlook.target.unit, _label(outlook)
    goal = f"{fmt_value(target.target_value, unit)} by {fmt_month(target.target_date)}"
    figure = judged_figure(outlook) if status in (MET, MISSED) else outlook.latest
    if figure is None or not _shown(figure, unit):
        return None
    value = f"{fmt_value(figure['value'], unit)}{_fraction(figure)} in {figure['period']}"
    if status in (MISSED, MET):
        verdict = "Target missed" if status == MISSED else "Target met"
        return f"{verdict}: {label}, {value} (the first figure on or after the target date), against {goal}."
    gap = outlook.gap.iloc[-1]
    required = fmt_value(gap["required"], unit)
    if status == GREEN:
        return f"On track (Green): {label}, {value}, on or ahead of the {required} the path to {goal} asks for by then."
    behind = fmt_size(gap["observed"] - gap["required"], unit)
    why = "; the gap is within the figure's 95% confidence interval" if status == AMBER else ""
    return f"At risk ({status}): {label}, {value}, {behind} behind the {required} the path to {goal} asks for by then{why}."


def _pending_messages(outlooks: list[Outlook]) -> list[KeyMessage]:
    """Targets not measured since their date: the figure is not yet due, or expected and missing."""
    messages = []
    for outlook in outlooks:
        if rag_status(outlook) != NOT_MEASURED or outlook.latest is None or not _shown(outlook.latest, outlook.target.unit):
            continue
        found = standing(outlook)
        unit, latest = outlook.target.unit, outlook.latest
        goal = f"{fmt_value(outlook.target.target_value, unit)} by {fmt_month(outlook.target.target_date)}"
        why = "expected by then and missing" if found.pending == EXPECTED_MISSING else "not yet due"
        messages.append(KeyMessage(f"Not measured since the target date: {_label(outlook)} against {goal}; the figure for a "
                                   f"period after the target date is {why} (due {fmt_month(found.due)}; the last, "
                                   f"{fmt_value(latest['value'], unit)} in {latest['period']}, came before it).", _section(outlook)))
    return messages


def significant(row: pd.Series) -> bool:
    """A change tested and found larger than chance (the test is skipped for small denominators: never significant)."""
    flag = row["change_significant"]
    return flag is not pd.NA and pd.notna(flag) and bool(flag) and pd.notna(row["change"])


def _fraction(row: pd.Series) -> str:
    """`` (783 of 2,354)`` for a proportion with its counts, so a reader sees the size behind a percentage."""
    if pd.isna(row.get("numerator")) or pd.isna(row.get("denominator")):
        return ""
    return f" ({fmt_fraction(row['numerator'], row['denominator'])})"


def _change_words(row: pd.Series, unit: str) -> str:
    verb = "rose" if row["change"] > 0 else "fell"
    return (f"{verb} {fmt_size(row['change'], unit)} to {fmt_value(row['value'], unit)}{_fraction(row)} in {row['period']} "
            f"(from {fmt_value(row['previous_value'], unit)} in {row['previous_period']})")


def _balancing_messages(rows: dict[str, pd.Series]) -> list[KeyMessage]:
    messages = []
    for measure, wrong_way in BALANCING.items():
        row = rows.get(measure)
        if row is None or not significant(row) or (row["change"] > 0) != (wrong_way == "rise"):
            continue
        label = phrase(BY_NAME[measure].label)
        faster = rows.get(FASTER_DECISIONS)
        if faster is not None and significant(faster) and faster["change"] > 0:
            messages.append(KeyMessage(
                f"Read together: {phrase(BY_NAME[FASTER_DECISIONS].label)} {_change_words(faster, 'pct')}, while {label} "
                f"{_change_words(row, 'pct')}; both more than chance would explain. Faster decisions that come with more "
                "refusals are not yet better decisions.", SECTION_OF[measure], (measure, FASTER_DECISIONS)))
            continue
        messages.append(KeyMessage(f"A balancing measure moved the wrong way: {label} {_change_words(row, 'pct')}, more than "
                                   "chance would explain; faster plans must not come from refusing more requests.",
                                   SECTION_OF[measure], (measure,)))
    return messages


def _largest_change(rows: dict[str, pd.Series]) -> list[KeyMessage]:
    candidates = [(abs(float(row["change"])), m, row) for m, row in rows.items()
                  if m not in BALANCING and BY_NAME[m].unit == "pct" and significant(row)]
    if not candidates:
        return []
    _, measure, row = max(candidates, key=lambda c: c[0])
    return [KeyMessage(f"Largest change since the previous period: {phrase(BY_NAME[measure].label)} {_change_words(row, 'pct')}, "
                       "more than chance would explain.", SECTION_OF[measure])]


def _ranks(rows: dict[str, pd.Series]) -> list[KeyMessage]:
    ranked = [(float(row["rank"]) / float(row["of"]), m, row) for m, row in rows.items()
              if BY_NAME[m].higher_is_better is not None and pd.notna(row["rank"]) and pd.notna(row["of"])
              and not (pd.notna(row["denominator"]) and row["denominator"] < MIN_CHANGE_DENOMINATOR)]  # 1 of 1 ranks nothing
    if not ranked:
        return []
    best, worst = min(ranked, key=lambda r: r[0]), max(ranked, key=lambda r: r[0])

    def words(entry) -> str:
        _, measure, row = entry
        return f"{ordinal(int(row['rank']))} of {int(row['of'])} local authorities for {phrase(BY_NAME[measure].label)} ({row['period']})"

    if best[1] == worst[1]:
        return [KeyMessage(f"Rank among local authorities (1 = best): {words(best)}.", "benchmarks")]
    return [KeyMessage(f"Best rank (1 = best): {words(best)}; worst: {words(worst)}.", "benchmarks")]


def _headline(frame: pd.DataFrame) -> list[KeyMessage]:
    area = frame.iloc[0]
    if pd.isna(area["value"]):
        return []
    text = f"{BY_NAME[HEADLINE].label.replace(' (%)', '')}: {fmt_value(area['value'], 'pct')}{_fraction(area)} in {area['period']}"
    england = frame[frame["comparator"] == "England"]
    if england.empty or pd.isna(england.iloc[0]["value"]):
        return [KeyMessage(text + ".", "timeliness")]
    theirs = england.iloc[0]["value"]
    side = "above" if area["value"] > theirs else "below" if area["value"] < theirs else "level with"
    small = pd.notna(area["denominator"]) and area["denominator"] < MIN_CHANGE_DENOMINATOR
    if small:  # a handful of plans: no comparison is read into it
        return [KeyMessage(text + f"; too few plans to compare with England's {fmt_value(theirs, 'pct')}.", "timeliness")]
    return [KeyMessage(text + f", {side} England's {fmt_value(theirs, 'pct')}.", "timeliness")]


def as_of_note(as_of: dt.date) -> str:
    """The line under the heading: what the messages are as of."""
    return f"*From the figures published by {as_of:%d %B %Y}; each links to the section that shows them.*"
