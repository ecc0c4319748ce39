"""Which stored files one review run reads: the list its manifest and its sources table both show.

A run reads its DfE release, the long timeliness history (the 2022 release), a
statistical-neighbour list, DfE's DSG table, Ofsted's two files of area SEND
inspections and the high-needs outlook's files (DfE's 2021-22 benchmarking file, the
DSG allocation files, the outlook's assumptions and the scenario files; for an LA: a
region or England has no inspection and no outlook, and reads none of them), the
area's council feed (if any), the council-measures catalogue, a targets file, the
area-fact files and the data log. Only files that exist are listed, each once however it was named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from analysis_helpers.core.paths import (
    DSG_DEFICIT_FILE,
    HIGH_NEEDS_BENCHMARKING_FILE,
    HISTORIC_RELEASE,
    NEIGHBOUR_FILES,
    OFSTED_2023_FRAMEWORK_FILE,
    OFSTED_INSPECTIONS_FILE,
    council_measures_file,
    data_log_file,
    local_dir,
    outlook_assumptions_file,
    scenarios_dir,
    targets_file,
)
from analysis_helpers.data.area_facts import area_fact_files
from analysis_helpers.data.dsg_allocations import published_files
from analysis_helpers.data.local_feed import feed_for


def feed_file(area_slug: str, local: Path | None) -> Path | None:
    """The local feed file a run of this area reads (``local`` is a file, a folder, or None for ``data/local/``)."""
    path = Path(local) if local else local_dir()
    if path.is_file():
        return path
    return feed_for(area_slug, path) if path.exists() else None


def files_read(release: Path, neighbours: str, feed: Path | None, targets: Path | None = None,
               inspections: bool = True, high_needs: bool | None = None, as_of: dt.date | None = None) -> list[Path]:
    """The files a review run reads, in the order a reader would look for them (those that exist); ``inspections``:
    the run reads Ofsted's inspection files, ``high_needs`` the outlook's (both: an LA's run does, a region's or
    England's does not; ``high_needs`` defaults to ``inspections``): of the DSG allocation files, those published by
    ``as_of``."""
    ofsted = [OFSTED_INSPECTIONS_FILE, OFSTED_2023_FRAMEWORK_FILE] if inspections else []
    outlook = [] if not (inspections if high_needs is None else high_needs) else [
        HIGH_NEEDS_BENCHMARKING_FILE, *published_files(as_of), outlook_assumptions_file(), *scenario_files()]
    candidates = [release, HISTORIC_RELEASE, NEIGHBOUR_FILES.get(str(neighbours)), DSG_DEFICIT_FILE, *ofsted, *outlook, feed,
                  council_measures_file(), targets or targets_file(), *area_fact_files(), data_log_file()]
    resolved = [Path(p).resolve() for p in candidates if p is not None and Path(p).exists()]
    return list(dict.fromkeys(resolved))  # a file named two ways (relative, absolute) is one file


def scenario_files(folder: Path | None = None) -> list[Path]:
    """The high-needs scenario files an LA's review shows: every ``*.csv`` in ``folder`` (default
    :func:`~analysis_helpers.core.paths.scenarios_dir`), by name; none if there is no such folder."""
    folder = Path(folder) if folder is not None else scenarios_dir()
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []
