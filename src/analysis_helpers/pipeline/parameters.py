"""Notebook parameters: what each one means, and their validation.

Each notebook has one ``parameters`` cell of literal defaults, one assignment a
line with a trailing comment in papermill's form (``# type: str  meaning``), so
``papermill --help-notebook notebooks/03_quarterly_review.ipynb`` documents
them; :data:`PARAMETERS` holds the same words and :data:`NOTEBOOK_PARAMETERS`
which notebook takes which (``tests/test_notebooks.py`` keeps the cells and
these in step). The cell after the parameters calls :func:`validate` and works
only with what it returns, so a bad value stops the run at once with a one-line
explanation instead of failing somewhere deep in a chart.

**``as_of`` has one meaning everywhere**: the review's *data date*. Only figures
public on or before it are used (:mod:`analysis_helpers.core.vintage`). Blank
means the last day of ``quarter`` (or today, if the quarter has not ended); a
blank ``quarter`` is the last calendar quarter completed on the run date
(``SEND_REVIEW_TODAY`` fixes that date, in a kernel too). ``send-review run``
resolves the same way, so a notebook run by hand with the same ``quarter``
and ``as_of`` as the scheduled report agrees with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.paths import DEFAULT_RELEASE, PROJECT_ROOT, from_root, local_dir
from analysis_helpers.core.paths import targets_file as default_targets_file
from analysis_helpers.core.vintage import public_by
from analysis_helpers.data.feed_names import check_feed_names
from analysis_helpers.data.inputs import feed_file, files_read
from analysis_helpers.data.local_feed import area_feed
from analysis_helpers.data.neighbours import check_vintage
from analysis_helpers.data.release import Release, open_release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area, Areas
from analysis_helpers.domain.kpis import areas_for
from analysis_helpers.domain.targets import read_targets
from analysis_helpers.pipeline.quarters import Quarter, resolve_run_parameters


@dataclass(frozen=True)
class Parameter:
    """One notebook parameter: its type, default and meaning (the cell's comment)."""

    type: type
    default: object
    meaning: str

    def line(self, name: str) -> str:
        """The parameters-cell line: ``name = default  # type: T  meaning`` (papermill skips a line with a second ``=``)."""
        literal = f'"{self.default}"' if isinstance(self.default, str) else repr(self.default)
        return f"{name} = {literal}  # type: {self.type.__name__}  {self.meaning}"


PARAMETERS: dict[str, Parameter] = {
    "area": Parameter(str, "Kent", "English LA, region or England: name, LA number or GSS code (e.g. Essex, 881, E10000012)"),
    "quarter": Parameter(str, "2025-Q3", "calendar quarter under review, YYYY-Qn (2025-Q3: July to September 2025)"),
    "as_of": Parameter(str, "", "data date YYYY-MM-DD: only figures public on or before it are used; blank: the quarter's last day"),
    "neighbours": Parameter(str, "2025", "DfE statistical neighbour list: 2025 or 2021"),
    "release": Parameter(str, "", "DfE release zip or folder (from the project root); blank: the embedded release"),
    "targets_file": Parameter(str, "", "targets CSV (from the project root); blank: data/targets.csv"),
    "local": Parameter(str, "", "council figures: a feed file or a folder of them; blank: data/local/"),
    "details": Parameter(bool, True, "link the detailed baselines and trajectories reports"),
    "report_dir": Parameter(str, "", "folder the HTML page is written to (set by send-review run); blank: read in JupyterLab from notebooks/"),
}

#: The parameters each notebook declares, in the order of its cell.
NOTEBOOK_PARAMETERS: dict[str, tuple[str, ...]] = {
    "01_baselines": ("area", "quarter", "as_of", "neighbours", "release", "local", "report_dir"),
    "02_trajectories": ("area", "quarter", "as_of", "release", "targets_file", "local", "report_dir"),
    "03_quarterly_review": ("area", "quarter", "as_of", "neighbours", "release", "targets_file", "local", "details", "report_dir"),
}


def parameters_cell(notebook: str) -> str:
    """The source of a notebook's parameters cell, as it should read."""
    return "\n".join(PARAMETERS[name].line(name) for name in NOTEBOOK_PARAMETERS[notebook])


@dataclass(frozen=True)
class RunContext:
    """Validated parameters and the objects derived from them."""

    area: Area
    areas: Areas
    release: Release
    neighbours: str
    as_of: dt.date
    local: Path | None = None
    feed: object = None  # the area's validated local feed (a DataFrame; empty if none)
    quarter: Quarter | None = None
    targets: Path = field(default_factory=default_targets_file)
    report_dir: Path | None = None  # where the HTML page is written; None = read in JupyterLab from notebooks/
    details: bool = True  # the review links the detailed reports

    @property
    def region(self) -> Area | None:
        return self.areas.region_of(self.area)

    @property
    def files_read(self) -> list[Path]:
        """The files this run reads (release, history, neighbours, DSG, Ofsted's inspections for an LA, feed, catalogue,
        targets, area facts, data log)."""
        return files_read(self.release.path, self.neighbours, feed_file(self.area.slug, self.local), self.targets,
                          inspections=self.area.level == LOCAL_AUTHORITY)

    @property
    def dfe_published(self) -> bool:
        """Was the DfE release public by ``as_of``? (If not, a report leaves its figures out.)"""
        return public_by(self.release.published, self.as_of)


def resolve_as_of(quarter: str = "", as_of: str = "", today: dt.date | None = None) -> tuple[Quarter, dt.date]:
    """``(quarter, data date)`` from the ``quarter`` and ``as_of`` parameters (see the module docstring).

    Raises
    ------
    ParameterError
        For a malformed quarter or date, an ``as_of`` after today, before the
        quarter starts, or before any logged DfE release was published.
    """
    for name, value in (("quarter", quarter), ("as_of", as_of)):
        if not isinstance(value, str):
            raise ParameterError(f"{name} must be text in quotes, got {value!r}")
    # warn=False: a notebook says stale data on the page; the command line logs it once per run
    return resolve_run_parameters(quarter.strip() or None, as_of.strip() or None, today, warn=False)


def validate(
    area: str,
    neighbours: str = "2025",
    as_of: str = "",
    release: str = "",
    today: dt.date | None = None,
    local: str = "",
    quarter: str = "",
    targets_file: str = "",
    report_dir: str = "",
    details: bool = True,
) -> RunContext:
    """Check notebook parameters and resolve them (meanings: :data:`PARAMETERS`).

    Raises
    ------
    ParameterError, UnknownAreaError, DataValidationError
        With a one-line message naming the parameter and what was expected.
    """
    if not isinstance(area, str) or not area.strip():
        raise ParameterError("area must be the name, LA number or GSS code of an area, e.g. 'Kent' or '886'")
    if not isinstance(details, bool):
        raise ParameterError(f"details must be True or False, got {details!r}")
    vintage = check_vintage(neighbours)
    review_quarter, day = resolve_as_of(quarter, as_of, today)
    opened = open_release(_existing("release", release, DEFAULT_RELEASE, "a DfE release zip or folder"))
    areas = areas_for(opened)
    found = areas.get(area)
    local_path = from_root(local) if local else local_dir()
    if local and not local_path.exists():
        raise ParameterError(f"local {local} does not exist; give an existing feed file (.csv/.xlsx) or folder")
    check_feed_names((a.slug for a in areas), local_path)  # a feed named for no area stops here, in one line
    feed = area_feed(found.slug, local_path)  # a broken feed stops here with the validator's message
    return RunContext(
        area=found, areas=areas, release=opened, neighbours=vintage, as_of=day, local=local_path, feed=feed,
        quarter=review_quarter, targets=validate_targets_file(targets_file), report_dir=from_root(report_dir) if report_dir else None,
        details=details,
    )


def _existing(name: str, value: str, default: Path, what: str) -> Path:
    if not isinstance(value, str):
        raise ParameterError(f"{name} must be a path in quotes, got {value!r}")
    path = from_root(value) if value.strip() else default
    if not path.exists():
        raise ParameterError(f"{name} {value!r} not found (expected {what}, relative to {PROJECT_ROOT} or absolute)")
    return path


def validate_targets_file(targets_file: str = "") -> Path:
    """Resolve the ``targets_file`` parameter (empty: ``data/targets.csv``) and check it reads."""
    path = _existing("targets_file", targets_file, default_targets_file(), "a CSV like data/targets.csv")
    read_targets(path)  # a bad row stops here with its one-line message
    return path

