"""End to end on the real 2025 release: the EHC pathway's later steps (issue 13) for Kent and England.

Expected values are the published cells (the tribunal table's Kent and England
rows; caseload.csv's age rows for Kent, summed here with csv).
"""

import pytest
from helpers import SHIPPED_RELEASE, one, raw_rows

from analysis_helpers.data.release import open_release
from analysis_helpers.domain.appeals import match_las, read_appeals
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.kpis import kpi_table

APPEALS = "send_tribunal_appeal_rate_pct"


@pytest.fixture(scope="module")
def real():
    return open_release(SHIPPED_RELEASE)


@pytest.fixture(scope="module")
def table(real):
    return kpi_table(real)


@pytest.mark.parametrize(("area", "year", "numerator", "denominator", "published"), [
    ("Kent", "2023", 758, 20916, 3.6), ("Kent", "2024", 1559, 23692, 6.6),
    ("England", "2023", 15615, 617776, 2.5), ("England", "2024", 22276, 689739, 3.2),
])
def test_appeal_rate(table, area, year, numerator, denominator, published):
    row = one(table, area, APPEALS, year)
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (numerator, denominator, published)


def test_every_la_of_the_tribunal_table_is_an_area_of_the_release(real, table):
    matched = match_las(read_appeals(real), areas_for(real))
    assert [name for name, area in matched.items() if area is None] == []  # every LA of the file is an area of the release
    rows = table[table["measure"] == APPEALS]
    assert set(rows["period"]) == {str(y) for y in range(2014, 2025)}
    assert (rows.groupby("period")["geographic_level"].value_counts().unstack()["Regional"] == 9).all()
    # the file's swapped codes (Nottingham 891, Nottinghamshire 928, Northamptonshire 892) do not mislead: by name
    assert one(table, "Nottingham", APPEALS, "2024")["denominator"] == 2102
    assert one(table, "Nottinghamshire", APPEALS, "2024")["denominator"] == 5919


@pytest.mark.parametrize(("measure", "ages", "published"), [
    ("ehcp_caseload_mainstream_primary_age_pct", range(5, 11), 57.4),
    ("ehcp_caseload_mainstream_secondary_age_pct", range(11, 16), 38.6),
])
def test_kent_mainstream_by_age(table, measure, ages, published):
    wanted = {f"age {a}" for a in ages}
    kent = [r for r in raw_rows("caseload.csv", SHIPPED_RELEASE) if r["la_name"] == "Kent" and r["time_period"] == "202425"
            and r["breakdown_topic"] == "Child or young persons age" and r["breakdown"] in wanted]
    assert len(kent) == len(wanted)
    top, bottom = sum(int(r["mainstream_total"]) for r in kent), sum(int(r["ehcplans"]) for r in kent)
    row = one(table, "Kent", measure, "2024/25")
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (top, bottom, published)


@pytest.mark.parametrize(("area", "measure", "period", "published"), [
    ("Kent", "ehcp_primary_need_asd_pct", "2024/25", "46.2"), ("England", "ehcp_primary_need_semh_pct", "2024/25", "20.7"),
    ("Kent", "new_ehcp_primary_need_asd_pct", "2024", "42"), ("England", "new_ehcp_primary_need_semh_pct", "2024", "26.3"),
])
def test_primary_need_shares(table, area, measure, period, published):
    # DfE's own asd_pc / semh_pc cells of sen_needs_all_plans.csv and sen_need_newplans.csv
    assert round(one(table, area, measure, period)["value"], 1) == float(published)


def test_london_new_plans_are_inner_plus_outer_london(table):
    rows = [r for r in raw_rows("sen_need_newplans.csv", SHIPPED_RELEASE)
            if r["breakdown_topic"] == "All EHC plans" and r["region_name"] in ("Inner London", "Outer London")
            and r["geographic_level"] == "Regional"]
    assert len(rows) == 2
    row = one(table, "London", "new_ehcp_primary_need_asd_pct", "2024")
    assert (row["numerator"], row["denominator"]) == (sum(int(r["number_asd"]) for r in rows), sum(int(r["ehc_plans"]) for r in rows))


def test_the_sections_find_an_area_by_its_code_not_its_name(real):
    """"Dorset" names the old county (835) as well as Dorset Council (838, E06000059): the review of 838 must show
    Dorset Council's own figures (requests.csv 2024, LA 838: 709 of 874 decided within 6 weeks)."""
    import types

    from analysis_helpers.reporting import pathway_sections, who_waits_sections

    areas = areas_for(real)
    area = areas.get("838")
    run = types.SimpleNamespace(area=area, region=areas.region_of(area), neighbours="2025", release=real, dfe_published=True)
    assert area.code == "E06000059"
    words = pathway_sections.pathway(run, "DfE")[1].data
    assert "81.1% (709 of 874" in words and "no figure for" not in words
    assert "no breakdown rows" not in " ".join(getattr(item, "data", "") for item in who_waits_sections.who_waits(run, "DfE"))
