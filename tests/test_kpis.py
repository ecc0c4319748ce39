"""The KPI table, checked against values worked out by hand from the raw rows.

On the fixture release (tests/fixtures/: the real rows for England, the regions
and 15 LAs); tests/e2e/test_real_release.py repeats the headline on the real one.
"""

import numpy as np
import pandas as pd
import pytest
from helpers import FIXTURE_LAS, FIXTURE_RELEASE, check_against_published, make_release, one, raw_bytes, raw_rows

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.release import Release
from analysis_helpers.domain.kpis import KPI_COLUMNS, kpi_table, kpis_for
from analysis_helpers.domain.measures import MEASURES, SUB_REGIONAL_FILES, get_measure


@pytest.fixture(scope="module")
def table(release):
    return kpi_table(release)


def test_exact_columns(table):
    assert list(table.columns) == KPI_COLUMNS


def test_kent_2023_all_plans_within_20_weeks(table):
    # timeliness_20_week.csv, Kent 2023: plans_issued_within_20_weeks=324, plans_issued_den=1804.
    row = one(table, "Kent", "ehcp_issued_within_20_weeks_pct", "2023")
    assert (row["numerator"], row["denominator"]) == (324, 1804)
    assert round(row["value"], 1) == 18.0
    assert row["unit"] == "pct" and row["period_end"] == pd.Timestamp("2023-12-31")
    assert row["source"] == "education-health-and-care-plans_2025_fixture.zip:data/timeliness_20_week.csv"


def test_england_2024_excluding_exceptions(table):
    # timeliness_20_week.csv, England 2024: plans_issued_20_weeks_ex=39407, plans_issued_den_ex=84866.
    row = one(table, "England", "ehcp_issued_within_20_weeks_excl_exceptions_pct", "2024")
    assert (row["numerator"], row["denominator"]) == (39407, 84866)
    assert round(row["value"], 1) == 46.4
    assert row["ci_low"] < row["value"] < row["ci_high"]


def test_kent_placements_and_demand(table):
    # caseload.csv Kent 202425: ehcplans 20635, mainstream_total 7452 -> 36.1%.
    row = one(table, "Kent", "ehcp_caseload_mainstream_pct", "2024/25")
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (7452, 20635, 36.1)
    # newplans.csv Kent 2024: 1853 of 2890 in mainstream -> 64.1%.
    row = one(table, "Kent", "new_ehcp_mainstream_pct", "2024")
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (1853, 2890, 64.1)
    # requests.csv Kent 2024: 2200 decided not to assess of 4001 received -> 55.0%.
    row = one(table, "Kent", "ehc_requests_refused_pct", "2024")
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (2200, 4001, 55.0)
    count = one(table, "Kent", "ehcp_caseload_count", "2024/25")
    assert count["value"] == 20635 and np.isnan(count["numerator"]) and np.isnan(count["ci_low"])


@pytest.mark.parametrize("measure", [m for m in MEASURES if m.unit == "pct" and m.reader == "ees" and not m.breakdowns
                                     and m.file not in SUB_REGIONAL_FILES and isinstance(m.numerator, str) and not m.less],
                         ids=lambda m: m.name)
def test_every_value_equals_numerator_over_denominator_from_raw_rows(table, measure):
    """Independent recomputation from the raw CSV for every area and period (one row each; summed breakdowns,
    Inner and Outer London, and the tribunal table have their own tests in test_pathway_kpis.py; placement types, whose
    numerator sums several columns, in test_placements.py)."""
    expected = {}
    for r in raw_rows(measure.file):
        if r["breakdown_topic"] != measure.breakdown_topic or r["geographic_level"] not in ("National", "Regional", "Local authority"):
            continue
        parts = [measure.denominator] if isinstance(measure.denominator, str) else list(measure.denominator)
        num, dens = r[measure.numerator], [r[p] for p in parts]
        if num.replace(".", "").isdigit() and all(d.replace(".", "").isdigit() for d in dens) and sum(map(float, dens)) > 0:
            name = {"National": r["country_name"], "Regional": r["region_name"]}.get(r["geographic_level"], r["la_name"])
            expected[(name, r["time_period"])] = 100 * float(num) / sum(map(float, dens))
    rows = table[(table["measure"] == measure.name) & table["value"].notna()]
    assert len(rows) == len(expected) > 20  # 25 areas a year: 2024 only for annual reviews
    labels = rows["period"].str.replace("/", "", regex=False)
    for (name, period, value) in zip(rows["area_name"], labels, rows["value"], strict=True):
        assert value == pytest.approx(expected[(name, period)], rel=1e-12)


def test_computed_values_agree_with_dfe_published_percentages(table):
    rows = [r for r in raw_rows("timeliness_20_week.csv") if r["breakdown_topic"] == "All EHC plans issued"]
    published_values = sum(r["PC_plans_issued_20_weeks_ex"] not in ("x", "z", "") for r in rows)
    # England, 9 regions and 15 LAs over 2019-2024, less the rows DfE left out or marked x: 134 by csv.
    assert check_against_published(table) == published_values == 134


def test_missing_years_are_absent_not_zero(table):
    # timeliness_20_week.csv has Northamptonshire (928) rows for 2019 and 2020 only.
    assert {r["time_period"] for r in raw_rows("timeliness_20_week.csv") if r["old_la_code"] == "928"} == {"2019", "2020"}
    northants = table[table["area_name"] == "Northamptonshire"]
    assert set(northants[northants["measure"] == "ehcp_issued_within_20_weeks_pct"]["period"]) == {"2019", "2020"}
    assert (table["value"].dropna() >= 0).all()
    assert table.groupby(["area_code", "period", "measure"]).size().max() == 1


def test_every_area_of_the_fixture_is_in_the_table(table):
    la_names = set(table.loc[table["geographic_level"] == "Local authority", "area_name"])
    assert la_names == set(FIXTURE_LAS.values())
    assert len(set(table.loc[table["geographic_level"] == "Regional", "area_name"])) == 9


def test_kpis_for_filters_and_orders(table, release):
    rows = kpis_for(["886", "England"], ["ehcp_issued_within_20_weeks_pct"], release=release)
    assert list(dict.fromkeys(rows["area_name"])) == ["Kent", "England"]
    assert rows["period"].tolist() == ["2019", "2020", "2021", "2022", "2023", "2024"] * 2
    # timeliness_20_week.csv, Kent 2019 all plans: plans_issued_within_20_weeks=577, plans_issued_den=1998.
    assert rows[["numerator", "denominator"]].iloc[0].tolist() == [577, 1998]


def test_breakdown_topic_renamed_is_a_clear_error(tmp_path):
    text = raw_bytes("requests.csv").replace(b"All requests for EHC needs assessments", b"All requests")
    release = Release(make_release(tmp_path, {"requests.csv": text}), cache=False)
    with pytest.raises(DataValidationError, match=r"requests.csv: column 'breakdown_topic': no rows for "
                                                  r"'All requests for EHC needs assessments'"):
        kpi_table(release)


def test_numerator_above_denominator_is_refused(tmp_path):
    lines = raw_bytes("timeliness_20_week.csv").split(b"\r\n")
    header = lines[0].lstrip(b"\xef\xbb\xbf").split(b",")
    fields = lines[1].split(b",")
    fields[header.index(b"plans_issued_within_20_weeks")] = b"99999999"
    lines[1] = b",".join(fields)
    release = Release(make_release(tmp_path, {"timeliness_20_week.csv": b"\r\n".join(lines)}), cache=False)
    with pytest.raises(DataValidationError, match="line 2, column 'plans_issued_within_20_weeks': 99,999,999 is more than "
                                                  "the denominator 'plans_issued_den' \\(53,327\\)"):
        kpi_table(release)


def test_measure_registry():
    assert get_measure("ehcp_issued_within_20_weeks_excl_exceptions_pct").higher_is_better is True
    with pytest.raises(Exception, match="valid measures: ehcp_issued_within_20_weeks_pct"):
        get_measure("calc2")


# -- the EHC pathway beyond 20 weeks (issue 13): each worked out here from the release's own rows -----------------
def _kent_all(name: str, topic: str, year: str) -> dict:
    return next(r for r in raw_rows(name) if r["la_name"] == "Kent" and r["time_period"] == year and r["breakdown_topic"] == topic)


@pytest.mark.parametrize(
    ("measure", "file", "topic", "year", "numerator", "parts", "published_pct"),
    [
        # requests.csv: decided within 6 weeks / (within + over 6 weeks); DfE rounds to 69 and 90.8
        ("ehc_requests_decided_within_6_weeks_pct", "requests.csv", "All requests for EHC needs assessments", "2023",
         "request_outcome_six_weeks", ("request_outcome_six_weeks", "request_outcome_over_6_weeks"), 69.0),
        ("ehc_requests_decided_within_6_weeks_pct", "requests.csv", "All requests for EHC needs assessments", "2024",
         "request_outcome_six_weeks", ("request_outcome_six_weeks", "request_outcome_over_6_weeks"), 90.8),
        # timeliness_20_week.csv: plans issued more than a year after the request / all plans issued
        ("ehcp_issued_over_1_year_pct", "timeliness_20_week.csv", "All EHC plans issued", "2024",
         "plans_issued_gt_1_year", ("plans_issued_den",), 14.2),
        # annual_reviews.csv: decisions within 4 weeks / (within + over 4 weeks)
        ("annual_reviews_decided_within_4_weeks_pct", "annual_reviews.csv", "All annual reviews", "2024",
         "number_decsion_4weeks", ("number_decsion_4weeks", "number_decision_gt_4weeks"), 33.6),
    ],
)
def test_pathway_measures_for_kent(release, measure, file, topic, year, numerator, parts, published_pct):
    raw = _kent_all(file, topic, year)
    top, bottom = int(raw[numerator]), sum(int(raw[p]) for p in parts)
    table = kpi_table(release)
    row = table[(table["area_name"] == "Kent") & (table["measure"] == measure) & (table["period"] == year)].iloc[0]
    assert (row["numerator"], row["denominator"]) == (top, bottom)
    assert row["value"] == pytest.approx(100 * top / bottom) and round(row["value"], 1) == published_pct
    assert row["ci_low"] < row["value"] < row["ci_high"] and row["unit"] == "pct"


def test_annual_reviews_for_england_match_the_published_share(release):
    table = kpi_table(release)
    england = table[(table["area_name"] == "England") & (table["measure"] == "annual_reviews_decided_within_4_weeks_pct")]
    assert round(england[england["period"] == "2024"].iloc[0]["value"], 1) == 44.4  # pc_decsion_4weeks, England 2024


def test_the_kpi_table_is_cached_as_parquet_and_read_back_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(tmp_path))
    built = kpi_table(Release(FIXTURE_RELEASE))
    cached = parquet_cache.cache_file("kpis", Release(FIXTURE_RELEASE).sha256, f"{FIXTURE_RELEASE.name}.kpi_table.parquet")
    assert cached.exists() and cached.parent == tmp_path
    cached.write_bytes(b"")  # emptied: the next process finds it damaged
    rebuilt = kpi_table(Release(FIXTURE_RELEASE))
    pd.testing.assert_frame_equal(rebuilt, built)  # a damaged cache is rebuilt, never trusted
    read_back = kpi_table(Release(FIXTURE_RELEASE))
    pd.testing.assert_frame_equal(read_back, built)
    pd.testing.assert_frame_equal(kpi_table(Release(FIXTURE_RELEASE, cache=False)), built)  # the same as built without a cache
    assert list(read_back.columns) == KPI_COLUMNS and str(read_back["period_end"].dtype) == "datetime64[ns]"
