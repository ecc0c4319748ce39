"""Every status of the review, each from a hand-built outlook whose answer is worked out here."""

import datetime as dt

import pandas as pd
import pytest

from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.analysis.status import (
    AMBER,
    BASELINE_ONLY,
    CHANGED,
    GREEN,
    IMPROVED,
    NO_CLEAR_CHANGE,
    NO_DATA,
    RED,
    WORSENED,
    change_verdict,
    rag_status,
)
from analysis_helpers.domain.areas import Area
from analysis_helpers.domain.targets import Target

AREA = Area(code="E10000016", name="Kent", level="Local authority")


def target(baseline=20.0, value=80.0, start=dt.date(2023, 1, 1), end=dt.date(2025, 1, 1)) -> Target:
    return Target(
        target_id="t", area="Kent", measure="ehcp_issued_within_20_weeks_pct", unit="pct", denominator="all plans issued",
        baseline_value=baseline, baseline_date=start, baseline_source="test", target_value=value, target_date=end,
        date_basis="stated: test", source_title="test", source_url="https://example.org", quote="", row=2,
    )


def outlook(observed_value, required, ci=(None, None), period_end="2023-12-31", t=None, with_gap=True) -> Outlook:
    t = t or target()
    observed = pd.DataFrame(
        {"period": ["2023"], "period_end": [pd.Timestamp(period_end)], "value": [observed_value],
         "ci_low": [ci[0]], "ci_high": [ci[1]], "numerator": [None], "denominator": [None]}
    )
    gap = pd.DataFrame({"period": ["2023"], "observed": [observed_value], "required": [required]}) if with_gap else pd.DataFrame()
    return Outlook(area=AREA, measure=t.measure, as_of=None, observed=observed, target=t, projection=None, model=None, note="", gap=gap)


def test_green_on_or_ahead_of_the_required_value():
    assert rag_status(outlook(50.0, 50.0)) == GREEN  # exactly on the path counts as on it
    assert rag_status(outlook(51.0, 50.0)) == GREEN


def test_amber_behind_but_the_required_value_is_inside_the_interval():
    # 47 observed, 50 required, 95% CI 44-52 contains 50: the gap may be chance
    assert rag_status(outlook(47.0, 50.0, ci=(44.0, 52.0))) == AMBER


def test_red_behind_by_more_than_the_interval():
    assert rag_status(outlook(47.0, 50.0, ci=(44.0, 49.9))) == RED
    assert rag_status(outlook(47.0, 50.0)) == RED  # no interval (e.g. a council figure): behind is behind


def test_after_the_target_date_met_or_missed():
    t = target(end=dt.date(2023, 6, 30))
    assert rag_status(outlook(80.0, 80.0, t=t)) == GREEN
    assert rag_status(outlook(79.9, 80.0, ci=(70.0, 90.0), t=t)) == RED  # an interval does not soften a missed target


def test_lower_is_better_targets_run_the_other_way():
    backlog = target(baseline=1080.0, value=0.0)
    assert rag_status(outlook(400.0, 500.0, t=backlog)) == GREEN
    assert rag_status(outlook(600.0, 500.0, t=backlog)) == RED


def test_baseline_only_and_no_data():
    assert rag_status(outlook(20.0, 20.0, with_gap=False)) == BASELINE_ONLY
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
