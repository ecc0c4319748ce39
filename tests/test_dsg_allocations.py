"""DfE's DSG allocations 2020-21 to 2023-24 read as published (issue 23): the high-needs block by LA and year, and a
changed layout refused in one line naming the sheet, the row and the column.

Expected values are read here from each file's own cells (the sheet read with no header, as the file holds it; the
column's labels checked first): column E is ``High needs block (£s)``, lettered ``[C]``, under the heading "before
recoupment and deductions"; column J is ``High needs block allocation (£s)``, ``[H]``, after them (the one read as
``high_needs_block``).
"""

import csv

import openpyxl
import pandas as pd
import pytest
from helpers import refusal

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import DSG_ALLOCATION_FILES, HIGH_NEEDS_BENCHMARKING_FILE, RAW_DIR
from analysis_helpers.data.dsg_allocations import (
    SHEET,
    allocations,
    high_needs_allocations,
    read_allocations_file,
)

#: Each file's financial year, as its title states it (read off row 1 of each file).
YEARS = {"dedicated-schools-grant_2021_11_18.ods": "2020-21", "dedicated-schools-grant_2022_07_18.ods": "2021-22",
         "dedicated-schools-grant_2023_07_20.ods": "2022-23", "dedicated-schools-grant_2024_07_20.ods": "2023-24"}
BEFORE, AFTER = 4, 9  # columns E and J
KENT_ROW = 128  # 0-based: spreadsheet row 129 in all four files


@pytest.fixture(scope="module")
def sheets():
    return {path.name: pd.read_excel(path, engine="odf", sheet_name=SHEET, header=None, dtype=object)
            for path in DSG_ALLOCATION_FILES}


@pytest.fixture(scope="module")
def table():
    return high_needs_allocations()


def test_the_columns_read_are_the_high_needs_block_before_and_after_deductions(sheets):
    for name, sheet in sheets.items():
        years = YEARS[name].replace("-", " to 20")
        assert sheet.iat[0, 0] == f"Dedicated schools grant: {years} allocations local authority summary"
        assert sheet.iat[0, 2].startswith(f"{years} DSG allocations, before recoupment and deductions")
        assert sheet.iat[0, 7].startswith(f"{years} DSG allocations, after deductions for academies recoupment")
        assert (sheet.iat[1, BEFORE], sheet.iat[2, BEFORE]) == ("High needs block (£s)", "[C]")
        assert (sheet.iat[1, AFTER], sheet.iat[2, AFTER]) == ("High needs block allocation (£s)", "[H]")


def test_kents_high_needs_block_by_year_as_in_its_cells(sheets, table):
    kent = table[table["la_number"] == "886"].set_index("financial_year")
    assert kent.index.tolist() == ["2020-21", "2021-22", "2022-23", "2023-24"]
    for name, sheet in sheets.items():
        assert (str(sheet.iat[KENT_ROW, 0]), sheet.iat[KENT_ROW, 1]) == ("886", "Kent")
        row = kent.loc[YEARS[name]]
        assert row["high_needs_block"] == sheet.iat[KENT_ROW, AFTER]
        assert row["high_needs_block_before_deductions"] == sheet.iat[KENT_ROW, BEFORE]
        assert row["row"] == KENT_ROW + 1
    assert kent["high_needs_block"].tolist() == [209_904_275, 233_205_395, 264_612_312, 293_071_829]
    assert kent["high_needs_block_before_deductions"].tolist() == [222_918_942, 249_004_381, 282_136_146, 311_663_662]


def test_england_is_its_row_and_the_sum_of_its_las_in_every_year(sheets, table):
    for name, sheet in sheets.items():
        year = table[table["financial_year"] == YEARS[name]]
        assert sheet.iat[4, 0] == "ENGLAND"
        las = sheet[sheet[0].map(lambda v: str(v).isdigit())]
        england = year[year["level"] == "National"].iloc[0]
        for column, value in ((AFTER, england["high_needs_block"]), (BEFORE, england["high_needs_block_before_deductions"])):
            assert value == sheet.iat[4, column] == las[column].astype(float).sum()
        assert len(year[year["level"] == "Local authority"]) == len(las)
        assert year.loc[year["level"] == "Local authority", "la_number"].tolist() == [str(v) for v in las[0]]
        assert len(year[year["level"] == "Regional"]) == 9
    counts = table[table["level"] == "Local authority"].groupby("financial_year").size()
    assert counts.tolist() == [149, 150, 150, 151]  # Northamptonshire splits in 2021-22, Cumbria in 2023-24


def test_the_cache_gives_the_table_the_file_gives(table):
    path = DSG_ALLOCATION_FILES[0]
    pd.testing.assert_frame_equal(allocations(path), read_allocations_file(path))  # the first kept as parquet by `table`


def test_two_files_of_one_year_are_refused():
    with pytest.raises(DataValidationError, match=r"allocations for 2023-24 again"):
        high_needs_allocations([DSG_ALLOCATION_FILES[-1], DSG_ALLOCATION_FILES[-1]])


def _changed_copy(tmp_path, sheet, information="Information_2020_to_2021"):
    changed = tmp_path / DSG_ALLOCATION_FILES[0].name
    with pd.ExcelWriter(changed, engine="odf") as book:
        pd.DataFrame().to_excel(book, sheet_name=information, header=False, index=False)
        sheet.to_excel(book, sheet_name=SHEET, header=False, index=False)
    return changed


def test_a_renamed_header_cell_is_refused_naming_sheet_row_and_column(sheets, tmp_path):
    sheet = sheets[DSG_ALLOCATION_FILES[0].name].copy()
    sheet.iat[1, BEFORE] = "High needs (£s)"
    changed = _changed_copy(tmp_path, sheet)
    message = refusal(read_allocations_file, changed)
    assert message.startswith(f"{changed.name}: sheet '{SHEET}', row 2, column E: expected 'High needs block (£s)', "
                              "found 'High needs (£s)'")


def test_a_year_the_file_does_not_agree_on_and_las_that_no_longer_add_up_are_refused(sheets, tmp_path):
    sheet = sheets[DSG_ALLOCATION_FILES[0].name].copy()
    with pytest.raises(DataValidationError, match=r"the title's year 2020 to 2021 has no sheet 'Information_2020_to_2021'"):
        read_allocations_file(_changed_copy(tmp_path, sheet, information="Information_2021_to_2022"))
    sheet.iat[KENT_ROW, BEFORE] += 1  # Kent's high-needs block, its total left as it was
    with pytest.raises(DataValidationError, match=rf"sheet '{SHEET}', row {KENT_ROW + 1}, column G: the total "
                       r"1,307,392,982 is not the sum of \[A\] to \[D\] \(1,307,392,983\)"):
        read_allocations_file(_changed_copy(tmp_path, sheet))
    sheet.iat[KENT_ROW, 6] += 1  # and its total: now the LAs no longer make England
    with pytest.raises(DataValidationError, match=rf"sheet '{SHEET}', row 5, column E: England's 7,063,230,381 is not "
                       r"the sum of its local authorities \(7,063,230,382\)"):
        read_allocations_file(_changed_copy(tmp_path, sheet))


def test_the_block_after_deductions_is_on_the_outturns_basis(table):
    """Why ``high_needs_block`` is [H]: Kent's 2021-22 section 251 outturn on every line of the benchmarking file,
    less [H], comes to within £1.5m of the £52m in-year overspend KCC published for 2021-22; less [C] it does not."""
    book = openpyxl.load_workbook(HIGH_NEEDS_BENCHMARKING_FILE, data_only=True)
    sheet = book["Sheet1"]
    assert (sheet["BI3"].value, sheet["D103"].value) == ("Section 251 outturn", "Kent")
    lines = ["BI", "BJ", "BK", "BL", "BO", "BP", "BX", "CF", "CG", "CH", "CI"]  # place funding (its total, the phases
    # published beside it), the two top-up totals and the four services
    outturn = sum(sheet[f"{c}103"].value for c in lines)
    book.close()
    with open(RAW_DIR / "kent_published_kpis.csv", encoding="utf-8") as handle:
        published = next(float(r["value"]) for r in csv.DictReader(handle)
                         if r["measure"] == "high_needs_inyear_overspend_gbp_m" and r["period"] == "2021/22")
    kent = table[(table["la_number"] == "886") & (table["financial_year"] == "2021-22")].iloc[0]
    assert published == 52 and round(outturn / 1e6, 1) == 283.9
    assert abs((outturn - kent["high_needs_block"]) / 1e6 - published) < 1.5
    assert abs((outturn - kent["high_needs_block_before_deductions"]) / 1e6 - published) > 15
