"""Issue 12's independent check: cut the release's latest year, project it, score against what DfE published.

A copy of the real release whose timeliness file has lost its 2024 rows (the
file the 20-week measure is read from) is all the package sees: the default
model is chosen by a backtest of that copy (2020-2023, nothing of 2024), every
LA with three or more years is projected one year on from its years up to
2023, and the intervals are scored here, with csv and arithmetic written out in
this file, against the 2024 figures in the real release.

Goals (issue 12): 80% coverage between 0.65 and 0.95 and a mean 80% interval
(Winkler) score at most 0.85 x 73.9 (``rw_logit``'s, measured when the issue
was filed); and, issue 12's MAE goal applied to 2024 alone, a mean absolute error
at most 0.95 x that of "same as 2023".
"""

import csv
import io
import zipfile

import pytest
from helpers import SHIPPED_RELEASE

from analysis_helpers.analysis.backtest import backtest, choose_default
from analysis_helpers.analysis.leading import with_leading
from analysis_helpers.analysis.panel import fit_panel
from analysis_helpers.analysis.projection import TooFewPoints, pooled_innovation_variance, project
from analysis_helpers.core.paths import HISTORIC_RELEASE
from analysis_helpers.data.release import Release, open_release
from analysis_helpers.domain.history import timeliness_history

HEADLINE = "ehcp_issued_within_20_weeks_excl_exceptions_pct"
MEMBER = "data/timeliness_20_week.csv"
RW_LOGIT_2024_WINKLER = 73.9

pytestmark = pytest.mark.slow


def cut_latest_year(source, target, year: bytes = b"2024"):
    """The release with the timeliness file's rows of ``year`` removed; every other byte as published."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in archive.infolist():
            data = archive.read(item.filename)
            if item.filename == MEMBER:
                lines = data.splitlines(keepends=True)
                data = b"".join([lines[0], *(line for line in lines[1:] if not line.startswith(year + b","))])
            out.writestr(item, data)
    return target


def published_2024() -> dict[str, float]:
    """Each LA's 2024 share of plans (excluding exceptions) issued within 20 weeks, from the raw rows."""
    with zipfile.ZipFile(SHIPPED_RELEASE) as archive:
        rows = csv.DictReader(io.StringIO(archive.read(MEMBER).decode("utf-8-sig")))
        shares = {}
        for r in rows:
            if r["time_period"] == "2024" and r["geographic_level"] == "Local authority" and r["breakdown_topic"] == "All EHC plans issued":
                if r["plans_issued_den_ex"].isdigit() and r["plans_issued_20_weeks_ex"].isdigit() and int(r["plans_issued_den_ex"]) > 0:
                    shares[r["new_la_code"]] = 100 * int(r["plans_issued_20_weeks_ex"]) / int(r["plans_issued_den_ex"])
    return shares


@pytest.fixture(scope="module")
def check(tmp_path_factory):
    cut = Release(cut_latest_year(SHIPPED_RELEASE, tmp_path_factory.mktemp("cut") / "release.zip"), cache=False)
    historic = open_release(HISTORIC_RELEASE)
    chosen = choose_default(backtest(HEADLINE, release=cut, historic=historic, horizons=(1,)))
    history = timeliness_history(HEADLINE, release=cut, historic=historic)
    las = history[history["geographic_level"] == "Local authority"].dropna(subset=["value"])
    assert las["period"].max() == "2023"
    las = with_leading(las, cut)  # each year's leading indicators (for panel_ar1_leading_logit): none later than 2023
    pooled, fit = pooled_innovation_variance(las), fit_panel(las)
    actual = published_2024()
    scores = []
    for code, series in las.groupby("area_code"):
        if code not in actual:
            continue
        try:
            row = project(series, chosen, horizon="2024-12-31", pooled_variance=pooled, panel_fit=fit).table.iloc[-1]
        except TooFewPoints:
            continue
        assert row["period"] == "2024"
        low, high, y = row["pi80_low"], row["pi80_high"], actual[code]
        outside = max(low - y, 0) + max(y - high, 0)
        scores.append((low <= y <= high, (high - low) + 2 / 0.2 * outside, abs(row["value_projected"] - y),
                       abs(series.sort_values("period_end")["value"].iloc[-1] - y)))
    return chosen, scores


def test_the_2024_check_covers_every_la_and_its_80_percent_coverage_is_honest(check):
    chosen, scores = check
    coverage = sum(inside for inside, *_ in scores) / len(scores)
    assert len(scores) >= 140  # the LAs with a published 2024 figure and three earlier years
    assert 0.65 <= coverage <= 0.95, f"{chosen}: 80% coverage {coverage:.2f}"
    # and the default's intervals score better than rw_logit's did when the issue was filed
    assert sum(score for _, score, *_ in scores) / len(scores) < RW_LOGIT_2024_WINKLER


def test_the_2024_check_beats_same_as_last_year_by_issue_12s_margin(check):
    # issue 12's MAE goal (at most 0.95 x "same as last year"), here on 2024 alone: reached with 0.885 by panel_ar1_quantile_logit
    chosen, scores = check
    mae, naive = (sum(s[i] for s in scores) / len(scores) for i in (2, 3))
    assert mae <= 0.95 * naive, f"{chosen}: MAE {mae:.2f} against naive {naive:.2f}"


@pytest.mark.xfail(strict=True, reason="issue 12 goal not reached: the chosen model's (panel_ar1_quantile_logit) "
                   "mean 80% interval score for 2024 is 68.3, "
                   "above 0.85 x 73.9 = 62.8 (see the issue's closing table); strict, so reaching it turns this red until it is unmarked")
def test_the_2024_check_reaches_issue_12s_interval_score(check):
    _, scores = check
    assert sum(score for _, score, *_ in scores) / len(scores) <= 0.85 * RW_LOGIT_2024_WINKLER
