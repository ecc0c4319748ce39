"""Quantile regression on the panel AR(1)'s errors: intervals (and a median) that depend on the LA's own signals.

The panel AR(1) (:mod:`analysis.panel`) forecasts every LA the same way and
gives it a symmetric normal interval on the logit scale. Its errors are not the
same for every LA: they depend on how large the LA is and on its latest
movements. For each horizon ``h`` the errors of earlier origins' forecasts
(``y[o + h] - forecast``, logit; every origin ``o`` with ``o + h`` up to the
fit's origin, nothing later) are regressed, by linear quantile regression
(statsmodels ``QuantReg``), on what is known at ``o``:

* ``forecast`` — the panel's central logit forecast;
* ``binomial_sd`` — the standard deviation of the LA's latest logit from its
  size (``sqrt(1/(x+0.5) + 1/(n-x+0.5))``): a small LA's figure is noisier;
* ``last_change`` — the LA's latest year-on-year change of the logit (0 where
  the year before is missing);
* ``plans_growth`` — the log growth of the number of plans issued (the
  measure's denominator) over the latest year (0 where missing): a leading
  indicator of workload from the same release.

The quantiles 2.5%, 10%, 50%, 90% and 97.5% of the error are fitted, so the
centre is the panel forecast plus the fitted median error, the 80% interval
runs from the 10% to the 90% point and the 95% interval from the 2.5% to the
97.5% point (sorted, so they never cross). A horizon with too few errors to
fit uses the latest horizon fitted (the earliest, before any is reached);
with none fitted at all, :mod:`analysis.projection` falls back to the panel's
split-conformal intervals.

The ``leading`` variant adds two more regressors from the release's requests
file, which the panel and the series carry as columns (:mod:`analysis.leading`):
the log growth of requests received and the change in the share refused over
the LA's latest year (0 where missing, as before 2020).
"""

from __future__ import annotations

import warnings

import numpy as np
import statsmodels.api as sm

#: Quantiles of the error fitted, low to high: 95% low, 80% low, median, 80% high, 95% high.
QUANTILES = (0.025, 0.10, 0.50, 0.90, 0.975)
FEATURES = ("forecast", "binomial_sd", "last_change", "plans_growth")
#: Leading indicators the ``leading`` variant adds, columns of the panel and the series (see :mod:`analysis.leading`).
LEADING = ("requests_growth", "refused_change")
#: A horizon needs at least this many errors per coefficient to be fitted.
ROWS_PER_COEFFICIENT = 25


def features(forecast, y_last, y_previous, variance_last, n_last, n_previous, leading=()) -> np.ndarray:
    """The design matrix (a constant, then :data:`FEATURES`, then any ``leading`` indicators) for forecasts from the
    LAs' latest years; a missing change, growth or indicator counts as 0."""
    forecast = np.atleast_1d(np.asarray(forecast, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.asarray(y_last, dtype=float) - np.asarray(y_previous, dtype=float)
        growth = np.log(np.asarray(n_last, dtype=float) / np.asarray(n_previous, dtype=float))
    columns = [np.ones_like(forecast), forecast, np.sqrt(np.asarray(variance_last, dtype=float)) * np.ones_like(forecast)]
    for extra in (change, growth, *(np.asarray(x, dtype=float) for x in leading)):
        columns.append(np.where(np.isfinite(extra), extra, 0.0) * np.ones_like(forecast))
    return np.column_stack(columns)


def fit_quantiles(y, v, n, predict, last: int, horizons, leading=()) -> dict:
    """``{h: array (quantiles x coefficients)}`` from the errors of forecasts made at origins ``1 .. last - h``.

    ``y``, ``v``, ``n`` are LA x year matrices (logit, its binomial variance, the denominator) up to column
    ``last`` (the fit's origin); ``predict(o, h)`` is the panel's forecast of column ``o + h`` from columns up to
    ``o``; ``leading`` holds LA x year matrices of leading indicators (:data:`LEADING`), if any.
    """
    table = {}
    for h in horizons:
        design, errors = [], []
        for o in range(1, last - h + 1):
            forecast = predict(o, h)
            x = features(forecast, y[:, o], y[:, o - 1], v[:, o], n[:, o], n[:, o - 1], [m[:, o] for m in leading])
            error = y[:, o + h] - forecast
            usable = np.isfinite(error) & np.isfinite(x).all(axis=1)
            design.append(x[usable])
            errors.append(error[usable])
        if not design:
            continue
        design, errors = np.vstack(design), np.concatenate(errors)
        if len(errors) < ROWS_PER_COEFFICIENT * design.shape[1]:
            continue
        with warnings.catch_warnings():  # QuantReg warns on slow convergence; the fit it returns still stands
            warnings.simplefilter("ignore")
            table[h] = np.array([sm.QuantReg(errors, design).fit(q=q).params for q in QUANTILES])
    return table


def error_quantiles(table: dict, steps, design: np.ndarray) -> np.ndarray | None:
    """The fitted error quantiles (steps x :data:`QUANTILES`, sorted) for forecasts ``steps`` years ahead whose
    features are the rows of ``design`` (one row, or one per step); None if no horizon was fitted."""
    if not table:
        return None
    rows = []
    for i, s in enumerate(np.atleast_1d(steps)):
        known = [h for h in table if h <= s] or [min(table)]
        rows.append(np.sort(table[max(known)] @ design[min(i, len(design) - 1)]))
    return np.array(rows)
