"""Issue 24, item 3: every function that writes text from an input file into a review shows it as text.

Each test feeds one route hostile text (from copies of the input files in ``tmp_path``, read by the package's own
readers) and renders what the notebook would display as the exported page renders it (Markdown through nbconvert's
renderer): no element of the input's survives, no ``javascript:`` link, and the hostile text is there to read.
The exported page's Content-Security-Policy and the PDF printer's refusal of other local files are checked here
too; ``tests/e2e/test_hostile_text.py`` runs a whole review on such files in Chromium.
"""

from __future__ import annotations

import csv
import datetime as dt
import types

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from browser_check import chromium, in_ci
from helpers import FIXTURE_RELEASE
from IPython.display import HTML, Markdown
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from pypdf import PdfReader
from test_safe_text import Parsed

from analysis_helpers.analysis.outlook import build_outlook
from analysis_helpers.core.paths import AREA_FACTS_ENV
from analysis_helpers.data import council_measures
from analysis_helpers.data.local_feed import validate_feed
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.targets import read_targets, requirements_for
from analysis_helpers.pipeline import html as html_module
from analysis_helpers.pipeline import pdf as pdf_module
from analysis_helpers.reporting import charts, council_sections, glossary, narrative, sections, tables
from analysis_helpers.reporting.key_messages import key_messages

SCRIPT = "<script>alert(1)</script>"


def hostile(tag: str) -> str:
    return (f"{tag} {SCRIPT} <img src=http://127.0.0.1:9/{tag} onerror=alert(2)> "
            "<iframe src=file:///etc/hostname></iframe> [x](javascript:alert(4))")


#: Elements a section may make itself; none may come from the input.
OURS = {"p", "ul", "li", "em", "strong", "blockquote", "h3", "a", "table", "caption", "thead", "tbody", "tr", "th", "td", "figure",
        "img"}


def page_of(shown) -> Parsed:
    """What a notebook cell's display objects become in the exported page."""
    parts = [markdown2html_mistune(item.data) if isinstance(item, Markdown) else item.data for item in shown]
    assert all(isinstance(item, (Markdown, HTML)) for item in shown)
    return Parsed("\n".join(parts))


def assert_inert(page: Parsed, *tags: str) -> None:
    """No element or attribute from the input, no link but http(s), and each tagged hostile text there as text."""
    assert set(page.tags) <= OURS, set(page.tags) - OURS
    assert not [a for a in page.attributes if a[1].startswith("on")], page.attributes
    for tag, name, value in page.attributes:
        if name in ("href", "src"):
            assert value.startswith(("http://", "https://", "data:image/png;base64,", "#")), (tag, name, value[:60])
    for tag in tags:
        assert f"{tag} {SCRIPT} <img src=" in page.text, (tag, page.text[:500])


def write_csv(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


TARGET_COLUMNS = ["target_id", "area", "measure", "denominator", "series", "baseline_value", "baseline_date", "baseline_source",
                  "target_value", "target_date", "date_basis", "source_title", "source_url", "quote"]


@pytest.fixture(scope="module")
def kent():
    release = open_release(FIXTURE_RELEASE)
    areas = areas_for(release)
    return types.SimpleNamespace(area=areas.get("Kent"), areas=areas, release=release, as_of=dt.date(2025, 9, 30), feed=pd.DataFrame(),
                                 region=None, neighbours="2025", dfe_published=True, report_dir=None)


@pytest.fixture
def facts(tmp_path, monkeypatch):
    """Hostile area-fact files, read through SEND_REVIEW_AREA_FACTS."""
    write_csv(tmp_path / "area_notes.csv", ["area", "section", "text", "source_title", "source_url"], [
        ["886", "context", hostile("note-text"), hostile("note-title"), "javascript:alert(3)"],
        ["886", "context", "Plain note.", "Plain title", "data:text/html,<script>alert(5)</script>"],
        ["886", "context", "Linked note.", "Linked <b>title</b>", "https://www.kent.gov.uk/a\"onmouseover=alert(6)"],
    ])
    write_csv(tmp_path / "milestones.csv", ["area", "months", "from_date", "event", "source_title", "source_url", "quote"],
              [["886", 6, "2023-03-31", hostile("event"), hostile("milestone-title"), "javascript:alert(3)", hostile("quote")]])
    write_csv(tmp_path / "council_hosts.csv", ["area", "host", "source_title", "source_url"],
              [["kent", "kent.gov.uk", "t", "javascript:x"]])
    monkeypatch.setenv(AREA_FACTS_ENV, str(tmp_path))
    return tmp_path


def test_area_notes_show_their_text_and_link_only_a_web_address(kent, facts):
    page = page_of(sections.area_notes(kent.area, "context"))
    assert_inert(page, "note-text", "note-title")
    assert "(javascript:alert(3))" in page.text and "(data:text/html,<script>alert(5)</script>)" in page.text
    links = [value for _, name, value in page.attributes if name == "href" and not value.startswith("http://127.0.0.1:9/")]
    assert links == ["https://www.kent.gov.uk/a%22onmouseover=alert%286%29"], links  # (a bare http address in the text is linked)
    assert "Linked <b>title</b>" in page.text


def test_a_requirements_quote_title_and_date_basis_are_text(kent, tmp_path):
    targets = write_csv(tmp_path / "targets.csv", TARGET_COLUMNS, [
        [hostile("id"), "886", "send_vacancies", "", "council", "", "2023-03-31", "", "", "2023-09-30",
         f"stated: {hostile('date-basis')}", hostile("title"), "javascript:alert(3)", hostile("quote")]])
    assert len(requirements_for(kent.area.code, kent.areas.get, targets)) == 1
    page = page_of(council_sections.workforce(types.SimpleNamespace(**vars(kent), targets=targets)))
    assert_inert(page, "quote", "title", "date-basis")


def test_the_deficit_sentence_shows_a_basis_as_text():
    deficit = pd.DataFrame({"period": ["2023/24"], "period_end": [pd.Timestamp("2024-03-31")], "value": [103.0], "kind": ["outturn"],
                            "basis": [f"financial year {hostile('basis')}"], "source": ["kent.csv row 2"]})
    assert_inert(page_of([Markdown(narrative.budget_sentence(deficit, None, pd.DataFrame()))]), "basis")


@pytest.fixture
def hostile_target(kent, tmp_path):
    """A DfE-series target on 20-week timeliness whose every text is hostile, and its outlook (a fixed model: no backtest)."""
    targets = write_csv(tmp_path / "targets.csv", TARGET_COLUMNS, [
        [hostile("id"), "886", "ehcp_issued_within_20_weeks_pct", hostile("denominator"), "dfe", "", "2022-12-31", hostile("baseline"),
         "80", "2026-12-31", f"assumed: {hostile('date-basis')}", hostile("title"), "javascript:alert(3)", hostile("quote")]])
    target = read_targets(targets)[0]
    return build_outlook(kent.area, target.measure, target, as_of=kent.as_of, release=kent.release, model="glm_logit")


def test_a_targets_id_quote_title_and_denominator_are_text(kent, facts, hostile_target):
    outlook = hostile_target
    detail = sections.target_detail(kent, outlook, "source")
    page = page_of(detail)
    assert_inert(page, "id", "quote", "title", "denominator", "milestone-title")
    alt = [value for tag, name, value in page.attributes if name == "alt"]
    assert alt and "denominator <script>alert(1)</script>" in alt[0] and "\\" not in alt[0]  # alt text: plain words, escaped once
    review = page_of(sections.outlooks_for(kent, [outlook], outlook.measure, "source"))
    assert_inert(review, "denominator")
    assert "id <script>" not in review.text  # the review's text names a target by its KPI: its id is in the annex
    assert_inert(page_of(glossary.methods_annex("Kent", [outlook])), "id", "title", "denominator")


def test_a_key_message_shows_a_catalogue_label_as_text(kent, tmp_path, monkeypatch):
    catalogue = write_csv(tmp_path / "measures.csv", ["measure", "label", "unit", "higher_is_better", "description"],
                          [["assessment_backlog_cases", hostile("label"), "count", "false", hostile("description")]])
    monkeypatch.setattr(council_measures, "CATALOGUE", catalogue)
    feed = write_csv(tmp_path / "kent.csv", ["measure", "period", "value", "unit", "basis", "numerator", "denominator", "qualifier",
                                             "source_title", "source_url"],
                     [["assessment_backlog_cases", f"2024-{m:02d}", 1000 - 50 * m, "count", "snapshot", "", "", "", "t", "https://kent.gov.uk"]
                      for m in range(1, 7)])
    targets = write_csv(tmp_path / "targets.csv", TARGET_COLUMNS, [
        ["backlog", "886", "assessment_backlog_cases", "", "council", "1080", "2023-09-30", "", "0", "2024-04-30",
         "stated: s", "t", "", "q"]])
    target = read_targets(targets)[0]
    outlook = build_outlook(kent.area, target.measure, target, as_of=kent.as_of, release=kent.release, local=feed)
    messages = key_messages(kent.area, [outlook], kent.release, dfe_published=False)
    assert messages[0].text.startswith("Target missed: ")
    page = page_of([Markdown("\n".join(f"* {m.markdown()}" for m in messages))])
    assert_inert(page, "label")


def test_table_cells_and_captions_are_text():
    table = pd.DataFrame({hostile("column"): [hostile("cell")]})
    assert_inert(Parsed(tables.to_html(table, caption=hostile("caption"))), "column", "cell", "caption")


def test_a_chart_quoting_a_file_draws_dollars_as_dollars_and_escapes_its_alt_text():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    charts.finish(fig, ax, title=r"Cost $\notacommand{x}$ and $5", xlabel="", ylabel="$", source=hostile("source"))
    page = Parsed(charts.figure_html(fig, alt=hostile("alt")))  # mathtext would fail to parse the title
    assert page.tags == ["figure", "img"] and "alt <script>alert(1)</script>" in dict((n, v) for _, n, v in page.attributes)["alt"]


def test_the_exported_page_forbids_scripts_frames_and_remote_loads(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title")]
    nbformat.write(notebook, tmp_path / "n.ipynb")
    html_module.export_html(tmp_path / "n.ipynb", tmp_path / "n.html", title="t")
    page = (tmp_path / "n.html").read_text()
    policy = getattr(html_module, "CSP", "(none)")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    assert meta in page and page.index(meta) < min(i for i in (page.find("<script"), page.find("<style"), page.find("<link")) if i >= 0)
    for directive in ("default-src 'none'", "script-src 'none'", "frame-src 'none'", "object-src 'none'", "img-src data:",
                      "base-uri 'none'", "form-action 'none'"):
        assert directive in policy


def test_the_printer_loads_nothing_but_the_page_and_data_uris():
    own = "file:///r/2025-Q3/kent/index.html"
    assert pdf_module.allowed(own, own) and pdf_module.allowed("data:image/png;base64,AAAA", own)
    for url in ("file:///etc/hostname", "file:///r/2025-Q3/kent/01_baselines.html", "http://127.0.0.1:9/x", "https://example.org/"):
        assert not pdf_module.allowed(url, own), url


def test_a_local_file_framed_by_a_page_never_reaches_its_pdf(tmp_path):
    """Even a page without the policy (one whose escaping failed) cannot print another local file."""
    if chromium() is None:
        if in_ci():
            pytest.fail("CI: no Chromium found; .ci/run installs Debian's")
        pytest.skip("no Chromium found")
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-CONTENTS-4711\n")
    page = tmp_path / "index.html"
    page.write_text(f'<html><body><p>Visible words</p><iframe src="{secret.as_uri()}" width="600" height="200"></iframe>'
                    f'<object data="{secret.as_uri()}" width="600" height="200"></object><img src="{secret.as_uri()}"></body></html>')
    pdf_module.write_pdf(page, tmp_path / "index.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "index.pdf").pages)
    assert "Visible words" in text and "SECRET-FILE-CONTENTS-4711" not in text


def test_validate_notes_text_that_looks_like_markup_and_an_address_that_is_no_web_address(tmp_path):
    feed = write_csv(tmp_path / "kent.csv", ["measure", "period", "value", "unit", "basis", "numerator", "denominator", "qualifier",
                                             "source_title", "source_url", "quote"], [
        ["send_vacancies", "2024-01", "20", "count", f"snapshot {SCRIPT}", "", "", "",
         "[x](javascript:alert(4))", "javascript:alert(3)", "q"],
        ["send_vacancies", "2024-02", "19", "count", "snapshot", "", "", "",
         "KCC minutes & papers (2024)", "https://democracy.kent.gov.uk/x", ""],
    ])
    frame, problems, notes = validate_feed(feed)
    assert problems == [] and len(frame) == 2  # shown as text, so not refused
    assert [n for n in notes if "row 3" in n] == []  # an ampersand in a title is not markup
    assert "kent.csv: row 2, column 'basis': looks like markup ('snapshot <script>alert(1)</script>'); reports show it as text" in notes
    assert any(n.startswith("kent.csv: row 2, column 'source_title': looks like markup") for n in notes)
    assert ("kent.csv: row 2, column 'source_url': 'javascript:alert(3)' is not an http(s) address; reports show it as text, "
            "not as a link") in notes
