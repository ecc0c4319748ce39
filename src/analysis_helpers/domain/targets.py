"""Targets as data: ``data/targets.csv``, one row a target, validated on read.

Columns::

    target_id, area, measure, denominator, baseline_value, baseline_date,
    baseline_source, target_value, target_date, date_basis,
    source_title, source_url, quote

* ``area`` is a name, LA number or GSS code.
* ``measure`` is a KPI-table measure or a measure of the council's own figures
  (e.g. ``assessment_backlog_cases``).
* ``denominator`` says which population a percentage target counts (the APP's
  "80% in mainstream" was published without one, so the file carries a row for
  each reading and reports say which is used).
* A blank ``baseline_value`` is filled from the KPI table at ``baseline_date``
  (the period ending on that date), so a baseline is never typed twice.
* ``date_basis`` says whether the target date was stated or assumed: it begins
  ``stated:`` or ``assumed:`` (anything else is refused).
* A row with a blank ``target_value`` is a *requirement*: something that must be
  true by ``target_date`` (e.g. "a permanent SEND casework team within six
  months of the notice"). :func:`read_targets` returns the numeric targets,
  :func:`requirements_for` the requirements.

A bad row is a one-line :class:`~analysis_helpers.core.errors.DataValidationError`
naming the file, the row and the column: an unknown measure (listing the
valid ones), a percentage outside 0–100, a target date not after the baseline
date, an unreadable date or number, a ``date_basis`` not ``stated: ...`` or
``assumed: ...``. :func:`ad_hoc_target` holds ``project --target/--by`` to the
same rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from analysis_helpers.core.errors import DataValidationError, UnknownAreaError
from analysis_helpers.core.paths import targets_file
from analysis_helpers.data.csv_files import read_rows
from analysis_helpers.data.local_feed import LOCAL_MEASURES as _FEED_MEASURES
from analysis_helpers.domain.measure_periods import FILE_PERIODS, ends_a_period
from analysis_helpers.domain.measures import BY_NAME

COLUMNS = [
    "target_id", "area", "measure", "denominator", "baseline_value", "baseline_date", "baseline_source",
    "target_value", "target_date", "date_basis", "source_title", "source_url", "quote",
]
#: Columns a targets file may leave out (each has a default).
OPTIONAL_COLUMNS = ["series"]
#: The series a target is tracked on (column ``series``; when the column is absent: dfe for DfE measures, else council).
SERIES = {"dfe": "DfE statistics", "council": "the council's own figures"}


@dataclass(frozen=True)
class Target:
    """One validated target."""

    target_id: str
    area: str
    measure: str
    unit: str
    denominator: str
    baseline_value: float | None
    baseline_date: dt.date
    baseline_source: str
    target_value: float | None
    target_date: dt.date
    date_basis: str
    source_title: str
    source_url: str
    quote: str
    row: int
    series: str = "dfe"

    @property
    def date_assumed(self) -> bool:
        return self.date_basis.strip().lower().startswith("assumed")


def measure_unit(measure: str) -> str | None:
    if measure in BY_NAME:
        return BY_NAME[measure].unit
    return council_only_units().get(measure)


def council_only_units() -> dict[str, str]:
    """Units of the measures that exist only in councils' own figures (not in DfE's release), read from the catalogue
    now: a measure an analyst adds is known without restarting the kernel."""
    return {name: unit for name, (unit, _label) in _FEED_MEASURES.items() if name not in BY_NAME}


def read_targets(path: Path | None = None) -> list[Target]:
    """The numeric targets of a targets file (default: :func:`~analysis_helpers.core.paths.targets_file`; every row is validated)."""
    return [t for t in _read_all(path) if t.target_value is not None]


def requirements_for(area_code: str, area_lookup, path: Path | None = None) -> list[Target]:
    """Rows with no target value (a requirement due by a date) whose area is ``area_code``."""
    return for_area([t for t in _read_all(path) if t.target_value is None], area_code, area_lookup, path)


def for_area(targets: list[Target], area_code: str, area_lookup, path: Path | None = None) -> list[Target]:
    """The targets whose ``area`` resolves to ``area_code``: the one test of "is this target this area's?".

    ``area_lookup`` turns a name or code into an area (``Areas.get``). A row whose
    area matches nothing is an error in the targets file, named by file, row and column.
    """
    mine = []
    for target in targets:
        try:
            code = area_lookup(target.area).code
        except UnknownAreaError as exc:
            raise DataValidationError(f"{Path(path or targets_file()).name}: row {target.row}, column 'area': {exc}") from None
        if code == area_code:
            mine.append(target)
    return mine


def earliest_target(targets: list[Target], measure: str) -> Target | None:
    """The target for ``measure`` that falls due first (None if there is none)."""
    matching = [t for t in targets if t.measure == measure and t.target_value is not None]
    return min(matching, key=lambda t: t.target_date) if matching else None


def _read_all(path: Path | None = None) -> list[Target]:
    """Read and validate a targets file (CSV, UTF-8 with or without BOM)."""
    path = Path(path) if path else targets_file()
    targets = [_validate(row, line, path.name) for line, row in read_rows(path, COLUMNS, f"{path}: targets file not found")]
    seen: set[str] = set()
    for t in targets:
        if t.target_id in seen:
            raise DataValidationError(f"{path.name}: row {t.row}, column 'target_id': {t.target_id!r} is used twice")
        seen.add(t.target_id)
    return targets


#: A target's ``date_basis`` begins with one of these: the date was stated by the source, or assumed here.
DATE_BASES = ("stated:", "assumed:")
#: The options of ``send-review project`` that stand for a targets file's columns (an ad hoc target).
AD_HOC_OPTIONS = {"target_value": "--target", "target_date": "--by"}


def ad_hoc_target(area: str, measure: str, value: float, due: dt.date, data_date: dt.date) -> Target:
    """A target given on the command line, validated by the rules of a targets file's row.

    Its baseline date is the data date (``--as-of`` or today), so ``--by`` must come
    after it; its baseline value (the latest figure) is filled in by the caller.
    """
    row = {"target_id": "ad hoc", "area": area, "measure": measure, "baseline_date": data_date.isoformat(),
           "target_value": repr(float(value)), "target_date": due.isoformat(), "date_basis": "stated: given on the command line"}

    def fail(column: str, message: str) -> DataValidationError:
        after = "; an ad hoc target's baseline is the data date (--as-of, or today)" if column == "target_date" else ""
        return DataValidationError(f"{AD_HOC_OPTIONS.get(column, column)}: {message}{after}")

    return _validate(row, 0, "command line", fail, ad_hoc=True)


def _validate(row: dict, line: int, name: str, fail=None, ad_hoc: bool = False) -> Target:
    """One row of a targets file as a :class:`Target`; ``fail(column, message)`` words an error (default: file, row, column)."""
    def row_error(column: str, message: str) -> DataValidationError:
        return DataValidationError(f"{name}: row {line}, column {column!r}: {message}")

    fail = fail or row_error

    measure = (row.get("measure") or "").strip()
    unit = measure_unit(measure)
    if unit is None:
        valid = ", ".join([*BY_NAME, *council_only_units()])
        raise fail("measure", f"unknown measure {measure!r}; valid measures: {valid}")
    if not (row.get("target_id") or "").strip():
        raise fail("target_id", "empty; give each target a short unique id")
    if not (row.get("area") or "").strip():
        raise fail("area", "empty; give an area name, LA number or GSS code")

    def number(column: str, required: bool) -> float | None:
        text = (row.get(column) or "").strip()
        if not text:
            if required:
                raise fail(column, "empty; expected a number")
            return None
        try:
            value = float(text)
        except ValueError:
            raise fail(column, f"{text!r} is not a number") from None
        if unit == "pct" and not 0 <= value <= 100:
            raise fail(column, f"{value:g} is outside 0-100 for a percentage measure")
        if unit == "count" and value < 0:
            raise fail(column, f"{value:g} is negative for a count")
        return value

    def date(column: str) -> dt.date:
        text = (row.get(column) or "").strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise fail(column, f"{text!r} is not a date written YYYY-MM-DD") from None

    baseline_date, target_date = date("baseline_date"), date("target_date")
    if target_date <= baseline_date:
        raise fail("target_date", f"{target_date} is not after the baseline date {baseline_date}")
    date_basis = (row.get("date_basis") or "").strip()
    if not date_basis.lower().startswith(DATE_BASES):
        raise fail("date_basis", f"{date_basis!r} does not begin with 'stated:' or 'assumed:' (was the target date stated by the source?)")
    # an ad hoc target's baseline is the latest figure of whichever series the command projects
    series = ("dfe" if measure in BY_NAME else "council") if ad_hoc else _series(row, measure, baseline_date, fail)
    return Target(
        target_id=row["target_id"].strip(),
        area=row["area"].strip(),
        measure=measure,
        unit=unit,
        denominator=(row.get("denominator") or "").strip(),
        baseline_value=number("baseline_value", required=False),
        baseline_date=baseline_date,
        baseline_source=(row.get("baseline_source") or "").strip(),
        target_value=number("target_value", required=False),
        target_date=target_date,
        date_basis=date_basis,
        source_title=(row.get("source_title") or "").strip(),
        source_url=(row.get("source_url") or "").strip(),
        quote=(row.get("quote") or "").strip(),
        row=line,
        series=series,
    )


def _series(row: dict, measure: str, baseline_date: dt.date, fail) -> str:
    """The series a target is tracked on; its baseline must sit on that series' basis."""
    series = (row.get("series") or "").strip().lower() or ("dfe" if measure in BY_NAME else "council")
    if series not in SERIES:
        raise fail("series", f"{series!r}: use dfe (DfE statistics) or council (the council's own figures)")
    if series == "dfe" and measure not in BY_NAME:
        raise fail("series", f"{measure} is not in DfE's statistics: track it on the council's figures (council)")
    if series == "council" and measure not in _FEED_MEASURES:
        raise fail("series", f"{measure} is not in the council-measures catalogue (data/local/measures.csv): add it there or use dfe")
    if series == "dfe" and not ends_a_period(measure, baseline_date):
        period = FILE_PERIODS[BY_NAME[measure].file][0]
        raise fail("series", f"the baseline date {baseline_date} does not end a DfE {period}: a baseline from the council's "
                             "own figures is tracked on them (council), never joined to DfE's")
    return series


def with_baseline(target: Target, series: pd.DataFrame) -> Target:
    """Fill a blank baseline from the target's observed series (``period_end``, ``value``).

    The baseline is the row whose period ends on ``baseline_date``.
    """
    if target.baseline_value is not None:
        return target
    rows = series[pd.to_datetime(series["period_end"]) == pd.Timestamp(target.baseline_date)]
    if rows.empty or pd.isna(rows["value"].iloc[0]):
        raise DataValidationError(
            f"targets: row {target.row}, column 'baseline_value': blank, and the data have no {target.measure} "
            f"for a period ending {target.baseline_date}; give the value or a date that ends a published period"
        )
    return replace(target, baseline_value=float(rows["value"].iloc[0]))


def targets_for(area_code: str, area_lookup, path: Path | None = None) -> list[Target]:
    """Numeric targets whose ``area`` resolves to ``area_code``."""
    return for_area(read_targets(path), area_code, area_lookup, path)

