"""A real run to HTML, a failed run that must not touch the good report, another LA."""

import json
import re

import nbformat
import pytest

from analysis_helpers.errors import ParameterError, ReportError
from analysis_helpers.report import Quarter, resolve_run_parameters, run_quarterly


@pytest.fixture(scope="module")
def kent_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return run_quarterly(area="kent", quarter="2025-Q3", out_dir=out), out


def test_kent_report_is_written_with_numbers_and_no_code(kent_report):
    index, out = kent_report
    assert index == out / "2025-Q3" / "kent" / "index.html"
    html = index.read_text()
    assert "<title>" in html
    assert "SEND baselines" in html
    # Kent 2024 excluding exceptions: 783 of 2,354 = 33.3%; England 46.4%.
    assert "33.3%" in html and "783 of 2,354" in html and "46.4%" in html
    assert "analysis_helpers" not in html  # no code cells
    assert not re.search(r"In&nbsp;\[\d*\]", html)
    assert 'alt="' in html and 'scope="col"' in html
    # Seed baselines with their basis, the funnel plot and the 2014-2024 series.
    assert "13.2%" in html and "324 / 1,804" in html and "50.3%" in html
    assert "below the 99.8% limit around England" in html
    assert "rose from 11.5% (2014) to 33.3% (2024)" in html
    assert "yes: first year of the new collection" in html


def test_manifest_records_inputs_and_parameters(kent_report):
    index, _ = kent_report
    manifest = json.loads((index.parent / "manifest.json").read_text())
    assert manifest["parameters"]["area"] == "Kent" and manifest["parameters"]["as_of"] == "2025-09-30"
    paths = {i["path"]: i["sha256"] for i in manifest["inputs"]}
    assert "data/raw/education-health-and-care-plans_2025.zip" in paths
    assert manifest["packages"]["pandas"] and "01_baselines.ipynb" in manifest["notebook_seconds"]
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
    assert not [p for p in (out / "2025-Q3").iterdir() if p.name.startswith(".")]


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
