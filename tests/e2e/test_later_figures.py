"""Issue 11's check on the page: Kent's 2025-Q3 review with the council's later published figures.

The feed is ``tests/fixtures/local/kent_later_figures.csv`` (Kent's feed plus 51.6% for August 2024 and 64% for
September 2024, the assessment backlog at 397 in January and 242 in February 2024) with three measures a council
might add: rows for them are written here into a copy of the feed, and catalogued in a copy of
``data/local/measures.csv`` named by ``SEND_REVIEW_COUNCIL_MEASURES`` (their values are test values, not
published figures, and never leave the test's folder).
"""

import html
import re
import shutil

import pytest
from helpers import FIXTURES_DIR, MEASURES_FILE

from analysis_helpers.core.paths import COUNCIL_MEASURES_ENV
from analysis_helpers.pipeline.report import run_quarterly

NEW_MEASURES = {
    "plan_audit_good_pct": ("EHC plans audited as good or better", "pct", [("2024-03", 58), ("2024-06", 63)]),
    "phase_transfers_on_time_pct": ("Phase transfers finalised by 15 February", "pct", [("2024-02", 71)]),
    "longest_wait_weeks": ("Longest wait for an EHC plan (weeks)", "weeks", [("2024-01", 96), ("2024-09", 61)]),
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("later")
    catalogue = folder / "measures.csv"
    shutil.copyfile(MEASURES_FILE, catalogue)
    (folder / "local").mkdir()
    feed = folder / "local" / "kent.csv"
    shutil.copyfile(FIXTURES_DIR / "local" / "kent_later_figures.csv", feed)
    with open(catalogue, "a", encoding="utf-8") as cat, open(feed, "a", encoding="utf-8") as rows:
        for name, (label, unit, figures) in NEW_MEASURES.items():
            cat.write(f'{name},{label},{unit},,"A test measure."\n')
            for period, value in figures:
                rows.write(f"{name},{period},{value},{unit},snapshot (test value),,,,Test value,https://www.kent.gov.uk/t,\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(COUNCIL_MEASURES_ENV, str(catalogue))
        index = run_quarterly(area="Kent", quarter="2025-Q3", out_dir=folder / "reports", local=folder / "local")
    return {p.name: p.read_text(encoding="utf-8") for p in index.parent.glob("*.html")}


def cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]


def rows(page: str) -> list[list[str]]:
    return [cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)]


def test_the_app_target_is_tracked_on_the_monthly_series_with_status_and_gap(pages):
    summary = [r for r in rows(pages["index.html"]) if r and r[0].endswith("(council monthly figures)")]
    assert len(summary) == 1
    kpi, latest, baseline, target, required, *_, status, _basis = summary[0]
    # the target date has passed: no required value "now"; the status names the date the source did not state
    assert (latest, baseline, target, required, status) == ("64.0% (2024-09)", "13.2% (Jun 2023)", "80.0% by Sep 2024 (date assumed)",
                                                            "", "Missed (date assumed)")
    text = html.unescape(re.sub(r"<[^>]+>", " ", pages["index.html"]))
    assert "In 2024-09 it was 16.0 percentage points below (behind) the required trajectory (80.0%)." in re.sub(r"\s+", " ", text)


def test_no_row_pairs_the_council_baseline_with_a_dfe_calendar_year(pages):
    for name, page in pages.items():
        for row in rows(page):
            if any("13.2%" in c for c in row):
                assert not any(re.search(r"%\s*\((19|20)\d\d\)", c) for c in row), (name, row)


def test_the_backlog_is_not_shown_as_met(pages):
    backlog = [r for r in rows(pages["index.html"]) if len(r) == 9 and r[0].startswith("Assessment backlog")][0]  # the status table
    assert backlog[1] == "242 (2024-02)" and backlog[-2] == "Not measured since the target date"
    assert "Met" not in backlog and "Green" not in backlog


def test_no_forecast_appears_as_an_outturn(pages):
    deficit = [r for r in rows(pages["index.html"]) if len(r) == 9 and r[0].startswith("High-needs (DSG) cumulative deficit")][0]
    assert deficit[1] == "£103m (2022-04)"  # the latest outturn; £142m for 2022/23 is a forecast
    for name, page in pages.items():
        for row in rows(page):
            if any("142" in c for c in row if "£" in c or re.fullmatch(r"[\d.,]+", c)):
                assert any("forecast" in c.lower() for c in row), (name, row)
        for sentence in re.split(r"(?<=\.)\s", html.unescape(re.sub(r"<[^>]+>", " ", page))):
            if "£142m" in sentence:
                assert "forecast" in sentence, (name, sentence)


def test_no_warning_text(pages):
    for name, page in pages.items():
        assert "Warning" not in page and 'data-mime-type="application/vnd.jupyter.stderr"' not in page, name


def test_the_new_measures_appear(pages):
    council = [r for r in rows(pages["01_baselines.html"]) if len(r) > 2]
    for label, _unit, figures in NEW_MEASURES.values():
        shown = [r for r in council if r[0] == label]
        assert [r[1] for r in shown] == [period for period, _ in figures], label
    alts = re.findall(r'alt="([^"]*)"', pages["01_baselines.html"])
    # two figures each: the latest and its direction since the one before (the title of the whole line)
    assert "Kent: EHC plans audited as good or better 63.0% in 2024-06, up from 58.0% in 2024-03, as published" in alts
    assert "Kent: longest wait for an EHC plan (weeks) 61 weeks in 2024-09, down from 96 weeks in 2024-01, as published" in alts
