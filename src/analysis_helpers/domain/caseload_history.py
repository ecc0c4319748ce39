"""EHC plans by placement type, every January from 2010: the long series a caseload projection is fitted on.

Two DfE releases meet here, as the timeliness history's do (:mod:`~analysis_helpers.domain.history`):

* the years the current release covers (January 2019 on) are its own counts, the KPI table's
  ``ehcp_placement_<type>_count`` and ``ehcp_caseload_count`` (:mod:`~analysis_helpers.domain.placements`);
* earlier years come from the 2022 release's ``sen2_estab_caseload.csv`` (statements and EHC plans,
  ``Total_all``, by establishment type), its types grouped into the same eight placements
  (:data:`OLD_TYPES`; the eighth, ``other_or_none``, is again all plans less the other seven).

Years are January census years (2025 is January 2025, DfE's period 2024/25). A count DfE suppresses is missing,
never zero. Statements were counted with plans until 2018, so the early years count both: the total is every child
or young person with a statement or a plan, the measure a caseload projection needs.
"""

from __future__ import annotations

import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data.ees_csv import FileSchema
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LEVEL_ORDER, LOCAL_AUTHORITY, Areas, areas_for
from analysis_helpers.domain.kpis import kpi_table
from analysis_helpers.domain.placements import PLACEMENTS

OLD_FILE = "sen2_estab_caseload.csv"
OLD_SCHEMA = FileSchema(OLD_FILE, ("Total_all",), filters=("establishment_group", "establishment_type"))
#: The series a caseload history holds: all plans, then the eight placement types.
TOTAL = "total"
SERIES = (TOTAL, *(name for name, _, _ in PLACEMENTS))
#: The old file's (establishment_group, establishment_type) rows summed into each placement type.
OLD_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    TOTAL: (("Total", "Total"),),
    "mainstream": tuple(("Mainstream school", f"Mainstream - {kind}") for kind in ("LA maintained", "Academy", "Free school",
                                                                                   "Independent")),
    "resourced_units": tuple(("Mainstream school", f"Mainstream - {school} - {unit}") for school in ("LA maintained", "Academy",
                             "Free school") for unit in ("Resourced provision", "Resourced Provision", "SEN unit")),
    "state_special": tuple(("Special school", f"Special - {kind}") for kind in ("LA maintained", "Academy", "Free school",
                                                                                "Academy/free")),
    "independent_special": (("Special school", "Special - Independent"),),
    "non_maintained_special": (("Special school", "Special - Non-maintained"),),
    "ap_pru": (("Alternative provision/Pupil referral unit", "Total"),),
    "post_16": (("Further education", "Total"),),
}
COLUMNS = ("area_code", "area_name", "geographic_level", "year", "series", "count", "source")


def caseload_history(release: Release, through: int | None = None) -> pd.DataFrame:
    """One row an area, January and series (:data:`COLUMNS`), 2010 on: the current release's years from it, earlier
    years from ``release.historic``. ``through`` keeps the years up to it (a backtest's data as of its origin)."""
    table = release.remember(("caseload_history",), lambda: _history(release))
    return table if through is None else table[table["year"] <= through].reset_index(drop=True)


def old_release_history(release: Release) -> pd.DataFrame:
    """The counts of ``release.historic`` (the 2022 release) alone, 2010-2022, as DfE published them then: what a
    backtest from January 2022 knew. Its LAs are named and coded as ``release`` names them."""
    if release.historic is None:
        raise DataValidationError(f"{release.path.name}: no old release beside it, so no plans by placement before 2019")
    return release.remember(("old_caseload_history",), lambda: _old_rows(release.historic, areas_for(release)))


def wide(history: pd.DataFrame, series: str) -> pd.DataFrame:
    """One series as a table: a row an area (``area_code``), a column a year."""
    rows = history[history["series"] == series]
    return rows.pivot_table(index="area_code", columns="year", values="count", aggfunc="first")


def _history(release: Release) -> pd.DataFrame:
    new = _new_rows(release)
    if release.historic is None:
        return new
    old = old_release_history(release)
    old = old[old["year"] < new["year"].min()]
    return pd.concat([old, new], ignore_index=True).sort_values(["area_code", "series", "year"], ignore_index=True)


def _new_rows(release: Release) -> pd.DataFrame:
    kpis = kpi_table(release)
    measures = {"ehcp_caseload_count": TOTAL, **{f"ehcp_placement_{name}_count": name for name, _, _ in PLACEMENTS}}
    rows = kpis[kpis["measure"].isin(measures)]
    return pd.DataFrame({
        "area_code": rows["area_code"], "area_name": rows["area_name"], "geographic_level": rows["geographic_level"],
        "year": pd.to_datetime(rows["period_end"]).dt.year.astype(int), "series": rows["measure"].map(measures),
        "count": rows["value"].astype(float), "source": rows["source"],
    }).reset_index(drop=True)


def _old_rows(historic: Release, areas: Areas) -> pd.DataFrame:
    parsed = historic.read(OLD_FILE, OLD_SCHEMA)
    data = parsed.data[parsed.data["geographic_level"].isin(LEVEL_ORDER)]
    la = data["geographic_level"] == LOCAL_AUTHORITY
    found = data["old_la_code"].map(areas.by_la_number)
    data = data.assign(
        area_code=data["area_code"].where(~la, [a.code if a else c for a, c in zip(found, data["area_code"], strict=True)]),
        area_name=data["area_name"].where(~la, [a.name if a else c for a, c in zip(found, data["area_name"], strict=True)]),
        year=data["time_period"].astype(str).str[:4].astype(int),
    )
    keys = ["area_code", "area_name", "geographic_level", "year"]
    kinds = pd.Series(list(zip(data["establishment_group"], data["establishment_type"], strict=True)), index=data.index)
    frames = []
    for series, rows in OLD_TYPES.items():
        picked = data[kinds.isin(rows)]
        summed = picked.groupby(keys, sort=False)["Total_all"].sum(min_count=1).rename("count").reset_index()
        frames.append(summed.assign(series=series))
    table = pd.concat(frames, ignore_index=True)
    counts = table.pivot_table(index=keys, columns="series", values="count", aggfunc="first")
    named = [name for name in OLD_TYPES if name != TOTAL]
    counts["other_or_none"] = counts[TOTAL] - counts[named].sum(axis=1, min_count=len(named))
    out = counts.reset_index().melt(id_vars=keys, var_name="series", value_name="count")
    out["source"] = parsed.source
    return out[list(COLUMNS)].sort_values(["area_code", "series", "year"], ignore_index=True)
