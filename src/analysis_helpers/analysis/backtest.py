"""Backtest: how well would each model have forecast each LA one, two and three years ahead?

For every local authority, every year Y the current release publishes after
its first (2020–2024 in the 2025 release; a release with 2025 adds 2025) and
every horizon h (1, 2, 3 years), each model is fitted only on years up to Y - h
(the pooled variance too, from all LAs' years up to then) and forecasts Y. We
report, per model, horizon and year, and overall per model and horizon:

* ``n`` — forecasts made (LAs with at least three years to fit and a value in Y);
* ``coverage_80`` / ``coverage_95`` — share of actual values inside the 80% /
  95% prediction intervals (goal: within 5 points of nominal);
* ``width_80`` — mean width of the 80% interval, in points (sharper is better);
* ``winkler_80`` / ``winkler_95`` — the interval (Winkler) score: the width plus
  2/alpha times the distance by which the actual falls outside (alpha = 0.2 or
  0.05); lower is better, and it rewards intervals that are both sharp and honest;
* ``mae`` — mean absolute error of the central forecast, in percentage points;
  ``mae_naive`` the same for "same as the last year fitted"; ``mae_rel_naive``
  their ratio (below 1: better than naive);
* ``bias`` — mean of forecast minus actual (positive: forecasts too high).

The default model for projections (:func:`choose_default`) is chosen by the
data: among the models whose one-year-ahead coverage is within 5 points of
nominal at both levels, the one with the best (lowest) 80% interval score.

The table is cached per release (:func:`cached_backtest`), under a name that
holds both releases' SHA-256, the package version and a hash of the package's
code (the models, the series and the KPI definitions they read), so neither new
data nor changed code is served a stale table; a cached table is checked
against its checksum and columns on every read and rebuilt when either differs.

Percentages are 0–100.
"""

from __future__ import annotations

import io
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from analysis_helpers.analysis.leading import LEADING, with_leading
from analysis_helpers.analysis.panel import fit_panel
from analysis_helpers.analysis.projection import MODELS, PANEL_MODELS, TooFewPoints, pooled_innovation_variance, project
from analysis_helpers.data.parquet_cache import cache_file, cached_value, read_verified
from analysis_helpers.data.release import Release
from analysis_helpers.domain import history as history_module
from analysis_helpers.domain.areas import LOCAL_AUTHORITY
from analysis_helpers.domain.history import timeliness_history
from analysis_helpers.domain.kpis import kpi_table
from analysis_helpers.domain.measures import HEADLINE_MEASURE

BACKTEST_COLUMNS = [
    "model", "horizon", "year", "n", "coverage_80", "coverage_95", "width_80", "winkler_80", "winkler_95",
    "mae", "mae_naive", "mae_rel_naive", "bias",
]
#: Horizons (years ahead) a full backtest scores.
HORIZONS = (1, 2, 3)


def forecasts(
    measure: str = HEADLINE_MEASURE,
    models: tuple[str, ...] = tuple(MODELS),
    years: tuple[str, ...] | None = None,
    window: int | None = None,
    *,
    release: Release,
    historic: Release | None = None,
    horizons: tuple[int, ...] = (1,),
) -> pd.DataFrame:
    """One row per model, horizon, LA and forecast year: actual, forecast and interval limits.

    ``years`` defaults to :func:`forecast_years` of the release; a forecast ``h``
    years ahead is fitted on the years up to ``Y - h`` only. ``historic`` defaults to ``release.historic``.
    """
    years = forecast_years(measure, release) if years is None else years
    history = timeliness_history(measure, release=release, historic=historic)
    las = history[(history["geographic_level"] == LOCAL_AUTHORITY)].dropna(subset=["value"])
    columns = ["period", "period_end", "value", "numerator", "denominator"]  # what the models read
    if "panel_ar1_leading_logit" in models:  # each year's indicators beside it: a series cut at the origin carries no later one
        las, columns = with_leading(las, release), [*columns, *LEADING]
    las = las.sort_values("period_end")
    groups = {code: g[columns].reset_index(drop=True) for code, g in las.groupby("area_code")}
    # One projection per origin, LA and model serves every (year, horizon) pair with year - horizon = origin:
    # a model's forecast h steps on does not depend on how far on it is asked to project.
    targets: dict[str, list[tuple[str, int]]] = {}
    for year in years:
        for h in horizons:
            targets.setdefault(str(int(year[:4]) - h), []).append((year, h))  # the last year the forecast may see
    rows = []
    for origin, wanted in sorted(targets.items()):
        before = las[las["period"] <= origin]
        if before.empty:
            continue
        pooled = pooled_innovation_variance(before)
        fit = fit_panel(before) if set(models) & set(PANEL_MODELS) else None  # every LA's years up to the origin only
        for code, group in groups.items():
            periods = group["period"].tolist()
            train = group.iloc[: sum(p <= origin for p in periods)]  # sorted by period end: the years up to the origin
            if window:
                train = train.tail(window)
            actual = {y: group["value"].iat[periods.index(y)] for y, _ in wanted if y in periods}
            if not actual or len(train) < 3:
                continue
            naive = float(train["value"].iat[-1])
            last_end = group["period_end"].iat[max(periods.index(y) for y in actual)]
            for model in models:
                try:
                    result = project(train, model, horizon=last_end, pooled_variance=pooled, panel_fit=fit)
                except TooFewPoints:
                    continue
                projected = {p: i for i, p in enumerate(result.table["period"])}
                limits = result.table[["value_projected", "pi80_low", "pi80_high", "pi95_low", "pi95_high"]].to_numpy()
                for year, h in wanted:
                    if year not in actual or year not in projected:
                        continue
                    f = limits[projected[year]]
                    rows.append(
                        {
                            "model": model, "horizon": h, "year": year, "area_code": code, "actual": float(actual[year]),
                            "forecast": f[0], "naive": naive, "pi80_low": f[1], "pi80_high": f[2], "pi95_low": f[3], "pi95_high": f[4],
                        }
                    )
    return pd.DataFrame(rows)


def forecast_years(measure: str, release: Release) -> tuple[str, ...]:
    """The years to backtest: every period of the measure in the current release
    that has an earlier one in it to forecast from (all but the first)."""
    table = kpi_table(release)
    periods = table.loc[table["measure"] == measure, ["period", "period_end"]].drop_duplicates("period")
    return tuple(periods.sort_values("period_end")["period"].iloc[1:])


def winkler(actual, low, high, alpha: float):
    """Interval score of a (1 - alpha) interval: its width plus 2/alpha times any distance outside it."""
    return (high - low) + (2 / alpha) * ((low - actual).clip(lower=0) + (actual - high).clip(lower=0))


def summarise(forecast_rows: pd.DataFrame) -> pd.DataFrame:
    """Per model, horizon and year, then an ``overall`` row per model and horizon."""
    frame = forecast_rows.copy()
    if "horizon" not in frame:
        frame["horizon"] = 1
    frame["in80"] = (frame["actual"] >= frame["pi80_low"]) & (frame["actual"] <= frame["pi80_high"])
    frame["in95"] = (frame["actual"] >= frame["pi95_low"]) & (frame["actual"] <= frame["pi95_high"])
    frame["abs_error"] = (frame["actual"] - frame["forecast"]).abs()
    frame["abs_error_naive"] = (frame["actual"] - frame["naive"]).abs()
    frame["width80"] = frame["pi80_high"] - frame["pi80_low"]
    frame["score80"] = winkler(frame["actual"], frame["pi80_low"], frame["pi80_high"], 0.20)
    frame["score95"] = winkler(frame["actual"], frame["pi95_low"], frame["pi95_high"], 0.05)
    frame["error"] = frame["forecast"] - frame["actual"]

    def summary(g: pd.DataFrame) -> pd.Series:
        mae, mae_naive = g["abs_error"].mean(), g["abs_error_naive"].mean()
        return pd.Series(
            {
                "n": len(g),
                "coverage_80": 100 * g["in80"].mean(),
                "coverage_95": 100 * g["in95"].mean(),
                "width_80": g["width80"].mean(),
                "winkler_80": g["score80"].mean(),
                "winkler_95": g["score95"].mean(),
                "mae": mae,
                "mae_naive": mae_naive,
                "mae_rel_naive": mae / mae_naive if mae_naive > 0 else float("nan"),
                "bias": g["error"].mean(),
            }
        )

    per_year = frame.groupby(["model", "horizon", "year"]).apply(summary, include_groups=False).reset_index()
    overall = frame.groupby(["model", "horizon"]).apply(summary, include_groups=False).reset_index()
    overall["year"] = "overall"
    table = pd.concat([per_year, overall], ignore_index=True)
    table["n"] = table["n"].astype(int)
    table["horizon"] = table["horizon"].astype(int)
    order = {m: i for i, m in enumerate(MODELS)}
    table["_m"] = table["model"].map(order)
    table["_y"] = table["year"].map(lambda y: "9999" if y == "overall" else y)
    return table.sort_values(["_m", "horizon", "_y"]).drop(columns=["_m", "_y"]).reset_index(drop=True)[BACKTEST_COLUMNS]


def backtest(
    measure: str = HEADLINE_MEASURE, *, release: Release, historic: Release | None = None, **kwargs
) -> pd.DataFrame:
    """The backtest table (see module docstring), at every horizon of :data:`HORIZONS` unless ``horizons`` is given."""
    kwargs.setdefault("horizons", HORIZONS)
    return summarise(forecasts(measure, release=release, historic=historic, **kwargs))


def cached_backtest(
    measure: str = HEADLINE_MEASURE, *, release: Release, historic: Release | None = None
) -> pd.DataFrame:
    """The backtest table, computed once and kept in the cache folder (see the module docstring)."""
    historic = historic or release.historic

    def build() -> tuple[bytes, pd.DataFrame]:
        data = backtest(measure, release=release, historic=historic).to_csv(index=False).encode()
        return data, read_table(data)  # as a later read gives it: a run's numbers never depend on the cache's state

    def check(table: pd.DataFrame) -> str:
        return "" if list(table.columns) == BACKTEST_COLUMNS and len(table) else "not a backtest table"

    return cached_value(backtest_cache_path(measure, release, historic), build, read_table, check)


def read_table(data: bytes) -> pd.DataFrame:
    """A backtest table from its CSV bytes (the year is a label: ``2023`` or ``overall``)."""
    return pd.read_csv(io.BytesIO(data), dtype={"year": str})


def cached_backtests(measures: tuple[str, ...] = tuple(history_module.ADAPTER), *, release: Release,
                     historic: Release | None = None, workers: int = 2) -> dict[str, pd.DataFrame]:
    """:func:`cached_backtest` of several measures, those not yet cached computed side by side in ``workers`` processes."""
    historic = historic or release.historic
    missing = [m for m in measures if read_verified(backtest_cache_path(m, release, historic))[0] is None]
    if len(missing) > 1 and workers > 1:
        with ProcessPoolExecutor(min(workers, len(missing))) as pool:
            list(pool.map(_cache_one, missing, [release.path] * len(missing), [historic.path] * len(missing)))
    return {m: cached_backtest(m, release=release, historic=historic) for m in measures}


def _cache_one(measure: str, release_path: Path, historic_path: Path) -> None:
    cached_backtest(measure, release=Release(release_path, historic=None), historic=Release(historic_path, historic=None))


def backtest_cache_path(measure: str, release: Release, historic: Release | None = None) -> Path:
    """Where :func:`cached_backtest` keeps a table: named by both releases, the version and the package's code."""
    historic = historic or release.historic
    return cache_file("backtest", (release.sha256, historic.sha256), f"{measure}.csv")


def choose_default(table: pd.DataFrame, tolerance: float = 5.0, horizon: int = 1) -> str:
    """The default model, chosen by the data: among models whose overall 80% and 95% coverage at ``horizon`` are
    both within ``tolerance`` points of nominal, the one with the best (lowest) 80% interval score; if none is,
    the one closest to nominal coverage (reports then say intervals are off).
    """
    overall = table[table["year"] == "overall"].copy()
    if "horizon" in overall:
        overall = overall[overall["horizon"] == horizon]
    overall["distance"] = (overall["coverage_80"] - 80).abs() + (overall["coverage_95"] - 95).abs()
    calibrated = overall[((overall["coverage_80"] - 80).abs() <= tolerance) & ((overall["coverage_95"] - 95).abs() <= tolerance)]
    if len(calibrated):
        key = ["winkler_80", "mae"] if "winkler_80" in calibrated else ["mae", "distance"]
        return str(calibrated.sort_values(key).iloc[0]["model"])
    return str(overall.sort_values("distance").iloc[0]["model"])
