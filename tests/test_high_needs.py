"""DfE's 2021-22 high-needs benchmarking data read as published (issue 23), and a changed layout refused in one line
naming the sheet, the row and the column.

Expected values are read here from the workbook's own cells with openpyxl (each column's header checked first, so a
cell is known by what the file says it is, not by the reader's mapping), and England's placements are tied to a
second publication: SEN2's England row for January 2021 in the 2022 release.
"""

import csv
import io
import zipfile

import openpyxl
import pytest

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import HIGH_NEEDS_BENCHMARKING_FILE, HISTORIC_RELEASE
from analysis_helpers.data.high_needs import SHEET, areas, placements, read_high_needs_file, spend

#: The placement columns and their row-6 headers, as the published file has them.
PLACEMENT_CELLS = {
    "mainstream": ("H", "Mainstream schools\nor academies"),
    "resourced_provision": ("I", "Resourced provision\nor SEN units"),
    "maintained_special": ("J", "Maintained special schools\nor special academies"),
    "nmss_independent": ("K", "NMSS or\nindependent schools"),
    "hospital_ap": ("L", "Hospital schools or\nalternative provision"),
    "post_16": ("M", "Post 16"),
    "other": ("N", "Other"),
}
#: SEN2 establishment types (2022 release, sen2_estab_caseload.csv) that make each placement column; "other" is the rest.
SEN2_TYPES = {
    "mainstream": ["Mainstream - LA maintained", "Mainstream - Academy", "Mainstream - Free school"],
    "resourced_provision": [
        "Mainstream - LA maintained - SEN unit", "Mainstream - LA maintained - Resourced provision",
        "Mainstream - Academy - SEN unit", "Mainstream - Academy - Resourced Provision",
        "Mainstream - Free school - SEN unit", "Mainstream - Free school - Resourced provision",
    ],
    "maintained_special": ["Special - LA maintained", "Special - Academy/free"],
    "nmss_independent": ["Special - Non-maintained", "Special - Independent", "Mainstream - Independent"],
    "hospital_ap": ["AP/PRU - LA maintained", "AP/PRU - Academy", "AP/PRU - Free school", "Hospital School"],
    "post_16": ["General FE and tertiary colleges/HE", "Other FE", "Sixth form college", "Specialist post-16 institutions"],
}
FIRST_ROW, LAST_ROW, KENT_ROW = 8, 161, 103


@pytest.fixture(scope="module")
def sheet():
    book = openpyxl.load_workbook(HIGH_NEEDS_BENCHMARKING_FILE, data_only=True)
    yield book[SHEET]
    book.close()


def _number(value):
    return value if isinstance(value, (int, float)) else None


def test_every_la_row_is_read_and_no_england_or_region_row_is_invented(sheet):
    found = areas()
    assert len(found) == LAST_ROW - FIRST_ROW + 1 == 154
    assert found["la_number"].tolist() == [str(sheet[f"C{r}"].value) for r in range(FIRST_ROW, LAST_ROW + 1)]
    assert found["la_number"].str.fullmatch(r"\d{3}").all() and found["la_number"].is_unique
    assert not found["la_name"].str.upper().isin(["ENGLAND", "LONDON"]).any()
    assert sorted(found["region"].unique()) == sorted({sheet[f"B{r}"].value.strip() for r in range(FIRST_ROW, LAST_ROW + 1)})


def test_kents_population_plans_and_placements_as_in_its_cells(sheet):
    assert (sheet[f"D{KENT_ROW}"].value, sheet[f"C{KENT_ROW}"].value) == ("Kent", 886)
    assert sheet["E5"].value == "2-18 Population (ONS mid-2021 projection)"
    assert sheet["G5"].value == "No. aged up to 25 with SEN statement or EHCP"
    kent = areas().set_index("la_number").loc["886"]
    assert kent["population_2_18"] == pytest.approx(sheet[f"E{KENT_ROW}"].value)  # 334,809.4
    assert kent["ehc_plans"] == sheet[f"G{KENT_ROW}"].value == 15281
    found = placements()
    kent = found[found["la_number"] == "886"].set_index("placement")
    for placement, (column, header) in PLACEMENT_CELLS.items():
        assert sheet[f"{column}6"].value == header
        assert kent.at[placement, "plans"] == sheet[f"{column}{KENT_ROW}"].value
        assert kent.at[placement, "cell"] == f"{column}{KENT_ROW}"
    assert kent.at["nmss_independent", "plans"] == 1396


def test_kents_outturn_lines_as_in_its_cells(sheet):
    assert (sheet["P3"].value, sheet["BI3"].value) == ("Section 251 budget", "Section 251 outturn")
    headers = {"BI4": "Place funding", "BM4": "Special schools and academies", "BT4": "Special schools and academies (1)",
               "BZ4": "Primary (2)", "CB4": "Special schools and academies (2)", "CE4": "Income (2)",
               "CF4": "SEN support and inclusion services", "CI4": "Therapies and other health related services"}
    for cell, header in headers.items():
        assert sheet[cell].value == header
    lines = {("place_funding", "total"): "BI", ("place_funding", "special"): "BM", ("top_up_maintained", "special"): "BT",
             ("top_up_independent", "primary"): "BZ", ("top_up_independent", "special"): "CB",
             ("top_up_independent", "income"): "CE", ("sen_support", "total"): "CF", ("therapies", "total"): "CI"}
    found = spend(basis="outturn")
    kent = found[found["la_number"] == "886"].set_index(["line", "phase"])
    for key, column in lines.items():
        assert kent.at[key, "amount"] == pytest.approx(sheet[f"{column}{KENT_ROW}"].value, abs=1e-6)
    assert kent.at[("top_up_independent", "special"), "amount"] == pytest.approx(62_722_985.62)
    assert len(kent) == 27 and set(found["basis"]) == {"outturn"}


def test_every_value_is_the_cell_it_names(sheet):
    for table, column in ((placements(), "plans"), (spend(), "amount")):
        for cell, value in zip(table["cell"], table[column], strict=True):
            published = _number(sheet[cell].value)
            assert (value == pytest.approx(published)) if published is not None else value != value, cell


def test_replaced_las_are_kept_with_their_figures_missing():
    found = placements().pivot(index="la_number", columns="placement", values="plans")
    assert found.loc[["837", "835", "836", "940", "941"]].isna().all().all()  # Bournemouth, Dorset, Poole; N and W Northants
    assert found.loc["928", "maintained_special"] == 2178  # Northamptonshire: plans, no spend
    outturn = spend(basis="outturn").groupby("la_number")["amount"].count()
    assert outturn.loc[["928", "837", "835", "836"]].eq(0).all() and outturn.loc[["940", "941"]].eq(27).all()


def test_englands_placements_tie_to_sen2s_england_row_for_january_2021(sheet):
    """The file has no England row: its LAs plus the two it leaves out (City of London, Isles of Scilly) make SEN2's
    published England figure for January 2021, in every placement column."""
    with zipfile.ZipFile(HISTORIC_RELEASE) as release:
        rows = list(csv.DictReader(io.TextIOWrapper(release.open("data/sen2_estab_caseload.csv"), encoding="utf-8")))
    year = [r for r in rows if r["time_period"] == "2021"]
    national = [r for r in year if r["geographic_level"] == "National"]
    england = {r["establishment_type"]: int(r["Total_all"]) for r in national if r["establishment_type"] != "Total"}
    england_total = next(int(r["Total_all"]) for r in national if r["establishment_type"] == r["establishment_group"] == "Total")
    left_out = {}
    for r in year:
        if r["old_la_code"] in ("201", "420") and r["establishment_type"] != "Total" and r["Total_all"].isdigit():
            left_out[r["establishment_type"]] = left_out.get(r["establishment_type"], 0) + int(r["Total_all"])
    grouped = {t for types in SEN2_TYPES.values() for t in types}
    counted = placements().groupby("placement")["plans"].sum()
    for placement, (column, _) in PLACEMENT_CELLS.items():
        in_file = sum(_number(sheet[f"{column}{r}"].value) or 0 for r in range(FIRST_ROW, LAST_ROW + 1))
        types = SEN2_TYPES.get(placement) or [t for t in england if t not in grouped]  # "other": every other type
        published = sum(england[t] for t in types) - sum(left_out.get(t, 0) for t in types)
        assert counted[placement] == in_file == published, placement
    total = sum(_number(sheet[f"G{r}"].value) or 0 for r in range(FIRST_ROW, LAST_ROW + 1))
    assert areas()["ehc_plans"].sum() == total == england_total - sum(left_out.values()) == 430_665


def _changed_copy(tmp_path, edits):
    book = openpyxl.load_workbook(HIGH_NEEDS_BENCHMARKING_FILE)
    for cell, value in edits.items():
        book[SHEET][cell] = value
    changed = tmp_path / HIGH_NEEDS_BENCHMARKING_FILE.name
    book.save(changed)
    return changed


def test_a_renamed_header_cell_is_refused_naming_sheet_row_and_column(tmp_path):
    changed = _changed_copy(tmp_path, {"K6": "Independent schools"})
    with pytest.raises(DataValidationError) as caught:
        read_high_needs_file(changed)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{changed.name}: sheet '{SHEET}', row 6, column K: ")
    assert "expected 'NMSS or independent schools', found 'Independent schools'" in message


def test_a_moved_block_heading_and_a_total_that_no_longer_adds_up_are_refused(tmp_path):
    changed = _changed_copy(tmp_path, {"BI3": None, "BJ3": "Section 251 outturn"})
    with pytest.raises(DataValidationError, match=r"sheet 'Sheet1', row 4, column BJ: expected 'Place funding', found 'Early Years'"):
        read_high_needs_file(changed)
    changed = _changed_copy(tmp_path, {f"CB{KENT_ROW}": 1.0})
    with pytest.raises(DataValidationError, match=rf"row {KENT_ROW}, column BX: the outturn top up independent total is "
                       r"70,273,039.08 but its parts sum to"):
        read_high_needs_file(changed)
    changed = _changed_copy(tmp_path, {f"K{KENT_ROW}": "c"})
    with pytest.raises(DataValidationError, match=rf"row {KENT_ROW}, column K: expected a number or '#N/A', found 'c'"):
        read_high_needs_file(changed)
