"""Targets as data, the required trajectory and the outlook."""

import csv
import datetime as dt

import pandas as pd
import pytest

from analysis_helpers.analysis.outlook import build_outlook
from analysis_helpers.analysis.trajectory import gap_to_trajectory, milestones, required_value
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import RAW_DIR, TARGETS_FILE
from analysis_helpers.domain.kpis import areas_for
from analysis_helpers.domain.targets import COLUMNS, read_targets


@pytest.fixture(scope="module")
def targets():
    return {t.target_id: t for t in read_targets()}


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
    row = dict(next(csv.DictReader(open(TARGETS_FILE, encoding="utf-8"))))
    row.update(changes)
    path = tmp_path / "targets.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
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
    assert stones["milestone"].tolist() == ["3 months", "6 months", "12 months", "18 months", "target date"]
    assert stones["required"].iloc[0] == pytest.approx(13.2 + 66.8 * 92 / 458)


def test_gap_in_points_and_plans(targets):
    app = targets["app_20_weeks_80"]
    observed = pd.DataFrame({"period": ["2024"], "period_end": [pd.Timestamp("2024-12-31")], "value": [100 * 784 / 2424],
                             "numerator": [784.0], "denominator": [2424.0]})
    gap = gap_to_trajectory(app, observed).iloc[0]
    required = 13.2 + 66.8 * (dt.date(2024, 7, 1) - dt.date(2023, 6, 30)).days / 458  # compared at mid-year
    assert gap["required"] == pytest.approx(required)
    assert gap["plans_short"] == -(-required / 100 * 2424 // 1) - 784  # ceil(required share of 2,424) - 784


def test_outlook_for_kent(targets):
    kent = areas_for().get("Kent")
    outlook = build_outlook(kent, "ehcp_issued_within_20_weeks_pct", targets["kpi_2025_20_weeks_60"])
    summary = outlook.summary()
    assert summary["model"] == "rw_logit" and summary["baseline_value"] == pytest.approx(100 * 784 / 2424)
    assert 0 < summary["probability_by_target_date"] < 0.5
    assert summary["needed_per_month"] == pytest.approx((60 - 100 * 784 / 2424) / ((dt.date(2025, 12, 31) - dt.date(2024, 7, 1)).days / (365.25 / 12)))
    rows = outlook.projection_rows()
    assert rows["period"].tolist()[0] == "2025" and set(rows["target"]) == {60.0}


def test_outlook_with_too_few_points_shows_required_path_only(targets):
    outlook = build_outlook(areas_for().get("Kent"), "assessment_backlog_cases", targets["backlog_assessments_0"])
    assert outlook.projection is None and "at least 3 are needed" in outlook.note
    assert outlook.milestones["required"].iloc[-1] == 0


def test_as_of_uses_only_data_published_by_then(targets):
    kent = areas_for().get("Kent")
    outlook = build_outlook(kent, "ehcp_issued_within_20_weeks_excl_exceptions_pct", as_of=dt.date(2024, 3, 31))
    assert outlook.observed["period"].max() == "2021"
    assert outlook.projection.table["period"].iloc[0] == "2022"
    unpublished = build_outlook(kent, "ehcp_issued_within_20_weeks_pct", targets["kpi_2025_20_weeks_60"], as_of=dt.date(2024, 3, 31))
    assert "not published by 2024-03-31" in unpublished.note


def test_every_target_renders_for_a_past_review_date(targets):
    """Targets whose baseline was not yet published still give rows, sentences and titles."""
    from analysis_helpers.reporting import narrative

    kent = areas_for().get("Kent")
    for target in targets.values():
        outlook = build_outlook(kent, target.measure, target, as_of=dt.date(2024, 12, 31))
        rows = outlook.projection_rows()
        assert narrative.outlook_sentence(outlook) and narrative.outlook_title(outlook)
        if target.target_id == "kpi_2025_20_weeks_60":
            assert "not published by 2024-12-31" in outlook.note and rows["required"].isna().all()


def test_requirements_are_read_apart_from_numeric_targets(targets, tmp_path):
    from analysis_helpers.domain.targets import earliest_target, requirements_for

    areas = areas_for()
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
