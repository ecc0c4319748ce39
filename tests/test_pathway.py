"""The EHC pathway's statutory clocks (issue 13, item 3): the table, its words and the review's section blocks.

Expected values are worked out here from the fixture release's raw rows with the
csv module (Kent and England, calendar year 2024).
"""

import math
import re
import types

import numpy as np
import pytest
from helpers import raw_rows

from analysis_helpers.analysis.funnel import funnel_for
from analysis_helpers.analysis.pathway import CLOCKS, PATHWAY_COLUMNS, pathway_table, widest_gap
from analysis_helpers.core.intervals import funnel_position
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.reporting import inclusion_sections, pathway_sections, who_waits_sections


def row_of(file: str, name: str, topic: str, period: str = "2024") -> dict:
    rows = [r for r in raw_rows(file) if r["breakdown_topic"] == topic and r["time_period"] == period
            and (r["la_name"] == name or (name == "England" and r["geographic_level"] == "National"))]
    assert len(rows) == 1
    return rows[0]


def expected(name: str) -> dict[str, tuple[int, int]]:
    """Measure -> (numerator, denominator) for one area in 2024, from the raw rows."""
    req = row_of("requests.csv", name, "All requests for EHC needs assessments")
    plans = row_of("timeliness_20_week.csv", name, "All EHC plans issued")
    reviews = row_of("annual_reviews.csv", name, "All annual reviews")
    return {
        "ehc_requests_decided_within_6_weeks_pct": (int(req["request_outcome_six_weeks"]),
                                                    int(req["request_outcome_six_weeks"]) + int(req["request_outcome_over_6_weeks"])),
        "ehcp_issued_within_20_weeks_pct": (int(plans["plans_issued_within_20_weeks"]), int(plans["plans_issued_den"])),
        "ehcp_issued_over_1_year_pct": (int(plans["plans_issued_gt_1_year"]), int(plans["plans_issued_den"])),
        "annual_reviews_decided_within_4_weeks_pct": (int(reviews["number_decsion_4weeks"]),
                                                      int(reviews["number_decsion_4weeks"]) + int(reviews["number_decision_gt_4weeks"])),
        "ehc_requests_refused_pct": (int(req["requests_decided_not_to_assess"]), int(req["requests_received_in_year"])),
    }


@pytest.fixture(scope="module")
def kent(release):
    return pathway_table("Kent", release=release)


def test_kent_clocks_match_the_raw_rows_in_pathway_order(kent, release):
    mine, england = expected("Kent"), expected("England")
    assert list(kent.columns) == PATHWAY_COLUMNS
    assert list(kent["measure"]) == [m for m, _ in CLOCKS] + ["ehc_requests_refused_pct"]
    assert list(kent["role"]) == ["clock"] * 4 + ["balancing"]
    for _, row in kent.iterrows():
        num, den = mine[row["measure"]]
        e_num, e_den = england[row["measure"]]
        assert (row["numerator"], row["denominator"], row["period"]) == (num, den, "2024")
        assert row["value"] == pytest.approx(100 * num / den) and row["england"] == pytest.approx(100 * e_num / e_den)
        assert row["ci_low"] < row["value"] < row["ci_high"]
        # Kent's place among the fixture's LAs, on limits widened by their spread (the LAs are overdispersed on
        # every clock): the row `send-review funnel` prints for Kent
        las, spread, _ = funnel_for(row["measure"], "2024", release)
        assert spread.overdispersed and row["funnel_limits"] == "adjusted"
        assert row["funnel"] == las.loc[las["area_code"] == "E10000016", "position"].iloc[0]
    # Kent 2024: 3,602 of 3,969 requests decided within 6 weeks (90.8%); 343 of 2,424 plans over a year (14.2%);
    # 3,151 of 9,374 review decisions within 4 weeks (33.6%; England 44.4%); 2,200 of 4,001 requests refused (55.0%)
    assert [round(v, 1) for v in kent["value"]] == [90.8, 32.3, 14.2, 33.6, 55.0]
    assert round(kent.loc[3, "england"], 1) == 44.4


def test_the_funnel_column_reads_the_limits_widened_for_the_spread_between_las(kent, release):
    # Plans within 20 weeks, 2024: Kent 783 of 2,424 = 32.3% against England 45.9%. Binomial limits put it far
    # below the 99.8% limit; the fixture's 13 LAs range so widely that the 95% limits widened by their variance tau2
    # (0.07276), sin²(0.74389 ∓ 1.96 √(1 / (4 · 2,424) + 0.07276)) = sin²(0.74389 ∓ 0.52906), are 4.5% and 91.4%.
    row = kent.loc[1]
    assert funnel_position(row["value"], row["denominator"], row["england"]) == "below the 99.8% limit"
    _, spread, _ = funnel_for("ehcp_issued_within_20_weeks_pct", "2024", release)
    assert spread.tau2 == pytest.approx(0.07276, abs=5e-6)
    angle, half = math.asin(math.sqrt(row["england"] / 100)), 1.96 * math.sqrt(1 / (4 * 2424) + spread.tau2)
    low, high = 100 * math.sin(angle - half) ** 2, 100 * math.sin(angle + half) ** 2
    assert round(low, 1) == 4.5 and round(high, 1) == 91.4 and low < row["value"] < high
    assert (row["funnel"], row["funnel_limits"]) == ("within the 95% limits", "adjusted")


def test_gaps_are_signed_so_that_positive_is_better(kent):
    gaps = dict(zip(kent["measure"], kent["gap_to_england"], strict=True))
    assert gaps["ehc_requests_decided_within_6_weeks_pct"] == pytest.approx(kent.loc[0, "value"] - kent.loc[0, "england"])
    assert gaps["ehc_requests_decided_within_6_weeks_pct"] > 0
    # more than a year: lower is better, so Kent's 14.2% against England's 7.2% is a negative gap
    assert gaps["ehcp_issued_over_1_year_pct"] == pytest.approx(kent.loc[2, "england"] - kent.loc[2, "value"])
    assert gaps["ehcp_issued_over_1_year_pct"] < 0
    assert np.isnan(gaps["ehc_requests_refused_pct"])  # neither direction is better for a balancing measure
    assert widest_gap(kent)["measure"] == "ehcp_issued_within_20_weeks_pct"  # 32.3% against 45.9%: -13.5 points


def test_titles_name_the_true_widest_gap_only_when_it_is_beyond_chance(kent):
    """The gaps worked out from the raw rows, in points either side: the refusal share's is the widest of all five
    rows drawn; of the clocks, 20 weeks is furthest behind England (more than a year counts the other way round). On
    the limits widened for the spread between LAs only the refusal share lies outside (above): every clock is within."""
    mine, england = expected("Kent"), expected("England")
    pct = {m: (100 * mine[m][0] / mine[m][1], 100 * england[m][0] / england[m][1]) for m in mine}
    widest = max(pct, key=lambda m: abs(pct[m][0] - pct[m][1]))
    assert widest == "ehc_requests_refused_pct" and round(pct[widest][0], 1) == 55.0 and round(pct[widest][1], 1) == 25.2
    behind = {m: (a - e) if m != "ehcp_issued_over_1_year_pct" else (e - a) for m, (a, e) in pct.items() if m != widest}
    furthest = min(behind, key=behind.get)
    assert furthest == "ehcp_issued_within_20_weeks_pct"
    assert list(kent["funnel"].str.startswith("within")) == [True, True, True, True, False]
    assert pathway_sections.pathway_title(kent, "Kent") == (
        f"Kent: the widest gap from England is in requests refused (balancing measure), {pct[widest][0]:.1f}% against "
        f"{pct[widest][1]:.1f}% (2024); the clock furthest behind England is plan issued within 20 weeks, "
        f"{pct[furthest][0]:.1f}% against {pct[furthest][1]:.1f}% (2024), within the funnel's 95% limits")
    # every row beyond the limits: the refusal share is still the widest gap, 20 weeks the clock furthest behind
    beyond = kent.assign(funnel="below the 99.8% limit")
    assert pathway_sections.pathway_title(beyond, "Kent") == (
        "Kent: the widest gap from England is in requests refused (balancing measure), 55.0% against 25.2% (2024); the "
        "clock furthest behind England is plan issued within 20 weeks, 32.3% against 45.9% (2024)")
    clocks_only = beyond[beyond["role"] == "clock"]
    assert pathway_sections.pathway_title(clocks_only, "Kent") == (
        "Kent: the widest gap from England is at plan issued within 20 weeks, 32.3% against 45.9% (2024)")
    # nothing beyond the limits at all: said so, with the clock furthest behind
    inside = kent.assign(funnel="within the 95% limits")
    assert pathway_sections.pathway_title(inside, "Kent") == (
        "Kent: no gap from England is beyond the funnel's 95% limits; the clock furthest behind is plan issued within "
        "20 weeks, 32.3% against 45.9% (2024)")
    # only the more-than-a-year clock (14.2% against 7.2%: 7.0 points behind) outside: it is the finding, though
    # 20 weeks is 13.5 points behind
    one = kent.assign(funnel=["within the 95% limits", "within the 95% limits", "above the 99.8% limit",
                              "within the 95% limits", "within the 95% limits"])
    assert pathway_sections.pathway_title(one, "Kent") == (
        "Kent: the widest gap from England is at plan took more than a year, 14.2% against 7.2% (2024)")
    ahead = kent.assign(gap_to_england=kent["gap_to_england"].abs(), funnel="within the 95% limits")
    assert widest_gap(ahead) is None
    assert pathway_sections.pathway_title(ahead, "Kent") == "Kent: no statutory clock is behind England"


def test_england_has_no_comparators_and_its_title_lists_its_clocks(release):
    table = pathway_table("England", release=release)
    assert table["england"].isna().all() and table["rank"].isna().all() and (table["funnel"] == "").all()
    assert (table["funnel_limits"] == "").all()
    title = pathway_sections.pathway_title(table, "England")
    assert title.startswith("England: request decided within 6 weeks 84.8%, plan issued within 20 weeks 45.9%")


def test_a_missing_figure_is_said_with_its_reason_never_drawn_as_zero(kent):
    gone = kent.copy()
    gone.loc[3, ["value", "numerator", "denominator", "ci_low", "ci_high", "gap_to_england"]] = np.nan
    gone.loc[3, ["funnel", "note"]] = ["", "unavailable (x) in the release"]
    sentences = pathway_sections.pathway_sentences(gone, "Kent")
    assert sentences[3] == "*Annual review decided within 4 weeks*: no figure for Kent in 2024 (unavailable (x) in the release)."
    assert "0.0%" not in sentences[3]
    shown = pathway_sections.pathway_display(gone)
    assert shown.loc[3, "Value"] == "–" and shown.loc[3, "Cases"] == "–"


def test_sentences_carry_numerator_denominator_interval_and_rank(kent):
    first = pathway_sections.pathway_sentences(kent, "Kent")[0]
    assert first.startswith("*Request decided within 6 weeks* (2024): 90.8% (3,602 of 3,969; 95% CI 89.8–91.6%), England 84.8%")
    assert "points better" in first and "(1 = best)" in first
    assert "; within the 95% limits around England (limits allowing for variation between councils);" in first
    refused = pathway_sections.pathway_display(kent).loc[4, "Against England"]
    assert refused == "above the 95% limit (within 99.8%) (limits allowing for variation between councils)"


def test_sections_render_for_an_la_and_say_nothing_before_publication(release):
    areas = areas_for(release)
    area = areas.get("Medway")
    run = types.SimpleNamespace(area=area, region=areas.region_of(area), neighbours="2025", release=release, dfe_published=True)
    shown = pathway_sections.pathway(run, "DfE")
    assert len(shown) == 3 and "<img" in shown[0].data and 'alt="Medway' in shown[0].data and "<table" in shown[2].data
    inclusion = inclusion_sections.inclusion(run, "DfE")
    text = " ".join(getattr(item, "data", "") for item in inclusion)
    assert "Medway: mainstream placement falls from" in text and "most common primary need" in text
    assert pathway_sections.pathway(types.SimpleNamespace(**{**vars(run), "dfe_published": False}), "DfE") == []


def test_age_points_hold_each_comparator_once_a_band(release):
    areas = areas_for(release)
    area = areas.get("Kent")
    run = types.SimpleNamespace(area=area, region=areas.region_of(area), neighbours="2025", release=release, dfe_published=True)
    points, mine = inclusion_sections.age_points(run)
    assert set(points["band"]) == {"Ages 5-10", "Ages 11-15"}
    assert not points.duplicated(["name", "band"]).any()
    assert {"Kent", "England", "South East"} <= set(points["name"])
    # caseload.csv Kent 202425: 3,668 of 6,392 aged 5-10 and 3,155 of 8,174 aged 11-15 in mainstream
    assert (mine["Ages 5-10"]["numerator"], mine["Ages 11-15"]["denominator"]) == (3668, 8174)
    kent = points[points["name"] == "Kent"].set_index("band")["value"]
    assert kent["Ages 5-10"] == pytest.approx(100 * 3668 / 6392) and kent["Ages 11-15"] == pytest.approx(100 * 3155 / 8174)


def test_who_waits_names_the_groups_beyond_chance_and_hides_small_ones(release):
    """Kent 2024 (timeliness_20_week.csv, exceptions included): aged 11-15, 119 of 529 (22.5%) against 665 of 1,895
    for the rest of Kent (35.1%); small ethnic groups are named as not shown, never counted."""
    areas = areas_for(release)
    area = areas.get("Kent")
    run = types.SimpleNamespace(area=area, region=areas.region_of(area), neighbours="2025", release=release, dfe_published=True)
    shown = who_waits_sections.who_waits(run, "DfE")
    alt, words = shown[0].data, shown[1].data
    assert 'alt="Kent, 2024: children aged 11 to 15 had 22.5% of plans within 20 weeks, against 32.3% overall' in alt
    assert ("Children aged 11 to 15: 22.5% (119 of 529; 95% CI 19.1–26.2%) within 20 weeks, "
            "less often than the rest of the area (35.1%") in words
    assert "Not shown (" in words and "children" not in words.split("Not shown")[1].split(":")[0]
    hidden = re.search(r"Not shown \((\d+) groups[^)]*\): (.*)\.", words)
    assert hidden and int(hidden.group(1)) == len(hidden.group(2).split(", ethnicity ")) and not re.search(r"\d", hidden.group(2))


def test_group_words():
    assert who_waits_sections.group_words("age", "11 to 15") == "children aged 11 to 15"
    assert who_waits_sections.group_words("age", "unknown") == "children of unknown age"
    assert who_waits_sections.group_words("ethnicity", "White - Irish") == "children and young people recorded as White - Irish"


def kent_run(release):
    areas = areas_for(release)
    area = areas.get("Kent")
    return types.SimpleNamespace(area=area, region=areas.region_of(area), neighbours="2025", release=release, dfe_published=True)


def test_ceased_plans_by_reason_with_shares_of_all_ceased(release):
    """ceased_plans.csv 2024, all ceased plans: Kent 2,081, of which 102 needs met (4.9%); England 3,955 of 44,862 (8.8%)."""
    table, period = pathway_sections.ceased_table(kent_run(release))
    assert period == "2024"
    rows = table.set_index("Reason the plan ceased")
    assert tuple(rows.loc["All ceased plans"]) == ("2,081", "100.0%", "100.0%")
    assert tuple(rows.loc["Educational or training needs were met without a plan"]) == ("102", "4.9%", "8.8%")
    assert list(rows.index[-2:]) == ["Reason not recorded", "Another reason"]


def test_details_show_every_comparator_table_and_budgets(release):
    run = kent_run(release)
    details = pathway_sections.pathway_details(run)
    assert len(details) == 2 * len(pathway_sections.DETAIL_MEASURES) + 2  # and the two needs tables
    assert sum("<table" in item.data for item in details) == len(pathway_sections.DETAIL_MEASURES) + 2
    # sen_needs_all_plans.csv Kent 202425: 9,535 of 20,635 plans name autism (46.2%), the largest share
    needs = pathway_sections.needs_table(run)
    assert tuple(needs.iloc[0][["Primary need", "Kent", "Plans"]]) == ("Autistic spectrum disorder", "46.2%", "9,535 of 20,635")
    assert list(needs.columns) == ["Primary need", "Period", "Kent", "Plans", "England", "Region", "Neighbours (median)"]
    budgets = pathway_sections.ceased_and_budgets(run)[1].data
    # personal_budgets.csv 202425: Kent 64 plans with a personal budget; England 19,596
    assert "<td>Plans with a personal budget in place</td><td>2024/25</td><td>64</td><td>19,596</td>" in budgets
    assert pathway_sections.ceased_and_budgets(types.SimpleNamespace(**{**vars(run), "dfe_published": False})) == []


def test_who_waits_sets_each_group_beside_england_and_the_region(release):
    """timeliness_20_week.csv 2024, exceptions included, ages 11-15 summed: England 8,152 of 20,000 (40.8%)."""
    from analysis_helpers.analysis.who_waits import who_waits_for

    run = kent_run(release)
    groups = who_waits_sections.with_comparators(who_waits_for("Kent", "2024", release=release), run, "2024")
    row = groups[(groups["topic"] == "age") & (groups["group"] == "11 to 15")].iloc[0]
    assert row["england_pct"] == pytest.approx(100 * 8152 / 20000)
    region = who_waits_for("South East", "2024", release=release)
    theirs = region[(region["topic"] == "age") & (region["group"] == "11 to 15")].iloc[0]
    assert row["region_pct"] == pytest.approx(theirs["group_pct"]) and theirs["denominator"] > row["denominator"]
    own = who_waits_sections.with_comparators(who_waits_for("England", "2024", release=release),
                                            types.SimpleNamespace(**{**vars(run), "area": areas_for(release).get("England"),
                                                                     "region": None}), "2024")
    assert own["england_pct"].isna().all() and own["region_pct"].isna().all()  # England is not its own comparator


def test_englands_own_tables_have_no_empty_england_column(release):
    areas = areas_for(release)
    run = types.SimpleNamespace(area=areas.get("England"), region=None, neighbours="2025", release=release, dfe_published=True)
    needs = pathway_sections.needs_table(run)
    assert list(needs.columns) == ["Primary need", "Period", "England", "Plans"] and (needs["England"] != "–").all()
    budgets = pathway_sections.ceased_and_budgets(run)[1].data
    assert "<td>Plans with a personal budget in place</td><td>2024/25</td><td>19,596</td></tr>" in budgets
