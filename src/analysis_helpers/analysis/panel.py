"""Partial pooling across local authorities: a panel AR(1) on the logit scale.

One LA's handful of years cannot tell a lasting level from a lucky year; the
other LAs' years can. The model, fitted on every LA's years up to a forecast
origin and on nothing later:

* ``y[i, t]`` is LA i's empirical logit in year t and ``m[t]`` the mean of all
  LAs' logits that year (the common level, which moves as a random walk);
* the deviation ``d[i, t] = y[i, t] - m[t]`` reverts towards the LA's own
  effect ``a[i]`` at rate ``phi`` a year: ``d[i, t+h] - a[i] = phi^h (d[i, t] - a[i]) + noise``;
* ``a[i]`` is the LA's mean deviation shrunk towards the common level, with
  weight ``years / (years + shrink)`` (empirical Bayes: an LA with few years
  borrows more from the others);
* the last deviation is itself shrunk by its reliability ``S / (S + v)``, where
  ``v`` is the binomial variance of that year's logit, so a small LA's figure
  (few plans, noisy) is trusted less than a large one's; ``S`` is the variance
  of deviations around the LA effects net of binomial noise (method of moments).

``phi`` and ``shrink`` are the pair on a grid with the smallest mean absolute
one-year-ahead error, in percentage points, over the origin's own past (each year forecast from the
years before it). The prediction variance at h years is ``h s_m² + s_d² (1 -
phi^2h) / (1 - phi²)``: ``s_m²`` the variance of the common level's yearly
change, ``s_d²`` that of the deviations' one-year errors.

Calibration (split-conformal, by horizon): each earlier origin's forecasts of
later years up to the fit's origin are standardised by their modelled standard
deviation; the 80% and 95% quantiles of their absolute values replace the
normal 1.28 and 1.96 (on the logit scale) for the calibrated model.

Variance by size (the ``sized`` variant): the binomial share of ``s_d²`` (the
mean binomial variance of the years forecast) is replaced by the LA's own, from
its latest year's numbers, so a small LA gets wider intervals and a large one
narrower; its conformal multipliers are calibrated on errors standardised the
same way.

Quantile regression (the ``quantile`` variant, :mod:`analysis.panel_quantile`):
the same earlier origins' logit errors are regressed on the LA's size, its
latest change and the growth of its plans issued, at five quantiles; its
centre is the forecast plus the fitted median error and its intervals the
fitted 10-90% and 2.5-97.5% points.

Percentages are 0–100.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from analysis_helpers.analysis.panel_quantile import LEADING, error_quantiles, features, fit_quantiles
from analysis_helpers.core.errors import SendReviewError

EPS = 0.5  # continuity correction at 0 or n successes (as in projection)
PHI_GRID = tuple(np.round(np.linspace(0, 1, 21), 2))
SHRINK_GRID = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, np.inf)
#: Horizons (years ahead) the conformal multipliers are calibrated for; later horizons use the last.
CALIBRATED_HORIZONS = (1, 2, 3)
#: Calibration needs at least this many standardised residuals at a horizon; with fewer, the normal quantile stands.
MIN_CALIBRATION = 30
NORMAL_Q = {0.80: 1.2815515655446004, 0.95: 1.959963984540054}


class PanelTooShort(SendReviewError):
    """Fewer than four years of LA figures before the origin: a measure DfE publishes only lately (the 6-week decision,
    from 2023) has no panel yet, and its outlook falls back to a model of the area's own series."""


@dataclass(frozen=True)
class PanelFit:
    """A panel AR(1) fitted on every LA's years up to ``origin`` (a period end)."""

    origin: pd.Timestamp
    phi: float
    shrink: float
    signal_variance: float
    level_variance: float  # s_m²: yearly change of the common level
    deviation_variance: float  # s_d²: one-year error of the deviations
    noise_variance: float  # the binomial share of s_d²: mean binomial variance of the years forecast
    #: mean logit across LAs by year end (the common level), up to the origin
    common: dict = field(repr=False)
    #: conformal multipliers {horizon: {0.80: q, 0.95: q}} on the standardised logit error
    multipliers: dict = field(default_factory=dict)
    #: the same, the error standardised by the variance that depends on the LA's size (``binomial`` in :meth:`variance`)
    sized_multipliers: dict = field(default_factory=dict)
    #: quantile regression of the logit error on the LA's signals, {horizon: quantiles x coefficients}
    #: (:mod:`analysis.panel_quantile`)
    quantile_table: dict = field(default_factory=dict)
    #: the same with the leading indicators as regressors (empty unless the panel carried them)
    leading_table: dict = field(default_factory=dict)

    def variance(self, steps, binomial=None) -> np.ndarray:
        """Prediction variance (logit) at ``steps`` years; with ``binomial`` (the LA's binomial variance of its last
        year), the pooled binomial share of the deviations' variance is replaced by the LA's own."""
        h = np.asarray(steps, dtype=float)
        phi2 = self.phi**2
        reverting = h if phi2 >= 1 else (1 - phi2**h) / (1 - phi2)
        if binomial is None:
            return h * self.level_variance + self.deviation_variance * reverting
        real = max(self.deviation_variance - self.noise_variance, 1e-3)
        return h * self.level_variance + real * reverting + np.asarray(binomial, dtype=float)

    def multiplier(self, steps: int, level: float, sized: bool = False) -> float:
        """The calibrated quantile at ``steps`` years ahead (the normal one where none was calibrated)."""
        table = self.sized_multipliers if sized else self.multipliers
        known = [h for h in table if h <= steps]
        return table[max(known)][level] if known else NORMAL_Q[level]

    def forecast(self, period_end, numerator, denominator, steps) -> np.ndarray:
        """Central logit forecasts ``steps`` years after one LA's series (its years, numerators, denominators)."""
        y, v = _logit(numerator, denominator), _logit_variance(numerator, denominator)
        common = np.array([self.common.get(pd.Timestamp(e), np.nan) for e in period_end])
        known = ~np.isnan(common)
        if not known.any():
            raise SendReviewError("the panel fit has no common level for any of this series' years")
        d = (y - common)[known]
        effect = _effect(d.mean(), len(d), self.shrink)
        last = effect + self.signal_variance / (self.signal_variance + v[known][-1]) * (d[-1] - effect)
        level = self.common[max(self.common)]
        return level + effect + self.phi ** np.asarray(steps, dtype=float) * (last - effect)

    def error_quantiles(self, period_end, numerator, denominator, steps, leading=None) -> np.ndarray | None:
        """The quantile regression's error quantiles (steps x ``panel_quantile.QUANTILES``, logit) for one LA's series;
        None if none was fitted. The latest change and growth count only if the year before the last is the
        common level's year before it (a gap counts as no change). ``leading``: the series' latest values of
        ``panel_quantile.LEADING``, for the regression with leading indicators."""
        x, n = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
        ends = [pd.Timestamp(e) for e in period_end]
        years = sorted(e for e in self.common if e <= ends[-1])
        previous = len(ends) > 1 and len(years) > 1 and ends[-2] == years[-2]
        y, v = _logit(x, n), _logit_variance(x, n)
        forecast = self.forecast(period_end, numerator, denominator, steps)
        before = (y[-2], n[-2]) if previous else (np.nan, np.nan)
        design = features(forecast, y[-1], before[0], v[-1], n[-1], before[1], () if leading is None else leading)
        return error_quantiles(self.quantile_table if leading is None else self.leading_table, steps, design)


def _logit(x, n) -> np.ndarray:
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    edge = (x <= 0) | (x >= n)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.log(x / (n - x))
    return np.where(edge, np.log((x + EPS) / (n - x + EPS)), exact)


def _logit_variance(x, n) -> np.ndarray:
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    return 1 / (x + EPS) + 1 / (n - x + EPS)


def _row_mean(values: np.ndarray) -> np.ndarray:
    """Mean of each row's finite values (NaN for a row with none, without a warning)."""
    finite = np.isfinite(values)
    count = finite.sum(axis=1)
    total = np.where(finite, values, 0.0).sum(axis=1)
    return np.divide(total, count, out=np.full(len(values), np.nan), where=count > 0)


def _effect(mean_deviation, years, shrink):
    years = np.asarray(years, dtype=float)
    if np.isinf(shrink):
        return np.zeros_like(years)
    weight = np.divide(years, years + shrink, out=np.zeros_like(years), where=years > 0)
    return weight * np.nan_to_num(mean_deviation)


class _Wide:
    """The panel as LA x year matrices of logits and their binomial variances."""

    def __init__(self, panel: pd.DataFrame):
        data = panel.dropna(subset=["numerator", "denominator"])
        data = data[data["denominator"] > 0]
        ends = pd.to_datetime(data["period_end"])
        x = data.assign(period_end=ends).pivot_table(index="area_code", columns="period_end", values="numerator", aggfunc="first")
        n = data.assign(period_end=ends).pivot_table(index="area_code", columns="period_end", values="denominator", aggfunc="first")
        self.ends = list(x.columns)
        self.y = _logit(x.to_numpy(float), n.reindex_like(x).to_numpy(float))
        self.v = _logit_variance(x.to_numpy(float), n.reindex_like(x).to_numpy(float))
        self.n = n.reindex_like(x).to_numpy(float)
        present = [c for c in LEADING if c in data.columns]  # leading indicators, if the panel carries them
        self.leading = [data.assign(period_end=ends).pivot_table(index="area_code", columns="period_end", values=c, aggfunc="first",
                                                                  dropna=False).reindex_like(x).to_numpy(float) for c in present]
        with np.errstate(all="ignore"):
            self.common = np.array([np.nanmean(col) if np.isfinite(col).any() else np.nan for col in self.y.T])
        self.d = self.y - self.common

    def signal_variance(self, o: int) -> float:
        """Variance of deviations around the LAs' own means up to column ``o``, net of binomial noise."""
        d = self.d[:, : o + 1]
        centred = d - _row_mean(d)[:, None]
        return max(float(np.nanvar(centred) - np.nanmean(self.v[:, : o + 1])), 1e-3)

    def predict(self, o: int, steps: int, phi: float, shrink: float, signal: float) -> np.ndarray:
        """Each LA's forecast of column ``o + steps`` from columns up to ``o`` (NaN without a value at ``o``)."""
        d = self.d[:, : o + 1]
        years = np.isfinite(d).sum(axis=1)
        effect = _effect(_row_mean(d), years, shrink)
        last = effect + signal / (signal + self.v[:, o]) * (d[:, o] - effect)
        return self.common[o] + effect + phi**steps * (last - effect)


def _pct(logit):
    return 100 / (1 + np.exp(-logit))


def fit_panel(panel: pd.DataFrame, horizons: tuple[int, ...] = CALIBRATED_HORIZONS) -> PanelFit:
    """Fit the panel AR(1) on ``panel`` (``area_code, period_end, numerator, denominator``; every LA, years up to the
    origin only: the caller cuts the panel, nothing later is read)."""
    wide = _Wide(panel)
    last = len(wide.ends) - 1
    if last < 3:
        raise PanelTooShort("the panel model needs four or more years of LA figures before the forecast origin")
    origins = range(1, last)  # each year from the second forecast from the years before it
    signals = {o: wide.signal_variance(o) for o in range(last + 1)}
    best = None
    for phi in PHI_GRID:
        for shrink in SHRINK_GRID:
            errors = [_pct(wide.y[:, o + 1]) - _pct(wide.predict(o, 1, phi, shrink, signals[o])) for o in origins]
            score = np.nanmean(np.abs(np.concatenate(errors)))  # in points, as the backtest scores
            if best is None or score < best[0]:
                best = (score, phi, shrink)
    _, phi, shrink = best
    deviation_errors = np.concatenate(
        [wide.d[:, o + 1] - (wide.predict(o, 1, phi, shrink, signals[o]) - wide.common[o]) for o in origins]
    )
    level_changes = np.diff(wide.common[np.isfinite(wide.common)])
    fit = PanelFit(
        origin=pd.Timestamp(wide.ends[-1]), phi=float(phi), shrink=float(shrink), signal_variance=signals[last],
        level_variance=float(np.mean(level_changes**2)) if len(level_changes) else 0.0,
        deviation_variance=float(np.nanmean(deviation_errors**2)),
        noise_variance=float(np.nanmean(np.concatenate([np.where(np.isfinite(wide.d[:, o + 1]), wide.v[:, o + 1], np.nan)
                                                         for o in origins]))),
        common={pd.Timestamp(e): float(c) for e, c in zip(wide.ends, wide.common, strict=True) if np.isfinite(c)},
    )
    return _calibrated(fit, wide, horizons)


def _calibrated(fit: PanelFit, wide: _Wide, horizons: tuple[int, ...]) -> PanelFit:
    """The fit with split-conformal multipliers: quantiles of standardised errors of earlier origins' forecasts."""
    last = len(wide.ends) - 1
    multipliers, sized = {}, {}
    for h in horizons:
        z, z_sized = [], []
        for o in range(1, last - h + 1):
            error = np.abs(wide.y[:, o + h] - wide.predict(o, h, fit.phi, fit.shrink, wide.signal_variance(o)))
            z.append(error / np.sqrt(fit.variance(h)))
            z_sized.append(error / np.sqrt(fit.variance(h, binomial=wide.v[:, o])))
        for found, table in ((z, multipliers), (z_sized, sized)):
            found = np.concatenate(found) if found else np.array([])
            found = found[np.isfinite(found)]
            if len(found) >= MIN_CALIBRATION:
                table[h] = {level: float(np.quantile(found, level)) for level in NORMAL_Q}
    def predict(o, h):
        return wide.predict(o, h, fit.phi, fit.shrink, wide.signal_variance(o))

    table = fit_quantiles(wide.y, wide.v, wide.n, predict, last, horizons)
    leading = fit_quantiles(wide.y, wide.v, wide.n, predict, last, horizons, wide.leading) if len(wide.leading) == len(LEADING) else {}
    return replace(fit, multipliers=multipliers, sized_multipliers=sized, quantile_table=table, leading_table=leading)
