"""Sentences and titles written from the numbers: each expected sentence is worked out here by hand."""

import pandas as pd

from analysis_helpers.analysis.compare import COMPARE_COLUMNS
from analysis_helpers.reporting import model_text, narrative

MEASURE = "ehcp_issued_within_20_weeks_pct"
NAN = float("nan")


def comparison(**area_overrides) -> pd.DataFrame:
    """A compare() table for Kent 2023: 324 of 1,804 on time (18.0%), England 50.3%, region 45.0%."""
    base = dict.fromkeys(COMPARE_COLUMNS, NAN)
    area = {**base, "comparator": "Area", "area_name": "Kent", "period": "2023", "value": 100 * 324 / 1804,
            "numerator": 324.0, "denominator": 1804.0, "ci_low": 16.3, "ci_high": 19.8, "rank": 120.0, "of": 150.0,
            "quartile": "D", "previous_period": "2022", "change": -9.6, "change_p_value": 0.0004,
            "change_significant": True, "change_test": "two-proportion z-test", **area_overrides}
    england = {**base, "comparator": "England", "area_name": "England", "period": "2023", "value": 50.3}
    region = {**base, "comparator": "Region", "area_name": "South East", "period": "2023", "value": 45.0}
    return pd.DataFrame([area, england, region], columns=COMPARE_COLUMNS)


def test_compare_sentence_states_value_counts_interval_comparators_rank_and_change():
    text = narrative.compare_sentence(comparison(), MEASURE)
    assert text.startswith("In 2023, Kent: 18.0% (324 of 1,804; 95% CI 16.3–19.8%) for EHC plans issued within 20 weeks")
    assert "Comparators: England 50.3%, South East 45.0%." in text
    assert "It ranks 120th of 150 local authorities with data (1 = best; quartile D)." in text
    assert "Change since 2022: -9.6 percentage points, larger than chance (two-proportion z-test, p < 0.001)." in text


def test_compare_sentence_says_when_a_change_may_be_chance_and_when_there_is_no_value():
    text = narrative.compare_sentence(comparison(change=1.2, change_p_value=0.41, change_significant=False), MEASURE)
    assert "Change since 2022: +1.2 percentage points, within what chance alone could produce" in text and "p = 0.410" in text
    missing = narrative.compare_sentence(comparison(value=NAN), MEASURE)
    assert missing.startswith("Kent has no published value for EHC plans issued within 20 weeks") and missing.endswith("in 2023.")


def test_comparison_title_states_the_finding():
    assert narrative.comparison_title(comparison(), MEASURE) == "Kent: 18.0% in 2023, below England (50.3%)"
    assert narrative.comparison_title(comparison(value=60.0), MEASURE) == "Kent: 60.0% in 2023, above England (50.3%)"


def test_trend_title_for_rates_and_counts():
    rates = pd.DataFrame({"area_name": ["Kent"] * 3, "period": ["2021", "2022", "2023"],
                          "period_end": pd.to_datetime(["2021-12-31", "2022-12-31", "2023-12-31"]), "value": [36.1, 27.6, 18.0]})
    # 18.0 - 36.1 = -18.1 points; every figure before 2023 is higher, so the latest is the line's lowest
    assert narrative.trend_title(rates, "Kent", MEASURE).endswith(
        "18.0% in 2023, down from 27.6% in 2022; the lowest since 2021; -18.1 points since 2021 (36.1%)")
    counts = rates.assign(value=[3000.0, 3500.0, 4001.0])
    # 4,001 / 3,000 - 1 = +33.4%, shown to the nearest per cent
    assert narrative.trend_title(counts, "Kent", "ehc_requests_count").endswith(
        "4,001 in 2023, up from 3,500 in 2022; the highest since 2021; +33% since 2021 (3,000)")


def test_funnel_sentence_explains_each_band():
    within = narrative.funnel_sentence("Kent", 48.0, 1804, 50.3, "England", "within the 95% limits")
    assert within.startswith("Kent (48.0% of 1,804) lies within the 95% limits around England (50.3%)")
    assert "could be chance alone" in within
    outside = narrative.funnel_sentence("Kent", 18.0, 1804, 50.3, "England", "below the 99.8% limit")
    assert "less than 1 in 500" in outside
    assert narrative.funnel_sentence("Kent", NAN, NAN, 50.3, "England", "no data") == "Kent has no value to place on the funnel plot."


def test_funnel_sentence_says_when_the_limits_allow_for_variation_between_councils():
    from analysis_helpers.analysis.funnel import Dispersion

    # overdispersed: a winsorised ratio of 158.3 over 153 LAs (chance alone gives about 1) and tau2 > 0
    spread = Dispersion(centre_pct=45.9, areas=153, phi=158.3, tau2=0.067)
    adjusted = narrative.funnel_sentence("Kent", 32.3, 2424, 45.9, "England", "within the 95% limits", spread=spread,
                                         chance_position="below the 99.8% limit")
    assert adjusted.startswith("Kent (32.3% of 2,424) lies within the 95% limits around England (45.9%), allowing for the "
                               "variation between councils: its gap is within the usual variation between councils of its size.")
    assert "(dispersion ratio 158 across 153 LAs, where chance gives about 1)" in adjusted
    assert adjusted.endswith("On chance alone (binomial limits) it would lie below the 99.8% limit.")
    assert "could be chance alone" not in adjusted
    far = narrative.funnel_sentence("Kent", 2.0, 2424, 45.9, "England", "below the 99.8% limit", spread=spread,
                                    chance_position="below the 99.8% limit")
    assert "very unlikely even allowing for the usual variation between councils (less than 1 in 500)" in far
    # not overdispersed (tau2 = 0): the binomial limits stand, and the sentence says why
    calm = Dispersion(centre_pct=50.0, areas=3, phi=0.0, tau2=0.0)
    binomial = narrative.funnel_sentence("Kent", 35.0, 100, 50.0, "England", "below the 95% limit (within 99.8%)", spread=calm)
    assert "about 1 time in 20 or less" in binomial
    assert binomial.endswith("Councils differ no more than chance alone makes them here (dispersion ratio 0.0 across 3 LAs), "
                             "so the limits are for chance alone (binomial).")


def test_local_title_uses_the_feed_label_and_unit():
    rows = pd.DataFrame({"measure": ["high_needs_deficit_gbp_m"] * 2, "unit": ["gbp_m"] * 2, "period": ["2021/22", "2022/23"],
                         "period_end": pd.to_datetime(["2022-03-31", "2023-03-31"]), "value": [97.0, 142.0]})
    title = narrative.local_title(rows, "Kent")
    assert title == "Kent: high-needs (DSG) cumulative deficit (£m) £142m in 2022/23, up from £97m in 2021/22, as published"


def test_spc_note_by_number_of_points():
    assert "too few for an XmR chart" in narrative.spc_note(pd.DataFrame({"v": range(3)}), "Kent")
    assert "trial limits" in narrative.spc_note(pd.DataFrame({"v": range(8)}), "Kent")
    assert narrative.spc_note(pd.DataFrame({"v": range(12)}), "Kent") == "12 monthly points."


def test_spc_note_states_the_thresholds_it_applies():
    # Making Data Count: 12 points for stable limits; the review draws no chart of fewer than 6 (trial limits from 6).
    assert narrative.spc_note(pd.DataFrame({"v": range(5)}), "Kent") == (
        "*Kent has 5 published monthly figure(s) for 20-week timeliness: too few for an XmR chart "
        "(Making Data Count needs 12 for stable limits; fewer than 6 would only mislead).*")
    for n in (6, 11):
        assert narrative.spc_note(pd.DataFrame({"v": range(n)}), "Kent") == (
            f"*{n} monthly points: the limits below are trial limits (12 are needed for stable limits).*")


def test_local_title_never_shows_a_suppressed_figure_or_a_forecast():
    rows = pd.DataFrame({"measure": ["ehcp_issued_within_20_weeks_pct"] * 3, "unit": ["pct"] * 3,
                         "period": ["2023-09", "2023-10", "2023-11"],
                         "period_end": pd.to_datetime(["2023-09-30", "2023-10-31", "2023-11-30"]),
                         "value": [20.0, 31.0, 100 * 2 / 7], "numerator": [40.0, 62.0, 2.0], "denominator": [200.0, 200.0, 7.0]})
    title = narrative.local_title(rows, "Kent")
    assert "28.6" not in title and "2023-11" not in title  # 2 of 7: a rate on a base under 10
    assert title.endswith("31.0% in 2023-10, up from 20.0% in 2023-09, as published")
    deficit = pd.DataFrame({"measure": ["high_needs_deficit_gbp_m"] * 2, "unit": ["gbp_m"] * 2, "period": ["2021/22", "2022/23"],
                            "period_end": pd.to_datetime(["2022-03-31", "2023-03-31"]), "value": [97.0, 142.0],
                            "kind": ["outturn", "forecast"]})
    assert narrative.local_title(deficit, "Kent") == "Kent: high-needs (DSG) cumulative deficit (£m) £97m in 2021/22"


def test_backtest_sentence_explains_the_chosen_model_in_plain_words_and_against_same_as_last_year():
    table = pd.DataFrame([
        {"model": "rw_logit", "year": "overall", "horizon": 1, "n": 736, "coverage_80": 84.9, "coverage_95": 93.9, "width_80": 62.8,
         "winkler_80": 76.9, "mae": 17.80, "mae_naive": 17.70},
        {"model": "panel_ar1_sized_logit", "year": "overall", "horizon": 1, "n": 736, "coverage_80": 80.8, "coverage_95": 93.9,
         "width_80": 57.7, "winkler_80": 73.5, "mae": 17.05, "mae_naive": 17.70},
        {"model": "panel_ar1_sized_logit", "year": "overall", "horizon": 2, "n": 500, "coverage_80": 10.0, "coverage_95": 20.0,
         "width_80": 1.0, "winkler_80": 1.0, "mae": 1.0, "mae_naive": 2.0},  # another horizon: never read
    ])
    text = model_text.backtest_sentence(table, "panel_ar1_sized_logit")
    assert model_text.PLAIN_MODELS["panel_ar1_sized_logit"] in text and "Over 736 forecasts one year ahead" in text
    assert "80.8% of outcomes fell inside its 80% intervals and 93.9% inside its 95% intervals" in text
    assert "panel_ar1_sized_logit forecast better than 'same as last year'" in text
    assert "did not forecast better" in model_text.backtest_sentence(table, "rw_logit")
    assert "DEFAULT_MODEL" not in text
