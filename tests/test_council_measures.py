"""The council-measures catalogue: measures are data, not code."""

import shutil

import pytest
from helpers import MEASURES_FILE

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import shown_path
from analysis_helpers.data import council_measures
from analysis_helpers.data.local_feed import LOCAL_MEASURES, REQUIRED, validate_feed
from analysis_helpers.reporting import local_tables

HEADER = ",".join(REQUIRED)


def feed(tmp_path, *rows):
    path = tmp_path / "kent.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_catalogue_holds_the_35_measures_kent_publishes():
    measures = council_measures.catalogue()  # the frozen copy: 27 to 2023, and 8 more from 2024 on (issue 22)
    assert (len(measures) == 35 and measures["max_wait_weeks_for_ehcp"].unit == "weeks"
            and measures["assessment_backlog_cases"].higher_is_better is False)
    assert LOCAL_MEASURES["high_needs_deficit_gbp_m"] == ("gbp_m", "High-needs (DSG) cumulative deficit (£m)")


def test_a_misspelt_measure_gets_one_short_line_with_the_closest_names(tmp_path):
    _, problems, _ = validate_feed(feed(tmp_path, "ehcp_isued_within_20_weeks_pct,2023-06,13.2,pct,monthly,,,,KCC,https://kent.gov.uk/x"))
    [problem] = problems
    line = str(problem)
    assert "\n" not in line and len(line) < 300
    assert line.startswith("kent.csv: row 2, column 'measure': unknown measure 'ehcp_isued_within_20_weeks_pct'; closest: "
                           "ehcp_issued_within_20_weeks_pct,")
    assert line.endswith(f"(or add a row to {shown_path(MEASURES_FILE)})")


def test_an_analyst_adds_a_measure_by_adding_a_row(tmp_path, monkeypatch):
    catalogue = tmp_path / "measures.csv"
    shutil.copyfile(MEASURES_FILE, catalogue)
    with open(catalogue, "a", encoding="utf-8") as handle:
        handle.write("longest_wait_weeks,Longest wait for an EHC plan (weeks),weeks,false,The longest open case in weeks.\n"
                     "plan_audit_good_pct,EHC plans audited as good or better,pct,true,Share of audited plans rated good.\n")
    monkeypatch.setattr(council_measures, "CATALOGUE", catalogue)
    frame, problems, _ = validate_feed(feed(
        tmp_path,
        "longest_wait_weeks,2024-03,61,weeks,snapshot,,,,KCC,https://kent.gov.uk/x",
        "plan_audit_good_pct,2024-Q1,58,pct,quarterly audit,29,50,,KCC,https://kent.gov.uk/y",
    ))
    assert problems == [] and frame["measure"].tolist() == ["longest_wait_weeks", "plan_audit_good_pct"]
    shown = local_tables.display(local_tables.measure_rows(frame, ["longest_wait_weeks", "plan_audit_good_pct"]))
    assert shown["Measure"].tolist() == ["Longest wait for an EHC plan (weeks)", "EHC plans audited as good or better"]
    assert shown["Value"].tolist() == ["61 weeks", "58.0%"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Bad Name,Label,count,,", "row 2, column 'measure': 'Bad Name' is not a measure name"),
        ("wait_days,Wait,days,,", "row 2, column 'unit': 'days' is not a unit: use pct, count, gbp_m, weeks"),
        ("wait_weeks,Wait,weeks,maybe,", "row 2, column 'higher_is_better': 'maybe': use true, false or leave it empty"),
        ("wait_weeks,,weeks,,", "row 2, column 'label': empty"),
    ],
)
def test_a_bad_catalogue_row_is_one_line_naming_row_and_column(tmp_path, row, message):
    catalogue = tmp_path / "measures.csv"
    catalogue.write_text("measure,label,unit,higher_is_better,description\n" + row + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"^measures\.csv: " + message.replace("(", r"\(").replace(")", r"\)")):
        council_measures.catalogue(catalogue)
