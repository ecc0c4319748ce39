"""What a high-needs outlook starts from, gathered for one LA: caseload by placement type (counted, then
projected), unit costs, the spend that pays for no placement, the high-needs block, the latest cumulative deficit
and, where the area has a safety-valve agreement, its contributions and target year.

* **Years** are financial years, named by the calendar year they start in (2025 is 2025-26). A financial year's
  plans are those of the January census in the year it starts, as DfE's benchmarking file pairs its 2021-22 spend
  with the January 2021 census: 2025-26 is costed on January 2025's count, the last counted, and 2026-27 on is
  projected (:mod:`~analysis_helpers.analysis.caseload`, each type's model chosen by the all-LA backtest).
* **Unit costs** are the LA's 2021-22 figures (:mod:`~analysis_helpers.analysis.unit_costs`) for the benchmarking
  type each placement type falls in (:data:`COST_TYPE`), England's median where the LA's figure is flagged
  missing or implausible (the reason is kept). Two types cost nothing a plan (:data:`UNCOSTED`): AP and PRUs,
  whose spend mostly pays for pupils without a plan and stays in services, and ``other_or_none``, which no line
  pays for.
* **Services**: the LA's 2021-22 high-needs outturn (net of top-up income, the seven lines' totals) less the
  lines that pay for the costed types: SEN support, therapies, early years, AP and hospital places and services,
  grown with costs only. Where the LA's own unit costs are used, the base year's spend is the file's total (but
  for the difference between the file's placement counts and SEN2's).
* **Income**: the high-needs block after recoupment and deductions, 2021-22 to 2023-24 as allocated.
* **The start**: the council's own latest cumulative outturn where its feed has one (never a forecast), else
  DfE's 2021-22 cumulative DSG balance (% of income) times that year's total DSG before recoupment.
* **Safety valve**: the targets file's ``high_needs_deficit_gbp_m`` target (zero by its date) gives the target
  year; the feed's ``safety_valve_*_contribution_gbp_m`` totals are spread evenly over the years from the one
  they are dated to the target year (the terms publish totals, not instalments).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis_helpers.analysis.caseload import point_forecast
from analysis_helpers.analysis.caseload_models import GRID, LAST_YEAR, cached_history, caseload_models, factor_lookup, factors_at
from analysis_helpers.analysis.unit_costs import unit_costs
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import DSG_ALLOCATION_FILES
from analysis_helpers.core.vintage import dfe_publication_after, ended_by, public_by
from analysis_helpers.data.dsg import dsg_table
from analysis_helpers.data.dsg_allocations import high_needs_allocations, published_files
from analysis_helpers.data.high_needs import spend as high_needs_spend
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area
from analysis_helpers.domain.caseload_history import TOTAL
from analysis_helpers.domain.outlook_files import Assumption
from analysis_helpers.domain.placements import PLACEMENTS

#: The placement types an outlook costs, and the benchmarking type whose unit cost each takes.
COST_TYPE = {"mainstream": "mainstream_and_resourced", "resourced_units": "mainstream_and_resourced",
             "state_special": "maintained_special", "independent_special": "nmss_independent",
             "non_maintained_special": "nmss_independent", "ap_pru": None, "post_16": "post_16", "other_or_none": None}
#: Why a type without a cost type costs nothing a placement.
UNCOSTED = {"ap_pru": "held in services: AP and hospital places are mostly taken by pupils without an EHC plan, so their "
                      "spend is not a cost per plan",
            "other_or_none": "no spend line pays for these placements"}
TYPES = tuple(name for name, _, _ in PLACEMENTS)
BASE_YEAR = 2021  # 2021-22: the benchmarking file's year
DEFICIT_MEASURE = "high_needs_deficit_gbp_m"
OWN_FIGURE = "the LA's 2021-22 figure"


@dataclass(frozen=True)
class Start:
    year: int  # the financial year the cumulative deficit is at the end of
    deficit: float  # £, positive = deficit
    source: str


@dataclass(frozen=True)
class OutlookInputs:
    area: str
    last_census: int
    counted: pd.DataFrame  # a row a January (year), a column a type: the counts
    projected: pd.DataFrame  # the same, the model's forecasts (before the median correction) after last_census
    factors: dict[tuple[str, int], np.ndarray]  # (type, horizon) -> factors at GRID
    bounds: dict[tuple[str, int], tuple[float, float, float]]  # (type, horizon) -> factors: 80% low, median, 80% high
    models: dict[str, str]
    unit_cost: dict[str, float]
    unit_cost_basis: dict[str, str]
    services: float
    income: dict[int, float]
    start: Start
    assumptions: dict[str, Assumption]
    contributions: dict[int, float] = field(default_factory=dict)
    target_year: int | None = None

    @property
    def years(self) -> range:
        return range(BASE_YEAR, LAST_YEAR + 1)


def outlook_inputs(release: Release, area: Area, assumptions: dict[str, Assumption], feed: pd.DataFrame | None = None,
                   targets: list | None = None, as_of: dt.date | None = None) -> OutlookInputs:
    """The inputs of ``area``'s outlook (an LA's); one line naming what is missing if it cannot be costed. With
    ``as_of``, only what was public then: the Januaries DfE had published (each the June after), the DSG allocation
    files published by then (the date in each file's name) and the feed's figures for periods ended by then. The
    2021-22 benchmarking file and DfE's balance table carry no date and are always read."""
    if feed is not None and len(feed):
        feed = feed[ended_by(feed["period_end"], as_of)]
    if area.level != LOCAL_AUTHORITY or not area.la_number:
        raise DataValidationError(f"{area.name}: a high-needs outlook is for a local authority (DfE's spend and grant are by LA)")
    counted, projected, factors, bounds, models, last = _caseload(release, area, as_of)
    costs = unit_costs()
    mine = costs[costs["la_number"] == area.la_number].set_index("placement")
    if mine.empty:
        raise DataValidationError(f"{area.name}: not in DfE's 2021-22 high-needs benchmarking file (LA {area.la_number}), "
                                  "so there are no unit costs to project spend from")
    unit, basis = {}, {}
    for placement, cost_type in COST_TYPE.items():
        unit[placement], basis[placement] = _unit_cost(mine, cost_type)
        basis[placement] = basis[placement] or UNCOSTED[placement]
    lines = high_needs_spend(basis="outturn")
    lines = lines[lines["la_number"] == area.la_number]
    total = lines.loc[lines["phase"] == "total", "amount"].sum(min_count=1)
    if pd.isna(total):
        raise DataValidationError(f"{area.name}: the 2021-22 benchmarking file has no high-needs outturn for LA {area.la_number}")
    costed = set(filter(None, COST_TYPE.values()))
    services = float(total - mine.loc[mine.index.isin(costed), "spend"].fillna(0).sum())
    return OutlookInputs(area.name, last, counted, projected, factors, bounds, models, unit, basis, services,
                         _income(area, as_of), _start(area, feed), assumptions, *_safety_valve(feed, targets))


def _caseload(release: Release, area: Area, as_of: dt.date | None):
    history = cached_history(release)
    public = [y for y in sorted(set(history["year"])) if public_by(dfe_publication_after(dt.date(y, 1, 31)), as_of)]
    if not public:
        raise DataValidationError(f"no January census DfE had published by {as_of} (the first, January {history['year'].min()}, "
                                  "was published the June after)")
    history = history[history["year"] <= public[-1]]
    las = history[history["geographic_level"] == LOCAL_AUTHORITY]
    newest = int(history["year"].max())
    mine = las[(las["area_code"] == area.code) & (las["series"] != TOTAL)].dropna(subset=["count"])
    if mine.empty:
        raise DataValidationError(f"{area.name}: no January census counts of plans by placement in the release")
    last = int(mine["year"].max())  # the area's own latest counts by placement: a January DfE left blank is not zero
    if last < newest - 1:
        raise DataValidationError(f"{area.name}: no count of plans since January {last} (DfE's latest is January {newest}; "
                                  "an LA replaced since has no outlook of its own)")
    table = caseload_models(release, last)
    lookup = release.remember(("caseload_factor_lookup", last), lambda: factor_lookup(table))
    chosen = dict(zip(table["series"], table["model"], strict=True))
    own_counts = mine.pivot_table(index="series", columns="year", values="count", aggfunc="first")
    england_counts = history[history["geographic_level"] == "National"].pivot_table(
        index="series", columns="year", values="count", aggfunc="first")
    counted, projected, factors, bounds, models = {}, {}, {}, {}, {}
    for placement in TYPES:
        models[placement] = str(chosen.get(placement, "same_count"))
        # one row, as wide() gives for one area: the area's counts of the type by year
        own = own_counts.loc[[placement]].rename(index={placement: area.code}) if placement in own_counts.index else own_counts.iloc[:0]
        england = england_counts.loc[placement]
        counted[placement] = own.iloc[0] if len(own) else pd.Series(dtype=float)
        projected[placement] = {}
        for horizon in range(1, LAST_YEAR - last + 1):
            projected[placement][last + horizon] = (point_forecast(own, england, last, horizon, models[placement]).iloc[0]
                                                    if len(own) else np.nan)
            factors[(placement, horizon)] = np.array(factors_at(lookup, placement, horizon, GRID))
            bounds[(placement, horizon)] = tuple(factors_at(lookup, placement, horizon, (0.1, 0.5, 0.9)))
    return pd.DataFrame(counted), pd.DataFrame(projected), factors, bounds, models, last


def _unit_cost(mine: pd.DataFrame, cost_type: str | None) -> tuple[float, str]:
    if cost_type is None:
        return 0.0, ""
    row = mine.loc[cost_type]
    flag = str(row["flag"])
    if flag == "":
        return float(row["unit_cost"]), OWN_FIGURE
    return float(row["england_median"]), f"England's median: the LA's figure is {flag.split(': ', 1)[0]} ({flag.split(': ', 1)[-1]})"


def _income(area: Area, as_of: dt.date | None) -> dict[int, float]:
    published = published_files(as_of)
    if not published:
        raise DataValidationError(f"no DSG allocation file had been published by {as_of} (the first is {DSG_ALLOCATION_FILES[0].name})")
    table = high_needs_allocations(published)
    mine = table[(table["level"] == LOCAL_AUTHORITY) & (table["la_number"] == area.la_number)]
    return {int(year[:4]): float(value) for year, value in zip(mine["financial_year"], mine["high_needs_block"], strict=True)
            if not pd.isna(value)}


def _start(area: Area, feed: pd.DataFrame | None) -> Start:
    if feed is not None and len(feed):
        rows = feed[(feed["measure"] == DEFICIT_MEASURE) & feed["preferred"] & (feed["basis_kind"] == "cumulative")]
        if len(rows):
            last = rows.sort_values("period_end").iloc[-1]
            end = pd.Timestamp(last["period_end"])
            year = end.year - 1 if end.month <= 3 else end.year
            return Start(year, float(last["value"]) * 1e6, f"the council's outturn ({last['file']} row {last['row']})")
    dsg = dsg_table()
    hit = dsg[(dsg["level"] == LOCAL_AUTHORITY) & (dsg["financial_year"] == "2021-22") & (dsg["name"] == area.name)]
    allocations = high_needs_allocations()
    total = allocations[(allocations["la_number"] == area.la_number) & (allocations["financial_year"] == "2021-22")]
    if hit.empty or total.empty or pd.isna(hit["deficit_pct"].iloc[0]):
        raise DataValidationError(f"{area.name}: no cumulative DSG balance for 2021-22 in DfE's table and none in the council's feed")
    pct, income = float(hit["deficit_pct"].iloc[0]), float(total["total_dsg"].iloc[0])
    return Start(BASE_YEAR, pct / 100 * income, f"DfE's 2021-22 cumulative DSG balance ({pct:g}% of £{income:,.0f} income)")


def _safety_valve(feed: pd.DataFrame | None, targets: list | None) -> tuple[dict[int, float], int | None]:
    target = next((t for t in targets or [] if t.measure == DEFICIT_MEASURE and t.target_value == 0), None)
    if target is None:
        return {}, None
    due: dt.date = target.target_date
    target_year = due.year - 1 if due.month <= 3 else due.year
    contributions: dict[int, float] = {}
    if feed is not None and len(feed):
        rows = feed[feed["measure"].str.match(r"^safety_valve_\w+_contribution_gbp_m$") & feed["preferred"]]
        for _, row in rows.iterrows():
            end = pd.Timestamp(row["period_end"])
            first = end.year - 1 if end.month <= 3 else end.year
            years = range(first, target_year + 1)
            for year in years:
                contributions[year] = contributions.get(year, 0.0) + float(row["value"]) * 1e6 / len(years)
    return contributions, target_year
