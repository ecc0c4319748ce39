"""Ofsted's area SEND inspections, read as published: every local area's inspections and revisits.

Two files, both checked against the data log before they are read:

* ``raw/Area_SEND_inspection_data_01_May_2016_to_31_August_2022.ods``, Ofsted's
  official statistics for the 2016 framework (sheet
  ``Area_SEND_up_to_31_Aug_2022``: four lines of notes, a header row, one row an
  area): the inspection's start and publication dates, whether a written
  statement of action (WSoA) was required, the number of significant
  weaknesses it named, and the revisit's dates and outcome ("Yes", "Some" or
  "No" sufficient progress, with the weaknesses on each side). Kent, January
  2019: a WSoA, 9 significant weaknesses, not revisited by 31 August 2022.
* ``raw/mi_ofsted_winter_2223.csv``, management information on inspections
  under the 2023 framework (outcome, whether a priority action plan is
  required and for how many areas), named by local area partnership, not code.

Each reader checks its file's layout first and refuses a changed one in one
line naming the file, the sheet, the row and the column, as the tribunal reader
does: a column that moved is never read as another.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import OFSTED_2023_FRAMEWORK_FILE, OFSTED_INSPECTIONS_FILE
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.csv_files import read_text
from analysis_helpers.data.provenance import verify_raw_file

SHEET = "Area_SEND_up_to_31_Aug_2022"
#: The 2016 framework sheet's header row (0-based) and its columns, exactly as Ofsted labels them.
HEADER_ROW = 4
COLUMNS_2016 = {
    "Web link to Ofsted local authority webpage": None,
    "Local authority code": "area_code",
    "Area name": "area_name",
    "Ofsted region": "ofsted_region",
    "Inspection start date": "inspection_start",
    "Inspection publication date": "inspection_published",
    "Inspection outcome: written statement of action required?": "wsoa_required",
    "Number significant weaknesses identified in written statement of action": "significant_weaknesses",
    "Revisit start date": "revisit_start",
    "Revisit publication date": "revisit_published",
    "Revisit outcome: sufficient progress in addressing all significant weaknesses?": "revisit_sufficient_progress",
    "Number significant weaknesses where sufficient progress has been made": "weaknesses_progressed",
    "Number significant weaknesses where sufficient progress has not been made": "weaknesses_not_progressed",
}
COLUMNS_2023 = {
    "Local.area.partnership": "area_name",
    "Ofsted.region": "ofsted_region",
    "Inspection.start.date": "inspection_start",
    "Inspection.publication.date": "inspection_published",
    "Inspection.outcome": "outcome",
    "Priority.action.plan.required.": "priority_action_plan_required",
    "Number.of.areas.for.priority.action": "priority_action_areas",
}
#: What a revisit cell holds when no revisit has taken place (besides a blank).
NOT_REVISITED = "Not revisited yet"
YES_NO = {"Yes": True, "No": False}
PROGRESS = ("Yes", "Some", "No")


def _fail(path: Path, where: str, message: str) -> DataValidationError:
    return DataValidationError(f"{path.name}: {where}: {message}; the file's layout has changed: check it against the "
                               "data log (data/README.md) before reading it")


def read_2016_framework(path: Path = OFSTED_INSPECTIONS_FILE) -> pd.DataFrame:
    """Every area's 2016-framework inspection and revisit, one row an area (columns: the values of
    :data:`COLUMNS_2016`; dates as dates, counts as numbers, yes/no as booleans, a missing revisit as missing)."""
    path = Path(path)
    verify_raw_file(path)
    try:
        sheet = pd.read_excel(path, engine="odf", sheet_name=SHEET, header=None, dtype=object)
    except ValueError as exc:
        raise _fail(path, f"sheet {SHEET!r}", f"cannot be read ({exc})") from None
    header = [str(v).strip() for v in sheet.iloc[HEADER_ROW]] if len(sheet) > HEADER_ROW else []
    for column, (expected, got) in enumerate(zip(COLUMNS_2016, header + [""] * len(COLUMNS_2016), strict=False)):
        if got != expected:
            raise _fail(path, f"sheet {SHEET!r}, row {HEADER_ROW + 1}, column {column + 1}", f"expected {expected!r}, found {got!r}")
    body = sheet.iloc[HEADER_ROW + 1:, : len(COLUMNS_2016)]
    body.columns = list(COLUMNS_2016)
    rows = []
    for offset, (_, row) in enumerate(body.iterrows()):
        line = HEADER_ROW + 2 + offset  # the spreadsheet's own row number

        def cell(label, row=row, line=line):
            return row[label], f"sheet {SHEET!r}, row {line}, column {list(COLUMNS_2016).index(label) + 1} ({label})"

        rows.append(_parsed(COLUMNS_2016, cell, path))
    return pd.DataFrame(rows, columns=[c for c in COLUMNS_2016.values() if c])


def read_2023_framework(path: Path = OFSTED_2023_FRAMEWORK_FILE) -> pd.DataFrame:
    """Inspections under the 2023 framework, one row an inspection, named by local area partnership (columns: the
    values of :data:`COLUMNS_2023`)."""
    path = Path(path)
    verify_raw_file(path)
    records = list(csv.reader(io.StringIO(read_text(path))))
    header = records[0][1:] if records else []
    for column, (expected, got) in enumerate(zip(COLUMNS_2023, header[1:] + [""] * len(COLUMNS_2023), strict=False)):
        if got != expected:
            raise _fail(path, f"line 1, column {column + 3}", f"expected {expected!r}, found {got!r}")
    rows = []
    for line, record in enumerate(records[1:], start=2):
        values = dict(zip(COLUMNS_2023, record[2:], strict=False))

        def cell(label, values=values, line=line):
            return values.get(label), f"line {line}, column {list(COLUMNS_2023).index(label) + 3} ({label})"

        rows.append(_parsed(COLUMNS_2023, cell, path))
    return pd.DataFrame(rows, columns=list(COLUMNS_2023.values()))


def _parsed(columns: dict[str, str | None], cell, path: Path) -> dict:
    """One row's cells, each read by its column's parser (:data:`PARSERS`); ``cell(label)`` gives a cell's value and where
    it is, for the one-line error."""
    return {out: PARSERS[out][0](*cell(label), path, **PARSERS[out][1]) for label, out in columns.items() if out}


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def _text(value, where: str, path: Path, pattern: str = "") -> str:
    if _blank(value) or not str(value).strip().startswith(pattern):
        raise _fail(path, where, f"expected {'a code starting ' + pattern if pattern else 'a name'}, found {value!r}")
    return str(value).strip()


def _date(value, where: str, path: Path, missing: tuple[str, ...] = ()) -> dt.date | None:
    if _blank(value) or str(value).strip() in missing:
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).date()
    try:
        return dt.datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
    except ValueError:
        raise _fail(path, where, f"expected a date, found {value!r}") from None


def _yes_no(value, where: str, path: Path) -> bool:
    if str(value).strip() not in YES_NO:
        raise _fail(path, where, f"expected Yes or No, found {value!r}")
    return YES_NO[str(value).strip()]


def _choice(value, where: str, path: Path, choices: tuple[str, ...]) -> str | None:
    if _blank(value):
        return None
    if str(value).strip() not in choices:
        raise _fail(path, where, f"expected one of {', '.join(choices)}, found {value!r}")
    return str(value).strip()


def _count(value, where: str, path: Path, missing: tuple[str, ...] = ()) -> float:
    if _blank(value) or str(value).strip() in missing:
        return float("nan")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _fail(path, where, f"expected a whole number, found {value!r}") from None
    if number < 0 or not number.is_integer():
        raise _fail(path, where, f"expected a whole number, found {value!r}")
    return number


def framework_tables(path_2016: Path = OFSTED_INSPECTIONS_FILE, path_2023: Path = OFSTED_2023_FRAMEWORK_FILE
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both files' tables, each read once and kept as parquet under its SHA-256 and the package's code hash (reading
    the 2016 spreadsheet takes about half a second; every kernel of a run, and every area of a batch, reads the parquet)."""
    return tuple(parquet_cache.file_table("ofsted", path, verify_raw_file(path), read)
                 for path, read in ((path_2016, read_2016_framework), (path_2023, read_2023_framework)))


#: How each column of the table is read from its cell: the parser and its options.
PARSERS = {
    "area_code": (_text, {"pattern": "E"}),
    "area_name": (_text, {}),
    "ofsted_region": (_text, {}),
    "inspection_start": (_date, {}),
    "inspection_published": (_date, {}),
    "wsoa_required": (_yes_no, {}),
    "significant_weaknesses": (_count, {}),
    "revisit_start": (_date, {"missing": (NOT_REVISITED,)}),
    "revisit_published": (_date, {}),
    "revisit_sufficient_progress": (_choice, {"choices": PROGRESS}),
    "weaknesses_progressed": (_count, {}),
    "weaknesses_not_progressed": (_count, {}),
    "outcome": (_text, {}),
    "priority_action_plan_required": (_yes_no, {}),
    "priority_action_areas": (_count, {"missing": ("NA",)}),
}
