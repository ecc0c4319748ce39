"""Every path the project uses, as constants off the project root.

Nothing in the package depends on the current working directory: import the
constant you need from here. These settings can be changed from the environment
(a relative path is taken from the project root):

* ``SEND_REVIEW_DEFAULT_RELEASE`` — the release used when none is named
  (default: the newest release the data log dates on or before the data date,
  :func:`analysis_helpers.data.provenance.default_release`). It is
  checked like any release: a file under ``data/raw`` must be in the data log,
  a file elsewhere in a registered checksum list (see
  :mod:`analysis_helpers.data.provenance`) or it is read as it is.
* ``SEND_REVIEW_CACHE_DIR`` — where parsed files and backtests are cached
  (default ``data/cache``); read on every use by :func:`cache_dir`.
* ``SEND_REVIEW_COUNCIL_MEASURES`` — the council-measures catalogue (default
  ``data/local/measures.csv``); read on every use by :func:`council_measures_file`.
* ``SEND_REVIEW_AREA_FACTS`` — the folder holding ``area_notes.csv``,
  ``milestones.csv`` and ``council_hosts.csv`` (default ``data/``); read on every
  use by :func:`area_facts_dir` (a test points a run's kernels at copies).
* ``SEND_REVIEW_LOCAL_DIR`` — the folder of councils' feeds (default
  ``data/local``); read on every use by :func:`local_dir`.
* ``SEND_REVIEW_TARGETS`` — the targets file (default ``data/targets.csv``);
  read on every use by :func:`targets_file`.

* ``SEND_REVIEW_DATA_LOG`` — the data log (default ``data/README.md``); read on
  every use by :func:`data_log_file`.
* ``SEND_REVIEW_OUTLOOK_ASSUMPTIONS`` — the high-needs outlook's assumptions
  (default ``data/outlook_assumptions.csv``); read on every use by
  :func:`outlook_assumptions_file`.
* ``SEND_REVIEW_SCENARIOS`` — the folder of high-needs scenario files each LA's
  review shows (default ``data/scenarios``); read on every use by
  :func:`scenarios_dir`.

The test suite sets all but the area facts (``tests/conftest.py``), so tests read
frozen copies under ``tests/fixtures/`` and never the files an analyst edits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]

DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
LOCAL_DIR = DATA_DIR / "local"

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"

CACHE_ENV = "SEND_REVIEW_CACHE_DIR"
COUNCIL_MEASURES_ENV = "SEND_REVIEW_COUNCIL_MEASURES"
DEFAULT_RELEASE_ENV = "SEND_REVIEW_DEFAULT_RELEASE"
LOCAL_DIR_ENV = "SEND_REVIEW_LOCAL_DIR"
TARGETS_ENV = "SEND_REVIEW_TARGETS"
AREA_FACTS_ENV = "SEND_REVIEW_AREA_FACTS"
DATA_LOG_ENV = "SEND_REVIEW_DATA_LOG"
OUTLOOK_ASSUMPTIONS_ENV = "SEND_REVIEW_OUTLOOK_ASSUMPTIONS"
SCENARIOS_ENV = "SEND_REVIEW_SCENARIOS"


def from_root(value: str | os.PathLike) -> Path:
    """A path from a setting: absolute as given, relative from the project root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def shown_path(path: str | os.PathLike) -> str:
    """How a path is written for people: from the project root when it is inside it (``data/local/kent.csv``), else as given."""
    resolved = Path(path).resolve()
    return resolved.relative_to(PROJECT_ROOT).as_posix() if resolved.is_relative_to(PROJECT_ROOT) else str(path)


def setting_path(name: str, default: Path) -> Path:
    """The path the environment variable ``name`` gives (from the project root when relative), read now; else ``default``."""
    setting = os.environ.get(name)
    return from_root(setting) if setting else default


@dataclass(frozen=True)
class Setting:
    """A path an analyst (or a test) may move with an environment variable: called, it reads the variable now."""

    env: str
    default: Path

    def __call__(self) -> Path:
        return setting_path(self.env, self.default)


# Each setting with its default, written once; the defaults are also importable by name (the shipped files).
#: Where parsed release files and backtests are cached: ``$SEND_REVIEW_CACHE_DIR``, else ``data/cache``.
cache_dir = Setting(CACHE_ENV, DATA_DIR / "cache")
#: The catalogue of measures councils publish (one row a measure; analysts add rows):
#: ``$SEND_REVIEW_COUNCIL_MEASURES``, else ``data/local/measures.csv``.
council_measures_file = Setting(COUNCIL_MEASURES_ENV, LOCAL_DIR / "measures.csv")
#: The folder of councils' own feeds: ``$SEND_REVIEW_LOCAL_DIR``, else ``data/local``.
local_dir = Setting(LOCAL_DIR_ENV, LOCAL_DIR)
#: Published targets (baselines traced to raw rows): ``$SEND_REVIEW_TARGETS``, else ``data/targets.csv``.
targets_file = Setting(TARGETS_ENV, DATA_DIR / "targets.csv")
#: The data log (raw files' SHA-256 and releases' publication dates): ``$SEND_REVIEW_DATA_LOG``, else ``data/README.md``.
data_log_file = Setting(DATA_LOG_ENV, DATA_DIR / "README.md")
#: The folder of the area-fact files: ``$SEND_REVIEW_AREA_FACTS``, else ``data/``.
area_facts_dir = Setting(AREA_FACTS_ENV, DATA_DIR)
#: The high-needs outlook's assumptions (cost and income growth, with sources and ranges):
#: ``$SEND_REVIEW_OUTLOOK_ASSUMPTIONS``, else ``data/outlook_assumptions.csv``.
outlook_assumptions_file = Setting(OUTLOOK_ASSUMPTIONS_ENV, DATA_DIR / "outlook_assumptions.csv")
#: The high-needs scenario files (``*.csv``) each LA's review shows beside the baseline:
#: ``$SEND_REVIEW_SCENARIOS``, else ``data/scenarios``.
scenarios_dir = Setting(SCENARIOS_ENV, DATA_DIR / "scenarios")
DEFAULT_CACHE_DIR, COUNCIL_MEASURES_FILE, TARGETS_FILE, DATA_LOG = (
    s.default for s in (cache_dir, council_measures_file, targets_file, data_log_file))




def default_release_setting() -> Path | None:
    """``$SEND_REVIEW_DEFAULT_RELEASE`` (from the project root), or None: the data log then chooses
    (:func:`analysis_helpers.data.provenance.default_release`)."""
    value = os.environ.get(DEFAULT_RELEASE_ENV, "").strip()
    return from_root(value) if value else None


#: The 2022 release in the older aggregate schema (long timeliness history).
HISTORIC_RELEASE = RAW_DIR / "education-health-and-care-plans_2022.zip"

#: DfE children's services statistical neighbour lists, by vintage.
NEIGHBOUR_FILES = {
    "2021": RAW_DIR / "sn_april_2021.xlsx",
    "2025": RAW_DIR / "sn_may_2025.xlsx",
}


BASELINES_NOTEBOOK = NOTEBOOKS_DIR / "01_baselines.ipynb"
TRAJECTORIES_NOTEBOOK = NOTEBOOKS_DIR / "02_trajectories.ipynb"
REVIEW_NOTEBOOK = NOTEBOOKS_DIR / "03_quarterly_review.ipynb"
HIGH_NEEDS_NOTEBOOK = NOTEBOOKS_DIR / "04_high_needs.ipynb"

#: DfE's Dedicated Schools Grant cumulative balance as % of income, by LA.
DSG_DEFICIT_FILE = RAW_DIR / "dsg_deficit_derived.xlsx"
#: Ofsted's area SEND inspections and revisits to 31 August 2022 (2016 framework), every local area.
OFSTED_INSPECTIONS_FILE = RAW_DIR / "Area_SEND_inspection_data_01_May_2016_to_31_August_2022.ods"
#: Ofsted's area SEND inspections under the 2023 framework published in winter 2022/23.
OFSTED_2023_FRAMEWORK_FILE = RAW_DIR / "mi_ofsted_winter_2223.csv"
#: DfE's high-needs benchmarking data for 2021-22, every LA: 2-18 population, EHC plans by placement, spend by line.
HIGH_NEEDS_BENCHMARKING_FILE = RAW_DIR / "Outturn data 202122.xlsx"
#: DfE's Dedicated Schools Grant allocations, one file a financial year, 2020-21 to 2023-24 (each file's year is
#: read from its own title, not from this list or the file's name).
DSG_ALLOCATION_FILES = tuple(
    RAW_DIR / f"dedicated-schools-grant_{dated}.ods" for dated in ("2021_11_18", "2022_07_18", "2023_07_20", "2024_07_20")
)
