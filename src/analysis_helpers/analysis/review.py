"""The quarterly review's executive summary: one row per KPI, its status and the rule.

Status rules (stated in every report beside the table):

* **Targeted KPIs** (a row in the targets file; *Baseline only* until a figure
  after the baseline is published): RAG against the required
  trajectory at the latest observed period —
  *Green* on or ahead of the required value; *Amber* behind it, but the
  required value lies inside the observed 95% confidence interval (the gap may
  be chance); *Red* behind it by more than the interval. Once the target date
  has passed: *Green* met, *Red* missed.
* **Other KPIs**: the change since the previous period, tested for chance
  (two-proportion z-test or Poisson test at 5%): *Improved*, *Worsened*,
  *No clear change*, or *Changed* where neither direction is better.

Percentages are 0–100.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis_helpers.analysis.compare import compare
from analysis_helpers.analysis.outlook import Outlook, build_outlook
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import Area
from analysis_helpers.domain.measures import BY_NAME, get_measure
from analysis_helpers.domain.targets import read_targets
from analysis_helpers.reporting.narrative import fmt_value

#: KPIs in the executive summary, in order.
SUMMARY_MEASURES = (
    "ehcp_issued_within_20_weeks_pct",
    "ehcp_issued_within_20_weeks_excl_exceptions_pct",
    "ehcp_caseload_mainstream_pct",
    "new_ehcp_mainstream_pct",
    "ehcp_caseload_special_pct",
    "ehc_requests_refused_pct",
    "ehc_requests_count",
    "ehcp_caseload_count",
)
RAG_RULE = (
    "Baseline only: no figure published since the baseline. Green: on or ahead of the required trajectory; Amber: behind it, but within the 95% confidence interval; "
    "Red: behind by more than the interval. After the target date: Green met, Red missed."
)
CHANGE_RULE = "Change since the previous period, tested at 5% (two-proportion z-test; Poisson test for counts)."


def rag_status(outlook: Outlook) -> str:
    """Green / Amber / Red for a targeted KPI (see module docstring)."""
    latest = outlook.latest
    target = outlook.target
    if latest is None or target is None:
        return "No data"
    higher = outlook.higher_is_better
    if outlook.target_passed:
        met = latest["value"] >= target.target_value if higher else latest["value"] <= target.target_value
        return "Green" if met else "Red"
    if outlook.gap.empty:
        return "Baseline only"  # nothing observed since the baseline yet
    row = outlook.gap.iloc[-1]
    ahead = row["observed"] >= row["required"] if higher else row["observed"] <= row["required"]
    if ahead:
        return "Green"
    low, high = latest.get("ci_low"), latest.get("ci_high")
    if pd.notna(low) and pd.notna(high) and low <= row["required"] <= high:
        return "Amber"
    return "Red"


def change_status(area: Area, measure: str, release: Release | None) -> tuple[str, str]:
    """(status, detail) from the change since the previous period."""
    frame = compare(area.name, measure, release=release)
    row = frame.iloc[0]
    if pd.isna(row["change"]):
        return "No comparison", "no earlier period with data"
    m = get_measure(measure)
    significant = row["change_significant"] is True
    if not significant:
        status = "No clear change"
    elif m.higher_is_better is None:
        status = "Changed"
    else:
        better = (row["change"] > 0) == m.higher_is_better
        status = "Improved" if better else "Worsened"
    size = f"{row['change']:+.1f} points" if m.unit == "pct" else f"{row['change']:+,.0f}"
    return status, f"{size} since {row['previous_period']}"


def executive_summary(area: Area, as_of: dt.date, release: Release, targets_path, local=None) -> tuple[pd.DataFrame, list[Outlook]]:
    """One display row per KPI, and the outlooks behind the targeted ones."""
    targets = [t for t in read_targets(targets_path) if _same_area(t.area, area, release)]
    rows, outlooks = [], []
    for measure in SUMMARY_MEASURES:
        m = BY_NAME[measure]
        measure_targets = [t for t in targets if t.measure == measure]
        for target in measure_targets or [None]:
            outlook = build_outlook(area, measure, target, as_of=as_of, release=release, local=local)
            latest = outlook.latest
            summary = outlook.summary()
            if target is not None:
                outlooks.append(outlook)
                status, rule = rag_status(outlook), "RAG against the required trajectory"
            elif release.published is None or release.published <= as_of:
                status, detail = change_status(area, measure, release)
                rule = f"change: {detail}"
            else:
                status, rule = "No data", "release not yet published"
            reached = summary["reached_median"]
            if reached and reached != "not within horizon":
                reached = f"{reached} (80%: {summary['reached_early']}–{summary['reached_late'] or 'beyond horizon'})"
            rows.append(
                {
                    "KPI": m.label + (f" [{target.denominator}]" if target is not None and target.denominator else ""),
                    "Latest": "–" if latest is None else f"{fmt_value(latest['value'], m.unit)} ({latest['period']})",
                    "Baseline": "" if target is None or target.baseline_value is None else f"{fmt_value(target.baseline_value, m.unit)} ({target.baseline_date:%b %Y})",
                    "Target": "" if target is None else f"{fmt_value(target.target_value, m.unit)} by {target.target_date:%b %Y}" + (" (date assumed)" if target.date_assumed else ""),
                    "Required now": "" if pd.isna(summary["required_now"]) else fmt_value(summary["required_now"], m.unit),
                    "Projected to reach target": "" if target is None else (reached or "–"),
                    "Probability on time": "" if pd.isna(summary["probability_by_target_date"]) else f"{summary['probability_by_target_date']:.0%}",
                    "Status": status,
                    "Basis of status": rule,
                }
            )
    for target in [t for t in targets if t.measure not in BY_NAME]:
        outlook = build_outlook(area, target.measure, target, as_of=as_of, release=release, local=local)
        outlooks.append(outlook)
        latest = outlook.latest
        unit = target.unit if target.unit != "gbp_m" else "count"
        prefix = "£" if target.unit == "gbp_m" else ""
        suffix = "m" if target.unit == "gbp_m" else ""
        rows.append(
            {
                "KPI": target.measure.replace("_", " ") + " (council figures)",
                "Latest": "–" if latest is None else f"{prefix}{fmt_value(latest['value'], unit)}{suffix} ({latest['period']})",
                "Baseline": "" if target.baseline_value is None else f"{prefix}{fmt_value(target.baseline_value, unit)}{suffix} ({target.baseline_date:%b %Y})",
                "Target": f"{prefix}{fmt_value(target.target_value, unit)}{suffix} by {target.target_date:%b %Y}",
                "Required now": "" if outlook.gap.empty else f"{prefix}{fmt_value(outlook.gap['required'].iloc[-1], unit)}{suffix}",
                "Projected to reach target": "–" if outlook.projection is None else (outlook.summary()["reached_median"] or "–"),
                "Probability on time": "",
                "Status": rag_status(outlook),
                "Basis of status": "RAG against the required trajectory" + ("" if outlook.projection else "; too few points to project"),
            }
        )
    return pd.DataFrame(rows), outlooks


def _same_area(text: str, area: Area, release: Release) -> bool:
    from analysis_helpers.domain.kpis import areas_for

    try:
        return areas_for(release).get(text).code == area.code
    except Exception:  # an unknown area in the targets file belongs to no report
        return False
