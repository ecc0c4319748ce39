"""Comparators: England, the region, statistical neighbours, rank and quartile.

For one area, measure and period, :func:`compare` returns one row per
comparator:

* ``Area`` — the area itself, with its rank among all LAs with data
  (1 = best; for measures where neither direction is better, 1 = highest),
  ``of`` (how many LAs had data) and the quartile band A–D (A = best quarter);
* ``England`` and ``Region``;
* ``Statistical neighbours (mean)`` — the simple mean of the neighbours' values
  that exist, as DfE's Local Authority Interactive Tool (LAIT) computes it;
* ``Statistical neighbours (median)``;
* ``Neighbour 1`` … ``Neighbour 10`` — each neighbour, closest first.

The area row also carries the change since the previous period and whether it
is larger than chance: for proportions, a two-sided two-proportion z-test
(pooled variance; :func:`~analysis_helpers.analysis.significance.two_proportion_test`)
at the 5% level; for counts, an exact conditional test of two Poisson counts
(the binomial test of one count given their sum). The test used
is named in ``change_test``. A change in a percentage whose denominator is below
:data:`MIN_CHANGE_DENOMINATOR` in either period is not tested (``change_test``
says so; ``change_significant`` is False), so it is never called *Improved* or
*Worsened*.

Percentages are 0–100.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from analysis_helpers.analysis.significance import Z_TEST, two_proportion_test
from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.formatting import fmt_count
from analysis_helpers.data.neighbours import DEFAULT_VINTAGE, neighbours_of
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area, areas_for
from analysis_helpers.domain.kpis import kpi_table
from analysis_helpers.domain.measures import Measure, get_measure

COMPARE_COLUMNS = [
    "comparator",
    "area_code",
    "area_name",
    "period",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "n_areas",
    "rank",
    "of",
    "quartile",
    "previous_period",
    "previous_value",
    "change",
    "change_p_value",
    "change_significant",
    "change_test",
    "note",
]
SN_MEAN = "Statistical neighbours (mean)"
SN_MEDIAN = "Statistical neighbours (median)"
QUARTILES = ("A", "B", "C", "D")
SIGNIFICANCE_LEVEL = 0.05
#: A change in a percentage is tested only when both periods' denominators are at least this: below it one
#: plan moves the figure by more than 10 points and the z-test's normal approximation does not hold
#: (the Isles of Scilly's "100.0% (1 of 1)" is no evidence of improvement). Stated in the caveats and CHANGE_RULE.
MIN_CHANGE_DENOMINATOR = 10
#: The name of the test of a change in a count (in ``change_test`` and the glossary).
POISSON_TEST = "Poisson (conditional binomial) test"


def poisson_change_test(count_now: float, count_before: float) -> float:
    """Two-sided p-value that two counts come from the same Poisson rate."""
    if any(math.isnan(v) for v in (count_now, count_before)) or count_now + count_before <= 0:
        return math.nan
    return float(binomtest(int(count_now), int(count_now + count_before), 0.5).pvalue)


def rank_values(values: pd.Series, higher_is_better: bool | None) -> pd.Series:
    """Rank 1 = best (or highest when direction is None); ties share the best rank."""
    ascending = higher_is_better is False
    return values.rank(method="min", ascending=ascending)


def quartile_band(rank: float, of: int) -> str:
    """A (best quarter) … D (worst quarter) from a rank among ``of`` areas."""
    if of <= 0 or math.isnan(rank):
        return ""
    return QUARTILES[min(3, int(math.ceil(4 * rank / of)) - 1)]


def la_values(measure: str, period: str, release: Release) -> pd.DataFrame:
    """KPI rows of every LA with a value for the measure and period."""
    table = kpi_table(release)
    return _la_rows(table[table["measure"] == measure], period)


def latest_period(area: Area, measure: str, release: Release) -> str:
    """The latest period with a value for the area and measure."""
    table = kpi_table(release)
    return _latest_period(table[table["measure"] == measure], area, measure)


# compare() filters the KPI table by measure once and hands these the measure's rows (a full-table
# string comparison each time cost about 5 ms, and a review makes about 50 comparisons)
def _la_rows(series: pd.DataFrame, period: str) -> pd.DataFrame:
    rows = series[(series["period"] == period) & (series["geographic_level"] == LOCAL_AUTHORITY)]
    return rows.dropna(subset=["value"])


def _latest_period(series: pd.DataFrame, area: Area, measure: str) -> str:
    rows = series[series["area_code"] == area.code].dropna(subset=["value"])
    if rows.empty:
        raise ParameterError(f"{area.name} has no published value for {measure} in this release")
    return rows.sort_values("period_end")["period"].iloc[-1]


def compare(
    area: str,
    measure: str,
    period: str | None = None,
    neighbours: str = DEFAULT_VINTAGE,
    *, release: Release,
) -> pd.DataFrame:
    """Comparator rows for one area, measure and period (default: latest with data). What every area's comparison
    shares (the measure's rows, its periods, each period's rows and LA ranks) is split off once a release."""
    m = get_measure(measure)
    return _compare(areas_for(release).get(area), m, period, neighbours, release)


def _measure_rows(release: Release, measure: str) -> tuple[pd.DataFrame, list[str]]:
    """The KPI table's rows of one measure and its periods in order, split off once a release (the split, a
    string comparison over the whole table, cost about 5 ms a comparison)."""
    def split() -> dict[str, pd.DataFrame]:
        table = kpi_table(release)
        return {str(name): rows for name, rows in table.groupby("measure", sort=False)}

    series = release.remember(("kpi_rows_by_measure",), split).get(measure)
    if series is None:
        series = kpi_table(release).iloc[:0]
    return series, series.sort_values("period_end")["period"].drop_duplicates().tolist()


def _compare(target: Area, m: Measure, period: str | None, neighbours: str, release: Release) -> pd.DataFrame:
    areas = areas_for(release)
    series, periods = release.remember(("kpi_measure_periods", m.name), lambda: _measure_rows(release, m.name))
    if period is None:
        try:
            period = _latest_period(series, target, m.name)
        except ParameterError:  # the area never published this measure: show the comparators anyway
            period = periods[-1]
    elif period not in periods:
        raise ParameterError(f"period {period!r} is not in the data for {m.name}; periods: {', '.join(periods)}")

    current = release.remember(("kpi_period_rows", m.name, period),
                               lambda: series[series["period"] == period].set_index("area_code"))
    rows: list[dict] = []

    def row_for(label: str, code: str | None, name: str, note: str = "") -> dict:
        record = {c: np.nan for c in COMPARE_COLUMNS}
        record.update(comparator=label, area_code=code or "", area_name=name, period=period, note=note)
        record.update(change_test="", quartile="", previous_period="", change_significant=pd.NA)
        if code and code in current.index:
            hit = current.loc[code]
            for column in ("value", "numerator", "denominator", "ci_low", "ci_high"):
                record[column] = hit[column]
            if pd.isna(hit["value"]) and not note:
                record["note"] = "unavailable (x) in the release"
        elif code and not note:
            record["note"] = "no row for this area and period in the release"
        return record

    area_row = row_for("Area", target.code, target.name)
    if target.level == LOCAL_AUTHORITY:
        ranks = release.remember(("la_ranks", m.name, period), lambda: rank_values(
            _la_rows(series, period).set_index("area_code")["value"], m.higher_is_better))
        if target.code in ranks.index:
            area_row["rank"] = ranks[target.code]
            area_row["of"] = len(ranks)
            area_row["quartile"] = quartile_band(ranks[target.code], len(ranks))
    _add_change(area_row, series, target, period, periods, m)
    rows.append(area_row)

    england = areas.england()
    if target.code != england.code:
        rows.append(row_for("England", england.code, england.name))
    region = areas.region_of(target)
    if region is not None:
        rows.append(row_for("Region", region.code, region.name))

    if target.level == LOCAL_AUTHORITY:
        neighbour_rows = []
        # the list is read once a run (kept on the release with its other lookups), not once a comparison
        for n in release.remember(("neighbours", target.la_number, neighbours), lambda: neighbours_of(target.la_number, neighbours)):
            found = areas.by_la_number(n.la_number)
            label = f"Neighbour {n.rank}" + (f" ({n.closeness.lower()})" if n.closeness else "")
            if found is None:
                neighbour_rows.append(row_for(label, None, n.name, note="not in this release (reorganised or renamed)"))
            else:
                neighbour_rows.append(row_for(label, found.code, found.name))
        values = pd.Series([r["value"] for r in neighbour_rows], dtype=float).dropna()
        mean_row = row_for(SN_MEAN, None, f"{len(values)} of {len(neighbour_rows)} neighbours with data")
        median_row = row_for(SN_MEDIAN, None, f"{len(values)} of {len(neighbour_rows)} neighbours with data")
        mean_row["value"] = values.mean() if len(values) else np.nan
        median_row["value"] = values.median() if len(values) else np.nan
        mean_row["n_areas"] = median_row["n_areas"] = len(values)
        if not neighbour_rows:
            mean_row["note"] = median_row["note"] = f"no {neighbours} statistical neighbour list for this LA"
        rows += [mean_row, median_row, *neighbour_rows]

    frame = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    return frame


def _add_change(record: dict, series: pd.DataFrame, area: Area, period: str, periods: list[str], m: Measure) -> None:
    position = periods.index(period)
    if position == 0:
        record["note"] = (record["note"] + "; " if record["note"] else "") + "no earlier period to compare"
        return
    previous = periods[position - 1]
    before = series[(series["area_code"] == area.code) & (series["period"] == previous)]
    if before.empty or pd.isna(before["value"].iloc[0]) or pd.isna(record["value"]):
        return
    prior = before.iloc[0]
    record["previous_period"] = previous
    record["previous_value"] = prior["value"]
    record["change"] = record["value"] - prior["value"]
    if m.unit == "pct" and min(record["denominator"], prior["denominator"]) < MIN_CHANGE_DENOMINATOR:
        p = np.nan  # too few to test: the change is shown, never called a real change
        record["change_test"] = (f"not tested: fewer than {MIN_CHANGE_DENOMINATOR} in a denominator "
                                 f"({fmt_count(prior['denominator'])} then {fmt_count(record['denominator'])})")
        record["change_p_value"], record["change_significant"] = p, False
        return
    if m.unit == "pct":
        p = two_proportion_test(record["numerator"], record["denominator"], prior["numerator"], prior["denominator"])
        record["change_test"] = Z_TEST
    else:
        p = poisson_change_test(record["value"], prior["value"])
        record["change_test"] = POISSON_TEST
    record["change_p_value"] = p
    record["change_significant"] = bool(p < SIGNIFICANCE_LEVEL) if not math.isnan(p) else pd.NA
