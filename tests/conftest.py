"""pytest set-up: shared helpers live in helpers.py (tests import them by name).

* The fixture releases in ``tests/fixtures/`` are verified against their
  checksum list (``tests/fixtures/README.md``), registered here; they are not
  in the data log.
* Caches (parsed release files, backtests) go to a temporary folder for the
  whole run (``SEND_REVIEW_CACHE_DIR``), so a test run never writes into
  ``data/cache`` of the working tree. It is set when pytest starts, before any
  collector runs: nbval starts the notebooks' kernels while collecting, and
  they, papermill runs and subprocesses inherit the setting. ``make test`` runs
  test files on every core (pytest-xdist, ``--dist loadfile``: a module's
  fixtures are built once); its workers inherit the controller's folder and
  share it (cache files are written atomically), and the controller removes it.
  A pytest run a test starts in a subprocess shares it too (``SHARED_CACHE_ENV``).
* The files an analyst edits are never read by a test: the council feeds
  (``SEND_REVIEW_LOCAL_DIR``), the council-measures catalogue
  (``SEND_REVIEW_COUNCIL_MEASURES``) and the targets file
  (``SEND_REVIEW_TARGETS``) point at frozen copies in ``tests/fixtures/data/``
  (``frozen.py``),
  and the default release (``SEND_REVIEW_DEFAULT_RELEASE``) is the 2025 release
  by name unless the run names one itself (``test_release_growth.py`` runs the
  unit tests on a release with one more year), so a month, measure or target
  added to ``data/``, or a newer default release in ``core/paths.py``, changes
  no expected number. They are set as this file is imported,
  before the package is (``DEFAULT_RELEASE`` is read at import), and kernels,
  papermill runs and subprocesses inherit them.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from frozen import DEFAULT_RELEASE_SETTING, SETTINGS, SHARED_CACHE_ENV  # noqa: E402  (imports nothing from the package)

_settings_before = {name: os.environ.get(name) for name in SETTINGS}
os.environ.update({name: str(path) for name, path in SETTINGS.items() if name != DEFAULT_RELEASE_SETTING})
os.environ.setdefault(DEFAULT_RELEASE_SETTING, str(SETTINGS[DEFAULT_RELEASE_SETTING]))

from helpers import (  # noqa: E402,F401  (fixtures)
    FIXTURE_LIST,
    historic,
    historic_release,
    release,
    release_copy,
    release_fixture_history,
)

from analysis_helpers.core.paths import CACHE_ENV  # noqa: E402
from analysis_helpers.data.provenance import register_checksum_list  # noqa: E402

register_checksum_list(FIXTURE_LIST)

_cache = {"folder": None, "before": None}

#: The longest files (each several minutes on one core, measured with --durations), started before the other slow ones.
LONGEST_FIRST = ("test_release_growth.py", "test_guides_keep_tests_green.py")


def pytest_configure(config):
    """Point every cache of this run at a new temporary folder (an xdist worker shares its controller's)."""
    _cache["before"] = os.environ.get(CACHE_ENV)
    if (os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get(SHARED_CACHE_ENV)) and _cache["before"]:
        _cache["folder"], _cache["shared"] = _cache["before"], True  # made, and removed, by the controller
        return
    _cache["folder"] = tempfile.mkdtemp(prefix="send-review-test-cache-")
    os.environ[CACHE_ENV] = _cache["folder"]


def pytest_collection_modifyitems(session, config, items):
    """Files holding a slow test run first: with ``--dist loadfile`` a worker takes a file as a whole, so a file of
    several minutes started last (test_release_growth.py sorts late) would leave the other worker idle at the end."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}

    def rank(item) -> int:
        if item.path.name in LONGEST_FIRST:
            return LONGEST_FIRST.index(item.path.name)
        return len(LONGEST_FIRST) + (item.path not in slow_files)

    items.sort(key=rank)  # stable: the order within each group is kept


def pytest_unconfigure(config):
    """Remove the run's cache folder and restore the settings."""
    for name, before in _settings_before.items():
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
    if _cache["folder"] and not _cache.get("shared"):
        shutil.rmtree(_cache["folder"], ignore_errors=True)
    if _cache["before"] is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = _cache["before"]


@pytest.fixture(scope="session")
def test_cache_dir() -> Path:
    """This run's cache folder."""
    return Path(_cache["folder"])
