"""The frozen copies the tests read instead of the files an analyst edits.

``data/local/`` (the council feeds and the measures catalogue),
``data/targets.csv`` and the data log ``data/README.md`` change whenever an
analyst follows a README guide; the
tests' expected numbers must not. ``tests/fixtures/data/`` holds copies of
them as they were when the expected values were worked out, and
``conftest.py`` points the package's settings at these copies (and names the
2025 release as the default release) before the package is imported. This
module imports nothing from the package, so ``conftest.py`` can read it first.
"""

from pathlib import Path

TESTS_DIR = Path(__file__).parent
FROZEN_DIR = TESTS_DIR / "fixtures" / "data"
#: The frozen ``data/local/``: Kent's feed and the council-measures catalogue.
FEEDS_DIR = FROZEN_DIR / "local"
KENT_FEED = FEEDS_DIR / "kent.csv"
MEASURES_FILE = FEEDS_DIR / "measures.csv"
#: The frozen ``data/targets.csv``.
TARGETS = FROZEN_DIR / "targets.csv"
#: The frozen ``data/outlook_assumptions.csv`` (the high-needs outlook's cost and income growth).
OUTLOOK_ASSUMPTIONS = FROZEN_DIR / "outlook_assumptions.csv"
#: The frozen ``data/scenarios/`` (the high-needs scenario files the review shows).
SCENARIOS = FROZEN_DIR / "scenarios"
#: The frozen data log (``data/README.md``): adding a release by the README's guide logs it there, and the
#: newest logged release decides when the next is expected, which the tests' pages state.
DATA_LOG = FROZEN_DIR / "data_log.md"
#: The release the tests take as the default, by name (a newer release in data/raw changes no test).
SHIPPED_RELEASE = TESTS_DIR.parent / "data" / "raw" / "education-health-and-care-plans_2025.zip"

#: The setting naming the default release: the tests take the 2025 release unless their run names another.
DEFAULT_RELEASE_SETTING = "SEND_REVIEW_DEFAULT_RELEASE"
#: The package's settings (``analysis_helpers.core.paths``) and what the tests set them to.
SETTINGS = {
    "SEND_REVIEW_LOCAL_DIR": FEEDS_DIR,
    "SEND_REVIEW_COUNCIL_MEASURES": MEASURES_FILE,
    "SEND_REVIEW_TARGETS": TARGETS,
    "SEND_REVIEW_OUTLOOK_ASSUMPTIONS": OUTLOOK_ASSUMPTIONS,
    "SEND_REVIEW_SCENARIOS": SCENARIOS,
    "SEND_REVIEW_DATA_LOG": DATA_LOG,
    DEFAULT_RELEASE_SETTING: SHIPPED_RELEASE,
}

#: Set by a test that runs pytest in a subprocess (test_release_growth.py): the subprocess shares the parent run's
#: cache folder instead of making a cold one. Safe to share: every cache file is named by the SHA-256 of what it was
#: built from and by the package's code, written atomically and verified before it is read.
SHARED_CACHE_ENV = "SEND_REVIEW_TEST_SHARED_CACHE"
