"""Report folders (issue 24): readable by others, one run of an area and quarter at a time, what killed or failed
runs left tidied up, details pages kept, and an --out that cannot be written (a file, read-only, a full disk) said
in one line with exit 2.

The runs use one-cell notebooks (:func:`test_logging.tiny_notebook`) in kernels lent by one pool, no PDF.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import json
import os
import stat

import pytest
from test_logging import QUARTER, tiny_notebook

from analysis_helpers.cli import main
from analysis_helpers.core.errors import ReportError
from analysis_helpers.core.paths import BASELINES_NOTEBOOK, REVIEW_NOTEBOOK, TRAJECTORIES_NOTEBOOK
from analysis_helpers.pipeline import report as report_module
from analysis_helpers.pipeline.folders import clear_leftovers
from analysis_helpers.pipeline.kernels import KernelPool
from analysis_helpers.pipeline.report import run_quarterly


@pytest.fixture(scope="module")
def kernels():
    with KernelPool() as pool:
        yield pool


@pytest.fixture
def review(tmp_path):
    return tiny_notebook(tmp_path, REVIEW_NOTEBOOK.name, "print('review')")


def _run(kernels, out, *notebooks):
    return run_quarterly(area="Kent", quarter=QUARTER, out_dir=out, notebooks=notebooks, pdf=False, kernels=kernels)


def _modes(folder):
    return {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}


@pytest.mark.parametrize(("mask", "folder_mode", "file_mode"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_report_folders_and_files_have_the_modes_the_umask_gives(kernels, review, tmp_path, mask, folder_mode, file_mode):
    """At 90563d3 the area folder was mkdtemp's 0700 under a 0644 index: no colleague or web server could open it."""
    before = os.umask(mask)
    try:
        index = _run(kernels, tmp_path / "out", review)
    finally:
        os.umask(before)
    modes = _modes(index.parent)
    assert modes.pop(".") == folder_mode
    assert {"index.html", "manifest.json", "run.log", REVIEW_NOTEBOOK.name} <= set(modes)
    assert set(modes.values()) == {file_mode}, modes
    assert stat.S_IMODE((tmp_path / "out" / QUARTER / "index.html").stat().st_mode) == file_mode


def test_a_run_removes_what_killed_runs_of_its_area_left_and_nothing_of_another_area(kernels, review, tmp_path):
    quarter = tmp_path / QUARTER
    killed = quarter / ".kent-abcd1234"  # as mkdtemp names them; killed after headline.json, before manifest.json
    killed.mkdir(parents=True)
    (killed / "headline.json").write_text(json.dumps({"area": "Kent", "kpis": []}))
    (quarter / ".kent.old-999999").mkdir()  # set aside by a swap that was killed after its new folder took the place
    (quarter / "kent").mkdir()
    running = quarter / ".medway-wxyz5678"  # another area's run, under way
    running.mkdir()
    (running / "headline.json").write_text("{}")
    _run(kernels, tmp_path, review)
    assert sorted(p.name for p in quarter.iterdir() if p.is_dir()) == [".medway-wxyz5678", "kent"]


def test_a_report_set_aside_by_a_killed_swap_comes_back_rather_than_being_lost(kernels, review, tmp_path):
    set_aside = tmp_path / ".kent.old-999999"  # the swap was killed between its two renames: no kent/ folder
    set_aside.mkdir()
    (set_aside / "index.html").write_text("the last good review")
    assert clear_leftovers(tmp_path, "kent") == []
    assert (tmp_path / "kent" / "index.html").read_text() == "the last good review" and not set_aside.exists()


def test_a_second_run_of_the_same_area_and_quarter_is_refused_in_one_line(kernels, review, tmp_path):
    quarter = tmp_path / QUARTER
    running = quarter / ".kent-abcd1234"  # the first run's temporary folder: not stale while it holds the lock
    running.mkdir(parents=True)
    with open(quarter / ".kent.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the first run, holding its lock
        lock.write("4242\n")
        lock.flush()
        with pytest.raises(ReportError) as info:
            _run(kernels, tmp_path, review)
        assert running.exists() and not (quarter / "kent").exists()
    assert "another send-review run (pid 4242) is writing the Kent report" in str(info.value) and "\n" not in str(info.value)
    _run(kernels, tmp_path, review)  # once the first has finished, a run goes ahead
    assert (quarter / "kent" / "index.html").exists() and not running.exists()


def test_a_success_clears_the_areas_old_failure(kernels, review, tmp_path):
    failed = tmp_path / "_failed" / QUARTER / "kent"
    failed.mkdir(parents=True)
    (failed / "run.log").write_text("ERROR an old failure\n")
    (failed / REVIEW_NOTEBOOK.name).write_text("{}")
    medway = tmp_path / "_failed" / QUARTER / "medway"
    medway.mkdir()
    _run(kernels, tmp_path, review)
    assert not failed.exists() and medway.exists()


def test_a_run_without_details_keeps_the_details_pages_of_an_earlier_full_run(kernels, review, tmp_path):
    """At 90563d3 a batch without --details swapped in a folder without them: an earlier full run's pages were deleted."""
    details = [tiny_notebook(tmp_path, nb.name, f"print('{nb.stem}')") for nb in (BASELINES_NOTEBOOK, TRAJECTORIES_NOTEBOOK)]
    folder = _run(kernels, tmp_path, review, *details).parent
    pages = {name: (folder / name).read_bytes() for name in ("01_baselines.html", "01_baselines.ipynb", "02_trajectories.html",
                                                             "02_trajectories.ipynb")}
    started = json.loads((folder / "manifest.json").read_text())["started"]
    _run(kernels, tmp_path, review)  # the review alone, as a batch without --details runs it
    assert {name: (folder / name).read_bytes() for name in pages} == pages
    kept = json.loads((folder / "manifest.json").read_text())["details_kept"]
    assert sorted(kept["files"]) == sorted(pages) and kept["run_started"] == started
    assert "kept 01_baselines.html, 01_baselines.ipynb" in (folder / "run.log").read_text()
    # pages of a folder that is not this area's report for this quarter are not carried over
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["parameters"]["area"] = "Medway"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    _run(kernels, tmp_path, review)
    assert not (folder / "01_baselines.html").exists()


# -- an --out that cannot be written: one line, exit 2 ------------------------------------------------------------
@pytest.fixture
def tiny_cli(monkeypatch, review):
    """`send-review run` through the command line, on the tiny review."""
    monkeypatch.setattr(report_module, "run_quarterly", functools.partial(report_module.run_quarterly, notebooks=(review,)))


def _one_line_exit_2(capsys, argv) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("send-review: error: ") and "internal error" not in err, err
    return err


@pytest.mark.parametrize("command", [["run", "--area", "Kent"], ["batch", "--areas", "Kent", "--no-progress"]])
def test_out_naming_a_file_is_one_line_and_exit_2(tiny_cli, tmp_path, capsys, command):
    afile = tmp_path / "reports.txt"
    afile.write_text("not a folder")
    err = _one_line_exit_2(capsys, [*command, "--quarter", QUARTER, "--out", str(afile), "--no-pdf", "--quiet"])
    assert f"{afile} is a file, not a folder" in err and afile.read_text() == "not a folder"


def test_a_read_only_out_is_one_line_and_exit_2(tiny_cli, tmp_path, capsys, monkeypatch):
    locked = tmp_path / "read-only"
    locked.mkdir()
    locked.chmod(0o555)
    if os.geteuid() == 0:  # root writes anywhere: refuse as the filesystem would refuse anyone else
        real_mkdir = os.mkdir

        def refusing_mkdir(path, *args, **kwargs):
            if str(path).startswith(str(locked)):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(os, "mkdir", refusing_mkdir)
    try:
        err = _one_line_exit_2(capsys, ["run", "--area", "Kent", "--quarter", QUARTER, "--out", str(locked), "--no-pdf", "--quiet"])
    finally:
        locked.chmod(0o755)
    assert f"reports cannot be written in {locked / QUARTER}: Permission denied [EACCES]" in err


def test_a_full_disk_is_one_line_and_exit_2_with_its_first_error_kept(tiny_cli, tmp_path, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / QUARTER / "manifest.json"))

    monkeypatch.setattr(report_module, "write_manifest", full)
    err = _one_line_exit_2(capsys, ["run", "--area", "Kent", "--quarter", QUARTER, "--out", str(tmp_path), "--no-pdf", "--quiet"])
    assert "the review of Kent for 2025-Q3 stopped: No space left on device [ENOSPC]" in err
    kept = (tmp_path / "_failed" / QUARTER / "kent" / "run.log").read_text()
    assert "No space left on device [ENOSPC]" in kept and "ERROR" in kept
    assert not [p for p in (tmp_path / QUARTER).iterdir() if p.is_dir()]  # no report, no temporary folder
