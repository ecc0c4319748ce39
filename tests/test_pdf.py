"""The run's index.pdf: written beside index.html, skipped with one warning where there is no Chromium,
skipped by --no-pdf, and a Chromium that cannot print fails the run without touching the last good report.

The runs use a one-cell notebook (a few seconds each); tests/e2e/test_browser.py checks real reviews' PDFs
(A4, page numbers, key messages, charts)."""

import functools
import json
import os
import time

import pytest
from browser_check import chromium, in_ci
from test_logging import QUARTER, tiny_notebook

from analysis_helpers.cli import main
from analysis_helpers.core.errors import ReportError
from analysis_helpers.pipeline import pdf as pdf_module
from analysis_helpers.pipeline import report as report_module
from analysis_helpers.pipeline.report import run_quarterly


def _no_chromium(monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-browser"))
    monkeypatch.setenv("PATH", str(tmp_path))  # none of chromium, chromium-browser, google-chrome on it
    assert pdf_module.find_chromium() is None


def test_a_run_prints_index_pdf_and_times_it(tmp_path):
    if chromium() is None:
        if in_ci():
            pytest.fail("CI: no Chromium found; .ci/run installs Debian's")
        pytest.skip("no Chromium found")
    index = run_quarterly(area="Kent", quarter=QUARTER, out_dir=tmp_path, notebooks=(tiny_notebook(tmp_path),))
    pdf = index.with_name("index.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-") and oct(pdf.stat().st_mode & 0o777) == "0o644"
    assert json.loads(index.with_name("manifest.json").read_text())["pdf_seconds"] > 0
    assert not [p for p in index.parent.iterdir() if p.name.startswith(".pdf-")]  # no partial file left


def test_without_chromium_the_run_warns_once_and_writes_the_html(tmp_path, monkeypatch, caplog):
    _no_chromium(monkeypatch, tmp_path)
    index = run_quarterly(area="Kent", quarter=QUARTER, out_dir=tmp_path / "out", notebooks=(tiny_notebook(tmp_path),))
    assert index.exists() and not index.with_name("index.pdf").exists()
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "index.pdf" in r.getMessage()]
    assert warnings == [pdf_module.NO_CHROMIUM]
    assert "--no-pdf" in warnings[0] and "chromium" in warnings[0]
    assert json.loads(index.with_name("manifest.json").read_text())["pdf_seconds"] is None


def test_no_pdf_writes_none_and_says_nothing(tmp_path, monkeypatch, capsys):
    _no_chromium(monkeypatch, tmp_path)
    # the CLI's run, on the one-cell notebook: --no-pdf must reach run_quarterly as pdf=False
    monkeypatch.setattr(report_module, "run_quarterly", functools.partial(report_module.run_quarterly, notebooks=(tiny_notebook(tmp_path),)))
    code = main(["run", "--area", "Kent", "--quarter", QUARTER, "--out", str(tmp_path / "out"), "--no-pdf", "--quiet"])
    assert code == 0
    folder = tmp_path / "out" / QUARTER / "kent"
    assert (folder / "index.html").exists() and not (folder / "index.pdf").exists()
    assert "index.pdf" not in capsys.readouterr().err


def test_a_chromium_that_cannot_print_fails_the_run_and_keeps_the_good_report(tmp_path, monkeypatch):
    notebook = tiny_notebook(tmp_path)
    _no_chromium(monkeypatch, tmp_path)
    good = run_quarterly(area="Kent", quarter=QUARTER, out_dir=tmp_path / "out", notebooks=(notebook,))
    before = good.read_bytes()
    broken = tmp_path / "broken-chromium"
    broken.write_text("#!/bin/sh\nexit 1\n")
    os.chmod(broken, 0o755)
    monkeypatch.setenv("CHROMIUM", str(broken))
    with pytest.raises(ReportError, match=r"^index\.pdf not written: Chromium \(.*broken-chromium\) could not print index\.html: "):
        run_quarterly(area="Kent", quarter=QUARTER, out_dir=tmp_path / "out", notebooks=(notebook,))
    assert good.read_bytes() == before
    assert (tmp_path / "out" / "_failed" / QUARTER / "kent" / "run.log").exists()


def test_a_process_forked_after_printing_prints_with_its_own_browser(tmp_path):
    """A batch forks its workers from a process that may already have printed (a test session, a benchmark):
    the worker must not wait on its parent's printer thread, which it does not have."""
    if chromium() is None:
        pytest.skip("no Chromium found")
    page = tmp_path / "page.html"
    page.write_text('<html lang="en"><head><title>t</title></head><body><p>printed</p></body></html>')
    pdf_module.write_pdf(page, tmp_path / "parent.pdf")
    child = os.fork()
    if child == 0:  # the worker
        try:
            pdf_module.write_pdf(page, tmp_path / "child.pdf")
            os._exit(0)
        except BaseException:
            os._exit(1)
    for _ in range(600):  # at most 60 s: a child waiting on a thread it does not have never ends
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        pytest.fail("the forked process hung printing its PDF")
    assert os.waitstatus_to_exitcode(status) == 0 and (tmp_path / "child.pdf").read_bytes().startswith(b"%PDF-")
