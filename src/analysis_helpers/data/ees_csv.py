"""One EES CSV, as published, to a typed table (or a one-line error).

* indicator columns become numbers and EES symbols missing values (the symbol
  is kept, see :mod:`~analysis_helpers.data.symbols`); a value that is neither
  a number nor a known symbol is an error naming the file, the line and the
  column;
* periods get a label and an end date (:mod:`~analysis_helpers.data.periods`)
  and rows an area code and name (:mod:`~analysis_helpers.data.geography`);
* a missing or renamed column, a short row, a file that stops mid-line, or a
  file with no data rows is a :class:`~analysis_helpers.core.errors.DataValidationError`.

Reading has two paths. The fast one lets Arrow type every indicator column in
one pass. If Arrow refuses (an unexpected value somewhere), the slow one reads
everything as text and converts column by column, so the bad cell can be named.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data.geography import GEOGRAPHY_COLUMNS, REQUIRED_GEOGRAPHY, add_geography
from analysis_helpers.data.periods import add_period
from analysis_helpers.data.symbols import SYMBOLS, is_symbol, meaning, symbol_table

#: CSV block size for Arrow: small enough that both cores parse in parallel.
BLOCK_SIZE = 1 << 20


@dataclass(frozen=True)
class FileSchema:
    """What a release file must contain for the KPI table to be built from it.

    Attributes
    ----------
    name : str
        File name inside the release, e.g. ``"timeliness_20_week.csv"``.
    indicators : tuple of str
        Columns that must exist and must be numeric (or an EES symbol).
    filters : tuple of str
        Text columns that must exist (the breakdown columns).
    """

    name: str
    indicators: tuple[str, ...]
    filters: tuple[str, ...] = ("breakdown_topic", "breakdown")
    geography: tuple[str, ...] = GEOGRAPHY_COLUMNS


@dataclass
class ReleaseFile:
    """One parsed file of a release.

    Attributes
    ----------
    name : str
        File name inside the release.
    source : str
        ``"<release file>:<member>"``, the provenance string used in KPI rows.
    data : pandas.DataFrame
        Typed rows: geography and filter columns as text, indicators as float,
        plus ``period``, ``period_end``, ``area_code`` and ``area_name``.
    symbols : pandas.DataFrame
        Same rows, one column per indicator: the EES symbol where the value is
        missing (``"x"``, ``"z"``, …), ``""`` otherwise. Worked out on first use.
    """

    name: str
    source: str
    data: pd.DataFrame
    symbol_loader: Callable[[], pd.DataFrame] | None = field(default=None, repr=False)
    _symbols: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def symbols(self) -> pd.DataFrame:
        if self._symbols is None:
            self._symbols = self.symbol_loader() if self.symbol_loader else pd.DataFrame(index=self.data.index)
        return self._symbols

    def reason(self, column: str, row) -> str | None:
        """Why a value is missing (``"unavailable"``, …), or None if present."""
        return meaning(self.symbols.at[row, column])


def parse_ees_csv(raw: bytes, label: str, schema: FileSchema | None = None) -> ReleaseFile:
    """Parse the bytes of one EES CSV into a :class:`ReleaseFile`.

    Parameters
    ----------
    raw : bytes
        The file's bytes (UTF-8, with or without a byte-order mark).
    label : str
        How errors and provenance name the file.
    schema : FileSchema, optional
        Columns that must be present and numeric. Without it, indicator columns
        are inferred: a column whose every value is a number or a symbol.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not re.search(rb"\S", raw):
        raise DataValidationError(f"{label}: the file is empty (expected a header row and data rows)")
    if not raw.endswith((b"\n", b"\r")):
        last_line = raw.count(b"\n") + 1
        raise DataValidationError(f"{label}: line {last_line}: the file stops mid-line (no line ending); it looks truncated")
    header = read_header(raw, label, schema)
    check_columns(header, label, schema)

    filters = set(schema.filters) if schema else {"breakdown_topic", "breakdown"}
    geography = set(schema.geography) if schema else set(GEOGRAPHY_COLUMNS)
    text_columns = [c for c in header if c in geography or c in filters]
    candidates = [c for c in header if c not in text_columns]
    declared = set(schema.indicators) if schema else set()

    try:  # fast path: Arrow parses numbers and symbols in one pass
        columns = _typed_read(raw, header, text_columns, candidates)
    except pa.ArrowInvalid:  # something unusual: the string path finds and names it
        columns = _string_read(raw, header, label, text_columns, declared)
    if len(columns[header[0]]) == 0:
        raise DataValidationError(f"{label}: the file has a header but no data rows")

    out = pd.DataFrame(columns)
    add_period(out, label)
    add_geography(out, label)
    indicators = [c for c in candidates if out[c].dtype.kind == "f"]
    name = label.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return ReleaseFile(name=name, source=label, data=out, symbol_loader=partial(read_symbols, raw, header, indicators, label))


def read_symbols(raw: bytes, header: list[str], indicators: list[str], label: str) -> pd.DataFrame:
    """Per indicator column, the EES symbol where the value is missing ("" where present)."""
    if not indicators:
        return pd.DataFrame()
    return symbol_table(_text_read(raw, header, label), indicators)


# -- header and columns ---------------------------------------------------------
def read_header(raw: bytes, label: str, schema: FileSchema | None) -> list[str]:
    """Column names from line 1. A repeated name is renamed ``name__2`` unless we use it."""
    first_line = raw.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        header = next(csv.reader([first_line.decode("utf-8")]))
    except UnicodeDecodeError as exc:
        raise DataValidationError(f"{label}: line 1: the header is not UTF-8 text ({exc.reason})") from exc
    needed = set(REQUIRED_GEOGRAPHY)
    if schema:
        needed |= set(schema.indicators) | set(schema.filters)
    seen: dict[str, int] = {}
    names = []
    for column in (h.strip() for h in header):
        seen[column] = seen.get(column, 0) + 1
        if seen[column] > 1:
            if column in needed:
                raise DataValidationError(f"{label}: line 1: column {column!r} appears twice in the header")
            column = f"{column}__{seen[column]}"  # DfE's annual_reviews.csv repeats a column
        names.append(column)
    return names


def check_columns(header: list[str], label: str, schema: FileSchema | None) -> None:
    """Every column the schema needs is in the header (a near miss is named as a likely rename)."""
    required = list(REQUIRED_GEOGRAPHY)
    if schema:
        required += [c for c in schema.geography if c not in required] + list(schema.filters) + list(schema.indicators)
    for column in required:
        if column not in header:
            close = difflib.get_close_matches(column, header, n=1, cutoff=0.6)
            hint = f"; found {close[0]!r} instead - was it renamed?" if close else ""
            raise DataValidationError(f"{label}: column {column!r} is missing (expected in the header row){hint}")


# -- the two reading paths ------------------------------------------------------
def _typed_read(raw: bytes, header: list[str], text_columns: list[str], candidates: list[str]) -> dict:
    """Read with indicator columns typed float64 and EES symbols as nulls (C++ speed)."""
    types = {c: pa.dictionary(pa.int32(), pa.string()) for c in text_columns}
    types |= {c: pa.float64() for c in candidates}
    table = pacsv.read_csv(
        io.BytesIO(raw),
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=BLOCK_SIZE),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            null_values=list(SYMBOLS),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    columns: dict[str, object] = {}
    for column in header:
        array = table.column(column).combine_chunks()
        if column in types and pa.types.is_dictionary(types[column]):
            words = np.asarray([w.strip() for w in array.dictionary.to_pylist()], dtype=object)
            columns[column] = words[array.indices.to_numpy(zero_copy_only=False)] if len(words) else np.full(len(array), "", dtype=object)
        else:
            columns[column] = array.to_numpy(zero_copy_only=False)
    return columns


def _string_read(raw, header, label, text_columns, declared) -> dict:
    """Slow path: read everything as text, trim, then convert column by column."""
    table = _text_read(raw, header, label)
    columns: dict[str, object] = {}
    for column in header:
        encoded = table.column(column).combine_chunks().dictionary_encode()
        words = pc.utf8_trim_whitespace(encoded.dictionary)
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        if column in text_columns:
            columns[column] = np.asarray(words.to_pylist(), dtype=object)[indices]
            continue
        symbol = is_symbol(words)
        try:
            numbers = pc.cast(pc.if_else(symbol, pa.scalar(None, pa.string()), words), pa.float64())
        except pa.ArrowInvalid:
            if column in declared:
                _raise_not_numeric(words, symbol, indices, column, label)
            columns[column] = np.asarray(words.to_pylist(), dtype=object)[indices]  # text we do not use
            continue
        columns[column] = numbers.to_numpy(zero_copy_only=False)[indices]
    return columns


def _text_read(raw: bytes, header: list[str], label: str) -> pa.Table:
    """Every column as text; a row Arrow cannot read is located and named."""
    try:
        return pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=BLOCK_SIZE),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise DataValidationError(_locate_bad_row(raw, len(header), label, exc)) from exc


# -- naming what is wrong (slow paths, only on error) ------------------------------
def _raise_not_numeric(words: pa.Array, symbol: pa.Array, indices: np.ndarray, column: str, label: str) -> None:
    """Name the first row whose value is neither a number nor a symbol."""
    values = pd.Series(words.to_pylist(), dtype=object)
    numeric = pd.to_numeric(values, errors="coerce").notna() | pd.Series(symbol.to_pylist())
    bad_words = np.flatnonzero(~numeric.to_numpy())
    row = int(np.flatnonzero(np.isin(indices, bad_words))[0])
    raise DataValidationError(
        f"{label}: line {row + 2}, column {column!r}: value {values.iat[indices[row]]!r} is not a number "
        f"or a known symbol ({', '.join(repr(s) for s in SYMBOLS if s)})"
    )


def _locate_bad_row(raw: bytes, width: int, label: str, exc: Exception) -> str:
    """Find the first row that pyarrow rejected."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return f"{label}: line {line}: bytes that are not UTF-8 text (save the file as UTF-8)"
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    for row in reader:
        if row and len(row) != width:
            return (
                f"{label}: line {reader.line_num}: {len(row)} fields where the header has {width}; "
                "the row is malformed or the file is truncated"
            )
    return f"{label}: could not be parsed as CSV ({exc})"
