"""The high-needs outlook: caseload by placement type x unit cost = spend; spend less the high-needs block = the
in-year gap; the gaps, less any safety-valve contributions, added to the latest cumulative deficit.

For each financial year from 2021-22 to 2029-30 (:mod:`~analysis_helpers.analysis.high_needs_inputs` says where
each input comes from)::

    spend(y)      = sum over types of caseload(type, y) x unit_cost(type) x (1 + cost growth)^(y - 2021)
                    + services x (1 + cost growth)^(y - 2021)
    income(y)     = the high-needs block as allocated (to 2023-24), then grown by the income growth a year
    in_year_gap   = spend - income                                   (positive: spending more than the grant)
    cumulative(y) = cumulative(y - 1) + in_year_gap(y) - contributions(y), from the latest outturn on

Every figure after the latest outturn is this workbook's projection, not an outturn and not a council forecast.

**Uncertainty** comes from the caseload: each type's projection at quantile ``q`` is its forecast times the
``q`` quantile of its model's recent misses, all types at the same ``q`` (they rise and fall together: the widest
the intervals allow). The **probability of balance** is the share of 40 equally spaced quantiles at which the
target year's in-year gap is at most zero (and, for a safety-valve area, the cumulative deficit too). The cost and
income assumptions are not in that probability: :func:`sensitivity` shows what each moves across its range.

**Scenarios** change the caseload before it is costed (levers in :mod:`~analysis_helpers.domain.outlook_files`), and
:func:`goal_seek` finds the value of one lever that brings the target year's in-year gap to zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.analysis.high_needs_inputs import BASE_YEAR, GRID, TYPES, OutlookInputs
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.domain.outlook_files import BASELINE_NAME, LEVERS, Lever, Scenario, financial_year

OUTLOOK_COLUMNS = ("year", "placement", "caseload", "caseload_low80", "caseload_high80", "unit_cost", "spend", "income",
                   "in_year_gap", "cumulative_deficit", "scenario")
ALL = "all"
BASELINE = Scenario(BASELINE_NAME, ())
DEFAULT_TARGET_YEAR = 2027  # 2027-28: the year safety-valve agreements such as Kent's aim at
SEEK_STEPS = 60


def caseload(inputs: OutlookInputs, q: float | None = None, bound: int | None = None) -> pd.DataFrame:
    """A row a year (2021 to 2029), a column a type: counted Januaries as counted, later ones projected: the
    central projection (the model's forecast times the median of its recent misses), at grid quantile ``q``, or at
    the 80% interval's ``bound`` (0 low, 1 high)."""
    years = list(inputs.years)
    counted_years = [y for y in years if y <= inputs.last_census]
    ahead = [y for y in years if y > inputs.last_census]
    counted = inputs.counted.reindex(index=counted_years, columns=list(TYPES)).to_numpy(dtype=float)
    forecasts = inputs.projected.reindex(index=ahead, columns=list(TYPES)).to_numpy(dtype=float)
    if q is not None:
        factor = [[np.interp(q, GRID, inputs.factors[(t, y - inputs.last_census)]) for t in TYPES] for y in ahead]
    else:  # the median, or the 80% interval's low (0) or high (1) end
        column = {None: 1, 0: 0, 1: 2}[bound]
        factor = [[inputs.bounds[(t, y - inputs.last_census)][column] for t in TYPES] for y in ahead]
    projected = forecasts * np.array(factor, dtype=float).reshape(forecasts.shape)
    return pd.DataFrame(np.vstack([counted, projected]), index=years, columns=list(TYPES))


def apply_scenario(table: pd.DataFrame, scenario: Scenario, first_projected: int) -> pd.DataFrame:
    """``table`` (from :func:`caseload`) with the scenario's levers applied in order to the projected years."""
    out = table.copy()
    for lever in scenario.levers:
        if lever.from_year < first_projected:
            raise DataValidationError(f"{lever.where or 'scenario ' + repr(scenario.name)}: {lever.name} from "
                                      f"{financial_year(lever.from_year)} is "
                                      f"before the projection starts ({financial_year(first_projected)}): a lever can only "
                                      "change years not yet counted")
        if lever.from_year > out.index.max():
            raise DataValidationError(f"{lever.where or 'scenario ' + repr(scenario.name)}: {lever.name} from "
                                      f"{financial_year(lever.from_year)} is after the outlook's last year "
                                      f"({financial_year(int(out.index.max()))}), so it would change nothing")
        years = [y for y in out.index if y >= lever.from_year]
        if lever.name == "plan_growth_slowed_pct":
            for n, year in enumerate(years, start=1):
                out.loc[year] = out.loc[year] * (1 - lever.value / 100) ** n
        elif lever.name in ("independent_to_state_special_share", "independent_to_mainstream_share"):
            target = "state_special" if "state_special" in lever.name else "mainstream"
            before = out.loc[lever.from_year - 1, "independent_special"]
            for year in years:
                moved = lever.value * max(out.loc[year, "independent_special"] - before, 0.0)
                out.loc[year, "independent_special"] -= moved
                out.loc[year, target] += moved
        elif lever.name == "places_opened":
            for year in years:
                moved = min(lever.value, out.loc[year, "independent_special"]) if lever.value > 0 else \
                    -min(-lever.value, out.loc[year, lever.placement])
                out.loc[year, "independent_special"] -= moved
                out.loc[year, lever.placement] += moved
        else:  # the file reader refuses other names; a programmer's lever is refused here
            raise DataValidationError(f"lever {lever.name!r} is not one of {', '.join(LEVERS)}")
    return out


def money(inputs: OutlookInputs, table: pd.DataFrame, cost_growth_pct: float | None = None,
          income_growth_pct: float | None = None) -> pd.DataFrame:
    """A row a year: ``spend, income, in_year_gap, cumulative_deficit`` (£) for the caseload ``table``."""
    cost = inputs.assumptions["cost_growth_pct"].central if cost_growth_pct is None else cost_growth_pct
    growth = inputs.assumptions["income_growth_pct"].central if income_growth_pct is None else income_growth_pct
    years = np.asarray(table.index, dtype=int)
    uplift = (1 + cost / 100) ** (years - BASE_YEAR)
    unit = np.array([inputs.unit_cost[t] for t in TYPES])
    values = table[list(TYPES)].to_numpy(dtype=float)
    placements = np.where(np.isnan(values).all(axis=1), np.nan, np.nansum(values * unit, axis=1))
    spend = (placements + inputs.services) * uplift
    last_income = max(inputs.income)
    income = np.array([inputs.income[y] if y in inputs.income else inputs.income[last_income] * (1 + growth / 100) ** (y - last_income)
                       for y in years])
    gap = spend - income
    cumulative = np.full(len(years), np.nan)
    running = inputs.start.deficit
    for i, year in enumerate(years):
        if year == inputs.start.year:
            cumulative[i] = running
        elif year > inputs.start.year:
            running = running + gap[i] - inputs.contributions.get(year, 0.0)
            cumulative[i] = running
    return pd.DataFrame({"spend": spend, "income": income, "in_year_gap": gap, "cumulative_deficit": cumulative}, index=table.index)


def outlook(inputs: OutlookInputs, scenario: Scenario = BASELINE) -> pd.DataFrame:
    """The outlook table (:data:`OUTLOOK_COLUMNS`): a row a year and type, then the year's ``all`` row, which
    carries the income, the gap and the cumulative deficit (blank on the types' rows, which they are not split by)."""
    first = inputs.last_census + 1
    central = apply_scenario(caseload(inputs), scenario, first)
    low = apply_scenario(caseload(inputs, bound=0), scenario, first)
    high = apply_scenario(caseload(inputs, bound=1), scenario, first)
    totals = money(inputs, central)
    uplift = {y: (1 + inputs.assumptions["cost_growth_pct"].central / 100) ** (y - BASE_YEAR) for y in central.index}
    rows = []
    for year in central.index:
        for placement in TYPES:
            unit = inputs.unit_cost[placement] * uplift[year]
            rows.append({"year": financial_year(year), "placement": placement, "caseload": central.loc[year, placement],
                         "caseload_low80": low.loc[year, placement], "caseload_high80": high.loc[year, placement],
                         "unit_cost": unit, "spend": central.loc[year, placement] * unit})
        rows.append({"year": financial_year(year), "placement": ALL, "caseload": central.loc[year].sum(min_count=1),
                     "caseload_low80": low.loc[year].sum(min_count=1), "caseload_high80": high.loc[year].sum(min_count=1),
                     **totals.loc[year].to_dict()})
    frame = pd.DataFrame(rows)
    for column in OUTLOOK_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    frame["scenario"] = scenario.name
    return frame[list(OUTLOOK_COLUMNS)]


def target_year(inputs: OutlookInputs) -> int:
    return inputs.target_year if inputs.target_year is not None else DEFAULT_TARGET_YEAR


def balance_probability(inputs: OutlookInputs, scenario: Scenario = BASELINE) -> float:
    """The share of caseload quantiles at which the target year balances (see the module docstring)."""
    year, hits = target_year(inputs), 0
    for q in GRID:
        path = money(inputs, apply_scenario(caseload(inputs, q=q), scenario, inputs.last_census + 1)).loc[year]
        hits += bool(path["in_year_gap"] <= 0 and (inputs.target_year is None or path["cumulative_deficit"] <= 0))
    return hits / len(GRID)


def goal_seek(inputs: OutlookInputs, lever: str, placement: str = "") -> float | None:
    """The value of ``lever`` (from the first projected year) that brings the target year's central in-year gap to
    zero, to within £1,000; None if no value in the lever's range does. ``places_opened`` needs a ``placement``."""
    if lever not in LEVERS:
        raise DataValidationError(f"lever {lever!r} is not one of {', '.join(LEVERS)}")
    year, first, table = target_year(inputs), inputs.last_census + 1, caseload(inputs)
    low, high = (0.0, LEVERS[lever][2]) if lever != "places_opened" else (0.0, float(table.loc[year].sum()))

    gaps: dict[float, float] = {}  # each value's gap is worked out once (the loop asks for the upper end's twice)

    def gap(value: float) -> float:
        if value not in gaps:
            scenario = Scenario("goal-seek", (Lever(lever, value, first, placement),))
            gaps[value] = float(money(inputs, apply_scenario(table, scenario, first)).loc[year, "in_year_gap"])
        return gaps[value]

    if gap(low) <= 0:
        return 0.0
    if gap(high) > 0:
        return None
    for _ in range(SEEK_STEPS):
        middle = (low + high) / 2
        low, high = (middle, high) if gap(middle) > 0 else (low, middle)
        if abs(gap(high)) < 1_000:
            break
    return high


def sensitivity(inputs: OutlookInputs) -> pd.DataFrame:
    """For each assumption at its low and high values (the other at its central one): the target year's central
    in-year gap and cumulative deficit, beside the central figures."""
    year, table = target_year(inputs), caseload(inputs)
    central = money(inputs, table).loc[year]
    rows = []
    for name, assumption in inputs.assumptions.items():
        for end in ("low", "high"):
            value = getattr(assumption, end)
            path = money(inputs, table, **{name: value}).loc[year]
            rows.append({"assumption": name, "end": end, "value": value, "in_year_gap": path["in_year_gap"],
                         "cumulative_deficit": path["cumulative_deficit"], "central_gap": central["in_year_gap"],
                         "central_deficit": central["cumulative_deficit"]})
    return pd.DataFrame(rows)


#: The columns of :func:`scenario_paths`.
SCENARIO_PATH_COLUMNS = ("scenario", "levers", "in_year_gap", "cumulative_deficit", "deficit_low80", "deficit_high80", "note")


def scenario_paths(inputs: OutlookInputs, scenarios) -> pd.DataFrame:
    """The target year under the baseline and each of ``scenarios`` (:data:`SCENARIO_PATH_COLUMNS`): its central
    in-year gap and cumulative deficit and the deficit's 80% range (£). A scenario whose lever starts before this
    area's projection (or after its last year) is not applied: its ``note`` says why."""
    year, first = target_year(inputs), inputs.last_census + 1
    tables = {bound: caseload(inputs, bound=bound) for bound in (None, 0, 1)}
    rows = []
    for scenario in (BASELINE, *scenarios):
        levers = "; ".join(f"{lever.name} {lever.value:g}" + (f" ({lever.placement})" if lever.placement else "") +
                           f" from {financial_year(lever.from_year)}" for lever in scenario.levers) or "none"
        try:
            paths = {bound: money(inputs, apply_scenario(table, scenario, first)).loc[year] for bound, table in tables.items()}
        except DataValidationError as error:
            rows.append({"scenario": scenario.name, "levers": levers, "note": f"not applied: {error}"})
            continue
        rows.append({"scenario": scenario.name, "levers": levers, "in_year_gap": paths[None]["in_year_gap"],
                     "cumulative_deficit": paths[None]["cumulative_deficit"], "deficit_low80": paths[0]["cumulative_deficit"],
                     "deficit_high80": paths[1]["cumulative_deficit"], "note": ""})
    return pd.DataFrame(rows, columns=list(SCENARIO_PATH_COLUMNS))
