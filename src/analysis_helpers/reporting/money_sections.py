"""The review's "High-needs budget and the safety valve": the workbook's high-needs outlook for an LA, read out.

:func:`money_outlook` builds it once a run (the key messages and the section both read it); :func:`key_message` is
the sentence for the review's opening when a safety-valve area's projected path misses its balance year;
:func:`section` is the section's body: the lead sentence, the deficit path, plans by placement, spend per head
against England and the neighbours, the outlook table (which figures are outturns, which are modelled on counted
plans, which are projections), what each lever would take, the target year under each scenario file in
``data/scenarios/`` (:func:`~analysis_helpers.core.paths.scenarios_dir`), and the sensitivity line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.analysis.budget import deficit_series, required_path_to_zero
from analysis_helpers.analysis.high_needs_inputs import OutlookInputs, outlook_inputs
from analysis_helpers.analysis.high_needs_outlook import (
    ALL,
    balance_probability,
    caseload,
    goal_seek,
    money,
    outlook,
    scenario_paths,
    sensitivity,
    target_year,
)
from analysis_helpers.analysis.unit_costs import spend_per_head
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import outlook_assumptions_file, scenarios_dir, shown_path
from analysis_helpers.core.safe_text import md_code, md_text
from analysis_helpers.core.vintage import ended_by
from analysis_helpers.data.inputs import scenario_files
from analysis_helpers.domain.areas import LOCAL_AUTHORITY
from analysis_helpers.domain.outlook_files import LEVERS, financial_year, read_assumptions, read_scenario
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.domain.targets import targets_for
from analysis_helpers.reporting import charts, money_charts, tables
from analysis_helpers.reporting.sections import council_source

#: The levers the section goal-seeks, with the placement ``places_opened`` opens.
SOUGHT = (("plan_growth_slowed_pct", ""), ("independent_to_state_special_share", ""), ("independent_to_mainstream_share", ""),
          ("places_opened", "state_special"))
SOURCE = ("DfE SEN2 (plans by placement, January census); DfE high-needs benchmarking 2021-22 (unit costs, spend); "
          "DfE DSG allocations 2020-21 to 2023-24 (high-needs block); data/outlook_assumptions.csv")


@dataclass(frozen=True)
class MoneyOutlook:
    """The outlook of one run's area, or why there is none (``reason``)."""

    inputs: OutlookInputs | None = None
    reason: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)  # year: central, low80, high80 cumulative deficit (£)
    probability: float = float("nan")
    sought: dict = field(default_factory=dict)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenarios: pd.DataFrame = field(default_factory=pd.DataFrame)  # scenario_paths: the baseline and each scenario file


def money_outlook(run: RunContext) -> MoneyOutlook:
    """The area's outlook at the run's data date; for an area that has none, the reason in words."""
    if run.area.level != LOCAL_AUTHORITY:
        return MoneyOutlook(reason=f"DfE publishes high-needs spend and grant by local authority, so {run.area.name} has "
                                   "no outlook of its own; each LA's review has one.")
    try:
        targets = targets_for(run.area.code, run.areas.get, run.targets)
        feed = run.feed if run.feed is not None and len(run.feed) else None
        inputs = outlook_inputs(run.release, run.area, read_assumptions(outlook_assumptions_file()), feed, targets, run.as_of)
    except DataValidationError as error:
        return MoneyOutlook(reason=str(error))
    central = money(inputs, caseload(inputs))
    low, high = (money(inputs, caseload(inputs, bound=b)) for b in (0, 1))
    bands = pd.DataFrame({"central": central["cumulative_deficit"], "low80": low["cumulative_deficit"],
                          "high80": high["cumulative_deficit"]})
    sought = {(lever, placement): goal_seek(inputs, lever, placement) for lever, placement in SOUGHT}
    # a scenario file that cannot be read stops the run in one line naming it, as a broken targets file does
    scenarios = scenario_paths(inputs, [read_scenario(path) for path in scenario_files()])
    return MoneyOutlook(inputs, "", outlook(inputs), bands, balance_probability(inputs), sought, sensitivity(inputs), scenarios)


def key_message(found: MoneyOutlook) -> str | None:
    """For a safety-valve area whose projected path misses its balance year: the plain-text sentence; else None."""
    inputs = found.inputs
    if inputs is None or inputs.target_year is None:
        return None
    row = _all_row(found, inputs.target_year)
    if row["in_year_gap"] <= 0 and row["cumulative_deficit"] <= 0:
        return None
    return (f"On this workbook's projection, {inputs.area}'s high-needs spending is {_m(row['in_year_gap'])} more than its grant "
            f"in {financial_year(inputs.target_year)}, the year its safety-valve agreement aims to balance, and the cumulative "
            f"deficit is {_m(row['cumulative_deficit'])} after the agreement's contributions: a {found.probability:.0%} chance "
            "of balance on the plans' uncertainty alone.")


def section(run: RunContext, found: MoneyOutlook) -> list:
    """The section's body (see the module docstring)."""
    inputs = found.inputs
    if inputs is None:
        return [Markdown(f"*No high-needs outlook: {md_text(found.reason)}*")]
    year = target_year(inputs)
    shown = [Markdown(lead_sentence(found))]
    shown += _deficit_chart(run, found, year)
    shown += _caseload_chart(found)
    shown.append(HTML(tables.to_html(_per_head(run), caption="High-needs spend per child aged 2-18, 2021-22 (DfE benchmarking "
                                                            "outturn over the ONS 2-18 population)")))
    shown.append(HTML(tables.to_html(_years(found), caption=f"{run.area.name}: the high-needs outlook by financial year "
                                                            "(£ million; plans at the January census the year starts in)",
                                     css_class=tables.WIDE)))
    shown.append(levers_table(found))
    shown.append(scenario_table(found))
    shown.append(Markdown(_sensitivity(found, year)))
    shown.append(Markdown(_costs_note(inputs)))
    return shown


def _all_row(found: MoneyOutlook, year: int) -> pd.Series:
    table = found.table
    return table[(table["placement"] == ALL) & (table["year"] == financial_year(year))].iloc[0]


def _m(value: float) -> str:
    return f"£{value / 1e6:,.1f}m" if value >= 0 else f"−£{-value / 1e6:,.1f}m"


def lead_sentence(found: MoneyOutlook) -> str:
    """The section's opening: the target year's projected gap and deficit with its 80% range, where it starts, the
    chance of balance, and that these are projections (Markdown; ``found`` must have an outlook)."""
    inputs = found.inputs
    year = target_year(inputs)
    row = _all_row(found, year)
    band = found.bands.loc[year]
    agreement = ("its safety-valve agreement's balance year" if inputs.target_year is not None
                 else "the default balance year (this area has no safety-valve target recorded)")
    gap = row["in_year_gap"]
    verdict = f"spends {_m(gap)} more than its high-needs block" if gap > 0 else f"spends {_m(-gap)} less than its high-needs block"
    return (f"**On this workbook's projection, {md_text(inputs.area)} {verdict} in {financial_year(year)}**, {agreement}; "
            f"its cumulative deficit is {_m(row['cumulative_deficit'])} at the end of that year (80% range {_m(band['low80'])} "
            f"to {_m(band['high80'])}, from the plans' uncertainty), starting from {_m(inputs.start.deficit)} at the end of "
            f"{financial_year(inputs.start.year)} ({md_text(inputs.start.source)}). Chance of balance by then: "
            f"{found.probability:.0%}. These are projections, not outturns or the council's forecasts: plans projected by "
            f"type, costed at 2021-22 unit costs grown {inputs.assumptions['cost_growth_pct'].central:g}% a year, against the "
            f"grant grown {inputs.assumptions['income_growth_pct'].central:g}% a year after 2023-24.")


def _deficit_chart(run: RunContext, found: MoneyOutlook, year: int) -> list:
    inputs = found.inputs
    bands = found.bands.dropna()
    path = pd.DataFrame({"date": [pd.Timestamp(f"{y + 1}-03-31") for y in bands.index],
                         **{c: bands[c] / 1e6 for c in ("central", "low80", "high80")}})
    feed = run.feed[ended_by(run.feed["period_end"], run.as_of)] if run.feed is not None and len(run.feed) else pd.DataFrame()
    council = deficit_series(feed) if len(feed) else pd.DataFrame(columns=["period_end", "value", "kind"])
    required = None
    if inputs.target_year is not None and len(council):
        required = required_path_to_zero(council, pd.Timestamp(f"{inputs.target_year + 1}-03-31").date())
    end = bands.loc[year, "central"] if year in bands.index else float("nan")
    title = f"{inputs.area}'s projected cumulative high-needs deficit reaches {_m(end)} by March {year + 1}"
    source = SOURCE + ("; " + council_source(run, council, "; forecasts hollow") if len(council) else "")
    fig = money_charts.deficit_chart(path, council, required, title=title, source=source)
    return [HTML(charts.figure_html(fig, alt=title + ": the workbook's projection dashed with its 80% range, council outturns "
                                            "as filled points and forecasts hollow, the agreement's path as a line to zero"))]


def _caseload_chart(found: MoneyOutlook) -> list:
    inputs = found.inputs
    table = found.table
    ahead = table[table["year"].str[:4].astype(int) > inputs.last_census].assign(year=lambda t: t["year"].str[:4].astype(int))
    ahead = ahead.rename(columns={"caseload_low80": "low80", "caseload_high80": "high80"})
    counted = inputs.counted.loc[inputs.counted.index >= 2015]
    last = inputs.counted["independent_special"].dropna()
    future = ahead[ahead["placement"] == "independent_special"]
    if len(last) and len(future):
        title = (f"Plans in independent special schools: {last.iloc[-1]:,.0f} in January {last.index[-1]}, projected "
                 f"{future['caseload'].iloc[-1]:,.0f} by January {future['year'].iloc[-1]}")
    else:
        title = f"{inputs.area}: EHC plans by placement, counted and projected"
    fig = money_charts.caseload_chart(counted, ahead, title=title, source=SOURCE.split(";")[0])
    return [HTML(charts.figure_html(fig, alt=title))]


def _per_head(run: RunContext) -> pd.DataFrame:
    table = spend_per_head(run.area.la_number)
    names = {"Area": run.area.name, "England": "England", "Statistical neighbours (median)": "Statistical neighbours (median)"}
    return pd.DataFrame({"Comparator": table["comparator"].map(names),
                         "Spend per child aged 2-18": [f"£{v:,.0f}" if v == v else "not published" for v in table["per_head"]]})


def _years(found: MoneyOutlook) -> pd.DataFrame:
    inputs = found.inputs
    rows = found.table[found.table["placement"] == ALL]
    out = []
    for r in rows.itertuples():
        start = int(r.year[:4])
        counted = start <= inputs.last_census
        basis = ("start: " + inputs.start.source if start == inputs.start.year else
                 "plans counted, spend modelled" if counted else "projection")
        plans = "" if r.caseload != r.caseload else (f"{r.caseload:,.0f}" if counted else
                                                     f"{r.caseload:,.0f} ({r.caseload_low80:,.0f}-{r.caseload_high80:,.0f})")
        out.append({"Year": r.year, "Plans (80% range)": plans, "Spend": _cell(r.spend), "Grant": _cell(r.income),
                    "In-year gap": _cell(r.in_year_gap), "Cumulative deficit": _cell(r.cumulative_deficit), "Basis": basis})
    return pd.DataFrame(out)


def _cell(value: float) -> str:
    return "" if value != value else f"{value / 1e6:,.1f}"


def levers_table(found: MoneyOutlook) -> HTML:
    """What each lever alone would take to balance the target year (``found`` must have an outlook)."""
    year = target_year(found.inputs)
    return HTML(tables.to_html(_levers(found, year), caption=f"What it would take to balance {financial_year(year)}: "
                                                            "each lever alone, from the first projected year"))


def scenario_table(found: MoneyOutlook) -> HTML | Markdown:
    """The target year under the baseline and each scenario file (``found`` must have an outlook)."""
    year = target_year(found.inputs)
    folder = shown_path(scenarios_dir())
    if len(found.scenarios) <= 1:
        return Markdown(f"*No scenario files in {md_code(folder)}: the baseline alone is projected (a file a scenario, "
                        "as the README's guide to testing a scenario says).*")
    rows = []
    for r in found.scenarios.itertuples():
        applied = not r.note
        rows.append({"Scenario": r.scenario, "Levers": r.levers,
                     f"In-year gap {financial_year(year)}": _cell(r.in_year_gap) if applied else "",
                     f"Cumulative deficit, end of {financial_year(year)} (80% range)":
                         f"{_cell(r.cumulative_deficit)} ({_cell(r.deficit_low80)} to {_cell(r.deficit_high80)})" if applied else "",
                     "Note": r.note})
    return HTML(tables.to_html(pd.DataFrame(rows), caption=f"{financial_year(year)} under each scenario file in {folder} "
                                                           "(£ million; the workbook's projections, levers applied to plans)"))


def _levers(found: MoneyOutlook, year: int) -> pd.DataFrame:
    rows = []
    for (lever, placement), value in found.sought.items():
        what = LEVERS[lever][0] + (f" ({placement.replace('_', ' ')})" if placement else "")
        shown = ("no value in its range balances" if value is None else f"{value:,.0f} places" if lever == "places_opened"
                 else f"{value:.2f}" if lever.endswith("_share") else f"{value:.1f} points a year")
        rows.append({"Lever": lever, "What it is": what, f"Value that balances {financial_year(year)}": shown})
    return pd.DataFrame(rows)


def _sensitivity(found: MoneyOutlook, year: int) -> str:
    parts = []
    for name, group in found.sensitivity.groupby("assumption", sort=False):
        low, high = group.set_index("end").loc["low"], group.set_index("end").loc["high"]
        parts.append(f"{name.replace('_pct', '').replace('_', ' ')} {low['value']:g}% to {high['value']:g}% a year: "
                     f"{_m(low['in_year_gap'])} to {_m(high['in_year_gap'])}")
    central = found.sensitivity["central_gap"].iloc[0]
    return (f"**Sensitivity.** The {financial_year(year)} in-year gap ({_m(central)} at the central assumptions) across each "
            f"assumption's range: " + "; ".join(parts) + ".")


def _costs_note(inputs: OutlookInputs) -> str:
    parts = [f"{p.replace('_', ' ')} £{inputs.unit_cost[p]:,.0f} ({md_text(inputs.unit_cost_basis[p])})" for p in inputs.unit_cost]
    return "**Unit costs, 2021-22 (a plan a year).** " + "; ".join(parts) + "."
