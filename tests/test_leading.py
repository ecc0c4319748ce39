"""Leading indicators from the same release (analysis.leading) and the model that reads them, by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from helpers import raw_rows
from test_panel import FIT, KENT, by_hand, expit

from analysis_helpers.analysis.leading import LEADING, leading_indicators, with_leading
from analysis_helpers.analysis.panel import PanelFit
from analysis_helpers.analysis.projection import project
from analysis_helpers.core.errors import SendReviewError


def kent_requests() -> dict[str, tuple[int, int]]:
    """Kent's requests received and decided not to assess, by year, from the raw rows."""
    return {r["time_period"]: (int(r["requests_received_in_year"]), int(r["requests_decided_not_to_assess"]))
            for r in raw_rows("requests.csv")
            if r["la_name"] == "Kent" and r["breakdown_topic"] == "All requests for EHC needs assessments"}


def test_indicators_are_the_growth_in_requests_and_the_change_in_the_refused_share(release):
    raw = kent_requests()
    kent = leading_indicators(release).query("area_code == 'E10000016'").set_index("period")
    assert math.isnan(kent.loc["2019", "requests_growth"]) and math.isnan(kent.loc["2019", "refused_change"])  # no 2018
    for year in ("2020", "2021", "2022", "2023", "2024"):
        (r0, d0), (r1, d1) = raw[str(int(year) - 1)], raw[year]
        assert kent.loc[year, "requests_growth"] == pytest.approx(math.log(r1 / r0))
        assert kent.loc[year, "refused_change"] == pytest.approx(d1 / r1 - d0 / r0)


def test_a_series_gets_its_own_years_indicators_and_no_later_ones(release):
    series = pd.DataFrame({"period": ["2021", "2022"], "value": [1.0, 2.0]})
    out = with_leading(series, release, area_code="E10000016")
    raw = kent_requests()
    assert list(out["period"]) == ["2021", "2022"] and len(out) == 2
    assert out["requests_growth"].tolist() == pytest.approx([math.log(raw["2021"][0] / raw["2020"][0]),
                                                              math.log(raw["2022"][0] / raw["2021"][0])])


def test_leading_model_by_hand():
    # quantiles: constant, forecast, binomial sd, latest change, plans growth, requests growth, refused change
    table = {1: np.array([[-1.0, 0, 0, 0, 0, 0, 0], [-0.4, 0, 0, 0, 0, 1.0, 0], [0.0, 0, 0, 0, 0, 0, 2.0],
                          [0.5, 0, 0, 0, 0, 0, 0], [1.1, 0, 0, 0, 0, 0, 0]])}
    fit = PanelFit(**{**FIT.__dict__, "leading_table": table})
    series = KENT.assign(requests_growth=[0.1, -0.2, 0.3], refused_change=[0.0, 0.05, 0.2])
    row = project(series, "panel_ar1_leading_logit", horizon="2025-12-31", panel_fit=fit).table.iloc[0]
    mean, _ = by_hand(1)
    assert row["value_projected"] == pytest.approx(expit(mean + 0.4))  # median: 2 x Kent's latest refused change
    assert (row["pi80_low"], row["pi80_high"], row["pi95_low"]) == pytest.approx((expit(mean - 0.1), expit(mean + 0.5), expit(mean - 1.0)))
    with pytest.raises(SendReviewError, match="leading indicators"):  # a fit with indicators needs them in the series
        project(KENT, "panel_ar1_leading_logit", horizon="2025-12-31", panel_fit=fit)
    # a panel without indicators (a measure other than timeliness) gives the quantile model
    plain = PanelFit(**{**FIT.__dict__, "quantile_table": {1: table[1][:, :5]}})
    assert project(KENT, "panel_ar1_leading_logit", horizon="2025-12-31", panel_fit=plain).table.iloc[0]["pi80_low"] == pytest.approx(
        project(KENT, "panel_ar1_quantile_logit", horizon="2025-12-31", panel_fit=plain).table.iloc[0]["pi80_low"])
    assert set(LEADING) == {"requests_growth", "refused_change"}
