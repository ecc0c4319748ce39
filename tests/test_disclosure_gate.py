"""One disclosure gate (issue 24): a council figure under the thresholds reaches no output, however it is shown.

Kent's newest 20-week figures were 2 of 7 (July 2025) and 3 of 8 (August 2025), and its newest backlog 3 cases: the
baselines page suppressed them, but the executive summary, its target sentence and ``headline.json`` printed
"37.5% (2025-08)". Every output that shows a council series reads it through
:func:`analysis_helpers.analysis.outlook.observed_series`, which applies the one rule
(:func:`analysis_helpers.core.small_numbers.figure_hidden`).
"""

import datetime as dt
import shutil

import pandas as pd
import pytest
from helpers import FIXTURE_RELEASE, FIXTURES_DIR

from analysis_helpers.analysis.outlook import build_outlook, observed_series
from analysis_helpers.core.small_numbers import SMALL_COUNT_SHOWN, figure_hidden, rate_hidden
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.targets import read_targets
from analysis_helpers.reporting import disclosure
from analysis_helpers.reporting.narrative import outlook_sentence, outlook_title
from analysis_helpers.reporting.summary import executive_summary, headline

SOURCE = "KCC test figure,https://www.kent.gov.uk/t,"
SMALL = [
    f"ehcp_issued_within_20_weeks_pct,2025-07,28.6,pct,monthly,2,7,,{SOURCE}",
    f"ehcp_issued_within_20_weeks_pct,2025-08,37.5,pct,monthly,3,8,,{SOURCE}",
    f"assessment_backlog_cases,2025-08,3,count,snapshot,,,,{SOURCE}",
]
TARGETS = """target_id,area,measure,denominator,series,baseline_value,baseline_date,baseline_source,\
target_value,target_date,date_basis,source_title,source_url,quote
app_20_weeks_80,886,ehcp_issued_within_20_weeks_pct,all plans issued,council,13.2,2023-06-30,a council monthly figure,80,2026-09-30,\
assumed: for the test,Test,https://www.kent.gov.uk/t,80 per cent
backlog_zero,886,assessment_backlog_cases,,council,,2024-01-31,,0,2026-03-31,assumed: for the test,Test,https://www.kent.gov.uk/t,no backlog
"""


@pytest.fixture
def small_feed(tmp_path):
    feed = tmp_path / "kent.csv"
    shutil.copyfile(FIXTURES_DIR / "local" / "kent_later_figures.csv", feed)
    with open(feed, "a", encoding="utf-8") as handle:
        handle.write("\n".join(SMALL) + "\n")
    targets = tmp_path / "targets.csv"
    targets.write_text(TARGETS, encoding="utf-8")
    return feed, targets


def test_the_rule():
    assert figure_hidden("pct", 37.5, 3, 8) == "denominator under 10"
    assert figure_hidden("pct", 40.0, 4, 10) == "numerator under 5"  # with the denominator it gives the count away
    assert figure_hidden("pct", 50.0, 5, 10) == ""
    assert figure_hidden("count", 3, None, None) == "count under 5"
    assert figure_hidden("count", 0, None, None) == ""  # 0 discloses nothing
    assert figure_hidden("gbp_m", 3, None, None) == ""  # pounds are no count of people
    # the edges: 9 plans is under 10, 10 is not; 1 and 4 are small counts, 0 and 5 are not; a missing denominator
    # hides nothing by itself
    assert rate_hidden(9, 9) == "denominator under 10" and rate_hidden(9, 10) == ""
    assert [rate_hidden(x, 20) for x in (0, 1, 4, 5)] == ["", "numerator under 5", "numerator under 5", ""]
    assert rate_hidden(2, float("nan")) == "numerator under 5" and rate_hidden(float("nan"), float("nan")) == ""
    assert SMALL_COUNT_SHOWN == "<5"


def test_tables_apply_the_rule_and_say_what_they_did():
    nan = float("nan")
    rows = pd.DataFrame({
        "unit": ["count", "count", "pct", "pct", "pct", "pct", "gbp_m"],
        "value": [3.0, 0.0, 37.5, 40.0, 50.0, 0.0, 3.0],
        "numerator": [nan, nan, 3.0, 4.0, 5.0, 0.0, nan],
        "denominator": [nan, nan, 8.0, 10.0, 10.0, 12.0, nan],
        "ci_low": [nan, nan, 13.7, 16.8, 23.7, 0.0, nan],
        "ci_high": [nan, nan, 69.4, 68.7, 76.3, 24.2, nan],
    })
    shown = disclosure.apply(rows)
    assert shown["disclosure"].tolist() == ["small count shown as <5", "", "rate suppressed: denominator under 10",
                                            "rate suppressed: numerator under 5", "", "", ""]
    assert shown["value"].tolist() == ["<5", 0.0, "suppressed", "suppressed", 50.0, 0.0, 3.0]
    assert shown.loc[2, ["numerator", "denominator", "ci_low", "ci_high"]].tolist() == ["suppressed"] * 4  # 3 of 8: all of it
    assert shown.loc[3, ["numerator", "denominator", "ci_low", "ci_high"]].tolist() == ["<5", 10.0, "suppressed", "suppressed"]
    assert shown.loc[5, ["numerator", "denominator"]].tolist() == [0.0, 12.0]  # 0 of 12 discloses nothing
    assert disclosure.plottable(rows).index.tolist() == [1, 4, 5, 6]


def test_the_series_ends_at_the_last_figure_that_may_be_shown(small_feed):
    feed, _ = small_feed
    release = open_release(FIXTURE_RELEASE)
    kent = areas_for(release).get("Kent")
    series = observed_series(kent, "ehcp_issued_within_20_weeks_pct", dt.date(2025, 9, 30), release=release, local=feed, basis="local")
    assert series["period"].iloc[-1] == "2024-09" and series["value"].iloc[-1] == 64.0  # kent_later_figures.csv
    assert series.attrs["hidden"] == 2 and "2025-08" not in set(series["period"])
    backlog = observed_series(kent, "assessment_backlog_cases", dt.date(2025, 9, 30), release=release, local=feed)
    assert backlog["period"].iloc[-1] == "2024-02" and backlog["value"].iloc[-1] == 242 and backlog.attrs["hidden"] == 1


def test_no_summary_row_sentence_title_or_headline_shows_them(small_feed):
    feed, targets = small_feed
    release = open_release(FIXTURE_RELEASE)
    kent = areas_for(release).get("Kent")
    summary, outlooks = executive_summary(kent, dt.date(2025, 9, 30), release, targets, local=feed)
    app = summary[summary["KPI"].str.endswith("(council monthly figures)")].iloc[0]
    assert app["Latest"] == "64.0% (2024-09)"
    backlog = summary[summary["KPI"].str.startswith("Assessment backlog")].iloc[0]
    assert backlog["Latest"] == "242 (2024-02)"
    texts = [str(headline(summary)), summary.to_string()]
    for target in read_targets(targets):
        outlook = build_outlook(kent, target.measure, target, as_of=dt.date(2025, 9, 30), release=release, local=feed)
        texts += [outlook_sentence(outlook), outlook_title(outlook), outlook.note]
        assert "under the disclosure thresholds" in outlook.note
    for text in texts:
        assert "37.5" not in text and "28.6" not in text and "2025-08" not in text and "2025-07" not in text, text
