"""The catalogue of measures councils publish: ``data/local/measures.csv``, one row a measure.

Columns: ``measure, label, unit, higher_is_better, description``.

* ``measure`` — the machine name a feed row uses (lower case, ``_``-separated);
* ``unit`` — ``pct`` (0-100), ``count``, ``gbp_m`` (£ millions) or ``weeks``;
* ``higher_is_better`` — ``true``, ``false`` or empty (neither direction is better).

An analyst adds a measure by adding a row; nothing in the code lists them. A
bad row stops with one line naming the file, the row and the column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import ItemsView, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import council_measures_file, shown_path
from analysis_helpers.data.csv_files import read_rows

#: The catalogue read by default: None reads ``council_measures_file()`` (``$SEND_REVIEW_COUNCIL_MEASURES``,
#: else ``data/local/measures.csv``); a test may set a path here.
CATALOGUE: Path | None = None
COLUMNS = ["measure", "label", "unit", "higher_is_better", "description"]
UNITS = ("pct", "count", "gbp_m", "weeks")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DIRECTIONS = {"true": True, "false": False, "": None}


@dataclass(frozen=True)
class CouncilMeasure:
    """One catalogued measure."""

    name: str
    label: str
    unit: str
    higher_is_better: bool | None
    description: str


def catalogue(path: Path | None = None) -> dict[str, CouncilMeasure]:
    """The catalogue, by measure name (every row validated); ``path`` defaults to the catalogue setting."""
    return _read(Path(path or CATALOGUE or council_measures_file()))


def _read(path: Path) -> dict[str, CouncilMeasure]:
    missing_file = f"{path}: the council-measures catalogue is missing (expected columns: {', '.join(COLUMNS)})"
    measures: dict[str, CouncilMeasure] = {}
    for line, row in read_rows(path, COLUMNS, missing_file):
        measure = _row(row, line, path.name)
        if measure.name in measures:
            raise DataValidationError(f"{path.name}: row {line}, column 'measure': {measure.name!r} is catalogued twice")
        measures[measure.name] = measure
    return measures


def _row(row: dict, line: int, name: str) -> CouncilMeasure:
    def fail(column: str, message: str) -> DataValidationError:
        return DataValidationError(f"{name}: row {line}, column {column!r}: {message}")

    measure = (row["measure"] or "").strip()
    if not _NAME.match(measure):
        raise fail("measure", f"{measure!r} is not a measure name (lower case letters, digits and _, e.g. plan_audit_good_pct)")
    unit = (row["unit"] or "").strip().lower()
    if unit not in UNITS:
        raise fail("unit", f"{row['unit']!r} is not a unit: use {', '.join(UNITS)}")
    direction = (row["higher_is_better"] or "").strip().lower()
    if direction not in _DIRECTIONS:
        raise fail("higher_is_better", f"{row['higher_is_better']!r}: use true, false or leave it empty")
    label = (row["label"] or "").strip()
    if not label:
        raise fail("label", "empty; give the label reports show")
    return CouncilMeasure(measure, label, unit, _DIRECTIONS[direction], (row["description"] or "").strip())


def closest(name: str, path: Path | None = None, n: int = 3) -> list[str]:
    """The ``n`` catalogued names closest to ``name`` (for a one-line suggestion)."""
    names = list(catalogue(path))
    return difflib.get_close_matches(name, names, n=n, cutoff=0.0)


def unknown_measure_message(name: str, path: Path | None = None) -> str:
    """One line for a measure the catalogue does not hold: the three closest names and where to add it."""
    shown = name if len(name) <= 60 else name[:57] + "..."
    where = shown_path(path or CATALOGUE or council_measures_file())
    return f"unknown measure {shown!r}; closest: {', '.join(closest(name, path))} (or add a row to {where})"


class MeasureLabels(Mapping):
    """``name -> (unit, label)`` of the catalogued measures, read when first asked (not at import)."""

    def __init__(self, path: Path | None = None):
        self._path = path

    def __getitem__(self, name: str) -> tuple[str, str]:
        measure = catalogue(self._path)[name]
        return measure.unit, measure.label

    def __iter__(self) -> Iterator[str]:
        return iter(catalogue(self._path))

    def __len__(self) -> int:
        return len(catalogue(self._path))

    def items(self) -> ItemsView[str, tuple[str, str]]:
        """Every measure's ``(unit, label)``, from one read of the catalogue (not one read a measure)."""
        return {name: (m.unit, m.label) for name, m in catalogue(self._path).items()}.items()
