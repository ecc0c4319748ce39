import pandas as pd
import pytest

from analysis_helpers.core.errors import DataValidationError, ParameterError
from analysis_helpers.data.neighbours import neighbours_of, read_neighbour_file


def test_kent_2025_neighbours_as_in_the_spreadsheet():
    # sn_may_2025.xlsx, row "886 Kent": SN1..SN10.
    kent = neighbours_of("886", "2025")
    assert [n.la_number for n in kent] == ["881", "845", "878", "303", "935", "926", "891", "938", "822", "933"]
    assert kent[0].name == "Essex" and kent[0].closeness == "Very close"


def test_kent_2021_neighbours_as_in_the_spreadsheet():
    kent = neighbours_of("886", "2021")
    assert [n.la_number for n in kent] == ["881", "845", "866", "885", "888", "941", "891", "937", "935", "860"]
    assert kent[0].closeness == "Extremely close"


def test_las_without_a_list_have_no_neighbours():
    assert neighbours_of("942", "2021") == []  # Cumberland: '-' in the 2021 list


def test_unknown_vintage():
    with pytest.raises(ParameterError, match="neighbours must be one of 2021, 2025"):
        neighbours_of("886", "2019")


def _sheet(tmp_path, rows):
    path = tmp_path / "sn.xlsx"
    pd.DataFrame(rows).to_excel(path, header=False, index=False)
    return path


def test_bad_neighbour_number_is_located(tmp_path):
    header = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"] + [x for i in range(1, 11) for x in (f"SN{i}", "SNP")]
    row = [886, "Kent", 886, 6, "South East"] + [x for i in range(10) for x in (881, "Close")]
    row[5] = "Essex"
    path = _sheet(tmp_path, [["title"] + [None] * 24, header, row])
    with pytest.raises(DataValidationError, match=r"sn.xlsx: row 3, column 'SN1': 'Essex' is not a three-digit LA number"):
        read_neighbour_file(path)


def test_missing_header_row(tmp_path):
    path = _sheet(tmp_path, [["nothing here"], ["at all"]])
    with pytest.raises(DataValidationError, match="no header row starting 'LA num'"):
        read_neighbour_file(path)
