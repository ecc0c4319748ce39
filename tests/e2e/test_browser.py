"""Every page a run writes, opened in the system Chromium through Playwright: it asks
the network for nothing, and axe-core finds no WCAG 2.2 A/AA violation, for Kent
and for a local authority drawn at random (seed printed; set BROWSER_TEST_SEED to
draw the same one again), and on the quarter's index of reviews. Each run's
``index.pdf`` (printed by the same Chromium) is A4, numbers its pages and holds
the key messages and the charts; and it is laid out for a committee: the cover
on page 1, no page ending with a heading, the executive summary on a landscape
page with its header cells apart, the running header on every page.

Skipped, with the reason, only where no Chromium is installed outside CI; in CI
(CI=true) a missing Chromium fails these tests, since .ci/run installs it.
"""

import datetime as dt
import inspect
import json
import os
import random
import re
import time

import pytest
from browser_check import WCAG_TAGS, PageCheck, browser, chromium, in_ci
from helpers import SHIPPED_RELEASE
from pdf_layout import headings, orphaned_headings, overlapping_cells, read_layout
from pypdf import PdfReader

from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.pipeline.report import run_quarterly

#: The quarter a run on the issue's day (6 December 2026) reviews by default: the last completed one.
QUARTER = "2026-Q3"
PAGES = ("index.html", "01_baselines.html", "02_trajectories.html", "04_high_needs.html")
#: A4 in PostScript points (210 x 297 mm); Chromium rounds to a hundredth.
A4_POINTS = (595.3, 841.9)


def require_chromium() -> str:
    """The system Chromium; skip where there is none (fail in CI, where .ci/run installs it)."""
    path = chromium()
    if path is None:
        message = "no Chromium found (chromium, chromium-browser, google-chrome or $CHROMIUM); .ci/run installs Debian's"
        if in_ci():
            pytest.fail(f"CI: {message}, and the browser tests must run in CI")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def chromium_browser():
    require_chromium()
    with browser() as launched:
        yield launched


def _run(area: str, out):
    """A full run (all three pages: ``details=True`` where run_quarterly has the switch)."""
    extra = {"details": True} if "details" in inspect.signature(run_quarterly).parameters else {}
    index = run_quarterly(area=area, quarter=QUARTER, out_dir=out, **extra)
    return index.parent


def drawn_la() -> tuple[str, int]:
    """A local authority other than Kent, drawn with a printed seed."""
    seed = int(os.environ.get("BROWSER_TEST_SEED") or time.time_ns() % 1_000_000)
    names = sorted(a.name for a in areas_for(open_release(SHIPPED_RELEASE)).local_authorities() if a.name != "Kent")
    name = random.Random(seed).choice(names)
    print(f"browser tests: drew {name} with BROWSER_TEST_SEED={seed}")
    return name, seed


@pytest.fixture(scope="module")
def kent_pages(tmp_path_factory, chromium_browser):
    return "Kent", _run("Kent", tmp_path_factory.mktemp("kent"))


@pytest.fixture(scope="module")
def random_la_pages(tmp_path_factory, chromium_browser):
    name, seed = drawn_la()
    return f"{name} (BROWSER_TEST_SEED={seed})", _run(name, tmp_path_factory.mktemp("random_la"))


def test_kent_pages_render_offline_and_ask_the_network_for_nothing(kent_pages, chromium_browser):
    _, folder = kent_pages
    for name in PAGES:
        page = PageCheck(chromium_browser, folder / name)
        assert page.network_requests == [], f"{name} asked the network for {page.network_requests}"
        if name == "index.html":
            assert "Executive summary" in page.dom and "key performance indicators at 30 September 2026" in page.dom
            assert "<th" in page.dom and "Probability on time" in page.dom
            # the status table reads left to right, as a councillor reads it (the lab template right-aligns cells)
            aligns = page.page.eval_on_selector_all(".send-table td, .send-table th",
                                                    "cells => cells.map(c => getComputedStyle(c).textAlign)")
            assert aligns and set(aligns) == {"left"}, set(aligns)
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_kent_pages_have_no_wcag_violations(kent_pages, chromium_browser, name):
    _assert_accessible(chromium_browser, *kent_pages, name)


@pytest.mark.parametrize("name", PAGES)
def test_a_random_las_pages_have_no_wcag_violations_and_no_requests(random_la_pages, chromium_browser, name):
    area, folder = random_la_pages
    page = PageCheck(chromium_browser, folder / name)
    assert page.network_requests == [], f"{area}, {name} asked the network for {page.network_requests}"
    page.close()
    _assert_accessible(chromium_browser, area, folder, name)


def _assert_accessible(launched, area, folder, name):
    page = PageCheck(launched, folder / name)
    violations = page.violations()
    page.close()
    assert violations == {}, f"axe-core ({', '.join(WCAG_TAGS)}) on {area}, {name}: {violations}"


@pytest.mark.parametrize("pages", ["kent_pages", "random_la_pages"])
def test_the_plan_at_a_glance_is_on_the_first_screen(pages, chromium_browser, request):
    """Issue 22: in a 1280 x 900 window the cover (title naming the area and quarter) and the whole plan at a glance show
    before any scrolling; Kent's 20-week targets come first and no expired target reads "Not yet known"."""
    area, folder = request.getfixturevalue(pages)
    page = PageCheck(chromium_browser, folder / "index.html", width=1280)
    box = page.page.eval_on_selector(".plan-at-a-glance", "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }")
    title = page.page.inner_text(".review-cover h1")
    rows = page.page.eval_on_selector_all(".glance-table tbody tr", "rows => rows.map(r => r.innerText)")
    page.close()
    assert 0 <= box[0] < box[1] <= 900, f"{area}: the plan at a glance spans {box} px"
    assert title.endswith(f"SEND quarterly review, {QUARTER} (July to September 2026)") and title.split(":")[0] in area
    assert rows, area
    assert not any("Not yet known" in r for r in rows)
    if area == "Kent":
        assert rows[0].startswith("EHC plans issued within 20 weeks") and rows[1].startswith("EHC plans issued within 20 weeks")
        # expired targets say why they are not measured
        assert all("Expected and missing" in r or "Not yet due" in r for r in rows if "Not measured since the target date" in r)


@pytest.mark.parametrize("pages", ["kent_pages", "random_la_pages"])
def test_the_quarter_index_sorts_links_and_has_no_wcag_violations(pages, chromium_browser, request):
    area, folder = request.getfixturevalue(pages)
    index = folder.parent / "index.html"
    page = PageCheck(chromium_browser, index)
    assert page.network_requests == [], f"the quarter index asked the network for {page.network_requests}"
    assert f'href="{folder.name}/index.html"' in page.dom and f'href="{folder.name}/index.pdf"' in page.dom
    page.page.click("thead th:first-child button")  # sort by area: the header says so to a screen reader
    assert page.page.get_attribute("thead th:first-child", "aria-sort") == "ascending"
    page.close()
    _assert_accessible(chromium_browser, f"{area}, quarter index", folder.parent, "index.html")


@pytest.mark.parametrize("pages", ["kent_pages", "random_la_pages"])
def test_each_run_prints_an_a4_pdf_with_page_numbers_key_messages_and_charts(pages, request):
    area, folder = request.getfixturevalue(pages)
    reader = PdfReader(folder / "index.pdf")
    pages_ = reader.pages
    assert len(pages_) >= 3, area
    for number, pdf_page in enumerate(pages_, start=1):  # upright, or landscape for a wide table
        width, height = sorted((float(pdf_page.mediabox.width), float(pdf_page.mediabox.height)))
        assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, f"{area}: page {number} is {width} x {height} pt"
    text = "\n".join(p.extract_text() for p in pages_)
    assert f"Page 1 of {len(pages_)}" in text and f"Page {len(pages_)} of {len(pages_)}" in text
    html = (folder / "index.html").read_text()
    assert "Key messages" in text and "Executive summary" in text
    first_message = re.search(r"<li>(.*?)</li>", html[html.index('id="Key-messages"'):], re.DOTALL).group(1)
    opening = " ".join(re.sub(r"<[^>]+>", "", first_message).split()[:4])
    assert opening in " ".join(text.split()), f"{area}: the first key message ({opening!r}) is not in the PDF"
    charts = html.count('<figure class="send-chart">')
    images = sum(len(p.images) for p in pages_)
    assert charts >= 1 and images >= charts, f"{area}: {images} images in the PDF for {charts} charts on the page"


#: The executive summary's header row: each cell's first word (reporting.summary.SUMMARY_COLUMNS).
SUMMARY_HEADER = ["KPI", "Latest", "Baseline", "Target", "Required", "Projected", "Probability", "Status", "Basis"]


@pytest.mark.parametrize("pages", ["kent_pages", "random_la_pages"])
def test_each_runs_pdf_is_laid_out_for_a_committee(pages, request):
    """Issue 22, item 7: tests/test_pdf.py shows each of these checks failing on a page printed without its rules."""
    area, folder = request.getfixturevalue(pages)
    html = (folder / "index.html").read_text()
    layout = read_layout(folder / "index.pdf")
    manifest = json.loads((folder / "manifest.json").read_text())
    name = manifest["parameters"]["area"]  # not the title's text before a comma: "Bournemouth, Christchurch and Poole"
    first_heading, page_1, page_2 = headings(html)[0], " ".join(layout[0].text.split()), " ".join(layout[1].text.split())
    assert "".join(page_1.split()).startswith("".join(first_heading.split())), f"{area}: page 1 does not open with {first_heading!r}"
    # the cover (reporting.glance): page 1 to itself, the next section opening page 2
    assert "Plan at a glance" in page_1 and "Key messages" not in page_1, area
    assert "Verdict" not in page_2, f"{area}: the plan at a glance runs onto page 2"
    assert orphaned_headings(layout, headings(html)) == [], f"{area}: pages end with these headings"
    summary = next(p for p in layout if "key performance indicators at" in p.text)
    assert summary.landscape, f"{area}: the executive summary is on an upright page ({summary.number})"
    assert overlapping_cells(folder / "index.pdf", summary.number, SUMMARY_HEADER) == [], area
    as_of = dt.date.fromisoformat(manifest["parameters"]["as_of"])
    header = f"{name} · SEND quarterly review {QUARTER} · data published by {as_of.day} {as_of:%B %Y}"
    assert [p.number for p in layout if p.header != header] == [], f"{area}: pages without the running header {header!r}"


def test_a_random_las_review_has_the_high_needs_section_without_safety_valve_content(random_la_pages):
    """Issue 23, item 6: every LA's review shows the section; one without an agreement (the random LA never has one
    in the frozen targets) gets the outlook, or the one line saying why it has none, and no agreement's path."""
    area, folder = random_la_pages
    html = (folder / "index.html").read_text()
    section = html[html.index('id="High-needs-budget-and-the-safety-valve"'):html.index('id="Methods-annex-and-glossary"')]
    assert "this area has no safety-valve target recorded" in section or "No high-needs outlook:" in section, area
    assert "The agreement&#x27;s path" not in section and "aims to balance" not in html, area


def test_the_detectors_can_fail(tmp_path, chromium_browser):
    """A page that fetches an image and a script, with an image without alt text and a colour-only link, is caught."""
    probe = tmp_path / "probe.html"
    probe.write_text(
        '<html lang="en"><head><title>probe</title><style>body { color: #0b0c0c } a { text-decoration: none; color: #1d3a6e }</style>'
        '</head><body><main>'
        '<h1>Probe</h1><img src="https://example.com/x.png"><p>Some text with <a href="#x">a link</a> in it, and more text.</p>'
        '<script>fetch("https://example.org/data.json").catch(() => {});</script></main></body></html>'
    )
    page = PageCheck(chromium_browser, probe)
    assert page.network_requests == ["https://example.com/x.png", "https://example.org/data.json"]
    assert {"image-alt", "link-in-text-block"} <= set(page.violations())
    page.close()
    # and a page that asks for nothing records nothing: the browser's own start-up traffic is not the page's
    quiet = tmp_path / "quiet.html"
    quiet.write_text('<html lang="en"><head><title>quiet</title></head><body><main><h1>Quiet</h1></main></body></html>')
    page = PageCheck(chromium_browser, quiet)
    assert page.network_requests == [] and page.violations() == {}
    page.close()


def test_a_missing_chromium_skips_outside_ci_and_fails_in_ci(monkeypatch):
    monkeypatch.setitem(globals(), "chromium", lambda: None)
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="no Chromium found"):
        require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI: no Chromium found"):
        require_chromium()


#: Issue 13's sections of the review, by heading: each must show a chart, or say in words why a figure is missing.
PATHWAY_SECTIONS = ("The EHC pathway", "Who waits", "Inclusion across the school years", "Parents' confidence")
MISSING_WORDS = ("no figure for", "cannot be shown", "too small to show", "no published", "publishes no")


@pytest.mark.parametrize("pages", ["kent_pages", "random_la_pages"])
def test_every_pathway_section_renders_or_says_why_a_figure_is_missing(pages, request):
    area, folder = request.getfixturevalue(pages)
    html = (folder / "index.html").read_text()
    headings = [(m.start(), m.group(1)) for m in re.finditer(r"<h2[^>]*>([^<]+)<", html)]
    for title in PATHWAY_SECTIONS:
        starts = [i for i, (_, text) in enumerate(headings) if text.strip() == title]
        assert starts, f"{area}: no section {title!r}"
        start = headings[starts[0]][0]
        end = headings[starts[0] + 1][0] if starts[0] + 1 < len(headings) else len(html)
        body = html[start:end]
        charts, said = body.count("<img"), [w for w in MISSING_WORDS if w in body]
        assert charts or said, f"{area}: section {title!r} shows no chart and says nothing about why"
        assert "<img" not in body or 'alt="' in body
