"""Ofsted's area SEND inspections read as published (issue 22, item 8: the inspection history), and a changed layout
refused in one line naming the sheet, the row and the column.

Expected values were read off the raw cells (the sheet read with no header, as the file holds them): Kent's
inspection began 28 January 2019, was published 29 March 2019, required a written statement of action naming 9
significant weaknesses and had not been revisited by 31 August 2022; Worcestershire's revisit (1 November 2021,
published 13 January 2022) found sufficient progress on 8 of its 12 weaknesses ("Some").
"""

import csv
import datetime as dt
import io
import shutil

import pandas as pd
import pytest

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import OFSTED_2023_FRAMEWORK_FILE, OFSTED_INSPECTIONS_FILE
from analysis_helpers.data.ofsted import COLUMNS_2016, HEADER_ROW, SHEET, read_2016_framework, read_2023_framework


@pytest.fixture(scope="module")
def inspections():
    return read_2016_framework()


def test_every_area_is_read_with_kents_inspection_as_published(inspections):
    assert len(inspections) == 149  # 154 rows less the four lines of notes and the header
    assert inspections["area_code"].is_unique and inspections["area_code"].str.startswith("E").all()
    kent = inspections[inspections["area_code"] == "E10000016"].iloc[0]
    assert kent["area_name"] == "Kent" and kent["ofsted_region"] == "South East"
    assert (kent["inspection_start"], kent["inspection_published"]) == (dt.date(2019, 1, 28), dt.date(2019, 3, 29))
    assert bool(kent["wsoa_required"]) and kent["significant_weaknesses"] == 9
    assert kent["revisit_start"] is None and kent["revisit_sufficient_progress"] is None  # "Not revisited yet"


def test_a_revisit_and_the_counts_of_outcomes(inspections):
    worcs = inspections[inspections["area_name"] == "Worcestershire"].iloc[0]
    assert (worcs["revisit_start"], worcs["revisit_published"]) == (dt.date(2021, 11, 1), dt.date(2022, 1, 13))
    assert worcs["revisit_sufficient_progress"] == "Some"
    assert (worcs["significant_weaknesses"], worcs["weaknesses_progressed"], worcs["weaknesses_not_progressed"]) == (12, 8, 4)
    assert int(inspections["wsoa_required"].sum()) == 82 and int((~inspections["wsoa_required"]).sum()) == 67
    assert inspections["revisit_sufficient_progress"].value_counts().to_dict() == {"Some": 24, "Yes": 20, "No": 2}


def test_the_2023_framework_inspections():
    found = read_2023_framework()
    assert len(found) == 16
    rows = list(csv.reader(io.StringIO(OFSTED_2023_FRAMEWORK_FILE.read_text(encoding="utf-8"))))[1:]
    assert found["area_name"].tolist() == [r[2] for r in rows]
    failings = found[found["outcome"] == "Widespread and/or systemic failings"]
    assert len(failings) == 5 and failings["priority_action_plan_required"].all()
    assert sorted(failings["priority_action_areas"].astype(int)) == [2, 2, 2, 5, 5]
    assert found["priority_action_areas"].isna().sum() == 11  # "NA" where no plan is required


def test_a_moved_column_is_refused_naming_sheet_row_and_column(tmp_path):
    sheet = pd.read_excel(OFSTED_INSPECTIONS_FILE, engine="odf", sheet_name=SHEET, header=None, dtype=object)
    sheet[[6, 7]] = sheet[[7, 6]].to_numpy()  # two columns swapped
    changed = tmp_path / OFSTED_INSPECTIONS_FILE.name
    sheet.to_excel(changed, engine="odf", sheet_name=SHEET, header=False, index=False)
    with pytest.raises(DataValidationError) as caught:
        read_2016_framework(changed)
    message = str(caught.value)
    assert "\n" not in message and f"sheet '{SHEET}', row {HEADER_ROW + 1}, column 7" in message
    assert f"expected {list(COLUMNS_2016)[6]!r}" in message


def test_a_cell_of_the_wrong_kind_is_refused_naming_its_row(tmp_path):
    sheet = pd.read_excel(OFSTED_INSPECTIONS_FILE, engine="odf", sheet_name=SHEET, header=None, dtype=object)
    kent = sheet.index[sheet[2] == "Kent"][0]
    sheet.loc[kent, 7] = "nine"
    changed = tmp_path / OFSTED_INSPECTIONS_FILE.name
    sheet.to_excel(changed, engine="odf", sheet_name=SHEET, header=False, index=False)
    with pytest.raises(DataValidationError, match=rf"row {kent + 1}, column 8 .*expected a whole number, found 'nine'"):
        read_2016_framework(changed)


def test_a_changed_csv_header_is_refused(tmp_path):
    changed = tmp_path / OFSTED_2023_FRAMEWORK_FILE.name
    shutil.copyfile(OFSTED_2023_FRAMEWORK_FILE, changed)
    changed.write_text(changed.read_text(encoding="utf-8").replace("Inspection.outcome", "Outcome", 1), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"line 1, column 7: expected 'Inspection.outcome', found 'Outcome'"):
        read_2023_framework(changed)
