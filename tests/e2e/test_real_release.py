"""End to end on the real releases in data/raw (not the fixtures): the headline
figures the review reports, the whole-release checks, and the ranking among all LAs.

Unit tests run on tests/fixtures/; these make sure the same code gives the
published figures on the files the workbook ships with. Expected values are
worked out from the raw rows with csv (helpers.raw_rows on the real zip).
"""

import csv
import io
import statistics
import zipfile

import pandas as pd
import pytest
from helpers import (
    FIXTURE_HISTORIC,
    FIXTURE_LAS,
    FIXTURE_RELEASE,
    SHIPPED_RELEASE,
    check_against_published,
    one,
    raw_bytes,
    raw_rows,
)

from analysis_helpers.analysis.backtest import choose_default, forecast_years, forecasts
from analysis_helpers.analysis.compare import compare
from analysis_helpers.cli import main
from analysis_helpers.core.paths import HISTORIC_RELEASE
from analysis_helpers.data.release import open_release
from analysis_helpers.data.tribunal import TRIBUNAL_FILE
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.history import overlap
from analysis_helpers.domain.kpis import kpi_table

HEADLINE = "ehcp_issued_within_20_weeks_excl_exceptions_pct"
REAL = "education-health-and-care-plans_2025.zip"
KENT_2025_NEIGHBOURS = ["881", "845", "878", "303", "935", "926", "891", "938", "822", "933"]


@pytest.fixture(scope="module")
def real():
    release = open_release(SHIPPED_RELEASE)
    assert release.path.name == REAL, "these tests pin figures of the 2025 release"
    return release


@pytest.fixture(scope="module")
def table(real):
    return kpi_table(real)


def test_kent_2023_timeliness_on_the_real_release(table):
    # timeliness_20_week.csv, Kent 2023: plans_issued_within_20_weeks=324, plans_issued_den=1804 -> 18.0%.
    row = one(table, "Kent", "ehcp_issued_within_20_weeks_pct", "2023")
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (324, 1804, 18.0)
    assert row["source"] == f"{REAL}:data/timeliness_20_week.csv"
    # ... and 2024, the figure docs/ARCHITECTURE.md follows: 784 of 2,424 = 32.3%.
    row = one(table, "Kent", "ehcp_issued_within_20_weeks_pct", "2024")
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (784, 2424, 32.3)


def test_england_2024_excluding_exceptions(table):
    # timeliness_20_week.csv, England 2024: 39407 of 84866 -> 46.4%.
    row = one(table, "England", HEADLINE, "2024")
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (39407, 84866, 46.4)


def test_every_computed_value_agrees_with_dfe_published_percentages(table):
    assert check_against_published(table, SHIPPED_RELEASE) > 900


def test_whole_release_reads_including_the_repeated_column(real):
    assert len(real.data_files()) == 12
    for name in real.data_files():
        assert len(real.read(name).data) == len(raw_rows(name, SHIPPED_RELEASE))
    assert "review_meeting_prior_24__2" in real.read("annual_reviews.csv").data.columns


def test_kent_rank_and_neighbours_among_all_las(real):
    values = {}
    for r in raw_rows("timeliness_20_week.csv", SHIPPED_RELEASE):
        if (r["geographic_level"] == "Local authority" and r["breakdown_topic"] == "All EHC plans issued"
                and r["time_period"] == "2024" and r["plans_issued_den_ex"] not in ("x", "0")):
            values[r["old_la_code"]] = 100 * float(r["plans_issued_20_weeks_ex"]) / float(r["plans_issued_den_ex"])
    frame = compare("Kent", HEADLINE, period="2024", release=real)
    area = frame.iloc[0]
    assert (area["rank"], area["of"], area["quartile"]) == (1 + sum(v > values["886"] for v in values.values()), len(values), "C")
    assert (area["rank"], area["of"]) == (107, 151)
    # (270/1797 + 342/402 + 41/1277 + 345/503 + 347/1366 + 981/1743 + 472/1259 + 171/1495 + 259/349 + 190/567) / 10 = 41.0%
    by_label = frame.set_index("comparator")
    neighbours = [values[n] for n in KENT_2025_NEIGHBOURS]
    assert by_label.loc["Statistical neighbours (mean)", "value"] == pytest.approx(statistics.mean(neighbours), rel=1e-12)
    assert round(by_label.loc["Statistical neighbours (mean)", "value"], 1) == 41.0
    assert round(by_label.loc["Statistical neighbours (median)", "value"], 1) == 35.5 == round(statistics.median(neighbours), 1)


def test_areas_of_the_real_release(real):
    areas = areas_for(real)
    assert len(areas.regions()) == 9 and areas.get("Kent").code == "E10000016"
    las_2024 = {r["old_la_code"] for r in raw_rows("timeliness_20_week.csv", SHIPPED_RELEASE)
                if r["geographic_level"] == "Local authority" and r["time_period"] == "2024"}
    assert len(las_2024) == 153 and all(areas.by_la_number(n) is not None for n in las_2024)


def test_the_releases_agree_where_they_overlap(real):
    historic = open_release(HISTORIC_RELEASE)
    for measure in (HEADLINE, "ehcp_issued_within_20_weeks_pct"):
        both = overlap(measure, release=real, historic=historic)
        assert sorted(both["period"].unique()) == ["2019", "2020", "2021"] and len(both) > 400
        assert (both["numerator_current"] == both["numerator_historic"]).all()
        assert (both["denominator_current"] == both["denominator_historic"]).all()


@pytest.mark.slow
def test_backtest_of_2024_on_the_real_release(real):
    assert forecast_years(HEADLINE, real) == ("2020", "2021", "2022", "2023", "2024")
    rows = forecasts(HEADLINE, models=("rw_logit",), years=("2024",), release=real)
    assert len(rows) > 140 and set(rows["year"]) == {"2024"}
    kent = rows[rows["area_code"] == "E10000016"].iloc[0]
    assert kent["actual"] == pytest.approx(100 * 783 / 2354) and kent["forecast"] == pytest.approx(100 * 324 / 1796)


@pytest.mark.parametrize("fixture,real", [(FIXTURE_RELEASE, SHIPPED_RELEASE), (FIXTURE_HISTORIC, HISTORIC_RELEASE)], ids=["2025", "2022"])
def test_fixtures_are_the_real_rows_filtered(fixture, real):
    """Every fixture member is its real file's header and rows for England, the regions and the 15 LAs, unchanged;
    the tribunal table (a spreadsheet saved as CSV, with no geography columns) is carried whole, byte for byte."""
    with zipfile.ZipFile(fixture) as archive:
        members = [m.rsplit("/", 1)[-1] for m in archive.namelist()]
    assert members and all(m.endswith(".csv") for m in members)
    for name in members:
        if name == TRIBUNAL_FILE:
            assert raw_bytes(name, fixture) == raw_bytes(name, real), name
            continue
        kept = [r for r in raw_rows(name, real)
                if r["geographic_level"] in ("National", "Regional") or r["old_la_code"] in FIXTURE_LAS]
        assert raw_rows(name, fixture) == kept, name
        fixture_lines, real_lines = raw_bytes(name, fixture).splitlines(keepends=True), raw_bytes(name, real).splitlines(keepends=True)
        assert fixture_lines[0] == real_lines[0] and set(fixture_lines) <= set(real_lines)  # byte for byte


def run_cli(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_backtest_prints_overall_rows(capsys):
    """On the whole real release the chosen model is calibrated (on the fixture's 15 LAs it need not be)."""
    code, out, _ = run_cli(capsys, "backtest", "--measure", "ehcp_issued_within_20_weeks_excl_exceptions_pct", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    overall = {(r["model"], r["horizon"]): r for r in rows if r["year"] == "overall"}
    assert code == 0 and {m for m, _ in overall} == {
        "glm_logit", "rw_drift_logit", "rw_logit", "panel_ar1_logit", "panel_ar1_conformal_logit", "panel_ar1_sized_logit",
        "panel_ar1_quantile_logit", "panel_ar1_leading_logit", "linear_pct"}
    assert {h for _, h in overall} == {"1", "2", "3"}
    assert list(rows[0]) == ["model", "horizon", "year", "n", "coverage_80", "coverage_95", "width_80", "winkler_80", "winkler_95",
                             "mae", "mae_naive", "mae_rel_naive", "bias"]
    # issue 12: the default's MAE one year ahead at most 0.95 x "same as last year" (reached: 0.930, panel_ar1_quantile_logit)
    chosen = choose_default(pd.read_csv(io.StringIO(out), dtype={"year": str}))
    assert float(overall[(chosen, "1")]["mae_rel_naive"]) <= 0.95, chosen
    one_year = overall[("rw_logit", "1")]
    assert abs(float(one_year["coverage_80"]) - 80) <= 5 and abs(float(one_year["coverage_95"]) - 95) <= 5
    # a forecast further ahead is less sure: wider intervals two years ahead than one
    assert float(overall[("rw_logit", "2")]["width_80"]) > float(one_year["width_80"])
    code, _, err = run_cli(capsys, "backtest", "--measure", "new_ehcp_count")
    assert code == 2 and "unknown measure 'new_ehcp_count'; valid measures: ehcp_issued_within_20_weeks_pct" in err


