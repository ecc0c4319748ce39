"""``python -m analysis_helpers.cli``: the same as ``send-review``."""

import sys

from analysis_helpers.cli import main

sys.exit(main())
