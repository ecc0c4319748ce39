"""The logit scale for percentages (0-100): the one logit/expit pair of the package.

Proportions near 0% or 100% move less than those near 50%; models and required
paths that work on the logit scale respect the 0-100 bounds without clipping.
"""

from __future__ import annotations

import numpy as np

#: Keeps logit finite at exactly 0% or 100% (a value on the 0-100 scale).
BOUND_PCT = 1e-4


def logit_pct(value_pct):
    """Log-odds of a percentage: ``logit(50) == 0``; 0 and 100 are pulled in by ``BOUND_PCT``."""
    p = np.clip(np.asarray(value_pct, dtype=float), BOUND_PCT, 100 - BOUND_PCT) / 100
    return np.log(p / (1 - p))


def expit_pct(x):
    """Inverse of :func:`logit_pct`: log-odds to a percentage (0-100)."""
    with np.errstate(over="ignore"):
        return 100 / (1 + np.exp(-np.asarray(x, dtype=float)))
