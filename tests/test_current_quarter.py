"""Issue 15: the default quarter is the last completed one on the run date; stale DfE data and council feeds are said plainly."""

import datetime as dt
import logging

import pandas as pd
import pytest
from helpers import SHIPPED_RELEASE

from analysis_helpers.core import vintage
from analysis_helpers.core.errors import ParameterError
from analysis_helpers.data.provenance import newest_release
from analysis_helpers.data.release import open_release
from analysis_helpers.pipeline.logs import configure_console
from analysis_helpers.pipeline.manifest import build_manifest
from analysis_helpers.pipeline.review_dates import (
    Quarter,
    last_completed_quarter,
    resolve_run_parameters,
    warn_if_feed_stale,
)
from analysis_helpers.reporting.sources import (
    feed_line,
    feed_staleness,
    release_line,
    release_staleness,
    vintage_table,
)

RUN_DATE = dt.date(2026, 11, 28)


# -- the run date: one place reads it, and SEND_REVIEW_TODAY fixes it -------------------
def test_today_honours_the_environment(monkeypatch):
    monkeypatch.setenv(vintage.TODAY_ENV, "2026-11-28")
    assert vintage.today() == RUN_DATE
    monkeypatch.setenv(vintage.TODAY_ENV, "28/11/2026")
    with pytest.raises(ParameterError, match="SEND_REVIEW_TODAY must be a date written YYYY-MM-DD, got '28/11/2026'"):
        vintage.today()
    monkeypatch.delenv(vintage.TODAY_ENV)
    assert vintage.today() == dt.date.today()


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (dt.date(2026, 11, 28), Quarter(2026, 3)),
        (dt.date(2026, 10, 1), Quarter(2026, 3)),
        (dt.date(2026, 9, 30), Quarter(2026, 2)),
        (dt.date(2026, 1, 1), Quarter(2025, 4)),
        (dt.date(2026, 3, 31), Quarter(2025, 4)),
        (dt.date(2026, 4, 1), Quarter(2026, 1)),
    ],
)
def test_last_completed_quarter(day, quarter):
    assert last_completed_quarter(day) == quarter


def test_the_default_quarter_follows_the_run_date_not_the_release(monkeypatch):
    monkeypatch.setenv(vintage.TODAY_ENV, "2026-11-28")
    assert resolve_run_parameters(None, None, warn=False) == (Quarter(2026, 3), dt.date(2026, 9, 30))
    # --quarter and --as-of still override
    assert resolve_run_parameters("2025-Q3", "2025-09-30", warn=False) == (Quarter(2025, 3), dt.date(2025, 9, 30))


def test_the_manifest_records_the_run_date_and_the_resolved_quarter(monkeypatch):
    monkeypatch.setenv(vintage.TODAY_ENV, "2026-11-28")
    quarter, day = resolve_run_parameters(None, None, warn=False)
    manifest = build_manifest({"quarter": str(quarter), "as_of": day.isoformat()}, quarter, open_release().path,
                              dt.datetime(2026, 11, 28, 6, 0, tzinfo=dt.UTC), {})
    assert (manifest["run_date"], manifest["quarter"], manifest["parameters"]["as_of"]) == ("2026-11-28", "2026-Q3", "2026-09-30")


# -- when the next DfE release is due: one rule, from the data log ---------------------
def test_the_next_release_is_due_the_june_after_the_newest_was_published(tmp_path):
    log = tmp_path / "README.md"  # the data log's own line format, for two releases
    log.write_text("- release: education-health-and-care-plans_2022.zip published: 2023-03-27\n"
                   "- release: education-health-and-care-plans_2025.zip published: 2025-07-01\n")
    assert newest_release(log_path=log) == ("education-health-and-care-plans_2025.zip", dt.date(2025, 7, 1))
    assert newest_release(dt.date(2025, 6, 30), log) == ("education-health-and-care-plans_2022.zip", dt.date(2023, 3, 27))
    assert newest_release(dt.date(2023, 3, 26), log) is None
    assert newest_release(dt.date(2025, 6, 30))[1] <= dt.date(2025, 6, 30)  # the project's own data log reads too
    assert vintage.next_release_due(dt.date(2025, 7, 1)) == dt.date(2026, 6, 1)
    assert vintage.next_release_due(dt.date(2023, 3, 27)) == dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("newest", "as_of", "months", "expected"),
    [
        (dt.date(2025, 7, 1), dt.date(2026, 7, 1), 12, False),  # exactly 12 months: not more
        (dt.date(2025, 7, 1), dt.date(2026, 7, 2), 12, True),
        (dt.date(2025, 10, 31), dt.date(2026, 4, 30), 6, False),
        (dt.date(2025, 10, 31), dt.date(2026, 5, 1), 6, True),
        (None, dt.date(2026, 5, 1), 6, True),
    ],
)
def test_stale_means_more_than_so_many_months_before_the_data_date(newest, as_of, months, expected):
    assert vintage.stale(newest, as_of, months) is expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2023, 3, 31), 3, dt.date(2023, 6, 30)),  # June has 30 days
        (dt.date(2023, 3, 31), 11, dt.date(2024, 2, 29)),  # a leap February
        (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),
        (dt.date(2022, 8, 31), 6, dt.date(2023, 2, 28)),
        (dt.date(2025, 11, 15), 1, dt.date(2025, 12, 15)),  # into December
        (dt.date(2025, 12, 31), 1, dt.date(2026, 1, 31)),  # across the year end
        (dt.date(2026, 4, 30), -6, dt.date(2025, 10, 30)),  # back: the same day, October being longer
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 31), -13, dt.date(2024, 12, 31)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2024, 5, 17), 0, dt.date(2024, 5, 17)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(day, months, expected):
    assert vintage.add_months(day, months) == expected


def test_a_release_over_a_year_old_at_the_data_date_is_flagged():
    note = release_staleness(dt.date(2026, 9, 30))
    assert "published in July 2025" in note and "the June 2026 release is expected but missing" in note
    assert '"Add the next DfE release"' in note
    assert release_staleness(dt.date(2025, 9, 30)) is None
    assert release_staleness(dt.date(2026, 7, 1)) is None


def test_the_release_line_says_when_the_next_is_expected():
    release = open_release()
    assert release_line(release, dt.date(2025, 9, 30)).endswith("the next release is expected in June 2026.")
    late = release_line(release, dt.date(2026, 9, 30))
    assert "the release published in July 2025" in late and "the June 2026 release is expected but missing" in late
    assert "after this review's data date" in release_line(release, dt.date(2025, 3, 31))


def feed(*periods):
    ends = [pd.Period(p, "M").end_time.normalize() for p in periods]
    return pd.DataFrame({"period": list(periods), "period_end": ends})


def test_a_council_feed_over_six_months_old_is_flagged():
    rows = feed("2025-09", "2025-10", "2026-10")
    # the newest figure counted is the newest for a period ended by the data date (2026-10 has not)
    assert "period ending 31 October 2025" in feed_line(rows, "Kent", dt.date(2026, 4, 30))
    assert feed_staleness(rows, "Kent", dt.date(2026, 4, 30)) is None
    note = feed_staleness(rows, "Kent", dt.date(2026, 9, 30))
    assert "Kent's newest council figure is for the period ending 31 October 2025" in note
    assert '"Add a month of local figures"' in note
    assert feed_staleness(pd.DataFrame(), "Kent", dt.date(2026, 9, 30)) is None  # no feed: nothing to be stale


def test_a_feed_with_nothing_ended_by_the_data_date_is_said_plainly(caplog):
    """Issue 24: the sentence read "newest council figure is for no period ended by then, more than 6 months before"."""
    rows = feed("2025-10", "2025-11")  # every figure is for a period after the data date
    expected = ("Kent's council feed has no figure for a period ended by this review's data date (30 September 2025). "
                'To add figures, follow the README\'s guide "Add a month of local figures".')
    assert feed_staleness(rows, "Kent", dt.date(2025, 9, 30)) == expected
    with caplog.at_level(logging.WARNING, logger="analysis_helpers"):
        assert warn_if_feed_stale(rows, "Kent", dt.date(2025, 9, 30)) == expected
    assert [r.getMessage() for r in caplog.records] == [f"stale data: {expected}"]


def test_the_vintage_table_names_each_sections_data():
    table = vintage_table(open_release(SHIPPED_RELEASE), feed("2025-10"), "Kent", dt.date(2026, 9, 30))
    dfe = table.iloc[0]
    assert dfe["Data"] == "DfE release education-health-and-care-plans_2025.zip" and dfe["Published"] == "1 July 2025"
    assert dfe["Next expected"] == "the June 2026 release is expected but missing from data/raw/"
    assert table.iloc[-1]["Published"] == "newest figure for the period ending 31 October 2025"


def test_a_stale_release_is_one_warning_line_on_stderr_not_a_failure(monkeypatch, capsys):
    monkeypatch.setenv(vintage.TODAY_ENV, "2026-11-28")
    configure_console("default")
    try:
        assert resolve_run_parameters(None, None) == (Quarter(2026, 3), dt.date(2026, 9, 30))
        err = capsys.readouterr().err.splitlines()
        assert len([line for line in err if "stale data" in line]) == 1
        assert err[0].startswith("send-review: WARNING: stale data: The newest DfE release stored, "
                                 "education-health-and-care-plans_2025.zip, was published in July 2025")
        resolve_run_parameters("2025-Q3", "2025-09-30")
        assert "stale data" not in capsys.readouterr().err
    finally:
        configure_console("default")
        logging.captureWarnings(False)
