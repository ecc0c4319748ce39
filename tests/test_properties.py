"""Properties that must hold for every input, checked with Hypothesis."""

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis_helpers.analysis.projection import project
from analysis_helpers.analysis.trajectory import required_path, required_value
from analysis_helpers.data.local_feed import resolve_duplicates
from analysis_helpers.domain.targets import Target
from analysis_helpers.reporting import disclosure

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- disclosure ---------------------------------------------------------------------
counts = st.one_of(st.none(), st.integers(min_value=0, max_value=60).map(float))


@st.composite
def kpi_rows(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    rows = []
    for _ in range(n):
        if draw(st.booleans()):
            denominator = draw(counts)
            numerator = None if denominator is None else draw(st.integers(min_value=0, max_value=int(denominator)).map(float))
            value = draw(st.floats(0, 100)) if numerator is None or not denominator else 100 * numerator / denominator
            rows.append({"unit": "pct", "value": value, "numerator": numerator, "denominator": denominator,
                         "ci_low": value, "ci_high": value})
        else:
            rows.append({"unit": "count", "value": draw(counts), "numerator": None, "denominator": None, "ci_low": None, "ci_high": None})
    return pd.DataFrame(rows).astype({c: float for c in ("value", "numerator", "denominator", "ci_low", "ci_high")})


def _shown_number(cell) -> float | None:
    return None if isinstance(cell, str) or pd.isna(cell) else float(cell)


@SETTINGS
@given(kpi_rows())
def test_disclosure_never_shows_a_count_of_1_to_4_or_a_rate_on_under_10(rows):
    shown = disclosure.apply(rows)
    for (_, row), (_, original) in zip(shown.iterrows(), rows.iterrows(), strict=True):
        counts_shown = [row["numerator"], row["denominator"]] + ([row["value"]] if original["unit"] == "count" else [])
        for cell in counts_shown:
            number = _shown_number(cell)
            assert number is None or not 1 <= number <= 4, row.to_dict()
        if original["unit"] == "pct" and _shown_number(row["value"]) is not None and not pd.isna(original["denominator"]):
            assert original["denominator"] >= 10, row.to_dict()
            assert not 1 <= original["numerator"] <= 4, row.to_dict()  # with the denominator, the rate would give it away
    plotted = disclosure.plottable(rows)
    small_count = (plotted["unit"] == "count") & plotted["value"].between(1, 4)
    small_rate = (plotted["unit"] == "pct") & (plotted["denominator"].lt(10) | plotted["numerator"].between(1, 4))
    assert not (small_count | small_rate).any()


# -- duplicates ---------------------------------------------------------------------
@st.composite
def feeds(draw):
    n = draw(st.integers(min_value=1, max_value=10))
    rows = []
    for i in range(n):
        rows.append({
            "measure": draw(st.sampled_from(["send_vacancies", "assessment_backlog_cases"])),
            "period": draw(st.sampled_from(["2023-06", "2023-07"])),
            "value": float(draw(st.integers(0, 3))),
            "basis": draw(st.sampled_from(["monthly", "monthly (CONFLICT with press)"])),
            "source_url": draw(st.sampled_from(["https://democracy.kent.gov.uk/a", "https://press.example/b"])),
            "file": "kent.csv", "row": i + 2,
        })
    return pd.DataFrame(rows)


@SETTINGS
@given(feeds())
def test_duplicate_resolution_never_loses_a_figure(feed):
    resolved, _notes = resolve_duplicates(feed)
    before = set(zip(feed["measure"], feed["period"], feed["value"], strict=True))
    after = set(zip(resolved["measure"], resolved["period"], resolved["value"], strict=True))
    assert after == before  # every distinct figure survives
    assert set(resolved["row"]) <= set(feed["row"])
    preferred = resolved[resolved["preferred"].astype(bool)].groupby(["measure", "period"]).size()
    assert (preferred == 1).all() and len(preferred) == feed.groupby(["measure", "period"]).ngroups


# -- projection intervals -----------------------------------------------------------
@st.composite
def series(draw):
    n = draw(st.integers(min_value=3, max_value=8))
    denominators = draw(st.lists(st.integers(20, 3000), min_size=n, max_size=n))
    numerators = [draw(st.integers(0, d)) for d in denominators]
    return pd.DataFrame({
        "period": [str(2015 + i) for i in range(n)],
        "period_end": pd.to_datetime([f"{2015 + i}-12-31" for i in range(n)]),
        "numerator": np.array(numerators, dtype=float),
        "denominator": np.array(denominators, dtype=float),
        "value": 100 * np.array(numerators, dtype=float) / np.array(denominators, dtype=float),
    })


@SETTINGS
@given(series(), st.sampled_from(["rw_logit", "rw_drift_logit", "glm_logit", "linear_pct"]), st.floats(0.01, 2.0))
def test_80_interval_inside_95_inside_0_to_100(data, model, pooled):
    table = project(data, model, pooled_variance=pooled).table
    tol = 1e-9
    assert (table["pi95_low"] <= table["pi80_low"] + tol).all() and (table["pi80_high"] <= table["pi95_high"] + tol).all()
    assert (table["pi80_low"] <= table["value_projected"] + tol).all() and (table["value_projected"] <= table["pi80_high"] + tol).all()
    assert ((table[["pi95_low", "pi95_high"]] >= 0) & (table[["pi95_low", "pi95_high"]] <= 100)).all().all()


# -- required path ------------------------------------------------------------------
@SETTINGS
@given(
    st.floats(0, 100), st.floats(0, 100), st.dates(dt.date(2018, 1, 1), dt.date(2030, 1, 1)),
    st.integers(30, 3000), st.sampled_from(["linear", "logit"]),
)
def test_required_path_is_monotone_and_meets_both_ends(baseline, goal, start, days, scale):
    end = start + dt.timedelta(days=days)
    target = Target(
        target_id="p", area="Kent", measure="ehcp_issued_within_20_weeks_pct", unit="pct", denominator="", baseline_value=baseline,
        baseline_date=start, baseline_source="", target_value=goal, target_date=end, date_basis="stated: test", source_title="",
        source_url="", quote="", row=2,
    )
    days_grid = sorted({0, days, *[int(days * f) for f in np.linspace(0, 1, 13)], days + 400})
    values = [required_value(target, start + dt.timedelta(days=d), scale) for d in days_grid]
    assert abs(values[0] - baseline) < 1e-6 and abs(values[-1] - goal) < 1e-6  # after the target date it holds at the target
    steps = np.diff(values)
    assert (steps >= -1e-9).all() if goal >= baseline else (steps <= 1e-9).all()
    path = required_path(target, scale)
    assert abs(path["required"].iloc[0] - baseline) < 1e-6 and abs(path["required"].iloc[-1] - goal) < 1e-6
    assert path["date"].iloc[0] == start and path["date"].iloc[-1] == end
