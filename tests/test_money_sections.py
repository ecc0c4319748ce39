"""Issue 23, item 6: the review's "High-needs budget and the safety valve" on the fixture release."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from frozen import FEEDS_DIR, SCENARIOS, TARGETS
from helpers import fixture_release

from analysis_helpers.analysis.high_needs_outlook import outlook
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data.local_feed import area_feed
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.outlook_files import read_scenario
from analysis_helpers.domain.run_context import Quarter, RunContext
from analysis_helpers.reporting import money_sections

AS_OF = dt.date(2026, 9, 30)


def run_for(area: str) -> RunContext:
    """The run a review of 2026-Q3 on the fixture release would make (frozen feeds and targets, conftest.py)."""
    release = fixture_release()
    areas = areas_for(release)
    found = areas.get(area)
    return RunContext(area=found, areas=areas, release=release, neighbours="2025", as_of=AS_OF, local=FEEDS_DIR,
                      feed=area_feed(found.slug, FEEDS_DIR), quarter=Quarter(2026, 3), targets=TARGETS)


@pytest.fixture(scope="module")
def kent():
    run = run_for("Kent")
    return run, money_sections.money_outlook(run)


def _text(shown) -> str:
    return "\n".join(getattr(item, "data", "") for item in shown)


def test_kents_section_reads_the_outlook_out(kent):
    run, found = kent
    row = found.table[(found.table["placement"] == "all") & (found.table["year"] == "2027-28")].iloc[0]
    text = _text(money_sections.section(run, found))
    gap = f"£{row['in_year_gap'] / 1e6:,.1f}m"
    assert f"Kent spends {gap} more than its high-needs block in 2027-28" in text
    assert "its safety-valve agreement's balance year" in text and f"£{row['cumulative_deficit'] / 1e6:,.1f}m" in text
    assert "These are projections, not outturns or the council's forecasts" in text
    assert text.count('<figure class="send-chart">') == 2
    for caption in ("High-needs spend per child aged 2-18, 2021-22", "the high-needs outlook by financial year",
                    "What it would take to balance 2027-28"):
        assert caption in text
    assert "start: the council&#x27;s outturn (kent.csv row 36)" in text or "start: the council's outturn (kent.csv row 36)" in text
    assert "**Sensitivity.**" in text and "cost growth 2% to 7% a year" in text
    assert found.probability == 0.0


def test_a_safety_valve_area_that_misses_gets_a_key_message(kent):
    _, found = kent
    message = money_sections.key_message(found)
    assert message.startswith("On this workbook's projection, Kent's high-needs spending is £")
    assert "the year its safety-valve agreement aims to balance" in message and "a 0% chance of balance" in message


def test_an_area_without_an_agreement_gets_the_section_but_no_key_message():
    run = run_for("Essex")
    found = money_sections.money_outlook(run)
    assert found.inputs is not None and found.inputs.target_year is None
    assert money_sections.key_message(found) is None
    text = _text(money_sections.section(run, found))
    assert "this area has no safety-valve target recorded" in text and "safety-valve agreement" not in text


@pytest.mark.parametrize("area, reason", [("South East", "has no outlook of its own"),
                                          ("Isles of Scilly", "not in DfE's 2021-22 high-needs benchmarking file")])
def test_an_area_with_no_outlook_says_why_in_one_line(area, reason):
    run = run_for(area)
    found = money_sections.money_outlook(run)
    shown = money_sections.section(run, found)
    assert found.inputs is None and len(shown) == 1 and reason in shown[0].data
    assert money_sections.key_message(found) is None


def test_the_section_shows_the_target_year_under_each_scenario_file(kent):
    run, found = kent
    table = found.scenarios.set_index("scenario")
    assert list(table.index) == ["baseline", "fewer_independent_placements", "slower_growth"]  # the frozen data/scenarios/
    # each row is the outlook under that file, worked out here from the file itself
    for name in ("fewer_independent_placements", "slower_growth"):
        scenario = read_scenario(SCENARIOS / f"{name}.csv")
        row = outlook(found.inputs, scenario)
        row = row[(row["placement"] == "all") & (row["year"] == "2027-28")].iloc[0]
        assert table.loc[name, "in_year_gap"] == pytest.approx(row["in_year_gap"])
        assert table.loc[name, "cumulative_deficit"] == pytest.approx(row["cumulative_deficit"])
        assert table.loc[name, "in_year_gap"] < table.loc["baseline", "in_year_gap"] and table.loc[name, "note"] == ""
    assert table.loc["slower_growth", "levers"] == "plan_growth_slowed_pct 3 from 2026-27"
    # worked out by hand as the README says the lever works: every type's plans x 0.97 a year from 2026-27, so in
    # 2027-28 (two years on) the types' spend falls by 1 - 0.97^2 of the baseline's; services and grant are unchanged
    types = found.table[(found.table["year"] == "2027-28") & (found.table["placement"] != "all")]
    expected = table.loc["baseline", "in_year_gap"] - types["spend"].sum() * (1 - 0.97 ** 2)
    assert table.loc["slower_growth", "in_year_gap"] == pytest.approx(expected, rel=1e-9)
    for name in table.index:  # each scenario's own 80% range, around its own central deficit
        low, high = table.loc[name, ["deficit_low80", "deficit_high80"]]
        assert low < table.loc[name, "cumulative_deficit"] < high, name
    assert table.loc["slower_growth", "deficit_high80"] < table.loc["baseline", "deficit_high80"]
    text = _text(money_sections.section(run, found))
    assert "2027-28 under each scenario file in tests/fixtures/data/scenarios" in text
    assert f"<td>{table.loc['slower_growth', 'in_year_gap'] / 1e6:,.1f}</td>" in text


def test_a_scenario_the_area_cannot_take_is_shown_not_applied_and_a_broken_file_stops_the_run(tmp_path, monkeypatch):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    monkeypatch.setenv("SEND_REVIEW_SCENARIOS", str(folder))
    run = run_for("Kent")
    assert "No scenario files in" in _text([money_sections.scenario_table(money_sections.money_outlook(run))])
    (folder / "early.csv").write_text("lever,value,from_year,scenario\nplan_growth_slowed_pct,2,2022-23,<script>x</script>\n")
    found = money_sections.money_outlook(run)
    early = found.scenarios.iloc[1]
    assert early["scenario"] == "<script>x</script>" and early["note"].startswith("not applied: ")
    assert "before the projection starts" in early["note"] and pd.isna(early["in_year_gap"])
    text = _text([money_sections.scenario_table(found)])
    assert "<script>" not in text and "&lt;script&gt;x&lt;/script&gt;" in text
    (folder / "misspelt.csv").write_text("lever,value,from_year\nplan_growth_slowed,2,2026-27\n")
    with pytest.raises(DataValidationError, match=r"misspelt\.csv row 2: lever 'plan_growth_slowed' is not one of"):
        money_sections.money_outlook(run)
