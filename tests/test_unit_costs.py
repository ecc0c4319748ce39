"""High-needs unit costs 2021-22 (issue 23): Kent's non-maintained and independent special placements against the
benchmarking file's own cells, England's totals against the sums of the file's rows, and the flag's rules.

Every expected figure is worked out here from the workbook's cells with openpyxl, each column known by the header
the file gives it (checked first), not through the readers: the file has no England row, so England's totals are
the sums of its LA rows, and its plans total (column G) is the sum every placement type must come back to.
"""

import statistics

import openpyxl
import pytest
from helpers import refusal

from analysis_helpers.analysis.unit_costs import MIN_PLACEMENTS, RATIO, england_totals, unit_costs
from analysis_helpers.core.paths import HIGH_NEEDS_BENCHMARKING_FILE

FIRST_ROW, LAST_ROW, KENT_ROW = 8, 161, 103
#: Row-4 headers of the outturn block's columns used here (row 3 of BI reads "Section 251 outturn").
HEADERS = {
    "BK": "Primary", "BL": "Secondary", "BM": "Special schools and academies", "BN": "PRUs and AP academies",
    "BO": "Post School", "BR": "Primary (1)", "BS": "Secondary (1)", "BT": "Special schools and academies (1)",
    "BU": "PRUs and AP academies (1)", "BV": "Post School (1)", "BX": "Top up funding (non-maintained\nand "
    "independent schools and colleges)", "BZ": "Primary (2)", "CA": "Secondary (2)",
    "CB": "Special schools and academies (2)", "CC": "PRUs and AP academies (2)", "CD": "Post School (2)",
}
#: The module docstring's table, in the file's columns: placement columns (row 6) and spend columns (row 4).
MAPPING = {
    "mainstream_and_resourced": (["H", "I"], ["BK", "BL", "BR", "BS"]),
    "maintained_special": (["J"], ["BM", "BT"]),
    "nmss_independent": (["K"], ["BZ", "CA", "CB"]),
    "hospital_ap": (["L"], ["BN", "BU", "CC"]),
    "post_16": (["M"], ["BO", "BV", "CD"]),
    "other": (["N"], []),
}
#: Kent's statistical neighbours in DfE's April 2021 list (sn_april_2021.xlsx, row 886, SN1 … SN10).
KENT_NEIGHBOURS_2021 = ["881", "845", "866", "885", "888", "941", "891", "937", "935", "860"]


@pytest.fixture(scope="module")
def sheet():
    book = openpyxl.load_workbook(HIGH_NEEDS_BENCHMARKING_FILE, data_only=True)
    sheet = book["Sheet1"]
    assert sheet["BI3"].value == "Section 251 outturn"
    for column, header in HEADERS.items():
        assert sheet[f"{column}4"].value == header, column
    assert sheet["K6"].value == "NMSS or\nindependent schools" and sheet["G5"].value.startswith("No. aged up to 25")
    yield sheet
    book.close()


@pytest.fixture(scope="module")
def table():
    return unit_costs()


def _row_of(sheet, la_number: str) -> int:
    return next(r for r in range(FIRST_ROW, LAST_ROW + 1) if str(sheet[f"C{r}"].value) == la_number)


def _cells(sheet, row: int, columns: list[str]):
    values = [sheet[f"{c}{row}"].value for c in columns]
    return sum(values) if all(isinstance(v, (int, float)) for v in values) else None


def test_kents_nmss_and_independent_unit_cost_is_the_files_own_cells(sheet, table):
    assert (sheet[f"D{KENT_ROW}"].value, sheet[f"C{KENT_ROW}"].value) == ("Kent", 886)
    lines = [sheet[f"{c}{KENT_ROW}"].value for c in ("BZ", "CA", "CB")]  # independent top-ups: primary, secondary, special
    plans = sheet[f"K{KENT_ROW}"].value
    assert lines == [0, 0, pytest.approx(62_722_985.62)] and plans == 1396
    kent = table[(table["la_number"] == "886") & (table["placement"] == "nmss_independent")].iloc[0]
    assert kent["spend"] == pytest.approx(sum(lines)) and kent["placements"] == plans
    assert kent["unit_cost"] == pytest.approx(sum(lines) / plans) == pytest.approx(44_930.51, abs=0.01)
    assert kent["flag"] == ""


def test_kents_neighbours_median_is_worked_out_from_their_cells(sheet, table):
    costs = []
    for number in KENT_NEIGHBOURS_2021:
        row = _row_of(sheet, number)
        plans, money = _cells(sheet, row, ["K"]), _cells(sheet, row, ["BZ", "CA", "CB"])
        if plans is not None and money and plans >= MIN_PLACEMENTS:
            costs.append(money / plans)
    kent = table[(table["la_number"] == "886") & (table["placement"] == "nmss_independent")].iloc[0]
    assert len(costs) == kent["neighbours_used"] == 9  # West Northamptonshire (941) has no placements in the file
    assert kent["neighbours_median"] == pytest.approx(statistics.median(costs))


def test_englands_totals_are_the_sums_of_the_files_la_rows(sheet):
    totals = england_totals().set_index("placement")
    rows = range(FIRST_ROW, LAST_ROW + 1)
    for placement, (plan_columns, spend_columns) in MAPPING.items():
        plans = sum(_cells(sheet, r, plan_columns) or 0 for r in rows)
        assert totals.at[placement, "placements"] == plans, placement
        if spend_columns:
            money = sum(v for c in spend_columns for r in rows if isinstance(v := sheet[f"{c}{r}"].value, (int, float)))
            assert totals.at[placement, "spend"] == pytest.approx(money), placement
            assert totals.at[placement, "unit_cost"] == pytest.approx(money / plans), placement
    assert totals["placements"].sum() == sum(_cells(sheet, r, ["G"]) or 0 for r in rows) == 430_665  # each plan once
    assert totals.at["nmss_independent", "unit_cost"] == pytest.approx(55_826.45, abs=0.01)


def test_every_row_follows_the_flag_rules(table):
    assert len(table) == 154 * len(MAPPING) and not table.duplicated(["la_number", "placement"]).any()
    kind = table["flag"].str.split(":").str[0]
    assert set(kind) == {"", "missing", "implausible"}
    assert (kind[table["placement"] == "other"] == "missing").all()
    assert (kind[table["placement"] == "hospital_ap"] != "").all()
    missing = table["placements"].isna() | table["spend"].isna() | (table["placements"] == 0)
    assert (kind[missing] == "missing").all() and (kind[~missing] != "missing").all()
    few = ~missing & (table["placements"] < MIN_PLACEMENTS)
    assert table.loc[few, "flag"].str.contains("fewer than 10").all()
    clean = table[kind == ""]
    assert ((clean["unit_cost"] <= RATIO * clean["england_median"]) & (clean["unit_cost"] >= clean["england_median"] / RATIO)).all()
    by_ratio = table[table["flag"].str.contains("England's median")]
    assert len(by_ratio) and ((by_ratio["unit_cost"] > RATIO * by_ratio["england_median"]) |
                              (by_ratio["unit_cost"] < by_ratio["england_median"] / RATIO)).all()
    northants = table[table["la_number"].isin(["928", "940"])].set_index(["la_number", "placement"])["flag"]
    assert northants[("928", "maintained_special")] == "missing: the file has no spend for this LA ('#N/A')"
    assert northants[("940", "maintained_special")] == "missing: the file has no placements for this LA ('#N/A')"


def test_englands_median_is_the_median_of_the_usable_figures(table):
    for placement, rows in table[table["placement"] != "other"].groupby("placement"):
        usable = rows[(rows["flag"] == "") | rows["flag"].str.contains("England's median|not a unit cost")]
        assert rows["england_median"].nunique() == 1
        assert rows["england_median"].iat[0] == pytest.approx(usable["unit_cost"].median()), placement


def test_a_file_whose_layout_changed_is_refused_in_one_line(tmp_path):
    book = openpyxl.load_workbook(HIGH_NEEDS_BENCHMARKING_FILE)
    book["Sheet1"]["CB4"] = "Special schools (2)"
    changed = tmp_path / HIGH_NEEDS_BENCHMARKING_FILE.name
    book.save(changed)
    message = refusal(unit_costs, changed)
    assert message.startswith(f"{changed.name}: sheet 'Sheet1', row 4, column CB: expected 'Special schools and "
                              "academies (2)', found 'Special schools (2)'")
