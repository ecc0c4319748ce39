"""Every path the project uses, as constants off the project root.

Nothing in the package depends on the current working directory: import the
constant you need from here.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]

DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
LOCAL_DIR = DATA_DIR / "local"
CACHE_DIR = DATA_DIR / "cache"
DATA_LOG = DATA_DIR / "README.md"

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
DOCS_DIR = PROJECT_ROOT / "docs"

#: The DfE "Education, health and care plans" release the workbook ships with.
DEFAULT_RELEASE = RAW_DIR / "education-health-and-care-plans_2025.zip"
#: The 2022 release in the older aggregate schema (long timeliness history).
HISTORIC_RELEASE = RAW_DIR / "education-health-and-care-plans_2022.zip"

#: DfE children's services statistical neighbour lists, by vintage.
NEIGHBOUR_FILES = {
    "2021": RAW_DIR / "sn_april_2021.xlsx",
    "2025": RAW_DIR / "sn_may_2025.xlsx",
}
LA_CODE_LIST = RAW_DIR / "la_code_list.xlsx"

#: Published targets (derived from raw/targets.csv with baselines traced to rows).
TARGETS_FILE = DATA_DIR / "targets.csv"

BASELINES_NOTEBOOK = NOTEBOOKS_DIR / "01_baselines.ipynb"
TRAJECTORIES_NOTEBOOK = NOTEBOOKS_DIR / "02_trajectories.ipynb"
REVIEW_NOTEBOOK = NOTEBOOKS_DIR / "03_quarterly_review.ipynb"

#: DfE's Dedicated Schools Grant cumulative balance as % of income, by LA.
DSG_DEFICIT_FILE = RAW_DIR / "dsg_deficit_derived.xlsx"
