"""Funnels that allow for overdispersion (issue 22, item 5), against a hand-worked example and the real release.

The example: five areas around a centre of 50% (30, 50, 55 and 70 of 100; 180 of 400). Worked by hand (the steps
of analysis.funnel's docstring, with the standard library's math):

* z = (asin √p - π/4) · 2 √n: -4.1152, 0, 1.0017, 4.1152, -2.0033;
* their 10th and 90th percentiles (linear between order statistics): -3.2704 and 2.8698; winsorised, the
  squares average to φ = 4.7896;
* I φ = 23.948 exceeds I - 1 = 4, so τ² = (23.948 - 4) / (2000 - (4·400² + 1600²) / 2000) = 0.0090673;
* at n = 100 the 95% limits are sin²(π/4 ∓ 1.96 √(1/400 + τ²)) = 29.54% and 70.46%, the 99.8% limits 19.16% and
  80.84%; at n = 400, 31.18-68.82% and 21.42-78.58%.
"""

import csv
import io
import math

import numpy as np
import pandas as pd
import pytest
from helpers import FIXTURE_RELEASE

from analysis_helpers.analysis.funnel import (
    adjusted_limits,
    dispersion,
    funnel_for,
    funnel_table,
    limits,
    place,
    z_scores,
)
from analysis_helpers.cli import main
from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.intervals import funnel_position

NUMERATORS, DENOMINATORS = [30, 50, 55, 70, 180], [100, 100, 100, 100, 400]


def test_the_z_scores_dispersion_and_variance_match_the_hand_worked_example():
    assert np.round(z_scores(NUMERATORS, DENOMINATORS, 50.0), 4).tolist() == [-4.1152, 0.0, 1.0017, 4.1152, -2.0033]
    found = dispersion(NUMERATORS, DENOMINATORS, 50.0)
    assert found.areas == 5 and round(found.phi, 4) == 4.7896
    assert found.tau2 == pytest.approx(0.0090673, abs=1e-7) and found.overdispersed


def test_the_adjusted_limits_match_the_hand_worked_example():
    tau2 = dispersion(NUMERATORS, DENOMINATORS, 50.0).tau2
    low, high = adjusted_limits(50.0, [100, 400], tau2, 0.95)
    assert np.round(low, 2).tolist() == [29.54, 31.18] and np.round(high, 2).tolist() == [70.46, 68.82]
    low, high = adjusted_limits(50.0, [100, 400], tau2, 0.998)
    assert np.round(low, 2).tolist() == [19.16, 21.42] and np.round(high, 2).tolist() == [80.84, 78.58]


def test_without_overdispersion_the_limits_are_the_binomial_ones_on_the_scale():
    # areas exactly at the centre: no spread beyond chance, tau2 = 0 and the limits are sin²(π/4 ∓ z / (2 √n))
    found = dispersion([50, 100, 200], [100, 200, 400], 50.0)
    assert found.tau2 == 0.0 and not found.overdispersed
    low, high = adjusted_limits(50.0, [100], 0.0, 0.95)
    assert low[0] == pytest.approx(100 * math.sin(math.pi / 4 - 1.959964 / 20) ** 2, abs=1e-4)
    assert high[0] == pytest.approx(100 * math.sin(math.pi / 4 + 1.959964 / 20) ** 2, abs=1e-4)


def test_each_area_gets_its_position_from_the_adjusted_limits():
    rows = pd.DataFrame({"area_code": list("ABCDE"), "area_name": list("abcde"), "numerator": NUMERATORS,
                         "denominator": DENOMINATORS})
    table, _ = funnel_table(rows, 50.0)
    # 30 and 70 of 100 lie just inside the adjusted 95% limits (29.54-70.46%)
    assert table["position"].tolist() == ["within the 95% limits"] * 5
    # on binomial limits alone, 30 and 70 of 100 are beyond 99.8% (exact limits about 35-65%)
    assert table.loc[0, "binomial_low_998"] > 30 and table.loc[3, "binomial_high_998"] < 70


def test_a_point_is_placed_on_the_adjusted_limits_only_when_the_areas_are_overdispersed():
    # The example's 30 of 100 lies below the binomial 99.8% limit (exactly 35-65%: P(X <= 34) = 0.0009 under
    # Bin(100, 0.5)) but within the adjusted 95% limits (29.54-70.46%).
    spread = dispersion(NUMERATORS, DENOMINATORS, 50.0)
    assert funnel_position(30.0, 100, 50.0) == "below the 99.8% limit"
    assert place(30.0, 100, spread) == "within the 95% limits"
    # Without overdispersion the exact binomial limits stand, not their arcsine approximation: 34.9% of 100 lies
    # below the binomial 99.8% limit (35%) though above sin²(π/4 - 3.0902 / 20) = 34.79%.
    calm = dispersion([50, 100, 200], [100, 200, 400], 50.0)
    assert place(34.9, 100, calm) == "below the 99.8% limit"
    at = limits(50.0, [100], calm)
    assert at["adjusted_998"][0][0] == at["binomial_998"][0][0] == 35.0 and at["adjusted_95"][1][0] == 60.0


def test_without_overdispersion_the_table_s_adjusted_limits_are_the_binomial_ones():
    rows = pd.DataFrame({"area_code": list("ABC"), "area_name": list("abc"), "numerator": [50, 100, 200],
                         "denominator": [100, 200, 400]})
    table, found = funnel_table(rows, 50.0)
    assert not found.overdispersed
    for kind in ("low_95", "high_95", "low_998", "high_998"):
        assert table[f"adjusted_{kind}"].tolist() == table[f"binomial_{kind}"].tolist()
    # n = 100: 40-60% and 35-65% (the exact binomial quantiles above)
    assert table.loc[0, ["adjusted_low_95", "adjusted_high_95", "adjusted_low_998", "adjusted_high_998"]].tolist() == [
        40.0, 60.0, 35.0, 65.0]


def test_the_real_release_flags_few_las_once_the_limits_allow_for_overdispersion(release):
    # The fixture release's 15 LAs, 2024: binomial limits put most of them beyond 99.8%; the adjusted ones few.
    table, found, period = funnel_for("ehcp_issued_within_20_weeks_pct", None, release)
    assert period == "2024" and found.overdispersed
    binomial = ((table["value_pct"] < table["binomial_low_998"]) | (table["value_pct"] > table["binomial_high_998"])).sum()
    adjusted = table["position"].str.endswith("99.8% limit").sum()
    assert binomial >= len(table) // 2 and adjusted <= max(1, len(table) // 20)
    kent = table[table["area_name"] == "Kent"].iloc[0]
    assert (kent["numerator"], kent["denominator"]) == (784, 2424)  # timeliness_20_week.csv, Kent 2024


def test_a_count_measure_or_an_unknown_period_is_refused(release):
    with pytest.raises(ParameterError, match="is a count"):
        funnel_for("ehcp_caseload_count", None, release)
    with pytest.raises(ParameterError, match="has figures for"):
        funnel_for("ehcp_issued_within_20_weeks_pct", "1999", release)


def test_the_command_prints_one_row_per_la_as_csv(capsys):
    assert main(["funnel", "--measure", "ehcp_issued_within_20_weeks_pct", "--period", "2024", "--format", "csv",
                 "--release", str(FIXTURE_RELEASE)]) == 0
    header, *rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header[:6] == ["area_code", "area_name", "numerator", "denominator", "value_pct", "centre_pct"]
    assert "adjusted_high_998" in header and header[-1] == "position"
    assert len(rows) == 13  # the fixture's 15 LAs less Northamptonshire and Cumbria, abolished in 2021 and 2023
    kent = next(r for r in rows if r[1] == "Kent")
    assert kent[2:5] == ["784", "2424", str(round(100 * 784 / 2424, 6))]
