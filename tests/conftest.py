"""pytest set-up: shared helpers live in helpers.py (tests import them by name).

* The fixture releases in ``tests/fixtures/`` are verified against their
  checksum list (``tests/fixtures/README.md``), registered here; they are not
  in the data log.
* Caches (parsed release files, backtests) go to a temporary folder for the
  whole run (``SEND_REVIEW_CACHE_DIR``), so a test run never writes into
  ``data/cache`` of the working tree; notebook kernels and subprocesses
  inherit the setting.
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import (  # noqa: E402,F401  (fixtures)
    FIXTURE_LIST,
    fixture_history_default,
    historic,
    historic_release,
    release,
    release_copy,
)

from analysis_helpers.core.paths import CACHE_ENV  # noqa: E402
from analysis_helpers.data.provenance import register_checksum_list  # noqa: E402

register_checksum_list(FIXTURE_LIST)


@pytest.fixture(scope="session", autouse=True)
def test_cache_dir(tmp_path_factory):
    """Every cache of this run in a session temporary folder (restored afterwards)."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before
