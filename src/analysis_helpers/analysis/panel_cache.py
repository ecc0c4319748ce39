"""The panel fit kept on disk: fitted once a release and data date, then read by every kernel.

:func:`~analysis_helpers.analysis.panel.fit_panel` over every LA's years takes
one to two seconds, and each notebook kernel of a run (the trajectories report
and the review) and each area of a batch would otherwise fit the same panel
again. :func:`cached_fit_panel` keeps the fit as JSON in the cache folder
(:mod:`~analysis_helpers.data.parquet_cache`), under a name that holds:

* the release's SHA-256 and the package version;
* a hash of the package's code (the panel, its quantile regressions and the
  series they read);
* a hash of the panel's own numbers (every LA's code, period end, numerator
  and denominator, as published by the data date, and the leading indicators
  where the panel carries them), so a changed release, a data date that
  publishes other years or another measure is never served a stale fit.

JSON, not pickle: the fit is numbers, and floats are written exactly (``repr``),
so a fit read back equals the fit computed. The file is checked against its
checksum on every read (:func:`~analysis_helpers.data.parquet_cache.cached_value`):
a damaged or misshapen file is refitted, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_helpers.analysis.panel import PanelFit, fit_panel
from analysis_helpers.analysis.panel_quantile import LEADING
from analysis_helpers.data.parquet_cache import cache_file, cached_value

#: The panel's columns the fit reads (and the cache key hashes).
PANEL_COLUMNS = ["area_code", "period_end", "numerator", "denominator"]


def panel_key(panel: pd.DataFrame) -> str:
    """SHA-256 (16 hex digits) of the panel's numbers the fit reads."""
    columns = PANEL_COLUMNS + [c for c in LEADING if c in panel]  # the leading indicators change the leading fit
    frame = panel[columns].assign(period_end=pd.to_datetime(panel["period_end"]))
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:16]


def fit_cache_path(panel: pd.DataFrame, release_sha256: str) -> Path:
    """Where :func:`cached_fit_panel` keeps the fit of ``panel`` (see the module docstring)."""
    return cache_file("panel", (release_sha256, panel_key(panel)), "fit.json")


def cached_fit_panel(panel: pd.DataFrame, release_sha256: str) -> PanelFit:
    """:func:`~analysis_helpers.analysis.panel.fit_panel` of ``panel``, fitted once and kept in the cache folder."""
    def build() -> tuple[bytes, PanelFit]:
        fit = fit_panel(panel)
        return to_json(fit).encode("utf-8"), fit

    return cached_value(fit_cache_path(panel, release_sha256), build, lambda data: from_json(data.decode("utf-8")))


def to_json(fit: PanelFit) -> str:
    """The fit as JSON text (floats exact; dates ISO; the multipliers' horizons and levels as keys)."""
    def table(found: dict) -> dict:
        return {str(h): {repr(level): q for level, q in levels.items()} for h, levels in found.items()}

    return json.dumps({
        "origin": fit.origin.isoformat(), "phi": fit.phi, "shrink": fit.shrink, "signal_variance": fit.signal_variance,
        "level_variance": fit.level_variance, "deviation_variance": fit.deviation_variance, "noise_variance": fit.noise_variance,
        "common": [[end.isoformat(), value] for end, value in fit.common.items()],
        "multipliers": table(fit.multipliers), "sized_multipliers": table(fit.sized_multipliers),
        "quantile_table": matrices(fit.quantile_table), "leading_table": matrices(fit.leading_table),
    })


def matrices(found: dict) -> dict:
    """``{horizon: array}`` as JSON: each matrix as nested lists of floats (``repr`` keeps them exact)."""
    return {str(h): np.asarray(m, dtype=float).tolist() for h, m in found.items()}


def from_json(text: str) -> PanelFit:
    """The :class:`PanelFit` :func:`to_json` wrote."""
    data = json.loads(text)

    def table(found: dict) -> dict:
        return {int(h): {float(level): float(q) for level, q in levels.items()} for h, levels in found.items()}

    return PanelFit(
        origin=pd.Timestamp(data["origin"]), phi=float(data["phi"]), shrink=float(data["shrink"]),
        signal_variance=float(data["signal_variance"]), level_variance=float(data["level_variance"]),
        deviation_variance=float(data["deviation_variance"]), noise_variance=float(data["noise_variance"]),
        common={pd.Timestamp(end): float(value) for end, value in data["common"]},
        multipliers=table(data["multipliers"]), sized_multipliers=table(data["sized_multipliers"]),
        quantile_table={int(h): np.array(m, dtype=float) for h, m in data["quantile_table"].items()},
        leading_table={int(h): np.array(m, dtype=float) for h, m in data["leading_table"].items()},
    )
