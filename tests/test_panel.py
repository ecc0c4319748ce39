"""The panel AR(1) models (analysis.panel), pinned against calculations written out here independently."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis_helpers.analysis.panel import PanelFit, fit_panel
from analysis_helpers.analysis.panel_quantile import fit_quantiles
from analysis_helpers.analysis.projection import project

Z80, Z95 = 1.2815515655446004, 1.959963984540054


def expit(x):
    return 100 / (1 + math.exp(-x))


def ends(*years):
    return [pd.Timestamp(y, 12, 31) for y in years]


KENT = pd.DataFrame(  # DfE, Kent excl. exceptions 2022-2024
    {"period": ["2022", "2023", "2024"], "period_end": ends(2022, 2023, 2024), "numerator": [904, 324, 783],
     "denominator": [2198, 1796, 2354]}
).assign(value=lambda f: 100 * f["numerator"] / f["denominator"])
FIT = PanelFit(
    origin=pd.Timestamp(2024, 12, 31), phi=0.5, shrink=2.0, signal_variance=0.2, level_variance=0.01, deviation_variance=0.3,
    noise_variance=0.1, common=dict(zip(ends(2022, 2023, 2024), [-0.2, 0.1, 0.0], strict=True)),
    multipliers={1: {0.80: 1.5, 0.95: 2.5}}, sized_multipliers={1: {0.80: 1.4, 0.95: 2.2}, 2: {0.80: 1.3, 0.95: 2.1}},
)


def by_hand(h, sized=False):
    x, n = [904, 324, 783], [2198, 1796, 2354]
    d = [math.log(a / (b - a)) - c for a, b, c in zip(x, n, [-0.2, 0.1, 0.0], strict=True)]
    effect = 3 / (3 + 2) * sum(d) / 3
    v = 1 / (783 + 0.5) + 1 / (2354 - 783 + 0.5)
    last = effect + 0.2 / (0.2 + v) * (d[-1] - effect)
    mean = 0.0 + effect + 0.5**h * (last - effect)
    var = h * 0.01 + 0.3 * sum(0.25**j for j in range(h))  # AR(1) error variance summed over h steps
    if sized:  # Kent's own binomial variance (2024: 783 of 2354) in place of the pooled 0.1
        var = h * 0.01 + (0.3 - 0.1) * sum(0.25**j for j in range(h)) + v
    return mean, math.sqrt(var)


def test_panel_forecast_and_normal_intervals_by_hand():
    result = project(KENT, "panel_ar1_logit", horizon="2026-12-31", panel_fit=FIT)
    for h, row in enumerate(result.table.itertuples(), start=1):
        mean, sd = by_hand(h)
        assert row.value_projected == pytest.approx(expit(mean))
        assert row.pi80_low == pytest.approx(expit(mean - Z80 * sd)) and row.pi95_high == pytest.approx(expit(mean + Z95 * sd))
    assert result.table["model"].tolist() == ["panel_ar1_logit"] * 2 and result.label.startswith("Panel AR(1)")


def test_conformal_intervals_use_the_calibrated_multipliers_and_probabilities_match_them():
    result = project(KENT, "panel_ar1_conformal_logit", horizon="2026-12-31", panel_fit=FIT)
    for h, row in enumerate(result.table.itertuples(), start=1):  # h = 2 has no multiplier of its own: the one of h = 1 stands
        mean, sd = by_hand(h)
        assert row.pi80_high == pytest.approx(expit(mean + 1.5 * sd)) and row.pi95_low == pytest.approx(expit(mean - 2.5 * sd))
    # the 80% interval's upper end is met with probability 0.1
    assert result.probability_at_or_beyond(result.table["pi80_high"].iloc[0], 0) == pytest.approx(0.1)


def test_sized_intervals_use_the_las_own_binomial_variance():
    result = project(KENT, "panel_ar1_sized_logit", horizon="2026-12-31", panel_fit=FIT)
    for h, row in enumerate(result.table.itertuples(), start=1):
        mean, sd = by_hand(h, sized=True)
        assert row.value_projected == pytest.approx(expit(mean))
        q80, q95 = FIT.sized_multipliers[h][0.80], FIT.sized_multipliers[h][0.95]
        assert row.pi80_low == pytest.approx(expit(mean - q80 * sd)) and row.pi95_high == pytest.approx(expit(mean + q95 * sd))
    # a large LA (Kent, 2,354 plans) gets a narrower interval than the pooled one
    pooled, sized = project(KENT, "panel_ar1_conformal_logit", horizon="2024-12-31", panel_fit=FIT).table.iloc[0], result.table.iloc[0]
    assert sized["pi80_high"] - sized["pi80_low"] < pooled["pi80_high"] - pooled["pi80_low"]


def two_sided_panel(deviations: dict[str, list[float]], levels: list[float], start: int = 2015, n: float = 1e7) -> pd.DataFrame:
    """LAs in mirrored pairs (deviation d and -d), so the mean of their logits is exactly ``levels``; huge denominators."""
    rows = []
    for code, devs in deviations.items():
        for sign, suffix in ((1, "a"), (-1, "b")):
            for i, (d, level) in enumerate(zip(devs, levels, strict=True)):
                p = 1 / (1 + math.exp(-(level + sign * d)))
                rows.append({"area_code": code + suffix, "period_end": pd.Timestamp(start + i, 12, 31), "numerator": round(n * p),
                             "denominator": n})
    return pd.DataFrame(rows)


def test_fit_finds_the_reversion_rate_of_an_exact_ar1_panel():
    # every LA's deviation halves each year around no lasting effect, the common level still: phi = 0.5, no LA effect
    panel = two_sided_panel({f"L{k}": [s * 0.5**i for i in range(7)] for k, s in enumerate([1.0, 0.6, 1.4, 0.8])}, [0.3] * 7)
    fit = fit_panel(panel)
    assert fit.phi == pytest.approx(0.5) and math.isinf(fit.shrink)
    assert fit.level_variance == pytest.approx(0, abs=1e-12) and fit.deviation_variance == pytest.approx(0, abs=1e-6)


def test_fit_keeps_lasting_la_effects():
    # each LA sits at its own fixed distance from the common level: the LA effects explain everything (shrink 0)
    levels = [0.0, 0.2, -0.1, 0.3, 0.1, 0.0]
    panel = two_sided_panel({"A": [0.8] * 6, "B": [0.3] * 6, "C": [1.2] * 6}, levels)
    fit = fit_panel(panel)
    assert fit.shrink == 0.0
    assert fit.level_variance == pytest.approx(np.mean(np.diff(levels) ** 2), rel=1e-5)  # the common level's yearly moves
    x = panel[panel["area_code"] == "Ab"]
    assert fit.forecast(x["period_end"], x["numerator"], x["denominator"], [1])[0] == pytest.approx(levels[-1] - 0.8, abs=1e-4)


def test_conformal_multipliers_are_quantiles_of_earlier_standardised_errors():
    rng = np.random.default_rng(12)
    years, las = 8, 40
    level = np.cumsum(rng.normal(0, 0.1, years))
    effect = rng.normal(0, 0.5, las)
    dev = np.zeros((las, years))
    dev[:, 0] = effect + rng.normal(0, 0.4, las)
    for t in range(1, years):
        dev[:, t] = effect + 0.6 * (dev[:, t - 1] - effect) + rng.normal(0, 0.4, las)
    n = rng.integers(50, 3000, las).astype(float)
    x = np.round(n[:, None] / (1 + np.exp(-(level + dev))))
    panel = pd.DataFrame([{"area_code": f"L{i}", "period_end": pd.Timestamp(2015 + t, 12, 31), "numerator": x[i, t], "denominator": n[i]}
                          for i in range(las) for t in range(years)])
    fit = fit_panel(panel)
    # independently: each origin o's forecast of o + h from columns up to o, by the formulas of the module docstring
    y = np.log(x / (n[:, None] - x))
    v = 1 / (x + 0.5) + 1 / (n[:, None] - x + 0.5)
    common = y.mean(axis=0)
    d = y - common
    for h in (1, 2, 3):
        z, z_sized = [], []
        for o in range(1, years - h):
            past = d[:, : o + 1]
            signal = max(np.var(past - past.mean(axis=1, keepdims=True)) - v[:, : o + 1].mean(), 1e-3)
            weight = 0.0 if math.isinf(fit.shrink) else (o + 1) / (o + 1 + fit.shrink)
            a = weight * past.mean(axis=1)
            last = a + signal / (signal + v[:, o]) * (past[:, o] - a)
            mean = common[o] + a + fit.phi**h * (last - a)
            reverting = sum(fit.phi ** (2 * j) for j in range(h))
            sd = math.sqrt(h * fit.level_variance + fit.deviation_variance * reverting)
            z.extend(np.abs(y[:, o + h] - mean) / sd)
            sd_sized = np.sqrt(h * fit.level_variance + (fit.deviation_variance - fit.noise_variance) * reverting + v[:, o])
            z_sized.extend(np.abs(y[:, o + h] - mean) / sd_sized)
        assert fit.multipliers[h][0.80] == pytest.approx(np.quantile(z, 0.80))
        assert fit.multipliers[h][0.95] == pytest.approx(np.quantile(z, 0.95))
        assert fit.sized_multipliers[h][0.80] == pytest.approx(np.quantile(z_sized, 0.80))
    assert fit.noise_variance == pytest.approx(v[:, 2:].mean())  # the binomial variance of the years forecast one year on
    assert 0 < fit.phi < 1  # the simulated panel reverts


def test_quantile_model_centre_and_intervals_by_hand():
    # a quantile table by hand: constant, forecast, binomial sd, latest change, growth in plans issued (rows: 2.5 .. 97.5%)
    table = {1: np.array([[-0.9, 0, 1.0, 0, 0], [-0.5, 0, 0, 0.2, 0], [0.1, 0, 0, 0, 0.5], [0.6, 0.1, 0, 0, 0], [1.2, 0, 0, 0, 0]])}
    fit = PanelFit(**{**FIT.__dict__, "quantile_table": table})
    result = project(KENT, "panel_ar1_quantile_logit", horizon="2026-12-31", panel_fit=fit)
    y = [math.log(a / (b - a)) for a, b in ((324, 1796), (783, 2354))]
    sd = math.sqrt(1 / (783 + 0.5) + 1 / (2354 - 783 + 0.5))
    change, growth = y[1] - y[0], math.log(2354 / 1796)
    for h, row in enumerate(result.table.itertuples(), start=1):  # h = 2 uses the table of h = 1
        mean, _ = by_hand(h)
        q = sorted([-0.9 + sd, -0.5 + 0.2 * change, 0.1 + 0.5 * growth, 0.6 + 0.1 * mean, 1.2])
        assert row.value_projected == pytest.approx(expit(mean + q[2]))
        assert (row.pi95_low, row.pi80_low, row.pi80_high, row.pi95_high) == pytest.approx(tuple(expit(mean + v)
                                                                                                 for v in (q[0], q[1], q[3], q[4])))
    # without a table (too few years to fit one) the model keeps the panel's split-conformal intervals
    plain = project(KENT, "panel_ar1_quantile_logit", horizon="2024-12-31", panel_fit=FIT).table.iloc[0]
    conformal = project(KENT, "panel_ar1_conformal_logit", horizon="2024-12-31", panel_fit=FIT).table.iloc[0]
    assert (plain["pi80_low"] == pytest.approx(conformal["pi80_low"])
            and plain["value_projected"] == pytest.approx(conformal["value_projected"]))


def test_a_gap_before_the_latest_year_counts_as_no_change():
    table = {1: np.array([[0, 0, 0, 1.0, 1.0]] * 5)}  # every quantile = latest change + plans growth
    fit = PanelFit(**{**FIT.__dict__, "quantile_table": table})
    gap = KENT.iloc[[0, 2]]  # 2022 and 2024: the year before 2024 (2023) is missing
    quantiles = fit.error_quantiles(gap["period_end"], gap["numerator"], gap["denominator"], [1])
    assert quantiles == pytest.approx(np.zeros((1, 5)))


def test_quantile_regression_finds_errors_that_scale_with_size():
    # errors are size x u, u drawn independently each year from the same 41 values
    rng = np.random.default_rng(5)
    las, years = 400, 6
    n = rng.integers(30, 3000, las).astype(float)
    x = np.round(n * 0.4)
    v = np.repeat((1 / (x + 0.5) + 1 / (n - x + 0.5))[:, None], years, axis=1)
    u = rng.permutation(np.tile(np.linspace(-2, 2, 41), las * years)[: las * years]).reshape(las, years)
    y = np.sqrt(v) * u
    counts = np.repeat(n[:, None], years, axis=1)
    table = fit_quantiles(y, v, counts, lambda o, h: np.zeros(las), years - 1, (1,))
    # independently: the features of origins 1 .. years - 2 and the errors of the year after each
    design = np.vstack([np.column_stack([np.ones(las), np.zeros(las), np.sqrt(v[:, o]), y[:, o] - y[:, o - 1], np.zeros(las)])
                        for o in range(1, years - 1)])
    errors = np.concatenate([y[:, o + 1] for o in range(1, years - 1)])
    for q, row in zip((0.025, 0.10, 0.50, 0.90, 0.975), table[1], strict=True):
        assert np.mean(errors < design @ row) == pytest.approx(q, abs=5 / len(errors) + 0.005)  # a quantile regression's mark
    small, large = np.argmin(n), np.argmax(n)
    assert (table[1] @ design[small])[3] > (table[1] @ design[large])[3] > 0 > (table[1] @ design[small])[1]
    # too few errors for five coefficients: no table at that horizon
    assert fit_quantiles(y[:10], v[:10], counts[:10], lambda o, h: np.zeros(10), years - 1, (1,)) == {}


def test_a_measure_published_only_lately_falls_back_from_the_panel(tmp_path):
    """With one more year the 6-week decision measure has three years (2023-2025): enough to project, too few to fit
    the panel (four years before the origin). The outlook says so and uses the best model of the area's own series,
    instead of failing the review (the grown-release suite caught a review failing here)."""
    from helpers import FIXTURE_RELEASE, grow_release

    from analysis_helpers.analysis.outlook import PANEL_MODELS, build_outlook, default_model
    from analysis_helpers.analysis.panel import PanelTooShort
    from analysis_helpers.data.release import Release
    from analysis_helpers.domain.areas import areas_for

    grown = Release(grow_release(FIXTURE_RELEASE, tmp_path / "grown.zip"), cache=False)
    kent = areas_for(grown).get("Kent")
    assert default_model("ehc_requests_decided_within_6_weeks_pct", grown) in PANEL_MODELS  # the premise
    outlook = build_outlook(kent, "ehc_requests_decided_within_6_weeks_pct", release=grown)
    assert outlook.model == default_model("ehc_requests_decided_within_6_weeks_pct", grown, panel=False)
    assert outlook.projection is not None and "four or more years" in outlook.note
    with pytest.raises(PanelTooShort):
        fit_panel(pd.DataFrame({"area_code": ["A"] * 3, "period_end": pd.to_datetime(["2023-12-31", "2024-12-31", "2025-12-31"]),
                                "numerator": [1, 2, 3], "denominator": [10, 10, 10]}))
