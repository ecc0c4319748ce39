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
from dataclasses import dataclass
from pathlib import Path

from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.paths import PROJECT_ROOT, from_root, local_dir
from analysis_helpers.core.paths import targets_file as default_targets_file
from analysis_helpers.data.feed_names import check_feed_names
from analysis_helpers.data.local_feed import area_feed
from analysis_helpers.data.neighbours import check_vintage
from analysis_helpers.data.provenance import default_release
from analysis_helpers.domain.run_context import Quarter, RunContext
from analysis_helpers.domain.targets import read_targets
from analysis_helpers.pipeline.kept_releases import kept_release
from analysis_helpers.pipeline.review_dates import resolve_run_parameters


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
    "details": Parameter(bool, True, "link the detailed reports (baselines, trajectories, high-needs outlook)"),
    "report_dir": Parameter(str, "", "folder the HTML page is written to (set by send-review run); "
                                     "blank: read in JupyterLab from notebooks/"),
}

#: The parameters each notebook declares, in the order of its cell.
NOTEBOOK_PARAMETERS: dict[str, tuple[str, ...]] = {
    "01_baselines": ("area", "quarter", "as_of", "neighbours", "release", "local", "report_dir"),
    "02_trajectories": ("area", "quarter", "as_of", "release", "targets_file", "local", "report_dir"),
    "03_quarterly_review": ("area", "quarter", "as_of", "neighbours", "release", "targets_file", "local", "details", "report_dir"),
    "04_high_needs": ("area", "quarter", "as_of", "release", "targets_file", "local", "report_dir"),
}


def parameters_cell(notebook: str) -> str:
    """The source of a notebook's parameters cell, as it should read."""
    return "\n".join(PARAMETERS[name].line(name) for name in NOTEBOOK_PARAMETERS[notebook])


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
    # a kernel lent again (the pack's next notebook, a batch's next area) gets the release it opened last, checked
    # again (kept_releases): the KPI table, histories and panels derived from it are not built again
    opened = kept_release(_existing("release", release, default_release(day), "a DfE release zip or folder"), day)
    areas = opened.areas
    found = areas.get(area)
    local_path = from_root(local) if local else local_dir()
    if local and not local_path.exists():
        raise ParameterError(f"local {local} does not exist; give an existing feed file (.csv/.xlsx) or folder")
    check_feed_names((a.slug for a in areas), local_path)  # a feed named for no area stops here, in one line
    feed = area_feed(found.slug, local_path)  # a broken feed stops here with the validator's message
    return RunContext(
        area=found, areas=areas, release=opened.release, neighbours=vintage, as_of=day, local=local_path, feed=feed,
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

