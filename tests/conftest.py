"""pytest set-up: shared helpers live in helpers.py (tests import them by name)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from helpers import historic_release, release_copy  # noqa: E402,F401  (fixtures)
