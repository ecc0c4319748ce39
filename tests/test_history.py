"""The 2014-onwards series: adapter, overlap agreement, and the series break.

On the fixture releases (tests/fixtures/: the real 2025 and 2022 rows for
England, the regions and 15 LAs); tests/e2e/test_real_release.py checks the
overlap on the real releases.
"""

import pytest
from helpers import FIXTURE_HISTORIC, raw_rows

from analysis_helpers.domain.history import break_period, overlap, timeliness_history


@pytest.fixture(scope="module")
def history(release, historic):
    return timeliness_history("ehcp_issued_within_20_weeks_excl_exceptions_pct", release=release, historic=historic)


def place(row: dict) -> tuple[str, str]:
    """(country, region or LA number, period) of a raw row: how both releases name an area."""
    level = row["geographic_level"]
    return {"National": row["country_code"], "Regional": row["region_code"]}.get(level, row["old_la_code"]), row["time_period"]


def test_kent_series_runs_2014_to_2024(history):
    kent = history[history["area_name"] == "Kent"]
    assert kent["period"].tolist() == [str(y) for y in range(2014, 2025)]


def test_old_years_come_from_the_2022_release_by_hand(history):
    # sen2_mi.csv, Kent 2015: NoExc20weekEHC=313, TotNoExcEHC=363 -> 86.2%.
    raw = [r for r in raw_rows("sen2_mi.csv", FIXTURE_HISTORIC) if r["la_name"] == "Kent" and r["time_period"] == "2015"][0]
    kent = history[(history["area_name"] == "Kent") & (history["period"] == "2015")].iloc[0]
    assert (kent["numerator"], kent["denominator"]) == (float(raw["NoExc20weekEHC"]), float(raw["TotNoExcEHC"])) == (313, 363)
    assert round(kent["value"], 1) == 86.2 == float(raw["NoExc20weekRate"])
    assert kent["source"] == "education-health-and-care-plans_2022_fixture.zip:data/sen2_mi.csv"


def test_releases_agree_where_they_overlap(release, historic):
    current = {place(r) for r in raw_rows("timeliness_20_week.csv") if r["breakdown_topic"] == "All EHC plans issued"}
    old = {place(r) for r in raw_rows("sen2_mi.csv", FIXTURE_HISTORIC)}
    # Both publish 2019-2021 for England, 9 regions and the fixture LAs that existed then: 69 rows by csv.
    assert len(current & old) == 69
    for measure in ("ehcp_issued_within_20_weeks_excl_exceptions_pct", "ehcp_issued_within_20_weeks_pct"):
        both = overlap(measure, release=release, historic=historic)
        assert sorted(both["period"].unique()) == ["2019", "2020", "2021"]
        assert len(both) == len(current & old)
        assert (both["numerator_current"] == both["numerator_historic"]).all()
        assert (both["denominator_current"] == both["denominator_historic"]).all()


def test_series_break_is_read_from_the_data(history, release):
    assert break_period("ehcp_issued_within_20_weeks_pct", release) == "2023"
    assert break_period("ehcp_caseload_count", release) == "2023/24"
    kent = history[history["area_name"] == "Kent"].set_index("period")
    assert kent["series_break"].sum() == 1 and kent.loc["2023", "series_break"]
    assert kent.loc["2022", "collection"].startswith("aggregate") and kent.loc["2024", "collection"].startswith("person-level")


def test_england_and_reorganised_las(history):
    england = history[history["area_name"] == "England"]
    assert england["period"].tolist() == [str(y) for y in range(2014, 2025)]
    northants = history[history["area_name"] == "Northamptonshire"]
    assert northants["period"].tolist() == [str(y) for y in range(2014, 2021)]
