"""Every README guide followed in a copy of the project, then the data-dependent tests run there (issue 24).

An analyst adds a month of figures, a council measure (the README's own
example), a target (and changes one), and a new area's feed, each exactly as
the README says, then runs the tests as the README also says. Before issue 24
six tests failed, because they read the shipped ``data/local/kent.csv``,
``measures.csv`` and ``targets.csv`` (on 90563d3 this copy, with a new area's
feed and a changed target as well, has eleven failures). The copy is the project's tracked files
(no ``.venv``, caches or reports) in a temporary folder; its own ``src`` is
imported (``PYTHONPATH``), its own ``tests`` are run, with none of this run's
``SEND_REVIEW_*`` settings but its verified cache folder, so the copy's tests stand or fall on their own.
The tests run there are those that read the analyst's files or the default
release, and never this module (``GUIDES_COPY`` stops a copy from recursing).
"""

import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from frozen import SHARED_CACHE_ENV

from analysis_helpers.core.paths import CACHE_ENV, PROJECT_ROOT

pytestmark = pytest.mark.slow

#: Set in the copy's environment: a copy never follows the guides again.
GUIDES_COPY = "SEND_REVIEW_GUIDES_COPY"
#: The tests run in the copy: each reads (or read, before issue 24) the files the guides edit or the default release.
DATA_DEPENDENT = (
    "test_local_feed.py", "test_cli.py", "test_cli_options.py", "test_council_measures.py", "test_targets.py",
    "test_target_series.py", "test_parameters.py", "test_pipeline.py", "test_key_messages.py", "test_baselines.py",
    "test_nowcast.py", "test_basis.py", "test_area_facts.py", "test_local_tables.py", "test_current_quarter.py",
    "test_paths.py", "test_provenance.py", "test_sections.py",
)
#: The stand-in for the next DfE release ("Add the next DfE release").
NEXT_RELEASE = "education-health-and-care-plans_2026.zip"
#: Tests of those files that read none of the analyst's files and only cost time here (a backtest, console-script starts).
NOT_DATA = "not traceback and not console_script and not backtest_chooses"
OCTOBER_2025 = [  # "Add a month of local figures": one row per figure, earlier rows kept
    "ehcp_issued_within_20_weeks_pct,2025-10,47.5,pct,monthly (month of October 2025),95,200,,"
    "KCC SEND update October 2025 (guide),https://democracy.kent.gov.uk/guide-2025-10,",
    "send_vacancies,2025-10,31,count,snapshot (month of October 2025),,,,"
    "KCC SEND update October 2025 (guide),https://democracy.kent.gov.uk/guide-2025-10,",
]
ESSEX = [  # a new area's feed, started from template.csv
    "ehcp_issued_within_20_weeks_pct,2025-09,52.1,pct,monthly (month of September 2025),,,,"
    "Essex County Council SEND dashboard (guide),https://www.essex.gov.uk/guide-2025-09,",
    "send_vacancies,2025-09,12,count,snapshot (end of September 2025),,,,"
    "Essex County Council SEND dashboard (guide),https://www.essex.gov.uk/guide-2025-09,",
]


#: What a copy leaves out when the project is not a git checkout (then everything else is copied).
UNTRACKED = shutil.ignore_patterns(".git", ".venv", "cache", "reports", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info")


def _copy_project(target: Path) -> Path:
    """The project's tracked files (and new ones not ignored), as a fresh clone would have them."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=PROJECT_ROOT,
                             capture_output=True, check=False)
    if listing.returncode:  # not a git checkout: everything but the environment, caches and reports
        shutil.copytree(PROJECT_ROOT, target, ignore=UNTRACKED, dirs_exist_ok=True)
        return target
    for name in filter(None, listing.stdout.decode().split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():  # a file deleted in the working tree is not in the copy
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _environment(copy: Path, cache: Path) -> dict[str, str]:
    """The copy's environment: its own src first, none of this run's settings but its cache folder, shared (as
    test_release_growth.py shares it): every cache file is named by the SHA-256 of what it was built from and by the
    package's code (the copy's is the same), written atomically and verified before it is read, so the copy reads
    nothing it would not have built, and does not parse every spreadsheet again cold. Outside a test run, ``cache``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEND_REVIEW_", "PYTEST_", "COV_"))}
    shared = os.environ.get(CACHE_ENV)
    env.update(PYTHONPATH=str(copy / "src"), SEND_REVIEW_CACHE_DIR=shared or str(cache), **{GUIDES_COPY: "1"},
               **({SHARED_CACHE_ENV: "1"} if shared else {}))
    return env


def _append(path: Path, rows: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + "\n".join(rows) + "\n", encoding="utf-8")


def _readme_example_measure(readme: str) -> tuple[str, str]:
    """The catalogue row "Add a council measure" gives as its example: (name, the whole row)."""
    guide = readme[readme.index("### Add a council measure"):readme.index("### Change or add a target")]
    row = re.search(r"e\.g\.\s+`([a-z][a-z0-9_]*,[^`]+)`", guide)[1]
    return row.split(",", 1)[0], row


def _change_and_add_targets(path: Path, measure: str) -> None:
    """ "Change or add a target": a later date and higher value for one row, and a new row on the new measure."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    changed = next(r for r in rows if r["target_id"] == "kpi_2025_20_weeks_60")
    changed.update(target_value="65", target_date="2026-12-31", date_basis="stated: 2026 KPI target (guide)")
    rows.append({**{k: "" for k in rows[0]}, "target_id": "median_wait_30_weeks", "area": "886", "measure": measure,
                 "series": "council", "baseline_value": "41", "baseline_date": "2025-09-30",
                 "baseline_source": "local/kent.csv (guide)", "target_value": "30", "target_date": "2026-09-30",
                 "date_basis": "stated: by September 2026 (guide)", "source_title": "KCC SEND update (guide)",
                 "source_url": "https://democracy.kent.gov.uk/guide-targets", "quote": "a median wait of 30 weeks"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def guided_copy(tmp_path_factory):
    """A copy of the project in which every guide has been followed; each guide's own command's result."""
    copy = _copy_project(tmp_path_factory.mktemp("project"))
    env = _environment(copy, tmp_path_factory.mktemp("cache"))

    def send_review(*args):
        return subprocess.run([sys.executable, "-m", "analysis_helpers.cli", *args], cwd=copy, env=env, capture_output=True,
                              text=True, timeout=300, check=False)

    local = copy / "data" / "local"
    shipped = send_review("validate", "data/local/kent.csv")  # the feed as shipped, before any guide
    _append(local / "kent.csv", OCTOBER_2025)  # Add a month of local figures
    month = send_review("validate", "data/local/kent.csv")
    name, row = _readme_example_measure((copy / "README.md").read_text(encoding="utf-8"))  # Add a council measure
    _append(local / "measures.csv", [row])
    _append(local / "kent.csv", [
        f"{name},{period},{value},weeks,snapshot (median at the end of the month),,,,KCC SEND update (guide),"
        f"https://democracy.kent.gov.uk/guide-{period},"
        for period, value in (("2025-08", 44), ("2025-09", 41))
    ])
    measure = send_review("validate", "data/local/kent.csv")
    _change_and_add_targets(copy / "data" / "targets.csv", name)  # Change or add a target
    target = send_review("project", "--area", "Kent", "--measure", name, "--as-of", "2025-10-31")
    shutil.copyfile(local / "template.csv", local / "essex.csv")  # a new area's feed, from the template
    _append(local / "essex.csv", ESSEX)
    area = send_review("validate", "data/local/essex.csv")
    release = _add_the_next_release(copy)  # Add the next DfE release
    default = subprocess.run([sys.executable, "-c", DEFAULT_PROBE], cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    kpis = send_review("kpis", "--area", "Kent", "--measure", "ehcp_issued_within_20_weeks_pct", "--release", release,
                       "--format", "csv")
    return copy, env, {"shipped": shipped, "month": month, "measure": measure, "target": target, "area": area,
                       "release": kpis, "default": default}, name


def _add_the_next_release(copy: Path) -> str:
    """ "Add the next DfE release", with a renamed copy of the 2025 zip standing in for the 2026 release: copied into
    data/raw, its row and release line in the data log; no code is edited (the data log's dates choose the default)."""
    raw = copy / "data" / "raw"
    shutil.copyfile(raw / "education-health-and-care-plans_2025.zip", raw / NEXT_RELEASE)
    sha = hashlib.sha256((raw / NEXT_RELEASE).read_bytes()).hexdigest()
    log = copy / "data" / "README.md"
    text = log.read_text(encoding="utf-8")
    row = (f"| `raw/{NEXT_RELEASE}` | SEN2 \"Education, health and care plans\", reporting year 2026 (guide) | "
           f"Department for Education, explore-education-statistics | 2026 | OGL v3.0 | `{sha}` |\n")
    text = text.replace("| `raw/education-health-and-care-plans_2022.zip`", row + "| `raw/education-health-and-care-plans_2022.zip`", 1)
    text = text.replace("- release: education-health-and-care-plans_2025.zip published: 2025-07-01",
                        f"- release: {NEXT_RELEASE} published: 2026-07-02\n"
                        "- release: education-health-and-care-plans_2025.zip published: 2025-07-01", 1)
    log.write_text(text, encoding="utf-8")
    return f"data/raw/{NEXT_RELEASE}"


#: Which release the copy uses by default on a data date after the stand-in's publication, and on one before it.
DEFAULT_PROBE = ("import datetime as dt; from analysis_helpers.data.provenance import default_release; "
                 "print(default_release(dt.date(2026, 9, 30)).name, default_release(dt.date(2026, 6, 30)).name)")


@pytest.mark.skipif(bool(os.environ.get(GUIDES_COPY)), reason="already inside a guided copy")
def test_each_guide_works_as_written_in_the_copy(guided_copy):
    copy, _, results, name = guided_copy
    imported = subprocess.run([sys.executable, "-c", "import analysis_helpers; print(analysis_helpers.__file__)"],
                              env=guided_copy[1], capture_output=True, text=True, check=True).stdout.strip()
    assert Path(imported).is_relative_to(copy)  # the copy's code, not this checkout's
    for guide in ("month", "measure", "area"):
        assert results[guide].returncode == 0 and "0 problem(s)" in results[guide].stdout, (guide, results[guide].stderr)
    shipped = int(re.search(r"kent\.csv: (\d+) figures read, 0 problem", results["shipped"].stdout)[1])
    assert f"kent.csv: {shipped + 4} figures read, 0 problem(s)" in results["measure"].stdout  # 2 for October, 2 of the new measure
    projected = results["target"]
    assert projected.returncode == 0, projected.stderr
    release = results["release"]
    assert release.returncode == 0, release.stderr
    kent_2024 = next(row for row in csv.DictReader(io.StringIO(release.stdout)) if row["period"] == "2024")
    assert (kent_2024["numerator"], kent_2024["denominator"]) == ("784", "2424")  # the stand-in holds 2025's figures
    # with no code edited, the stand-in is the default from its publication date (2 July 2026), the 2025 release before it
    default = results["default"]
    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == [NEXT_RELEASE, "education-health-and-care-plans_2025.zip"]
    assert "target_id: median_wait_30_weeks" in projected.stdout and f"measure: {name}" in projected.stdout


@pytest.mark.skipif(bool(os.environ.get(GUIDES_COPY)), reason="already inside a guided copy")
def test_following_every_guide_keeps_the_tests_green(guided_copy):
    copy, env, _, _ = guided_copy
    selected = [str(copy / "tests" / name) for name in DATA_DEPENDENT if (copy / "tests" / name).exists()]
    run = subprocess.run([sys.executable, "-m", "pytest", *selected, "-q", "-n", "0", "-p", "no:randomly", "-p", "no:cacheprovider",
                          "-m", "not slow", "-k", NOT_DATA],
                         cwd=copy, env=env, capture_output=True, text=True, timeout=900, check=False)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:]
    assert run.returncode == 0, f"the copy's tests failed after following the guides: {summary}\n{run.stdout[-6000:]}"
    assert re.search(r"\d+ passed", summary) and "failed" not in summary
