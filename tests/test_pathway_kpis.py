"""The EHC pathway's later steps (issue 13): the SEND Tribunal appeal rate and mainstream placement by age.

On the fixture release (its tribunal table is the published file, copied whole).
Every expected value is worked out here from the raw rows with the csv module,
independently of the package: the tribunal table's cells are read by position
(three columns a year from column C), region totals summed by hand under the
file's own region headings.
"""

import csv
import io
import re
import zipfile

import pytest
from helpers import FIXTURE_LAS, FIXTURE_RELEASE, make_release, one, raw_rows

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data.release import Release
from analysis_helpers.data.tribunal import parse_tribunal_csv
from analysis_helpers.domain.kpis import KPI_COLUMNS, kpi_table

APPEALS = "send_tribunal_appeal_rate_pct"
MEMBER = "supporting-files/SEND Tribunals and appeal rate 2014-2024.csv"
NAME = MEMBER.rsplit("/", 1)[1]
YEARS = [str(y) for y in range(2014, 2025)]
REGION_NAMES = {"INNER LONDON": "London", "OUTER LONDON": "London", "YORKSHIRE AND THE HUMBER": "Yorkshire and The Humber",
                "EAST OF ENGLAND": "East of England"}


@pytest.fixture(scope="module")
def table(release):
    return kpi_table(release)


def tribunal_bytes() -> bytes:
    with zipfile.ZipFile(FIXTURE_RELEASE) as archive:
        return archive.read(MEMBER)


def tribunal_records() -> list[list[str]]:
    return list(csv.reader(io.StringIO(tribunal_bytes().decode("utf-8-sig"), newline="")))


def count(cell: str):
    cell = cell.strip()
    if cell == "-":
        return 0
    return int(cell.replace(",", "")) if re.fullmatch(r"[\d,]+", cell) else None


def expected_appeals() -> dict[tuple[str, str], tuple]:
    """(area name, year) -> (appeals, decisions) for the fixture LAs, the regions (summed) and England."""
    records = tribunal_records()
    out, regions, heading = {}, {}, None
    for r in records[5:]:
        name = re.sub(r"[\d,]+$", "", r[0].strip())
        if name.isupper() and not any(c.strip() for c in r[1:]):
            heading = REGION_NAMES.get(name, name.title())
            continue
        if name.startswith("England total excluding"):
            continue
        for k, year in enumerate(YEARS):
            num, den = count(r[2 + 3 * k]), count(r[3 + 3 * k])
            if name == "England Total":
                out[("England", year)] = (num, den)
            else:
                top, bottom = regions.get((heading, year), (0, 0))
                regions[(heading, year)] = (top + (num or 0), bottom + (den or 0))
                match = [v for v in FIXTURE_LAS.values() if v.lower() == name.lower()]
                if match and (num is not None or den is not None):
                    out[(match[0], year)] = (num, den)
        if name == "England Total":
            break
    return out | regions


def test_appeal_rate_for_every_area_and_year_matches_the_raw_rows(table):
    expected = expected_appeals()
    rows = table[table["measure"] == APPEALS]
    assert list(rows.columns) == KPI_COLUMNS
    got = {(a, p): (n, d, v) for a, p, n, d, v in zip(rows["area_name"], rows["period"], rows["numerator"], rows["denominator"],
                                                     rows["value"], strict=True)}
    assert set(got) == set(expected)
    assert len(got) == 11 * (1 + 9) + sum(1 for k in expected if k[0] in FIXTURE_LAS.values())
    for key, (num, den) in expected.items():
        n, d, v = got[key]
        assert (None if n != n else n) == num and (None if d != d else d) == den, key
        if num is not None and den:
            assert v == pytest.approx(100 * num / den, rel=1e-12), key
        else:
            assert v != v, key  # missing, never zero


def test_kent_appeal_rate_2023_and_2024(table):
    # Kent's row: 2023 758 of 20,916 (published 3.60%); 2024 1,559 of 23,692 (6.60%).
    for year, num, den, published in (("2023", 758, 20916, 3.6), ("2024", 1559, 23692, 6.6)):
        row = one(table, "Kent", APPEALS, year)
        assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (num, den, published)
        assert row["ci_low"] < row["value"] < row["ci_high"] and row["area_code"] == "E10000016"
        assert row["source"] == f"education-health-and-care-plans_2025_fixture.zip:{MEMBER}"
    england = one(table, "England", APPEALS, "2024")
    assert (england["numerator"], england["denominator"], round(england["value"], 1)) == (22276, 689739, 3.2)


def test_appeal_rate_values_agree_with_the_published_rates(table):
    published = {}
    for r in tribunal_records()[5:]:
        name = re.sub(r"[\d,]+$", "", r[0].strip())
        for k, year in enumerate(YEARS):
            if r[4 + 3 * k].strip().endswith("%"):
                published[(name.lower(), year)] = float(r[4 + 3 * k].strip().rstrip("%"))
    rows = table[(table["measure"] == APPEALS) & (table["geographic_level"] != "Regional") & table["value"].notna()]
    checked = 0
    for name, year, value in zip(rows["area_name"], rows["period"], rows["value"], strict=True):
        key = ("england total" if name == "England" else name.lower(), year)
        assert abs(value - published[key]) <= 0.05 + 1e-9, (key, value, published[key])
        checked += 1
    assert checked > 150


def test_symbols_are_kept_beside_missing_counts():
    appeals = parse_tribunal_csv(tribunal_bytes(), NAME)
    data = appeals.data
    # Isles of Scilly 2023: appeals cell blank, decisions 20; 2024: '-' (nil, rate 0.00%).
    scilly = data[(data["area_name"] == "Isles of Scilly")].set_index("year")
    assert (scilly.loc["2023", "appeals_registered_symbol"] == ""
            and scilly.loc["2023", "appeals_registered"] != scilly.loc["2023", "appeals_registered"])
    assert scilly.loc["2024", "appeals_registered"] == 0 and scilly.loc["2024", "appeals_registered_symbol"] == "-"
    cumbria = data[(data["area_name"] == "Cumbria") & (data["year"] == "2023")].index[0]
    assert appeals.reason(cumbria, "appealable_decisions") == "Not Available"  # the file's legend: '.. Not Available'
    assert appeals.legend["~"] == "Suppressed"


# -- mainstream placement by age (caseload.csv, ages 5-10 and 11-15 summed) --------------------------------------
@pytest.mark.parametrize(("measure", "ages"), [("ehcp_caseload_mainstream_primary_age_pct", range(5, 11)),
                                               ("ehcp_caseload_mainstream_secondary_age_pct", range(11, 16))])
def test_mainstream_by_age_for_every_area_and_period_matches_the_raw_rows(table, measure, ages):
    wanted = {f"age {a}" for a in ages}
    sums: dict = {}
    for r in raw_rows("caseload.csv"):
        if r["breakdown_topic"] != "Child or young persons age" or r["breakdown"] not in wanted:
            continue
        name = {"National": r["country_name"], "Regional": r["region_name"]}.get(r["geographic_level"], r["la_name"])
        top, bottom = sums.get((name, r["time_period"]), (0.0, 0.0))
        sums[(name, r["time_period"])] = (top + float(r["mainstream_total"]) if r["mainstream_total"].isdigit() else float("nan"),
                                          bottom + float(r["ehcplans"]) if r["ehcplans"].isdigit() else float("nan"))
    rows = table[table["measure"] == measure]
    assert len(rows) == len(sums) > 40
    for name, period, num, den, value in zip(rows["area_name"], rows["period"].str.replace("/", ""), rows["numerator"],
                                             rows["denominator"], rows["value"], strict=True):
        top, bottom = sums[(name, period)]
        assert (num, den) == (top, bottom) or (num != num and top != top) or (den != den and bottom != bottom)
        if top == top and bottom == bottom and bottom > 0:
            assert value == pytest.approx(100 * top / bottom, rel=1e-12)


def test_kent_mainstream_by_age(table):
    # caseload.csv Kent 202425, ages 5-10: 3,668 of 6,392 in mainstream (57.4%); 11-15: 3,155 of 8,174 (38.6%).
    primary = one(table, "Kent", "ehcp_caseload_mainstream_primary_age_pct", "2024/25")
    assert (primary["numerator"], primary["denominator"], round(primary["value"], 1)) == (3668, 6392, 57.4)
    secondary = one(table, "Kent", "ehcp_caseload_mainstream_secondary_age_pct", "2024/25")
    assert (secondary["numerator"], secondary["denominator"], round(secondary["value"], 1)) == (3155, 8174, 38.6)


# -- the tribunal table not in its published form: one line, the project's error ----------------------------------
def refused(tmp_path, text: bytes, match: str) -> str:
    release = Release(make_release(tmp_path, {NAME: text}), cache=False)
    with pytest.raises(DataValidationError, match=match) as info:
        kpi_table(release)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"release.zip:{MEMBER}: ")
    return message


def test_a_renamed_column_is_refused(tmp_path):
    text = tribunal_bytes().replace(b"Total Appealable Decisions1,", b"Appealable decisions1,", 1)
    refused(tmp_path, text, r"line 5, column D: expected 'Total Appealable Decisions' \(under 2014\) in the header, "
                            r"found 'Appealable decisions'")


def test_a_suppressed_count_stays_missing_with_its_symbol_and_empties_its_region(tmp_path):
    # Kent 2023 appeals 758 -> '~' (the file's legend: '~ Suppressed').
    text = tribunal_bytes().replace(b'648,"20,329",3.20%,758,', b'648,"20,329",3.20%, ~ ,', 1)
    assert text != tribunal_bytes()
    release = Release(make_release(tmp_path, {NAME: text}), cache=False)
    table = kpi_table(release)
    kent = one(table, "Kent", APPEALS, "2023")
    assert kent["numerator"] != kent["numerator"] and kent["value"] != kent["value"] and kent["denominator"] == 20916
    south_east = one(table, "South East", APPEALS, "2023")
    assert south_east["numerator"] != south_east["numerator"] and south_east["denominator"] > 20916
    assert one(table, "South East", APPEALS, "2024")["numerator"] > 1559  # other years still summed
    data = parse_tribunal_csv(text, NAME).data
    assert data.loc[(data["area_name"] == "Kent") & (data["year"] == "2023"), "appeals_registered_symbol"].item() == "~"


def test_a_suppressed_mark_where_no_figure_goes_is_refused(tmp_path):
    text = tribunal_bytes().replace(b"\r\nKent,886,", b"\r\nKent,~,", 1)
    refused(tmp_path, text, r"line \d+, column B: LA code '~' for 'Kent' \(expected three digits or a blank\)")


def test_a_symbol_the_legend_does_not_define_is_refused(tmp_path):
    text = tribunal_bytes().replace(b'"1,559","23,692"', b'"1,559", c ', 1)
    refused(tmp_path, text, r"column AH \(Total Appealable Decisions, 2024\): unexpected value 'c'")


def test_a_truncated_footer_is_refused(tmp_path):
    text = tribunal_bytes()
    cut = text[: text.index(b".. Not Available")]
    refused(tmp_path, cut, r"the file ends without its legend of symbols \(expected rows defining '\.\.', '~'\); it looks truncated")


def test_missing_la_rows_are_refused(tmp_path):
    lines = tribunal_bytes().split(b"\r\n")
    kept = b"\r\n".join(line for line in lines if not line.startswith(b"Medway,"))
    refused(tmp_path, kept, r"England's 'Appeals registered' for 2014 is 4,108 but the local authority rows sum to 4,055; "
                            r"rows are missing or changed")


# -- primary-need shares of all plans (January census) and of new plans (calendar year) ---------------------------
NEEDS = {"asd": "asd", "semh": "semh", "slcn": "slcn", "mld": "mld", "sld": "sld", "pmld": "pmld", "spld": "spld",
         "hi": "hi", "vi": "vi", "msi": "msi", "pd": "pd", "other": "oth", "unknown": "need_unknown"}
INNER_OUTER = {"Inner London", "Outer London"}


@pytest.mark.parametrize(("prefix", "file"), [("ehcp", "sen_needs_all_plans.csv"), ("new_ehcp", "sen_need_newplans.csv")])
@pytest.mark.parametrize("need", list(NEEDS))
def test_primary_need_shares_match_the_raw_rows(table, prefix, file, need):
    """Every area and period; London in the new-plans file is Inner + Outer London, summed here."""
    column = f"number_{NEEDS[need]}"
    sums: dict = {}
    for r in raw_rows(file):
        if r["breakdown_topic"] != "All EHC plans":
            continue
        name = {"National": r["country_name"], "Regional": r["region_name"]}.get(r["geographic_level"], r["la_name"])
        name = "London" if name in INNER_OUTER else name
        top, bottom = sums.get((name, r["time_period"]), (0.0, 0.0))
        sums[(name, r["time_period"])] = (top + float(r[column]) if r[column].isdigit() else float("nan"),
                                          bottom + float(r["ehc_plans"]))
    rows = table[table["measure"] == f"{prefix}_primary_need_{need}_pct"]
    assert len(rows) == len(sums) == 23  # England, 9 regions, 13 LAs (not Northamptonshire, Cumbria): one period
    for name, period, num, den, value in zip(rows["area_name"], rows["period"].str.replace("/", ""), rows["numerator"],
                                             rows["denominator"], rows["value"], strict=True):
        top, bottom = sums[(name, period)]
        assert den == bottom and (num == top or num != num and top != top), (name, num, top)
        assert value == pytest.approx(100 * top / bottom, rel=1e-12, nan_ok=True)


@pytest.mark.parametrize(("prefix", "file"), [("ehcp", "sen_needs_all_plans.csv"), ("new_ehcp", "sen_need_newplans.csv")])
def test_primary_need_shares_agree_with_dfe_published_percentages(table, prefix, file):
    checked = 0
    for r in raw_rows(file):
        if r["breakdown_topic"] != "All EHC plans" or r["geographic_level"] == "Regional" and r["region_name"] in INNER_OUTER:
            continue
        name = {"National": r["country_name"], "Regional": r["region_name"]}.get(r["geographic_level"], r["la_name"])
        period = r["time_period"] if len(r["time_period"]) == 4 else f"{r['time_period'][:4]}/{r['time_period'][4:]}"
        for need, short in NEEDS.items():
            published = r[f"{short.replace('need_', '')}_pc"]
            if published.replace(".", "").isdigit():
                value = one(table, name, f"{prefix}_primary_need_{need}_pct", period)["value"]
                assert abs(value - float(published)) <= 0.05 + 1e-9, (name, need, value, published)
                checked += 1
    assert checked > 250


def test_kent_primary_needs(table):
    # sen_needs_all_plans.csv Kent 202425: 9,535 of 20,635 plans ASD (published 46.2); sen_need_newplans.csv Kent 2024:
    # 1,214 of 2,890 new plans ASD (42.0), 632 SEMH (21.9).
    row = one(table, "Kent", "ehcp_primary_need_asd_pct", "2024/25")
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (9535, 20635, 46.2)
    row = one(table, "Kent", "new_ehcp_primary_need_asd_pct", "2024")
    assert (row["numerator"], row["denominator"], round(row["value"], 1)) == (1214, 2890, 42.0)
    assert round(one(table, "Kent", "new_ehcp_primary_need_semh_pct", "2024")["value"], 1) == 21.9
    shares = table[(table["area_name"] == "Kent") & table["measure"].str.startswith("ehcp_primary_need_")]
    assert shares["value"].sum() == pytest.approx(100)  # the 13 needs, unknown included, cover every plan


# -- ceased plans by reason (calendar year) and personal budgets (January census), as counts ----------------------
CEASED = {"ehcp_ceased_count": "total_ceased", "ehcp_ceased_max_age_count": "max_age", "ehcp_ceased_needs_met_count": "needs_met",
          "ehcp_ceased_higher_education_count": "he", "ehcp_ceased_employment_count": "employ",
          "ehcp_ceased_transferred_count": "transfer", "ehcp_ceased_not_engaging_count": "no_engage",
          "ehcp_ceased_moved_outside_england_count": "moved_outside_eng", "ehcp_ceased_deceased_count": "deceased",
          "ehcp_ceased_reason_not_recorded_count": "not_rec", "ehcp_ceased_other_reason_count": "other"}
BUDGETS = {"ehcp_personal_budget_count": "personal_budget", "ehcp_personal_budget_education_count": "pb_education",
           "ehcp_personal_budget_health_count": "pb_health", "ehcp_personal_budget_social_care_count": "pb_social",
           "ehcp_personal_budget_integrated_count": "pb_integrated",
           "ehcp_personal_budget_organised_arrangements_count": "org_arrangments"}


@pytest.mark.parametrize(("measure", "file", "topic", "column"),
                         [(m, "ceased_plans.csv", "All ceased EHC plans", c) for m, c in CEASED.items()]
                         + [(m, "personal_budgets.csv", "All personal budgets", c) for m, c in BUDGETS.items()])
def test_counts_for_every_area_and_period_match_the_raw_rows(table, measure, file, topic, column):
    expected = {}
    for r in raw_rows(file):
        if r["breakdown_topic"] != topic:
            continue
        name = {"National": r["country_name"], "Regional": r["region_name"]}.get(r["geographic_level"], r["la_name"])
        period = r["time_period"] if len(r["time_period"]) == 4 else f"{r['time_period'][:4]}/{r['time_period'][4:]}"
        expected[(name, period)] = float(r[column]) if r[column].isdigit() else None
    rows = table[table["measure"] == measure]
    assert len(rows) == len(expected) > 40
    assert rows["unit"].eq("count").all() and rows["numerator"].isna().all() and rows["ci_low"].isna().all()
    for name, period, value in zip(rows["area_name"], rows["period"], rows["value"], strict=True):
        want = expected[(name, period)]
        assert value == want or (want is None and value != value), (name, period, value, want)


def test_kent_ceased_plans_and_personal_budgets(table):
    # ceased_plans.csv Kent 2024, all ceased plans: 2,081 in all, 102 because needs were met without a plan;
    # personal_budgets.csv Kent 202425: 64 plans with a personal budget, all 64 covering education only.
    assert one(table, "Kent", "ehcp_ceased_count", "2024")["value"] == 2081
    assert one(table, "Kent", "ehcp_ceased_needs_met_count", "2024")["value"] == 102
    assert one(table, "Kent", "ehcp_personal_budget_count", "2024/25")["value"] == 64
    assert one(table, "Kent", "ehcp_personal_budget_education_count", "2024/25")["value"] == 64
    reasons = table[(table["area_name"] == "England") & (table["period"] == "2024")
                    & table["measure"].isin([m for m in CEASED if m != "ehcp_ceased_count"])]
    # the total is DfE's own column, never the sum of the reasons: England's reasons add up to 44,861, one short of its total
    assert (reasons["value"].sum(), one(table, "England", "ehcp_ceased_count", "2024")["value"]) == (44861, 44862)


# -- the pathway's clocks for every area and period (Kent's figures are in test_kpis.py) --------------------------
CLOCK_RECIPES = {
    "ehc_requests_decided_within_6_weeks_pct": ("requests.csv", "All requests for EHC needs assessments",
                                                "request_outcome_six_weeks", ("request_outcome_six_weeks", "request_outcome_over_6_weeks")),
    "ehcp_issued_over_1_year_pct": ("timeliness_20_week.csv", "All EHC plans issued", "plans_issued_gt_1_year", ("plans_issued_den",)),
    "annual_reviews_decided_within_4_weeks_pct": ("annual_reviews.csv", "All annual reviews", "number_decsion_4weeks",
                                                  ("number_decsion_4weeks", "number_decision_gt_4weeks")),
}


@pytest.mark.parametrize("measure", list(CLOCK_RECIPES))
def test_clocks_for_every_area_and_period_match_the_raw_rows(table, measure):
    file, topic, top_column, bottom_columns = CLOCK_RECIPES[measure]
    expected = {}
    for r in raw_rows(file):
        if r["breakdown_topic"] != topic:
            continue
        name = {"National": r["country_name"], "Regional": r["region_name"]}.get(r["geographic_level"], r["la_name"])
        cells = [r[top_column], *(r[c] for c in bottom_columns)]
        if all(c.isdigit() for c in cells):
            expected[(name, r["time_period"])] = (int(cells[0]), sum(int(c) for c in cells[1:]))
        else:
            expected[(name, r["time_period"])] = None  # a DfE symbol: the KPI row's value stays missing
    rows = table[table["measure"] == measure]
    got = {(n, p): (num, den, v) for n, p, num, den, v in zip(rows["area_name"], rows["period"], rows["numerator"],
                                                             rows["denominator"], rows["value"], strict=True)}
    assert set(got) == set(expected) and len(got) > 20
    for key, want in expected.items():
        num, den, value = got[key]
        if want is None:
            assert value != value, key
        else:
            assert (num, den) == want, key
            assert value == pytest.approx(100 * want[0] / want[1], rel=1e-12) if want[1] else value != value
