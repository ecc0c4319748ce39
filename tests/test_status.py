"""Every status of the review, each from a hand-built outlook whose answer is worked out here."""

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest

from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.analysis.status import (
    AMBER,
    CHANGE_RULE,
    CHANGED,
    CONFLICTING,
    EXPECTED_MISSING,
    GREEN,
    IMPROVED,
    MET,
    MISSED,
    NO_CLEAR_CHANGE,
    NO_DATA,
    NO_FIGURE_SINCE_BASELINE,
    NO_RECENT_FIGURE,
    NOT_MEASURED,
    NOT_YET_DUE,
    NOT_YET_JUDGED,
    OFF_TRACK,
    ON_TRACK,
    ONE_FIGURE,
    RED,
    WORSENED,
    assumptions,
    change_status,
    change_verdict,
    figure_due,
    rag_status,
    standing,
    status_cell,
)
from analysis_helpers.domain.areas import Area, areas_for
from analysis_helpers.domain.targets import Target

AREA = Area(code="E10000016", name="Kent", level="Local authority")


def target(baseline=20.0, value=80.0, start=dt.date(2023, 1, 1), end=dt.date(2025, 1, 1)) -> Target:
    return Target(
        target_id="t", area="Kent", measure="ehcp_issued_within_20_weeks_pct", unit="pct", denominator="all plans issued",
        baseline_value=baseline, baseline_date=start, baseline_source="test", target_value=value, target_date=end,
        date_basis="stated: test", source_title="test", source_url="https://example.org", quote="", row=2,
    )


def outlook(observed_value, required, ci=(None, None), period_end="2023-12-31", t=None, as_of=dt.date(2024, 6, 30),
            baseline_figure=True, basis="DfE statistics") -> Outlook:
    """One observed figure after the baseline, compared with ``required`` (the gap row the trajectory would give); the
    series also holds the baseline's own figure (two comparable figures), unless ``baseline_figure=False``."""
    t = t or target()
    rows = [{"period": "p", "period_end": pd.Timestamp(period_end), "value": observed_value, "ci_low": ci[0], "ci_high": ci[1],
             "numerator": None, "denominator": None, "basis": basis}]
    if baseline_figure and t.baseline_value is not None:
        rows.insert(0, {"period": "b", "period_end": pd.Timestamp(t.baseline_date), "value": t.baseline_value, "ci_low": None,
                        "ci_high": None, "numerator": None, "denominator": None, "basis": "DfE statistics"})
    observed = pd.DataFrame(rows)
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
    assert rag_status(series(t, after, ("2024-06-30", 90.0))) == NOT_MEASURED  # ahead before the date proves nothing after it


def test_on_the_target_date_itself_the_target_has_not_yet_passed():
    t = target(end=dt.date(2024, 6, 30))
    assert rag_status(outlook(47.0, 50.0, as_of=dt.date(2024, 6, 30), t=t)) == RED


def test_kent_assessment_backlog_is_not_met_on_figures_from_before_its_date():
    """1,080 cases in September 2023, 0 by April 2024; the last figure is 242 in February 2024 (the 2025-Q3 review)."""
    backlog = target(baseline=1080.0, value=0.0, start=dt.date(2023, 9, 30), end=dt.date(2024, 4, 30))
    review = series(backlog, dt.date(2025, 9, 30), ("2023-09-30", 1080.0), ("2024-01-31", 397.0), ("2024-02-29", 242.0))
    assert rag_status(review) == NOT_MEASURED
    only_baseline = series(backlog, dt.date(2023, 12, 31), ("2023-09-30", 1080.0))
    assert rag_status(only_baseline) == NO_FIGURE_SINCE_BASELINE


def test_lower_is_better_targets_run_the_other_way():
    backlog = target(baseline=1080.0, value=0.0)
    assert rag_status(outlook(400.0, 500.0, t=backlog)) == GREEN
    assert rag_status(outlook(600.0, 500.0, t=backlog)) == RED
    assert rag_status(series(backlog, dt.date(2025, 6, 30), ("2025-01-31", 0.0))) == MET


def test_behind_on_one_figure_alone_is_not_red_or_amber():
    # the baseline (20, Jan 2023) is typed in, not a figure of the series: 47 against 50 is the only figure since it
    assert rag_status(outlook(47.0, 50.0, baseline_figure=False)) == ONE_FIGURE
    assert rag_status(outlook(47.0, 50.0, ci=(44.0, 52.0), baseline_figure=False)) == ONE_FIGURE
    assert rag_status(outlook(51.0, 50.0, baseline_figure=False)) == GREEN  # ahead on one figure is on track


def test_a_conflicting_latest_figure_is_a_conflict_not_a_trend():
    flagged = outlook(47.0, 50.0, basis="council figure: snapshot (CONFLICT with KCC £97m for 2021/22)")
    assert rag_status(flagged) == CONFLICTING
    # the conflicting figure does not count towards the two comparable figures either
    assert standing(flagged).verdict == NOT_YET_JUDGED


def test_verdicts_of_the_plan_at_a_glance():
    as_of = dt.date(2024, 6, 30)
    assert standing(outlook(51.0, 50.0, as_of=as_of)).verdict == ON_TRACK
    assert standing(outlook(47.0, 50.0, ci=(44.0, 52.0), as_of=as_of)).verdict == OFF_TRACK  # Amber
    assert standing(outlook(47.0, 50.0, as_of=as_of)).verdict == OFF_TRACK  # Red
    # the figure ends 2023-12-31: a live target (due 2026) read 13 months later has no recent figure, 12 months later it has
    t = target(end=dt.date(2026, 1, 1))
    old = standing(outlook(51.0, 50.0, t=t, as_of=dt.date(2025, 1, 31)))  # Dec 2023 to Jan 2025: 13 whole months
    assert old.status == GREEN and old.age_months == 13 and old.verdict == NO_RECENT_FIGURE
    fresh = standing(outlook(51.0, 50.0, t=t, as_of=dt.date(2024, 12, 31)))  # exactly 12 months: still recent
    assert fresh.age_months == 12 and fresh.verdict == ON_TRACK
    assert standing(outlook(20.0, 20.0, period_end="2023-01-01")).verdict == NO_RECENT_FIGURE  # nothing since baseline


def test_expired_dfe_target_says_whether_its_figure_is_due():
    # 60% by 31 Dec 2025 on DfE's calendar-year series: the 2025 figure is due in DfE's June 2026 release
    t = target(value=60.0, start=dt.date(2024, 12, 31), end=dt.date(2025, 12, 31))
    last = ("2024-12-31", 32.3)
    before_due = standing(series(t, dt.date(2026, 3, 31), last))
    assert before_due.status == NOT_MEASURED and before_due.pending == NOT_YET_DUE and before_due.due == dt.date(2026, 6, 1)
    missing = standing(series(t, dt.date(2026, 9, 30), last))
    assert missing.pending == EXPECTED_MISSING and missing.verdict == NOT_MEASURED
    assert figure_due(series(t, dt.date(2026, 9, 30), last)) == dt.date(2026, 6, 1)
    # a census measure: 80% by Dec 2023 is judged on the January 2024 census, published in June 2024
    census = replace(t, measure="ehcp_caseload_mainstream_pct", baseline_date=dt.date(2023, 1, 31), target_date=dt.date(2023, 12, 31))
    assert figure_due(series(census, dt.date(2024, 3, 31), ("2023-01-31", 34.0))) == dt.date(2024, 6, 1)


def test_expired_council_target_is_due_six_months_after_its_date():
    backlog = replace(target(baseline=1080.0, value=0.0, start=dt.date(2023, 9, 30), end=dt.date(2024, 4, 30)),
                      measure="assessment_backlog_cases", unit="count", series="council")
    points = (("2023-09-30", 1080.0), ("2024-02-29", 242.0))
    assert figure_due(series(backlog, dt.date(2024, 9, 30), *points)) == dt.date(2024, 10, 30)
    assert standing(series(backlog, dt.date(2024, 9, 30), *points)).pending == NOT_YET_DUE
    assert standing(series(backlog, dt.date(2024, 10, 30), *points)).pending == EXPECTED_MISSING


def test_no_probability_or_projected_date_after_the_target_date():
    t = target(end=dt.date(2024, 1, 1))
    expired = outlook(47.0, 50.0, t=t, as_of=dt.date(2024, 6, 30))
    assert expired.target_expired and expired.probability() is None and expired.date_reached() is None
    assert expired.needed_per_month() is None


def test_statuses_say_what_they_assume():
    stated = target()
    assert assumptions(stated) == ()
    dated = replace(stated, date_basis="assumed: the source gives no date")
    population = replace(stated, date_basis="stated: by December 2023 (population not published; all plans assumed here)")
    assert assumptions(dated) == ("date assumed",)
    assert assumptions(population) == ("population assumed",)
    assert status_cell(MISSED, assumptions(population)) == "Missed (population assumed)"
    assert status_cell(MET, ()) == "Met"


def test_no_data():
    empty = outlook(20.0, 20.0)
    empty.observed = empty.observed.iloc[0:0]
    assert rag_status(empty) == NO_DATA
    # an expired target with nothing published at all is not measured since its date, and says why
    # (the target's date, 1 Jan 2025, is judged on calendar year 2025, due in DfE's June 2026 release)
    empty.as_of = dt.date(2025, 9, 30)
    assert rag_status(empty) == NOT_MEASURED and standing(empty).pending == NOT_YET_DUE
    empty.as_of = dt.date(2026, 9, 30)
    assert standing(empty).pending == EXPECTED_MISSING


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
