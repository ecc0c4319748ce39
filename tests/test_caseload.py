"""Issue 23, item 2: the caseload history (both releases) and the caseload models, against numbers worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import FIXTURE_HISTORIC, fixture_release, raw_rows

from analysis_helpers.analysis.caseload import backtest, choose_model, interval_factors, interval_score, point_forecast, project
from analysis_helpers.domain.caseload_history import caseload_history, old_release_history, wide

KENT = "E10000016"


@pytest.fixture(scope="module")
def history():
    return caseload_history(fixture_release(historic=FIXTURE_HISTORIC))


def _old_kent(year: str) -> dict[tuple[str, str], float]:
    rows = raw_rows("sen2_estab_caseload.csv", FIXTURE_HISTORIC)
    return {(r["establishment_group"], r["establishment_type"]): float(r["Total_all"])
            for r in rows if r["la_name"] == "Kent" and r["time_period"] == year and r["Total_all"] not in ("x", "z", "c")}


def test_years_before_2019_come_from_the_old_release_and_the_rest_of_all_plans_is_other(history):
    kent = history[(history["area_code"] == KENT) & (history["year"] == 2015)].set_index("series")["count"]
    raw = _old_kent("2015")
    assert kent["independent_special"] == raw[("Special school", "Special - Independent")] == 466
    assert kent["total"] == raw[("Total", "Total")] == 6884
    seven = sum(kent[s] for s in ("mainstream", "resourced_units", "state_special", "independent_special",
                                  "non_maintained_special", "ap_pru", "post_16"))
    assert kent["other_or_none"] == kent["total"] - seven
    ap = raw[("Alternative provision/Pupil referral unit", "Total")]
    assert kent["ap_pru"] == ap
    source = "education-health-and-care-plans_2022_fixture.zip:data/sen2_estab_caseload.csv"
    assert set(history.loc[history["year"] == 2015, "source"]) == {source}


def test_years_the_current_release_covers_are_its_own(history):
    rows = raw_rows("caseload.csv")
    raw = next(r for r in rows if r["la_name"] == "Kent" and r["time_period"] == "202425" and r["breakdown_topic"] == "All EHC plans")
    kent = history[(history["area_code"] == KENT) & (history["year"] == 2025)].set_index("series")["count"]
    assert kent["independent_special"] == float(raw["special_independent"]) == 1487
    assert kent["total"] == float(raw["ehcplans"]) == 20635
    assert history[(history["area_code"] == KENT) & (history["series"] == "total")]["year"].tolist() == list(range(2010, 2026))


def test_the_old_release_alone_stops_in_2022(history):
    old = old_release_history(fixture_release(historic=FIXTURE_HISTORIC))
    assert old["year"].max() == 2022 and old["year"].min() == 2010
    assert set(old["geographic_level"]) == {"National", "Regional", "Local authority"}


def _toy():
    counts = pd.DataFrame({2019: [100.0, 50.0], 2020: [110.0, 40.0], 2021: [121.0, 60.0], 2022: [130.0, 80.0]}, index=["a", "b"])
    england = pd.Series({2019: 1000.0, 2020: 1100.0, 2021: 1250.0, 2022: 1331.0})
    return counts, england


def test_the_point_forecasts_are_the_formulas_in_the_docstring():
    counts, england = _toy()
    assert point_forecast(counts, england, 2022, 2, "same_count").tolist() == [130.0, 80.0]
    assert point_forecast(counts, england, 2022, 2, "same_growth")["b"] == pytest.approx(80 * (80 / 60) ** 2)
    assert point_forecast(counts, england, 2022, 3, "own_trend")["a"] == pytest.approx(130 * 130 / 100)
    # England grew 1331/1000 in three years, 10% a year: two years on is 1.21 times
    assert point_forecast(counts, england, 2022, 2, "national_growth").tolist() == pytest.approx([130 * 1.21, 80 * 1.21])
    with pytest.raises(ValueError, match="unknown caseload model 'trend'"):
        point_forecast(counts, england, 2022, 1, "trend")


def test_interval_factors_are_the_quantiles_of_earlier_misses():
    rng = np.random.default_rng(1)
    years = range(2010, 2023)
    counts = pd.DataFrame({y: 100.0 * np.exp(rng.normal(0, 0.1, 40)) for y in years}, index=[f"la{i}" for i in range(40)])
    england = pd.Series({y: 1000.0 for y in years})
    factors = interval_factors(counts, england, 2022, 1, "same_count")
    errors = np.concatenate([np.log(counts[y + 1] / counts[y]) for y in (2019, 2020, 2021)])
    assert factors["low80"] == pytest.approx(math.exp(np.quantile(errors, 0.1)))
    assert factors["high95"] == pytest.approx(math.exp(np.quantile(errors, 0.975)))
    projection = project(counts, england, 2022, [1], "same_count")
    assert projection.loc[0, "high80"] == pytest.approx(counts.loc["la0", 2022] * factors["high80"])
    # the projection is the forecast corrected by the median miss, so always inside its interval
    assert projection.loc[0, "caseload"] == pytest.approx(counts.loc["la0", 2022] * math.exp(np.median(errors)))
    assert (projection["low80"] <= projection["caseload"]).all() and (projection["caseload"] <= projection["high80"]).all()
    assert (projection["low95"] <= projection["low80"]).all() and (projection["high80"] <= projection["high95"]).all()


def test_interval_score_charges_width_and_misses():
    assert interval_score([5.0], [4.0], [6.0]).tolist() == [2.0]
    assert interval_score([8.0], [4.0], [6.0]).tolist() == [2.0 + 10 * 2.0]  # 2/alpha = 10 for an 80% interval
    assert interval_score([3.0], [4.0], [6.0], alpha=0.05).tolist() == [2.0 + 40 * 1.0]


def test_the_chosen_model_is_the_most_accurate_and_the_backtest_says_how_each_did():
    rng = np.random.default_rng(2)
    years = range(2010, 2026)
    growth = {y: 1.08 ** (y - 2010) for y in years}
    counts = pd.DataFrame({y: 100.0 * growth[y] * np.exp(rng.normal(0, 0.05, 60)) for y in years}, index=[f"la{i}" for i in range(60)])
    england = pd.Series({y: 6000.0 * growth[y] for y in years})
    chosen, scores = choose_model(counts.loc[:, :2022], england, 2022)
    means = scores.groupby("model")["mae"].mean()
    assert chosen == means.idxmin() and set(scores["horizon"]) == {1, 2, 3}
    assert means["same_growth"] > means[chosen]  # last year's noisy growth, carried three years, is the worst guide
    table = backtest(counts.loc[:, :2022], england, counts[2025], 2022, 3).set_index("model")
    naive = (counts[2022] * (counts[2022] / counts[2021]) ** 3 - counts[2025]).abs().mean()
    assert table["naive_mae"].tolist() == pytest.approx([naive] * 4)  # uncorrected "same growth", worked here
    assert table.loc["national_growth", "mae_ratio"] == pytest.approx(table.loc["national_growth", "mae"] / naive)
    assert table.loc["national_growth", "mae_ratio"] < 0.5


def test_wide_is_a_row_an_area_and_a_column_a_year(history):
    table = wide(history[history["geographic_level"] == "National"], "total")
    assert table.shape[0] == 1 and table.columns.min() == 2010 and table.columns.max() == 2025
