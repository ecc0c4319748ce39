"""Ofsted and CQC's area SEND inspections in the workbook's areas: every inspection and revisit of an LA, and its latest.

Ofsted inspects a *local area* (the council with its NHS partners), never a region or England, so only an LA has
a history; a region's or England's is empty and nothing is summed.

The two files (:mod:`analysis_helpers.data.ofsted`) name areas differently:

* the 2016 framework's spreadsheet gives each area's GSS code (``Local authority code``): it is matched by code,
  through :meth:`~analysis_helpers.domain.areas.Areas.canonical_code`, so an LA DfE has published under two codes
  (Buckinghamshire) is found either way; its names are Ofsted's short ones (``Bristol``, ``Durham``);
* the 2023 framework's management information names each *local area partnership* only: a name is matched to
  Ofsted's own name in the 2016 file first (which gives its code), then to DfE's names (case and punctuation
  ignored); a name matching no LA is refused in one line naming its line and column. Where DfE has two LAs of one
  name (Dorset, E10000009 to 2019 and E06000059 since) the one with the newer figures is taken.

An LA with no record of its own whose predecessor has one (Cumberland and Westmorland and Furness, Cumbria's
successors from April 2023; North and West Northamptonshire, Northamptonshire's from April 2021) is shown its
predecessor's, said to be so. The same inspection listed twice is one; two different records of one inspection
(same area, framework and start date) are refused.

A review shows only what was published by its data date (``as_of``, :func:`analysis_helpers.core.vintage.public_by`):
an inspection published later is left out (and counted), a revisit published later is left off its inspection.

Coverage: the files end with the 2016 framework's inspections to 31 August 2022 (revisits published to
October 2022) and the 2023 framework's first 16 inspections (published May to November 2023). A later
inspection or revisit is not in them: when the latest record is more than :data:`OLD_RECORD_YEARS` years older
than the data date, the review says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import OFSTED_2023_FRAMEWORK_FILE, OFSTED_INSPECTIONS_FILE
from analysis_helpers.core.vintage import public_by, today
from analysis_helpers.data.ofsted import COLUMNS_2023, framework_tables
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area, Areas, normalise_name

#: The files' titles, as Ofsted publishes them (the source named under every line and table).
SOURCE_2016 = "Ofsted, Area SEND inspection data, 1 May 2016 to 31 August 2022"
SOURCE_2023 = "Ofsted, area SEND inspections under the 2023 framework, management information, winter 2022/23"
#: What the files cover, for a reader: a later inspection or revisit is not in them.
COVERAGE = ("inspections under the 2016 framework to 31 August 2022 (revisits published to October 2022) and the 2023 "
            "framework's first 16 inspections, published May to November 2023")
#: A latest record older than this (years before the data date) is said to be possibly superseded.
OLD_RECORD_YEARS = 3
#: Successor LA code -> the code of the council it replaced (reorganisations since the 2016 framework began).
PREDECESSORS = {
    "E06000063": "E10000006",  # Cumberland <- Cumbria, 1 April 2023
    "E06000064": "E10000006",  # Westmorland and Furness <- Cumbria, 1 April 2023
    "E06000061": "E10000021",  # North Northamptonshire <- Northamptonshire, 1 April 2021
    "E06000062": "E10000021",  # West Northamptonshire <- Northamptonshire, 1 April 2021
}
FRAMEWORK_2016, FRAMEWORK_2023 = "2016", "2023"
#: The columns of the table of inspections (one row an inspection, its revisit on the same row).
COLUMNS = ["area_code", "file_area_name", "framework", "inspection_start", "inspection_published", "outcome",
           "action_plan", "action_required", "weaknesses", "revisit_start", "revisit_published", "revisit_progress",
           "weaknesses_progressed", "weaknesses_not_progressed", "source", "file"]
REVISIT_COLUMNS = ["revisit_start", "revisit_published", "revisit_progress", "weaknesses_progressed", "weaknesses_not_progressed"]
WSOA = "written statement of action"
PRIORITY_ACTION_PLAN = "priority action plan"


def inspection_files(path_2016: Path = OFSTED_INSPECTIONS_FILE, path_2023: Path = OFSTED_2023_FRAMEWORK_FILE) -> tuple[Path, Path]:
    """The two files a history reads (the run lists them among the files it read)."""
    return Path(path_2016), Path(path_2023)


def all_inspections(areas: Areas, path_2016: Path = OFSTED_INSPECTIONS_FILE,
                    path_2023: Path = OFSTED_2023_FRAMEWORK_FILE) -> pd.DataFrame:
    """Every inspection in both files, one row each (columns :data:`COLUMNS`), under the LA's current code."""
    path_2016, path_2023 = Path(path_2016), Path(path_2023)
    old, new = framework_tables(path_2016, path_2023)
    rows = [_row_2016(r, areas, path_2016) for r in old.itertuples(index=False)]
    ofsted_names = {normalise_name(n): areas.canonical_code(c) for n, c in zip(old["area_name"], old["area_code"], strict=True)}
    for line, r in enumerate(new.itertuples(index=False), start=2):
        rows.append(_row_2023(r, _code_for(r.area_name, ofsted_names, areas, path_2023, line), path_2023))
    table = pd.DataFrame(rows, columns=COLUMNS)
    return _one_row_an_inspection(table)


def _row_2016(r, areas: Areas, path: Path) -> dict:
    return {
        "area_code": areas.canonical_code(r.area_code), "file_area_name": r.area_name, "framework": FRAMEWORK_2016,
        "inspection_start": r.inspection_start, "inspection_published": r.inspection_published,
        "outcome": f"{WSOA} required" if r.wsoa_required else f"no {WSOA} required",
        "action_plan": WSOA, "action_required": bool(r.wsoa_required),
        "weaknesses": r.significant_weaknesses, "revisit_start": r.revisit_start, "revisit_published": r.revisit_published,
        "revisit_progress": r.revisit_sufficient_progress, "weaknesses_progressed": r.weaknesses_progressed,
        "weaknesses_not_progressed": r.weaknesses_not_progressed, "source": SOURCE_2016, "file": path.name,
    }


def _row_2023(r, code: str, path: Path) -> dict:
    return {
        "area_code": code, "file_area_name": r.area_name, "framework": FRAMEWORK_2023,
        "inspection_start": r.inspection_start, "inspection_published": r.inspection_published, "outcome": r.outcome,
        "action_plan": PRIORITY_ACTION_PLAN, "action_required": bool(r.priority_action_plan_required),
        "weaknesses": r.priority_action_areas, "revisit_start": None, "revisit_published": None, "revisit_progress": None,
        "weaknesses_progressed": float("nan"), "weaknesses_not_progressed": float("nan"), "source": SOURCE_2023, "file": path.name,
    }


def _code_for(name: str, ofsted_names: dict[str, str], areas: Areas, path: Path, line: int) -> str:
    """The LA code of a local area partnership's name (see the module docstring)."""
    key = normalise_name(name)
    if key in ofsted_names:
        return ofsted_names[key]
    matches = [a for a in areas if a.level == LOCAL_AUTHORITY and normalise_name(a.name) == key]
    if not matches:
        column = list(COLUMNS_2023).index("Local.area.partnership") + 3
        raise DataValidationError(f"{path.name}: line {line}, column {column} (Local.area.partnership): {name!r} is no "
                                  "English local authority in Ofsted's 2016 file or DfE's release; check the name before reading the file")
    return max(matches, key=lambda a: (a.periods[-1] if a.periods else "", a.code)).code


def _one_row_an_inspection(table: pd.DataFrame) -> pd.DataFrame:
    """The same inspection listed twice is kept once; two different records of one inspection are refused."""
    table = table.drop_duplicates(subset=[c for c in COLUMNS if c != "file_area_name"]).reset_index(drop=True)
    key = ["area_code", "framework", "inspection_start"]
    clash = table[table.duplicated(subset=key, keep=False)]
    if len(clash):
        first = clash.iloc[0]
        raise DataValidationError(f"{first['file']}: two different records of {first['file_area_name']}'s inspection "
                                  f"starting {first['inspection_start']}; the file's layout has changed: check it against the data log")
    return table.sort_values(["area_code", "inspection_published", "inspection_start"]).reset_index(drop=True)


@dataclass(frozen=True)
class InspectionHistory:
    """An area's inspections and revisits published by ``as_of``, oldest first (columns :data:`COLUMNS`).

    ``inspected`` is False for a region or England (Ofsted inspects local areas only). ``predecessor`` is the
    council whose records are shown when the area has none of its own; ``later`` counts inspections published after
    ``as_of`` (left out); a revisit published after ``as_of`` is left off its row and ``revisit_later`` says so."""

    area: Area
    as_of: dt.date | None
    inspected: bool
    rows: pd.DataFrame
    later: int = 0
    revisit_later: bool = False
    predecessor: str | None = None
    files: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def latest(self) -> pd.Series | None:
        """The latest inspection published by the data date (with its revisit, if published by then), or None."""
        return self.rows.iloc[-1] if len(self.rows) else None

    @property
    def latest_event(self) -> dt.date | None:
        """The newest publication among the latest inspection and its revisit."""
        latest = self.latest
        if latest is None:
            return None
        return max(d for d in (latest["inspection_published"], latest["revisit_published"]) if isinstance(d, dt.date))

    @property
    def old(self) -> bool:
        """Is the latest record more than :data:`OLD_RECORD_YEARS` years before the data date (or is there none)?"""
        event = self.latest_event
        if event is None:
            return True
        return event < _years_before(self.as_of or today(), OLD_RECORD_YEARS)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def inspection_history(area: Area, areas: Areas, as_of: dt.date | None, path_2016: Path = OFSTED_INSPECTIONS_FILE,
                       path_2023: Path = OFSTED_2023_FRAMEWORK_FILE) -> InspectionHistory:
    """``area``'s inspections and revisits published by ``as_of`` (None: all stored), with its latest.

    A region or England reads no file and has no rows (``inspected`` False)."""
    if area.level != LOCAL_AUTHORITY:
        return InspectionHistory(area=area, as_of=as_of, inspected=False, rows=pd.DataFrame(columns=COLUMNS))
    table = all_inspections(areas, path_2016, path_2023)
    files = inspection_files(path_2016, path_2023)
    codes = {area.code, *area.other_codes}
    own = table[table["area_code"].isin(codes)]
    predecessor = None
    if own.empty and area.code in PREDECESSORS and (table["area_code"] == PREDECESSORS[area.code]).any():
        own = table[table["area_code"] == PREDECESSORS[area.code]]
        predecessor = own["file_area_name"].iloc[-1]
    public = own["inspection_published"].map(lambda d: public_by(d, as_of)).astype(bool)
    rows = own[public].copy()
    revisit_public = rows["revisit_published"].map(lambda d: d is None or pd.isna(d) or public_by(d, as_of)).astype(bool)
    rows.loc[~revisit_public, REVISIT_COLUMNS] = None
    return InspectionHistory(area=area, as_of=as_of, inspected=True, rows=rows.reset_index(drop=True), later=int((~public).sum()),
                             revisit_later=bool(len(rows) and not revisit_public.iloc[-1]), predecessor=predecessor, files=files)
