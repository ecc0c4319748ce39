"""Confidence intervals for proportions, on the 0–100 scale.

The Wilson score interval is used throughout: it stays inside 0–100, behaves
well for small denominators and for values near 0% or 100%, and is what public
health analysts (and statsmodels' ``proportion_confint(method="wilson")``) use.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binom, norm


def z_for(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level (0.95 -> 1.96)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return float(norm.ppf(0.5 + confidence / 2))


def wilson_interval(numerator, denominator, confidence: float = 0.95):
    """Wilson score interval for ``numerator / denominator``, in percent.

    Parameters
    ----------
    numerator, denominator : array-like or scalar
        Counts. Rows with a missing or zero denominator, or a numerator outside
        ``0..denominator``, give missing limits.
    confidence : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    (low, high) : tuple of numpy arrays (or floats for scalar input), 0–100.
    """
    scalar = np.isscalar(numerator) and np.isscalar(denominator)
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    z = z_for(confidence)
    valid = (n > 0) & (x >= 0) & (x <= n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(valid, x / n, np.nan)
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = (z / (1 + z * z / n)) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        low = np.clip(centre - half, 0.0, 1.0) * 100
        high = np.clip(centre + half, 0.0, 1.0) * 100
    low = np.where(valid, low, np.nan)
    high = np.where(valid, high, np.nan)
    # Guard the ends exactly: 0 of n has low 0, n of n has high 100.
    low = np.where(valid & (x == 0), 0.0, low)
    high = np.where(valid & (x == n), 100.0, high)
    if scalar:
        return float(low), float(high)
    return low, high


def funnel_limits(target_pct: float, denominators, confidence: float = 0.95):
    """Control limits of a funnel plot around ``target_pct`` (0–100), in percent.

    Exact binomial limits: for each denominator ``n``, the values an area of
    that size would fall between ``confidence`` of the time if its true rate
    were ``target_pct``. A point outside the 99.8% limits is very unlikely to
    be chance alone.

    Returns
    -------
    (low, high) : numpy arrays, one value per denominator.
    """
    n = np.asarray(denominators, dtype=float)
    p = float(target_pct) / 100
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        low = binom.ppf(alpha / 2, n, p) / n * 100
        high = binom.ppf(1 - alpha / 2, n, p) / n * 100
    return low, high


def funnel_position(value_pct: float, denominator: float, target_pct: float) -> str:
    """Where a point lies on the funnel: within 95%, between 95% and 99.8%, or beyond 99.8%."""
    if np.isnan(value_pct) or not denominator or np.isnan(denominator):
        return "no data"
    low95, high95 = funnel_limits(target_pct, [denominator], 0.95)
    low998, high998 = funnel_limits(target_pct, [denominator], 0.998)
    side = "above" if value_pct > target_pct else "below"
    if value_pct < low998[0] or value_pct > high998[0]:
        return f"{side} the 99.8% limit"
    if value_pct < low95[0] or value_pct > high95[0]:
        return f"{side} the 95% limit (within 99.8%)"
    return "within the 95% limits"
