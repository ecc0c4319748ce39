"""Caseload projections: EHC plans in total and by placement type, a few Januaries ahead, with 80% and 95% intervals.

The candidates (each a point forecast from the counts up to the origin January ``T``, ``h`` years ahead):

* ``same_count``: the count stays as it was in ``T``;
* ``same_growth``: last year's growth continues, ``N_T (N_T / N_{T-1})^h``;
* ``own_trend``: the area's own average growth over the last :data:`TREND_YEARS` years continues;
* ``national_growth``: the area grows as England did over the last :data:`TREND_YEARS` years (England's count of the
  same series, ``N_T (E_T / E_{T-k})^{h/k}``). An LA's own recent growth is a noisy guide to its next years
  (one year's catch-up or recount moves it); England's is not, and LAs' growth has tracked it.

**Projections and intervals are empirical**: the forecast times the median, the 10th and 90th (2.5th and 97.5th)
percentiles of ``exp(log(outturn / forecast))`` over every LA, for the same model and horizon, from the
:data:`CALIBRATION_ORIGINS` latest origins whose outturn ``h`` years on was known at ``T``
(:func:`interval_factors`). No distribution is assumed: the projection is the forecast corrected by the model's
typical recent miss (so "same count" becomes "the count grows as counts have lately grown in ``h`` years"), and
the interval is as wide as its recent misses, so the projection is always inside it.

**The model is chosen by a backtest** (:func:`choose_model`): each candidate projects the origin's own January
from each of the three Januaries before it (horizons 1 to 3), with intervals calibrated only on what was known
then, and the model with the lowest mean absolute error over LAs and horizons is chosen. Accuracy decides
because each model's intervals are calibrated on its own misses, so every model's coverage aims at the nominal
80%; the scores (80% and 95% coverage, mean 80% interval score, mean absolute error) are kept for the reader.
Not the interval score alone: the Januaries a 2022 selection scores at horizon 3 were calibrated on the
2014-2018 change from statements to plans, whose misses say more about that change than about the model.
``benchmarks/bench_caseload_backtest.py`` prints the all-LA backtest the issue asks for: January 2025 projected
from the 2022 release (horizon 3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The candidates, in the order :func:`choose_model` breaks ties.
MODELS = ("national_growth", "own_trend", "same_growth", "same_count")
#: Years of growth a trend averages.
TREND_YEARS = 3
#: How many origins' errors calibrate an interval, and the fewest errors an interval is read from.
CALIBRATION_ORIGINS = 3
MIN_ERRORS = 10
#: Interval quantiles: 80% and 95%.
QUANTILES = {"low95": 0.025, "low80": 0.10, "median": 0.5, "high80": 0.90, "high95": 0.975}
SELECTION_HORIZONS = (1, 2, 3)
PROJECTION_COLUMNS = ("area_code", "year", "horizon", "model", "forecast", "caseload", "low80", "high80", "low95", "high95")


def point_forecast(counts: pd.DataFrame, england: pd.Series, origin: int, horizon: int, model: str) -> pd.Series:
    """Each area's forecast of January ``origin + horizon`` from ``counts`` (a row an area, a column a year) up to
    January ``origin``; ``england`` is England's count of the same series by year. Missing where the model cannot
    be fitted (a year it needs is missing, or a count is zero where it takes a ratio)."""
    if model not in MODELS:
        raise ValueError(f"unknown caseload model {model!r} (expected one of {', '.join(MODELS)})")
    now = _column(counts, origin)
    if model == "same_count":
        return now
    if model == "same_growth":
        return now * _ratio(now, _column(counts, origin - 1)) ** horizon
    if model == "own_trend":
        return now * _ratio(now, _column(counts, origin - TREND_YEARS)) ** (horizon / TREND_YEARS)
    growth = _ratio(england.get(origin, np.nan), england.get(origin - TREND_YEARS, np.nan))
    return now * growth ** (horizon / TREND_YEARS)


def log_errors(counts: pd.DataFrame, england: pd.Series, origins, horizon: int, model: str) -> pd.Series:
    """``log(outturn / forecast)`` for every area and origin in ``origins`` whose outturn is in ``counts``."""
    errors = []
    for origin in origins:
        forecast, outturn = point_forecast(counts, england, origin, horizon, model), _column(counts, origin + horizon)
        usable = (forecast > 0) & (outturn > 0)
        errors.append(np.log(outturn[usable] / forecast[usable]))
    return pd.concat(errors) if errors else pd.Series(dtype=float)


def interval_factors(counts: pd.DataFrame, england: pd.Series, origin: int, horizon: int, model: str) -> dict[str, float]:
    """The factors that turn a forecast into its interval bounds: ``exp`` of the :data:`QUANTILES` of the log errors
    at ``horizon`` from the :data:`CALIBRATION_ORIGINS` latest origins whose outturn was known in ``origin``."""
    factors = quantile_factors(counts, england, origin, horizon, model, list(QUANTILES.values()))
    return dict(zip(QUANTILES, map(float, factors), strict=True))


def quantile_factors(counts: pd.DataFrame, england: pd.Series, origin: int, horizon: int, model: str, quantiles) -> np.ndarray:
    """``exp`` of the ``quantiles`` of the log errors :func:`interval_factors` reads (missing with fewer than
    :data:`MIN_ERRORS` of them): a forecast times the factor at ``q`` is its ``q`` quantile."""
    last = origin - horizon
    errors = log_errors(counts, england, range(last - CALIBRATION_ORIGINS + 1, last + 1), horizon, model)
    if len(errors) < MIN_ERRORS:
        return np.full(len(quantiles), np.nan)
    return np.exp(np.quantile(errors, quantiles))


def project(counts: pd.DataFrame, england: pd.Series, origin: int, horizons, model: str) -> pd.DataFrame:
    """Every area's projection (:data:`PROJECTION_COLUMNS`) at each horizon: the model's ``forecast``, the
    projection ``caseload`` (the forecast times its median factor), and 80% and 95% intervals."""
    frames = []
    for horizon in horizons:
        forecast = point_forecast(counts, england, origin, horizon, model)
        factors = interval_factors(counts, england, origin, horizon, model)
        frame = pd.DataFrame({"area_code": forecast.index, "year": origin + horizon, "horizon": horizon, "model": model,
                              "forecast": forecast.to_numpy()})
        frame["caseload"] = frame["forecast"] * factors["median"]
        for name, factor in factors.items():
            frame[name] = frame["forecast"] * factor
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[list(PROJECTION_COLUMNS)]


def interval_score(outturn, low, high, alpha: float = 0.2):
    """The interval score of a central ``1 - alpha`` interval: its width, plus ``2/alpha`` times any miss."""
    outturn, low, high = (np.asarray(x, dtype=float) for x in (outturn, low, high))
    return (high - low) + (2 / alpha) * np.clip(low - outturn, 0, None) + (2 / alpha) * np.clip(outturn - high, 0, None)


def score(projection: pd.DataFrame, outturn: pd.Series) -> dict[str, float]:
    """How a projection did against the outturns (indexed by ``area_code``): areas scored, 80% and 95% coverage,
    mean 80% interval score and mean absolute error."""
    joined = projection.assign(outturn=projection["area_code"].map(outturn))
    joined = joined.dropna(subset=["outturn", "caseload", "low80", "high80"])
    if joined.empty:
        return {"areas": 0, "coverage80_pct": np.nan, "coverage95_pct": np.nan, "interval_score80": np.nan, "mae": np.nan}
    inside = lambda low, high: float(((joined["outturn"] >= joined[low]) & (joined["outturn"] <= joined[high])).mean())  # noqa: E731
    return {"areas": len(joined), "coverage80_pct": 100 * inside("low80", "high80"),
            "coverage95_pct": 100 * inside("low95", "high95"),
            "interval_score80": float(interval_score(joined["outturn"], joined["low80"], joined["high80"]).mean()),
            "mae": float((joined["caseload"] - joined["outturn"]).abs().mean())}


def backtest(counts: pd.DataFrame, england: pd.Series, outturn: pd.Series, origin: int, horizon: int,
             models=MODELS) -> pd.DataFrame:
    """Each model's projection of January ``origin + horizon`` from ``counts`` known at ``origin`` (a row a model),
    scored against ``outturn``; ``naive_mae`` is the error of "same growth as last year" as it stands (no correction),
    on the same areas, and ``mae_ratio`` the model's error over it."""
    common = outturn.dropna().index
    for model in models:
        common = common.intersection(point_forecast(counts, england, origin, horizon, model).dropna().index)
    rows = []
    for model in models:
        projection = project(counts, england, origin, [horizon], model)
        rows.append({"model": model, **score(projection[projection["area_code"].isin(common)], outturn)})
    table = pd.DataFrame(rows)
    naive = point_forecast(counts, england, origin, horizon, "same_growth").reindex(common)
    table["naive_mae"] = float((naive - outturn.reindex(common)).abs().mean())
    table["mae_ratio"] = table["mae"] / table["naive_mae"]
    return table


def choose_model(counts: pd.DataFrame, england: pd.Series, origin: int) -> tuple[str, pd.DataFrame]:
    """The model with the lowest mean absolute error projecting January ``origin`` from the Januaries
    :data:`SELECTION_HORIZONS` years before it, and the scores (a row a model and horizon: coverage, interval score
    and error, see the module docstring for why the error decides)."""
    rows = []
    for horizon in SELECTION_HORIZONS:
        outturn = _column(counts, origin)
        for model in MODELS:
            projection = project(counts, england, origin - horizon, [horizon], model)
            rows.append({"model": model, "horizon": horizon, **score(projection, outturn)})
    scores = pd.DataFrame(rows)
    means = scores.groupby("model", sort=False)[["interval_score80", "mae"]].mean().dropna()
    if means.empty:
        return MODELS[0], scores
    return str(means["mae"].idxmin()), scores


def _column(counts: pd.DataFrame, year: int) -> pd.Series:
    return counts[year].astype(float) if year in counts.columns else pd.Series(np.nan, index=counts.index)


def _ratio(now, then):
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.divide(now, then)
    return ratio.where(np.isfinite(ratio)) if isinstance(ratio, pd.Series) else (ratio if np.isfinite(ratio) else np.nan)
