"""Issue 23, items 3-5: the outlook's arithmetic on inputs built by hand, and Kent's inputs from the files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frozen import OUTLOOK_ASSUMPTIONS
from helpers import fixture_release

from analysis_helpers.analysis.high_needs_inputs import GRID, TYPES, OutlookInputs, Start, outlook_inputs
from analysis_helpers.analysis.high_needs_outlook import (
    OUTLOOK_COLUMNS,
    apply_scenario,
    balance_probability,
    caseload,
    goal_seek,
    money,
    outlook,
    sensitivity,
)
from analysis_helpers.analysis.unit_costs import unit_costs
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data.high_needs import spend as high_needs_spend
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.outlook_files import Assumption, Lever, Scenario, read_assumptions
from analysis_helpers.domain.targets import for_area, read_targets

M = 1_000_000


def _assumptions(cost=0.0, income=0.0):
    return {"cost_growth_pct": Assumption("cost_growth_pct", cost, cost - 2, cost + 3, "%", "s"),
            "income_growth_pct": Assumption("income_growth_pct", income, 0.0, income + 10, "%", "s")}


def toy(cost=0.0, income=0.0, target_year=2027) -> OutlookInputs:
    """100 plans in mainstream and 10 in independent special each counted year; projected: mainstream +10 a year,
    independent special +5 a year; mainstream £10,000 a plan, independent special £50,000; £1m of services."""
    years = range(2021, 2026)
    counted = pd.DataFrame({t: [0.0] * 5 for t in TYPES}, index=list(years))
    counted["mainstream"], counted["independent_special"] = 100.0, 10.0
    projected = pd.DataFrame({t: [0.0] * 4 for t in TYPES}, index=[2026, 2027, 2028, 2029])
    projected["mainstream"] = [110.0, 120.0, 130.0, 140.0]
    projected["independent_special"] = [15.0, 20.0, 25.0, 30.0]
    grid = np.linspace(0.8, 1.2, len(GRID))
    unit = {t: 0.0 for t in TYPES} | {"mainstream": 10_000.0, "independent_special": 50_000.0}
    return OutlookInputs("Toy", 2025, counted, projected, {(t, h): grid for t in TYPES for h in range(1, 5)},
                         {(t, h): (0.9, 1.0, 1.1) for t in TYPES for h in range(1, 5)}, {t: "same_count" for t in TYPES},
                         unit, {t: "" for t in TYPES}, 1 * M, {2021: 2.0 * M, 2022: 2.2 * M, 2023: 2.4 * M},
                         Start(2021, 5 * M, "hand"), _assumptions(cost, income), {2022: 1 * M, 2023: 1 * M}, target_year)


def test_spend_income_gap_and_deficit_are_the_formulas():
    inputs = toy(cost=10.0, income=5.0)
    path = money(inputs, caseload(inputs))
    # 2021: 100 x £10,000 + 10 x £50,000 + £1m = £2.5m, against £2.0m
    assert path.loc[2021, "spend"] == pytest.approx(2.5 * M) and path.loc[2021, "in_year_gap"] == pytest.approx(0.5 * M)
    assert path.loc[2021, "cumulative_deficit"] == 5 * M  # the start, as given
    # 2022: costs up 10%: £2.75m against £2.2m; less a £1m contribution
    assert path.loc[2022, "cumulative_deficit"] == pytest.approx(5 * M + 0.55 * M - 1 * M)
    # 2027: 120 x £10,000 x 1.1^6 + 20 x £50,000 x 1.1^6 + £1m x 1.1^6; income £2.4m x 1.05^4
    uplift = 1.1 ** 6
    assert path.loc[2027, "spend"] == pytest.approx((1.2 * M + 1.0 * M + 1 * M) * uplift)
    assert path.loc[2027, "income"] == pytest.approx(2.4 * M * 1.05 ** 4)
    assert path.loc[2027, "cumulative_deficit"] == pytest.approx(
        5 * M + path.loc[2022:2027, "in_year_gap"].sum() - 2 * M)


def test_the_table_has_a_row_a_type_and_an_all_row_with_the_money():
    table = outlook(toy())
    assert tuple(table.columns) == OUTLOOK_COLUMNS
    assert table["year"].unique().tolist() == [f"{y}-{(y + 1) % 100:02d}" for y in range(2021, 2030)]
    row = table[(table["year"] == "2027-28") & (table["placement"] == "all")].iloc[0]
    assert row["caseload"] == 140 and row["caseload_low80"] == pytest.approx(126) and row["caseload_high80"] == pytest.approx(154)
    assert row["spend"] == pytest.approx(3.2 * M) and row["in_year_gap"] == pytest.approx(0.8 * M)
    assert table[table["placement"] != "all"]["income"].isna().all()
    assert set(table["scenario"]) == {"baseline"}


def test_the_levers_change_only_projected_years_as_the_readme_says():
    inputs = toy()
    base = caseload(inputs)
    slower = apply_scenario(base, Scenario("s", (Lever("plan_growth_slowed_pct", 10, 2027),)), 2026)
    assert slower.loc[2026, "mainstream"] == 110 and slower.loc[2027, "mainstream"] == pytest.approx(120 * 0.9)
    assert slower.loc[2028, "independent_special"] == pytest.approx(25 * 0.81)
    moved = apply_scenario(base, Scenario("m", (Lever("independent_to_state_special_share", 0.5, 2027),)), 2026)
    # added from 2027 on: above 2026's 15; half of 5 (2027) and of 15 (2029) go to state special
    assert moved.loc[2027, "independent_special"] == 17.5 and moved.loc[2029, "state_special"] == 7.5
    assert moved.loc[2029].sum() == base.loc[2029].sum()
    opened = apply_scenario(base, Scenario("p", (Lever("places_opened", 18, 2026, "state_special"),)), 2026)
    assert opened.loc[2026, "independent_special"] == 0 and opened.loc[2026, "state_special"] == 15  # never more than there are
    assert opened.loc[2027, "independent_special"] == 2 and opened.loc[2027, "state_special"] == 18
    with pytest.raises(DataValidationError, match="from 2024-25 is before the projection starts"):
        apply_scenario(base, Scenario("early", (Lever("plan_growth_slowed_pct", 5, 2024),)), 2026)
    with pytest.raises(DataValidationError, match="late.csv row 2: plan_growth_slowed_pct from 2030-31 is after the outlook's last"):
        apply_scenario(base, Scenario("late", (Lever("plan_growth_slowed_pct", 5, 2030, "", "late.csv row 2"),)), 2026)


@pytest.mark.parametrize("lever, placement", [("plan_growth_slowed_pct", ""), ("independent_to_mainstream_share", ""),
                                              ("places_opened", "mainstream")])
def test_goal_seeks_answer_fed_back_as_a_scenario_balances_the_target_year(lever, placement):
    inputs = toy()
    inputs = OutlookInputs(**{**inputs.__dict__, "services": 0.5 * M})  # 2027-28 is £0.3m over: each lever can close it
    value = goal_seek(inputs, lever, placement)
    assert value is not None
    scenario = Scenario("sought", (Lever(lever, value, 2026, placement),))
    gap = money(inputs, apply_scenario(caseload(inputs), scenario, 2026)).loc[2027, "in_year_gap"]
    assert abs(gap) < 1_000
    before = money(inputs, caseload(inputs)).loc[2027, "in_year_gap"]
    assert before == pytest.approx(0.3 * M)


def test_goal_seek_says_none_when_no_value_balances():
    inputs = toy()
    assert goal_seek(inputs, "independent_to_state_special_share") is None  # state special costs nothing here: still over
    with pytest.raises(DataValidationError, match="lever 'faster' is not one of"):
        goal_seek(inputs, "faster")


def test_the_probability_of_balance_counts_the_quantiles_that_balance():
    inputs = toy(target_year=None)
    inputs = OutlookInputs(**{**inputs.__dict__, "services": 0.2 * M})  # 2027-28 balances exactly at the central caseload
    probability = balance_probability(inputs)
    expected = np.mean([money(inputs, caseload(inputs, q=q)).loc[2027, "in_year_gap"] <= 0 for q in GRID])
    assert probability == expected and 0 < probability < 1
    assert balance_probability(toy()) == 0.0


def test_sensitivity_moves_each_assumption_across_its_range():
    table = sensitivity(toy(cost=4.0, income=5.0)).set_index(["assumption", "end"])
    assert table.loc[("cost_growth_pct", "low"), "value"] == 2.0
    assert table.loc[("cost_growth_pct", "low"), "in_year_gap"] < table.loc[("cost_growth_pct", "high"), "in_year_gap"]
    assert table.loc[("income_growth_pct", "high"), "in_year_gap"] < table.loc[("income_growth_pct", "low"), "in_year_gap"]


@pytest.fixture(scope="module")
def kent():
    release = fixture_release()
    areas = areas_for(release)
    area = areas.get("Kent")
    from frozen import KENT_FEED, TARGETS

    from analysis_helpers.data.local_feed import load_feed
    targets = for_area(read_targets(TARGETS), area.code, areas.get, TARGETS)
    return outlook_inputs(release, area, read_assumptions(OUTLOOK_ASSUMPTIONS), load_feed(KENT_FEED), targets)


def test_kents_inputs_come_from_the_files(kent):
    costs = unit_costs().set_index(["la_number", "placement"])
    nmss = costs.loc[("886", "nmss_independent"), "unit_cost"]
    assert kent.unit_cost["independent_special"] == nmss == pytest.approx(62_722_985.62 / 1_396)  # CB103 / K103
    assert kent.unit_cost["state_special"] == costs.loc[("886", "maintained_special"), "unit_cost"]
    assert kent.unit_cost["ap_pru"] == 0 and "held in services" in kent.unit_cost_basis["ap_pru"]
    assert kent.income[2021] == 233_205_395 and kent.income[2023] == 293_071_829
    assert kent.start == Start(2021, 97 * M, kent.start.source) and "row" in kent.start.source
    assert kent.target_year == 2027 and kent.contributions == {y: pytest.approx(222 * M / 6) for y in range(2022, 2028)}
    lines = high_needs_spend(basis="outturn")
    lines = lines[lines["la_number"] == "886"]
    total = lines.loc[lines["phase"] == "total", "amount"].sum()
    assert total == pytest.approx(279_158_011.81, abs=0.01)  # the seven lines' totals of row 103 (BI, BP, BX, CF-CI)
    costed = costs.loc[[("886", t) for t in ("mainstream_and_resourced", "maintained_special", "nmss_independent", "post_16")], "spend"]
    assert kent.services == pytest.approx(total - costed.sum())
    assert kent.last_census == 2025 and kent.counted.loc[2025, "independent_special"] == 1487


def test_kents_outlook_runs_to_2029_30_and_its_projections_sit_inside_their_intervals(kent):
    table = outlook(kent)
    rows = table[table["placement"] == "all"].set_index("year")
    assert rows.index[-1] == "2029-30" and rows.loc["2025-26", "caseload"] == 20635
    projected = table[table["year"] >= "2026-27"]
    assert (projected["caseload_low80"] <= projected["caseload"]).all() and (projected["caseload"] <= projected["caseload_high80"]).all()
    assert rows.loc["2022-23", "cumulative_deficit"] == pytest.approx(97 * M + rows.loc["2022-23", "in_year_gap"] - 37 * M)
