"""Comparators checked against hand computations from the raw rows.

On the fixture release (tests/fixtures/): England, the regions and 15 LAs, so of
Kent's ten 2025 neighbours only Essex and East Sussex have data; the others are
listed with a note. tests/e2e/test_real_release.py checks the real ranking.
"""

import math
import statistics

import pandas as pd
import pytest
from helpers import raw_rows
from statsmodels.stats.proportion import proportions_ztest

from analysis_helpers.analysis.compare import (
    MIN_CHANGE_DENOMINATOR,
    compare,
    poisson_change_test,
    quartile_band,
    rank_values,
)
from analysis_helpers.analysis.significance import two_proportion_test
from analysis_helpers.core.errors import ParameterError

HEADLINE = "ehcp_issued_within_20_weeks_excl_exceptions_pct"
# Kent's 2025 statistical neighbours, as listed in sn_may_2025.xlsx (row "886 Kent").
KENT_2025_NEIGHBOURS = ["881", "845", "878", "303", "935", "926", "891", "938", "822", "933"]


def headline_by_la(period: str) -> dict[str, float]:
    out = {}
    for r in raw_rows("timeliness_20_week.csv"):
        if r["geographic_level"] == "Local authority" and r["breakdown_topic"] == "All EHC plans issued" and r["time_period"] == period:
            if r["plans_issued_den_ex"] not in ("x", "0"):
                out[r["old_la_code"]] = 100 * float(r["plans_issued_20_weeks_ex"]) / float(r["plans_issued_den_ex"])
    return out


@pytest.fixture(scope="module")
def kent_2024(release):
    return compare("Kent", HEADLINE, period="2024", release=release)


def test_comparator_rows(kent_2024):
    labels = kent_2024["comparator"].tolist()
    assert labels[:5] == ["Area", "England", "Region", "Statistical neighbours (mean)", "Statistical neighbours (median)"]
    assert len(labels) == 15 and labels[5].startswith("Neighbour 1")
    assert kent_2024["area_name"].tolist()[5:] == [
        "Essex", "East Sussex", "Devon", "Bexley", "Suffolk", "Norfolk", "Nottinghamshire", "West Sussex", "Bedford Borough", "Somerset"
    ]  # names of neighbours not in the release as sn_may_2025.xlsx writes them ("Bedford Borough")


def test_kent_neighbour_mean_and_median_by_hand(kent_2024):
    values = headline_by_la("2024")
    neighbour_values = [values[n] for n in KENT_2025_NEIGHBOURS if n in values]
    # Only Essex (881) and East Sussex (845) are in the fixture. By hand:
    # (270/1797 + 342/402) / 2 = (15.025 + 85.075) / 2 = 50.05%; the median of two is the mean.
    assert neighbour_values == [100 * 270 / 1797, 100 * 342 / 402]
    by_label = kent_2024.set_index("comparator")
    mean = by_label.loc["Statistical neighbours (mean)", "value"]
    median = by_label.loc["Statistical neighbours (median)", "value"]
    assert mean == pytest.approx(statistics.mean(neighbour_values), rel=1e-12)
    assert round(mean, 2) == 50.05 and median == pytest.approx(mean, rel=1e-12)
    assert by_label.loc["Statistical neighbours (mean)", "area_name"] == "2 of 10 neighbours with data"
    devon = kent_2024[kent_2024["area_name"] == "Devon"].iloc[0]
    assert pd.isna(devon["value"]) and devon["note"] == "not in this release (reorganised or renamed)"


def test_kent_rank_and_quartile_by_hand(kent_2024):
    values = headline_by_la("2024")
    kent = values["886"]
    expected_rank = 1 + sum(v > kent for v in values.values())
    area = kent_2024.iloc[0]
    # 2024, 12 fixture LAs with a value (City of London: 0 of 0). Above Kent's 783/2354 = 33.3%:
    # Isles of Scilly 1/1, East Sussex 342/402, Leicester 294/571, Cumberland 159/373 -> 5th of 12,
    # quartile ceil(4 * 5 / 12) = 2 -> B.
    assert (area["rank"], area["of"]) == (expected_rank, len(values)) == (5, 12)
    assert area["quartile"] == "B"


def test_change_since_previous_year_uses_two_proportion_test(kent_2024):
    area = kent_2024.iloc[0]
    # Kent 2024: 783/2354; 2023: 324/1796.
    _, p = proportions_ztest([783, 324], [2354, 1796])
    assert area["previous_period"] == "2023"
    assert area["change"] == pytest.approx(100 * (783 / 2354 - 324 / 1796))
    assert area["change_p_value"] == pytest.approx(p, rel=1e-9)
    assert bool(area["change_significant"]) is True


def test_a_change_on_a_tiny_denominator_is_not_tested(release):
    """Isles of Scilly, 2024: 1 of 1 on time after 0 of 4 in 2023. The z-test would say p = 0.025 ("larger than chance");
    below MIN_CHANGE_DENOMINATOR (10) in either year the change is shown but not tested."""
    _, p = proportions_ztest([1, 0], [1, 4])
    assert p == pytest.approx(0.0253, abs=1e-4) and MIN_CHANGE_DENOMINATOR == 10
    area = compare("Isles of Scilly", "ehcp_issued_within_20_weeks_pct", release=release).iloc[0]
    assert (area["numerator"], area["denominator"], area["previous_value"], area["change"]) == (1, 1, 0.0, 100.0)
    assert area["change_significant"] is False and math.isnan(area["change_p_value"])
    assert area["change_test"] == "not tested: fewer than 10 in a denominator (4 then 1)"


def test_a_change_on_denominators_of_ten_or_more_is_tested(release):
    area = compare("Kent", "ehcp_issued_within_20_weeks_pct", release=release).iloc[0]
    assert area["change_test"] == "two-proportion z-test" and not math.isnan(area["change_p_value"])


def test_2021_neighbour_list_and_default_period(release):
    frame = compare("886", HEADLINE, neighbours="2021", release=release)
    assert frame.loc[0, "period"] == "2024"
    assert frame["area_name"].iloc[5:].tolist()[:3] == ["Essex", "East Sussex", "Swindon"]


def test_region_and_england_have_no_neighbours_or_rank(release):
    frame = compare("South East", "ehcp_caseload_count", release=release)
    assert frame["comparator"].tolist() == ["Area", "England"]
    assert pd.isna(frame.loc[0, "rank"])
    assert frame.loc[0, "change_test"].startswith("Poisson")


def test_another_la_works(release):
    frame = compare("Bristol, City of", "new_ehcp_mainstream_pct", release=release)
    assert frame.loc[0, "area_name"] == "Bristol, City of" and frame.loc[2, "area_name"] == "South West"


def test_bad_period(release):
    with pytest.raises(ParameterError, match="period '1999' is not in the data"):
        compare("Kent", HEADLINE, period="1999", release=release)


def test_rank_direction_and_quartiles():
    values = pd.Series([10.0, 30.0, 20.0, 30.0])
    assert rank_values(values, True).tolist() == [4, 1, 3, 1]
    assert rank_values(values, False).tolist() == [1, 3, 2, 3]
    assert [quartile_band(r, 8) for r in (1, 2, 3, 4, 5, 6, 7, 8)] == list("AABBCCDD")


def test_tests_against_references():
    _, p = proportions_ztest([30, 20], [100, 100])
    assert two_proportion_test(30, 100, 20, 100) == pytest.approx(p)
    assert math.isnan(two_proportion_test(1, 0, 1, 1))  # undefined with a zero denominator
    assert poisson_change_test(50, 50) == pytest.approx(1.0)
    assert poisson_change_test(80, 40) < 0.001
