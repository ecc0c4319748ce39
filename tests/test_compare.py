"""Comparators checked against hand computations from the raw rows."""

import math
import statistics

import pandas as pd
import pytest
from helpers import raw_rows
from statsmodels.stats.proportion import proportions_ztest

from analysis_helpers.analysis.compare import (
    compare,
    poisson_change_test,
    quartile_band,
    rank_values,
    two_proportion_test,
)
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
def kent_2024():
    return compare("Kent", HEADLINE, period="2024")


def test_comparator_rows(kent_2024):
    labels = kent_2024["comparator"].tolist()
    assert labels[:5] == ["Area", "England", "Region", "Statistical neighbours (mean)", "Statistical neighbours (median)"]
    assert len(labels) == 15 and labels[5].startswith("Neighbour 1")
    assert kent_2024["area_name"].tolist()[5:] == [
        "Essex", "East Sussex", "Devon", "Bexley", "Suffolk", "Norfolk", "Nottinghamshire", "West Sussex", "Bedford", "Somerset"
    ]


def test_kent_neighbour_mean_and_median_by_hand(kent_2024):
    values = headline_by_la("2024")
    neighbour_values = [values[n] for n in KENT_2025_NEIGHBOURS]
    # By hand: (270/1797 + 342/402 + 41/1277 + 345/503 + 347/1366 + 981/1743
    #           + 472/1259 + 171/1495 + 259/349 + 190/567) / 10 = 41.0%
    mean = kent_2024.set_index("comparator").loc["Statistical neighbours (mean)", "value"]
    median = kent_2024.set_index("comparator").loc["Statistical neighbours (median)", "value"]
    assert mean == pytest.approx(statistics.mean(neighbour_values), rel=1e-12)
    assert round(mean, 1) == 41.0
    assert median == pytest.approx(statistics.median(neighbour_values), rel=1e-12)
    assert round(median, 1) == 35.5


def test_kent_rank_and_quartile_by_hand(kent_2024):
    values = headline_by_la("2024")
    kent = values["886"]
    expected_rank = 1 + sum(v > kent for v in values.values())
    area = kent_2024.iloc[0]
    assert (area["rank"], area["of"]) == (expected_rank, len(values)) == (107, 151)
    assert area["quartile"] == "C"


def test_change_since_previous_year_uses_two_proportion_test(kent_2024):
    area = kent_2024.iloc[0]
    # Kent 2024: 783/2354; 2023: 324/1796.
    _, p = proportions_ztest([783, 324], [2354, 1796])
    assert area["previous_period"] == "2023"
    assert area["change"] == pytest.approx(100 * (783 / 2354 - 324 / 1796))
    assert area["change_p_value"] == pytest.approx(p, rel=1e-9)
    assert bool(area["change_significant"]) is True


def test_2021_neighbour_list_and_default_period():
    frame = compare("886", HEADLINE, neighbours="2021")
    assert frame.loc[0, "period"] == "2024"
    assert frame["area_name"].iloc[5:].tolist()[:3] == ["Essex", "East Sussex", "Swindon"]


def test_region_and_england_have_no_neighbours_or_rank():
    frame = compare("South East", "ehcp_caseload_count")
    assert frame["comparator"].tolist() == ["Area", "England"]
    assert pd.isna(frame.loc[0, "rank"])
    assert frame.loc[0, "change_test"].startswith("Poisson")


def test_another_la_works():
    frame = compare("Bristol, City of", "new_ehcp_mainstream_pct")
    assert frame.loc[0, "area_name"] == "Bristol, City of" and frame.loc[2, "area_name"] == "South West"


def test_bad_period():
    with pytest.raises(ParameterError, match="period '1999' is not in the data"):
        compare("Kent", HEADLINE, period="1999")


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
