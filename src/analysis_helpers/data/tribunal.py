"""DfE's SEND Tribunal appeal-rate table, as published, to a tidy table (or a one-line error).

The release zip carries ``supporting-files/SEND Tribunals and appeal rate
2014-2024.csv``: a spreadsheet saved as CSV, not an EES file. Its layout, which
this reader checks rather than assumes:

* line 1 the title (``SEND Appeal rate table 1: …``), lines 2–3 blank;
* a two-row header: line 4 ``Local Authority``, ``LA code`` and the calendar
  years 2014 … 2024 (one every three columns), line 5 ``Appeals registered``,
  ``Total Appealable Decisions`` and ``SEND Tribunal Appeal Rate`` under each
  year, then two "In development" columns for 2024 (footnote numbers such as
  ``Appeals registered4`` are stripped before comparing);
* one block per region: a heading row (``NORTH EAST``, every other cell blank)
  and its local authorities (name, three-digit LA code, three cells a year);
* ``England Total`` (the national row), ``England total excluding
  suppressed`` (for the "in development" measure only), sources, numbered
  notes, and last the legend of symbols: ``.. Not Available``, ``~ Suppressed``.

Cells that hold no number keep their symbol beside the missing value, as the
EES reader does: ``..`` and ``~`` with the meaning the file's own legend gives,
``-`` (not in the legend; it is the tribunal statistics' "nil", and the reader
checks that the published rate beside it is 0.00%) read as 0, ``x`` (only in
the "in development" columns, not read here) and a blank.

Anything else (a renamed column, a symbol where it is not expected, a symbol
the legend does not define, a file whose legend or England row is missing, or
local authorities that no longer add up to the England total) is a
:class:`~analysis_helpers.core.errors.DataValidationError` naming the file, the
line and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data.geography import LOCAL_AUTHORITY

#: The member of the release zip this reader reads.
TRIBUNAL_FILE = "SEND Tribunals and appeal rate 2014-2024.csv"
TITLE = "SEND Appeal rate table 1"
YEARS = tuple(str(y) for y in range(2014, 2025))
#: Line-5 headings under each year, and the measure columns they become.
PER_YEAR = (("Appeals registered", "appeals_registered"), ("Total Appealable Decisions", "appealable_decisions"),
            ("SEND Tribunal Appeal Rate", "published_rate_pct"))
IN_DEVELOPMENT = ("In development: Total Appealable Decisions", "In development: SEND Tribunal Appeal Rate")
WIDTH = 2 + 3 * len(YEARS) + len(IN_DEVELOPMENT)
#: Symbols the file uses without defining them in its legend.
NIL = "-"
UNDEFINED_SYMBOLS = {NIL: "nil (published rate 0.00%)", "x": "unavailable", "": "blank"}
#: The legend's symbols that must be defined for the file to be complete.
LEGEND_SYMBOLS = ("..", "~")
NATIONAL_ROW = "England Total"
EXCLUDING_SUPPRESSED_ROW = "England total excluding suppressed"

_NUMBER = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")
_RATE = re.compile(r"^\d+(\.\d+)?%$")
_FOOTNOTE = re.compile(r"(?<=[A-Za-z)])\d+(,\d+)*$")
_LEGEND = re.compile(r"^(\S{1,3})\s+([A-Za-z].*)$")


@dataclass
class AppealTable:
    """The appeal-rate table, one row per area and year.

    Attributes
    ----------
    source : str
        ``"<release file>:<member>"``, the provenance string of KPI rows.
    data : pandas.DataFrame
        ``line`` (in the file), ``geographic_level`` (``"Local authority"`` or
        ``"National"``), ``region`` (the heading the LA sits under, as
        published), ``area_name`` (footnote numbers stripped), ``la_code`` (as
        published; blank for Bournemouth and Poole), ``year``,
        ``appeals_registered``, ``appealable_decisions``, ``published_rate_pct``
        (floats; missing where the file has a symbol) and, for the two counts,
        ``<column>_symbol`` (``""`` where a number is published).
    legend : dict
        Symbol -> meaning, from the file's legend and :data:`UNDEFINED_SYMBOLS`.
    """

    source: str
    data: pd.DataFrame
    legend: dict[str, str]

    def reason(self, row: int, column: str) -> str | None:
        """Why a count is missing (``"Not Available"``, …), or None if a number is published."""
        symbol = self.data.at[row, f"{column}_symbol"]
        return None if symbol == "" and pd.notna(self.data.at[row, column]) else self.legend.get(symbol, symbol)


def column_letter(index: int) -> str:
    """Spreadsheet column of a 0-based index: 0 -> ``A``, 26 -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def strip_footnote(text: str) -> str:
    """``"Appeals registered4"`` -> ``"Appeals registered"``; ``"England Total4,9"`` -> ``"England Total"``."""
    return _FOOTNOTE.sub("", text.strip()).strip()


def parse_tribunal_csv(raw: bytes, label: str) -> AppealTable:
    """Parse the bytes of the appeal-rate CSV (``label`` names it in errors and provenance)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataValidationError(f"{label}: line {line}: bytes that are not UTF-8 text (expected the file as published)") from None
    lines = _rows(text, label)
    if not lines or not lines[0][1][0].startswith(TITLE):
        raise DataValidationError(f"{label}: line 1: expected the title {TITLE + ': …'!r} (is this the appeal-rate table?)")
    _check_header(lines, label)
    legend = _legend(lines, label)
    records, national = _data_rows(lines, label, legend)
    data = pd.DataFrame.from_records(records)
    _check_england_total(data, national, label)
    return AppealTable(source=label, data=data, legend=legend)


def _rows(text: str, label: str) -> list[tuple[int, list[str]]]:
    """``(line, cells)`` per CSV record; every record has the table's width."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataValidationError(f"{label}: line {line}: not readable as CSV ({exc})") from None
        if len(cells) != WIDTH:
            raise DataValidationError(
                f"{label}: line {line}: {len(cells)} cells where the table has {WIDTH}; the row is malformed or the file is truncated"
            )
        rows.append((line, cells))
    return rows


def _check_header(lines: list[tuple[int, list[str]]], label: str) -> None:
    if len(lines) < 5:
        raise DataValidationError(f"{label}: the file ends at line {len(lines)} (expected the two header rows on lines 4 and 5)")
    (line4, top), (line5, sub) = lines[3], lines[4]
    expected_top = {0: "Local Authority", 1: "LA code"} | {2 + 3 * k: year for k, year in enumerate(YEARS)}
    for index in range(WIDTH):
        want, found = expected_top.get(index, ""), top[index].strip()
        if found != want:
            raise DataValidationError(
                f"{label}: line {line4}, column {column_letter(index)}: expected {want!r} in the header, found {found!r}"
            )
    expected_sub = {2 + 3 * k + i: (heading, year) for k, year in enumerate(YEARS) for i, (heading, _) in enumerate(PER_YEAR)}
    expected_sub |= {WIDTH - len(IN_DEVELOPMENT) + i: (heading, YEARS[-1]) for i, heading in enumerate(IN_DEVELOPMENT)}
    for index in range(WIDTH):
        want, year = expected_sub.get(index, ("", ""))
        found = strip_footnote(sub[index])
        if found != want:
            where = f" (under {year})" if year else ""
            raise DataValidationError(
                f"{label}: line {line5}, column {column_letter(index)}: expected {want!r}{where} in the header, found {found!r}"
            )


def _legend(lines: list[tuple[int, list[str]]], label: str) -> dict[str, str]:
    """The symbols the file's last rows define (``..`` Not Available, ``~`` Suppressed), plus the undefined ones."""
    legend: dict[str, str] = {}
    for _, cells in lines[5:]:
        match = _LEGEND.match(cells[0].strip())
        if match and not any(c.strip() for c in cells[1:]) and not match.group(1)[0].isalnum():
            legend[match.group(1)] = match.group(2).strip()
    missing = [s for s in LEGEND_SYMBOLS if s not in legend]
    if missing:
        raise DataValidationError(
            f"{label}: line {lines[-1][0]}: the file ends without its legend of symbols "
            f"(expected rows defining {', '.join(map(repr, missing))}); it looks truncated"
        )
    return legend | UNDEFINED_SYMBOLS


def _data_rows(lines, label: str, legend: dict[str, str]) -> tuple[list[dict], dict[str, tuple[int, float, float]]]:
    """LA and England records, one per year; England's counts by year with its line."""
    records: list[dict] = []
    national: dict[str, tuple[int, float, float]] = {}
    region = ""
    for line, cells in lines[5:]:
        name = strip_footnote(cells[0])
        values = [c.strip() for c in cells[1:]]
        if name == EXCLUDING_SUPPRESSED_ROW:
            continue  # totals for the "in development" measure only
        if name and not any(values) and name.isupper():
            region = name
            continue
        if name == NATIONAL_ROW:
            for year, appeals, decisions, rate in _years(line, cells, label, legend):
                national[year] = (line, appeals[0], decisions[0])
                records.append(_record(line, "National", "", "England", "", year, appeals, decisions, rate))
            break
        if not name:
            if any(values):
                raise DataValidationError(f"{label}: line {line}, column A: a row of figures without an area name")
            continue
        code = values[0]
        if not re.fullmatch(r"\d{3}|", code):
            raise DataValidationError(
                f"{label}: line {line}, column B: LA code {code!r} for {name!r} (expected three digits or a blank)"
            )
        if not region:
            raise DataValidationError(f"{label}: line {line}: {name!r} comes before any region heading (expected e.g. 'NORTH EAST')")
        for year, appeals, decisions, rate in _years(line, cells, label, legend):
            records.append(_record(line, LOCAL_AUTHORITY, region, name, code, year, appeals, decisions, rate))
    if not national:
        last = lines[-1][0]
        raise DataValidationError(
            f"{label}: line {last}: no {NATIONAL_ROW!r} row after the local authorities; rows are missing or the file is truncated"
        )
    return records, national


def _record(line, level, region, name, code, year, appeals, decisions, rate) -> dict:
    return {
        "line": line, "geographic_level": level, "region": region, "area_name": name, "la_code": code, "year": year,
        "appeals_registered": appeals[0], "appealable_decisions": decisions[0], "published_rate_pct": rate[0],
        "appeals_registered_symbol": appeals[1], "appealable_decisions_symbol": decisions[1],
    }


def _years(line: int, cells: list[str], label: str, legend: dict[str, str]):
    """Per year, the three cells as ``(value, symbol)``; the in-development cells are checked, not returned."""
    for k, year in enumerate(YEARS):
        first = 2 + 3 * k
        parsed = [_cell(cells[first + i], line, first + i, year, kind, label, legend) for i, (kind, _) in enumerate(PER_YEAR)]
        appeals, decisions, rate = parsed
        if appeals[1] == NIL and rate[0] != 0 and rate[1] != "..":
            raise DataValidationError(
                f"{label}: line {line}, column {column_letter(first + 2)}: rate {cells[first + 2].strip()!r} beside appeals "
                f"'-' for {year} (expected 0.00%: '-' is read as nil)"
            )
        yield year, appeals, decisions, rate
    for i, heading in enumerate(IN_DEVELOPMENT):
        index = WIDTH - len(IN_DEVELOPMENT) + i
        _cell(cells[index], line, index, YEARS[-1], heading, label, legend, in_development=True)


def _cell(text: str, line: int, index: int, year: str, kind: str, label: str, legend: dict[str, str], in_development=False):
    """One published cell as ``(float or None, symbol)``; anything unexpected names its line and column."""
    word = text.strip()
    is_rate = kind.endswith("Rate")
    if (_RATE if is_rate else _NUMBER).match(word):
        return float(word.rstrip("%").replace(",", "")), ""
    if word == NIL and not is_rate:
        return 0.0, NIL
    if word == "x" and in_development:
        return None, word
    if word in ("", "..") or word == "~" and word in legend:
        return None, word
    allowed = ", ".join(f"{s!r} ({legend[s]})" for s in ("..", "~") if s in legend)
    expected = "a percentage such as 1.60%" if is_rate else "a count such as 1,234"
    raise DataValidationError(
        f"{label}: line {line}, column {column_letter(index)} ({kind}, {year}): unexpected value {word!r} "
        f"(expected {expected}, '-' for nil or a symbol of the legend: {allowed})"
    )


def _check_england_total(data: pd.DataFrame, national: dict[str, tuple[int, float, float]], label: str) -> None:
    """England's published counts are the sums of the LA rows (DfE's rule): a missing or changed row shows here."""
    las = data[data["geographic_level"] == LOCAL_AUTHORITY]
    for year, (line, appeals, decisions) in national.items():
        rows = las[las["year"] == year]
        for k, (column, total) in enumerate((("appeals_registered", appeals), ("appealable_decisions", decisions))):
            summed = rows[column].sum(min_count=1)
            suppressed = (rows[f"{column}_symbol"] == "~").any()
            if total is None or pd.isna(total) or (summed == total or suppressed and summed <= total):
                continue
            index = 2 + 3 * YEARS.index(year) + k
            raise DataValidationError(
                f"{label}: line {line}, column {column_letter(index)}: England's {PER_YEAR[k][0]!r} for {year} is {total:,.0f} "
                f"but the local authority rows sum to {summed:,.0f}; rows are missing or changed"
            )
