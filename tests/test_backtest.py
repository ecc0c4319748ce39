import pandas as pd
import pytest

from analysis_helpers.analysis.backtest import choose_default, forecasts, summarise


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


def test_choose_default_prefers_calibrated_then_lowest_error():
    table = pd.DataFrame(
        {"model": ["a", "b", "c"], "year": ["overall"] * 3, "n": [9] * 3, "coverage_80": [79.0, 84.0, 60.0],
         "coverage_95": [94.0, 93.0, 80.0], "mae": [20.0, 18.0, 10.0], "mae_naive": [17.0] * 3}
    )
    assert choose_default(table) == "b"  # c is more accurate but its intervals are far too narrow


def test_one_year_backtest_uses_only_earlier_years():
    rows = forecasts(models=("rw_logit",), years=("2024",))
    assert len(rows) > 140 and set(rows["year"]) == {"2024"}
    kent = rows[rows["area_code"] == "E10000016"].iloc[0]
    assert kent["actual"] == pytest.approx(100 * 783 / 2354)
    assert kent["forecast"] == pytest.approx(100 * 324 / 1796)  # rw_logit centre: last year's value
    assert kent["naive"] == pytest.approx(100 * 324 / 1796)
    assert kent["pi95_low"] < kent["actual"] < kent["pi95_high"]
