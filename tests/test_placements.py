"""Placements as measures: each placement type's count and share, checked against DfE's raw caseload rows.

Expected values are summed from the raw CSV's strings with the standard library (``helpers.raw_rows``); the column
lists are written out here again, from DfE's data guidance, rather than read from the package.
"""

import csv
import io
import math

import pytest
from helpers import make_release, one, raw_bytes, raw_rows

from analysis_helpers.data.release import Release
from analysis_helpers.domain.kpis import kpi_table
from analysis_helpers.domain.placements import PLACEMENTS

#: DfE's columns for each type, as the data guidance groups them (independent of domain.placements).
COLUMNS = {
    "mainstream": "mainstream_la_maintained mainstream_academy mainstream_free_school mainstream_independent",
    "resourced_units": "mainstream_la_maintained_resourced_provision mainstream_la_maintained_senunit "
                       "mainstream_academy_resourced_provision mainstream_academy_senunit "
                       "mainstream_free_school_resourced_provision mainstream_free_school_senunit",
    "state_special": "special_la_maintained special_academy_free",
    "independent_special": "special_independent",
    "non_maintained_special": "special_non_maintained",
    "ap_pru": "ap_pru_total",  # DfE's total of academies, free schools and LA-maintained
    "post_16": "fe_total",  # DfE's total of FE colleges, specialist post-16 institutions and other providers
}
#: What DfE's columns put in "other or none" each year: its "elsewhere" columns changed between the two censuses.
OTHER = {"202425": "ed_elsewhere nm_early_years placement_unknown",
         "201819": "ed_elsewhere nm_early_years await_prov_2022 perm_ex_2022 other_placement_settings"}
PERIOD_LABEL = {"202425": "2024/25", "201819": "2018/19"}


def all_plans_row(area: str, period: str) -> dict[str, str]:
    level = {"England": "National"}.get(area, "Local authority")
    return next(r for r in raw_rows("caseload.csv") if r["time_period"] == period and r["breakdown_topic"] == "All EHC plans"
                and r["geographic_level"] == level and (r["la_name"] == area or level == "National"))


def test_the_eight_types_are_the_ones_named_in_the_data_guidance():
    assert [key for key, _, _ in PLACEMENTS] == [*COLUMNS, "other_or_none"]


@pytest.mark.parametrize("area", ["England", "Kent", "Isles of Scilly"])
@pytest.mark.parametrize("period", ["202425", "201819"])
def test_each_type_is_its_settings_summed_and_the_types_make_every_plan(release, area, period):
    raw = all_plans_row(area, period)
    table = kpi_table(release)
    counts = {}
    for key, columns in COLUMNS.items():
        cells = [raw[c] for c in columns.split()]
        expected = sum(int(c) for c in cells) if all(c.isdigit() for c in cells) else None
        count = one(table, area, f"ehcp_placement_{key}_count", PERIOD_LABEL[period])
        share = one(table, area, f"ehcp_placement_{key}_pct", PERIOD_LABEL[period])
        if expected is None:  # a suppressed cell: missing, never zero
            assert math.isnan(count["value"]) and math.isnan(share["value"])
            continue
        assert count["value"] == expected
        assert (share["numerator"], share["denominator"]) == (expected, int(raw["ehcplans"]))
        assert share["value"] == pytest.approx(100 * expected / int(raw["ehcplans"]))
        assert share["ci_low"] <= share["value"] <= share["ci_high"]
        counts[key] = expected
    other = one(table, area, "ehcp_placement_other_or_none_count", PERIOD_LABEL[period])["value"]
    cells = [raw[c] for c in OTHER[period].split()]
    if len(counts) == len(COLUMNS) and all(c.isdigit() for c in cells):
        assert other == sum(int(c) for c in cells)  # the rest is what DfE's own columns put elsewhere that year
        assert sum(counts.values()) + other == int(raw["ehcplans"])  # every plan in exactly one type


def test_england_2025_by_type(release):
    table = kpi_table(release)
    got = {key: one(table, "England", f"ehcp_placement_{key}_count", "2024/25")["value"] for key in [*COLUMNS, "other_or_none"]}
    # DfE's January 2025 census, England (caseload.csv): worked out by hand from the published cells
    assert got == {"mainstream": 253712, "resourced_units": 24524, "state_special": 159852, "independent_special": 29647,
                   "non_maintained_special": 4381, "ap_pru": 4858, "post_16": 88158, "other_or_none": 73613}


def test_a_suppressed_setting_leaves_its_type_missing_not_zero(tmp_path):
    rows = list(csv.DictReader(io.StringIO(raw_bytes("caseload.csv").decode("utf-8-sig"))))
    for row in rows:
        if row["la_name"] == "Kent" and row["time_period"] == "202425" and row["breakdown_topic"] == "All EHC plans":
            row["special_independent"] = "c"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    table = kpi_table(Release(make_release(tmp_path, {"caseload.csv": out.getvalue().encode()}), cache=False, historic=None))
    assert math.isnan(one(table, "Kent", "ehcp_placement_independent_special_count", "2024/25")["value"])
    assert one(table, "Kent", "ehcp_placement_state_special_count", "2024/25")["value"] > 0
