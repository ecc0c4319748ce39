"""THE tidy KPI table: one row per area, period and measure.

Columns (exactly, in this order)::

    area_code, area_name, geographic_level, period, period_end, measure,
    numerator, denominator, value, unit, ci_low, ci_high, source

* ``unit`` is ``pct`` (0–100) or ``count``.
* ``pct`` rows carry their numerator and denominator and a 95% Wilson interval;
  ``value`` is ``100 * numerator / denominator`` (unrounded; DfE's published
  percentages are the same figures rounded to one decimal place).
* ``count`` rows carry the count in ``value`` and leave numerator, denominator
  and the interval empty.
* A value DfE marks unavailable (``x``) stays missing, never zero; a period in
  which an LA has no row at all (reorganisations, gaps) has no row here.
* ``source`` names the release file and member the row came from.

The table is built once per release in a process and cached as parquet
(:mod:`~analysis_helpers.data.parquet_cache`) under the release's SHA-256, the
package version and a hash of the package's code, checked against its checksum
and columns on every read, and named by the release file (its rows'
``source`` says which file they came from): each notebook kernel of a run reads it
instead of building it again, and an edit to any of that code is never served
a stale table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.intervals import wilson_interval
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.release import Release
from analysis_helpers.domain.appeals import appeal_counts, read_appeals
from analysis_helpers.domain.areas import LEVEL_ORDER, LOCAL_AUTHORITY, Areas, areas_for
from analysis_helpers.domain.measures import (
    MEASURES,
    Measure,
    denominator_columns,
    get_measure,
    numerator_columns,
    schemas,
)

#: Inner and Outer London (E13…), which some files publish instead of London (E12000007).
INNER_OUTER_LONDON = ("E13000001", "E13000002")
LONDON = "E12000007"

KPI_COLUMNS = [
    "area_code",
    "area_name",
    "geographic_level",
    "period",
    "period_end",
    "measure",
    "numerator",
    "denominator",
    "value",
    "unit",
    "ci_low",
    "ci_high",
    "source",
]


def kpi_table(release: Release) -> pd.DataFrame:
    """The full KPI table for every area of a release (built once per release, kept on it)."""
    return release.remember("kpis", lambda: _kpi_table(release))


def _kpi_table(release: Release) -> pd.DataFrame:
    areas = areas_for(release)  # validates every file the measures read, cached or not

    def build() -> pd.DataFrame:
        table = pd.concat([measure_rows(release, m, areas) for m in MEASURES], ignore_index=True)
        table["_level"] = table["geographic_level"].map(LEVEL_ORDER)
        table = table.sort_values(["_level", "area_name", "measure", "period_end"], kind="stable")
        return table.drop(columns="_level").reset_index(drop=True)[KPI_COLUMNS]

    if not release.cache:
        return build()
    # verified on read: a damaged cache is rebuilt, never trusted (cached_frame); named by the file too: its rows'
    # ``source`` names it, and the same bytes may be stored under another name
    cached = parquet_cache.cache_file("kpis", release.sha256, f"{release.path.name}.kpi_table.parquet")
    return parquet_cache.cached_frame(cached, build, columns=KPI_COLUMNS)


def kpis_for(
    area_queries: list[str] | str,
    measures: list[str] | None = None,
    *,
    release: Release,
) -> pd.DataFrame:
    """KPI rows for some areas (names, LA numbers or codes) and measures."""
    if isinstance(area_queries, str):
        area_queries = [area_queries]
    areas = areas_for(release)
    codes = [areas.get(q).code for q in area_queries]
    names = [get_measure(m).name for m in measures] if measures else [m.name for m in MEASURES]
    table = kpi_table(release)
    rows = table[table["area_code"].isin(codes) & table["measure"].isin(names)]
    order = {code: i for i, code in enumerate(codes)}
    return rows.sort_values(["area_code", "measure", "period_end"],
                            key=lambda s: s.map(order) if s.name == "area_code" else s).reset_index(drop=True)


def measure_rows(release: Release, measure: Measure, areas: Areas, topic: str | None = None) -> pd.DataFrame:
    """One measure's rows in the KPI table's shape, for every area and period of the release.

    Without ``topic``: the measure's own rows (its ``breakdown_topic``, summed
    over its ``breakdowns`` if it has any). With ``topic`` (another
    ``breakdown_topic`` of the same file, such as ``"Sex"``): one row per
    published ``breakdown`` value, from the same columns by the same formula,
    with ``breakdown_topic`` and ``breakdown`` after ``measure`` and a last
    column ``symbol``, DfE's symbol (``x``, ``c``, …) behind a missing value of
    the measure's columns (``""`` when none);
    :mod:`~analysis_helpers.domain.breakdowns` says which topics apply.
    """
    if measure.reader == "tribunal":
        appeals = read_appeals(release)
        counts = appeal_counts(appeals, areas)
        return kpi_rows(counts, counts["area_code"], counts["area_name"], measure.name, measure.unit,
                        counts["numerator"], counts["denominator"], appeals.source)
    by_breakdown = topic is not None
    topic = topic or measure.breakdown_topic
    parsed = release.read(measure.file, schemas()[measure.file])
    data = parsed.data
    rows = data[(data["breakdown_topic"] == topic) & data["geographic_level"].isin(LEVEL_ORDER)]
    if measure.breakdowns and not by_breakdown:
        rows = rows[rows["breakdown"].isin(measure.breakdowns)]
    if rows.empty:
        topics = ", ".join(sorted(data["breakdown_topic"].unique())[:8])
        raise DataValidationError(
            f"{parsed.source}: column 'breakdown_topic': no rows for {topic!r} "
            f"(needed for {measure.name}); topics found: {topics}"
        )
    columns = list(dict.fromkeys([*numerator_columns(measure), *measure.less, *denominator_columns(measure)]))
    if by_breakdown:  # the first symbol among the measure's columns, row by row
        symbols = parsed.symbols.iloc[data.index.get_indexer(rows.index)][columns].astype(str).to_numpy()
        rows = rows.assign(symbol=[next((s for s in row if s), "") for row in symbols])
    la = rows["geographic_level"] == LOCAL_AUTHORITY
    area_code = rows["area_code"].where(~la, rows["old_la_code"].map(lambda n: _la_code(areas, n)))
    area_name = rows["area_name"].where(~la, area_code.where(la, "").map(lambda c: areas.get(c).name if c else ""))
    key = pd.DataFrame({"area_code": area_code, "period": rows["period"], "breakdown": rows["breakdown"]})
    duplicated = key.duplicated(keep=False)
    if duplicated.any():
        lines = [str(data.index.get_loc(i) + 2) for i in key.index[duplicated][:2]]
        first = key[duplicated].iloc[0]
        raise DataValidationError(
            f"{parsed.source}: lines {' and '.join(lines)}: two {topic!r} rows for "
            f"{first['area_code']} in {first['period']}{' (' + first['breakdown'] + ')' if by_breakdown else ''} "
            "(expected one per area and period)"
        )
    london = area_code.isin(INNER_OUTER_LONDON)
    if london.any():  # Inner and Outer London rows make London's
        area_code = area_code.where(~london, LONDON)
        area_name = area_name.where(~london, areas.get(LONDON).name)
    if (measure.breakdowns and not by_breakdown) or london.any():
        rows, area_code, area_name = _summed(rows, area_code, area_name, columns, by_breakdown)
    numerator = sum(rows[c].to_numpy(dtype=float) for c in numerator_columns(measure))  # a missing part leaves it missing
    numerator = numerator - sum((rows[c].to_numpy(dtype=float) for c in measure.less), np.zeros(len(rows)))
    if (numerator < 0).any():  # the rest of a total is never negative: the file's parts add to more than it
        i = int(np.argmax(numerator < 0))
        raise DataValidationError(f"{parsed.source}: line {data.index.get_loc(rows.index[i]) + 2}: the columns "
                                  f"{', '.join(measure.less)} add to more than {measure.numerator!r}")
    if measure.unit == "pct":
        parts = denominator_columns(measure)
        denominator = sum(rows[c].to_numpy(dtype=float) for c in parts)  # a missing part leaves it missing
        bad = (numerator > denominator) & ~np.isnan(numerator) & ~np.isnan(denominator)
        if bad.any():
            i, summed = int(np.argmax(bad)), " + ".join(map(repr, numerator_columns(measure)))
            raise DataValidationError(
                f"{parsed.source}: line {data.index.get_loc(rows.index[i]) + 2}, column {summed}: "
                f"{numerator[i]:,.0f} is more than the denominator {' + '.join(map(repr, parts))} ({denominator[i]:,.0f})"
            )
    else:
        denominator = None
    out = kpi_rows(rows, area_code, area_name, measure.name, measure.unit, numerator, denominator, parsed.source)
    if by_breakdown:
        out.insert(out.columns.get_loc("measure") + 1, "breakdown_topic", topic)
        out.insert(out.columns.get_loc("breakdown_topic") + 1, "breakdown", rows["breakdown"].to_numpy())
        out["symbol"] = rows["symbol"].to_numpy()
    return out


def _summed(rows: pd.DataFrame, area_code: pd.Series, area_name: pd.Series, columns: list[str], by_breakdown: bool = False):
    """One row per area and period: the measure's columns summed over its breakdowns (ages 5 to 10), or
    over Inner and Outer London for London (per breakdown value when ``by_breakdown``).

    A breakdown DfE did not publish for an area counts as none (checked on the
    2025 release: City of London's and the Isles of Scilly's age rows add up to
    their totals without the missing ages); a symbol (``x``) in any of the
    summed rows leaves the sum missing (and keeps the first such symbol).
    """
    keep = ["breakdown", "symbol"] if by_breakdown else []
    frame = rows[["geographic_level", "period", "period_end", *keep, *columns]].assign(area_code=area_code, area_name=area_name)
    how = {"geographic_level": "first", "period_end": "first", "area_name": "first", **{c: lambda s: s.sum(skipna=False) for c in columns}}
    if by_breakdown:
        how["symbol"] = lambda s: next((x for x in s if x), "")
    summed = frame.groupby(["area_code", "period", *keep[:1]], sort=False).agg(how).reset_index()
    return summed, summed["area_code"], summed["area_name"]


def kpi_rows(rows, area_code, area_name, measure: str, unit: str, numerator, denominator, source: str) -> pd.DataFrame:
    """Rows in the KPI table's shape from parsed release rows.

    For ``pct``: value = 100 × numerator / denominator (missing for a zero or
    missing denominator) with a 95% Wilson interval; for ``count``: the count
    in ``value`` and the other statistics left empty.
    """
    numerator = np.asarray(numerator, dtype=float)
    if unit == "pct":
        denominator = np.asarray(denominator, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(denominator > 0, 100 * numerator / denominator, np.nan)
        ci_low, ci_high = wilson_interval(numerator, denominator)
    else:
        value = numerator
        numerator = denominator = ci_low = ci_high = np.full(len(rows), np.nan)
    return pd.DataFrame(
        {
            "area_code": np.asarray(area_code),
            "area_name": np.asarray(area_name),
            "geographic_level": rows["geographic_level"].to_numpy(),
            "period": rows["period"].to_numpy(),
            "period_end": rows["period_end"].to_numpy(),
            "measure": measure,
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "unit": unit,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "source": source,
        }
    )


def _la_code(areas: Areas, la_number: str) -> str:
    area = areas.by_la_number(la_number)
    return area.code if area else ""
