"""Tests of a difference between two proportions, x1 of n1 against x2 of n2, each two-sided.

* :func:`two_proportion_test` — the pooled two-proportion z-test (the same as
  Pearson's chi-squared test of the 2×2 table without continuity correction);
  sound where the normal approximation holds.
* :func:`fisher_exact_test` — Fisher's exact test of the 2×2 table (within or
  not × first or second); sound for any counts.
* :func:`difference_test` — chooses between them by one stated rule: the z-test
  when every expected cell count of the 2×2 table is at least
  :data:`MIN_EXPECTED`, Fisher's exact test otherwise; returns the test's name
  with its p-value.

:mod:`.compare` tests a change since the previous period with the z-test (on
denominators of at least its ``MIN_CHANGE_DENOMINATOR``); :mod:`.who_waits`
tests a group against the rest of the area with :func:`difference_test`. The
names :data:`Z_TEST` and :data:`FISHER_TEST` are the words the review and its
glossary use.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import fisher_exact, norm

Z_TEST = "two-proportion z-test"
FISHER_TEST = "Fisher's exact test"
#: The z-test is used only when every expected count of the 2×2 table is at least this (the usual rule for the
#: normal approximation); below it, Fisher's exact test.
MIN_EXPECTED = 5


def two_proportion_test(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled two-proportion z-test of x1/n1 against x2/n2 (NaN if undefined).

    With a pooled share of 0 or 1 (no variance) the p-value is 1 when the two shares are equal, else 0."""
    if min(n1, n2) <= 0 or any(math.isnan(v) for v in (x1, n1, x2, n2)):
        return math.nan
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0 if x1 / n1 == x2 / n2 else 0.0
    z = (x1 / n1 - x2 / n2) / se
    return float(2 * norm.sf(abs(z)))


def _table(x1: float, n1: float, x2: float, n2: float) -> np.ndarray:
    """The 2×2 table: a row each for the first and second proportion, (within, not within)."""
    return np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)


def fisher_exact_test(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of Fisher's exact test of x1/n1 against x2/n2 (whole counts)."""
    return float(fisher_exact(_table(x1, n1, x2, n2).astype(int), alternative="two-sided").pvalue)


def difference_test(x1: float, n1: float, x2: float, n2: float) -> tuple[str, float]:
    """(name, two-sided p-value) of x1/n1 against x2/n2: :func:`two_proportion_test` when every expected count of the
    2×2 table is at least :data:`MIN_EXPECTED`, :func:`fisher_exact_test` otherwise."""
    table = _table(x1, n1, x2, n2)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    if expected.min() >= MIN_EXPECTED:
        return Z_TEST, two_proportion_test(x1, n1, x2, n2)
    return FISHER_TEST, fisher_exact_test(x1, n1, x2, n2)
