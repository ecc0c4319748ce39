"""Projections stay within their unit's range."""

import pandas as pd

from analysis_helpers.analysis.projection import project


def test_linear_projection_respects_its_unit():
    """A rising count is not capped at 100; a falling one stops at zero (issue 11: £m and counts were capped at 100)."""
    ends = pd.to_datetime(["2021-03-31", "2022-03-31", "2023-03-31"])
    rising = pd.DataFrame({"period": ["2020/21", "2021/22", "2022/23"], "period_end": ends, "value": [97.0, 142.0, 187.0]})
    table = project(rising, "linear_pct", unit="gbp_m").table
    # a perfect line: +45 a year, so about 232 in 2023/24 (time runs in days, and 2024 is a leap year: 232.12)
    assert abs(table["value_projected"].iloc[0] - 232.12) < 0.01 and (table["pi95_high"] > 100).all()
    falling = rising.assign(value=[300.0, 150.0, 20.0])
    assert (project(falling, "linear_pct", unit="count").table["pi95_low"] >= 0).all()
    assert (project(rising, "linear_pct", unit="pct").table["value_projected"] <= 100).all()
