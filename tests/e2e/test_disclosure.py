"""A small unpublished count never appears in an exported HTML or CSV."""

import csv
import io
import re
import shutil

import pytest
from helpers import KENT_FEED
from pypdf import PdfReader

from analysis_helpers.cli import main
from analysis_helpers.pipeline.report import run_quarterly
from analysis_helpers.reporting import disclosure

SMALL_ROWS = [
    "send_vacancies,2023-10,3,count,snapshot,,,,KCC test figure,https://democracy.kent.gov.uk/t",
    "ehcp_issued_within_20_weeks_pct,2023-07,37.5,pct,monthly,3,8,,KCC test figure,https://democracy.kent.gov.uk/t",
    # the newest figures of the 2025-Q3 review (issue 24: the summary, its target sentence, headline.json and the
    # trajectories page printed "37.5% (2025-08)"): 2 of 7 and 3 of 8
    "ehcp_issued_within_20_weeks_pct,2025-07,28.6,pct,monthly,2,7,,KCC test figure,https://democracy.kent.gov.uk/t",
    "ehcp_issued_within_20_weeks_pct,2025-08,37.5,pct,monthly,3,8,,KCC test figure,https://democracy.kent.gov.uk/t",
]


@pytest.fixture(scope="module")
def small_feed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("local")
    shutil.copyfile(KENT_FEED, folder / "kent.csv")
    with open(folder / "kent.csv", "a", encoding="utf-8") as handle:
        handle.write("\n".join(SMALL_ROWS) + "\n")
    return folder


def test_rules():
    import pandas as pd

    rows = pd.DataFrame(
        {"unit": ["count", "count", "pct", "pct"], "value": [3.0, 0.0, 37.5, 40.0], "numerator": [float("nan")] * 2 + [3.0, 4.0],
         "denominator": [float("nan")] * 2 + [8.0, 10.0], "ci_low": [float("nan")] * 4, "ci_high": [float("nan")] * 4}
    )
    shown = disclosure.apply(rows)
    # 4 of 10: the numerator is small, so the rate would give it away with the denominator
    assert shown["value"].tolist() == ["<5", 0.0, "suppressed", "suppressed"]
    assert shown.loc[3, "numerator"] == "<5" and shown.loc[3, "denominator"] == 10.0
    assert len(disclosure.plottable(rows)) == 1


def test_small_numbers_never_reach_the_report(small_feed, tmp_path):
    index = run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp_path, local=small_feed)
    pages = {p.name: p.read_text() for p in index.parent.glob("*.html")}
    workforce = pages["index.html"].split('<h2 id="Workforce:-SEND-casework-capacity">')[1].split('<h2 id="High-needs-budget">')[0]
    assert "2023-10" in workforce and "&lt;5" in workforce
    council = pages["01_baselines.html"].split("figures the council published")[1].split("</table>")[0]
    july = council.split("2023-07")[1].split("</tr>")[0]
    assert "suppressed" in july and "37.5" not in july  # the rate with a denominator of 8
    assert "37.5%" not in council
    # Nowhere in anything the run wrote (pages, text and attributes with alt text, executed notebooks, manifest, log):
    # "37.5" also stands for real figures (a neighbour's 37.5%), so each file must hold it exactly as often as the
    # same run without the small figures does.
    # The figure is matched whole: run timings (papermill's cell durations, the manifest's seconds) such as 37.512
    # or 137.5 change from run to run and are not it.
    plain = run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp_path / "plain")
    headline = (index.parent / "headline.json").read_text()
    assert "2025-08" not in headline and "2025-07" not in headline  # the newest figures that may be shown are older
    for rate in ("37.5", "28.6"):
        figure = re.compile(r"(?<![\d.])" + re.escape(rate) + r"(?!\d)")
        for path in sorted(index.parent.iterdir()):
            if path.is_file() and path.suffix in (".html", ".ipynb", ".json", ".log", ".pdf"):
                text, baseline = written_text(path), written_text(plain.parent / path.name)
                assert len(figure.findall(text)) == len(figure.findall(baseline)), f"the suppressed rate {rate} appears in {path.name}"


def written_text(path):
    """A file's text as a reader meets it: a PDF's extracted text (every page), anything else as written."""
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8", errors="replace")


def test_small_numbers_never_reach_a_csv(small_feed, capsys):
    assert main(["kpis", "--area", "Kent", "--local", str(small_feed / "kent.csv"), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    vacancy = [r for r in rows if r["measure"] == "send_vacancies" and r["period"] == "2023-10"][0]
    assert vacancy["value"] == "<5"
    rate = [r for r in rows if r["measure"] == "ehcp_issued_within_20_weeks_pct" and r["period"] == "2023-07"][0]
    assert rate["value"] == rate["numerator"] == rate["denominator"] == "suppressed"
    assert "disclosure" in rows[0] and "basis" in rows[0]
