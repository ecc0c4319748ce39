"""Each model's projection pinned against an independent calculation."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.stats import norm
from scipy.stats import t as student_t

from analysis_helpers.analysis.projection import (
    ANNUAL_SPACING_DAYS,
    TooFewPoints,
    future_period_ends,
    pearson_dispersion,
    period_step,
    pooled_innovation_variance,
    project,
)


def series(numerators, denominators, start=2019):
    years = range(start, start + len(numerators))
    return pd.DataFrame(
        {
            "period": [str(y) for y in years],
            "period_end": [pd.Timestamp(y, 12, 31) for y in years],
            "numerator": numerators,
            "denominator": denominators,
            "value": [100 * x / n for x, n in zip(numerators, denominators, strict=True)],
        }
    )


def logit(p):
    return math.log(p / (1 - p))


def expit(x):
    return 100 / (1 + math.exp(-x))


KENT = series([546, 601, 1181, 904, 324, 783], [1903, 1904, 2852, 2198, 1796, 2354])  # DfE, excl. exceptions


def test_rw_logit_by_hand():
    pooled = 0.5
    result = project(KENT, "rw_logit", horizon="2026-12-31", pooled_variance=pooled)
    x, n = 783, 2354
    p = x / n
    noise_last = 1 / (x + 0.5) + 1 / (n - x + 0.5)
    noise_next = 1 / (n * p * (1 - p))
    for h, row in enumerate(result.table.itertuples(), start=1):
        sd = math.sqrt(h * pooled + noise_last + noise_next)
        assert row.value_projected == pytest.approx(100 * p)
        assert row.pi95_low == pytest.approx(expit(logit(p) - 1.959964 * sd), rel=1e-5)
        assert row.pi80_high == pytest.approx(expit(logit(p) + 1.281552 * sd), rel=1e-5)
    assert result.table["period"].tolist() == ["2025", "2026"]
    assert result.label.startswith("Random walk without drift")


def test_rw_drift_logit_by_hand():
    pooled = 0.3
    result = project(KENT, "rw_drift_logit", horizon="2025-12-31", pooled_variance=pooled)
    x, n = np.array([546, 601, 1181, 904, 324, 783.0]), np.array([1903, 1904, 2852, 2198, 1796, 2354.0])
    eta = np.log(x / (n - x))
    drift = (eta[-1] - eta[0]) / 5  # mean of the five year-on-year changes
    assert result.table["value_projected"].iloc[0] == pytest.approx(expit(eta[-1] + drift))
    noise = 1 / (x + 0.5) + 1 / (n - x + 0.5)
    p = 1 / (1 + math.exp(-(eta[-1] + drift)))
    var = pooled + (pooled + 2 * noise.mean()) / 5 + noise[-1] + 1 / (n[-1] * p * (1 - p))
    assert result.sd[0] == pytest.approx(math.sqrt(var))


def test_glm_logit_matches_maximum_likelihood_and_pearson_dispersion():
    result = project(KENT, "glm_logit", horizon="2025-12-31")
    x, n = KENT["numerator"].to_numpy(float), KENT["denominator"].to_numpy(float)
    t = np.array([(pd.Timestamp(y, 12, 31) - pd.Timestamp("2000-01-01")).days / 365.25 for y in range(2019, 2025)])
    tc = t - t.mean()

    def negative_log_likelihood(beta):
        eta = beta[0] + beta[1] * tc
        return -(x * eta - n * np.log1p(np.exp(eta))).sum()

    beta = minimize(negative_log_likelihood, [0.0, 0.0], method="BFGS", options={"gtol": 1e-10}).x
    t_new = (pd.Timestamp(2025, 12, 31) - pd.Timestamp("2000-01-01")).days / 365.25 - t.mean()
    assert result.table["value_projected"].iloc[0] == pytest.approx(expit(beta[0] + beta[1] * t_new), rel=1e-5)
    fitted = 1 / (1 + np.exp(-(beta[0] + beta[1] * tc)))
    by_hand = ((x - n * fitted) ** 2 / (n * fitted * (1 - fitted))).sum() / 4
    assert pearson_dispersion(x, n, fitted) == pytest.approx(by_hand, rel=1e-6)
    assert by_hand > 50  # heavily over-dispersed: the intervals must be wide
    assert result.table["pi95_high"].iloc[0] - result.table["pi95_low"].iloc[0] > 20


def test_linear_pct_matches_textbook_prediction_interval():
    values = pd.DataFrame({"period": ["2021", "2022", "2023", "2024"], "period_end": [pd.Timestamp(y, 12, 31) for y in range(2021, 2025)],
                           "value": [20.0, 25.0, 27.0, 34.0]})
    result = project(values, "linear_pct", horizon="2025-12-31")
    t = np.array([(pd.Timestamp(y, 12, 31) - pd.Timestamp("2000-01-01")).days / 365.25 for y in range(2021, 2025)])
    t_new = (pd.Timestamp(2025, 12, 31) - pd.Timestamp("2000-01-01")).days / 365.25
    slope, intercept = np.polyfit(t, values["value"], 1)
    residuals = values["value"] - (intercept + slope * t)
    s2 = (residuals**2).sum() / 2
    se = math.sqrt(s2 * (1 + 1 / 4 + (t_new - t.mean()) ** 2 / ((t - t.mean()) ** 2).sum()))
    centre = intercept + slope * t_new
    assert result.table["value_projected"].iloc[0] == pytest.approx(centre)
    assert result.table["pi95_high"].iloc[0] == pytest.approx(centre + student_t.ppf(0.975, 2) * se)


def test_probability_and_date_reached():
    result = project(KENT, "rw_logit", horizon="2030-12-31", pooled_variance=0.5)
    p = result.probability_by(60, pd.Timestamp("2025-12-31"))
    x, n = 783, 2354
    sd = result.sd[0]
    assert p == pytest.approx(1 - norm.cdf((logit(0.6) - logit(x / n)) / sd))
    reached = result.date_reached(60)
    assert reached["median"] is None  # a random walk without drift never passes 50% probability
    # early end of the 80% interval: first year in which P(>= 60%) reaches 0.1, by hand
    noise = 1 / (x + 0.5) + 1 / (n - x + 0.5) + 1 / (n * (x / n) * (1 - x / n))
    chances = [1 - norm.cdf((logit(0.6) - logit(x / n)) / math.sqrt(h * 0.5 + noise)) for h in range(1, 7)]
    assert reached["early"] == str(2024 + next(h for h, c in enumerate(chances, start=1) if c >= 0.1))
    assert reached["late"] is None


def test_too_few_points():
    with pytest.raises(TooFewPoints, match="at least 3"):
        project(series([10, 20], [100, 100]), "glm_logit")


def test_pooled_variance_by_hand():
    panel = pd.concat([series([50, 60, 40], [100, 100, 100]).assign(area_code="A"),
                       series([10, 30, 20], [100, 100, 100]).assign(area_code="B")])
    expected_sq, noise = 0.0, 0.0
    for xs in ([50, 60, 40], [10, 30, 20]):
        x = np.array(xs, float)
        eta = np.log(x / (100 - x))
        d = np.diff(eta)
        expected_sq += ((d - d.mean()) ** 2).sum()
        v = 1 / (x + 0.5) + 1 / (100 - x + 0.5)
        noise += (v[1:] + v[:-1]).sum() / 2
    assert pooled_innovation_variance(panel) == pytest.approx(max((expected_sq - noise) / 2, 1e-4))


def test_a_series_is_annual_when_its_periods_are_over_200_days_apart():
    # DfE's calendar years are 365 or 366 days apart and academic-year censuses the same; a council's months 28 to 31.
    # The rule's line is 200 days: 200 is still monthly, 201 annual.
    assert ANNUAL_SPACING_DAYS == 200
    assert period_step(365) == period_step(201) == pd.DateOffset(years=1)
    assert period_step(31) == period_step(200) == pd.DateOffset(months=1)
    assert period_step(365, 3) == pd.DateOffset(years=3) and period_step(30, 3) == pd.DateOffset(months=3)


def test_future_periods_at_the_series_own_spacing():
    # monthly: each month's last day, February's too; annual: the same day a year on
    monthly = future_period_ends(pd.Timestamp("2024-11-30"), 30.5, pd.Timestamp("2025-03-15"))
    assert monthly == [pd.Timestamp(d) for d in ("2024-12-31", "2025-01-31", "2025-02-28")]
    annual = future_period_ends(pd.Timestamp("2024-12-31"), 365, pd.Timestamp("2027-12-31"))
    assert annual == [pd.Timestamp(d) for d in ("2025-12-31", "2026-12-31", "2027-12-31")]


def test_a_projection_steps_and_labels_by_the_series_spacing():
    # three years ahead by default for calendar years, labelled by year; a monthly series three months, labelled YYYY-MM
    assert project(KENT, "linear_pct").table["period"].tolist() == ["2025", "2026", "2027"]
    months = pd.DataFrame({"period": ["2024-09", "2024-10", "2024-11"], "value": [50.0, 52.0, 51.0],
                           "period_end": pd.to_datetime(["2024-09-30", "2024-10-31", "2024-11-30"])})
    table = project(months, "linear_pct").table
    assert table["period"].tolist() == ["2024-12", "2025-01", "2025-02"]
    assert table["period_end"].tolist() == [pd.Timestamp(d) for d in ("2024-12-31", "2025-01-31", "2025-02-28")]
