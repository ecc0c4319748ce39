"""End to end on the real 2025 release: ``kpis --breakdown`` and who waits (issue 13, items 2 and 3).

Expected values are the published cells of timeliness_20_week.csv, read with csv.
"""

import csv
import io

import pytest
from helpers import SHIPPED_RELEASE, raw_rows

from analysis_helpers.analysis.who_waits import who_waits_for
from analysis_helpers.cli import main
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.breakdowns import breakdown_rows
from analysis_helpers.domain.kpis import kpi_table

TIMELINESS = "ehcp_issued_within_20_weeks_pct"


@pytest.fixture(scope="module")
def real():
    return open_release(SHIPPED_RELEASE)


def test_kent_by_sex_in_2024(capsys):
    code = main(["kpis", "--area", "Kent", "--measure", TIMELINESS, "--breakdown", "sex", "--format", "csv",
                 "--release", str(SHIPPED_RELEASE)])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    got = {r["breakdown"]: r for r in csv.DictReader(io.StringIO(out)) if r["period"] == "2024"}
    raw = {r["breakdown"]: r for r in raw_rows("timeliness_20_week.csv", SHIPPED_RELEASE)
           if r["la_name"] == "Kent" and r["time_period"] == "2024" and r["breakdown_topic"] == "Sex"}
    assert set(got) == set(raw) == {"Female", "Male"}
    for sex, row in got.items():
        assert (row["numerator"], row["denominator"]) == (raw[sex]["plans_issued_within_20_weeks"], raw[sex]["plans_issued_den"])
        assert f"{float(row['value']):.1f}" == raw[sex]["pc_plans_issued_within_20_weeks"]


@pytest.mark.parametrize("word", ["age", "sex", "ethnicity"])
def test_every_areas_groups_add_up_to_its_kpi_row(real, word):
    """For every area and period with breakdowns, the groups' plans add up to the area's (DfE publishes no group it hides)."""
    rows = breakdown_rows(TIMELINESS, word, real)
    sums = rows.groupby(["area_code", "period"])[["numerator", "denominator"]].sum(min_count=1)
    table = kpi_table(real)
    kpis = table[table["measure"] == TIMELINESS].set_index(["area_code", "period"])
    joined = sums.join(kpis[["numerator", "denominator"]], rsuffix="_kpi").dropna()
    assert len(joined) > 300
    assert (joined["numerator"] == joined["numerator_kpi"]).all() and (joined["denominator"] == joined["denominator_kpi"]).all()


def test_who_waits_for_kent_2024(real):
    out = who_waits_for("Kent", "2024", release=real)
    assert set(out["topic"]) == {"age", "sex", "ethnicity"}
    female = out[out["group"] == "Female"].iloc[0]
    assert (female["numerator"], female["denominator"]) == (255, 790) and not female["beyond_chance"]
    assert out.loc[~out["shown"], "numerator"].isna().all()
