"""The backtest: summaries by hand, the years it covers, one year on the fixture, its cache.

On the fixture releases (tests/fixtures/); tests/e2e/test_real_release.py runs a
year on the real release.
"""

import numpy as np
import pandas as pd
import pytest
from helpers import FIXTURE_RELEASE, grow_release, raw_rows

import analysis_helpers.analysis.backtest as backtest_module
from analysis_helpers import __version__
from analysis_helpers.analysis import panel_quantile
from analysis_helpers.analysis.backtest import (
    backtest_cache_path,
    cached_backtest,
    choose_default,
    forecast_years,
    forecasts,
    summarise,
)
from analysis_helpers.core.paths import CACHE_ENV
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.release import Release

HEADLINE = "ehcp_issued_within_20_weeks_excl_exceptions_pct"


def test_summary_counts_coverage_and_errors_by_hand():
    rows = pd.DataFrame(
        {
            "model": ["m"] * 4, "year": ["2023", "2023", "2024", "2024"], "area_code": list("ABAB"),
            "actual": [50, 10, 30, 70], "forecast": [40, 20, 30, 50], "naive": [50, 15, 20, 70],
            "pi80_low": [45, 0, 25, 60], "pi80_high": [55, 5, 35, 80], "pi95_low": [30, 0, 20, 55], "pi95_high": [60, 30, 40, 90],
        }
    )
    table = summarise(rows).set_index("year")
    assert table.loc["2023", "n"] == 2 and table.loc["2023", "coverage_80"] == 50 and table.loc["2023", "coverage_95"] == 100
    assert table.loc["overall", "n"] == 4 and table.loc["overall", "coverage_80"] == 75
    assert table.loc["overall", "mae"] == pytest.approx((10 + 10 + 0 + 20) / 4)
    assert table.loc["overall", "mae_naive"] == pytest.approx((0 + 5 + 10 + 0) / 4)
    assert table.loc["overall", "mae_rel_naive"] == pytest.approx(10 / 3.75)
    assert table.loc["overall", "bias"] == pytest.approx((-10 + 10 + 0 - 20) / 4)
    assert table.loc["overall", "width_80"] == pytest.approx((10 + 5 + 10 + 20) / 4)
    # Winkler 80% (alpha 0.2, penalty 2/0.2 = 10 per point outside): 10, 5 + 10 x 5 = 55, 10, 20 -> mean 23.75
    assert table.loc["overall", "winkler_80"] == pytest.approx((10 + 55 + 10 + 20) / 4)
    # Winkler 95% (penalty 40): all inside -> the mean width (30 + 30 + 20 + 35) / 4
    assert table.loc["overall", "winkler_95"] == pytest.approx((30 + 30 + 20 + 35) / 4)


def test_choose_default_prefers_calibrated_then_the_best_interval_score():
    table = pd.DataFrame(
        {"model": ["a", "b", "c"], "horizon": [1] * 3, "year": ["overall"] * 3, "n": [9] * 3, "coverage_80": [79.0, 84.0, 60.0],
         "coverage_95": [94.0, 93.0, 80.0], "winkler_80": [40.0, 45.0, 20.0], "mae": [20.0, 18.0, 10.0], "mae_naive": [17.0] * 3}
    )
    # c scores best but its intervals are far too narrow; of a and b (both calibrated) a has the sharper honest intervals
    assert choose_default(table) == "a"
    two_years = table.assign(horizon=2, winkler_80=[50.0, 40.0, 20.0])
    assert choose_default(pd.concat([table, two_years]), horizon=2) == "b"


def test_a_forecast_h_years_ahead_sees_only_years_up_to_y_minus_h(release, historic):
    rows = forecasts(HEADLINE, models=("rw_logit",), years=("2024",), release=release, historic=historic, horizons=(1, 2))
    kent = rows[rows["area_code"] == "E10000016"].set_index("horizon")
    # rw_logit's centre is the last year fitted: 2023 (324 of 1796) one year ahead, 2022 two years ahead.
    kent_2022 = next(r for r in raw_rows("timeliness_20_week.csv") if r["la_name"] == "Kent" and r["time_period"] == "2022"
                     and r["breakdown_topic"] == "All EHC plans issued")
    value_2022 = 100 * float(kent_2022["plans_issued_20_weeks_ex"]) / float(kent_2022["plans_issued_den_ex"])
    assert kent.loc[1, "forecast"] == pytest.approx(100 * 324 / 1796)
    assert kent.loc[2, "forecast"] == pytest.approx(value_2022) and kent.loc[2, "naive"] == pytest.approx(value_2022)
    assert (kent.loc[2, "pi80_high"] - kent.loc[2, "pi80_low"]) > (kent.loc[1, "pi80_high"] - kent.loc[1, "pi80_low"])


def test_one_year_backtest_uses_only_earlier_years(release, historic):
    rows = forecasts(HEADLINE, models=("rw_logit",), years=("2024",), release=release, historic=historic)
    # 12 fixture LAs have a 2024 value (City of London: 0 of 0); Cumberland, created in 2023,
    # has one earlier year where three are needed -> 11 forecasts.
    assert len(rows) == 11 and set(rows["year"]) == {"2024"}
    assert "E06000063" not in set(rows["area_code"])  # Cumberland
    kent = rows[rows["area_code"] == "E10000016"].iloc[0]
    # timeliness_20_week.csv, Kent excluding exceptions: 2024 783 of 2354; 2023 324 of 1796.
    assert kent["actual"] == pytest.approx(100 * 783 / 2354)
    assert kent["forecast"] == pytest.approx(100 * 324 / 1796)  # rw_logit centre: last year's value
    assert kent["naive"] == pytest.approx(100 * 324 / 1796)
    assert kent["pi95_low"] < kent["actual"] < kent["pi95_high"]


def test_forecast_years_are_the_release_years_after_the_first(release, tmp_path):
    # timeliness_20_week.csv publishes 2019-2024: every year but the first is forecast.
    assert forecast_years(HEADLINE, release) == ("2020", "2021", "2022", "2023", "2024")
    grown = Release(grow_release(FIXTURE_RELEASE, tmp_path / "grown.zip"), cache=False)
    assert forecast_years(HEADLINE, grown) == ("2020", "2021", "2022", "2023", "2024", "2025")


def test_a_release_with_2025_backtests_2025(tmp_path, historic):
    grown = Release(grow_release(FIXTURE_RELEASE, tmp_path / "grown.zip"), cache=False)
    rows = forecasts(HEADLINE, models=("rw_logit",), release=grown, historic=historic)
    assert sorted(set(rows["year"])) == ["2020", "2021", "2022", "2023", "2024", "2025"]
    kent_2025 = rows[(rows["area_code"] == "E10000016") & (rows["year"] == "2025")].iloc[0]
    # 2025 is a copy of 2024 (783 of 2354), so the naive forecast is exact.
    assert kent_2025["actual"] == kent_2025["naive"] == pytest.approx(100 * 783 / 2354)


def test_cached_backtest_is_computed_once_then_read_back(tmp_path, monkeypatch, release, historic):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    path = backtest_cache_path(HEADLINE, release, historic)
    assert path.parent == tmp_path and not path.exists()
    table = cached_backtest(HEADLINE, release=release, historic=historic)
    assert path.exists()
    # 11 forecasts in 2024 (see above); every model forecasts the same LAs and years.
    assert table.set_index(["model", "horizon", "year"]).loc[("rw_logit", 1, "2024"), "n"] == 11
    assert set(table["horizon"]) == {1, 2, 3}

    def no_backtest(*args, **kwargs):
        raise AssertionError("the backtest ran again instead of reading the cache")

    monkeypatch.setattr(backtest_module, "backtest", no_backtest)
    pd.testing.assert_frame_equal(cached_backtest(HEADLINE, release=release, historic=historic), table, check_dtype=False)


def test_backtest_cache_name_has_version_and_code_hash(monkeypatch, release, historic):
    path = backtest_cache_path(HEADLINE, release, historic)
    assert path.name.startswith(release.sha256[:20]) and f"-v{__version__}-" in path.name
    monkeypatch.setattr(parquet_cache, "PACKAGE_CODE", "0" * 16)  # any code edited, kpis.py and scales.py included
    assert backtest_cache_path(HEADLINE, release, historic) != path
    monkeypatch.undo()
    assert backtest_cache_path(HEADLINE, release, release) != path  # another historic release


def test_panel_models_see_nothing_after_the_origin(monkeypatch, release, historic):
    # The panel is fitted across LAs: changing every LA's 2024 figures (and the leading indicators of 2023 and 2024) must
    # leave the forecasts of 2023 (origin 2022) as they were.
    models = ("panel_ar1_logit", "panel_ar1_conformal_logit", "panel_ar1_quantile_logit", "panel_ar1_leading_logit")
    monkeypatch.setattr(panel_quantile, "ROWS_PER_COEFFICIENT", 2)  # the fixture's 15 LAs: fit the quantile regressions anyway
    before = forecasts(HEADLINE, models=models, years=("2023",), release=release, historic=historic)
    real_history, real_leading = backtest_module.timeliness_history, backtest_module.with_leading

    def changed_leading(*args, **kwargs):  # the leading indicators of 2023 and 2024 changed too
        frame = real_leading(*args, **kwargs)
        later = frame["period"] >= "2023"
        frame.loc[later, "requests_growth"], frame.loc[later, "refused_change"] = 5.0, -0.5
        return frame

    def changed_2024(*args, **kwargs):
        history = real_history(*args, **kwargs).copy()
        later = history["period"] == "2024"
        history.loc[later, "numerator"] = (history.loc[later, "denominator"] * 0.97).round()
        history.loc[later, "value"] = 100 * history.loc[later, "numerator"] / history.loc[later, "denominator"]
        return history

    monkeypatch.setattr(backtest_module, "timeliness_history", changed_2024)
    monkeypatch.setattr(backtest_module, "with_leading", changed_leading)
    after = forecasts(HEADLINE, models=models, years=("2023",), release=release, historic=historic)
    assert len(before) == len(after) > 0
    by_model = before.set_index(["model", "area_code"])["pi80_low"]  # the regressions were fitted: their intervals differ
    assert not np.allclose(by_model["panel_ar1_leading_logit"], by_model["panel_ar1_conformal_logit"])
    assert not np.allclose(by_model["panel_ar1_leading_logit"], by_model["panel_ar1_quantile_logit"])
    pd.testing.assert_frame_equal(before, after)
    # ... while a forecast of 2024 itself does see the changed actuals (the check can fail)
    assert (forecasts(HEADLINE, models=models, years=("2024",), release=release, historic=historic)["actual"] > 90).any()
