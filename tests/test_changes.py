"""What changed since the last review (issue 22): changes between two hand-built status tables, the previous review's
headline.json read only when it can be trusted, and the 2025-Q3 and 2026-Q3 reviews' messages differing by what changed."""

import datetime as dt
import json
from types import SimpleNamespace

import pandas as pd
import pytest
from helpers import TARGETS

from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.data.review_headline import HEADLINE_FILE, PreviousReview, read_previous
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.run_context import Quarter
from analysis_helpers.domain.targets import Target
from analysis_helpers.reporting import changes
from analysis_helpers.reporting.key_messages import key_messages
from analysis_helpers.reporting.summary import RAG_BASIS, SUMMARY_COLUMNS, executive_summary


def table(*rows) -> pd.DataFrame:
    """A status table from ``(measure, KPI, latest, status)``."""
    records = [dict.fromkeys(SUMMARY_COLUMNS, "") | {"KPI": k, "Latest": latest, "Status": status, "Basis of status": RAG_BASIS}
               for _, k, latest, status in rows]
    return pd.DataFrame(records, columns=SUMMARY_COLUMNS, index=pd.Index([m for m, *_ in rows], name="measure"))


def previous(*rows, as_of=dt.date(2026, 6, 30)) -> PreviousReview:
    return PreviousReview([{"measure": m, "kpi": k, "latest": latest, "status": status} for m, k, latest, status in rows], as_of, "test")


def test_new_figures_status_changes_and_new_rows():
    before = previous(("a", "A (%)", "30.0% (2023)", "Red"), ("b", "B", "5 (2023)", "Improved"), ("c", "C", "1", "Met"))
    now = table(("a", "A (%)", "32.0% (2024)", "Amber (date assumed)"), ("b", "B", "5 (2023)", "Improved"),
                ("d", "D", "7", "Green"))  # c dropped, d new: neither is a change of a row
    found = changes.changes(now, [], before, dt.date(2026, 9, 30))
    assert [(c.kind, c.kpi, c.before, c.after) for c in found] == [
        (changes.NEW_FIGURE, "A (%)", "30.0% (2023)", "32.0% (2024)"),
        (changes.STATUS_CHANGED, "A (%)", "Red", "Amber"),  # the assumption the cell names is not a change of status
    ]


def test_a_target_date_between_the_two_data_dates_is_named():
    target = Target(target_id="t", area="Kent", measure="ehcp_issued_within_20_weeks_pct", unit="pct", denominator="",
                    baseline_value=30.0, baseline_date=dt.date(2024, 12, 31), baseline_source="", target_value=60.0,
                    target_date=dt.date(2025, 12, 31), date_basis="stated: test", source_title="", source_url="", quote="", row=2)
    passing = Outlook(area=None, measure=target.measure, as_of=dt.date(2025, 12, 31), observed=pd.DataFrame(
        columns=["period", "period_end", "value"]), target=target, projection=None, model=None, note="")
    found = changes.changes(table(), [passing], previous(as_of=dt.date(2025, 9, 30)), dt.date(2026, 3, 31))
    assert [(c.kind, c.before, c.after) for c in found] == [
        (changes.DATE_PASSED, "target date Dec 2025 still ahead", "target date Dec 2025 passed: No data")]
    assert found[0].kpi == "EHC plans issued within 20 weeks, exceptions included (%)"
    # on its own date a target is still live; once passed at the last review, it is not news again
    assert changes.changes(table(), [passing], previous(as_of=dt.date(2025, 9, 30)), dt.date(2025, 12, 31)) == []
    assert changes.changes(table(), [passing], previous(as_of=dt.date(2026, 3, 31)), dt.date(2026, 6, 30)) == []


def test_the_sentence_counts_and_names_what_changed():
    last = previous(as_of=dt.date(2026, 6, 30))
    assert changes.summary_sentence([], last, "2026-Q2") == (
        "Since the last review (2026-Q2, figures published by 30 June 2026): nothing changed: no new figure was loaded, "
        "no status changed and no target date passed.")
    one = [changes.Change(changes.NEW_FIGURE, "A (%)", "30.0% (2023)", "32.0% (2024)")]
    assert changes.summary_sentence(one, last, "2026-Q2") == (
        "Since the last review (2026-Q2, figures published by 30 June 2026): 1 new figure (A: 32.0% (2024), was 30.0% (2023)).")
    many = [changes.Change(changes.NEW_FIGURE, k, "1", "2") for k in "ABCD"] + [changes.Change(changes.STATUS_CHANGED, "E", "Red", "Green")]
    assert changes.summary_sentence(many, last, "2026-Q2") == (
        "Since the last review (2026-Q2, figures published by 30 June 2026): 4 new figures (A: 2, was 1; B: 2, was 1; C: 2, "
        "was 1; and more in the table), 1 status changed (E: Red to Green).")


def write(folder, record) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / HEADLINE_FILE).write_text(record if isinstance(record, str) else json.dumps(record), encoding="utf-8")


GOOD = {"area": "Kent", "code": "E10000016", "quarter": "2026-Q2", "as_of": "2026-06-30",
        "kpis": [{"measure": "m", "kpi": "K", "latest": "1", "status": "Red", "targeted": True}]}


@pytest.mark.parametrize(("record", "why"), [
    ("{not json", "could not be read (JSONDecodeError)"),
    (GOOD | {"code": "E10000012"}, "is for another area or quarter"),
    (GOOD | {"quarter": "2026-Q1"}, "is for another area or quarter"),
    (GOOD | {"as_of": "30/06/2026"}, "has no valid as_of date"),
    (GOOD | {"kpis": [{"measure": "m", "kpi": "K", "latest": 1, "status": "Red"}]}, "kpis must be records with text fields"),
    (GOOD | {"kpis": "all fine"}, "kpis must be records with text fields"),
    ([1, 2], "is for another area or quarter"),
])
def test_a_previous_headline_that_cannot_be_trusted_is_not_used(tmp_path, record, why):
    write(tmp_path, record)
    found, reason = read_previous(tmp_path / HEADLINE_FILE, "E10000016", "2026-Q2")
    assert found is None and why in reason and reason.startswith("headline.json of 2026-Q2")


def test_a_good_previous_headline_is_read(tmp_path):
    write(tmp_path, GOOD)
    found, reason = read_previous(tmp_path / HEADLINE_FILE, "E10000016", "2026-Q2")
    assert reason == "" and found.as_of == dt.date(2026, 6, 30)
    assert found.rows == [{"measure": "m", "kpi": "K", "latest": "1", "status": "Red"}]
    assert read_previous(tmp_path / "missing.json", "E10000016", "2026-Q2") == (None, "")


def run_for(release, quarter: Quarter, report_dir=None):
    areas = areas_for(release)
    return SimpleNamespace(area=areas.get("Kent"), quarter=quarter, as_of=quarter.end, release=release, targets=TARGETS,
                           local=None, report_dir=report_dir)


def test_the_previous_review_is_read_from_its_folder_beside_this_one(release, tmp_path):
    write(tmp_path / "2026-Q2" / "kent", GOOD)
    found, why = changes.previous_review(run_for(release, Quarter(2026, 3), report_dir=tmp_path / "2026-Q3" / "kent"))
    assert why == "" and found.rows[0]["kpi"] == "K" and found.source == "the 2026-Q2 review's headline.json"
    write(tmp_path / "2026-Q2" / "kent", "{broken")  # then it is computed, and the review says why the file was not used
    found, why = changes.previous_review(run_for(release, Quarter(2026, 3), report_dir=tmp_path / "2026-Q3" / "kent"))
    assert "could not be read" in why and found.source.startswith("the 2026-Q2 review, computed")


def messages_for(release, quarter: Quarter):
    run = run_for(release, quarter)
    summary, outlooks = executive_summary(run.area, run.as_of, release, TARGETS)
    last, _ = changes.previous_review(run)
    found = changes.changes(summary, outlooks, last, run.as_of)
    sentence = changes.summary_sentence(found, last, str(quarter.previous))
    return found, key_messages(run.area, outlooks, release, True, sentence)


def test_the_2025_q3_and_2026_q3_reviews_differ_by_what_changed(release):
    # the fixture release was published on 1 July 2025: 2025-Q2 had none of its figures, 2025-Q3 all of them
    assert release.published == dt.date(2025, 7, 1)
    found_2025, messages_2025 = messages_for(release, Quarter(2025, 3))
    new_2025 = [c for c in found_2025 if c.kind == changes.NEW_FIGURE]
    timeliness = next(c for c in new_2025 if c.kpi.startswith("EHC plans issued within 20 weeks, excluding exceptions"))
    # on 30 June 2025 the newest public figure was 2021's (the 2022 release); the 2025 release added 2022 to 2024
    assert timeliness.before.endswith("(2021)") and timeliness.after == "33.3% (2024)"  # 783 of 2,354
    assert messages_2025[1].section == "changes" and messages_2025[1].text.startswith(
        f"Since the last review (2025-Q2, figures published by 30 June 2025): {len(new_2025)} new figures (")
    found_2026, messages_2026 = messages_for(release, Quarter(2026, 3))
    assert found_2026 == []  # nothing was published between 30 June and 30 September 2026
    assert messages_2026[1].text.startswith("Since the last review (2026-Q2, figures published by 30 June 2026): nothing changed")
    assert messages_2025[1].text != messages_2026[1].text
    # between 2025-Q4 and 2026-Q1 the 60% target's date (31 Dec 2025) passed
    found_2026_q1, _ = messages_for(release, Quarter(2026, 1))
    assert [c.after for c in found_2026_q1 if c.kind == changes.DATE_PASSED] == [
        "target date Dec 2025 passed: Not measured since the target date"]
