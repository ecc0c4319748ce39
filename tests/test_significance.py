"""The tests of a difference between two proportions (analysis.significance), against values worked out here.

The pooled z-test's p-value by hand as erfc(|z|/√2) and against statsmodels'
``proportions_ztest``; Fisher's exact test from binomial coefficients (the
hypergeometric probabilities of every table with the same margins, summed over
those no more likely than the one observed), in exact fractions; and the
chooser's rule from the 2×2 table's expected counts worked out by hand.
"""

import math
from fractions import Fraction

import pytest
from statsmodels.stats.proportion import proportions_ztest

from analysis_helpers.analysis.significance import (
    FISHER_TEST,
    MIN_EXPECTED,
    Z_TEST,
    difference_test,
    fisher_exact_test,
    two_proportion_test,
)


def z_by_hand(x1, n1, x2, n2) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def fisher_by_hand(x1, n1, x2, n2) -> float:
    """Two-sided Fisher: P(first row has k of the x1 + x2 successes) = C(x1+x2, k) C(N-x1-x2, n1-k) / C(N, n1), summed
    over every k whose probability is at most the observed one's."""
    successes, total = x1 + x2, n1 + n2
    def prob(k):
        return Fraction(math.comb(successes, k) * math.comb(total - successes, n1 - k), math.comb(total, n1))
    observed = prob(x1)
    ks = range(max(0, n1 - (total - successes)), min(successes, n1) + 1)
    return float(sum(prob(k) for k in ks if prob(k) <= observed))


def test_z_test_by_hand():
    # 60 of 100 against 40 of 100: pooled 0.5, se = sqrt(0.25 × 0.02) = 0.0707107, z = 0.2 / se = 2√2, p = erfc(2).
    assert two_proportion_test(60, 100, 40, 100) == pytest.approx(math.erfc(2), rel=1e-12)
    assert two_proportion_test(60, 100, 40, 100) == pytest.approx(0.0046777, abs=1e-7)
    assert two_proportion_test(289, 1012, 361, 978) == pytest.approx(z_by_hand(289, 1012, 361, 978), rel=1e-12)


def test_z_test_against_statsmodels():
    for x1, n1, x2, n2 in ((30, 100, 20, 100), (7, 40, 19, 52), (412, 1310, 380, 1297)):
        _, p = proportions_ztest([x1, x2], [n1, n2])
        assert two_proportion_test(x1, n1, x2, n2) == pytest.approx(p, rel=1e-10)


def test_z_test_edges():
    assert math.isnan(two_proportion_test(1, 0, 1, 1))  # undefined with a zero denominator
    assert math.isnan(two_proportion_test(math.nan, 10, 1, 10))
    assert two_proportion_test(0, 10, 0, 20) == 1.0  # both 0%: no variance, no difference
    assert two_proportion_test(15, 15, 40, 40) == 1.0  # both 100%


def test_fisher_by_hand():
    # 5 of 10 against 1 of 10: 6 successes in 20; P(X=k) = C(6,k) C(14,10-k) / C(20,10); the tables as or less likely
    # than k=5 are k = 0, 1, 5, 6: (1001 + 12012 + 12012 + 1001) / 184756.
    assert fisher_exact_test(5, 10, 1, 10) == pytest.approx(26026 / 184756, rel=1e-9)
    assert fisher_by_hand(5, 10, 1, 10) == pytest.approx(26026 / 184756, rel=1e-12)
    for x1, n1, x2, n2 in ((3, 12, 9, 11), (0, 7, 5, 9), (10, 10, 93, 100), (2, 30, 1, 4)):
        assert fisher_exact_test(x1, n1, x2, n2) == pytest.approx(fisher_by_hand(x1, n1, x2, n2), rel=1e-9)


def test_difference_test_chooses_by_the_expected_counts():
    # 5 of 10 against 5 of 10: every expected count is 10 × 10 / 20 = 5, the least that takes the z-test (z = 0, p = 1).
    assert MIN_EXPECTED == 5
    assert difference_test(5, 10, 5, 10) == (Z_TEST, 1.0)
    # 5 of 10 against 4 of 10: 9 successes in 20, the least expected count 10 × 9 / 20 = 4.5: Fisher's exact test.
    assert difference_test(5, 10, 4, 10) == (FISHER_TEST, fisher_exact_test(5, 10, 4, 10))
    assert difference_test(5, 10, 4, 10)[1] == pytest.approx(fisher_by_hand(5, 10, 4, 10), rel=1e-9)
    # 60 of 100 against 40 of 100: expected 50 in every cell, the z-test, the same p as the z-test's own function.
    assert difference_test(60, 100, 40, 100) == (Z_TEST, two_proportion_test(60, 100, 40, 100))
    assert difference_test(60, 100, 40, 100)[1] == pytest.approx(math.erfc(2), rel=1e-12)
    # 95 of 100 against 190 of 200: 15 failures in 300, least expected 100 × 15 / 300 = 5 (z-test); one more success
    # in the first row leaves 14 failures, 100 × 14 / 300 = 4.67 (Fisher).
    assert difference_test(95, 100, 190, 200)[0] == Z_TEST
    assert difference_test(96, 100, 190, 200)[0] == FISHER_TEST
