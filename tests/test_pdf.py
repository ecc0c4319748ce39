"""The run's index.pdf: written beside index.html, skipped with one warning where there is no Chromium,
skipped by --no-pdf, and a Chromium that cannot print fails the run without touching the last good report.

The runs use a one-cell notebook (a few seconds each); tests/e2e/test_browser.py checks real reviews' PDFs
(A4, page numbers, key messages, charts, the layout below).

The print a committee reads (issue 22, item 7) is checked on a page made here with the review's structure: the
cover and the plan at a glance alone on page 1, no page ending with a heading, the executive summary on a landscape
page with its header cells apart, the running header (area, quarter, data date) on every page; each check is also
shown to fail on the same page printed without those rules."""

import datetime as dt
import functools
import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest
from browser_check import chromium, in_ci
from pdf_layout import headings, orphaned_headings, overlapping_cells, read_layout
from pypdf import PdfReader
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
    monkeypatch.setattr(report_module, "run_quarterly",
                        functools.partial(report_module.run_quarterly, notebooks=(tiny_notebook(tmp_path),)))
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


def test_prints_share_one_page_and_each_loads_only_its_own_file(tmp_path):
    """The printing page is kept from one review to the next (a new one started a renderer each time); each print may
    still load only the file it prints: a frame of the previous page's file is refused, so its text is not printed."""
    if chromium() is None:
        pytest.skip("no Chromium found")
    first, second = tmp_path / "a" / "index.html", tmp_path / "b" / "index.html"
    for path in (first, second):
        path.parent.mkdir()
    first.write_text('<html lang="en"><head><title>a</title></head><body><p>first-page-secret</p></body></html>')
    second.write_text(f'<html lang="en"><head><title>b</title></head><body><p>second page</p>'
                      f'<iframe src="{first.as_uri()}"></iframe></body></html>')
    pdf_module.write_pdf(first, tmp_path / "a.pdf")
    page = pdf_module._session["page"]
    pdf_module.write_pdf(second, tmp_path / "b.pdf")
    assert pdf_module._session["page"] is page
    text = lambda pdf: "\n".join(p.extract_text() for p in PdfReader(pdf).pages)  # noqa: E731
    assert "first-page-secret" in text(tmp_path / "a.pdf")
    assert "second page" in text(tmp_path / "b.pdf") and "first-page-secret" not in text(tmp_path / "b.pdf")


# --- The committee-ready print (issue 22, item 7), on a page made here with the review's structure: the cover
# (reporting's glance box), then key messages, sections whose heading is a cell of its own, and the executive
# summary as a wide table. tests/e2e/test_browser.py checks the same on a real review's index.pdf.

SUMMARY_HEADER = ["KPI", "Latest", "Baseline", "Target", "Required", "Projected", "Probability", "Status", "Basis"]
COVER_TITLE = "Kent: SEND quarterly review, 2026-Q3"
HEADER_TEXT = "Kent · SEND quarterly review 2026-Q3 · data published by 30 September 2026"
#: Print rules a page without this item's work would have: headings free to end a page, the wide page upright, and
#: tables laid out as the notebook template lays them (equal columns, its own font size).
UNDONE = ("<style>@page wide { size: A4; } @media print { h1, h2, h3 { break-after: auto !important; } "
          "h1 + *, h2 + *, h3 + *, ul, ol { break-before: auto !important; } "
          "body .jp-RenderedHTMLCommon .send-table { table-layout: fixed !important; font-size: 13px !important; } }</style>")


def _summary_table() -> str:
    from analysis_helpers.reporting import tables
    from analysis_helpers.reporting.summary import SUMMARY_COLUMNS

    rows = [["EHC plans issued within 20 weeks, exceptions included (%) [all plans issued]", "32.3% (2024)", "28.7% (Jan 2023)",
             "60.0% by Dec 2025", "55.0%", "not within horizon", "22%", "Not yet known", "RAG against the required trajectory"],
            ["Requests decided within 6 weeks (%)", "90.8% (2024)", "", "", "", "", "", "Improved", "change: +21.8 points since 2023"]]
    frame = pd.DataFrame([rows[i % 2] for i in range(14)], columns=SUMMARY_COLUMNS)
    return tables.to_html(frame, caption="Kent: key performance indicators at 30 September 2026", css_class=tables.WIDE)


def _review_like_page(folder) -> Path:
    """A notebook with the review's structure, exported as the run exports it (pipeline.html), so its print rules apply."""
    import random

    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from analysis_helpers.pipeline.html import export_html

    def shown(mime, text):
        return new_code_cell("", outputs=[new_output("display_data", data={mime: text, "text/plain": ""})])

    glance = "".join(f"<tr><td>Target {i}: 60% of plans within 20 weeks by December 2025</td><td>Behind</td></tr>" for i in range(5))
    cells = [shown("text/html", f'<section class="review-cover"><h1>{COVER_TITLE}</h1><p class="review-meta">Data published by '
                   '30 September 2026</p><section class="plan-at-a-glance"><h2 id="Plan-at-a-glance">Plan at a glance</h2>'
                   '<table class="send-table glance-table"><caption>Kent\'s plan</caption><thead><tr><th scope="col">Target</th>'
                   f'<th scope="col">Status</th></tr></thead><tbody>{glance}</tbody></table></section></section>'),
             shown("text/markdown", "DfE figures come from the release published in July 2025. " * 6),
             new_markdown_cell("## Key messages"),
             new_code_cell("", outputs=[  # as sections.key_messages shows them: the opening line and the list apart
                 new_output("display_data", data={"text/markdown": "*From the figures published by 30 September 2026.*", "text/plain": ""}),
                 new_output("display_data", data={"text/markdown": "\n".join(f"* Message {i}: " + "words " * 30 for i in range(6)),
                                                  "text/plain": ""})]),
             new_markdown_cell("## Executive summary"),
             shown("text/html", _summary_table())]
    rng = random.Random(1)  # section lengths that put some headings at a page's foot (UNDONE shows them there)
    for k in range(40):
        cells.append(new_markdown_cell(f"## Section {k}" + ("\n\nWhat this section shows." if k % 3 == 0 else "")))
        cells.append(shown("text/markdown", "Filler text. " * rng.randint(5, 120)))
    path = folder / "review.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    export_html(path, folder / "review.html", title="SEND quarterly review: Kent, 2026-Q3")
    return folder / "review.html"


@pytest.fixture(scope="module")
def printed_review(tmp_path_factory):
    """The review-like page printed as the run prints it, and once more with UNDONE's print rules."""
    if chromium() is None:
        if in_ci():
            pytest.fail("CI: no Chromium found; .ci/run installs Debian's")
        pytest.skip("no Chromium found")
    folder = tmp_path_factory.mktemp("print")
    page = _review_like_page(folder)
    header = pdf_module.running_header("Kent", "2026-Q3", dt.date(2026, 9, 30))
    pdf_module.write_pdf(page, folder / "review.pdf", header=header)
    undone = folder / "undone.html"
    undone.write_text(page.read_text().replace("</body>", UNDONE + "</body>"))
    pdf_module.write_pdf(undone, folder / "undone.pdf", header=header)
    return page.read_text(), folder / "review.pdf", folder / "undone.pdf"


def _page_with(pages, text):
    return next(p for p in pages if text in p.text)


def test_the_cover_and_the_plan_at_a_glance_have_page_one_to_themselves(printed_review):
    _, pdf, _ = printed_review
    pages = read_layout(pdf)
    assert COVER_TITLE in pages[0].text and "Plan at a glance" in pages[0].text and "Target 4" in pages[0].text
    assert "Key messages" not in pages[0].text and "come from the release" in pages[1].text  # the next page: the cover stands alone


def test_no_page_ends_with_a_heading(printed_review):
    page_html, pdf, undone = printed_review
    heads = headings(page_html)
    assert "Key messages" in heads and "Section 39" in heads
    assert orphaned_headings(read_layout(pdf), heads) == []
    assert orphaned_headings(read_layout(undone), heads), "the fixture never puts a heading at a page's foot: it tests nothing"


def test_the_summary_table_is_printed_landscape_with_header_cells_apart(printed_review):
    _, pdf, undone = printed_review
    pages = read_layout(pdf)
    summary = _page_with(pages, "key performance indicators at")
    assert summary.landscape and _page_with(pages, "Section 0").landscape is False
    assert "Executive summary" in summary.text  # its heading turned with it, not left at the foot of an upright page
    assert overlapping_cells(pdf, summary.number, SUMMARY_HEADER) == []
    upright = _page_with(read_layout(undone), "key performance indicators at")
    assert not upright.landscape and overlapping_cells(undone, upright.number, SUMMARY_HEADER), \
        "upright, the nine header cells should overlap: the check could not fail"


def test_every_page_carries_the_running_header_and_its_number(printed_review):
    _, pdf, _ = printed_review
    pages = read_layout(pdf)
    assert len(pages) >= 4
    for page in pages[1:]:
        assert page.header == HEADER_TEXT, (page.number, page.header)
        assert f"Page {page.number} of {len(pages)}" in page.footer


def test_the_running_header_is_text_not_markup():
    template = pdf_module.header_template(pdf_module.running_header('<img src=x onerror="alert(1)">', "2026-Q3", dt.date(2026, 9, 30)))
    assert "<img" not in template and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; · SEND quarterly review 2026-Q3" in template
    assert pdf_module.header_template("") == "<span></span>"
