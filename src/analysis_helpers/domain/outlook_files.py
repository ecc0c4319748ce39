"""The two files a high-needs outlook reads besides the published ones: its assumptions and a scenario.

**Assumptions** (``data/outlook_assumptions.csv``; ``$SEND_REVIEW_OUTLOOK_ASSUMPTIONS`` moves it): one row an
assumption, ``assumption, central, low, high, unit, source``. Each is a number a year with the range the
sensitivity line runs across, and where it comes from. The outlook needs :data:`ASSUMPTIONS`; another name, a
missing one, a number that is not one, or a central value outside its range is refused in one line.

**A scenario** (CSV, one lever a row): ``lever, value, from_year`` and, for ``places_opened`` only, ``placement``;
an optional ``scenario`` column names it (else the file's name does). The levers (:data:`LEVERS`):

* ``plan_growth_slowed_pct``: plans grow this many percentage points a year more slowly from ``from_year``
  (each placement type's caseload is ``(1 - value/100)^n`` of the baseline's, ``n`` years from ``from_year``
  counting it); 0 to 100;
* ``independent_to_state_special_share`` and ``independent_to_mainstream_share``: this share (0 to 1) of the
  placements in independent special schools added from ``from_year`` on (above the count the year before) are met
  in a state special school, or in mainstream, instead;
* ``places_opened``: this many places of ``placement`` (``mainstream``, ``resourced_units`` or ``state_special``:
  :data:`OPENABLE`) open from ``from_year``, each
  taken by a child who would otherwise be in an independent special school (never more than there are); negative
  to close places.

``from_year`` is a financial year (``2026-27``, ``2026/27`` or ``2026``: the year it starts); a lever can only
change a year the outlook projects, so an earlier one is refused where the outlook is built.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import shown_path
from analysis_helpers.domain.placements import PLACEMENTS

ASSUMPTION_COLUMNS = ("assumption", "central", "low", "high", "unit", "source")
#: The assumptions an outlook needs: unit costs' and the high-needs block's growth a year.
ASSUMPTIONS = ("cost_growth_pct", "income_growth_pct")
#: Lever -> (what it is, lowest value, highest value).
LEVERS: dict[str, tuple[str, float, float]] = {
    "plan_growth_slowed_pct": ("percentage points a year by which plans grow more slowly", 0.0, 100.0),
    "independent_to_state_special_share": ("share of added independent-special placements met in state special", 0.0, 1.0),
    "independent_to_mainstream_share": ("share of added independent-special placements met in mainstream", 0.0, 1.0),
    "places_opened": ("places of a type opened (negative: closed), each taken from independent special", -1e6, 1e6),
}
PLACEMENT_TYPES = tuple(name for name, _, _ in PLACEMENTS)
#: The types ``places_opened`` can open places in: the state-funded settings a child placed independently could
#: take instead (AP and "other or none" cost nothing a plan in the outlook, so a place there would be free).
OPENABLE = ("mainstream", "resourced_units", "state_special")
SCENARIO_COLUMNS = ("lever", "value", "from_year")
#: The name of the outlook without levers, beside which every scenario is shown: no scenario file may take it.
BASELINE_NAME = "baseline"
YEAR = re.compile(r"^(\d{4})(?:[-/](\d{2}|\d{4}))?$")
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Assumption:
    name: str
    central: float
    low: float
    high: float
    unit: str
    source: str


@dataclass(frozen=True)
class Lever:
    name: str
    value: float
    from_year: int  # the calendar year the financial year starts in: 2026 for 2026-27
    placement: str = ""
    where: str = ""  # the file and row it was read from, for errors


@dataclass(frozen=True)
class Scenario:
    name: str
    levers: tuple[Lever, ...]


def read_assumptions(path: Path) -> dict[str, Assumption]:
    """The assumptions file's rows by name (see the module docstring); one line naming file, row and column if not."""
    rows = _rows(path, ASSUMPTION_COLUMNS)
    found: dict[str, Assumption] = {}
    for line, row in rows:
        name = row["assumption"].strip()
        where = f"{shown_path(path)} row {line}"
        if name not in ASSUMPTIONS:
            raise DataValidationError(f"{where}: assumption {name!r} is not one the outlook uses ({', '.join(ASSUMPTIONS)})")
        if name in found:
            raise DataValidationError(f"{where}: assumption {name!r} again")
        values = [_number(row[c], f"{where}, column {c!r}") for c in ("central", "low", "high")]
        if not values[1] <= values[0] <= values[2]:
            raise DataValidationError(f"{where}: {name} central {values[0]:g} is not between its low {values[1]:g} "
                                      f"and high {values[2]:g}")
        if not row["source"].strip():
            raise DataValidationError(f"{where}, column 'source': empty (every assumption says where it comes from)")
        found[name] = Assumption(name, *values, row["unit"].strip(), row["source"].strip())
    missing = [n for n in ASSUMPTIONS if n not in found]
    if missing:
        raise DataValidationError(f"{shown_path(path)}: no row for {', '.join(missing)} (the outlook needs {', '.join(ASSUMPTIONS)})")
    return found


def read_scenario(path: Path) -> Scenario:
    """A scenario file's levers (see the module docstring); one line naming file, row and column if one is wrong."""
    rows = _rows(path, SCENARIO_COLUMNS)
    levers, names = [], set()
    for line, row in rows:
        where = f"{shown_path(path)} row {line}"
        name = row["lever"].strip()
        if name not in LEVERS:
            raise DataValidationError(f"{where}: lever {name!r} is not one of {', '.join(LEVERS)}")
        value = _number(row["value"], f"{where}, column 'value'")
        _, low, high = LEVERS[name]
        if not low <= value <= high:
            raise DataValidationError(f"{where}: {name} {value:g} is outside {low:g} to {high:g} (the {LEVERS[name][0]})")
        placement = (row.get("placement") or "").strip()
        if name == "places_opened" and placement not in OPENABLE:
            raise DataValidationError(f"{where}, column 'placement': {placement!r} is not a type places can open in "
                                      f"({', '.join(OPENABLE)})")
        levers.append(Lever(name, value, parse_year(row["from_year"], f"{where}, column 'from_year'"), placement, where))
        names.add((row.get("scenario") or "").strip())
    if not levers:
        raise DataValidationError(f"{shown_path(path)}: no levers (expected a row a lever under {', '.join(SCENARIO_COLUMNS)})")
    named = sorted(n for n in names if n)
    name = named[0] if len(named) == 1 else path.stem
    if name == BASELINE_NAME:
        raise DataValidationError(f"{shown_path(path)}, column 'scenario': {BASELINE_NAME!r} is the outlook without levers; "
                                  "give the scenario another name (or rename the file)")
    return Scenario(name, tuple(levers))


def parse_year(text: str, where: str) -> int:
    """The calendar year a financial year starts in, from ``2026-27``, ``2026/27`` or ``2026``."""
    match = YEAR.match(str(text).strip())
    if not match or (match.group(2) and int(match.group(2)[-2:]) != (int(match.group(1)) + 1) % 100):
        raise DataValidationError(f"{where}: {str(text).strip()!r} is not a financial year (expected e.g. 2026-27)")
    return int(match.group(1))


def financial_year(start: int) -> str:
    """``2026`` -> ``2026-27``."""
    return f"{start}-{(start + 1) % 100:02d}"


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(f"{shown_path(path)}: not found (expected a CSV file)")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise DataValidationError(f"{shown_path(path)}: {len(raw):,} bytes, more than {MAX_BYTES:,} (expected a small CSV)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataValidationError(f"{shown_path(path)}: byte {error.start} is not UTF-8 text (save the file as CSV UTF-8)") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataValidationError(f"{shown_path(path)}: column {missing[0]!r} is missing (expected {', '.join(required)})")
    reader.fieldnames = header
    return [(number, {k: (v or "") for k, v in row.items() if k is not None}) for number, row in enumerate(reader, start=2)
            if any((v or "").strip() for v in row.values() if isinstance(v, str))]


def _number(text: str, where: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise DataValidationError(f"{where}: {str(text).strip()!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise DataValidationError(f"{where}: {str(text).strip()!r} is not a number")
    return value
