"""Tables of the high-needs outlook for analysts (the details notebook ``04_high_needs``): what the review's section
rests on, in full.

* :func:`model_table`: each placement type's caseload model, chosen by the all-LA backtest at the latest January,
  with every candidate's scores (coverage, interval score, error), so the choice can be checked;
* :func:`unit_cost_table`: the area's 2021-22 unit cost of each benchmarking type beside England's and the
  neighbours' medians, the flag, and the cost the outlook uses;
* :func:`outlook_table`: the outlook by year and type, rounded (plans and unit costs whole, other money in £ thousands), for the
  baseline and any scenario;
* :func:`sensitivity_table`: each assumption's range and what it moves in the target year.
"""

from __future__ import annotations

import pandas as pd

from analysis_helpers.analysis.caseload_models import model_scores
from analysis_helpers.analysis.high_needs_inputs import COST_TYPE, OutlookInputs
from analysis_helpers.analysis.high_needs_outlook import ALL
from analysis_helpers.analysis.unit_costs import unit_costs
from analysis_helpers.domain.caseload_history import SERIES
from analysis_helpers.domain.outlook_files import financial_year
from analysis_helpers.domain.run_context import RunContext


def model_table(run: RunContext, inputs: OutlookInputs) -> pd.DataFrame:
    """Every series' candidate models scored projecting January ``last`` from one to three Januaries before (means
    over the horizons), the chosen one marked (the scores :func:`.caseload_models.model_scores` kept when it chose)."""
    scores = model_scores(run.release, inputs.last_census)
    rows = []
    for series in SERIES:
        mine = scores[scores["series"] == series]
        means = mine.groupby("model", sort=False)[["coverage80_pct", "interval_score80", "mae"]].mean()
        chosen = set(mine.loc[mine["chosen"], "model"])
        for model, row in means.iterrows():
            rows.append({"Series": series.replace("_", " "), "Model": model.replace("_", " "),
                         "Chosen": "yes" if model in chosen else "",
                         "Inside 80% interval (%)": _one_place(row["coverage80_pct"]),
                         "Interval score": _one_place(row["interval_score80"]),
                         "Mean absolute error (plans)": _one_place(row["mae"])})
    return pd.DataFrame(rows)


def unit_cost_table(run: RunContext, inputs: OutlookInputs) -> pd.DataFrame:
    """The area's 2021-22 unit costs beside England's and the neighbours' medians, and what the outlook uses."""
    costs = unit_costs()
    mine = costs[costs["la_number"] == run.area.la_number].set_index("placement")
    rows = []
    for placement, cost_type in COST_TYPE.items():
        row = mine.loc[cost_type] if cost_type in mine.index else None
        rows.append({"Placement type": placement.replace("_", " "), "Benchmarking type": (cost_type or "").replace("_", " "),
                     "Area (£)": _pounds(row["unit_cost"]) if row is not None else "",
                     "England median (£)": _pounds(row["england_median"]) if row is not None else "",
                     "Neighbours' median (£)": _pounds(row["neighbours_median"]) if row is not None else "",
                     "Flag": row["flag"] if row is not None else "",
                     "Used (£)": _pounds(inputs.unit_cost[placement]), "Basis": inputs.unit_cost_basis[placement]})
    return pd.DataFrame(rows)


#: The outlook's columns as the details page heads them.
OUTLOOK_HEADINGS = {"year": "Year", "placement": "Placement", "caseload": "Plans", "caseload_low80": "Plans, 80% range: low",
                    "caseload_high80": "Plans, 80% range: high", "unit_cost": "Unit cost (£)", "spend": "Spend (£000)",
                    "income": "Grant (£000)", "in_year_gap": "In-year gap (£000)",
                    "cumulative_deficit": "Cumulative deficit, end of year (£000)", "scenario": "Scenario"}


def outlook_table(table: pd.DataFrame, inputs: OutlookInputs) -> pd.DataFrame:
    """The outlook (:func:`~analysis_helpers.analysis.high_needs_outlook.outlook`, one scenario or several) rounded
    for reading (plans and unit costs whole, other money in £ thousands), with each row's basis: plans counted (spend modelled on them),
    the starting cumulative deficit's outturn, or this workbook's projection."""
    shown = table.copy()
    for column in ("caseload", "caseload_low80", "caseload_high80", "unit_cost"):
        shown[column] = shown[column].map(lambda v: "" if v != v else f"{v:,.0f}")
    for column in ("spend", "income", "in_year_gap", "cumulative_deficit"):
        shown[column] = shown[column].map(lambda v: "" if v != v else f"{v / 1e3:,.0f}")
    shown["basis"] = [_basis(int(year[:4]), placement, inputs) for year, placement in zip(table["year"], table["placement"], strict=True)]
    return shown.rename(columns={**OUTLOOK_HEADINGS, "basis": "Basis"})


def _basis(start: int, placement: str, inputs: OutlookInputs) -> str:
    if start > inputs.last_census:
        return "projection (this workbook's)"
    if placement == ALL and start == inputs.start.year:
        return "plans counted, spend modelled; cumulative deficit: " + inputs.start.source
    return "plans counted, spend modelled"


def sensitivity_table(frame: pd.DataFrame, inputs: OutlookInputs, year: int) -> pd.DataFrame:
    """Each assumption at its low and high value: the target year's in-year gap and cumulative deficit (£m)."""
    rows = []
    for r in frame.itertuples():
        source = inputs.assumptions[r.assumption].source
        rows.append({"Assumption": r.assumption, "End": r.end, "Value (% a year)": r.value,
                     f"In-year gap {financial_year(year)} (£m)": round(r.in_year_gap / 1e6, 1),
                     f"Cumulative deficit {financial_year(year)} (£m)": round(r.cumulative_deficit / 1e6, 1),
                     "Central gap (£m)": round(r.central_gap / 1e6, 1), "Source": source})
    return pd.DataFrame(rows)


def _one_place(value) -> str:
    """A score to one decimal place; blank where no LA could be scored."""
    return "" if value != value else f"{value:,.1f}"


def _pounds(value) -> str:
    return "" if value != value else f"{value:,.0f}"
