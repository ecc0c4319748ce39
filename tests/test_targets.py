"""Targets as data, the required trajectory and the outlook.

Outlooks are built on the fixture releases (tests/fixtures/; the real Kent rows),
the targets and Kent's local feed are the shipped files.
"""

import csv
import datetime as dt

import pandas as pd
import pytest
from helpers import TARGETS

from analysis_helpers.analysis.outlook import build_outlook
from analysis_helpers.analysis.projection import project
from analysis_helpers.analysis.trajectory import gap_to_trajectory, milestones, required_value
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import RAW_DIR
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.targets import COLUMNS, OPTIONAL_COLUMNS, read_targets


@pytest.fixture(scope="module")
def targets():
    return {t.target_id: t for t in read_targets()}


@pytest.fixture(scope="module")
def release(release_fixture_history):
    """Every outlook here reads 2014-2018 from the fixture of the 2022 release."""
    return release_fixture_history


@pytest.fixture(scope="module")
def kent(release):
    return areas_for(release).get("Kent")


def test_shipped_targets_trace_to_the_raw_rows(targets):
    raw = list(csv.DictReader(open(RAW_DIR / "kent_published_kpis.csv", encoding="utf-8-sig")))
    app = targets["app_20_weeks_80"]
    assert app.baseline_source.startswith("raw/kent_published_kpis.csv line 5")
    assert float(raw[5 - 2]["value"]) == app.baseline_value == 13.2 and raw[3]["period"] == "2023-06"
    backlog = targets["backlog_assessments_0"]
    assert float(raw[11 - 2]["value"]) == backlog.baseline_value == 1080
    raw_targets = list(csv.DictReader(open(RAW_DIR / "targets.csv", encoding="utf-8-sig")))
    assert {r["target_value"] for r in raw_targets if r["measure"] == "ehcp_issued_within_20_weeks_pct"} >= {"80", "60"}
    assert app.date_assumed and not targets["kpi_2025_20_weeks_60"].date_assumed
    assert targets["app_mainstream_80_all_plans"].denominator.startswith("all plans")
    assert targets["app_mainstream_80_new_plans"].denominator.startswith("new plans")


def write(tmp_path, **changes):
    row = dict(next(csv.DictReader(open(TARGETS, encoding="utf-8"))))
    row.update(changes)
    path = tmp_path / "targets.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, *OPTIONAL_COLUMNS])
        writer.writeheader()
        writer.writerow(row)
    return path


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"measure": "calc2"}, "row 2, column 'measure': unknown measure 'calc2'; valid measures: ehcp_issued_within_20_weeks_pct"),
        ({"target_value": "120"}, "row 2, column 'target_value': 120 is outside 0-100 for a percentage measure"),
        ({"baseline_value": "-3"}, "row 2, column 'baseline_value': -3 is outside 0-100"),
        ({"target_date": "2023-01-01"}, "row 2, column 'target_date': 2023-01-01 is not after the baseline date 2023-06-30"),
        ({"target_date": "Dec 2024"}, "row 2, column 'target_date': 'Dec 2024' is not a date written YYYY-MM-DD"),
        ({"target_value": "eighty"}, "row 2, column 'target_value': 'eighty' is not a number"),
        ({"date_basis": "probably end of 2024"}, "row 2, column 'date_basis': 'probably end of 2024' does not begin with "
                                                  "'stated:' or 'assumed:' (was the target date stated by the source?)"),
        ({"date_basis": ""}, "row 2, column 'date_basis': '' does not begin with 'stated:' or 'assumed:'"),
    ],
)
def test_bad_target_rows_are_one_line_errors(tmp_path, changes, message):
    with pytest.raises(DataValidationError) as info:
        read_targets(write(tmp_path, **changes))
    assert str(info.value) == f"targets.csv: {message}" or str(info.value).startswith(f"targets.csv: {message}")
    assert "\n" not in str(info.value)


def test_required_trajectory_linear_and_logit(targets):
    app = targets["app_20_weeks_80"]  # 13.2% on 2023-06-30 to 80% on 2024-09-30 (458 days)
    halfway = dt.date(2023, 6, 30) + dt.timedelta(days=229)
    assert required_value(app, halfway) == pytest.approx((13.2 + 80) / 2)
    assert required_value(app, dt.date(2022, 1, 1)) == 13.2 and required_value(app, dt.date(2030, 1, 1)) == 80
    assert required_value(app, halfway, "logit") < required_value(app, halfway)
    stones = milestones(app)
    # data/milestones.csv: Kent's review points 3, 6, 12 and 18 months after the improvement notice
    # (2023-03-31). The 3-month point (2023-06-30) is the baseline date itself, so it is not a milestone;
    # 6 months = 2023-09-30 (92 days after the baseline), 12 = 2024-03-31 (275), 18 = the target date.
    assert stones["milestone"].tolist() == ["6 months", "12 months", "18 months", "target date"]
    assert stones["date"].tolist() == [dt.date(2023, 9, 30), dt.date(2024, 3, 31), dt.date(2024, 9, 30), dt.date(2024, 9, 30)]
    assert stones["required"].tolist() == pytest.approx([13.2 + 66.8 * 92 / 458, 13.2 + 66.8 * 275 / 458, 80, 80])


def test_gap_in_points_and_plans(targets):
    app = targets["app_20_weeks_80"]
    observed = pd.DataFrame({"period": ["2024"], "period_end": [pd.Timestamp("2024-12-31")], "value": [100 * 784 / 2424],
                             "numerator": [784.0], "denominator": [2424.0]})
    gap = gap_to_trajectory(app, observed).iloc[0]
    required = 13.2 + 66.8 * (dt.date(2024, 7, 1) - dt.date(2023, 6, 30)).days / 458  # compared at mid-year
    assert gap["required"] == pytest.approx(required)
    assert gap["plans_short"] == -(-required / 100 * 2424 // 1) - 784  # ceil(required share of 2,424) - 784


def test_outlook_for_kent(targets, kent, release):
    # timeliness_20_week.csv, Kent 2024 all plans: 784 of 2424 within 20 weeks.
    # read before the target date (31 Dec 2025), after the 2025 release: after it, no probability is given
    outlook = build_outlook(kent, "ehcp_issued_within_20_weeks_pct", targets["kpi_2025_20_weeks_60"], release=release, model="rw_logit",
                            as_of=dt.date(2025, 9, 30))
    summary = outlook.summary()
    assert summary["model"] == "rw_logit" and summary["baseline_value"] == pytest.approx(100 * 784 / 2424)
    assert 0 < summary["probability_by_target_date"] < 0.5
    assert summary["needed_per_month"] == pytest.approx((60 - 100 * 784 / 2424)
                                                        / ((dt.date(2025, 12, 31) - dt.date(2024, 7, 1)).days / (365.25 / 12)))
    rows = outlook.projection_rows()
    assert rows["period"].tolist()[0] == "2025" and set(rows["target"]) == {60.0}


def test_outlook_with_too_few_points_shows_required_path_only(targets, kent, release):
    outlook = build_outlook(kent, "assessment_backlog_cases", targets["backlog_assessments_0"], release=release)
    assert outlook.projection is None and "1 council figure(s): at least 6 are needed" in outlook.note
    assert outlook.milestones["required"].iloc[-1] == 0


def test_as_of_uses_only_data_published_by_then(targets, kent, release):
    # The 2025 release was public on 2025-07-01, the 2022 one on 2023-03-27 (tests/fixtures/README.md).
    outlook = build_outlook(kent, "ehcp_issued_within_20_weeks_excl_exceptions_pct", as_of=dt.date(2024, 3, 31), release=release)
    assert outlook.observed["period"].max() == "2021"
    assert outlook.projection.table["period"].iloc[0] == "2022"
    unpublished = build_outlook(kent, "ehcp_issued_within_20_weeks_pct", targets["kpi_2025_20_weeks_60"],
                                as_of=dt.date(2024, 3, 31), release=release)
    assert "not published by 2024-03-31" in unpublished.note


MONTH = 365.25 / 12  # days: the outlook's month


def test_every_target_renders_for_a_past_review_date(targets, kent, release):
    """At 2024-12-31 only the 2022 release (2014-2021) and the council's figures were public.

    Every value below is worked out by hand from sen2_mi.csv (Kent 2021: IncExc20weekEHC
    1189 of TotIncExcEHC 2882 = 41.26%), data/targets.csv and data/local/kent.csv.
    """
    from analysis_helpers.reporting import narrative

    outlooks = {t.target_id: build_outlook(kent, t.measure, t, as_of=dt.date(2024, 12, 31), release=release) for t in targets.values()}
    assert set(outlooks) == {"app_20_weeks_80", "kpi_2025_20_weeks_60", "app_mainstream_80_all_plans",
                             "app_mainstream_80_new_plans", "backlog_assessments_0", "safety_valve_deficit_0"}
    latest_2021 = 100 * 1189 / 2882

    # APP 80% by 2024-09-30 from 13.2% on 2023-06-30 (458 days), tracked on the council's monthly figures (kent.csv):
    # 45% (2022-05), 13.2% (2023-06), 2.3% (2023-08); a monthly figure is compared at its period's end.
    app = outlooks["app_20_weeks_80"]
    assert app.observed["value"].tolist() == [45.0, 13.2, 2.3] and app.model is None  # 3 monthly figures: too few to project
    assert app.gap["required"].iloc[-1] == pytest.approx(13.2 + 66.8 * 62 / 458)  # 31 Aug 2023: 22.2%
    # the target date (30 Sep 2024) has passed by 31 Dec 2024 with no figure after it: what it takes a month to a date
    # already gone, and a probability of meeting it, are not given
    assert pd.isna(app.summary()["needed_per_month"]) and pd.isna(app.summary()["probability_by_target_date"])
    sentence = narrative.outlook_sentence(app)
    assert sentence.startswith("Latest: 2.3% (2023-08). Target: 80.0% by September 2024 (date assumed; all plans issued). "
                               "In 2023-08 it was 19.9 percentage points below (behind) the required trajectory (22.2%).")
    assert "It takes a rise" not in sentence
    assert ("The target date has passed and no figure for a period ending on or after it is loaded, so no probability or "
            "projected date is given.") in sentence
    assert narrative.outlook_title(app).startswith("Kent: 2.3% in 2023-08; target 80.0% by Sep 2024")

    # KPI 60% by 2025-12-31: its baseline (DfE 2024) was not public, so no required path.
    kpi = outlooks["kpi_2025_20_weeks_60"]
    assert "not published by 2024-12-31" in kpi.note and kpi.projection_rows()["required"].isna().all()
    assert kpi.summary()["needed_per_month"] == pytest.approx((60 - latest_2021)
                                                              / ((dt.date(2025, 12, 31) - dt.date(2021, 7, 1)).days / MONTH))
    assert narrative.outlook_sentence(kpi).startswith("Latest: 41.3% (2021). "
                                                      "Target: 60.0% by December 2025 (date stated; all plans issued).")

    # Mainstream shares come only from the 2025 release: nothing was public.
    for target_id, measure in (("app_mainstream_80_all_plans", "ehcp_caseload_mainstream_pct"),
                               ("app_mainstream_80_new_plans", "new_ehcp_mainstream_pct")):
        outlook = outlooks[target_id]
        assert outlook.latest is None and outlook.projection_rows().empty
        assert narrative.outlook_sentence(outlook) == f"No {measure} figures for Kent were published by the review date."
        assert narrative.outlook_title(outlook) == "Kent: no published figures"

    # Backlog: 1,080 in 2023-09 (kent.csv row 11) to 0 by 2024-04-30: 1080 / (213 days / MONTH) = 154 a month.
    backlog = outlooks["backlog_assessments_0"]
    assert narrative.outlook_sentence(backlog) == (
        "Latest: 1,080 (2023-09). Target: 0 by April 2024 (date stated; population as published). In 2023-09 it was on the "
        "required trajectory (1,080). The target date has passed and no figure for a period ending on or after it is "
        "loaded, so no probability or projected date is given. 1 council figure(s): at least 6 are needed for a projection."
    )
    assert narrative.outlook_title(backlog) == "Kent: 1,080 in 2023-09; target 0 by Apr 2024"

    # Safety valve: the £147m and £142m for 2022/23 are forecasts (kent.csv rows 40-41), never outturns; the latest
    # outturn is £103m (April 2022 snapshot, row 39). Required path from £97m on 2022-03-31 to £0m on 2028-03-31
    # (2192 days): at 2022-04-30, 97 x (1 - 30/2192) = £95.7m.
    deficit = outlooks["safety_valve_deficit_0"]
    assert 142.0 not in deficit.observed["value"].tolist()
    required = 97 * (1 - 30 / 2192)
    assert deficit.summary()["gap_pp"] == pytest.approx(103 - required)
    sentence = narrative.outlook_sentence(deficit)
    assert sentence.startswith("Latest: £103m (2022-04). Target: £0m by March 2028 (date stated; cumulative DSG high-needs deficit). "
                               "In 2022-04 it was £7.3m above (behind) the required trajectory (£96m).")
    assert narrative.outlook_title(deficit).startswith("Kent: £103m in 2022-04; target £0m by Mar 2028")


def test_projected_deficit_is_not_clipped_to_a_percentage(targets, kent, release):
    # Kent's feed holds too few deficit outturns for a projection (at least 6 council figures are needed) ...
    deficit = build_outlook(kent, "high_needs_deficit_gbp_m", targets["safety_valve_deficit_0"],
                            as_of=dt.date(2024, 12, 31), release=release)
    assert deficit.projection is None and "at least 6 are needed" in deficit.note
    # ... so the unit rule is checked on six made-up £m figures rising 20 a year from 60 to 160: a £m projection
    # goes above 100 and keeps an interval.
    ends = pd.to_datetime([f"{y}-03-31" for y in range(2017, 2023)])
    series = pd.DataFrame({"period": [str(d.year) for d in ends], "period_end": ends, "value": [60.0, 80, 100, 120, 140, 160],
                           "numerator": float("nan"), "denominator": float("nan")})
    rows = project(series, "linear_pct", unit="gbp_m").table
    assert (rows["pi95_high"] > rows["pi95_low"]).all() and rows["value_projected"].iloc[0] == pytest.approx(180.0, abs=1.0)


def test_requirements_are_read_apart_from_numeric_targets(targets, tmp_path, release):
    from analysis_helpers.domain.targets import earliest_target, requirements_for

    areas = areas_for(release)
    kent = areas.get("Kent")
    requirements = requirements_for(kent.code, areas.get)
    assert [r.target_id for r in requirements] == ["casework_team_in_place"]
    assert requirements[0].target_value is None and requirements[0].target_date == dt.date(2023, 9, 30)
    assert "casework_team_in_place" not in targets  # read_targets returns numeric targets only
    raw = list(csv.DictReader(open(RAW_DIR / "targets.csv", encoding="utf-8-sig")))
    assert raw[14 - 2]["measure"] == "send_casework_capacity" and raw[14 - 2]["target_date"].startswith("2023-09")
    assert requirements_for(areas.get("Essex").code, areas.get) == []
    first = earliest_target(list(targets.values()), "ehcp_issued_within_20_weeks_pct")
    assert first.target_id == "app_20_weeks_80" and first.target_value == 80
