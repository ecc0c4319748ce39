"""The 2014-onwards series: adapter, overlap agreement, and the series break."""

import pytest
from helpers import raw_rows

from analysis_helpers.core.paths import HISTORIC_RELEASE
from analysis_helpers.domain.history import break_period, overlap, timeliness_history


@pytest.fixture(scope="module")
def history():
    return timeliness_history("ehcp_issued_within_20_weeks_excl_exceptions_pct")


def test_kent_series_runs_2014_to_2024(history):
    kent = history[history["area_name"] == "Kent"]
    assert kent["period"].tolist() == [str(y) for y in range(2014, 2025)]


def test_old_years_come_from_the_2022_release_by_hand(history):
    # sen2_mi.csv, Kent 2015: NoExc20weekEHC=313, TotNoExcEHC=363 -> 86.2%.
    raw = [r for r in raw_rows("sen2_mi.csv", HISTORIC_RELEASE) if r["la_name"] == "Kent" and r["time_period"] == "2015"][0]
    kent = history[(history["area_name"] == "Kent") & (history["period"] == "2015")].iloc[0]
    assert (kent["numerator"], kent["denominator"]) == (float(raw["NoExc20weekEHC"]), float(raw["TotNoExcEHC"])) == (313, 363)
    assert round(kent["value"], 1) == 86.2 == float(raw["NoExc20weekRate"])
    assert kent["source"].startswith("education-health-and-care-plans_2022.zip")


def test_releases_agree_where_they_overlap():
    for measure in ("ehcp_issued_within_20_weeks_excl_exceptions_pct", "ehcp_issued_within_20_weeks_pct"):
        both = overlap(measure)
        assert sorted(both["period"].unique()) == ["2019", "2020", "2021"]
        assert len(both) > 400
        assert (both["numerator_current"] == both["numerator_historic"]).all()
        assert (both["denominator_current"] == both["denominator_historic"]).all()


def test_series_break_is_read_from_the_data(history):
    assert break_period("ehcp_issued_within_20_weeks_pct") == "2023"
    assert break_period("ehcp_caseload_count") == "2023/24"
    kent = history[history["area_name"] == "Kent"].set_index("period")
    assert kent["series_break"].sum() == 1 and kent.loc["2023", "series_break"]
    assert kent.loc["2022", "collection"].startswith("aggregate") and kent.loc["2024", "collection"].startswith("person-level")


def test_england_and_reorganised_las(history):
    england = history[history["area_name"] == "England"]
    assert england["period"].tolist()[0] == "2014" and len(england) == 11
    northants = history[history["area_name"] == "Northamptonshire"]
    assert northants["period"].max() == "2020"
