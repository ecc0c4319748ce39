"""The README's guides as written, on the real release (issue 15).

"Add a month of local figures" with the run date fixed at 28 November 2026
(``SEND_REVIEW_TODAY``, which the papermill kernels inherit): the default run
reviews 2026-Q3, shows an October 2025 figure added after the release's
publication, leaves out one for a period after the data date, and says plainly
that the DfE figures are over a year old. Then the quick start's promise that
an explicit ``--quarter`` and ``--as-of`` give the same bytes on a re-run.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import KENT_FEED

from analysis_helpers.core.paths import PROJECT_ROOT
from analysis_helpers.core.vintage import TODAY_ENV

SEND_REVIEW = Path(sys.executable).with_name("send-review")
OCTOBER_2025 = [
    "send_vacancies,2025-10,37,count,snapshot (month of October 2025),,,,KCC SEND update October 2025 (guide test),https://democracy.kent.gov.uk/guide-test-2025-10",
    "ehcp_issued_within_20_weeks_pct,2025-10,41.7,pct,monthly (month of October 2025),,,,KCC SEND update October 2025 (guide test),https://democracy.kent.gov.uk/guide-test-2025-10",
]
OCTOBER_2026 = [  # a period that ends after the review's data date (30 September 2026): never in the 2026-Q3 review
    "send_vacancies,2026-10,99,count,snapshot (month of October 2026),,,,KCC SEND update October 2026 (guide test),https://democracy.kent.gov.uk/guide-test-2026-10",
]
#: Fields of manifest.json that are by nature different on every run.
RUN_SPECIFIC = ("started", "finished", "notebook_seconds", "pdf_seconds", "run_date")


def send_review(*args, today=None):
    env = dict(os.environ)
    env.pop(TODAY_ENV, None)
    if today:
        env[TODAY_ENV] = today
    return subprocess.run([str(SEND_REVIEW), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def default_review(tmp_path_factory):
    """Steps 1-3 of "Add a month of local figures", then the default run on 28 November 2026."""
    local = tmp_path_factory.mktemp("local")
    feed = local / "kent.csv"
    shutil.copyfile(KENT_FEED, feed)  # step 1: the area's file, keeping its earlier rows
    with open(feed, "a", encoding="utf-8") as handle:
        handle.write("\n".join(OCTOBER_2025 + OCTOBER_2026) + "\n")
    validated = send_review("validate", str(feed))  # step 2
    out = tmp_path_factory.mktemp("reports")
    run = send_review("run", "--area", "Kent", "--local", str(local), "--out", str(out), today="2026-11-28")  # step 3
    return validated, run, out


def test_the_added_month_validates(default_review):
    validated, _, _ = default_review
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "0 problem(s)" in validated.stdout


def test_the_default_run_reviews_the_last_completed_quarter(default_review):
    _, run, out = default_review
    assert run.returncode == 0, run.stderr
    index = out / "2026-Q3" / "kent" / "index.html"
    assert index.exists() and f"report written: {index}" in run.stdout
    html = index.read_text()
    # the cover names the quarter and the data date
    assert "<h1>Kent: SEND quarterly review, 2026-Q3 (July to September 2026)</h1>" in html
    assert "data published by 30 September 2026" in html
    manifest = json.loads((index.parent / "manifest.json").read_text())
    assert (manifest["run_date"], manifest["quarter"], manifest["parameters"]["as_of"]) == ("2026-11-28", "2026-Q3", "2026-09-30")


def workforce_table(html: str) -> str:
    match = re.search(r"<caption>Kent: SEND casework vacancies and posts filled, as published</caption>.*?</table>", html, re.S)
    assert match, "the workforce table is missing"
    return match.group(0)


def test_a_month_added_after_the_release_is_in_the_default_review(default_review):
    _, _, out = default_review
    index = out / "2026-Q3" / "kent" / "index.html"
    workforce = workforce_table(index.read_text())
    assert "<td>2025-10</td><td>37</td>" in workforce and "KCC SEND update October 2025 (guide test)" in workforce
    # none after the data date: October 2026 ended after 30 September 2026
    assert "2026-10" not in workforce and "October 2026 (guide test)" not in index.read_text()
    baselines = (index.parent / "01_baselines.html").read_text()
    monthly = re.search(r"<caption>Kent: figures the council published \(monthly and quarterly\)</caption>.*?</table>", baselines, re.S)
    assert monthly and "<td>2025-10</td><td>41.7%</td>" in monthly.group(0)


def test_the_page_says_how_old_the_dfe_figures_are(default_review):
    _, run, out = default_review
    html = (out / "2026-Q3" / "kent" / "index.html").read_text()
    header = html[: html.index("Executive summary")]
    assert "DfE figures come from the release published in July 2025" in header
    assert "the June 2026 release is expected but missing from data/raw/" in header
    assert "Note: stale data." in header and "Add the next DfE release" in header
    # the council feed's newest figure (October 2025) is 11 months before the data date: flagged too
    assert "newest council figure is for the period ending 31 October 2025" in header
    sources = html[html.index("Data each section uses"):]
    assert "the June 2026 release is expected but missing from data/raw/" in sources
    # and one warning line each on stderr, not a failure
    warnings = [line for line in run.stderr.splitlines() if line.startswith("send-review: WARNING: stale data:")]
    assert len(warnings) == 2, run.stderr
    assert "published in July 2025" in warnings[0] and "Add the next DfE release" in warnings[0]
    assert "31 October 2025" in warnings[1]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    outs = []
    for _ in range(2):
        out = tmp_path_factory.mktemp("same")
        run = send_review("run", "--area", "Kent", "--quarter", "2025-Q3", "--as-of", "2025-09-30", "--out", str(out))
        assert run.returncode == 0, run.stderr
        outs.append(out / "2025-Q3" / "kent")
    return outs


def test_an_explicit_quarter_and_as_of_give_the_same_bytes(two_runs):
    first, second = two_runs
    assert (first / "index.html").read_bytes() == (second / "index.html").read_bytes()
    assert "DfE figures come from the release published in July 2025" in (first / "index.html").read_text()
    assert "the next release is expected in June 2026" in (first / "index.html").read_text()
    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in two_runs]
    for manifest in manifests:
        for field in RUN_SPECIFIC:
            manifest.pop(field)
        manifest["parameters"].pop("report_dir")  # each run is written where it is told (a temporary folder here)
        for cache in manifest["caches"]:  # the first run may build what the second reads: the same files either way
            cache.pop("event")
    assert manifests[0] == manifests[1] and manifests[0]["quarter"] == "2025-Q3"


def test_make_report_passes_the_quarter_through():
    def dry_run(*args):
        return subprocess.run(["make", "-n", "report", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout

    assert 'send-review run --area "Kent" --quarter "2025-Q3"' in dry_run("QUARTER=2025-Q3")
    assert "--quarter" not in dry_run("QUARTER=")
