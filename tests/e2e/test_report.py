"""A real run to HTML, a failed run that must not touch the good report, another LA."""

import html as html_module
import json
import re
from html.parser import HTMLParser

import nbformat
import pytest
from helpers import DATA_LOG, KENT_FEED, TARGETS

from analysis_helpers.analysis.backtest import cached_backtest, choose_default
from analysis_helpers.analysis.projection import MODELS
from analysis_helpers.core.errors import ParameterError, ReportError
from analysis_helpers.core.paths import shown_path
from analysis_helpers.data.release import open_release
from analysis_helpers.pipeline.report import Quarter, resolve_run_parameters, run_quarterly
from analysis_helpers.reporting.model_text import PLAIN_MODELS


@pytest.fixture(scope="module")
def kent_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return run_quarterly(area="kent", quarter="2025-Q3", out_dir=out), out


def test_kent_report_is_written_with_numbers_and_no_code(kent_report):
    index, out = kent_report
    assert index == out / "2025-Q3" / "kent" / "index.html"
    html = index.read_text()
    assert "<title>SEND quarterly review: Kent, 2025-Q3</title>" in html and '<html lang="en">' in html
    assert "Executive summary" in html and "Status rules." in html
    assert "NBVAL_CHECK_OUTPUT" not in html
    assert len(html.encode()) < 3 * 1024 * 1024
    baselines = (index.parent / "01_baselines.html").read_text()
    assert "SEND baselines" in baselines
    # Kent 2024 excluding exceptions: 783 of 2,354 = 33.3%; England 46.4%.
    assert "33.3%" in baselines and "783 of 2,354" in baselines and "46.4%" in baselines
    for page in (html, baselines):
        assert "analysis_helpers" not in page  # no code cells
        assert not re.search(r"In&nbsp;\[\d*\]", page)
        assert 'alt="' in page and 'scope="col"' in page
    # Seed baselines with their basis, the funnel plot and the 2014-2024 series.
    assert "13.2%" in baselines and "324 / 1,804" in baselines and "50.3%" in baselines
    # the funnel: 33.3% against 46.4% is far below the binomial 99.8% limit, but within the 95% limits widened for
    # the variation between councils (tests/test_sections.py)
    assert "lies within the 95% limits around England (46.4%), allowing for the variation between councils" in baselines
    assert "On chance alone (binomial limits) it would lie below the 99.8% limit." in baselines
    # the 2014-2024 line peaked at 86.2% in 2015 (before the new collection); 33.3 - 11.5 = +21.8 points since 2014
    assert "33.3% in 2024, up from 18.0% in 2023; peaked at 86.2% in 2015; +21.8 points since 2014 (11.5%)" in baselines
    assert "yes: first year of the new collection" in baselines
    # the council's monthly series (01) and the workforce and budget sections (03)
    assert "figures the council published (monthly and quarterly)" in baselines and "2023-08" in baselines
    assert "Workforce: SEND casework capacity" in html and "SEND casework vacancies" in html
    assert "Due by 30 September 2023" in html  # the requirement's date, from data/targets.csv
    assert ("High-needs budget" in html and "safety-valve agreement with DfE started in the financial year 2022 to 2023" in html
            and "£140m from DfE and £82m from the council" in html)
    assert "DSG cumulative deficit as % of income" in html and "6.83%" in html
    # issue 23: the workbook's high-needs outlook in the same section, with the agreement's balance year
    assert "High-needs budget and the safety valve" in html and "What it would take to balance 2027-28" in html
    assert "more than its high-needs block in 2027-28</strong>, its safety-valve agreement&#x27;s balance year" in html \
        or "more than its high-needs block in 2027-28</strong>, its safety-valve agreement's balance year" in html
    # issue 13: the SEND Tribunal appeal rate (appeals 1,559 of 23,692 appealable decisions in 2024; England
    # 22,276 of 689,739 = 3.2%) and mainstream placement by age (Jan 2025: 3,668 of 6,392 aged 5-10 = 57.4%;
    # 3,155 of 8,174 aged 11-15 = 38.6%, England 47.6%), each with its comparators
    for heading in ("The EHC pathway", "Who waits", "Inclusion across the school years", "Parents' confidence"):
        assert f">{heading}<" in html, heading
    # the pathway's clocks, 2024: 3,602 of 3,969 requests decided within 6 weeks; 343 of 2,424 plans over a year;
    # 3,151 of 9,374 annual review decisions within 4 weeks (England 44.4%); the widest gap from England is the refusal
    # share (2,200 of 4,001 = 55.0% against 25.2%: 29.8 points); of the clocks, 20 weeks is furthest behind (13.6 points)
    assert "90.8% (3,602 of 3,969" in html and "14.2% (343 of 2,424" in html and "33.6% (3,151 of 9,374" in html
    assert ("the widest gap from England is in requests refused (balancing measure), 55.0% against 25.2% (2024); the clock "
            "furthest behind England is plan issued within 20 weeks, 32.3% against 45.9% (2024), within the funnel's 95% limits") in html
    # who waits, 2024: aged 11 to 15, 119 of 529 plans within 20 weeks (22.5%) against 35.1% for the rest of Kent
    assert "Children aged 11 to 15: 22.5% (119 of 529; 95% CI 19.1–26.2%)" in html
    assert "6.6% (1,559 of 23,692" in html and "Comparators: England 3.2%" in html
    assert "57.4% (3,668 of 6,392" in html and "38.6% (3,155 of 8,174" in html and "Comparators: England 47.6%" in html
    # the methods section links the caveats and the data log, and the links resolve
    for doc in ("docs/assumptions_and_caveats.md", "data/README.md"):
        href = re.search(r'href="([^"]*' + re.escape(doc) + ')"', html)
        assert href and (index.parent / href.group(1)).resolve().exists(), doc
    trajectories = (index.parent / "02_trajectories.html").read_text()
    # the projections name the model the backtest chose (not one typed in), in its registry's words and in plain words
    chosen = choose_default(cached_backtest(release=open_release()))
    shown = " ".join(html_module.unescape(trajectories).split())
    assert MODELS[chosen] in shown and PLAIN_MODELS[chosen] in shown and "Backtest" in shown
    # the high-needs details page: Kent's own NMSS/independent unit cost (the benchmarking file's CB103 / K103,
    # £44,930.51), the backtest the caseload models were chosen on, and the review links it
    high_needs = " ".join(html_module.unescape((index.parent / "04_high_needs.html").read_text()).split())
    assert "<td>independent special</td><td>nmss independent</td><td>44,931</td>" in high_needs
    assert "Caseload models scored at January" in high_needs and "<td>yes</td>" in high_needs
    assert 'href="04_high_needs.html"' in html


def test_manifest_records_inputs_and_parameters(kent_report):
    index, _ = kent_report
    manifest = json.loads((index.parent / "manifest.json").read_text())
    assert manifest["parameters"]["area"] == "Kent" and manifest["parameters"]["as_of"] == "2025-09-30"
    paths = {i["path"]: i["sha256"] for i in manifest["inputs"]}
    assert "data/raw/education-health-and-care-plans_2025.zip" in paths
    assert {shown_path(KENT_FEED), "data/raw/dsg_deficit_derived.xlsx", shown_path(TARGETS), shown_path(DATA_LOG)} <= set(paths)
    assert manifest["packages"]["pandas"] == __import__("pandas").__version__
    assert re.fullmatch(r"[0-9a-f]{40}", manifest["git_commit"] or "")  # tests run inside the project's git checkout
    assert set(manifest["notebook_seconds"]) == {"03_quarterly_review.ipynb", "01_baselines.ipynb", "02_trajectories.ipynb",
                                                 "04_high_needs.ipynb"}
    assert manifest["quarter"] == "2025-Q3" and manifest["started"] <= manifest["finished"]
    assert (index.parent / "01_baselines.ipynb").exists()


def test_failed_run_keeps_the_previous_report(kent_report, tmp_path):
    index, out = kent_report
    before = index.read_bytes()
    broken = tmp_path / "01_baselines.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('area = "Kent"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise ValueError('chart data missing')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, broken)
    with pytest.raises(ReportError) as info:
        run_quarterly(area="Kent", quarter="2025-Q3", out_dir=out, notebooks=(broken,))
    message = str(info.value)
    assert "ValueError: chart data missing" in message and "cell" in message and "\n" not in message
    assert index.read_bytes() == before
    assert (out / "_failed" / "2025-Q3" / "kent" / "01_baselines.ipynb").exists()
    assert not [p for p in (out / "2025-Q3").iterdir() if p.name.startswith(".") and not p.name.endswith(".lock")]  # no work folder


def test_unrunnable_notebook_is_a_report_error(kent_report, tmp_path):
    index, out = kent_report
    missing = tmp_path / "nope.ipynb"
    with pytest.raises(ReportError, match="nope.ipynb: could not be executed"):
        run_quarterly(area="Kent", quarter="2025-Q3", out_dir=out, notebooks=(missing,))
    assert index.exists()


def test_another_la(tmp_path):
    index = run_quarterly(area="801", quarter="2025-Q3", out_dir=tmp_path)
    assert index.parent.name == "bristol-city-of" and "Bristol, City of" in index.read_text()


def test_run_parameters_are_validated():
    import datetime as dt

    today = dt.date(2026, 11, 28)
    assert resolve_run_parameters("2024-Q4", None, today) == (Quarter(2024, 4), dt.date(2024, 12, 31))
    assert Quarter.parse("2024-Q1").end == dt.date(2024, 3, 31)
    with pytest.raises(ParameterError, match="after today"):
        resolve_run_parameters("2026-Q4", "2026-12-01", today)
    with pytest.raises(ParameterError, match="before quarter 2024-Q4 starts"):
        resolve_run_parameters("2024-Q4", "2024-09-30", today)
    with pytest.raises(ParameterError, match="YYYY-MM-DD"):
        resolve_run_parameters("2024-Q4", "31/12/2024", today)
    with pytest.raises(ParameterError, match="before any DfE release in the data log was published"):
        resolve_run_parameters("2022-Q1", None, today)


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.images_without_alt, self.tables, self.header_cells = [], 0, 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "img" and not attrs.get("alt"):
            self.images_without_alt += 1
        self.tables += tag == "table"
        self.header_cells += tag == "th"


def test_report_structure_headings_alt_text_and_header_cells(kent_report):
    index, _ = kent_report
    parser = _Structure()
    parser.feed(index.read_text())
    assert parser.headings[0] == 1 and parser.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(parser.headings, parser.headings[1:], strict=False)), parser.headings
    assert parser.images_without_alt == 0
    assert parser.tables >= 3 and parser.header_cells >= 3 * 5


def test_rerun_gives_the_same_numbers(kent_report, tmp_path):
    index, _ = kent_report
    again = run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp_path)
    assert again.read_bytes() == index.read_bytes()
    for name in ("01_baselines.html", "02_trajectories.html", "04_high_needs.html"):
        assert (again.parent / name).read_bytes() == (index.parent / name).read_bytes()


def _headline(notebook) -> str:
    cell = next(c for c in notebook.cells if "NBVAL_CHECK_OUTPUT" in c.source)
    return "".join(o.get("text", "") for o in cell.outputs)


def test_interactive_kernel_gives_the_same_numbers_as_papermill(kent_report, tmp_path, monkeypatch):
    """Run the review as an analyst would in JupyterLab (project kernel, autoreload on,
    parameter defaults) and compare its headline output with the papermill run."""
    from nbclient import NotebookClient

    from analysis_helpers.core.paths import PROJECT_ROOT, REVIEW_NOTEBOOK
    from tools import lab

    lab.install(prefix=tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    interactive = nbformat.read(REVIEW_NOTEBOOK, as_version=4)
    assert interactive.metadata["kernelspec"]["name"] == lab.KERNEL_NAME
    NotebookClient(interactive, kernel_name=lab.KERNEL_NAME, timeout=600, resources={"metadata": {"path": str(PROJECT_ROOT)}}).execute()
    index, _ = kent_report
    headless = nbformat.read(index.parent / "03_quarterly_review.ipynb", as_version=4)
    assert _headline(interactive) == _headline(headless)
    assert "EHC plans issued within 20 weeks" in _headline(headless) and "Conflicting figures" in _headline(headless)


def test_a_past_review_shows_only_what_was_published_by_then(tmp_path):
    """2024-Q4 (as of 31 Dec 2024): the 2025 release (public July 2025) must not appear."""
    index = run_quarterly(area="Kent", quarter="2024-Q4", out_dir=tmp_path)
    baselines = (index.parent / "01_baselines.html").read_text()
    assert "after this review's data date (31 December 2024): its figures are left out" in baselines
    assert "33.3%" not in baselines and "783 of 2,354" not in baselines  # Kent 2024, from the 2025 release
    # the long series ends with the 2022 release's last year: 41.4% in 2021; it peaked at 86.2% in 2015; 41.4 - 11.5 = +29.9
    assert "41.4% in 2021, up from 31.6% in 2020; peaked at 86.2% in 2015; +29.9 points since 2014 (11.5%)" in baselines
    review = index.read_text()
    assert "after this review" in review and "33.3% (2024)" not in review
    manifest = json.loads((index.parent / "manifest.json").read_text())
    assert manifest["parameters"]["as_of"] == "2024-12-31"


def test_no_warning_or_stderr_reaches_a_report(kent_report):
    """Library noise (a matplotlib warning with its line of source) goes to run.log, never to a page (issue 11)."""
    index, _ = kent_report
    for notebook in sorted(index.parent.glob("*.ipynb")):
        node = nbformat.read(notebook, as_version=4)
        streams = [o for c in node.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        assert streams == [], f"{notebook.name}: {streams[0].get('text', '')[:200]}"
    for page in sorted(index.parent.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert ("Warning" not in text and "warnings.warn" not in text
                and 'data-mime-type="application/vnd.jupyter.stderr"' not in text), page.name


def test_the_review_opens_with_key_messages_then_contents_then_the_status_table(kent_report):
    index, _ = kent_report
    page = index.read_text()
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    key = page.index('id="Key-messages"')
    nav = page.index('<nav class="send-contents"')
    summary = page.index('id="Executive-summary"')
    assert key < nav < summary < page.index('id="Timeliness:-plans-issued-within-20-weeks"')
    messages = re.findall(r"<li>(.*?)</li>", page[key:nav], flags=re.DOTALL)
    assert 3 <= len(messages) <= 6
    for message in messages:  # each links to a section heading that exists on the page
        targets = re.findall(r'href="#([^"]+)"', message)
        assert len(targets) == 1 and targets[0] in ids, message
    contents = re.findall(r'href="#([^"]+)"', page[nav:page.index("</nav>", nav)])
    headings = re.findall(r'<h2 id="([^"]+)"', page[nav:])
    assert contents == headings and "Executive-summary" in contents and "Methods,-caveats-and-sources" in contents
