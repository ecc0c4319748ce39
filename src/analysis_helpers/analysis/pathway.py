"""The EHC pathway's statutory clocks, side by side, against England, the region and neighbours.

A family's way through the EHC process meets four clocks, in this order:

1. the decision whether to assess, due within 6 weeks of the request;
2. the plan, due within 20 weeks of the request;
3. plans that took more than a year (the long tail of the same clock);
4. the decision after an annual review meeting, due within 4 weeks of it.

:func:`pathway_table` gives one row a clock, plus the share of requests refused
as the balancing measure (a faster pathway must not come from refusing more
requests), each for the latest period the area has, with its numerator,
denominator and 95% interval, England's, the region's and the statistical
neighbours' median figure, the area's rank among LAs, and where it lies on the
funnel around England (95% and 99.8% limits: is the gap beyond chance?). An
LA's position is read on limits widened by the variation between LAs when they
differ more than chance makes them (:mod:`.funnel`; ``funnel_limits`` is then
``"adjusted"``), on binomial limits otherwise (``"binomial"``, as for a region). The
gap to England is in points and signed so that positive is better for the
family (for "more than a year", lower is better), so the clock with the most
negative gap is where the area loses most time against England.

The 20-week clock is the measure with exceptions included, so that it and the
"more than a year" tail share one denominator (all plans issued).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.analysis.compare import SN_MEDIAN, compare
from analysis_helpers.analysis.funnel import funnel_for, place
from analysis_helpers.core.intervals import funnel_position
from analysis_helpers.data.neighbours import DEFAULT_VINTAGE
from analysis_helpers.data.release import Release
from analysis_helpers.domain.measures import TIMELINESS_MEASURE, get_measure

#: The clocks in the order a family meets them: measure and the stage's short name.
CLOCKS: tuple[tuple[str, str], ...] = (
    ("ehc_requests_decided_within_6_weeks_pct", "Request decided within 6 weeks"),
    (TIMELINESS_MEASURE, "Plan issued within 20 weeks"),
    ("ehcp_issued_over_1_year_pct", "Plan took more than a year"),
    ("annual_reviews_decided_within_4_weeks_pct", "Annual review decided within 4 weeks"),
)
#: The balancing measure shown beside the clocks.
BALANCING: tuple[str, str] = ("ehc_requests_refused_pct", "Requests refused (balancing measure)")

PATHWAY_COLUMNS = [
    "stage", "measure", "role", "higher_is_better", "period", "value", "numerator", "denominator", "ci_low", "ci_high",
    "england", "region", "neighbours_median", "rank", "of", "gap_to_england", "funnel", "funnel_limits", "note",
]


def pathway_table(area: str, neighbours: str = DEFAULT_VINTAGE, *, release: Release) -> pd.DataFrame:
    """One row per clock (in pathway order) and one for the balancing measure; see the module docstring."""
    rows = [_row(area, measure, stage, "clock", neighbours, release) for measure, stage in CLOCKS]
    rows.append(_row(area, *BALANCING, "balancing", neighbours, release))
    return pd.DataFrame(rows, columns=PATHWAY_COLUMNS)


def widest_gap(table: pd.DataFrame) -> pd.Series | None:
    """The clock where the area is furthest behind England (most negative gap), or None if it is behind on none."""
    clocks = table[(table["role"] == "clock") & table["gap_to_england"].notna()]
    if clocks.empty or clocks["gap_to_england"].min() >= 0:
        return None
    return clocks.loc[clocks["gap_to_england"].idxmin()]


def _row(area: str, measure: str, stage: str, role: str, neighbours: str, release: Release | None) -> dict:
    frame = compare(area, measure, neighbours=neighbours, release=release).set_index("comparator")
    mine = frame.loc["Area"]
    better = get_measure(measure).higher_is_better

    def value_of(label: str) -> float:
        return float(frame.loc[label, "value"]) if label in frame.index else np.nan

    england = value_of("England")
    gap = mine["value"] - england if better is not None else np.nan
    if better is False:
        gap = -gap
    funnel, basis = "", ""
    if not (pd.isna(mine["value"]) or pd.isna(england) or pd.isna(mine["denominator"])) and "England" in frame.index:
        las, found, _ = funnel_for(measure, mine["period"], release)
        if mine["area_code"] in set(las["area_code"]):  # an LA: its place among LAs, allowing for their spread
            funnel = place(float(mine["value"]), float(mine["denominator"]), found)
            basis = "adjusted" if found.overdispersed else "binomial"
        else:
            funnel, basis = funnel_position(float(mine["value"]), float(mine["denominator"]), england), "binomial"
    return {
        "stage": stage, "measure": measure, "role": role, "higher_is_better": better, "period": mine["period"],
        **{c: mine[c] for c in ("value", "numerator", "denominator", "ci_low", "ci_high", "rank", "of")},
        "england": england, "region": value_of("Region"), "neighbours_median": value_of(SN_MEDIAN),
        "gap_to_england": gap, "funnel": funnel, "funnel_limits": basis,
        "note": mine["note"] if isinstance(mine["note"], str) else "",
    }
