"""Areas: England, the nine regions and every local authority in a release.

Look-up is forgiving about how a name is typed (case, spaces and punctuation are
ignored, so ``kent``, ``KENT`` and ``bristol city of`` all work) and also accepts
the old three-digit LA number (``886``) or a GSS code (``E10000016``). An
unknown name is an error that suggests the three closest names.

A local authority is identified by its LA number, which DfE keeps stable; where
DfE has published an LA under more than one GSS code (Buckinghamshire: E10000002
and E06000060), the code used in the latest period is the area's code and the
others still find it. LAs that exist for only part of the series
(Northamptonshire to 2020, its successors from 2021; Cumbria to 2022, its
successors from 2023) carry a ``coverage`` note instead of being filled with
zeros.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pandas as pd

from analysis_helpers.core.errors import UnknownAreaError
from analysis_helpers.data.geography import LOCAL_AUTHORITY, NATIONAL, REGIONAL
from analysis_helpers.data.release import Release
from analysis_helpers.domain.measures import SUB_REGIONAL_FILES, schemas

LEVEL_ORDER = {NATIONAL: 0, REGIONAL: 1, LOCAL_AUTHORITY: 2}


def normalise_name(text: str) -> str:
    """``"Bristol, City of"`` -> ``"bristolcityof"``; ``&`` reads as ``and``."""
    text = str(text).lower().replace("&", "and")
    return re.sub(r"[^a-z0-9]", "", text)


def slug(text: str) -> str:
    """File-system friendly name: ``"Bristol, City of"`` -> ``"bristol-city-of"``."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


@dataclass(frozen=True)
class Area:
    """One area of the KPI table.

    Attributes
    ----------
    code : str
        GSS code (E92000001 England, E12… regions, E06/E08/E09/E10… LAs).
    name : str
        Name as DfE publishes it.
    level : str
        ``"National"``, ``"Regional"`` or ``"Local authority"``.
    la_number : str or None
        Old three-digit LA number (LAs only).
    region_code, region_name : str or None
        The LA's region (LAs only).
    other_codes : tuple of str
        Other GSS codes DfE has used for the same LA.
    periods : tuple of str
        Calendar years with a timeliness row (the longest annual series).
    coverage : str
        ``"full"`` or a note such as ``"no data after 2020 (reorganised)"``.
    """

    code: str
    name: str
    level: str
    la_number: str | None = None
    region_code: str | None = None
    region_name: str | None = None
    other_codes: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    coverage: str = "full"

    @property
    def slug(self) -> str:
        return slug(self.name)


class Areas:
    """The areas of a release, with forgiving look-up.

    Build it with :meth:`from_release`; ``areas.get("kent")`` returns an
    :class:`Area` or raises :class:`UnknownAreaError`.
    """

    def __init__(self, areas: list[Area]):
        self._areas = sorted(areas, key=lambda a: (LEVEL_ORDER[a.level], a.name))
        self._index: dict[str, Area] = {}
        for area in self._areas:
            keys = [normalise_name(area.name), area.code.lower(), *[c.lower() for c in area.other_codes]]
            if area.la_number:
                keys.append(area.la_number)
            for key in keys:
                self._index.setdefault(key, area)
        self._by_la_number = {a.la_number: a for a in self._areas if a.la_number}
        self._by_code = {c: a for a in self._areas for c in (a.code, *a.other_codes)}

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_release(
        cls, release: Release, files: tuple[str, ...] = ("timeliness_20_week.csv",), schemas: dict | None = None
    ) -> Areas:
        """Every National, Regional and LA area in the given files.

        The first file's periods define the coverage notes (timeliness: the
        longest annual series).
        """
        schemas = schemas or {}
        frames = [release.read(f, schemas.get(f)).data for f in files if f in release.members]
        rows = pd.concat(
            [f[["geographic_level", "area_code", "area_name", "old_la_code", "region_code", "region_name", "period", "period_end"]]
             for f in frames],
            ignore_index=True,
        )
        timeliness_years = sorted(frames[0]["period"].unique()) if frames else []
        timeliness = frames[0] if frames else rows
        areas: list[Area] = []
        for level in (NATIONAL, REGIONAL):
            subset = rows[rows["geographic_level"] == level].sort_values("period_end")
            for code, group in subset.groupby("area_code", sort=False):
                areas.append(Area(code=code, name=group["area_name"].iloc[-1], level=level))
        las = rows[rows["geographic_level"] == LOCAL_AUTHORITY].sort_values("period_end")
        la_years = timeliness[timeliness["geographic_level"] == LOCAL_AUTHORITY].groupby("old_la_code")["period"].agg(
            lambda p: tuple(sorted(set(p)))
        )
        for number, group in las.groupby("old_la_code", sort=False):
            latest = group.iloc[-1]
            codes = tuple(dict.fromkeys(group["area_code"][::-1]))
            years = la_years.get(number, ())
            areas.append(
                Area(
                    code=latest["area_code"],
                    name=latest["area_name"],
                    level=LOCAL_AUTHORITY,
                    la_number=str(number),
                    region_code=latest["region_code"],
                    region_name=latest["region_name"],
                    other_codes=codes[1:],
                    periods=years,
                    coverage=coverage_note(years, timeliness_years),
                )
            )
        return cls(areas)

    # -- look-up --------------------------------------------------------------
    def get(self, query: str | int) -> Area:
        """Find an area by name, LA number or GSS code (case and punctuation ignored)."""
        text = str(query).strip()
        area = self._index.get(normalise_name(text)) or self._index.get(text.lower())
        if area is None:
            names = {normalise_name(a.name): a.name for a in self._areas}
            close = difflib.get_close_matches(normalise_name(text), list(names), n=3, cutoff=0.0)
            suggestions = ", ".join(repr(names[c]) for c in close)  # quoted: "Bristol, City of" holds a comma
            raise UnknownAreaError(
                f"unknown area {text!r}: not an English local authority, region or England; closest names: {suggestions}"
            )
        return area

    def by_la_number(self, number: str | int) -> Area | None:
        return self._by_la_number.get(str(number))

    def canonical_code(self, code: str) -> str:
        """The area's current code for any code DfE has used for it."""
        area = self._by_code.get(code)
        return area.code if area else code

    def england(self) -> Area:
        return next(a for a in self._areas if a.level == NATIONAL)

    def region_of(self, area: Area) -> Area | None:
        """The region an LA belongs to (None for England and regions)."""
        if area.level != LOCAL_AUTHORITY or not area.region_code:
            return None
        return self._by_code.get(area.region_code)

    def local_authorities(self, region: str | None = None) -> list[Area]:
        """All LAs, or those of one region (by region name or code)."""
        las = [a for a in self._areas if a.level == LOCAL_AUTHORITY]
        if region is None:
            return las
        wanted = self.get(region)
        if wanted.level != REGIONAL:
            raise UnknownAreaError(f"{region!r} is not a region; regions: {', '.join(a.name for a in self.regions())}")
        return [a for a in las if a.region_code == wanted.code]

    def regions(self) -> list[Area]:
        return [a for a in self._areas if a.level == REGIONAL]

    def __iter__(self):
        return iter(self._areas)

    def __len__(self) -> int:
        return len(self._areas)

    def to_frame(self) -> pd.DataFrame:
        """One row per area: code, name, level, LA number, region, other codes, coverage."""
        return pd.DataFrame(
            {
                "area_code": a.code,
                "area_name": a.name,
                "geographic_level": a.level,
                "la_number": a.la_number or "",
                "region_name": a.region_name or "",
                "other_codes": " ".join(a.other_codes),
                "first_period": a.periods[0] if a.periods else "",
                "last_period": a.periods[-1] if a.periods else "",
                "coverage": a.coverage if a.level == LOCAL_AUTHORITY else "full",
            }
            for a in self._areas
        )


def coverage_note(years: tuple[str, ...], all_years: list[str]) -> str:
    """Say which calendar years an LA is missing, without treating them as zeros."""
    if not all_years:
        return "full"
    missing = [y for y in all_years if y not in years]
    if not missing:
        return "full"
    if not years:
        return "no timeliness rows in this release"
    notes = []
    if all_years[0] not in years:
        notes.append(f"no data before {years[0]} (new authority or reorganised)")
    if all_years[-1] not in years:
        notes.append(f"no data after {years[-1]} (reorganised or not returned)")
    gaps = [y for y in missing if years[0] < y < years[-1]]
    if gaps:
        notes.append(f"no data for {', '.join(gaps)} (not published for this LA)")
    return "; ".join(notes)


def areas_for(release: Release) -> Areas:
    """The :class:`Areas` of a release, built once (kept on the release)."""

    def build() -> Areas:
        release.read_many(list(schemas()), schemas())  # validate every file the measures read
        files = tuple(f for f in schemas() if f not in SUB_REGIONAL_FILES)  # the files the areas come from
        return Areas.from_release(release, files, schemas())

    return release.remember("areas", build)
