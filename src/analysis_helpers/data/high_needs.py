"""DfE's high-needs benchmarking data for 2021-22, read as published: every LA's 2-18 population, EHC plans by
placement and high-needs spend by line, as tidy tables (or a one-line error).

``raw/Outturn data 202122.xlsx`` is the data of DfE's high-needs benchmarking tool for 2021-22 (cell C2 ``2021-22``
beside ``Year``), one sheet, ``Sheet1``. Its layout, which this reader checks rather than assumes (columns are
found by their labels, then every label of a block is checked in order):

* row 5 names the LA columns (``Region``, ``LA code``, ``LA name``, ``2-18 Population (ONS mid-2021 projection)``,
  ``No. aged up to 25 with SEN statement or EHCP``) and ``of these, placements in:``, over the seven placement
  columns labelled on row 6 (:data:`PLACEMENTS`: mainstream, resourced provision or SEN units, maintained special,
  NMSS or independent, hospital or AP, post 16, other). They are the January 2021 census (SEN2): Kent's 15,281
  plans and its 1,396 NMSS or independent placements are SEN2's January 2021 figures, and the file's LAs sum to
  England's 430,697 less City of London's 20 and the Isles of Scilly's 12, the two LAs the file leaves out;
* row 3 heads two blocks of spend, ``Section 251 budget`` (columns P–AP) and ``Section 251 outturn`` (BI–CI), each
  with the same 27 labels on row 4 (:data:`BLOCK_LABELS`): place funding, top-up funding to maintained schools,
  academies, free schools and colleges ``(1)`` and to non-maintained and independent providers ``(2)``, each
  followed by its phases (early years, primary, secondary, special schools and academies, PRUs and AP academies,
  post school; the top-ups also income), then SEN support and inclusion services, alternative provision services,
  hospital education services and therapies. Both blocks are for 2021-22: the outturn block is what DfE's own
  SEND and AP dashboard reads from this file as the 2021-22 outturn (cell BI2's note that the table stops at
  2020-21 is the tool template's), and the budget block's line totals for Kent (£243.5m; £251.6m with the place
  funding published beside them) sit beside its 2021-22 high-needs block before deductions (£249.0m), not
  2022-23's (£282.1m). The two blocks differ in kind as well: the budget counts the places ESFA pays for directly
  (about £10,000 a special-school pupil even where every special school is an academy), the outturn, the council's
  own spend, leaves them out (almost nothing there for those LAs);
* one row an LA from row 8, under its region (``EAST MIDLANDS``, …, ``INNER LONDON``, ``OUTER LONDON``; trailing
  spaces stripped). There are no England or region rows. LAs replaced before 2021-22 keep a row: Bournemouth,
  Poole and the old Dorset (835) have ``#N/A`` in every cell and a population of 0; Northamptonshire (928) has
  placements but ``#N/A`` spend, North and West Northamptonshire (940, 941) spend but ``#N/A`` placements.

The file's own totals are checked on every row: the plans total is the sum of the seven placements; a top-up
line's total is the sum of its phases less its income; the place-funding total is special schools plus PRUs and
AP (the file's rule: early years, primary, secondary and post-school place funding are published beside it,
not in it). ``#N/A`` is read as missing, for a whole block of a row at once. The per-head columns (CO–DO: formulas
linked to another workbook, cached mostly as 0) and the deprivation factors (AR–BG: ``#REF!``) are not read.

Anything else (a label moved or renamed, a cell that is not a number, a total that no longer adds up) is a
:class:`~analysis_helpers.core.errors.DataValidationError` naming the file, the sheet, the row and the column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import HIGH_NEEDS_BENCHMARKING_FILE
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.provenance import verify_raw_file
from analysis_helpers.data.tribunal import column_letter

SHEET = "Sheet1"
YEAR = "2021-22"
MISSING = "#N/A"
#: Row-5 labels of the LA columns -> the column they become (and where the published file has them, for errors).
ID_LABELS = {
    "Region": ("region", "B"), "LA code": ("la_number", "C"), "LA name": ("la_name", "D"),
    "2-18 Population (ONS mid-2021 projection)": ("population_2_18", "E"),
    "No. aged up to 25 with SEN statement or EHCP": ("ehc_plans", "G"),
}
PLACEMENTS_HEADING = ("of these, placements in:", "H")
#: Row-6 labels of the placement columns, in order, -> placement type.
PLACEMENTS = {
    "Mainstream schools or academies": "mainstream",
    "Resourced provision or SEN units": "resourced_provision",
    "Maintained special schools or special academies": "maintained_special",
    "NMSS or independent schools": "nmss_independent",
    "Hospital schools or alternative provision": "hospital_ap",
    "Post 16": "post_16",
    "Other": "other",
}
#: Row-3 headings of the spend blocks -> basis (and the block's first column in the published file).
BLOCKS = {"Section 251 budget": ("budget", "P"), "Section 251 outturn": ("outturn", "BI")}
PHASES = {"Early Years": "early_years", "Primary": "primary", "Secondary": "secondary",
          "Special schools and academies": "special", "PRUs and AP academies": "pru_ap", "Post School": "post_school"}
TOTAL = "total"
INCOME = "income"


def _block_labels() -> tuple[tuple[str, str, str], ...]:
    """Row-4 labels of a spend block, in order, each with its ``(line, phase)``."""
    labels = [("Place funding", "place_funding", TOTAL), *((p, "place_funding", ph) for p, ph in PHASES.items())]
    for mark, line, heading in (
        ("1", "top_up_maintained", "Top up funding (maintained schools, academies, free schools and colleges)"),
        ("2", "top_up_independent", "Top up funding (non-maintained and independent schools and colleges)"),
    ):
        labels += [(heading, line, TOTAL), *((f"{p} ({mark})", line, ph) for p, ph in PHASES.items())]
        labels.append((f"Income ({mark})", line, INCOME))
    labels += [("SEN support and inclusion services", "sen_support", TOTAL),
               ("Alternative provision services", "ap_services", TOTAL),
               ("Hospital education services", "hospital_education", TOTAL),
               ("Therapies and other health related services", "therapies", TOTAL)]
    return tuple(labels)


BLOCK_LABELS = _block_labels()
#: Spend lines published with phases: the phases that make up each one's total (the rest are beside it).
IN_TOTAL = {"place_funding": ("special", "pru_ap"), "top_up_maintained": tuple(PHASES.values()),
            "top_up_independent": tuple(PHASES.values())}
VALUE_COLUMNS = ("table", "la_number", "la_name", "region", "basis", "line", "phase", "value", "cell")
#: Pounds by which a published total may differ from the sum of its parts (the cells hold pence as binary floats).
TOLERANCE = 0.5


def _fail(path: Path, where: str, message: str) -> DataValidationError:
    return DataValidationError(f"{path.name}: sheet {SHEET!r}, {where}: {message}; the file's layout has changed: "
                               "check it against the data log (data/README.md) before reading it")


def _label(value) -> str:
    """A header cell as text, its line breaks and repeated spaces folded into one space."""
    return " ".join(str(value).split()) if value is not None else ""


def areas(path: Path = HIGH_NEEDS_BENCHMARKING_FILE) -> pd.DataFrame:
    """One row an LA as published: ``la_number, la_name, region, population_2_18, ehc_plans`` (all plans up to 25)."""
    rows = _values(path)
    rows = rows[rows["table"] == "area"]
    wide = rows.pivot(index=["la_number", "la_name", "region"], columns="line", values="value").reset_index()
    order = rows.drop_duplicates("la_number")["la_number"]
    wide = wide.set_index("la_number").loc[order].reset_index()
    return wide[["la_number", "la_name", "region", "population_2_18", "ehc_plans"]].rename_axis(columns=None)


def placements(path: Path = HIGH_NEEDS_BENCHMARKING_FILE) -> pd.DataFrame:
    """EHC plans by placement type, one row an LA and type: ``la_number, la_name, region, placement, plans, cell``
    (``cell`` the spreadsheet cell read, e.g. ``K103``; ``plans`` missing where the file has ``#N/A``)."""
    rows = _values(path)
    rows = rows[rows["table"] == "placement"].rename(columns={"line": "placement", "value": "plans"})
    return rows[["la_number", "la_name", "region", "placement", "plans", "cell"]].reset_index(drop=True)


def spend(path: Path = HIGH_NEEDS_BENCHMARKING_FILE, basis: str | None = None) -> pd.DataFrame:
    """High-needs spend (£) by line, one row an LA, block and cell: ``la_number, la_name, region, basis`` (``budget``
    or ``outturn``, both 2021-22), ``line``, ``phase`` (a phase, ``income`` or ``total``, the file's own total),
    ``amount`` and ``cell``. ``basis`` keeps one block."""
    rows = _values(path)
    rows = rows[rows["table"] == "spend"].rename(columns={"value": "amount"})
    if basis is not None:
        if basis not in {b for b, _ in BLOCKS.values()}:
            raise ValueError(f"basis must be 'budget' or 'outturn', got {basis!r}")
        rows = rows[rows["basis"] == basis]
    return rows[["la_number", "la_name", "region", "basis", "line", "phase", "amount", "cell"]].reset_index(drop=True)


def _values(path: Path) -> pd.DataFrame:
    """Every value read, long (:data:`VALUE_COLUMNS`); parsed once and kept as parquet under the workbook's SHA-256
    and the package's code hash (:func:`~analysis_helpers.data.parquet_cache.cached_frame`)."""
    return parquet_cache.file_table("high_needs", path, verify_raw_file(path), read_high_needs_file, columns=VALUE_COLUMNS)


def read_high_needs_file(path: Path) -> pd.DataFrame:
    """Parse the workbook into the long table behind :func:`areas`, :func:`placements` and :func:`spend`."""
    path = Path(path)
    verify_raw_file(path)
    grid = _grid(path)
    header = next((r for r in range(min(15, len(grid))) if "LA code" in map(_label, grid[r])), None)
    if header is None or header < 2:
        raise _fail(path, "rows 1-15", "no row holds the label 'LA code' (expected the header on row 5)")
    _check_year(path, grid, header)
    ids = {key: _find(path, grid, header, label, where) for label, (key, where) in ID_LABELS.items()}
    first = _find(path, grid, header, *PLACEMENTS_HEADING)
    kinds = {}
    for offset, (label, kind) in enumerate(PLACEMENTS.items()):
        kinds[kind] = _expect(path, grid, header + 1, first + offset, label)
    spends = {}
    for heading, (basis, where) in BLOCKS.items():
        start = _find(path, grid, header - 2, heading, where)
        for offset, (label, line, phase) in enumerate(BLOCK_LABELS):
            spends[(basis, line, phase)] = _expect(path, grid, header - 1, start + offset, label)
    records: list[dict] = []
    seen: dict[str, int] = {}
    for r in range(header + 2, len(grid)):
        cells = grid[r]
        used = [cells[c] for c in (*ids.values(), *kinds.values(), *spends.values())]
        if all(v is None or str(v).strip() == "" for v in used):
            continue
        la = _la(path, r, ids, cells, seen)
        area = {"table": "area", **la, "basis": "", "phase": ""}
        totals = {key: _number(path, r, ids[key], cells) for key in ("population_2_18", "ehc_plans")}
        records += [area | {"line": key, "value": v, "cell": _cell(r, ids[key])} for key, v in totals.items()]
        plans = {k: _number(path, r, c, cells) for k, c in kinds.items()}
        _check_total(path, r, ids["ehc_plans"], totals["ehc_plans"], list(plans.values()), "the plans total")
        records += [{"table": "placement", **la, "basis": "", "line": k, "phase": "", "value": v,
                     "cell": _cell(r, kinds[k])} for k, v in plans.items()]
        for basis in (b for b, _ in BLOCKS.values()):
            block = {(line, phase): _number(path, r, c, cells) for (b, line, phase), c in spends.items() if b == basis}
            _check_block(path, r, basis, block, spends)
            records += [{"table": "spend", **la, "basis": basis, "line": line, "phase": phase, "value": v,
                         "cell": _cell(r, spends[(basis, line, phase)])} for (line, phase), v in block.items()]
    if not seen:
        raise _fail(path, f"row {header + 3}", "no LA rows under the header; the file looks truncated")
    return pd.DataFrame.from_records(records, columns=list(VALUE_COLUMNS))


def _grid(path: Path) -> list[list]:
    """The sheet's cached values, row by row from row 1 and column A (error cells as their text, e.g. ``#N/A``)."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise DataValidationError(f"{path.name}: cannot be read as an Excel workbook ({exc})") from None
    try:
        if SHEET not in book.sheetnames:
            raise DataValidationError(f"{path.name}: no sheet {SHEET!r} (found {', '.join(map(repr, book.sheetnames))})")
        sheet = book[SHEET]
        return [list(row) for row in sheet.iter_rows(min_row=1, min_col=1, max_col=sheet.max_column, values_only=True)]
    finally:
        book.close()


def _cell(row: int, column: int) -> str:
    return f"{column_letter(column)}{row + 1}"


def _check_year(path: Path, grid: list[list], header: int) -> None:
    for r in range(header):
        for c, value in enumerate(grid[r][:-1]):
            if _label(value) == "Year":
                found = _label(grid[r][c + 1])
                if found != YEAR:
                    raise _fail(path, f"row {r + 1}, column {column_letter(c + 1)}", f"expected the year {YEAR!r} beside "
                                f"'Year', found {found!r} (this reader knows the {YEAR} file only)")
                return
    raise _fail(path, f"rows 1-{header}", f"no cell reads 'Year' (expected 'Year' and {YEAR!r} on row 2)")


def _find(path: Path, grid: list[list], row: int, label: str, published: str) -> int:
    """The column of the first cell of ``row`` that reads ``label`` (``published``: its column in the published file)."""
    for c, value in enumerate(grid[row]):
        if _label(value) == label:
            return c
    there = _index(published)
    found = _label(grid[row][there]) if there < len(grid[row]) else ""
    raise _fail(path, f"row {row + 1}, column {published}", f"expected {label!r}, found {found!r} (and no other cell of "
                f"row {row + 1} reads {label!r})")


def _index(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


def _expect(path: Path, grid: list[list], row: int, column: int, label: str) -> int:
    found = _label(grid[row][column]) if column < len(grid[row]) else ""
    if found != label:
        raise _fail(path, f"row {row + 1}, column {column_letter(column)}", f"expected {label!r}, found {found!r}")
    return column


def _la(path: Path, r: int, ids: dict[str, int], cells: list, seen: dict[str, int]) -> dict:
    code, name, region = (cells[ids[k]] for k in ("la_number", "la_name", "region"))
    text = str(code).strip()
    text = text[:-2] if isinstance(code, float) and text.endswith(".0") else text
    if not (text.isdigit() and len(text) == 3):
        raise _fail(path, f"row {r + 1}, column {column_letter(ids['la_number'])}", f"expected a three-digit LA code, found {code!r}")
    if text in seen:
        raise _fail(path, f"row {r + 1}, column {column_letter(ids['la_number'])}", f"LA code {text} again (first on row {seen[text]})")
    for key, value in (("la_name", name), ("region", region)):
        if not isinstance(value, str) or not value.strip():
            raise _fail(path, f"row {r + 1}, column {column_letter(ids[key])}", f"expected a name, found {value!r}")
    seen[text] = r + 1
    return {"la_number": text, "la_name": name.strip(), "region": region.strip()}


def _number(path: Path, r: int, c: int, cells: list) -> float:
    value = cells[c] if c < len(cells) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    if isinstance(value, str) and value.strip() == MISSING:
        return float("nan")
    raise _fail(path, f"row {r + 1}, column {column_letter(c)}", f"expected a number or {MISSING!r}, found {value!r}")


def _check_total(path: Path, r: int, c: int, total: float, parts: list[float], what: str, less: float = 0.0) -> None:
    """A published total against its parts: both missing, or equal within :data:`TOLERANCE`."""
    values = [total, *parts, less]
    if all(np.isnan(v) for v in values[:-1]) and (np.isnan(less) or less == 0):
        return
    if any(np.isnan(v) for v in values):
        raise _fail(path, f"row {r + 1}, column {column_letter(c)}", f"{what} and its parts are partly {MISSING!r} "
                    "(expected every cell of the block to be a number, or every one missing)")
    summed = sum(parts) - less
    if abs(total - summed) > TOLERANCE:
        raise _fail(path, f"row {r + 1}, column {column_letter(c)}", f"{what} is {total:,.2f} but its parts sum to "
                    f"{summed:,.2f}")


def _check_block(path: Path, r: int, basis: str, block: dict, columns: dict) -> None:
    """Each line's total against its phases (less income), and a block either all numbers or all ``#N/A``."""
    missing = [np.isnan(v) for v in block.values()]
    if any(missing) and not all(missing):
        (line, phase) = next(k for k, v in block.items() if np.isnan(v))
        raise _fail(path, f"row {r + 1}, column {column_letter(columns[(basis, line, phase)])}", f"{MISSING!r} in a "
                    f"block of numbers (the {basis} block of a row is all numbers or all {MISSING!r})")
    for line, phases in IN_TOTAL.items():
        income = block.get((line, INCOME), 0.0)
        _check_total(path, r, columns[(basis, line, TOTAL)], block[(line, TOTAL)], [block[(line, p)] for p in phases],
                     f"the {basis} {line.replace('_', ' ')} total", less=income)
