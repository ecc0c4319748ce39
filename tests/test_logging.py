"""Logging: each run's run.log (files read, feed notes, durations, warnings), the manifest's
files read and feed notes, the console levels (--verbose, default, --quiet), and no
KeyboardInterrupt noise from kernels being shut down.

Most runs here use a one-cell notebook (a few seconds); one real `send-review run` checks the whole."""

import asyncio
import functools
import json
import logging
import signal
import subprocess
import sys

import nbformat
import pytest
from helpers import DATA_LOG, KENT_FEED, TARGETS
from jupyter_client.manager import AsyncKernelManager

from analysis_helpers.cli import main
from analysis_helpers.core.errors import ReportError
from analysis_helpers.core.paths import PROJECT_ROOT, shown_path
from analysis_helpers.data.local_feed import validate_feed
from analysis_helpers.data.provenance import default_release
from analysis_helpers.pipeline import logs
from analysis_helpers.pipeline import report as report_module
from analysis_helpers.pipeline.kernels import KernelPool, stop_kernel
from analysis_helpers.pipeline.report import run_quarterly

QUARTER = "2025-Q3"


def tiny_notebook(folder, name="tiny.ipynb", body="import warnings\nwarnings.warn('probe warning from the notebook')"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('area = "Kent"\nreport_dir = ""', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path = folder / name
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    index = run_quarterly(area="Kent", quarter=QUARTER, out_dir=folder / "reports", notebooks=(tiny_notebook(folder),))
    return index.parent


def test_run_log_is_written_beside_the_manifest_and_names_the_files_read(tiny_run):
    assert (tiny_run / "manifest.json").exists() and (tiny_run / "run.log").exists()
    text = (tiny_run / "run.log").read_text()
    for path in (shown_path(default_release()), shown_path(KENT_FEED), shown_path(TARGETS),
                 "data/raw/sn_may_2025.xlsx", shown_path(DATA_LOG)):
        assert f"reads {path} (sha256 " in text, path
    assert "review of Kent for 2025-Q3, data as of 2025-09-30" in text


def test_run_log_has_the_feed_notes_durations_and_warnings(tiny_run):
    text = (tiny_run / "run.log").read_text()
    notes = validate_feed(KENT_FEED)[2]
    assert notes and all(note in text for note in notes)
    assert "tiny.ipynb ran and was exported to index.html in " in text
    assert "WARNING" in text and "probe warning from the notebook" in text


def test_manifest_lists_files_read_and_feed_notes(tiny_run):
    manifest = json.loads((tiny_run / "manifest.json").read_text())
    assert manifest["feed_notes"] == validate_feed(KENT_FEED)[2]
    assert manifest["files_read"][0] == shown_path(default_release())
    assert {shown_path(KENT_FEED), shown_path(TARGETS), "data/raw/dsg_deficit_derived.xlsx"} <= set(manifest["files_read"])
    assert set(manifest["notebook_seconds"]) == {"tiny.ipynb"} and manifest["parameters"]["report_dir"] == str(tiny_run)


def test_a_failed_run_keeps_its_run_log(tmp_path):
    broken = tiny_notebook(tmp_path, "broken.ipynb", "raise ValueError('chart data missing')")
    with pytest.raises(ReportError, match="ValueError: chart data missing"):
        run_quarterly(area="Kent", quarter=QUARTER, out_dir=tmp_path / "reports", notebooks=(broken,))
    kept = tmp_path / "reports" / "_failed" / QUARTER / "kent"
    text = (kept / "run.log").read_text()
    assert (kept / "broken.ipynb").exists() and f"reads {shown_path(KENT_FEED)}" in text
    assert "ERROR" in text and "ValueError: chart data missing" in text


@pytest.fixture
def tiny_cli(tmp_path, monkeypatch):
    """`send-review run` with the one-cell notebook in place of the review's three."""
    monkeypatch.setattr(report_module, "run_quarterly", functools.partial(run_quarterly, notebooks=(tiny_notebook(tmp_path),)))
    return ["run", "--area", "Kent", "--quarter", QUARTER, "--out", str(tmp_path / "reports")]


def test_quiet_prints_nothing_but_errors(tiny_cli, capsys):
    assert main([*tiny_cli, "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["--quiet", *tiny_cli, "--quarter", "2024-Q5"]) == 2  # an error is still printed, on one line
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "quarter must look like 2024-Q4" in err


def test_default_prints_warnings_and_the_result_line_verbose_adds_information(tiny_cli, capsys):
    assert main(tiny_cli) == 0
    out, err = capsys.readouterr()
    assert out.startswith("report written: ") and out.count("\n") == 1
    assert "WARNING" in err and "probe warning from the notebook" in err and "INFO" not in err
    assert main(["--verbose", *tiny_cli]) == 0
    _, err = capsys.readouterr()
    assert f"send-review: INFO: reads {shown_path(default_release())}" in err and "tiny.ipynb ran" in err


def test_console_levels():
    logs.configure_console("quiet")
    logs.configure_console("verbose")  # idempotent: one console handler
    handlers = [h for h in logging.getLogger(logs.PACKAGE_LOGGER).handlers if isinstance(h, logs._ConsoleHandler)]
    assert len(handlers) == 1 and handlers[0].level == logging.INFO
    logs.configure_console("default")


# -- the kernel's "KeyboardInterrupt caught in kernel" lines --------------------------------
def spy_on_signals(manager, sent: list) -> None:
    """Record in ``sent`` each signal ``manager``'s provisioner sends its kernel (every interrupt and kill goes through it)."""
    original = manager.provisioner.send_signal

    async def spy(signum):
        sent.append(signum)
        await original(signum)

    manager.provisioner.send_signal = spy


def signals_sent_when_stopped(stop) -> list[int]:
    """Start a kernel, stop it with ``await stop(manager)``, and record the signals sent to it."""
    sent = []

    async def scenario():
        manager = AsyncKernelManager(kernel_name="python3")
        await manager.start_kernel(cwd=str(PROJECT_ROOT))
        spy_on_signals(manager, sent)
        await stop(manager)

    asyncio.run(scenario())
    return sent


def test_kernels_are_not_interrupted_when_shut_down():
    """jupyter_client sends SIGINT before a shutdown; the kernel then logs
    `[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.` (seen in batches)."""
    upstream = signals_sent_when_stopped(lambda manager: manager.shutdown_kernel(now=False))
    assert signal.SIGINT in upstream  # the cause, still there upstream
    assert signals_sent_when_stopped(stop_kernel) == [signal.SIGKILL]


def test_a_pool_stops_its_kernels_without_an_interrupt(tmp_path):
    """Both ways a pool stops a kernel: one handed back after its notebook failed, and the idle ones at close."""
    sent = []
    with KernelPool() as pool:
        with pytest.raises(RuntimeError), pool.kernel() as km:  # a failed notebook: its kernel is stopped at once
            spy_on_signals(km, sent)
            raise RuntimeError("the notebook failed")
        assert sent == [signal.SIGKILL]
        with pool.kernel() as km:
            spy_on_signals(km, sent)
    assert pool.started == 2 and sent == [signal.SIGKILL, signal.SIGKILL]


# -- one real run ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("real")
    result = subprocess.run([sys.executable, "-m", "analysis_helpers.cli", "run", "--area", "Kent", "--quarter", QUARTER,
                             "--out", str(out), "--quiet"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    return result, out / QUARTER / "kent"


@pytest.mark.slow
def test_a_real_quiet_run_prints_nothing_and_logs_everything(real_run):
    result, folder = real_run
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""  # no result line, and no kernel noise
    text = (folder / "run.log").read_text()
    for name in ("03_quarterly_review.ipynb", "01_baselines.ipynb", "02_trajectories.ipynb", "04_high_needs.ipynb"):
        assert f"{name} ran and was exported" in text
    assert "reads data/raw/education-health-and-care-plans_2022.zip" in text and "KeyboardInterrupt" not in text
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["feed_notes"] and shown_path(KENT_FEED) in manifest["files_read"]


def test_papermills_warnings_reach_run_log_and_respect_quiet(tmp_path, capsys, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]  # no parameters cell: papermill warns
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, tmp_path / "bare.ipynb")
    monkeypatch.setattr(report_module, "run_quarterly", functools.partial(run_quarterly, notebooks=(tmp_path / "bare.ipynb",)))
    assert main(["run", "--quarter", QUARTER, "--out", str(tmp_path / "reports"), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    text = (tmp_path / "reports" / QUARTER / "kent" / "run.log").read_text()
    assert "WARNING papermill" in text and "does not contain a cell with tag 'parameters'" in text
