"""DfE's Dedicated Schools Grant allocations, read as published: each LA's, region's and England's high-needs block
by financial year (or a one-line error).

Four OpenDocument files, one a financial year, 2020-21 to 2023-24 (``raw/dedicated-schools-grant_*.ods``; read
with pandas' ``odf`` engine). Only the sheet ``Allocations_summary`` is read. Its layout, which this reader checks
rather than assumes:

* row 1, column A, the title ``Dedicated schools grant: 2020 to 2021 allocations local authority summary``: the
  financial year (``2020-21``) is read from it and checked against the sheet named ``Information_2020_to_2021`` and
  the two block headings, which begin ``2020 to 2021 DSG allocations, before recoupment and deductions`` and
  ``2020 to 2021 DSG allocations, after deductions for academies recoupment`` (from 2022-23 the headings add
  national non-domestic rates to the deductions);
* under each heading, row 2 labels five columns (schools, central school services, high needs, early years, total
  DSG), row 3 letters them ``[A]`` … ``[E]`` and ``[F]`` … ``[J]``; columns are found by these labels;
* row 5 ``ENGLAND``; then one row an LA (three-digit LA number in column A, name in B) down to a blank row; then
  totals by type of LA (``LONDON``, ``METROPOLITAN AUTHORITIES``, ``UNITARY AUTHORITIES``, ``UPPER TIER
  AUTHORITIES``; not returned), a blank row, and the nine regions as the file names them (``LONDON``, ``East of
  England``, …, ``Yorkshire and the Humber``).

Which high-needs column
-----------------------
``high_needs_block`` is column **[H], after recoupment and deductions**: the block the council receives once ESFA
has deducted the high-needs places it pays for directly (academies, free schools, non-maintained special schools,
colleges). It is the income that matches the spend the workbook sets against it, the section 251 outturn in DfE's
high-needs benchmarking data (:mod:`analysis_helpers.data.high_needs`), which leaves those places out too: LAs whose
special schools are nearly all academies report almost no special-school place funding in the outturn, while the
same file's budget block gives them about £10,000 a pupil; and Kent's 2021-22 outturn on every line, £283.9m, less
[H], £233.2m, is £50.7m, near the £52m overspend the council published for that year, where [C] would leave £34.9m.
It is also the grant the council's accounts record, on which its DSG balance is struck. Column **[C], before
recoupment and deductions** (the block as DfE's formula allocates it, comparable between LAs whatever their share
of academies) is returned beside it as ``high_needs_block_before_deductions``.

Every row's totals are checked as the file states them (``[E] = [A] + [B] + [C] + [D]``, ``[J] = [F] + [G] + [H] +
[I]``), and England against the sum of its LAs, of its regions and of its LA types, in every column. Anything
else (a renamed or moved label, a year that disagrees, a cell that is not a number, totals that no longer add up)
is a :class:`~analysis_helpers.core.errors.DataValidationError` naming the file, the sheet, the row and the column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import DSG_ALLOCATION_FILES
from analysis_helpers.core.vintage import public_by
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.geography import LOCAL_AUTHORITY, NATIONAL, REGIONAL
from analysis_helpers.data.provenance import verify_raw_file
from analysis_helpers.data.tribunal import column_letter

SHEET = "Allocations_summary"
TITLE = re.compile(r"^Dedicated schools grant: (\d{4}) to (\d{4}) allocations local authority summary$")
HEADINGS = {"before": "{years} DSG allocations, before recoupment and deductions",
            "after": "{years} DSG allocations, after deductions for academies recoupment"}
#: Row-2 labels under each heading, in order, and row-3 letters.
LABELS = {
    "before": ("Schools block (£s)", "Central school services block (£s)", "High needs block (£s)",
               "Early years block (£s)", "Total DSG allocation (£s)"),
    "after": ("Schools block (£s)", "Central school services block allocation (£s)", "High needs block allocation (£s)",
              "Early years block (£s)", "Total DSG allocation (£s)"),
}
LETTERS = {"before": ("[A]", "[B]", "[C]", "[D]", "[E]"), "after": ("[F]", "[G]", "[H]", "[I]", "[J]")}
HIGH_NEEDS = 2  # the third column under each heading: [C] and [H]
NATIONAL_ROW = "ENGLAND"
LA_TYPES = ("LONDON", "METROPOLITAN AUTHORITIES", "UNITARY AUTHORITIES", "UPPER TIER AUTHORITIES")
REGIONS = ("LONDON", "East of England", "East Midlands", "North East", "North West", "South East", "South West",
           "West Midlands", "Yorkshire and the Humber")
COLUMNS = ("financial_year", "level", "la_number", "area_name", "high_needs_block", "high_needs_block_before_deductions",
           "total_dsg", "total_dsg_after_recoupment", "row")
TOTAL = 4  # the fifth column under each heading: [E] and [J]
#: Pounds by which a published total may differ from the sum of its parts.
TOLERANCE = 0.5


def _fail(path: Path, where: str, message: str) -> DataValidationError:
    return DataValidationError(f"{path.name}: sheet {SHEET!r}, {where}: {message}; the file's layout has changed: "
                               "check it against the data log (data/README.md) before reading it")


def high_needs_allocations(paths: Iterable[Path] = DSG_ALLOCATION_FILES) -> pd.DataFrame:
    """The high-needs block (after deductions, and before them beside it) of every LA, region and England, one row an
    area and financial year, from each file (:func:`allocations`), oldest year first; two files of the same year are
    refused."""
    frames, years = [], {}
    for path in map(Path, paths):
        frame = allocations(path)
        year = frame["financial_year"].iat[0]
        if year in years:
            raise DataValidationError(f"{path.name}: allocations for {year} again (already read from {years[year]})")
        years[year] = path.name
        frames.append(frame)
    if not frames:
        raise DataValidationError("no DSG allocation files were given")
    return pd.concat(frames, ignore_index=True).sort_values(["financial_year", "row"], kind="stable", ignore_index=True)


def published_on(path: Path) -> dt.date:
    """The publication date in an allocation file's name (``dedicated-schools-grant_2024_07_20.ods``: 20 July 2024)."""
    year, month, day = Path(path).stem.rsplit("_", 3)[-3:]
    return dt.date(int(year), int(month), int(day))


def published_files(as_of: dt.date | None, paths: Iterable[Path] = DSG_ALLOCATION_FILES) -> list[Path]:
    """The allocation files DfE had published by ``as_of`` (all of them without one)."""
    return [p for p in paths if public_by(published_on(p), as_of)]


def allocations(path: Path = DSG_ALLOCATION_FILES[-1]) -> pd.DataFrame:
    """One file's high-needs block by area (:data:`COLUMNS`: ``financial_year`` such as ``2023-24``; ``level``
    National, Regional or Local authority; ``la_number``, three digits, blank for England and regions;
    ``area_name`` as published; ``high_needs_block`` ([H], after recoupment and
    deductions) and ``high_needs_block_before_deductions`` ([C]) in £; ``total_dsg`` ([E], all four blocks before
    recoupment: the DSG income DfE's cumulative balance is a percentage of) and ``total_dsg_after_recoupment``
    ([J]) in £; ``row`` the spreadsheet row).

    Read once and kept as parquet under the file's SHA-256 and a hash of the package's code
    (:func:`~analysis_helpers.data.parquet_cache.cached_frame`): the OpenDocument reader takes seconds a file."""
    return parquet_cache.file_table("dsg_allocations", path, verify_raw_file(path), read_allocations_file, columns=COLUMNS)


def read_allocations_file(path: Path) -> pd.DataFrame:
    """Parse one DSG allocations file into the table of :func:`allocations`."""
    path = Path(path)
    verify_raw_file(path)
    try:
        book = pd.ExcelFile(path, engine="odf")
        sheet = pd.read_excel(book, sheet_name=SHEET, header=None, dtype=object)
    except ValueError as exc:
        raise DataValidationError(f"{path.name}: sheet {SHEET!r} cannot be read ({exc})") from None
    grid = sheet.where(sheet.notna(), None).to_numpy().tolist()
    if len(grid) < 6 or len(grid[0]) < 12:
        raise _fail(path, "row 1", f"the sheet holds {len(grid)} rows and {len(grid[0]) if grid else 0} columns "
                    "(expected a title, three header rows, England and the LAs)")
    year, years = _year(path, grid, book.sheet_names)
    columns = {}
    for block, heading in HEADINGS.items():
        columns[block] = _block(path, grid, heading.format(years=years), block)
    if _text(grid[4][0]) != NATIONAL_ROW:
        raise _fail(path, "row 5, column A", f"expected {NATIONAL_ROW!r}, found {_text(grid[4][0])!r}")
    every = [c for block in ("before", "after") for c in columns[block]]
    records, sums = [], {"la": [0.0] * 10, "type": [0.0] * 10, "region": [0.0] * 10}
    england = _values(path, grid, 4, columns)
    records.append(_record(year, NATIONAL, "", "England", england, 4))
    section, seen_regions, seen_las = "la", [], {}
    for r in range(5, len(grid)):
        first, second = _text(grid[r][0]), _text(grid[r][1])
        if not first and not second:
            if any(_text(grid[r][c]) for c in every):
                raise _fail(path, f"row {r + 1}, column A", "figures without an area")
            section = {"la": "type", "type": "region"}.get(section, "end")
            continue
        if section == "la":
            number = _la_number(path, grid[r][0], r)
            if number in seen_las:
                raise _fail(path, f"row {r + 1}, column A", f"LA number {number} again (first on row {seen_las[number]})")
            seen_las[number] = r + 1
            values = _values(path, grid, r, columns)
            records.append(_record(year, LOCAL_AUTHORITY, number, _name(path, second, r), values, r))
        elif section == "type" and first in LA_TYPES and not second:
            values = _values(path, grid, r, columns)  # totals by type of LA: checked against England, not returned
        elif section == "region" and first in REGIONS and not second and first not in seen_regions:
            seen_regions.append(first)
            values = _values(path, grid, r, columns)
            records.append(_record(year, REGIONAL, "", first, values, r))
        else:
            expected = {"type": "a type of LA", "region": "a region", "end": "nothing after the regions"}[section]
            raise _fail(path, f"row {r + 1}, column A", f"expected {expected}, found {first or second!r}")
        sums[section] = [s + v for s, v in zip(sums[section], values, strict=True)]
    if seen_regions != list(REGIONS):
        missing = [name for name in REGIONS if name not in seen_regions]
        raise _fail(path, f"row {len(grid)}, column A", f"regions missing: {', '.join(missing) or 'none'} (expected "
                    f"the nine regions in the file's order after the types of LA)")
    for part, summed in sums.items():
        for k, (total, found) in enumerate(zip(england, summed, strict=True)):
            if abs(total - found) > TOLERANCE:
                what = {"la": "local authorities", "type": "types of LA", "region": "regions"}[part]
                raise _fail(path, f"row 5, column {column_letter(every[k])}", f"England's {total:,.0f} is not the sum "
                            f"of its {what} ({found:,.0f}); rows are missing or changed")
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    frame["row"] = frame["row"].astype("int64")
    return frame


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _year(path: Path, grid: list[list], sheet_names: list[str]) -> tuple[str, str]:
    """``("2020-21", "2020 to 2021")`` from the title, checked against the information sheet's name."""
    title = _text(grid[0][0])
    match = TITLE.match(title)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise _fail(path, "row 1, column A", f"expected a title such as 'Dedicated schools grant: 2020 to 2021 "
                    f"allocations local authority summary', found {title!r}")
    years = f"{match[1]} to {match[2]}"
    information = f"Information_{match[1]}_to_{match[2]}"
    if information not in sheet_names:
        raise DataValidationError(f"{path.name}: the title's year {years} has no sheet {information!r} (found "
                                  f"{', '.join(map(repr, sheet_names))}); the file's year is unclear")
    return f"{match[1]}-{match[2][2:]}", years


def _block(path: Path, grid: list[list], heading: str, block: str) -> list[int]:
    """The five columns under the row-1 heading that begins ``heading``, their labels and letters checked."""
    start = next((c for c, v in enumerate(grid[0]) if _text(v).startswith(heading)), None)
    if start is None:
        raise _fail(path, f"row 1, column {'C' if block == 'before' else 'H'}", f"expected a heading beginning "
                    f"{heading!r}, found {_text(grid[0][2 if block == 'before' else 7])!r}")
    for offset, (label, letter) in enumerate(zip(LABELS[block], LETTERS[block], strict=True)):
        c = start + offset
        for r, want in ((1, label), (2, letter)):
            found = _text(grid[r][c]) if c < len(grid[r]) else ""
            if found != want:
                raise _fail(path, f"row {r + 1}, column {column_letter(c)}", f"expected {want!r}, found {found!r}")
    return list(range(start, start + 5))


def _values(path: Path, grid: list[list], r: int, columns: dict[str, list[int]]) -> list[float]:
    """The row's ten figures, each total checked against its four blocks."""
    values = []
    for block in ("before", "after"):
        row = []
        for c in columns[block]:
            value = grid[r][c]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or pd.isna(value):
                raise _fail(path, f"row {r + 1}, column {column_letter(c)}", f"expected an amount in £, found {value!r}")
            row.append(float(value))
        if abs(row[4] - sum(row[:4])) > TOLERANCE:
            first, last = LETTERS[block][0], LETTERS[block][3]
            raise _fail(path, f"row {r + 1}, column {column_letter(columns[block][4])}", f"the total {row[4]:,.0f} is "
                        f"not the sum of {first} to {last} ({sum(row[:4]):,.0f})")
        values += row
    return values


def _la_number(path: Path, value, r: int) -> str:
    text = _text(value)
    text = text[:-2] if isinstance(value, float) and text.endswith(".0") else text
    if not (text.isdigit() and len(text) == 3):
        raise _fail(path, f"row {r + 1}, column A", f"expected a three-digit LA number, found {value!r}")
    return text


def _name(path: Path, name: str, r: int) -> str:
    if not name:
        raise _fail(path, f"row {r + 1}, column B", "expected the LA's name, found a blank")
    return name


def _record(year: str, level: str, number: str, name: str, values: list[float], r: int) -> dict:
    return {"financial_year": year, "level": level, "la_number": number, "area_name": name,
            "high_needs_block": values[5 + HIGH_NEEDS], "high_needs_block_before_deductions": values[HIGH_NEEDS],
            "total_dsg": values[TOTAL], "total_dsg_after_recoupment": values[5 + TOTAL], "row": r + 1}
