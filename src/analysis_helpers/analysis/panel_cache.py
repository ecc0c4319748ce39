"""The panel fit kept on disk: fitted once a release and data date, then read by every kernel.

:func:`~analysis_helpers.analysis.panel.fit_panel` over every LA's years takes
one to two seconds, and each notebook kernel of a run (the trajectories report
and the review) and each area of a batch would otherwise fit the same panel
again. :func:`cached_fit_panel` keeps the fit as JSON in the cache folder
(:mod:`~analysis_helpers.data.parquet_cache`), under a name that holds:

* the release's SHA-256 and the package version;
* :data:`PANEL_CODE`, a hash of the code that fits it (``panel.py`` and the
  quantile regressions of ``panel_quantile.py``);
* a hash of the panel's own numbers (every LA's code, period end, numerator
  and denominator, as published by the data date, and the leading indicators
  where the panel carries them), so a changed release, a data date that
  publishes other years or another measure is never served a stale fit.

JSON, not pickle: the fit is numbers, and floats are written exactly (``repr``),
so a fit read back equals the fit computed. A damaged file is refitted, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis_helpers.analysis import panel as panel_module
from analysis_helpers.analysis import panel_quantile as quantile_module
from analysis_helpers.analysis.panel import PanelFit, fit_panel
from analysis_helpers.analysis.panel_quantile import LEADING
from analysis_helpers.data.parquet_cache import cache_file, source_hash, write_atomically

#: Hash of the code behind a panel fit.
PANEL_CODE = source_hash(panel_module, quantile_module)
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
    return cache_file("panel", release_sha256, PANEL_CODE, f"{panel_key(panel)}.json")


def cached_fit_panel(panel: pd.DataFrame, release_sha256: str) -> PanelFit:
    """:func:`~analysis_helpers.analysis.panel.fit_panel` of ``panel``, fitted once and kept in the cache folder."""
    path = fit_cache_path(panel, release_sha256)
    if path.exists():
        try:
            return from_json(path.read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError):  # a damaged cache is refitted, never trusted
            path.unlink(missing_ok=True)
    fit = fit_panel(panel)
    text = to_json(fit)
    write_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return fit


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
