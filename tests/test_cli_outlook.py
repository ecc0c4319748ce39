"""Issue 23: ``send-review outlook``, on the fixture release named with ``--release`` (so these tests never read
the default release: test_release_growth.py need not run them again on a grown one)."""

from __future__ import annotations

import csv
import io

import pytest
from helpers import FIXTURE_RELEASE

from analysis_helpers.cli import main


def run_outlook(capsys, *args):
    """``send-review outlook ARGS --release <fixture>``: exit code, standard output, standard error."""
    argv = ["outlook", *args, "--release", str(FIXTURE_RELEASE)]  # always the fixture: never the default release
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _outlook_rows(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("\n".join(line for line in out.splitlines() if not line.startswith("#")))))


def test_outlook_csv_for_kent_runs_every_year_for_the_baseline_and_a_scenario(capsys, tmp_path):
    scenario = tmp_path / "slower_growth.csv"
    scenario.write_text("lever,value,from_year\nplan_growth_slowed_pct,3,2026-27\n")
    code, out, err = run_outlook(capsys, "--area", "Kent", "--scenario", str(scenario), "--goal-seek", "plan_growth_slowed_pct",
                                 "--format", "csv")
    assert code == 0, err
    rows = _outlook_rows(out)
    assert list(rows[0]) == ["year", "placement", "caseload", "caseload_low80", "caseload_high80", "unit_cost", "spend", "income",
                             "in_year_gap", "cumulative_deficit", "scenario"]
    for name in ("baseline", "slower_growth"):
        years = [r["year"] for r in rows if r["scenario"] == name and r["placement"] == "all"]
        assert years == [f"{y}-{(y + 1) % 100:02d}" for y in range(2021, 2030)]
    base, slower = ({r["year"]: r for r in rows if r["scenario"] == n and r["placement"] == "all"} for n in ("baseline", "slower_growth"))
    assert base["2025-26"]["caseload"] == slower["2025-26"]["caseload"] == "20635"  # counted: no lever changes it
    assert int(slower["2027-28"]["caseload"]) < int(base["2027-28"]["caseload"])
    assert base["2021-22"]["cumulative_deficit"] == "97000000" and base["2021-22"]["income"] == "233205395"
    comments = [line for line in out.splitlines() if line.startswith("# ")]
    assert "# target year: 2027-28 (the area's safety-valve agreement)" in comments
    assert any(line.startswith("# goal seek plan_growth_slowed_pct (alone, on the baseline): ")
               and "brings the 2027-28 in-year gap to zero" in line for line in comments)
    assert "# start: cumulative deficit £97,000,000 at the end of 2021-22 (the council's outturn (kent.csv row 36))" in comments
    assert "# placement independent_special: model same_count; unit cost the LA's 2021-22 figure" in comments
    assert sum(line.startswith("# sensitivity: ") for line in comments) == 4


@pytest.mark.parametrize("row, expected", [
    ("plan_growth_slowd,5,2026-27", "lever 'plan_growth_slowd' is not one of"),
    ("independent_to_state_special_share,1.2,2026-27", "independent_to_state_special_share 1.2 is outside 0 to 1"),
    ("plan_growth_slowed_pct,5,2019-20", "plan_growth_slowed_pct from 2019-20 is before the projection starts (2026-27)"),
])
def test_outlook_refuses_a_bad_scenario_in_one_line_with_status_2(capsys, tmp_path, row, expected):
    scenario = tmp_path / "scenario.csv"
    scenario.write_text("lever,value,from_year\n" + row + "\n")
    code, out, err = run_outlook(capsys, "--area", "Kent", "--scenario", str(scenario))
    assert code == 2 and err.count("\n") == 1 and expected in err and "scenario.csv row 2" in err, err


@pytest.mark.parametrize("args, expected", [
    (["--goal-seek", "growth"], "unknown lever 'growth'"),
    (["--goal-seek", "places_opened"], "--goal-seek places_opened needs --placement TYPE"),
])
def test_outlook_refuses_a_bad_lever_name(capsys, args, expected):
    code, out, err = run_outlook(capsys, "--area", "Kent", *args)
    assert code == 2 and err.count("\n") == 1 and expected in err, err


def test_outlook_is_for_a_local_authority(capsys):
    code, out, err = run_outlook(capsys, "--area", "England")
    assert code == 2 and "a high-needs outlook is for a local authority" in err
