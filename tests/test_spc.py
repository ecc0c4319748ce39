"""Making Data Count rules on small hand-worked series."""

import pytest

from analysis_helpers.analysis.spc import MIN_STABLE_POINTS, MIN_TRIAL_POINTS, RUN_LENGTH, SIGMA_FACTOR, xmr


def test_limits_by_hand():
    # values 10, 12, 11, 13, 12: mean 11.6; moving ranges 2, 1, 2, 1 -> mean 1.5
    result = xmr([10, 12, 11, 13, 12], target=5)
    assert result.mean == pytest.approx(11.6)
    assert result.ucl == pytest.approx(11.6 + 2.66 * 1.5)
    assert result.lcl == pytest.approx(11.6 - 2.66 * 1.5)
    assert result.warning.startswith("trial limits: only 5 points")
    assert result.assurance == "consistently pass"  # lcl 7.61 >= target 5


def test_rule_1_point_beyond_a_limit():
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 30]
    result = xmr(values)
    assert result.points["rule_beyond_limit"].tolist() == [False] * 11 + [True]
    assert result.variation == "special cause improvement"
    assert xmr(values, higher_is_better=False).variation == "special cause concern"
    assert result.warning is None


def test_rule_2_seven_points_one_side():
    values = [5, 15, 5, 15, 5, 11, 11, 11, 11, 11, 11, 11]  # mean 9.75: last 7 above
    flags = xmr(values).points["rule_shift"].tolist()
    assert flags == [False] * 5 + [True] * 7
    assert xmr(values[:-1]).points["rule_shift"].sum() == 0  # only 6 in a row


def test_rule_3_seven_points_rising():
    values = [20, 1, 2, 3, 4, 5, 6, 7, 1]
    flags = xmr(values).points["rule_trend"].tolist()
    assert flags == [False, True, True, True, True, True, True, True, False]
    assert xmr([20, 1, 2, 3, 4, 5, 6, 1]).points["rule_trend"].sum() == 0  # 6 rising points only


def test_rule_4_two_of_three_in_outer_third():
    values = [10, 10, 10, 10, 10, 10, 12, 16, 10, 16, 10, 10]
    result = xmr(values)
    two_sigma = result.mean + 2 / 3 * 2.66 * result.points["moving_range"].mean()
    outer = [v > two_sigma for v in values]
    assert outer == [False] * 7 + [True, False, True, False, False]
    assert result.points["rule_two_of_three"].tolist() == outer
    assert not result.points["rule_beyond_limit"].any()


def test_assurance_icons():
    steady = [50, 52, 48, 51, 49, 50, 52, 48, 51, 49, 50, 50]
    assert xmr(steady, target=80).assurance == "consistently fail"
    assert xmr(steady, target=50).assurance == "inconsistent"
    assert xmr(steady, target=20).assurance == "consistently pass"
    assert xmr(steady, higher_is_better=False, target=80).assurance == "consistently pass"
    assert xmr(steady).variation == "common cause"


def test_the_thresholds_are_making_data_counts():
    # 2.66 = 3 / d2 with d2 = 1.128 for moving ranges of two (3 / 1.128 = 2.6596), rounded as Making Data Count does;
    # 12 points for stable limits, runs of 7; the review draws none of fewer than 6 points.
    assert SIGMA_FACTOR == round(3 / 1.128, 2) == 2.66
    assert (MIN_STABLE_POINTS, RUN_LENGTH, MIN_TRIAL_POINTS) == (12, 7, 6)
    assert xmr(range(11)).warning == "trial limits: only 11 points (Making Data Count needs 12 for stable limits)"
    assert xmr(range(12)).warning is None
