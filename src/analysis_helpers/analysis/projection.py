"""Projections with honest uncertainty; every output names the model that made it.

Models (``MODELS``):

``glm_logit``
    Quasi-binomial GLM: logit(rate) linear in time, fitted to numerators and
    denominators, the dispersion estimated from Pearson's X² (never below 1).
    Prediction variance on the logit scale = variance of the fitted line at that
    time + the binomial noise of a next period as large as the last one
    (dispersion / (n p (1 - p))).
``rw_drift_logit``
    Random walk with drift on the logit scale. The drift is the area's mean
    year-on-year change; the innovation variance is pooled across all local
    authorities (one area's five changes cannot estimate it), net of binomial
    noise. Prediction variance at h steps = h × innovation + h² × var(drift) +
    binomial noise of the last and the next period.
``rw_logit``
    The same random walk without drift: "same as last year", with intervals.
``panel_ar1_logit``
    Partial pooling across LAs (:mod:`analysis.panel`): a panel AR(1) on the
    logit scale that reverts towards the LA's shrunken effect around the
    common level of all LAs; normal intervals from the pooled errors.
``panel_ar1_conformal_logit``
    The same centre with split-conformal intervals: the multipliers of its
    standard deviation are the 80% and 95% quantiles of earlier origins'
    standardised errors at that horizon. Its probabilities use the normal
    distribution with the standard deviation scaled so that the 10% and 90%
    points are the 80% interval's ends.
``panel_ar1_sized_logit``
    The same, with a variance that depends on the LA's size: the binomial
    variance of its latest year in place of the pooled binomial share, and
    multipliers calibrated on errors standardised that way.
``panel_ar1_quantile_logit``
    The panel forecast moved by, and its intervals read from, quantile
    regressions of earlier origins' errors on the LA's size, latest change and
    growth in plans issued (:mod:`analysis.panel_quantile`). Probabilities: the
    normal centred on the median, its 10-90% points as far apart as the 80% ends.
``panel_ar1_leading_logit``
    The same, plus growth in requests and change in the refused share over
    the latest year (:mod:`analysis.leading`, columns of the panel and series);
    a panel without them (a measure other than timeliness) gives the above.
``linear_pct``
    For series with values only (no denominators): ordinary least squares on
    the value with t-based prediction intervals. The intervals respect the
    series' unit: a percentage stays within 0-100; a count or an amount in £m
    is never projected below zero and has no upper cap.

A series needs at least 3 points; with fewer, :func:`project` raises
:class:`TooFewPoints` and callers show the required trajectory only.

Percentages are 0–100.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm
from scipy.stats import t as student_t

from analysis_helpers.analysis.panel import NORMAL_Q, PanelFit
from analysis_helpers.analysis.panel_quantile import LEADING
from analysis_helpers.core.errors import SendReviewError
from analysis_helpers.core.scales import expit_pct, logit_pct

MIN_POINTS = 3
MODELS = {
    "glm_logit": "Quasi-binomial GLM, logit-linear trend in time",
    "rw_drift_logit": "Random walk with drift on the logit scale (variance pooled across LAs)",
    "rw_logit": "Random walk without drift on the logit scale (variance pooled across LAs)",
    "panel_ar1_logit": "Panel AR(1) on the logit scale: reverts towards the LA's own level, shrunk towards all LAs' level",
    "panel_ar1_conformal_logit": "Panel AR(1) on the logit scale with intervals calibrated on earlier years' errors (split-conformal)",
    "panel_ar1_sized_logit": "Panel AR(1) on the logit scale, calibrated intervals whose width depends on the LA's size",
    "panel_ar1_quantile_logit": "Panel AR(1) on the logit scale, centre and intervals from quantile regressions of its "
    "errors on the LA's size, latest change and growth in plans issued",
    "panel_ar1_leading_logit": "Panel AR(1) on the logit scale, centre and intervals from quantile regressions of its "
    "errors on the LA's size, latest change, growth in plans issued and in requests, and change in refusals",
    "linear_pct": "Linear trend on the percentage (OLS), values only",
}
#: Models fitted across every LA (they need a :class:`~analysis_helpers.analysis.panel.PanelFit`).
PANEL_MODELS = ("panel_ar1_logit", "panel_ar1_conformal_logit", "panel_ar1_sized_logit", "panel_ar1_quantile_logit",
                "panel_ar1_leading_logit")
EPS = 0.5  # continuity correction for 0 or n successes on the logit scale
#: A series whose periods are more than this many days apart (the median gap) is annual; closer, it is monthly.
ANNUAL_SPACING_DAYS = 200


class TooFewPoints(SendReviewError):
    """Fewer than three points: no projection, show the required trajectory only."""


def empirical_logit(numerator, denominator):
    """logit(x/n); the continuity correction (+0.5) is used only at 0 or n, where logit is infinite."""
    x, n = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    edge = (x <= 0) | (x >= n)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.log(x / (n - x))
    return np.where(edge, np.log((x + EPS) / (n - x + EPS)), exact)


def binomial_logit_variance(numerator, denominator):
    """Variance of the empirical logit of x/n (delta method with continuity correction)."""
    x, n = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    return 1 / (x + EPS) + 1 / (n - x + EPS)


def years(period_end) -> np.ndarray:
    """Time in years since 2000-01-01 (the models' time axis)."""
    days = np.asarray(period_end).astype("datetime64[D]") - np.datetime64("2000-01-01", "D")
    return days.astype(float) / 365.25


@dataclass
class Projection:
    """Projected values with 80% and 95% prediction intervals.

    Attributes
    ----------
    model : str
        Key in :data:`MODELS`; ``label`` is its description.
    table : DataFrame
        ``period, period_end, value_projected, pi80_low, pi80_high, pi95_low,
        pi95_high`` and ``model``.
    """

    model: str
    table: pd.DataFrame
    scale: str
    mean: np.ndarray = field(repr=False)
    sd: np.ndarray = field(repr=False)
    df: float | None = None
    last_observed: pd.Timestamp | None = None

    @property
    def label(self) -> str:
        return MODELS[self.model]

    def _cdf(self, value_pct: float, index: int) -> float:
        point = logit_pct(value_pct) if self.scale == "logit" else value_pct
        z = (point - self.mean[index]) / self.sd[index] if self.sd[index] > 0 else math.copysign(math.inf, point - self.mean[index])
        return float(student_t.cdf(z, self.df) if self.df else norm.cdf(z))

    def probability_at_or_beyond(self, target_value: float, index: int, higher: bool = True) -> float:
        """P(value at projected period ``index`` is >= target) (<= when ``higher`` is False)."""
        below = self._cdf(target_value, index)
        return 1 - below if higher else below

    def probability_by(self, target_value: float, when: pd.Timestamp, higher: bool = True) -> float | None:
        """Probability the first projected period ending on or after ``when`` meets the target."""
        ends = pd.to_datetime(self.table["period_end"])
        later = np.flatnonzero(ends >= pd.Timestamp(when))
        if len(later) == 0:
            return None
        return self.probability_at_or_beyond(target_value, int(later[0]), higher)

    def date_reached(self, target_value: float, higher: bool = True) -> dict:
        """First projected period where the target is met with probability ≥ 0.5 (median),
        ≥ 0.1 (early end of an 80% interval) and ≥ 0.9 (late end); None = not within horizon."""
        probabilities = [self.probability_at_or_beyond(target_value, i, higher) for i in range(len(self.table))]

        def first(level: float):
            hits = [i for i, p in enumerate(probabilities) if p >= level]
            return self.table["period"].iloc[hits[0]] if hits else None

        return {"median": first(0.5), "early": first(0.1), "late": first(0.9)}


def period_step(spacing_days: float, periods: int = 1) -> pd.DateOffset:
    """``periods`` of a series' own periods: years when they are over :data:`ANNUAL_SPACING_DAYS` apart, else months."""
    return pd.DateOffset(years=periods) if spacing_days > ANNUAL_SPACING_DAYS else pd.DateOffset(months=periods)


def future_period_ends(last_end: pd.Timestamp, spacing_days: float, horizon: pd.Timestamp) -> list[pd.Timestamp]:
    """Future period ends at the series' own spacing (years or months) up to ``horizon``."""
    ends, current = [], pd.Timestamp(last_end)
    step = period_step(spacing_days)
    while True:
        current = current + step
        if step == pd.DateOffset(months=1):
            current = current + pd.offsets.MonthEnd(0)
        if current > horizon:
            break
        ends.append(current)
    return ends


def _label(end: pd.Timestamp, spacing_days: float, template: str) -> str:
    if period_step(spacing_days) == pd.DateOffset(years=1):
        if "/" in template:  # academic-year census label such as 2024/25
            return f"{end.year - 1}/{str(end.year)[2:]}"
        return str(end.year)
    return f"{end:%Y-%m}"


def project(
    series: pd.DataFrame,
    model: str = "glm_logit",
    horizon: pd.Timestamp | str | None = None,
    pooled_variance: float | None = None,
    periods: int = 3,
    variance_inflation: float = 1.0,
    unit: str = "pct",
    panel_fit: PanelFit | None = None,
) -> Projection:
    """Project a series forward.

    Parameters
    ----------
    series : DataFrame
        ``period, period_end, value`` and, for the logit models, ``numerator``
        and ``denominator``. Missing values are dropped.
    model : str
        One of :data:`MODELS`.
    horizon : date-like, optional
        Last period end to project to (default: ``periods`` steps ahead).
    pooled_variance : float, optional
        Innovation variance on the logit scale for the random-walk models
        (see :func:`pooled_innovation_variance`); required for them.
    variance_inflation : float
        Multiplies the prediction variance (set from the backtest if intervals
        prove too narrow; 1 = as modelled).
    unit : str
        ``pct`` (0-100), ``count`` or ``gbp_m``: the range the projection must
        stay within (0-100, or not below zero).
    panel_fit : PanelFit, optional
        The panel fitted on every LA's years up to the series' last (see
        :func:`analysis.panel.fit_panel`); required for :data:`PANEL_MODELS`.
    """
    if model not in MODELS:
        raise SendReviewError(f"unknown model {model!r}; models: {', '.join(MODELS)}")
    needs_counts = model != "linear_pct"
    leading = model == "panel_ar1_leading_logit" and panel_fit is not None and bool(panel_fit.leading_table)
    if leading and not set(LEADING) <= set(series.columns):
        raise SendReviewError(f"{model} needs the series' leading indicators (analysis.leading.with_leading)")
    columns = ["period", "period_end", "value", *(["numerator", "denominator"] if needs_counts else []), *(LEADING if leading else ())]
    data = series if list(series.columns[: len(columns)]) == columns else series[columns]  # extra columns after them are carried
    usable = data["value"].notna().to_numpy()
    if needs_counts:
        usable &= data["numerator"].notna().to_numpy() & (data["denominator"].to_numpy(float) > 0)
    if not usable.all():
        data = data[usable]
    if not data["period_end"].is_monotonic_increasing:
        data = data.sort_values("period_end")
    if len(data) < MIN_POINTS:
        raise TooFewPoints(
            f"{len(data)} point(s) with data: at least {MIN_POINTS} are needed for a projection; "
            "only the required trajectory is shown"
        )
    ends = data["period_end"] if data["period_end"].dtype.kind == "M" else pd.to_datetime(data["period_end"])
    spacing = float(np.median(np.diff(ends.values).astype("timedelta64[D]").astype(float)))
    last = ends.iloc[-1]
    horizon_ts = last + period_step(spacing, periods) if horizon is None else pd.Timestamp(horizon)
    future = future_period_ends(last, spacing, horizon_ts) or future_period_ends(last, spacing, last + period_step(spacing))
    t_obs, t_new = years(ends), years(future)

    df, multipliers, bounds = None, None, None
    if model == "glm_logit":
        mean, var = _glm(data, t_obs, t_new)
        scale = "logit"
    elif model in ("rw_drift_logit", "rw_logit"):
        if pooled_variance is None:
            raise SendReviewError(f"{model} needs the innovation variance pooled across LAs")
        mean, var = _random_walk(data, t_obs, t_new, pooled_variance, drift=model == "rw_drift_logit", spacing=spacing)
        scale = "logit"
    elif model in PANEL_MODELS:
        if panel_fit is None:
            raise SendReviewError(f"{model} needs the panel fitted across LAs (analysis.panel.fit_panel)")
        steps = np.round((t_new - t_obs[-1]) / (spacing / 365.25)).astype(int)
        mean = panel_fit.forecast(ends, data["numerator"], data["denominator"], steps)
        sized = model == "panel_ar1_sized_logit"
        var = panel_fit.variance(steps, binomial_logit_variance(data["numerator"].iat[-1], data["denominator"].iat[-1]) if sized else None)
        if model != "panel_ar1_logit":
            multipliers = {level: np.array([panel_fit.multiplier(int(s), level, sized) for s in steps]) for level in NORMAL_Q}
        latest = data[list(LEADING)].iloc[-1].to_numpy(float) if leading else None
        quantile = model in ("panel_ar1_quantile_logit", "panel_ar1_leading_logit")
        q = panel_fit.error_quantiles(ends, data["numerator"], data["denominator"], steps, latest) if quantile else None
        if q is not None:  # the errors' 2.5, 10, 50, 90 and 97.5% points: intervals the outer pairs, centre the median
            bounds = {0.80: (mean + q[:, 1], mean + q[:, 3]), 0.95: (mean + q[:, 0], mean + q[:, 4])}
            mean = mean + q[:, 2]
        scale = "logit"
    else:
        mean, var, df = _ols(data, t_obs, t_new)
        scale = "pct"
    sd = np.sqrt(np.asarray(var) * variance_inflation)
    if multipliers and bounds is None:
        bounds = {level: (mean - sd * m, mean + sd * m) for level, m in multipliers.items()}
    last_label = str(data["period"].iloc[-1])
    columns = {"period": [_label(e, spacing, last_label) for e in future], "period_end": future, "value_projected": None}
    limits = {}
    for level, name in ((0.80, "pi80"), (0.95, "pi95")):
        q = student_t.ppf(0.5 + level / 2, df) if df else NORMAL_Q[level]
        low, high = bounds[level] if bounds else (mean - q * sd, mean + q * sd)
        if scale == "logit":
            low, high = expit_pct(low), expit_pct(high)
        else:  # a percentage cannot leave 0-100; a count or an amount cannot go below zero
            low, high = _within_unit(low, unit), _within_unit(high, unit)
        limits[f"{name}_low"], limits[f"{name}_high"] = low, high
    columns["value_projected"] = expit_pct(mean) if scale == "logit" else _within_unit(mean, unit)
    table = pd.DataFrame({**columns, **limits, "model": model}, copy=False)  # in the order of the documented columns
    if bounds:  # probabilities: the normal whose 10% and 90% points are as far apart as the calibrated 80% interval's ends
        sd = (bounds[0.80][1] - bounds[0.80][0]) / (2 * NORMAL_Q[0.80])
    return Projection(model=model, table=table, scale=scale, mean=np.asarray(mean), sd=sd, df=df, last_observed=last)


def _within_unit(values, unit: str) -> np.ndarray:
    """Values kept within their unit's range: 0-100 for a percentage, at least 0 otherwise."""
    return np.clip(values, 0, 100) if unit == "pct" else np.clip(values, 0, None)


def pearson_dispersion(numerator, denominator, fitted_rate, n_params: int = 2) -> float:
    """Quasi-binomial dispersion: Pearson X² / residual degrees of freedom.

    X² = Σ (x - n p̂)² / (n p̂ (1 - p̂)). Computed here because statsmodels'
    ``scale="X2"`` with two-column binomial counts does not weight by the
    number of trials.
    """
    x, n, p = (np.asarray(a, dtype=float) for a in (numerator, denominator, fitted_rate))
    p = np.clip(p, 1e-9, 1 - 1e-9)
    dof = len(x) - n_params
    if dof <= 0:
        return 1.0
    return float(((x - n * p) ** 2 / (n * p * (1 - p))).sum() / dof)


def _glm(data: pd.DataFrame, t_obs: np.ndarray, t_new: np.ndarray):
    x = data["numerator"].to_numpy(float)
    n = data["denominator"].to_numpy(float)
    centre = t_obs.mean()
    exog = sm.add_constant(t_obs - centre)
    with warnings.catch_warnings():  # 0% or 100% years: the fit is still the best available
        warnings.simplefilter("ignore")
        fit = sm.GLM(np.column_stack([x, n - x]), exog, family=sm.families.Binomial()).fit()
    dispersion = max(pearson_dispersion(x, n, fit.fittedvalues), 1.0)
    cov = fit.cov_params() * dispersion  # binomial fit has scale 1: unscaled covariance
    new = sm.add_constant(t_new - centre, has_constant="add")
    mean = new @ fit.params
    var_fit = np.einsum("ij,jk,ik->i", new, cov, new)
    p = np.clip(1 / (1 + np.exp(-mean)), 1e-6, 1 - 1e-6)
    var_noise = dispersion / (n[-1] * p * (1 - p))
    return mean, var_fit + var_noise


def _random_walk(data, t_obs, t_new, pooled_variance, drift, spacing):
    x = data["numerator"].to_numpy(float)
    n = data["denominator"].to_numpy(float)
    eta = empirical_logit(x, n)
    steps = np.round((t_new - t_obs[-1]) / (spacing / 365.25))
    changes = np.diff(eta)
    drift_hat = changes.mean() if drift and len(changes) else 0.0
    drift_var = (pooled_variance + 2 * binomial_logit_variance(x, n).mean()) / len(changes) if drift and len(changes) else 0.0
    mean = eta[-1] + steps * drift_hat
    noise_last = binomial_logit_variance(x[-1], n[-1])
    p = np.clip(1 / (1 + np.exp(-mean)), 1e-6, 1 - 1e-6)
    noise_next = 1 / (n[-1] * p * (1 - p))
    var = steps * pooled_variance + steps**2 * drift_var + noise_last + noise_next
    return mean, var


def _ols(data, t_obs, t_new):
    """Least squares line on the value; prediction variance = s² (1 + x0' (X'X)^-1 x0), t with n - 2 df."""
    y = data["value"].to_numpy(float)
    centre = t_obs.mean()
    design = np.column_stack([np.ones_like(t_obs), t_obs - centre])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    dof = len(y) - 2
    s2 = float(((y - design @ beta) ** 2).sum() / dof)
    new = np.column_stack([np.ones_like(t_new), t_new - centre])
    leverage = np.einsum("ij,jk,ik->i", new, np.linalg.inv(design.T @ design), new)
    return new @ beta, s2 * (1 + leverage), float(dof)


def pooled_innovation_variance(panel: pd.DataFrame) -> float:
    """Year-on-year innovation variance of logit(rate), pooled across areas, net of binomial noise.

    ``panel`` has ``area_code, period_end, numerator, denominator``. For each
    area, changes in the empirical logit are centred on the area's mean change
    (its drift); the pooled variance of those residuals, less the binomial noise
    the two years contribute, estimates the variance of real change.
    """
    residual_sq, noise, dof = 0.0, 0.0, 0
    for _, group in panel.dropna(subset=["numerator", "denominator"]).sort_values("period_end").groupby("area_code"):
        group = group[group["denominator"] > 0]
        if len(group) < 3:
            continue
        x, n = group["numerator"].to_numpy(float), group["denominator"].to_numpy(float)
        changes = np.diff(empirical_logit(x, n))
        noise_terms = binomial_logit_variance(x, n)
        residual_sq += ((changes - changes.mean()) ** 2).sum()
        noise += (noise_terms[1:] + noise_terms[:-1]).sum() * (len(changes) - 1) / len(changes)
        dof += len(changes) - 1
    if dof == 0:
        raise SendReviewError("no area has three or more years with data: cannot pool the variance")
    return max((residual_sq - noise) / dof, 1e-4)
