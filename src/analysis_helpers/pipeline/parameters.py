"""Validate notebook parameters, with messages an analyst can act on.

Each notebook has one ``parameters`` cell of literal defaults; the next cell
calls :func:`validate` and works only with what it returns, so a bad value stops
the run at once with a one-line explanation instead of failing somewhere deep
in a chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.paths import DEFAULT_RELEASE, PROJECT_ROOT, TARGETS_FILE
from analysis_helpers.data.neighbours import check_vintage
from analysis_helpers.data.release import Release, open_release
from analysis_helpers.domain.areas import Area, Areas
from analysis_helpers.domain.kpis import areas_for


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

    @property
    def region(self) -> Area | None:
        return self.areas.region_of(self.area)

    @property
    def dfe_published(self) -> bool:
        """Was the DfE release public by ``as_of``? (If not, a report leaves its figures out.)"""
        return self.release.published is None or self.release.published <= self.as_of


def validate(
    area: str, neighbours: str = "2025", as_of: str = "", release: str = "", today: dt.date | None = None, local: str = ""
) -> RunContext:
    """Check notebook parameters and resolve them.

    Parameters
    ----------
    area : str
        Name, LA number or GSS code of an LA, region or ``England``.
    neighbours : str
        Statistical neighbour list: ``"2025"`` (default) or ``"2021"``.
    as_of : str
        ``YYYY-MM-DD``; empty means today. Must not be in the future.
    release : str
        Path to a DfE release zip or folder (relative to the project root, or
        absolute); empty means the embedded release.

    Raises
    ------
    ParameterError, UnknownAreaError, DataValidationError
        With a one-line message naming the parameter and what was expected.
    """
    today = today or dt.date.today()
    if not isinstance(area, str) or not area.strip():
        raise ParameterError("area must be the name, LA number or GSS code of an area, e.g. 'Kent' or '886'")
    vintage = check_vintage(neighbours)
    if as_of:
        try:
            day = dt.date.fromisoformat(str(as_of))
        except ValueError:
            raise ParameterError(f"as_of must be a date written YYYY-MM-DD, got {as_of!r}") from None
        if day > today:
            raise ParameterError(f"as_of {day} is after today ({today}); use a date on or before today")
    else:
        day = today
    release_path = Path(release) if release else DEFAULT_RELEASE
    if not release_path.is_absolute():
        release_path = PROJECT_ROOT / release_path
    opened = open_release(release_path)
    areas = areas_for(opened)
    found = areas.get(area)
    from analysis_helpers.core.paths import LOCAL_DIR
    from analysis_helpers.data.local_feed import area_feed

    local_path = Path(local) if local else LOCAL_DIR
    if not local_path.is_absolute():
        local_path = PROJECT_ROOT / local_path
    feed = area_feed(found.slug, local_path)  # a broken feed stops here with the validator's message
    return RunContext(area=found, areas=areas, release=opened, neighbours=vintage, as_of=day, local=local_path, feed=feed)


def validate_targets_file(targets_file: str = "") -> Path:
    """Resolve the ``targets_file`` parameter (empty: ``data/targets.csv``) and check it reads."""
    from analysis_helpers.domain.targets import read_targets

    path = Path(targets_file) if targets_file else TARGETS_FILE
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    if not path.exists():
        raise ParameterError(f"targets_file {targets_file!r} not found (expected a CSV like data/targets.csv)")
    read_targets(path)  # a bad row stops here with its one-line message
    return path


def validate_quarter(quarter: str, as_of: str = "", today: dt.date | None = None):
    """Resolve the ``quarter`` and ``as_of`` parameters of the quarterly review.

    Returns ``(Quarter, as_of date)``; ``as_of`` defaults to the quarter's end.
    """
    from analysis_helpers.pipeline.quarters import resolve_run_parameters

    return resolve_run_parameters(quarter or None, as_of or None, today)
