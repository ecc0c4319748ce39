"""Export an executed notebook to the HTML page a reviewer reads: no code, no network, a real title.

The page carries a Content-Security-Policy (:data:`CSP`) that lets it run no script, load no frame, object or
remote file, and submit no form: its images are ``data:`` URIs and its styles inline, so it looks the same with
scripts blocked. Text from input files is escaped where it is written (:mod:`analysis_helpers.core.safe_text`);
the policy is the second wall, should any escape ever be missed.

Its print rules (:data:`_REPORT_CSS`, ``@media print``) lay out ``index.pdf`` for a committee: the cover
(``.review-cover``, reporting's glance box) alone on page 1; the template's cell wrappers printed as plain blocks, so
a heading's ``break-after: avoid`` reaches the next cell and no page ends with a heading; tables laid out by their
content, rows whole; a ``wide-table`` (and its heading) on an A4 landscape page (``@page wide``).
"""

from __future__ import annotations

import queue
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

#: Page titles by notebook (the area and quarter are added).
TITLES = {
    "03_quarterly_review": "SEND quarterly review",
    "01_baselines": "SEND baselines",
    "02_trajectories": "SEND trajectories to targets",
    "04_high_needs": "SEND high-needs outlook",
}
#: Inline scripts that import code from another host (the template's mermaid loader).
_REMOTE_MODULE = re.compile(r"<script\b[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*</script>", re.IGNORECASE | re.DOTALL)
#: Tags that would make a browser fetch something from another host.
_EXTERNAL = re.compile(r"<(script|link)\b[^>]*\b(src|href)=[\"']https?://[^>]*>(\s*</script>)?", re.IGNORECASE)

#: The empty contents list a notebook leaves (reporting.sections.CONTENTS), and the page's section headings.
_CONTENTS = re.compile(r'<nav\b[^>]*\bclass="send-contents"[^>]*>\s*</nav>')
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)
_idle_exporters: queue.SimpleQueue = queue.SimpleQueue()
#: What the page may load and run: inline styles, data: images and fonts; no script, frame, object, remote file or form.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; script-src 'none'; "
       "frame-src 'none'; child-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'")
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)

_REPORT_CSS = """
.send-table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-size: 0.92rem; }
.send-table caption { caption-side: top; text-align: left; font-weight: bold; padding: 0.3em 0; }
/* body .jp-RenderedHTMLCommon outranks the lab template's right-aligned cells (:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td) */
.send-table th, .send-table td, body .jp-RenderedHTMLCommon .send-table th, body .jp-RenderedHTMLCommon .send-table td {
  border-bottom: 1px solid #d0d0d0; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
.send-table thead th { border-bottom: 2px solid #505050; }
.send-chart img { max-width: 100%; height: auto; }
.send-contents { margin: 0.5em 0 1.5em; padding: 0.6em 1em; border-left: 4px solid #505050; background: #f5f5f5; }
.send-contents ol { margin: 0.3em 0 0; padding-left: 1.4em; }
/* WCAG 2.5.8 (axe target-size): each contents link is at least 24px tall, so a list of short headings stays easy to tap */
.send-contents li { margin: 0.15em 0; }
.send-contents li a { display: inline-block; min-height: 24px; line-height: 24px; }
/* WCAG 1.4.1 (axe link-in-text-block): a link in running text is told apart by more than colour.
   body raises the rules above the lab template's (a:link {text-decoration: none}), which come later in the page. */
body a, body .jp-RenderedHTMLCommon a:link, body .jp-RenderedHTMLCommon a:visited \
{ text-decoration: underline; text-underline-offset: 0.15em; }
body a:hover, body a:focus { text-decoration-thickness: 2px; }
/* The review's cover (reporting's glance box): the area, quarter and data date, then the plan at a glance. */
.review-cover { margin: 0 0 1.5em; }
.review-cover .review-meta { font-size: 1.05rem; color: #333; }
/* Printing (index.pdf): A4 pages, and a landscape one for a table too wide to read upright (.wide-table). */
@page { size: A4; }
@page wide { size: A4 landscape; }
/* Charts, table rows and captions stay whole; a heading stays with what follows it; the cover has page 1 to itself. */
@media print {
  body { font-size: 10pt; }
  /* The template's flex and table wrappers of each cell, made plain blocks: a page break, a named page, and a
     heading's break-after: avoid pass through blocks, so a heading at the end of one cell stays with the next. */
  .jp-Cell-inputWrapper, .jp-Cell-outputWrapper, .jp-InputArea, .jp-OutputArea, .jp-OutputArea-child,
  .jp-OutputArea-output, .jp-InputArea > .jp-RenderedMarkdown { display: block !important; width: auto !important; }
  .send-chart, .send-chart img, .send-table tr, .send-table caption, figure { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  h1 + *, h2 + *, h3 + * { break-before: avoid; page-break-before: avoid; }
  /* a line that opens a list stays with it, also where the list is an output of its own (the key messages) */
  p + ul, p + ol, .jp-OutputArea-output > ul:first-child, .jp-OutputArea-output > ol:first-child { break-before: avoid; }
  .review-cover { break-after: page; page-break-after: always; padding-top: 6mm; }
  .review-cover h1 { font-size: 24pt; margin-bottom: 0.4em; }
  .review-cover .review-meta { font-size: 11pt; margin-bottom: 1.5em; }
  .review-cover .plan-at-a-glance h2 { font-size: 15pt; }
  /* a wide table turns its page to landscape, with its cell and the heading just before it (else the heading
     would end the upright page before) */
  .wide-table, .jp-Cell:has(.wide-table), .jp-MarkdownCell:has(+ .jp-Cell .wide-table) { page: wide; }
  #Methods-annex-and-glossary { break-before: page; }  /* the annex (reporting.glossary) starts a page */
  .send-table.wide-table th:first-child { width: 20%; }
  .send-table.wide-table th:last-child { width: 15%; }
  /* header cells wrap between words, never inside one */
  .send-table th { overflow-wrap: normal; word-break: normal; hyphens: manual; }
  .send-table thead { display: table-header-group; }
  .jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible !important; }
  /* body .jp-RenderedHTMLCommon outranks the lab template's tables (table-layout: fixed, its own font size): a fixed
     layout gives every column the same width, so long header words ran over their neighbours */
  .send-table, body .jp-RenderedHTMLCommon .send-table { width: 100%; font-size: 8pt; table-layout: auto; }
  .send-table td:first-child { min-width: 9em; }
  body .jp-RenderedHTMLCommon .send-table th, body .jp-RenderedHTMLCommon .send-table td { padding: 0.2em 0.35em; }
  /* body outranks the lab template's print rule (.jp-OutputArea-child { break-inside: avoid-page }, later in the page):
     with it, an output taller than what is left of a page (the cover, a long table) was moved whole to the next page,
     leaving a blank page or half of one behind */
  body .jp-OutputArea-child { break-inside: auto; }
  .send-contents { break-inside: avoid; page-break-inside: avoid; }
}
"""


def fill_contents(body: str) -> str:
    """Fill the notebook's empty contents list with a link to every section heading after it (none left: unchanged)."""
    empty = _CONTENTS.search(body)
    if empty is None:
        return body
    links = []
    for match in _H2.finditer(body, empty.end()):
        title = re.sub(r"<a class=\"anchor-link\".*?</a>", "", match.group(2), flags=re.DOTALL)
        title = re.sub(r"<[^>]+>", "", title).strip()
        links.append(f'<li><a href="#{match.group(1)}">{title}</a></li>')
    nav = f'<nav class="send-contents" aria-label="Contents"><p><strong>Contents</strong></p><ol>{"".join(links)}</ol></nav>'
    return body[: empty.start()] + (nav if links else "") + body[empty.end():]


def with_csp(body: str) -> str:
    """The page with :data:`CSP` as the first element of its ``<head>``, before anything it governs."""
    head = _HEAD.search(body)
    if head is None:
        raise ValueError("the exported page has no <head>: nowhere to put its Content-Security-Policy")
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    return body[: head.end()] + meta + body[head.end():]


def page_title(notebook: Path, area_name: str, quarter) -> str:
    """``SEND quarterly review: Kent, 2025-Q3``."""
    return f"{TITLES.get(notebook.stem, notebook.stem)}: {area_name}, {quarter}"


def _exporter() -> HTMLExporter:
    """An idle exporter (made on first need, handed back to ``_idle_exporters`` after each export): compiling the template
    took 0.12 s an export. One exporter serves one export at a time (a run exports its notebooks at once)."""
    try:
        return _idle_exporters.get_nowait()
    except queue.Empty:
        pass
    exporter = HTMLExporter(template_name="lab")
    # cells tagged report-hide exist for nbval (headline numbers as text), not for readers
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"report-hide"}, enabled=True), enabled=True)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def export_html(executed: Path, html_path: Path, title: str | None = None) -> None:
    """Export an executed notebook to self-contained HTML without code cells.

    Images are embedded; the template's links to scripts on other hosts
    (require.js, MathJax) are removed, so the report opens offline and makes no
    network request; the page gets a real ``<title>`` and a language.
    """
    exporter = _exporter()
    resources = {"metadata": {"name": title or executed.stem}}
    notebook = nbformat.read(executed, as_version=4)
    for cell in notebook.cells:  # papermill gives its injected cell a random id: fix it so re-runs match
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    try:
        body, _ = exporter.from_notebook_node(notebook, resources=resources)
    finally:
        _idle_exporters.put(exporter)
    body = _EXTERNAL.sub("", body)
    body = _REMOTE_MODULE.sub("", body)
    body = body.replace("<html>", '<html lang="en">', 1)
    body = with_csp(body)
    body = body.replace("</style>", _REPORT_CSS + "</style>", 1)
    body = fill_contents(body)
    html_path.write_text(body, encoding="utf-8")
