"""Issue 23: the outlook's assumptions file and scenario files, read or refused in one line naming file, row, column."""

from __future__ import annotations

import pytest
from frozen import OUTLOOK_ASSUMPTIONS

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.domain.outlook_files import financial_year, parse_year, read_assumptions, read_scenario

HEADER = "assumption,central,low,high,unit,source\n"
GOOD = ("cost_growth_pct,4,2,7,% a year,a source\n"
        "income_growth_pct,5,0,12.6,% a year,another source\n")


def test_the_frozen_assumptions_have_a_source_and_a_range():
    found = read_assumptions(OUTLOOK_ASSUMPTIONS)
    assert (found["cost_growth_pct"].low, found["cost_growth_pct"].central, found["cost_growth_pct"].high) == (2, 4, 7)
    assert found["income_growth_pct"].high == 12.6 and "8,872,813,235" in found["income_growth_pct"].source


@pytest.mark.parametrize("rows, message", [
    (GOOD + "inflation_pct,2,1,3,%,x\n", "row 4: assumption 'inflation_pct' is not one the outlook uses"),
    ("cost_growth_pct,9,2,7,% a year,s\nincome_growth_pct,5,0,12.6,% a year,s\n", "row 2: cost_growth_pct central 9 is not between"),
    ("cost_growth_pct,four,2,7,% a year,s\n", "row 2, column 'central': 'four' is not a number"),
    ("cost_growth_pct,4,2,7,% a year,\n", "row 2, column 'source': empty"),
    ("cost_growth_pct,4,2,7,% a year,s\n", "no row for income_growth_pct"),
    (GOOD + "cost_growth_pct,4,2,7,% a year,s\n", "row 4: assumption 'cost_growth_pct' again"),
])
def test_a_bad_assumptions_file_is_refused_in_one_line(tmp_path, rows, message):
    path = tmp_path / "assumptions.csv"
    path.write_text(HEADER + rows)
    with pytest.raises(DataValidationError) as caught:
        read_assumptions(path)
    assert message in str(caught.value) and "\n" not in str(caught.value) and "assumptions.csv" in str(caught.value)


def test_a_scenario_file_reads_its_levers(tmp_path):
    path = tmp_path / "fewer_out_of_area.csv"
    path.write_text("lever,value,from_year,placement\nplan_growth_slowed_pct,2.5,2026-27,\n"
                    "places_opened,120,2027/28,state_special\nindependent_to_mainstream_share,0.25,2028,\n")
    scenario = read_scenario(path)
    assert scenario.name == "fewer_out_of_area"
    assert [(lever.name, lever.value, lever.from_year, lever.placement) for lever in scenario.levers] == [
        ("plan_growth_slowed_pct", 2.5, 2026, ""), ("places_opened", 120, 2027, "state_special"),
        ("independent_to_mainstream_share", 0.25, 2028, "")]


@pytest.mark.parametrize("row, message", [
    ("plan_growth_slowd,5,2026-27,", "row 2: lever 'plan_growth_slowd' is not one of plan_growth_slowed_pct"),
    ("independent_to_state_special_share,1.5,2026-27,", "row 2: independent_to_state_special_share 1.5 is outside 0 to 1"),
    ("independent_to_mainstream_share,-0.1,2026-27,", "is outside 0 to 1"),
    ("plan_growth_slowed_pct,5,2026-28,", "row 2, column 'from_year': '2026-28' is not a financial year"),
    ("places_opened,50,2026-27,special", "row 2, column 'placement': 'special' is not a type places can open in"),
    ("places_opened,50,2026-27,ap_pru", "'ap_pru' is not a type places can open in (mainstream, resourced_units, state_special)"),
    ("plan_growth_slowed_pct,lots,2026-27,", "row 2, column 'value': 'lots' is not a number"),
])
def test_a_bad_scenario_is_refused_in_one_line(tmp_path, row, message):
    path = tmp_path / "scenario.csv"
    path.write_text("lever,value,from_year,placement\n" + row + "\n")
    with pytest.raises(DataValidationError) as caught:
        read_scenario(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("name, content", [("baseline.csv", "lever,value,from_year\nplan_growth_slowed_pct,2,2026-27\n"),
                                           ("x.csv", "lever,value,from_year,scenario\nplan_growth_slowed_pct,2,2026-27,baseline\n")])
def test_a_scenario_may_not_take_the_baselines_name(tmp_path, name, content):
    """The review and the command show every scenario beside the baseline: two rows named 'baseline' would be ambiguous."""
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DataValidationError, match=r"column 'scenario': 'baseline' is the outlook without levers"):
        read_scenario(path)


def test_financial_years_are_named_by_the_year_they_start():
    assert parse_year("2027-28", "x") == parse_year("2027/28", "x") == parse_year("2027/2028", "x") == parse_year("2027", "x") == 2027
    assert financial_year(2029) == "2029-30" and financial_year(1999) == "1999-00"
