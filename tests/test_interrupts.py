"""Interrupts without orphans (issue 24): SIGTERM or SIGINT stops `send-review` and every process it started.

Each test starts the real command line as a subprocess on the fixture release (``SEND_REVIEW_DEFAULT_RELEASE``,
checked against the fixtures' checksum list, the session's cache folder), waits until the processes it is about
(Jupyter kernels, Chromium) are up, sends the signal, and then checks: the exit status the shell gives the signal
(143, 130), one line on stderr and no traceback, and no process of the command's tree alive 10 seconds after the
signal (a deadline, not a speed test: the tree is read from psutil before the signal is sent).
At 90563d3 SIGTERM killed the parent alone (status -15, its workers and kernels went on writing reports) and
SIGINT ended in a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from browser_check import chromium
from helpers import FIXTURE_LIST, FIXTURE_RELEASE
from test_logging import QUARTER, tiny_notebook

from analysis_helpers.core.paths import CACHE_ENV, DEFAULT_RELEASE_ENV, PROJECT_ROOT
from analysis_helpers.data.provenance import CHECKSUM_LISTS_ENV

SEND_REVIEW = Path(sys.executable).with_name("send-review")
#: Seconds within which everything must be gone after the signal (issue 24).
DEADLINE = 10
#: Seconds allowed for the processes to come up before the signal (a bound for a stuck start, not a measurement).
START_BOUND = 300

#: A review run through the command line with its notebooks swapped for one tiny one that prints and
#: then a manifest that never gets written: the run sits, its Chromium up, until it is stopped.
PRINTING_RUN = """
import functools, pathlib, sys, time
from analysis_helpers.cli import main
from analysis_helpers.pipeline import report
report.run_quarterly = functools.partial(report.run_quarterly, notebooks=(pathlib.Path(sys.argv[1]),))
report.write_manifest = lambda *args: time.sleep(600)
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def fixture_env(test_cache_dir):
    return {**os.environ, DEFAULT_RELEASE_ENV: str(FIXTURE_RELEASE), CHECKSUM_LISTS_ENV: str(FIXTURE_LIST),
            CACHE_ENV: str(test_cache_dir)}


def _wait_for(process: subprocess.Popen, name: str) -> list[psutil.Process]:
    """The process's tree (itself first) once a descendant whose command line holds ``name`` is up."""
    root = psutil.Process(process.pid)
    deadline = time.monotonic() + START_BOUND
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the command ended (status {process.returncode}) before {name} was up"
        tree = root.children(recursive=True)
        if any(name in " ".join(_cmdline(p)) for p in tree):
            return [root, *tree]
        time.sleep(0.2)
    for p in [*root.children(recursive=True), root]:
        p.kill()
    pytest.fail(f"no {name} among the command's processes after {START_BOUND} s")


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def _stop(process: subprocess.Popen, tree: list[psutil.Process], signum: int, stderr: Path) -> tuple[int | None, str]:
    """Send ``signum``; the exit status and stderr; fail if any process of ``tree`` is alive ``DEADLINE`` s later.

    stderr goes to a file, not a pipe: an orphan holding the pipe open would keep a reader waiting for ever."""
    process.send_signal(signum)
    sent = time.monotonic()
    alive = list(tree)
    while alive and time.monotonic() < sent + DEADLINE:  # a dead process stays dead: poll until all are gone or the deadline
        time.sleep(0.2)
        alive = [p for p in alive if _alive(p)]
    for p in alive:  # leave nothing behind for the next test
        p.kill()
    assert not alive, f"alive {DEADLINE} s after the signal: {[' '.join(_cmdline(p))[:80] for p in alive]}"
    return process.wait(timeout=DEADLINE), stderr.read_text()


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_sigterm_to_a_batch_stops_its_workers_and_kernels_exits_143_with_one_line(tmp_path, fixture_env):
    command = [str(SEND_REVIEW), "batch", "--areas", "Kent,Medway", "--quarter", QUARTER, "--out", str(tmp_path),
               "--jobs", "2", "--no-progress", "--no-pdf", "--quiet"]
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as err_file:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=fixture_env, stdout=subprocess.DEVNULL, stderr=err_file)
    tree = _wait_for(process, "ipykernel_launcher")
    workers = [p for p in tree[1:] if p.ppid() == process.pid]
    assert workers and len(tree) > len(workers) + 1  # the workers, and kernels below them
    code, err = _stop(process, tree, signal.SIGTERM, stderr)
    assert code == 143, err
    assert err.splitlines() == [err.strip()] and err.startswith("send-review: stopped by SIGTERM"), err
    assert not (tmp_path / QUARTER / "index.html").exists()  # nothing went on to write the quarter's index


def test_sigint_to_a_run_stops_its_chromium_exits_130_without_a_traceback(tmp_path, fixture_env):
    if chromium() is None:
        pytest.skip("no Chromium found")
    notebook = tiny_notebook(tmp_path)
    command = [sys.executable, "-c", PRINTING_RUN, str(notebook), "run", "--area", "Kent", "--quarter", QUARTER,
               "--out", str(tmp_path / "out"), "--quiet"]
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as err_file:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=fixture_env, stdout=subprocess.DEVNULL, stderr=err_file)
    tree = _wait_for(process, "chrom")
    code, err = _stop(process, tree, signal.SIGINT, stderr)
    assert code == 130, err
    assert "Traceback" not in err and err.splitlines() == [err.strip()] and err.startswith("send-review: stopped by SIGINT"), err
    quarter = tmp_path / "out" / QUARTER
    assert not (quarter / "kent").exists() and not [p for p in quarter.iterdir() if p.is_dir()]  # no report, no temporary folder


def test_a_batch_killed_outright_leaves_no_worker_or_kernel(tmp_path, fixture_env):
    """SIGKILL cannot be answered: each worker notices its parent is gone (PR_SET_PDEATHSIG, a watch thread) and
    stops its kernels and itself."""
    command = [str(SEND_REVIEW), "batch", "--areas", "Kent", "--quarter", QUARTER, "--out", str(tmp_path),
               "--jobs", "1", "--no-progress", "--no-pdf", "--quiet"]
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as err_file:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=fixture_env, stdout=subprocess.DEVNULL, stderr=err_file)
    tree = _wait_for(process, "ipykernel_launcher")
    code, _ = _stop(process, tree, signal.SIGKILL, stderr)
    assert code == -signal.SIGKILL
