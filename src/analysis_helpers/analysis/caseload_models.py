"""The release-wide part of every LA's caseload projection, worked out once a release and kept on disk.

Which model each placement type takes (:func:`~analysis_helpers.analysis.caseload.choose_model`, an all-LA
backtest) and the factors that turn its forecasts into quantiles (each horizon's recent misses over every LA) are
the same for every LA of a release: a second or two of arithmetic, which each notebook kernel of a batch would
otherwise redo. :func:`caseload_models` computes them for a latest census year and keeps them as verified parquet
under the release's and its old release's SHA-256 and the package's code (a damaged file is rebuilt, never read),
beside the scores the choice was made on (:func:`model_scores`) and the caseload history itself
(:func:`cached_history`).
"""

from __future__ import annotations

import pandas as pd

from analysis_helpers.analysis.caseload import choose_model, quantile_factors
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY
from analysis_helpers.domain.caseload_history import COLUMNS, SERIES, caseload_history, wide

#: The last financial year an outlook reaches (2029-30), so the longest horizon a model table holds.
LAST_YEAR = 2029
#: The quantiles each horizon's factors are kept at: 40 equally spaced (the probability of balance), then the
#: 80% interval's ends and the median.
GRID = tuple((i + 0.5) / 40 for i in range(40))
KEPT = (*GRID, 0.1, 0.5, 0.9)
MODEL_COLUMNS = ("series", "model", "horizon", "quantile", "factor")
SCORE_COLUMNS = ("series", "model", "horizon", "areas", "coverage80_pct", "coverage95_pct", "interval_score80", "mae", "chosen")


def cached_history(release: Release) -> pd.DataFrame:
    """:func:`~analysis_helpers.domain.caseload_history.caseload_history`, from the cache folder when it is there."""
    def build() -> pd.DataFrame:
        return caseload_history(release)[list(COLUMNS)]

    return release.remember(("cached_caseload_history",), lambda: parquet_cache.cached_frame(
        parquet_cache.cache_file("caseload_history", _inputs(release), "history.parquet"), build, columns=COLUMNS))


def caseload_models(release: Release, last: int) -> pd.DataFrame:
    """For projections from January ``last``: each series' chosen model and, at each horizon to :data:`LAST_YEAR`,
    its factors at :data:`KEPT` (:data:`MODEL_COLUMNS`; a factor is missing where too few misses were known)."""
    path = parquet_cache.cache_file("caseload_models", [*_inputs(release), str(last)], f"models-{last}.parquet")
    return release.remember(("caseload_models", last), lambda: parquet_cache.cached_frame(
        path, lambda: _chosen(release, last)[0], columns=MODEL_COLUMNS))


def model_scores(release: Release, last: int) -> pd.DataFrame:
    """How every candidate model of every series did when the models for January ``last`` were chosen
    (:data:`SCORE_COLUMNS`: a row a series, model and horizon, scored over every LA; ``chosen`` marks the model
    :func:`caseload_models` took), kept beside them so the details notebook need not run the backtest again."""
    path = parquet_cache.cache_file("caseload_models", [*_inputs(release), str(last)], f"scores-{last}.parquet")
    return release.remember(("caseload_model_scores", last), lambda: parquet_cache.cached_frame(
        path, lambda: _chosen(release, last)[1], columns=SCORE_COLUMNS))


def _chosen(release: Release, last: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The models chosen at January ``last`` with their factors, and the scores they were chosen on (once a release)."""
    def build() -> tuple[pd.DataFrame, pd.DataFrame]:
        history = cached_history(release)
        history = history[history["year"] <= last]
        las = history[history["geographic_level"] == LOCAL_AUTHORITY]
        rows, scored = [], []
        for series in SERIES:
            counts = wide(las, series)
            england = wide(history[history["geographic_level"] == "National"], series).iloc[0]
            model, scores = choose_model(counts, england, last)
            scored.append(scores.assign(series=series, chosen=scores["model"] == model))
            for horizon in range(1, LAST_YEAR - last + 1):
                factors = quantile_factors(counts, england, last, horizon, model, list(KEPT))
                rows += [{"series": series, "model": model, "horizon": horizon, "quantile": q, "factor": float(f)}
                         for q, f in zip(KEPT, factors, strict=True)]
        scores = pd.concat(scored, ignore_index=True)[list(SCORE_COLUMNS)]
        scores["areas"] = scores["areas"].astype("int64")
        scores["chosen"] = scores["chosen"].astype(bool)
        return pd.DataFrame(rows, columns=list(MODEL_COLUMNS)), scores

    return release.remember(("caseload_models_chosen", last), build)


def factors_at(lookup: dict, series: str, horizon: int, quantiles) -> list[float]:
    """The factors of ``series`` at ``horizon`` for each of ``quantiles`` (each one of :data:`KEPT`), from a model
    table's :func:`factor_lookup` (one lookup serves an LA's every type and horizon)."""
    rows = lookup.get((series, horizon), {})
    return [float(rows.get(q, float("nan"))) for q in quantiles]


def factor_lookup(models: pd.DataFrame) -> dict[tuple[str, int], dict[float, float]]:
    """A model table's factors by ``(series, horizon)``, then by quantile."""
    lookup: dict[tuple[str, int], dict[float, float]] = {}
    for series, horizon, q, factor in zip(models["series"], models["horizon"], models["quantile"], models["factor"], strict=True):
        lookup.setdefault((str(series), int(horizon)), {})[float(q)] = float(factor)
    return lookup


def _inputs(release: Release) -> list[str]:
    return [release.sha256, release.historic.sha256 if release.historic is not None else "no-historic"]
