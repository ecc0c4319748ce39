"""The quarterly review's executive summary: one row per KPI, written for people.

Rows come in the order of :data:`SUMMARY_MEASURES` (DfE statistics), then one
row for each target on a measure only the council publishes. Each row gives the
latest figure, the baseline (resolved from the data when the targets file leaves
it blank) and target, where the required trajectory says it should be on the
review's data date, when the projection reaches the target, the probability of
meeting it on time (neither for a target whose date has passed), the status with
any assumption it rests on, and the rule that gave it (the rules are in
:mod:`analysis_helpers.analysis.status`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis_helpers.analysis.outlook import Outlook, build_outlook
from analysis_helpers.analysis.status import NO_DATA, assumptions, change_status, rag_status, status_cell
from analysis_helpers.analysis.trajectory import required_value
from analysis_helpers.core.formatting import fmt_change, fmt_month, fmt_probability, fmt_value
from analysis_helpers.core.vintage import public_by
from analysis_helpers.data.local_feed import LOCAL_MEASURES
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import Area, areas_for
from analysis_helpers.domain.measures import BY_NAME, HEADLINE_MEASURE, TIMELINESS_MEASURE
from analysis_helpers.domain.targets import Target, for_area, read_targets

#: KPIs in the executive summary, in order.
SUMMARY_MEASURES = (
    TIMELINESS_MEASURE,
    HEADLINE_MEASURE,
    "ehc_requests_decided_within_6_weeks_pct",
    "ehcp_issued_over_1_year_pct",
    "annual_reviews_decided_within_4_weeks_pct",
    "ehcp_caseload_mainstream_pct",
    "new_ehcp_mainstream_pct",
    "ehcp_caseload_special_pct",
    "ehc_requests_refused_pct",
    "send_tribunal_appeal_rate_pct",
    "ehc_requests_count",
    "ehcp_caseload_count",
)
RAG_BASIS = "RAG against the required trajectory"
SUMMARY_COLUMNS = [
    "KPI", "Latest", "Baseline", "Target", "Required now", "Projected to reach target", "Probability on time", "Status",
    "Basis of status",
]


def executive_summary(area: Area, as_of: dt.date, release: Release, targets_path, local=None) -> tuple[pd.DataFrame, list[Outlook]]:
    """One display row per KPI (indexed by measure name), and the outlooks behind the targeted ones."""
    targets = for_area(read_targets(targets_path), area.code, areas_for(release).get, targets_path)
    rows, outlooks, measures = [], [], []
    for measure in SUMMARY_MEASURES:
        unit = BY_NAME[measure].unit
        label = BY_NAME[measure].label
        dfe_targets = [t for t in targets if t.measure == measure and t.series == "dfe"]
        for target in dfe_targets or [None]:
            outlook = build_outlook(area, measure, target, as_of=as_of, release=release, local=local)
            if target is not None:
                outlooks.append(outlook)
                status, basis = rag_status(outlook), RAG_BASIS
            elif public_by(release.published, as_of):
                change = change_status(area, measure, release)
                status = change.status
                basis = "change: " + (
                    "no earlier period with data" if change.change is None
                    else f"{fmt_change(change.change, unit)} since {change.previous_period}"
                )
            else:
                status, basis = NO_DATA, "release not yet published"
            rows.append(_row(label + (f" [{target.denominator}]" if target is not None and target.denominator else ""),
                             outlook, target, unit, status, basis))
            measures.append(measure)
        for target in [t for t in targets if t.measure == measure and t.series == "council"]:
            outlook = build_outlook(area, measure, target, as_of=as_of, release=release, local=local)
            outlooks.append(outlook)
            rows.append(_row(kpi_label(measure, target), outlook, target, unit, rag_status(outlook),
                             RAG_BASIS + " (on the council's own series)", probability=outlook.projection is not None))
            measures.append(measure)
    for target in [t for t in targets if t.measure not in BY_NAME]:
        outlook = build_outlook(area, target.measure, target, as_of=as_of, release=release, local=local)
        outlooks.append(outlook)
        basis = RAG_BASIS + ("" if outlook.projection else "; too few points to project")
        rows.append(_row(kpi_label(target.measure, target), outlook, target, target.unit, rag_status(outlook), basis, probability=False))
        measures.append(target.measure)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS, index=pd.Index(measures, name="measure")), outlooks


def headline(summary: pd.DataFrame) -> list[dict]:
    """What the quarter index (and the next review's "what changed") reads of a review: each row's measure, KPI, latest
    figure, status (without the assumptions the status cell adds, kept in ``status_note``) and whether a target judged it."""
    return [
        {"measure": measure, "kpi": row["KPI"], "latest": row["Latest"], "status": base_status(row["Status"]),
         "status_note": row["Status"][len(base_status(row["Status"])):].strip(" ()"),
         "targeted": row["Basis of status"].startswith(RAG_BASIS)}
        for measure, row in summary.iterrows()
    ]


def base_status(cell: str) -> str:
    """A status cell without the assumptions it names: ``Missed (population assumed)`` -> ``Missed``."""
    return cell.split(" (", 1)[0]


def kpi_label(measure: str, target: Target | None) -> str:
    """A KPI's label in the status table: DfE's measure label, saying so when a target tracks it on the council's
    monthly figures; a measure only councils publish is labelled from the catalogue, "(council figures)"."""
    if measure in BY_NAME:
        label = BY_NAME[measure].label
        return label + (" (council monthly figures)" if target is not None and target.series == "council" else "")
    label = LOCAL_MEASURES[measure][1] if measure in LOCAL_MEASURES else measure.replace("_", " ")
    return f"{label} (council figures)"


def _row(label: str, outlook: Outlook, target: Target | None, unit: str, status: str, basis: str, probability: bool = True) -> dict:
    """A display row; ``probability=False`` for council-only measures, whose projections carry no probability yet.

    The baseline is the outlook's (filled from the data when the targets file leaves it blank); "Required now" is the
    required path's value on the data date, and for a target whose date has passed neither it, the projected date nor
    a probability is given."""
    latest, summary = outlook.latest, outlook.summary()
    target = outlook.target if target is not None and outlook.target is not None else target
    expired = target is not None and outlook.target_expired
    reached = summary["reached_median"]
    if reached and reached != "not within horizon":
        reached = f"{reached} (80%: {summary['reached_early']}–{summary['reached_late'] or 'beyond horizon'})"
    has_baseline = target is not None and target.baseline_value is not None
    required_now = "" if not has_baseline or expired else fmt_value(required_value(target, outlook.as_of or dt.date.today()), unit)
    return {
        "KPI": label,
        "Latest": "–" if latest is None else f"{fmt_value(latest['value'], unit)} ({latest['period']})",
        "Baseline": f"{fmt_value(target.baseline_value, unit)} ({fmt_month(target.baseline_date)})" if has_baseline else "",
        "Target": "" if target is None else (
            f"{fmt_value(target.target_value, unit)} by {fmt_month(target.target_date)}"
            + (" (date assumed)" if target.date_assumed else "")
        ),
        "Required now": required_now,
        "Projected to reach target": "" if target is None or expired else (reached or "–"),
        "Probability on time": fmt_probability(summary["probability_by_target_date"]) if probability and not expired else "",
        "Status": status_cell(status, assumptions(target)) if target is not None else status,
        "Basis of status": basis,
    }
