"""A release with one more year breaks no unit test.

The real release is copied with every 2024 / 202425 row repeated as 2025 /
202526 (only ``time_period`` changed), written as a new zip with its own
checksum list, and made the default release (``SEND_REVIEW_DEFAULT_RELEASE``,
``SEND_REVIEW_CHECKSUM_LISTS``: the same checks as any release). The unit tests
that can reach the default release then run in a subprocess; they must all pass,
because none may depend on the last year of the shipped release. A function below
the command line takes the release it reads (none opens one by default: see
test_state.py), so only a test that opens the default release itself, runs the
command line or checks a notebook's parameters can reach it (:data:`REACHES_DEFAULT`
finds them by what they call); the others read the release they name, and would
pass here as they do in the main run. (End-to-end tests, which pin the shipped
release's figures, notebook runs and the static architecture checks are not
part of it.) Marked slow.
"""

import hashlib
import os
import re
import subprocess
import sys

import pytest
from frozen import SHARED_CACHE_ENV
from helpers import grow_release

from analysis_helpers.core.paths import CACHE_ENV, DEFAULT_RELEASE_ENV, PROJECT_ROOT, RAW_DIR
from analysis_helpers.data.provenance import CHECKSUM_LISTS_ENV

SHIPPED = RAW_DIR / "education-health-and-care-plans_2025.zip"
GROWN = "education-health-and-care-plans_2026.zip"
#: The shipped release's publication date: what changes is the data (one more year), not the vintage.
PUBLISHED = "2025-07-01"
#: Not run on the grown release: notebook runs, this test, and the static checks of the
#: package's shape (test_architecture.py reads no data; the main run has it).
NOT_UNIT_TESTS = {"test_notebooks.py", "test_release_growth.py", "test_architecture.py"}
#: What a test calls to reach the default release: opening it, the command line, a notebook's parameter check, a run.
REACHES_DEFAULT = re.compile(r"open_release\(\)|default_release|main\(\[|run_cli|\"send-review\"|validate\(|run_report|"
                             r"run_quarterly|resolve_run_parameters|SHIPPED_RELEASE|DEFAULT_RELEASE")
PROBE = """
from analysis_helpers.data.provenance import default_release
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.kpis import kpi_table
release = open_release()
table = kpi_table(release)
kent = table[(table["area_name"] == "Kent") & (table["measure"] == "ehcp_issued_within_20_weeks_pct")]
print(default_release().name, release.published, ",".join(kent["period"]))
"""


@pytest.fixture(scope="module")
def grown_environment(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grown")
    grown = grow_release(SHIPPED, folder / GROWN)
    sha = hashlib.sha256(grown.read_bytes()).hexdigest()
    (folder / "README.md").write_text(
        f"| `{GROWN}` | {SHIPPED.name} with its 2024 and 202425 rows repeated as 2025 and 202526 | `{sha}` |\n\n"
        f"- release: {GROWN} published: {PUBLISHED}\n"
    )
    return {
        **os.environ,
        DEFAULT_RELEASE_ENV: str(grown),
        CHECKSUM_LISTS_ENV: str(folder / "README.md"),
        # the parent run's cache folder, shared (conftest.SHARED_CACHE_ENV): the grown release's own tables are named by
        # its SHA-256, so nothing built from the shipped release is read for it, and the spreadsheets are not re-read
        CACHE_ENV: os.environ.get(CACHE_ENV) or str(folder / "cache"),
        SHARED_CACHE_ENV: "1",
    }


def test_the_grown_release_is_the_default_in_the_subprocess(grown_environment):
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, env=grown_environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == [GROWN, PUBLISHED, "2019,2020,2021,2022,2023,2024,2025"]


def test_a_changed_grown_release_is_refused(grown_environment, tmp_path):
    grown = grown_environment[DEFAULT_RELEASE_ENV]
    with open(grown, "ab") as handle:  # the list no longer matches: the run must stop
        handle.write(b"tampered")
    try:
        result = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, env=grown_environment,
                                capture_output=True, text=True, timeout=300)
    finally:
        with open(grown, "r+b") as handle:
            handle.truncate(os.path.getsize(grown) - len(b"tampered"))
    assert result.returncode != 0 and "ChecksumError" in result.stderr


@pytest.mark.slow
def test_unit_tests_pass_on_a_release_with_one_more_year(grown_environment):
    unit_tests = sorted(p.name for p in (PROJECT_ROOT / "tests").glob("test_*.py")
                        if p.name not in NOT_UNIT_TESTS and REACHES_DEFAULT.search(p.read_text(encoding="utf-8")))
    assert {"test_cli.py", "test_parameters.py", "test_area_facts.py"} <= set(unit_tests) and len(unit_tests) > 15
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(f"tests/{name}" for name in unit_tests)],
        cwd=PROJECT_ROOT, env=grown_environment, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
