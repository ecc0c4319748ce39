"""What one review run is about: the area, the quarter, the data date and the inputs, resolved once.

:class:`RunContext` is built by the notebooks' parameter check
(:func:`analysis_helpers.pipeline.parameters.validate`) and handed to every
section of the review (``reporting``), which reads the run's release, area and
data date from it and nowhere else. It lives here, below ``reporting`` and
``pipeline``, so both can name its type. :class:`Quarter` is the calendar
quarter under review.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.paths import targets_file as default_targets_file
from analysis_helpers.core.vintage import public_by
from analysis_helpers.data.inputs import feed_file, files_read
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area, Areas

_QUARTER = re.compile(r"^(?P<year>\d{4})-Q(?P<q>[1-4])$")


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter: ``2024-Q4`` is October–December 2024."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match(str(text).strip())
        if not match:
            raise ParameterError(f"quarter must look like 2024-Q4 (a year, '-Q' and 1-4), got {text!r}")
        return cls(int(match["year"]), int(match["q"]))

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.number == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.number + 1, 1) - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


@dataclass(frozen=True)
class RunContext:
    """Validated parameters and the objects derived from them: one area, resolved once, and the release opened once."""

    area: Area
    areas: Areas
    release: Release
    neighbours: str
    as_of: dt.date
    local: Path | None = None
    feed: pd.DataFrame | None = None  # the area's validated local feed (empty if none)
    quarter: Quarter | None = None
    targets: Path = field(default_factory=default_targets_file)
    report_dir: Path | None = None  # where the HTML page is written; None = read in JupyterLab from notebooks/
    details: bool = True  # the review links the detailed reports

    @property
    def region(self) -> Area | None:
        return self.areas.region_of(self.area)

    @property
    def files_read(self) -> list[Path]:
        """The files this run reads (release, history, neighbours, DSG, Ofsted's inspections and the high-needs
        outlook's files for an LA, feed, catalogue, targets, area facts, data log)."""
        return files_read(self.release.path, self.neighbours, feed_file(self.area.slug, self.local), self.targets,
                          inspections=self.area.level == LOCAL_AUTHORITY, as_of=self.as_of)

    @property
    def dfe_published(self) -> bool:
        """Was the DfE release public by ``as_of``? (If not, a report leaves its figures out.)"""
        return public_by(self.release.published, self.as_of)
