"""The quarter's index of reviews: rows from each review's headline.json, sort keys, links, failures."""

import json
import re

import nbformat
import pandas as pd

from analysis_helpers.pipeline.quarter_index import HEADLINE_FILE, read_headline, write_quarter_index
from analysis_helpers.reporting.sections import HEADLINE_MIME
from analysis_helpers.reporting.summary import RAG_BASIS, SUMMARY_COLUMNS, headline


def _review(folder, slug, area, kpis, pdf=False):
    (folder / slug).mkdir(parents=True)
    (folder / slug / "index.html").write_text("<html></html>")
    if pdf:
        (folder / slug / "index.pdf").write_bytes(b"%PDF-1.4")
    (folder / slug / HEADLINE_FILE).write_text(json.dumps({"area": area, "region": "South East", "kpis": kpis}))
    (folder / slug / "manifest.json").write_text(json.dumps({"quarter": folder.name, "finished": "2025-10-01T09:00:00+00:00"}))


def _kpi(measure, latest, status, targeted=False):
    return {"measure": measure, "kpi": measure, "latest": latest, "status": status, "targeted": targeted}


def _cells(page: str, area: str) -> list[tuple[str, str]]:
    """(data-sort, text) of each cell of the row whose first cell is ``area``."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL):
        cells = re.findall(r'<td data-sort="([^"]*)">(.*?)</td>', row, re.DOTALL)
        if cells and re.sub(r"<[^>]+>", "", cells[0][1]) == area:
            return cells
    raise AssertionError(f"no row for {area}")


def test_rows_come_from_each_reviews_headline_with_numeric_sort_keys_and_links(tmp_path):
    folder = tmp_path / "2025-Q3"
    _review(folder, "kent", "Kent", [
        _kpi("ehcp_issued_within_20_weeks_pct", "32.3% (2024)", "No figure since baseline", targeted=True),
        # the council row: not the index's
        _kpi("ehcp_issued_within_20_weeks_pct", "2.3% (2023-08)", "Not measured since the target date", targeted=True),
        _kpi("ehcp_caseload_mainstream_pct", "36.1% (2024/25)", "Missed", targeted=True),
        _kpi("ehc_requests_refused_pct", "55.0% (2024)", "Changed"),
        _kpi("high_needs_deficit_gbp_m", "£103m (2022-04)", "Red", targeted=True),
    ], pdf=True)
    _review(folder, "medway", "Medway", [_kpi("ehcp_issued_within_20_weeks_pct", "1,204.5 (2024)", "Improved")])
    page = write_quarter_index(folder, failures={"Essex": "ReportError: cell 4 failed <x>"}).read_text()
    assert "2 areas reviewed; 1 failed." in page
    kent = _cells(page, "Kent")
    # Area, Region, then each KPI's latest figure beside its status, Targets, Review, PDF
    assert [key for key, _ in kent[:8]] == ["Kent", "South East", "32.3", "No figure since baseline", "36.1", "Missed", "55.0", "Changed"]
    assert kent[8][1] == "Missed 1, No figure since baseline 1, Not measured since the target date 1, Red 1"
    assert kent[9][1].startswith('<a href="kent/index.html">Review') and kent[10][1].startswith('<a href="kent/index.pdf">PDF')
    medway = _cells(page, "Medway")
    assert medway[2] == ("1204.5", "1,204.5 (2024)") and medway[4] == ("", "–")  # thousands separators do not break the sort
    assert medway[8][1] == "none recorded" and medway[10] == ("0", "not written")  # no PDF: no link to one
    essex = _cells(page, "Essex")
    assert essex[8] == ("failed", "failed: ReportError: cell 4 failed &lt;x&gt;")
    assert page.count('<th scope="col"><button type="button">') == 11 and "<script>" in page


def test_a_folder_without_a_headline_is_not_listed_and_a_broken_one_is_skipped(tmp_path):
    folder = tmp_path / "2025-Q3"
    (folder / "old-run").mkdir(parents=True)
    (folder / "old-run" / "index.html").write_text("<html></html>")
    _review(folder, "kent", "Kent", [])
    (folder / "kent" / HEADLINE_FILE).write_text("{not json")
    page = write_quarter_index(folder).read_text()
    assert "0 areas reviewed." in page and "old-run" not in page


def test_a_killed_runs_folder_is_never_listed(tmp_path):
    """Issue 24: a run killed after writing headline.json (no manifest.json yet) left .kent-XXXXXXXX/, listed as a second Kent."""
    folder = tmp_path / "2025-Q3"
    _review(folder, "kent", "Kent", [_kpi("ehcp_issued_within_20_weeks_pct", "32.3% (2024)", "Improved")])
    _review(folder, ".kent-abcd", "Kent", [_kpi("ehcp_issued_within_20_weeks_pct", "99.9% (2024)", "Improved")])
    (folder / ".kent-abcd" / "manifest.json").unlink()  # killed before the manifest, as a real run is
    _review(folder, ".kent.old-4242", "Kent", [_kpi("ehcp_issued_within_20_weeks_pct", "11.1% (2024)", "Improved")])  # even whole
    _review(folder, "medway", "Medway", [_kpi("ehcp_issued_within_20_weeks_pct", "44.4% (2024)", "Improved")])
    (folder / "medway" / "manifest.json").write_text('{"quarter": "2025-Q3", "star')  # cut short
    page = write_quarter_index(folder).read_text()
    assert "1 area reviewed." in page
    assert "32.3" in page and "99.9" not in page and "11.1" not in page and "Medway" not in page
    assert ".kent" not in page


def test_read_headline_finds_the_reviews_json_output(tmp_path):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={HEADLINE_MIME: {"area": "Kent", "kpis": []}})]
    notebook.cells = [nbformat.v4.new_code_cell("1"), cell]
    path = tmp_path / "review.ipynb"
    nbformat.write(notebook, path)
    assert read_headline(path) == {"area": "Kent", "kpis": []}
    notebook.cells = notebook.cells[:1]
    nbformat.write(notebook, path)
    assert read_headline(path) is None


def test_the_summary_headline_keeps_each_rows_measure_and_whether_a_target_judged_it():
    rows = [dict.fromkeys(SUMMARY_COLUMNS, "") | {"KPI": "A", "Latest": "1.0% (2024)", "Status": "Red", "Basis of status": RAG_BASIS},
            dict.fromkeys(SUMMARY_COLUMNS, "") | {"KPI": "B", "Latest": "2", "Status": "Improved", "Basis of status": "change: +1"},
            dict.fromkeys(SUMMARY_COLUMNS, "") | {"KPI": "C", "Latest": "3", "Status": "Missed (population assumed)",
                                                  "Basis of status": RAG_BASIS}]
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS, index=pd.Index(["m1", "m2", "m3"], name="measure"))
    # the status the index counts is the status alone; what it assumes is kept beside it
    assert headline(summary) == [
        {"measure": "m1", "kpi": "A", "latest": "1.0% (2024)", "status": "Red", "status_note": "", "targeted": True},
        {"measure": "m2", "kpi": "B", "latest": "2", "status": "Improved", "status_note": "", "targeted": False},
        {"measure": "m3", "kpi": "C", "latest": "3", "status": "Missed", "status_note": "population assumed", "targeted": True},
    ]
