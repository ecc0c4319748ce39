"""A feed file named for no area is refused in one line, never silently ignored (issue 24, item 8).

A folder of feeds is searched by the area's slug (``kent.csv``), so
``Essex County Council.csv`` or ``kentt.csv`` would be read by no run. The run,
a batch, the notebooks' parameter check, ``kpis --local`` and ``send-review
validate`` all stop on it with one line naming the file, the name expected and
the closest area names. READMEs, the template and the measures catalogue are
not feeds.
"""

import shutil

import pytest
from helpers import FIXTURE_RELEASE

from analysis_helpers.cli import main
from analysis_helpers.core import vintage
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data.local_feed import REQUIRED
from analysis_helpers.pipeline import batch as batch_module
from analysis_helpers.pipeline import report as report_module
from analysis_helpers.pipeline.batch import run_batch
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.pipeline.report import run_quarterly

FEED = ",".join(REQUIRED) + "\n" + "ehcp_issued_within_20_weeks_pct,2023-06,13.2,pct,monthly,,,,KCC minutes,https://democracy.kent.gov.uk/x\n"
ESSEX_LINE = ("{path}: the file name matches no area, so no review would read it; name it after its area, e.g. essex.csv "
              "(closest: essex, east-sussex, leicester; .venv/bin/send-review areas lists them)")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv(vintage.TODAY_ENV, "2026-11-28")


def folder_with(tmp_path, *names):
    folder = tmp_path / "local"
    folder.mkdir()
    for name in names:
        (folder / name).write_text(FEED, encoding="utf-8")
    return folder


def cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_refuses_a_feed_saved_under_the_councils_name(tmp_path, capsys):
    folder = folder_with(tmp_path, "kent.csv", "Essex County Council.csv")
    code, out, err = cli(capsys, "validate", folder, "--release", FIXTURE_RELEASE)
    assert (code, out) == (2, "")
    assert err == "send-review: error: " + ESSEX_LINE.format(path=folder / "Essex County Council.csv") + "\n"


def test_validate_refuses_a_misspelt_slug_naming_the_closest(tmp_path, capsys):
    folder = folder_with(tmp_path, "kentt.csv")
    code, out, err = cli(capsys, "validate", folder, "--release", FIXTURE_RELEASE)
    assert (code, out) == (2, "")
    assert err == (f"send-review: error: {folder / 'kentt.csv'}: the file name matches no area, so no review would read it; "
                   "name it after its area, e.g. kent.csv (closest: kent, england, west-northamptonshire; "
                   ".venv/bin/send-review areas lists them)\n")


def test_readmes_templates_and_the_catalogue_are_not_feeds(tmp_path, capsys):
    folder = folder_with(tmp_path, "kent.csv", "Essex.csv", "template.csv")
    (folder / "README.md").write_text("# feeds\n", encoding="utf-8")
    shutil.copyfile(folder / "template.csv", folder / "measures.csv")
    code, out, err = cli(capsys, "validate", folder, "--release", FIXTURE_RELEASE)
    assert (code, err) == (0, "")
    assert "Essex.csv: 1 figures read, 0 problem(s)" in out and "kent.csv: 1 figures read, 0 problem(s)" in out


def test_a_run_refuses_it_before_any_notebook_starts(tmp_path, monkeypatch):
    folder = folder_with(tmp_path, "kent.csv", "Essex County Council.csv")

    def no_notebooks(*args, **kwargs):
        raise AssertionError("the run started its notebooks")

    monkeypatch.setattr(report_module, "_run_notebooks", no_notebooks)
    with pytest.raises(DataValidationError) as raised:
        run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp_path / "reports", local=folder, release=FIXTURE_RELEASE)
    assert str(raised.value) == ESSEX_LINE.format(path=folder / "Essex County Council.csv")
    assert not (tmp_path / "reports").exists()


def test_the_command_line_run_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    folder = folder_with(tmp_path, "Essex County Council.csv")
    monkeypatch.setattr(report_module, "_run_notebooks", lambda *a, **k: pytest.fail("the run started its notebooks"))
    code, out, err = cli(capsys, "run", "--area", "Essex", "--quarter", "2025-Q3", "--local", folder, "--release", FIXTURE_RELEASE,
                         "--out", tmp_path / "reports", "--no-pdf")
    assert (code, out) == (2, "")
    assert err == "send-review: error: " + ESSEX_LINE.format(path=folder / "Essex County Council.csv") + "\n"


def test_a_batch_refuses_it_once_before_any_worker_starts(tmp_path, monkeypatch):
    folder = folder_with(tmp_path, "kent.csv", "Essex County Council.csv")

    def no_workers(*args, **kwargs):
        raise AssertionError("the batch started its workers")

    monkeypatch.setattr(batch_module, "ProcessPoolExecutor", no_workers)
    with pytest.raises(DataValidationError) as raised:
        run_batch(["Kent", "Essex"], "2025-Q3", out_dir=tmp_path / "reports", release=FIXTURE_RELEASE, progress=False, local=folder)
    assert str(raised.value) == ESSEX_LINE.format(path=folder / "Essex County Council.csv")


def test_the_notebooks_parameter_check_refuses_it(tmp_path):
    folder = folder_with(tmp_path, "kent.csv", "Essex County Council.csv")
    with pytest.raises(DataValidationError) as raised:
        validate("Kent", release=str(FIXTURE_RELEASE), local=str(folder), quarter="2025-Q3")
    assert str(raised.value) == ESSEX_LINE.format(path=folder / "Essex County Council.csv")


def test_kpis_with_a_local_folder_refuses_it(tmp_path, capsys):
    folder = folder_with(tmp_path, "kent.csv", "Essex County Council.csv")
    code, out, err = cli(capsys, "kpis", "--area", "Kent", "--local", folder, "--release", FIXTURE_RELEASE, "--format", "csv")
    assert (code, out) == (2, "")
    assert err == "send-review: error: " + ESSEX_LINE.format(path=folder / "Essex County Council.csv") + "\n"


def test_a_single_feed_file_is_read_whatever_its_name(tmp_path, capsys):
    """--local FILE names the feed itself: its name is not looked up."""
    path = folder_with(tmp_path, "Kent County Council figures.csv") / "Kent County Council figures.csv"
    code, out, err = cli(capsys, "kpis", "--area", "Kent", "--local", path, "--release", FIXTURE_RELEASE, "--format", "csv",
                         "--measure", "ehcp_issued_within_20_weeks_pct")
    assert code == 0 and err == "" and "2023-06" in out


def test_project_with_a_local_folder_refuses_it(tmp_path, capsys):
    folder = folder_with(tmp_path, "kentt.csv")
    code, out, err = cli(capsys, "project", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_pct", "--local", folder,
                         "--release", FIXTURE_RELEASE, "--target", "80", "--by", "2027-09-30")
    assert (code, out) == (2, "")
    assert err.startswith(f"send-review: error: {folder / 'kentt.csv'}: the file name matches no area") and err.count("\n") == 1
