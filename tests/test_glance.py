"""The plan at a glance (issue 22): each verdict's row and sentence, worked out here from hand-built outlooks, then
Kent's and Essex's boxes on the fixture release (every figure recomputed from its raw rows)."""

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest
from helpers import TARGETS, raw_rows

from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.analysis.status import standing
from analysis_helpers.data.local_feed import area_feed
from analysis_helpers.domain.areas import Area, areas_for
from analysis_helpers.domain.run_context import Quarter
from analysis_helpers.domain.targets import Target
from analysis_helpers.reporting import glance
from analysis_helpers.reporting.summary import executive_summary

AREA = Area(code="E10000016", name="Kent", level="Local authority")


def target(**changes) -> Target:
    base = Target(
        target_id="t", area="Kent", measure="ehcp_issued_within_20_weeks_pct", unit="pct", denominator="all plans issued",
        baseline_value=20.0, baseline_date=dt.date(2023, 12, 31), baseline_source="test", target_value=60.0,
        target_date=dt.date(2025, 12, 31), date_basis="stated: test", source_title="test", source_url="https://example.org",
        quote="", row=2,
    )
    return replace(base, **changes)


def outlook(t: Target, as_of: dt.date, *points, required=None, ci=(None, None), basis="DfE statistics") -> Outlook:
    """Figures ``(period_end, value)``; the gap row compares the last with ``required``."""
    observed = pd.DataFrame({
        "period": [e[:4] if e.endswith("12-31") else e[:7] for e, _ in points], "period_end": pd.to_datetime([e for e, _ in points]),
        "value": [v for _, v in points], "numerator": None, "denominator": None,
        "ci_low": [ci[0]] * len(points), "ci_high": [ci[1]] * len(points), "basis": basis,
    })
    gap = pd.DataFrame({"period": ["p"], "observed": [points[-1][1]], "required": [required if required is not None else t.target_value]})
    return Outlook(area=AREA, measure=t.measure, as_of=as_of, observed=observed, target=t, projection=None, model=None, note="", gap=gap)


def why(o: Outlook, published=dt.date(2025, 7, 1)) -> str:
    return glance.why(o, standing(o), SimpleNamespace(published=published), None)


@pytest.mark.parametrize(("months", "words"), [
    (0, "less than a month"), (1, "1 month"), (5, "5 months"), (12, "1 year"), (13, "1 year 1 month"), (20, "1 year 8 months"),
    (24, "2 years"), (50, "4 years"),
])
def test_ages_in_words(months, words):
    assert glance.age_words(months) == words


def test_a_figure_with_its_counts_period_and_age():
    figure = pd.Series({"value": 32.34, "numerator": 784, "denominator": 2424, "period": "2024", "period_end": pd.Timestamp("2024-12-31")})
    # Dec 2024 to 30 Sep 2026: 20 whole months
    assert glance.figure_words(figure, "pct", 20) == ("32.3% (784 of 2,424) in 2024 "
                                                      "(figure from Dec 2024, 1 year 8 months before this review)")
    assert glance.figure_words(None, "pct", None) == "–"


def test_met_and_missed_say_which_figure_judged_them():
    t = target(target_date=dt.date(2024, 12, 31))
    assert why(outlook(t, dt.date(2025, 9, 30), ("2023-12-31", 20.0), ("2024-12-31", 61.0))) == (
        "The first figure for a period ending on or after the target date reaches 60.0% by Dec 2024.")
    assert why(outlook(t, dt.date(2025, 9, 30), ("2023-12-31", 20.0), ("2024-12-31", 59.0))).startswith(
        "The first figure for a period ending on or after the target date falls short of 60.0% by Dec 2024.")


def test_a_dfe_figure_not_yet_due():
    # 60% by Dec 2025: calendar year 2025 is published in June 2026; on 31 March 2026 it is not due
    o = outlook(target(), dt.date(2026, 3, 31), ("2024-12-31", 32.3))
    assert why(o) == ("Not yet due: DfE's figure for the period ending Dec 2025 is expected in its Jun 2026 release, after "
                      "this review's data date.")


def test_a_dfe_figure_expected_and_missing_names_the_release_and_where_it_goes():
    o = outlook(target(), dt.date(2026, 9, 30), ("2024-12-31", 32.3))
    assert why(o) == ("Expected and missing: DfE's figure for the period ending Dec 2025 was due in its Jun 2026 release, "
                      "which is not in data/raw/ (add it with the README's guide \"Add the next DfE release\").")
    # a release stored but not yet public at the data date does not count: Kent's mainstream target (Dec 2023, judged
    # on the January 2024 census, due June 2024) read on 30 June 2025, with only the July 2025 release stored
    census = outlook(target(measure="ehcp_caseload_mainstream_pct", baseline_date=dt.date(2023, 1, 31),
                            target_date=dt.date(2023, 12, 31)), dt.date(2025, 6, 30), ("2023-01-31", 34.0))
    assert why(census, published=dt.date(2025, 7, 1)) == (
        "Expected and missing: DfE's figure for the period ending Jan 2024 was due in its Jun 2024 release, which is not in "
        "data/raw/ (add it with the README's guide \"Add the next DfE release\").")
    # the June 2026 release is stored but has no figure for the area
    assert why(o, published=dt.date(2026, 6, 25)) == ("Expected and missing: DfE's release of Jun 2026 has no figure for "
                                                     "the period ending Dec 2025 for this area.")


def test_a_council_figure_not_yet_due_then_missing():
    backlog = target(measure="assessment_backlog_cases", unit="count", series="council", denominator="", baseline_value=1080.0,
                     baseline_date=dt.date(2023, 9, 30), target_value=0.0, target_date=dt.date(2024, 4, 30))
    points = (("2023-09-30", 1080.0), ("2024-02-29", 242.0))
    # due six months after 30 April 2024: 30 October 2024
    assert why(outlook(backlog, dt.date(2024, 9, 30), *points)) == (
        "Not yet due: a council figure for a period ending on or after Apr 2024 is expected by Oct 2024, after this review's data date.")
    found = standing(outlook(backlog, dt.date(2026, 9, 30), *points))
    text = glance.why(outlook(backlog, dt.date(2026, 9, 30), *points), found, None, type("P", (), {"name": "kent.csv"})())
    assert text == ("Expected and missing: no council figure for a period ending on or after Apr 2024 is in the council's feed "
                    "(kent.csv), though one was expected by Oct 2024; add it to the feed when the council publishes it.")


def test_live_targets_on_track_off_track_and_not_yet_judged():
    as_of = dt.date(2024, 12, 31)
    on = outlook(target(), as_of, ("2023-12-31", 20.0), ("2024-06-30", 35.0), required=30.0)
    assert standing(on).verdict == "On track"
    assert why(on) == "On or ahead of the 30.0% the path to 60.0% by Dec 2025 asks for at that figure's period."
    red = outlook(target(), as_of, ("2023-12-31", 20.0), ("2024-06-30", 25.0), required=30.0)
    assert standing(red).verdict == "Off track" and why(red) == (
        "5.0 percentage points behind the 30.0% the path to 60.0% by Dec 2025 asks for at that figure's period.")
    amber = outlook(target(), as_of, ("2023-12-31", 20.0), ("2024-06-30", 25.0), required=30.0, ci=(22.0, 31.0))
    assert why(amber).endswith("within the figure's 95% confidence interval (the gap may be chance).")
    one = outlook(target(baseline_date=dt.date(2023, 6, 30)), as_of, ("2024-06-30", 25.0), required=30.0)
    assert standing(one).verdict == "Not yet judged" and why(one).endswith(
        "one figure since the baseline is not a trend, so it is not yet called Red or Amber.")


def test_conflicts_old_figures_and_assumptions_are_said():
    deficit = target(measure="high_needs_deficit_gbp_m", unit="gbp_m", series="council", denominator="", baseline_value=97.0,
                     baseline_date=dt.date(2022, 3, 31), target_value=0.0, target_date=dt.date(2028, 3, 31),
                     date_basis="assumed: test")
    o = outlook(deficit, dt.date(2026, 9, 30), ("2022-03-31", 97.0), ("2022-04-30", 103.0), required=96.0,
                basis="council figure: snapshot (CONFLICT with KCC £97m for 2021/22)")
    found = standing(o)
    assert found.verdict == "No recent figure" and found.age_months == 53  # Apr 2022 to Sep 2026
    assert why(o) == ("The latest figure is flagged by its source as conflicting with another for nearly the same period: it "
                      "is shown as a conflict, not a trend. The latest figure is 4 years old: no recent figure shows where it "
                      "stands now. Rests on an assumption the source did not state (date assumed).")


def test_the_lead_kpi_comes_first_latest_target_first():
    early = outlook(target(target_id="a", target_date=dt.date(2024, 9, 30), series="council"), dt.date(2026, 9, 30), ("2024-09-30", 64.0))
    late = outlook(target(target_id="b"), dt.date(2026, 9, 30), ("2024-12-31", 32.3))
    other = outlook(target(target_id="c", measure="ehcp_caseload_mainstream_pct"), dt.date(2026, 9, 30), ("2024-01-31", 34.8))
    assert [o.target.target_id for o in glance.ordered([other, early, late])] == ["b", "a", "c"]


def run_for(release, name: str, quarter: Quarter, local=None):
    areas = areas_for(release)
    area = areas.get(name)
    return SimpleNamespace(area=area, areas=areas, quarter=quarter, as_of=quarter.end, release=release, neighbours="2025",
                           local=local, dfe_published=release.published <= quarter.end, targets=TARGETS,
                           feed=area_feed(area.slug, local))


def test_kents_box_on_the_fixture_release(release):
    run = run_for(release, "Kent", Quarter(2026, 3))
    _, outlooks = executive_summary(run.area, run.as_of, release, TARGETS)
    table, caption = glance.glance_table(run, outlooks)
    assert caption == "Kent: each target's verdict at 30 September 2026, lead KPI first"
    assert list(table.columns) == glance.GLANCE_COLUMNS
    first = table.iloc[0]
    # the frozen targets: 60% by Dec 2025 on DfE's series, its baseline (blank in the file) DfE's 2024 figure
    kent_2024 = next(r for r in raw_rows("timeliness_20_week.csv") if r["la_name"] == "Kent" and r["time_period"] == "2024"
                     and r["breakdown_topic"] == "All EHC plans issued")
    assert first["Target"] == "EHC plans issued within 20 weeks, exceptions included [all plans issued]: 60.0% by Dec 2025"
    assert first["Verdict"] == "Not measured since the target date"
    assert (kent_2024["plans_issued_within_20_weeks"], kent_2024["plans_issued_den"]) == ("784", "2424")  # 32.34%
    assert first["Baseline"] == "32.3% (Dec 2024)"
    assert first["Latest figure"] == "32.3% (784 of 2,424) in 2024 (figure from Dec 2024, 1 year 8 months before this review)"
    assert first["Why"].startswith("Expected and missing: DfE's figure for the period ending Dec 2025 was due in its Jun 2026 release")
    assert table.iloc[1]["Target"].startswith("EHC plans issued within 20 weeks, exceptions included (council monthly figures)")
    mainstream = table[table["Target"].str.startswith("EHC plans with a mainstream school placement")].iloc[0]
    assert mainstream["Verdict"] == "Missed (population assumed)"
    assert mainstream["Latest figure"].startswith("34.8% (6,754 of 19,407) in 2023/24")


def test_an_area_without_targets_gets_a_box_from_its_changes_and_ranks(release):
    run = run_for(release, "Essex", Quarter(2025, 3))
    table, caption = glance.glance_table(run, [])
    assert caption.startswith("Essex has no targets recorded")
    assert list(table.columns) == glance.UNTARGETED_COLUMNS
    essex = {r["time_period"]: r for r in raw_rows("timeliness_20_week.csv")
             if r["la_name"] == "Essex" and r["breakdown_topic"] == "All EHC plans issued"}
    n24, d24 = (int(essex["2024"][c]) for c in ("plans_issued_within_20_weeks", "plans_issued_den"))
    first = table.iloc[0]
    assert first["Measure"] == "EHC plans issued within 20 weeks, exceptions included"
    assert first["Latest figure"] == f"{100 * n24 / d24:.1f}% ({n24:,} of {d24:,}) in 2024"
    assert 2 <= len(table) <= 1 + glance.MAX_CHANGES + 2
    assert set(table["Verdict"]) <= {"Improved", "Worsened", "No clear change", "Changed", "No comparison"}


def test_the_cover_names_the_area_and_quarter_and_escapes_text(release, monkeypatch):
    run = run_for(release, "Essex", Quarter(2025, 3))
    run.area = replace(run.area, name="Essex <script>alert(1)</script>")
    hostile = pd.DataFrame({"Measure": ["<img src=x onerror=alert(1)>"], "Verdict": ["Improved"]})
    monkeypatch.setattr(glance, "glance_table", lambda run, outlooks: (hostile, "caption <i>"))
    html = glance.cover_html(run, [])
    assert html.startswith('<section class="review-cover"><h1>Essex &lt;script&gt;alert(1)&lt;/script&gt;: SEND quarterly review, '
                           "2025-Q3 (July to September 2025)</h1>")
    assert "<script>" not in html and "<img" not in html and "<i>" not in html
    assert '<h2 id="Plan-at-a-glance">Plan at a glance</h2>' in html and 'class="send-table glance-table"' in html


def test_a_requirement_without_a_number_is_read_on_its_figures(release):
    """Kent's casework team "of sufficient capacity" by September 2023 (frozen targets row 8), read on the vacancies the
    frozen feed holds (rows 29-32: 100 and 20 for 2023, 50 for 2023-Q2, 20 for 2023-09)."""
    run = run_for(release, "Kent", Quarter(2026, 3))
    rows = glance.requirement_rows(run).to_dict("records")
    assert rows == [{
        "Target": "SEND casework vacancies (council figures): requirement due Sep 2023, no number set",
        "Verdict": "No recent figure",
        # "2023" ends in December 2023: 33 whole months before 30 September 2026
        "Latest figure": "20 in 2023 (figure from Dec 2023, 2 years before this review)",
        "Baseline": "–",
        "Why": "As the council published them: 100 (2023) at the highest, 20 (2023) the latest; the requirement sets no "
               "number, so no figure can show it met. The latest figure is 2 years old.",
    }]
    table, _ = glance.glance_table(run, [])  # a requirement alone still makes the box a plan's
    assert list(table["Target"]) == [rows[0]["Target"]]
