"""The panel fit's disk cache (analysis.panel_cache): read back equal, refitted for other data or code, never trusted damaged."""

import numpy as np
import pandas as pd

from analysis_helpers.analysis import panel_cache
from analysis_helpers.analysis.panel import fit_panel
from analysis_helpers.analysis.panel_cache import cached_fit_panel, fit_cache_path, from_json, to_json
from analysis_helpers.data import parquet_cache

SHA = "ab" * 32


def same(a, b) -> bool:
    """Two fits equal field by field, the quantile tables' matrices exactly (NaN equal to NaN)."""
    tables = ("quantile_table", "leading_table")
    plain = all(getattr(a, k) == getattr(b, k) for k in a.__dict__ if k not in tables)
    return plain and all(getattr(a, t).keys() == getattr(b, t).keys()
                         and all(np.array_equal(getattr(a, t)[h], getattr(b, t)[h], equal_nan=True) for h in getattr(a, t))
                         for t in tables)


def panel(seed: int = 3, years: int = 7, las: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = rng.integers(50, 3000, las).astype(float)
    x = np.round(n[:, None] / (1 + np.exp(-rng.normal(0, 0.6, (las, years)))))
    return pd.DataFrame([{"area_code": f"L{i}", "period_end": pd.Timestamp(2016 + t, 12, 31), "numerator": x[i, t], "denominator": n[i]}
                         for i in range(las) for t in range(years)])


def counting(monkeypatch) -> list:
    calls = []
    monkeypatch.setattr(panel_cache, "fit_panel", lambda frame: calls.append(1) or fit_panel(frame))
    return calls


def test_a_fit_is_fitted_once_and_read_back_equal(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(tmp_path))
    calls = counting(monkeypatch)
    fitted = cached_fit_panel(panel(), SHA)
    assert fit_cache_path(panel(), SHA).exists() and fit_cache_path(panel(), SHA).parent == tmp_path
    read_back = cached_fit_panel(panel(), SHA)
    assert len(calls) == 1
    assert same(read_back, fitted) and same(fitted, fit_panel(panel()))  # every float exact, the dates and keys too
    assert same(from_json(to_json(fitted)), fitted)


def test_other_data_another_release_or_changed_code_is_fitted_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(tmp_path))
    calls = counting(monkeypatch)
    cached_fit_panel(panel(), SHA)
    changed = panel()
    changed.loc[5, "numerator"] += 1  # one LA's figure revised
    assert same(cached_fit_panel(changed, SHA), fit_panel(changed))
    cached_fit_panel(panel().iloc[: 30 * 6], SHA)  # a data date before the last year: fewer years published
    cached_fit_panel(panel(), "cd" * 32)  # another release
    monkeypatch.setattr(parquet_cache, "PACKAGE_CODE", "0" * 16)  # the model's code edited
    cached_fit_panel(panel(), SHA)
    assert len(calls) == 5
    cached_fit_panel(panel(), SHA)
    assert len(calls) == 5


def test_a_damaged_cache_is_refitted_never_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(tmp_path))
    fitted = cached_fit_panel(panel(), SHA)
    fit_cache_path(panel(), SHA).write_text('{"origin": "2022-12-31"', encoding="utf-8")
    assert same(cached_fit_panel(panel(), SHA), fitted)
    assert same(from_json(fit_cache_path(panel(), SHA).read_text(encoding="utf-8")), fitted)


def test_the_quantile_tables_travel_and_leading_indicators_change_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(tmp_path))
    fitted = fit_panel(panel())
    assert fitted.quantile_table and same(from_json(to_json(fitted)), fitted)  # the matrices come back exactly
    plain = panel()
    led = plain.assign(requests_growth=0.1, refused_change=0.0)
    other = plain.assign(requests_growth=0.2, refused_change=0.0)
    paths = {fit_cache_path(frame, SHA) for frame in (plain, led, other)}
    assert len(paths) == 3  # a fit with other leading indicators is another fit
