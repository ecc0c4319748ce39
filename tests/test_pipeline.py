"""The pipeline's parts: parameters read with papermill, notebook warnings, files read, the swap,
and the names callers import from pipeline.report."""

import datetime as dt
import logging

import nbformat
import pytest
from helpers import DATA_LOG, FEEDS_DIR, KENT_FEED, SHIPPED_RELEASE, TARGETS

from analysis_helpers.core.errors import ReportError
from analysis_helpers.core.paths import BASELINES_NOTEBOOK, HIGH_NEEDS_NOTEBOOK, REVIEW_NOTEBOOK, TRAJECTORIES_NOTEBOOK, shown_path
from analysis_helpers.data.inputs import feed_file, files_read
from analysis_helpers.pipeline import report
from analysis_helpers.pipeline.execute import declared_parameters, notebook_warnings

PARAMETERS = {"area": "Essex", "quarter": "2025-Q3", "as_of": "2025-09-30", "neighbours": "2025", "release": "", "local": "",
              "details": False, "report_dir": "/tmp/x"}


def notebook_with(tmp_path, parameters_cell: str | None, outputs=()):
    nb = nbformat.v4.new_notebook()
    if parameters_cell is not None:
        nb.cells.append(nbformat.v4.new_code_cell(parameters_cell, metadata={"tags": ["parameters"]}))
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", execution_count=2, outputs=list(outputs)))
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def test_only_declared_parameters_are_injected(tmp_path):
    path = notebook_with(tmp_path, 'area = "Kent"  # type: str  an area\nas_of = ""  # type: str  blank: the quarter\'s last day\n')
    assert declared_parameters(path, PARAMETERS) == {"area": "Essex", "as_of": "2025-09-30"}


def test_every_review_notebook_declares_what_the_run_passes():
    for notebook in (REVIEW_NOTEBOOK, BASELINES_NOTEBOOK, TRAJECTORIES_NOTEBOOK, HIGH_NEEDS_NOTEBOOK):
        declared = declared_parameters(notebook, PARAMETERS)
        assert {"area", "quarter", "as_of", "release", "local", "report_dir"} <= set(declared), notebook.name


def test_a_parameters_line_papermill_cannot_read_is_refused(tmp_path):
    """papermill skips a line with a second '=' (here in the comment): the run must not go on with the default."""
    path = notebook_with(tmp_path, 'area = "Kent"\nquarter = "2025-Q3"  # (2025-Q3 = July to September)\n')
    with pytest.raises(ReportError) as info:
        declared_parameters(path, PARAMETERS)
    assert "probe.ipynb: papermill cannot read its parameters cell" in str(info.value) and "line 2" in str(info.value)
    assert "\n" not in str(info.value)


def test_the_parameters_check_reads_the_cell_not_papermills_log(tmp_path):
    """Notebooks run on parallel threads share papermill's logger: the check must not depend on what it logs."""
    path = notebook_with(tmp_path, 'area = "Kent"\nquarter = "2025-Q3"  # (2025-Q3 = July to September)\n')
    papermill_log = logging.getLogger("papermill")
    papermill_log.disabled = True
    try:
        with pytest.raises(ReportError, match="it skips line 2, so 'quarter' would keep its default"):
            declared_parameters(path, PARAMETERS)
    finally:
        papermill_log.disabled = False


@pytest.mark.parametrize(("cell", "refused"), [
    ('area = "Kent"\nquarter = as_of = ""\n', "it skips line 2, so 'as_of' would keep its default"),
    ('area, quarter = "Kent", "2025-Q3"\n', "it skips line 1, so 'area' would keep its default"),
    ('area = "Kent"\nquarter = "2025-Q3\n', "line 2 is not Python: unterminated string literal"),
])
def test_every_name_the_cell_assigns_must_be_read_by_papermill(tmp_path, cell, refused):
    with pytest.raises(ReportError, match=refused) as info:
        declared_parameters(notebook_with(tmp_path, cell), PARAMETERS)
    assert str(info.value).startswith("probe.ipynb: papermill cannot read its parameters cell (") and "\n" not in str(info.value)


def test_annotated_and_multi_line_parameters_are_read(tmp_path):
    path = notebook_with(tmp_path, 'area: str = "Kent"\nquarter = (\n    "2025-Q3"\n)\nitems = []\nitems.append(1)\n')
    assert declared_parameters(path, PARAMETERS) == {"area": "Essex", "quarter": "2025-Q3"}


def test_a_notebook_without_a_parameters_cell_gets_them_all(tmp_path):
    assert declared_parameters(notebook_with(tmp_path, None), PARAMETERS) == PARAMETERS
    assert declared_parameters(tmp_path / "missing.ipynb", PARAMETERS) == PARAMETERS


def test_notebook_warnings_are_the_stderr_lines(tmp_path):
    outputs = [nbformat.v4.new_output("stream", name="stderr", text="/x.py:3: UserWarning: careful\n  warn()\n"),
               nbformat.v4.new_output("stream", name="stdout", text="not a warning\n")]
    path = notebook_with(tmp_path, 'area = "Kent"', outputs)
    assert notebook_warnings(path) == ["cell 2: /x.py:3: UserWarning: careful", "cell 2: warn()"]


def test_files_read_by_a_run():
    read = [shown_path(p) for p in files_read(SHIPPED_RELEASE, "2021", feed_file("kent", None))]
    assert read[0] == shown_path(SHIPPED_RELEASE) and "data/raw/sn_april_2021.xlsx" in read
    assert shown_path(KENT_FEED) in read and shown_path(TARGETS) in read and "data/raw/sn_may_2025.xlsx" not in read
    assert "data/milestones.csv" in read and read[-1] == shown_path(DATA_LOG)
    assert feed_file("essex", None) is None and feed_file("kent", KENT_FEED) == KENT_FEED
    # an LA's run reads the high-needs outlook's files (the frozen assumptions and scenarios); a region's does not
    outlook = {"data/raw/Outturn data 202122.xlsx", "data/raw/dedicated-schools-grant_2024_07_20.ods",
               "tests/fixtures/data/outlook_assumptions.csv", "tests/fixtures/data/scenarios/slower_growth.csv"}
    assert outlook <= set(read)
    assert not outlook & {shown_path(p) for p in files_read(SHIPPED_RELEASE, "2021", None, inspections=False)}
    # a review dated before an allocation file was published does not list it (20 July 2024's, on 30 September 2023)
    earlier = {shown_path(p) for p in files_read(SHIPPED_RELEASE, "2021", None, as_of=dt.date(2023, 9, 30))}
    assert "data/raw/dedicated-schools-grant_2023_07_20.ods" in earlier
    assert "data/raw/dedicated-schools-grant_2024_07_20.ods" not in earlier
    assert feed_file("kent", FEEDS_DIR / "no-such-folder") is None


def test_swap_replaces_the_old_report_whole(tmp_path):
    destination, work = tmp_path / "kent", tmp_path / ".kent-work"
    destination.mkdir()
    (destination / "index.html").write_text("old")
    (destination / "stale.html").write_text("old")
    work.mkdir()
    (work / "index.html").write_text("new")
    report._swap_into_place(work, destination)
    assert (destination / "index.html").read_text() == "new" and not (destination / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kent"]


def test_callers_names_are_importable_from_pipeline_report():
    for name in ("run_quarterly", "REVIEW_NOTEBOOKS", "export_html", "build_manifest", "Quarter", "resolve_run_parameters",
                 "latest_supported_quarter"):
        assert hasattr(report, name), name
    assert report.REVIEW_NOTEBOOKS == (REVIEW_NOTEBOOK, BASELINES_NOTEBOOK, TRAJECTORIES_NOTEBOOK, HIGH_NEEDS_NOTEBOOK)
