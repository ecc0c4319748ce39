"""Issue 23, item 6: the tables of the high-needs details notebook (04_high_needs), on the fixture release."""

from __future__ import annotations

import pytest
from test_money_sections import run_for

from analysis_helpers.analysis.caseload import choose_model
from analysis_helpers.analysis.caseload_models import cached_history, caseload_models, model_scores
from analysis_helpers.analysis.high_needs_outlook import target_year
from analysis_helpers.domain.caseload_history import SERIES, wide
from analysis_helpers.reporting import money_details, money_sections


@pytest.fixture(scope="module")
def kent():
    run = run_for("Kent")
    return run, money_sections.money_outlook(run)


def test_unit_costs_show_kents_own_figure_beside_the_medians(kent):
    run, found = kent
    table = money_details.unit_cost_table(run, found.inputs).set_index("Placement type")
    independent = table.loc["independent special"]
    # the benchmarking file's own cells for Kent: NMSS/independent spend (CB103) over placements (K103, 1,396)
    assert independent["Area (£)"] == "44,931" and independent["Used (£)"] == "44,931"
    assert independent["Benchmarking type"] == "nmss independent" and independent["Flag"] == ""
    assert independent["England median (£)"] != "" and independent["Neighbours' median (£)"] != ""
    assert table.loc["ap pru", "Used (£)"] == "0" and table.loc["ap pru", "Area (£)"] == ""


def test_the_model_table_is_the_backtest_the_models_were_chosen_on(kent):
    run, found = kent
    last = found.inputs.last_census
    table = money_details.model_table(run, found.inputs)
    chosen = caseload_models(run.release, last).drop_duplicates("series").set_index("series")["model"]
    for series in SERIES:
        mine = table[table["Series"] == series.replace("_", " ")]
        assert list(mine.loc[mine["Chosen"] == "yes", "Model"]) == [chosen[series].replace("_", " ")], series
    # recomputed here for all plans: the same scores, means over horizons 1-3, and the lowest error chosen
    history = cached_history(run.release)
    history = history[history["year"] <= last]
    counts = wide(history[history["geographic_level"] == "Local authority"], "total")
    england = wide(history[history["geographic_level"] == "National"], "total").iloc[0]
    model, scores = choose_model(counts, england, last)
    means = scores.groupby("model")["mae"].mean()
    total = table[table["Series"] == "total"].set_index("Model")
    assert total.loc[model.replace("_", " "), "Chosen"] == "yes"
    for name, mae in means.items():
        assert total.loc[name.replace("_", " "), "Mean absolute error (plans)"] == f"{mae:,.1f}"
    errors = total["Mean absolute error (plans)"].str.replace(",", "").astype(float)
    assert errors.idxmin() == model.replace("_", " ")
    kept = model_scores(run.release, last)
    assert kept["chosen"].sum() == len(SERIES) * 3  # one model a series, at each of the three horizons


def test_the_outlook_table_rounds_plans_whole_and_money_to_thousands(kent):
    _, found = kent
    shown = money_details.outlook_table(found.table, found.inputs)
    raw = found.table[(found.table["placement"] == "all") & (found.table["year"] == "2027-28")].iloc[0]
    row = shown[(shown["Placement"] == "all") & (shown["Year"] == "2027-28")].iloc[0]
    assert row["Spend (£000)"] == f"{raw['spend'] / 1e3:,.0f}" and row["Plans"] == f"{raw['caseload']:,.0f}"
    assert row["Cumulative deficit, end of year (£000)"] == f"{raw['cumulative_deficit'] / 1e3:,.0f}"
    independent = found.table[(found.table["placement"] == "independent_special") & (found.table["year"] == "2027-28")].iloc[0]
    shown_cost = shown[(shown["Placement"] == "independent_special") & (shown["Year"] == "2027-28")]["Unit cost (£)"].iloc[0]
    assert shown_cost == f"{independent['unit_cost']:,.0f}" and independent["unit_cost"] > 44_930  # 2021-22's, grown
    assert shown.loc[shown["Placement"] == "mainstream", "Grant (£000)"].eq("").all()  # income is the all row's
    # each row says what it is: counted years, the start's outturn (Kent's feed, 2021-22), projections after the census
    last = found.inputs.last_census
    basis = dict(zip(shown.loc[shown["Placement"] == "all", "Year"], shown.loc[shown["Placement"] == "all", "Basis"], strict=True))
    assert basis["2021-22"].startswith("plans counted, spend modelled; cumulative deficit: the council's outturn (kent.csv row")
    assert basis[f"{last}-{(last + 1) % 100:02d}"] == "plans counted, spend modelled"
    assert basis[f"{last + 1}-{(last + 2) % 100:02d}"] == "projection (this workbook's)"


def test_the_sensitivity_table_gives_each_assumptions_ends_in_millions(kent):
    _, found = kent
    year = target_year(found.inputs)
    table = money_details.sensitivity_table(found.sensitivity, found.inputs, year)
    assert len(table) == 2 * len(found.inputs.assumptions)
    first = found.sensitivity.iloc[0]
    assert table.iloc[0]["In-year gap 2027-28 (£m)"] == round(first["in_year_gap"] / 1e6, 1)
    assert table["Source"].str.len().gt(0).all()
