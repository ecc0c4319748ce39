"""pipeline.parameters: one meaning of as_of, every parameter documented, every bad value a one-line error."""

import datetime as dt

import pytest
from helpers import TARGETS
from papermill.translators import PythonTranslator

from analysis_helpers.core.errors import DataValidationError, ParameterError, UnknownAreaError
from analysis_helpers.core.paths import PROJECT_ROOT
from analysis_helpers.domain.run_context import Quarter
from analysis_helpers.pipeline.parameters import (
    NOTEBOOK_PARAMETERS,
    PARAMETERS,
    parameters_cell,
    resolve_as_of,
    validate,
    validate_targets_file,
)

TODAY = dt.date(2025, 11, 15)


# -- as_of: the data date; blank = the quarter's last day ------------------------------
def test_blank_as_of_is_the_last_day_of_the_quarter():
    assert resolve_as_of("2024-Q4", "", TODAY) == (Quarter(2024, 4), dt.date(2024, 12, 31))
    assert resolve_as_of("2025-Q1", "", TODAY) == (Quarter(2025, 1), dt.date(2025, 3, 31))


def test_blank_as_of_in_a_quarter_not_yet_ended_is_today():
    assert resolve_as_of("2025-Q4", "", TODAY) == (Quarter(2025, 4), TODAY)


def test_blank_quarter_is_the_last_quarter_completed_on_the_run_date():
    # 15 November 2025: 2025-Q3 is the last completed quarter, ending 30 September 2025
    assert resolve_as_of("", "", TODAY) == (Quarter(2025, 3), dt.date(2025, 9, 30))
    # not the quarter the newest release (1 July 2025) was published in: on 28 November 2026 it is 2026-Q3
    assert resolve_as_of("", "", dt.date(2026, 11, 28)) == (Quarter(2026, 3), dt.date(2026, 9, 30))
    assert resolve_as_of("", "", dt.date(2026, 1, 2)) == (Quarter(2025, 4), dt.date(2025, 12, 31))


def test_a_stated_as_of_is_kept():
    assert resolve_as_of("2024-Q4", "2025-02-14", TODAY)[1] == dt.date(2025, 2, 14)


@pytest.mark.parametrize(
    ("quarter", "as_of", "message"),
    [
        ("2025-Q3", "2025-12-01", "as_of 2025-12-01 is after today (2025-11-15)"),
        ("2024-Q4", "2024-09-30", "as_of 2024-09-30 is before quarter 2024-Q4 starts (2024-10-01)"),
        ("2024-Q4", "31/12/2024", "as_of must be a date written YYYY-MM-DD, got '31/12/2024'"),
        ("2024-Q5", "", "quarter must look like 2024-Q4"),
        ("2022-Q1", "", "before any DfE release in the data log was published (earliest 2023-03-27)"),
    ],
)
def test_bad_quarter_or_as_of_is_one_line(quarter, as_of, message):
    with pytest.raises(ParameterError) as info:
        resolve_as_of(quarter, as_of, TODAY)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_as_of_must_be_text():
    with pytest.raises(ParameterError, match="as_of must be text in quotes, got 20250930"):
        resolve_as_of("2025-Q3", 20250930, TODAY)


def test_the_three_notebooks_agree_on_as_of():
    """Each notebook's defaults give the same data date (03 used to take the quarter's end, 01 and 02 today)."""
    dates = set()
    for notebook, names in NOTEBOOK_PARAMETERS.items():
        assert {"quarter", "as_of"} <= set(names), notebook
        dates.add(resolve_as_of(PARAMETERS["quarter"].default, PARAMETERS["as_of"].default, TODAY)[1])
    assert dates == {dt.date(2025, 9, 30)}


# -- validate ---------------------------------------------------------------------------
def test_validate_resolves_every_parameter():
    run = validate(area="886", quarter="2024-Q4", neighbours="2021", today=TODAY, report_dir="reports/2024-Q4/kent")
    assert (run.area.name, run.neighbours, run.as_of, str(run.quarter)) == ("Kent", "2021", dt.date(2024, 12, 31), "2024-Q4")
    assert run.report_dir == PROJECT_ROOT / "reports" / "2024-Q4" / "kent" and run.targets == TARGETS
    assert run.region.name == "South East" and len(run.feed) > 0
    assert not run.dfe_published  # the 2025 release came out on 2025-07-01, after 31 December 2024
    assert validate(area="Kent", quarter="2025-Q3", today=TODAY).dfe_published


def test_validate_blank_report_dir_means_jupyterlab():
    assert validate(area="Essex", today=TODAY).report_dir is None


def test_bad_area():
    with pytest.raises(UnknownAreaError, match="Kentt"):
        validate(area="Kentt", today=TODAY)
    with pytest.raises(ParameterError, match="area must be the name, LA number or GSS code"):
        validate(area="  ", today=TODAY)


def test_details_must_be_a_bool():
    with pytest.raises(ParameterError, match="details must be True or False, got 'yes'"):
        validate(area="Kent", details="yes", today=TODAY)


def test_bad_neighbours():
    with pytest.raises(ParameterError, match="neighbours must be one of 2021, 2025"):
        validate(area="Kent", neighbours="2019", today=TODAY)


def test_future_as_of():
    with pytest.raises(ParameterError, match="as_of 2026-01-05 is after today"):
        validate(area="Kent", quarter="2025-Q4", as_of="2026-01-05", today=TODAY)


def test_bad_release_path():
    with pytest.raises(ParameterError) as info:
        validate(area="Kent", release="data/raw/no-such-release.zip", today=TODAY)
    assert str(info.value).startswith("release 'data/raw/no-such-release.zip' not found (expected a DfE release zip or folder")


def test_bad_targets_file(tmp_path):
    with pytest.raises(ParameterError, match="targets_file 'data/nothing.csv' not found"):
        validate_targets_file("data/nothing.csv")
    bad = tmp_path / "targets.csv"
    text = TARGETS.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([text[0], text[1].replace(",80,2024-09-30,", ",eighty,2024-09-30,")]) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="row 2, column 'target_value': 'eighty' is not a number"):
        validate(area="Kent", targets_file=str(bad), today=TODAY)


def test_bad_local_feed(tmp_path):
    feed = tmp_path / "kent.csv"
    feed.write_text("measure,period\nsend_vacancies,2023-09\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="kent.csv: row 1, column 'value': missing from the header"):
        validate(area="Kent", local=str(feed), today=TODAY)


# -- the parameters cell ---------------------------------------------------------------
def test_every_notebook_parameter_is_documented_for_papermill():
    for notebook, names in NOTEBOOK_PARAMETERS.items():
        inspected = PythonTranslator.inspect({"source": parameters_cell(notebook)})
        assert [p.name for p in inspected] == list(names), notebook
        for p in inspected:
            assert p.inferred_type_name == PARAMETERS[p.name].type.__name__ and p.help == PARAMETERS[p.name].meaning
            assert len(p.help) > 20 and "=" not in p.help  # papermill skips a line with a second "="


def test_parameters_cell_text():
    lines = parameters_cell("03_quarterly_review").splitlines()
    assert lines[0].startswith('area = "Kent"  # type: str  English LA')
    assert 'details = True  # type: bool  link the detailed' in lines[-2]
    assert len(lines) == 9


def test_a_local_path_that_does_not_exist_is_refused_not_ignored():
    """Run by hand in JupyterLab, a mistyped feed path must not quietly give a review without council figures."""
    with pytest.raises(ParameterError, match=r"^local data/local/kentt\.csv does not exist; give an existing feed file"):
        validate(area="Kent", quarter="2025-Q3", local="data/local/kentt.csv", today=TODAY)
