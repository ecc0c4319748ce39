"""A figure's basis is data: what kind of figure it is, and forecasts never count as outturns."""

import datetime as dt

import pytest
from helpers import FIXTURE_RELEASE

from analysis_helpers.analysis.outlook import observed_series
from analysis_helpers.data.local_feed import REQUIRED, basis_kind, validate_feed
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import areas_for

HEADER = ",".join(REQUIRED)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("monthly (month of August)", "monthly"),
        ("Snapshot", "snapshot"),
        ("forecast cumulative at year end (budget monitoring)", "forecast"),
        ("in-year, % above grant", "in-year"),
        ("calendar year, DfE national figure", "calendar year"),
        ("unknown (APP KPI baseline as reported by press)", "unknown"),
        ("monthlyish", None),
        ("estimate from the committee", None),
        ("", None),
    ],
)
def test_basis_kind(text, kind):
    assert basis_kind(text) == kind


def test_a_basis_without_a_kind_is_one_line_naming_row_and_kinds(tmp_path):
    path = tmp_path / "kent.csv"
    path.write_text(HEADER + "\nsend_vacancies,2024-01,40,count,estimate from committee,,,,KCC,https://kent.gov.uk/x\n", encoding="utf-8")
    _, problems, _ = validate_feed(path)
    assert [str(p) for p in problems] == [
        "kent.csv: row 2, column 'basis': 'estimate from committee' does not begin with a kind of figure: monthly, quarterly, "
        "calendar year, financial year, snapshot, cumulative, in-year, forecast, average, total, unknown (then any detail)"
    ]


def test_forecasts_never_join_the_observed_deficit():
    """Kent's feed: £97m (2021/22, cumulative), £103m (April 2022 snapshot), then £147m and £142m forecasts for 2022/23."""
    release = open_release(FIXTURE_RELEASE)
    kent = areas_for(release).get("Kent")
    observed = observed_series(kent, "high_needs_deficit_gbp_m", as_of=dt.date(2025, 9, 30), release=release)
    assert 142.0 not in observed["value"].tolist() and 147.0 not in observed["value"].tolist()
    assert observed["period"].tolist()[-2:] == ["2021/22", "2022-04"] and observed["value"].tolist()[-1] == 103.0
