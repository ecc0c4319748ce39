import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from analysis_helpers.core.intervals import wilson_interval, z_for


def test_wilson_matches_statsmodels_for_kent_2023():
    # Kent 2023: 324 of 1,804 plans within 20 weeks (timeliness_20_week.csv).
    low, high = wilson_interval(324, 1804)
    ref_low, ref_high = proportion_confint(324, 1804, alpha=0.05, method="wilson")
    assert low == pytest.approx(ref_low * 100, abs=1e-9)
    assert high == pytest.approx(ref_high * 100, abs=1e-9)
    assert (round(low, 1), round(high, 1)) == (16.3, 19.8)


def test_wilson_vectorised_and_confidence():
    low, high = wilson_interval(np.array([0, 5, 10]), np.array([10, 10, 10]), confidence=0.998)
    ref = [proportion_confint(x, 10, alpha=0.002, method="wilson") for x in (0, 5, 10)]
    assert low == pytest.approx([r[0] * 100 for r in ref], abs=1e-9)
    assert high == pytest.approx([r[1] * 100 for r in ref], abs=1e-9)
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)


@pytest.mark.parametrize("x,n", [(0, 0), (1, 0), (5, 3), (-1, 4), (float("nan"), 10), (3, float("nan"))])
def test_undefined_inputs_give_missing_limits(x, n):
    low, high = wilson_interval(x, n)
    assert math.isnan(low) and math.isnan(high)


def test_ends_are_exact():
    assert wilson_interval(0, 25)[0] == 0.0
    assert wilson_interval(25, 25)[1] == 100.0


@given(st.integers(min_value=1, max_value=10**7).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_interval_contains_the_value_and_stays_in_range(pair):
    x, n = pair
    low, high = wilson_interval(x, n)
    value = 100 * x / n
    assert 0 <= low <= value + 1e-9
    assert value - 1e-9 <= high <= 100


def test_bad_confidence_is_refused():
    with pytest.raises(ValueError):
        z_for(1.5)
