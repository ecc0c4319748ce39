"""Every status of the review, each from a hand-built outlook whose answer is worked out here."""

import datetime as dt

import pandas as pd
import pytest

from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.analysis.status import (
    AMBER,
    CHANGE_RULE,
    CHANGED,
    GREEN,
    IMPROVED,
    MET,
    MISSED,
    NO_CLEAR_CHANGE,
    NO_DATA,
    NO_FIGURE_SINCE_BASELINE,
    NOT_YET_KNOWN,
    RED,
    WORSENED,
    change_status,
    change_verdict,
    rag_status,
)
from analysis_helpers.domain.areas import Area
from analysis_helpers.domain.kpis import areas_for
from analysis_helpers.domain.targets import Target

AREA = Area(code="E10000016", name="Kent", level="Local authority")


def target(baseline=20.0, value=80.0, start=dt.date(2023, 1, 1), end=dt.date(2025, 1, 1)) -> Target:
    return Target(
        target_id="t", area="Kent", measure="ehcp_issued_within_20_weeks_pct", unit="pct", denominator="all plans issued",
        baseline_value=baseline, baseline_date=start, baseline_source="test", target_value=value, target_date=end,
        date_basis="stated: test", source_title="test", source_url="https://example.org", quote="", row=2,
    )


def outlook(observed_value, required, ci=(None, None), period_end="2023-12-31", t=None, as_of=dt.date(2024, 6, 30)) -> Outlook:
    """One observed figure after the baseline, compared with ``required`` (the gap row the trajectory would give)."""
    t = t or target()
    observed = pd.DataFrame(
        {"period": ["p"], "period_end": [pd.Timestamp(period_end)], "value": [observed_value],
         "ci_low": [ci[0]], "ci_high": [ci[1]], "numerator": [None], "denominator": [None]}
    )
    gap = pd.DataFrame({"period": ["p"], "observed": [observed_value], "required": [required]})
    return Outlook(area=AREA, measure=t.measure, as_of=as_of, observed=observed, target=t, projection=None, model=None, note="", gap=gap)


def series(t, as_of, *points) -> Outlook:
    """An outlook over several (period_end, value) figures, for the rules after the target date."""
    observed = pd.DataFrame({"period": [e for e, _ in points], "period_end": pd.to_datetime([e for e, _ in points]),
                             "value": [v for _, v in points], "ci_low": None, "ci_high": None})
    gap = pd.DataFrame({"period": ["p"], "observed": [points[-1][1]], "required": [t.target_value]})
    return Outlook(area=AREA, measure=t.measure, as_of=as_of, observed=observed, target=t, projection=None, model=None, note="", gap=gap)


def test_green_on_or_ahead_of_the_required_value():
    assert rag_status(outlook(50.0, 50.0)) == GREEN  # exactly on the path counts as on it
    assert rag_status(outlook(51.0, 50.0)) == GREEN


def test_amber_behind_but_the_required_value_is_inside_the_interval():
    # 47 observed, 50 required, 95% CI 44-52 contains 50: the gap may be chance
    assert rag_status(outlook(47.0, 50.0, ci=(44.0, 52.0))) == AMBER


def test_red_behind_by_more_than_the_interval():
    assert rag_status(outlook(47.0, 50.0, ci=(44.0, 49.9))) == RED
    assert rag_status(outlook(47.0, 50.0)) == RED  # no interval (e.g. a council figure): behind is behind


def test_the_baseline_never_counts_as_progress():
    # the only figure is the baseline's own period (ending on the baseline date)
    assert rag_status(outlook(20.0, 20.0, period_end="2023-01-01")) == NO_FIGURE_SINCE_BASELINE
    unfilled = target(baseline=None)
    assert rag_status(outlook(30.0, 20.0, t=unfilled)) == NO_FIGURE_SINCE_BASELINE


def test_after_the_target_date_judged_on_the_first_figure_at_or_after_it():
    t = target(end=dt.date(2024, 12, 31))
    after = dt.date(2025, 9, 30)
    assert rag_status(series(t, after, ("2024-12-31", 80.0))) == MET
    assert rag_status(series(t, after, ("2024-12-31", 79.9))) == MISSED
    # the first figure at or after the date decides, not a later one
    assert rag_status(series(t, after, ("2024-06-30", 40.0), ("2024-12-31", 81.0), ("2025-06-30", 60.0))) == MET
    assert rag_status(series(t, after, ("2024-06-30", 90.0))) == NOT_YET_KNOWN  # ahead before the date proves nothing after it


def test_on_the_target_date_itself_the_target_has_not_yet_passed():
    t = target(end=dt.date(2024, 6, 30))
    assert rag_status(outlook(47.0, 50.0, as_of=dt.date(2024, 6, 30), t=t)) == RED


def test_kent_assessment_backlog_is_not_met_on_figures_from_before_its_date():
    """1,080 cases in September 2023, 0 by April 2024; the last figure is 242 in February 2024 (the 2025-Q3 review)."""
    backlog = target(baseline=1080.0, value=0.0, start=dt.date(2023, 9, 30), end=dt.date(2024, 4, 30))
    review = series(backlog, dt.date(2025, 9, 30), ("2023-09-30", 1080.0), ("2024-01-31", 397.0), ("2024-02-29", 242.0))
    assert rag_status(review) == NOT_YET_KNOWN
    only_baseline = series(backlog, dt.date(2023, 12, 31), ("2023-09-30", 1080.0))
    assert rag_status(only_baseline) == NO_FIGURE_SINCE_BASELINE


def test_lower_is_better_targets_run_the_other_way():
    backlog = target(baseline=1080.0, value=0.0)
    assert rag_status(outlook(400.0, 500.0, t=backlog)) == GREEN
    assert rag_status(outlook(600.0, 500.0, t=backlog)) == RED
    assert rag_status(series(backlog, dt.date(2025, 6, 30), ("2025-01-31", 0.0))) == MET


def test_no_data():
    empty = outlook(20.0, 20.0)
    empty.observed = empty.observed.iloc[0:0]
    assert rag_status(empty) == NO_DATA


@pytest.mark.parametrize(
    ("change", "significant", "higher_is_better", "expected"),
    [
        (4.0, True, True, IMPROVED),
        (-4.0, True, True, WORSENED),
        (-4.0, True, False, IMPROVED),
        (4.0, True, False, WORSENED),
        (4.0, True, None, CHANGED),
        (4.0, False, True, NO_CLEAR_CHANGE),
        (-40.0, False, None, NO_CLEAR_CHANGE),
    ],
)
def test_change_verdicts(change, significant, higher_is_better, expected):
    assert change_verdict(change, significant, higher_is_better) == expected


def test_one_of_one_is_not_called_improved(release):
    """Isles of Scilly 2024: "100.0% (1 of 1)" after 0 of 4 is below the minimum denominator: No clear change."""
    scilly = areas_for(release).get("Isles of Scilly")
    verdict = change_status(scilly, "ehcp_issued_within_20_weeks_pct", release)
    assert (verdict.status, verdict.change, verdict.previous_period) == (NO_CLEAR_CHANGE, 100.0, "2023")
    assert "fewer than 10 in either period's denominator is not tested and shows No clear change" in CHANGE_RULE


def test_england_own_change_is_judged(release):
    """England's comparison has one row (no region, no neighbours), so its verdict sits in a numpy bool column; the
    fall from 50.3% (2023) to 46.4% (2024) of plans within 20 weeks (excluding exceptions), on about 90,000 plans a
    year, is far beyond chance and must read Worsened, not No clear change."""
    england = areas_for(release).get("England")
    verdict = change_status(england, "ehcp_issued_within_20_weeks_excl_exceptions_pct", release)
    assert (verdict.status, verdict.previous_period) == (WORSENED, "2023")
    assert verdict.change == pytest.approx(-3.9, abs=0.1)
