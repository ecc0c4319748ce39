"""The command line: output values, one-line errors, exit status 2."""

import csv
import io
import subprocess
import sys

import pandas as pd
import pytest
from helpers import FIXTURE_RELEASE, KENT_FEED, SHIPPED_RELEASE, make_release, raw_bytes

from analysis_helpers.analysis.backtest import cached_backtest, choose_default
from analysis_helpers.cli import main
from analysis_helpers.cli.output import emit
from analysis_helpers.data.release import Release


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_kpis_csv_for_kent(capsys):
    code, out, err = run_cli(capsys, "kpis", "--area", "Kent", "--format", "csv")
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["area_code", "area_name", "geographic_level", "period", "period_end", "measure", "numerator",
                             "denominator", "value", "unit", "ci_low", "ci_high", "source"]
    hit = [r for r in rows if r["measure"] == "ehcp_issued_within_20_weeks_pct" and r["period"] == "2023"]
    assert len(hit) == 1
    assert (hit[0]["numerator"], hit[0]["denominator"]) == ("324", "1804")
    assert round(float(hit[0]["value"]), 1) == 18.0


def test_kpis_for_england_headline(capsys):
    code, out, _ = run_cli(capsys, "kpis", "--area", "england", "--measure", "ehcp_issued_within_20_weeks_excl_exceptions_pct",
                           "--format", "csv")
    row = [r for r in csv.DictReader(io.StringIO(out)) if r["period"] == "2024"][0]
    assert (row["numerator"], row["denominator"], round(float(row["value"]), 1)) == ("39407", "84866", 46.4)


def test_compare_and_areas(capsys):
    code, out, _ = run_cli(capsys, "compare", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_excl_exceptions_pct",
                           "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["rank"] == "107" and rows[0]["of"] == "151" and rows[0]["quartile"] == "C"
    code, out, _ = run_cli(capsys, "areas", "--format", "csv")
    assert code == 0 and "E10000016,Kent,Local authority,886" in out


@pytest.mark.parametrize(
    "args,expected",
    [
        (["kpis", "--area", "Kentt"], "unknown area 'Kentt'"),
        (["kpis", "--area", "Kent", "--measure", "calc2"], "unknown measure 'calc2'"),
        (["kpis", "--area", "Kent", "--release", "missing.zip"], "release not found"),
        (["compare", "--area", "Kent", "--measure", "new_ehcp_count", "--period", "1999"], "period '1999' is not in the data"),
        (["run", "--area", "Kent", "--quarter", "2024-Q5"], "quarter must look like 2024-Q4"),
    ],
)
def test_errors_are_one_line_with_status_2(capsys, args, expected):
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert err.count("\n") == 1 and expected in err and err.startswith("send-review: error: ")
    assert "Traceback" not in err


def test_broken_release_file_through_the_cli(capsys, tmp_path):
    text = raw_bytes("caseload.csv").replace(b"mainstream_total,", b"mainstream_all,", 1)
    release = make_release(tmp_path, {"caseload.csv": text})
    code, _, err = run_cli(capsys, "kpis", "--area", "Kent", "--release", str(release))
    assert code == 2 and "caseload.csv: column 'mainstream_total' is missing" in err


def test_debug_shows_the_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "analysis_helpers.cli", "kpis", "--area", "Kentt", "--debug"], capture_output=True, text=True
    )
    assert result.returncode != 0 and "Traceback" in result.stderr and "UnknownAreaError" in result.stderr


def test_console_script_exit_status():
    result = subprocess.run([sys.executable, "-m", "analysis_helpers.cli", "kpis", "--area", "nowhere"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_project_without_a_model_uses_the_one_the_backtest_chooses(capsys):
    code, out, _ = run_cli(capsys, "project", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_excl_exceptions_pct",
                           "--format", "csv", "--release", str(FIXTURE_RELEASE))
    summary = dict(line[2:].split(": ", 1) for line in out.splitlines() if line.startswith("# "))
    chosen = choose_default(cached_backtest("ehcp_issued_within_20_weeks_excl_exceptions_pct", release=Release(FIXTURE_RELEASE)))
    assert code == 0 and summary["model"] == chosen


def test_project_for_kent_prints_rows_and_summary(capsys):
    # No target on the excl.-exceptions measure: DfE's series, projected by rw_logit (the fixture ends in 2024).
    code, out, _ = run_cli(capsys, "project", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_excl_exceptions_pct",
                           "--format", "csv", "--release", str(FIXTURE_RELEASE), "--model", "rw_logit")
    assert code == 0
    summary = dict(line[2:].split(": ", 1) for line in out.splitlines() if line.startswith("# "))
    assert summary["target_id"] == "" and summary["model"] == "rw_logit" and summary["latest_period"] == "2024"
    rows = list(csv.DictReader(io.StringIO("\n".join(line for line in out.splitlines() if not line.startswith("# ")))))
    assert list(rows[0]) == ["period", "value_projected", "pi80_low", "pi80_high", "pi95_low", "pi95_high", "required", "target", "model"]
    latest = 100 * 783 / 2354  # timeliness_20_week.csv, Kent 2024: 33.3%; rw_logit's centre is the latest value
    assert rows[0]["period"] == "2025" and float(rows[0]["value_projected"]) == pytest.approx(latest)
    assert float(rows[0]["pi95_low"]) < float(rows[0]["pi80_low"]) < latest < float(rows[0]["pi80_high"]) < float(rows[0]["pi95_high"])


def test_project_tracks_the_app_target_on_the_council_monthly_series(capsys):
    """80% by Sep 2024 from 13.2% (Jun 2023), a council monthly figure: three monthly figures, too few to project."""
    code, out, _ = run_cli(capsys, "project", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_pct", "--format", "csv",
                           "--release", str(FIXTURE_RELEASE), "--as-of", "2024-06-30")
    assert code == 0
    summary = dict(line[2:].split(": ", 1) for line in out.splitlines() if line.startswith("# "))
    assert summary["target_id"] == "app_20_weeks_80" and summary["baseline_value"] == "13.2"
    assert summary["latest_period"] == "2023-08" and summary["latest_value"] == "2.3" and summary["model"] == ""
    assert "at least 6 are needed for a projection" in summary["note"]
    # what it takes: (80 - 2.3) points over the 396 days from 31 Aug 2023 to 30 Sep 2024
    assert float(summary["needed_per_month"]) == pytest.approx((80 - 2.3) / (396 / (365.25 / 12)), abs=0.05)  # printed as 6.0


def summary_of(out: str) -> dict[str, str]:
    return dict(line[2:].split(": ", 1) for line in out.splitlines() if line.startswith("# "))


def test_project_basis_dfe_projects_dfe_statistics_against_the_dfe_target(capsys):
    """Issue 24: --basis dfe was ignored, and the council's APP target (first in targets.csv) was projected on its months."""
    code, out, _ = run_cli(capsys, "project", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_pct", "--basis", "dfe",
                           "--format", "csv", "--release", str(FIXTURE_RELEASE), "--as-of", "2025-09-30", "--model", "rw_logit")
    summary = summary_of(out)
    assert code == 0 and summary["target_id"] == "kpi_2025_20_weeks_60" and summary["target_value"] == "60.0"
    # DfE's calendar year 2024 (timeliness_20_week.csv: 784 of 2,424), never a council month
    assert (summary["latest_period"], summary["latest_value"], summary["baseline_value"]) == ("2024", "32.3", "32.3")
    rows = list(csv.DictReader(io.StringIO("\n".join(line for line in out.splitlines() if not line.startswith("# ")))))
    assert rows[0]["period"] == "2025" and float(rows[0]["value_projected"]) == pytest.approx(100 * 784 / 2424)


def test_project_basis_local_projects_the_council_target(capsys):
    code, out, _ = run_cli(capsys, "project", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_pct", "--basis", "local",
                           "--format", "csv", "--release", str(FIXTURE_RELEASE), "--as-of", "2024-06-30")
    summary = summary_of(out)
    assert code == 0 and summary["target_id"] == "app_20_weeks_80" and summary["latest_period"] == "2023-08"


def test_project_basis_dfe_for_a_council_only_measure_is_refused(capsys):
    code, out, err = run_cli(capsys, "project", "--area", "Kent", "--measure", "send_vacancies", "--basis", "dfe",
                             "--release", str(FIXTURE_RELEASE))
    assert (code, out) == (2, "") and err == ("send-review: error: --basis dfe: send_vacancies is not in DfE's statistics, only in "
                                              "councils' own figures; use --basis local (or leave --basis out)\n")


def test_project_with_nothing_projected_prints_a_sentence_not_a_dataframe(capsys):
    """Issue 24: pandas' "Empty DataFrame / Columns: [...] / Index: []" was printed above the summary."""
    code, out, _ = run_cli(capsys, "project", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_pct",
                           "--release", str(FIXTURE_RELEASE), "--as-of", "2024-06-30")
    assert code == 0 and "DataFrame" not in out and "Columns:" not in out and "Index: []" not in out
    assert out.splitlines()[0] == ("No projected values for Kent's ehcp_issued_within_20_weeks_pct: 3 council figure(s): at least 6 "
                                   "are needed for a projection; what it takes a month is shown instead.")
    assert "\ntarget_id: app_20_weeks_80\n" in out


def test_an_empty_table_is_a_sentence(capsys):
    emit(pd.DataFrame(columns=["period", "value"]), "table")
    assert capsys.readouterr().out == "No rows to show.\n"
    emit(pd.DataFrame(columns=["period", "value"]), "csv")
    assert capsys.readouterr().out == "period,value\n"


def test_project_for_another_la_with_an_ad_hoc_target(capsys):
    code, out, _ = run_cli(capsys, "project", "--area", "Essex", "--measure", "ehcp_issued_within_20_weeks_excl_exceptions_pct",
                           "--target", "60", "--by", "2026-12-31", "--model", "glm_logit", "--as-of", "2025-09-30")
    assert code == 0 and "model: glm_logit" in out and "target_value: 60.0" in out and "probability_by_target_date:" in out


def test_project_bad_inputs(capsys):
    code, _, err = run_cli(capsys, "project", "--area", "Kent", "--measure", "ehcp_caseload_count", "--horizon", "2027/12")
    assert code == 2 and "--horizon must look like 2027-12" in err
    code, _, err = run_cli(capsys, "project", "--area", "Kent", "--measure", "new_ehcp_count", "--target", "5")
    assert code == 2 and "--target needs --by" in err


def test_a_new_release_file_is_used_by_path(tmp_path, capsys):
    """How-to: add the next DfE release (a copy stands in for the new zip)."""
    import shutil

    new = tmp_path / "education-health-and-care-plans_2026.zip"
    shutil.copyfile(SHIPPED_RELEASE, new)
    code, out, _ = run_cli(capsys, "kpis", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_pct",
                           "--release", str(new), "--format", "csv")
    row = [r for r in csv.DictReader(io.StringIO(out)) if r["period"] == "2023"][0]
    assert code == 0 and (row["numerator"], row["denominator"]) == ("324", "1804")
    assert row["source"].startswith("education-health-and-care-plans_2026.zip:")


def test_adding_a_month_of_figures(tmp_path, capsys):
    """How-to: add a month of local figures, validate, and see it used."""
    import shutil

    feed = tmp_path / "kent.csv"
    shutil.copyfile(KENT_FEED, feed)
    with open(feed, "a", encoding="utf-8") as handle:
        handle.write("ehcp_issued_within_20_weeks_pct,2023-09,9.5%,pct,monthly (month of September),,,,KCC SEND update,https://democracy.kent.gov.uk/x\n")
    assert main(["validate", str(feed)]) == 0
    out = capsys.readouterr().out
    assert "kent.csv: 44 figures read, 0 problem(s)" in out and "'9.5%' read as 9.5" in out
    code, out, _ = run_cli(capsys, "project", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_pct", "--basis", "local",
                           "--local", str(feed), "--as-of", "2023-10-31", "--target", "80", "--by", "2024-09-30")
    assert code == 0 and "latest_period: 2023-09" in out and "latest_value: 9.5" in out

