"""Read DfE explore-education-statistics (EES) files exactly as published.

A *release* is the zip DfE publishes (or the same files unpacked in a folder).
This module turns one CSV of a release into a typed table and refuses anything
that is not in the published form:

* symbols (``x``, ``z``, ``c``, ``low``, ``u``, ``:``, ``~`` and blanks) become
  missing values; the symbol is kept beside the value, because "unavailable"
  (``x``) and "not applicable" (``z``) are different statements;
* indicator columns become numbers; a value that is neither a number nor a
  known symbol is an error naming the file, the line and the column;
* ``time_period`` becomes a label and an end date: calendar year ``2023`` ends
  2023-12-31; academic year ``202425`` is labelled ``2024/25`` and is the
  January 2025 census (dated 2025-01-31); financial year ``202223`` is
  ``2022-23`` ending 2023-03-31;
* each row gets ``area_code``/``area_name`` for its geographic level
  (England's country code, the region's code, or the LA's GSS code);
* a missing or renamed column, a short row, a file that stops mid-line, or a
  file with no data rows is a :class:`~analysis_helpers.core.errors.DataValidationError`.

Parsed files are cached as parquet in ``data/cache/`` under the release's
SHA-256, so a changed release can never be served from a stale cache.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import CACHE_DIR, DEFAULT_RELEASE
from analysis_helpers.data.provenance import publication_date, verify_raw_file

#: EES symbols and what they mean (from DfE's data guidance and EES conventions).
SYMBOLS: dict[str, str] = {
    "x": "unavailable",
    "z": "not applicable",
    "c": "confidential (suppressed)",
    "low": "rounds to zero but is not zero",
    "u": "low reliability",
    ":": "not available",
    "~": "rounds to zero",
    "": "blank",
}

GEOGRAPHY_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
)
#: Columns every EES file must have for this package to place its rows.
REQUIRED_GEOGRAPHY = ("time_period", "time_identifier", "geographic_level")

GEOGRAPHIC_LEVELS = ("National", "Regional", "Local authority")
_SYMBOL_SET = pa.array(list(SYMBOLS))

#: Bump when parsing changes, so old caches are not reused.
READER_VERSION = "4"
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
        symbol = self.symbols.at[row, column]
        if not symbol or pd.isna(symbol):
            return None
        return SYMBOLS.get(symbol, symbol)


class Release:
    """A DfE EES release: a zip as published, or the same files in a folder.

    Parameters
    ----------
    path : path-like
        The zip or folder. Files under ``data/raw`` are checked against the data
        log's SHA-256 before anything is read.
    cache : bool
        Cache parsed files as parquet under ``data/cache`` (default True).
    """

    def __init__(self, path: os.PathLike | str = DEFAULT_RELEASE, cache: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            raise DataValidationError(f"{self.path}: release not found (expected a DfE release zip or folder)")
        self.sha256 = verify_raw_file(self.path)
        self.cache = cache
        self.published = publication_date(self.path)
        self._parsed: dict[tuple[str, FileSchema | None], ReleaseFile] = {}

    def __repr__(self) -> str:
        return f"Release({self.path.name!r}, sha256={self.sha256[:12]}…)"

    # -- listing -------------------------------------------------------------
    @cached_property
    def members(self) -> dict[str, str]:
        """CSV file name -> its path inside the zip or folder."""
        if self.path.is_dir():
            names = [p.relative_to(self.path).as_posix() for p in self.path.rglob("*.csv")]
        else:
            try:
                with zipfile.ZipFile(self.path) as archive:
                    names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            except zipfile.BadZipFile as exc:
                raise DataValidationError(f"{self.path}: not a readable zip ({exc}); the download may be truncated") from exc
        found: dict[str, str] = {}
        for member in sorted(names, key=lambda n: (not n.startswith("data/"), n)):
            found.setdefault(Path(member).name, member)
        return found

    def data_files(self) -> list[str]:
        """Names of the release's data CSVs (``data/…``), without supporting files."""
        return sorted(n for n, m in self.members.items() if m.startswith("data/") or "/" not in m)

    def label(self, name: str) -> str:
        return f"{self.path.name}:{self.members.get(name, name)}"

    # -- reading -------------------------------------------------------------
    def read_bytes(self, name: str) -> bytes:
        member = self.members.get(name)
        if member is None:
            raise DataValidationError(
                f"{self.path.name}: has no file {name!r} (files: {', '.join(sorted(self.members)) or 'none'})"
            )
        if self.path.is_dir():
            return (self.path / member).read_bytes()
        try:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(member)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise DataValidationError(f"{self.label(name)}: cannot be read from the zip ({exc}); the file may be truncated") from exc

    def read(self, name: str, schema: FileSchema | None = None) -> ReleaseFile:
        """Parse one file of the release (kept in memory; from the parquet cache when valid)."""
        key = (name, schema)
        if key not in self._parsed:
            self._parsed[key] = self._read(name, schema)
        return self._parsed[key]

    def read_many(self, names: list[str], schemas: dict[str, FileSchema] | None = None, workers: int = 2) -> dict[str, ReleaseFile]:
        """Parse several files, two at a time (zip inflation overlaps with parsing).

        Errors are raised for the first failing file in ``names`` order.
        """
        from concurrent.futures import ThreadPoolExecutor

        schemas = schemas or {}
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {name: pool.submit(self.read, name, schemas.get(name)) for name in names}
            return {name: futures[name].result() for name in names}

    def _read(self, name: str, schema: FileSchema | None) -> ReleaseFile:
        cache_path = self._cache_path(name, schema)
        if cache_path is not None and cache_path.exists():
            try:
                return _from_parquet(cache_path, name, self.label(name), partial(self._symbols_for, name, schema))
            except Exception:  # a damaged cache is rebuilt, never trusted
                cache_path.unlink(missing_ok=True)
        parsed = parse_ees_csv(self.read_bytes(name), self.label(name), schema)
        if cache_path is not None:
            _to_parquet(parsed, cache_path)
        return parsed

    def _symbols_for(self, name: str, schema: FileSchema | None) -> pd.DataFrame:
        return parse_ees_csv(self.read_bytes(name), self.label(name), schema).symbols

    def _cache_path(self, name: str, schema: FileSchema | None) -> Path | None:
        if not self.cache:
            return None
        tag = "schema" if schema else "plain"
        return CACHE_DIR / f"{self.sha256[:20]}-v{READER_VERSION}-{tag}-{name}.parquet"


_open: dict[tuple[str, str], Release] = {}


def open_release(path: os.PathLike | str | None = None) -> Release:
    """A :class:`Release`, shared between callers while the file is unchanged."""
    path = Path(path) if path is not None else DEFAULT_RELEASE
    if not path.exists():
        raise DataValidationError(f"{path}: release not found (expected a DfE release zip or folder)")
    sha = verify_raw_file(path)
    key = (str(path.resolve()), sha)
    if key not in _open:
        _open[key] = Release(path)
    return _open[key]


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------
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
        raise DataValidationError(
            f"{label}: line {last_line}: the file stops mid-line (no line ending); it looks truncated"
        )
    header = _header(raw, label, schema)
    _check_columns(header, label, schema)

    filters = set(schema.filters) if schema else {"breakdown_topic", "breakdown"}
    geography = set(schema.geography) if schema else set(GEOGRAPHY_COLUMNS)
    text_columns = [c for c in header if c in geography or c in filters]
    candidates = [c for c in header if c not in text_columns]
    declared = set(schema.indicators) if schema else set()

    try:  # fast path: Arrow parses numbers and symbols in one pass
        columns = _typed_read(raw, header, text_columns, candidates)
    except pa.ArrowInvalid:  # something unusual: the string path finds and names it
        columns = _string_read(raw, header, label, text_columns, candidates, declared)
    if len(columns[header[0]]) == 0:
        raise DataValidationError(f"{label}: the file has a header but no data rows")

    out = pd.DataFrame(columns)
    _add_time(out, label)
    _add_geography(out, label)
    indicators = [c for c in candidates if out[c].dtype.kind == "f"]
    name = label.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return ReleaseFile(name=name, source=label, data=out, symbol_loader=partial(_read_symbols, raw, header, indicators, label))


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


def _string_read(raw, header, label, text_columns, candidates, declared) -> dict:
    """Slow path: read everything as text, trim, then convert column by column."""
    table = _arrow_read(raw, header, label)
    columns: dict[str, object] = {}
    for column in header:
        encoded = table.column(column).combine_chunks().dictionary_encode()
        words = pc.utf8_trim_whitespace(encoded.dictionary)
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        if column in text_columns:
            columns[column] = np.asarray(words.to_pylist(), dtype=object)[indices]
            continue
        is_symbol = pc.is_in(words, value_set=_SYMBOL_SET)
        try:
            numbers = pc.cast(pc.if_else(is_symbol, pa.scalar(None, pa.string()), words), pa.float64())
        except pa.ArrowInvalid:
            if column in declared:
                _raise_not_numeric(words, is_symbol, indices, column, label)
            columns[column] = np.asarray(words.to_pylist(), dtype=object)[indices]  # text we do not use
            continue
        columns[column] = numbers.to_numpy(zero_copy_only=False)[indices]
    return columns


def _read_symbols(raw: bytes, header: list[str], indicators: list[str], label: str) -> pd.DataFrame:
    """Per indicator column, the EES symbol where the value is missing ("" where present)."""
    if not indicators:
        return pd.DataFrame()
    table = _arrow_read(raw, header, label)
    symbols = {}
    for column in indicators:
        encoded = table.column(column).combine_chunks().dictionary_encode()
        words = pc.utf8_trim_whitespace(encoded.dictionary)
        is_symbol = pc.is_in(words, value_set=_SYMBOL_SET)
        symbol_words = pc.if_else(is_symbol, words, pa.scalar("")).to_pylist()
        codes, categories = _codes_for(symbol_words, encoded.indices.to_numpy(zero_copy_only=False))
        symbols[column] = pd.Categorical.from_codes(codes, categories)
    return pd.DataFrame(symbols)


def _codes_for(words: list[str], indices: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Category codes and categories for per-row words given as dictionary indices."""
    categories = sorted(set(words))
    position = {word: i for i, word in enumerate(categories)}
    mapping = np.asarray([position[w] for w in words], dtype=np.int16)
    return mapping[indices], categories


def _raise_not_numeric(words: pa.Array, is_symbol: pa.Array, indices: np.ndarray, column: str, label: str) -> None:
    """Slow path, only on error: name the first row whose value is neither number nor symbol."""
    values = pd.Series(words.to_pylist(), dtype=object)
    numeric = pd.to_numeric(values, errors="coerce").notna() | pd.Series(is_symbol.to_pylist())
    bad_words = np.flatnonzero(~numeric.to_numpy())
    row = int(np.flatnonzero(np.isin(indices, bad_words))[0])
    raise DataValidationError(
        f"{label}: line {row + 2}, column {column!r}: value {values.iat[indices[row]]!r} is not a number "
        f"or a known symbol ({', '.join(repr(s) for s in SYMBOLS if s)})"
    )


def _header(raw: bytes, label: str, schema: FileSchema | None) -> list[str]:
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


def _check_columns(header: list[str], label: str, schema: FileSchema | None) -> None:
    required = list(REQUIRED_GEOGRAPHY)
    if schema:
        required += [c for c in schema.geography if c not in required] + list(schema.filters) + list(schema.indicators)
    for column in required:
        if column not in header:
            close = difflib.get_close_matches(column, header, n=1, cutoff=0.6)
            hint = f"; found {close[0]!r} instead - was it renamed?" if close else ""
            raise DataValidationError(f"{label}: column {column!r} is missing (expected in the header row){hint}")


def _arrow_read(raw: bytes, header: list[str], label: str) -> pa.Table:
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


def _locate_bad_row(raw: bytes, width: int, label: str, exc: Exception) -> str:
    """Slow path, only on error: find the first row that pyarrow rejected."""
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


_CALENDAR = "Calendar year"
_ACADEMIC = "Academic year"
_FINANCIAL = "Financial year"


def parse_time_period(time_period: str, time_identifier: str) -> tuple[str, pd.Timestamp]:
    """Label and end date of one EES period.

    ``("2023", "Calendar year")`` -> ``("2023", 2023-12-31)``;
    ``("202425", "Academic year")`` -> ``("2024/25", 2025-01-31)`` (the January
    census); ``("202223", "Financial year")`` -> ``("2022-23", 2023-03-31)``.

    Raises
    ------
    ValueError
        With what was expected, if the pair is not a period this reader knows.
    """
    if time_identifier == _CALENDAR:
        if len(time_period) == 4 and time_period.isdigit():
            return time_period, pd.Timestamp(int(time_period), 12, 31)
        raise ValueError("a four-digit calendar year such as 2023")
    if time_identifier in (_ACADEMIC, _FINANCIAL):
        if len(time_period) == 6 and time_period.isdigit():
            first, second = int(time_period[:4]), int(time_period[4:])
            if second == (first + 1) % 100:
                if time_identifier == _ACADEMIC:
                    return f"{first}/{time_period[4:]}", pd.Timestamp(first + 1, 1, 31)
                return f"{first}-{time_period[4:]}", pd.Timestamp(first + 1, 3, 31)
        raise ValueError("six digits for two consecutive years, such as 202425")
    raise KeyError(
        f"a time identifier this reader knows ({_CALENDAR!r}, {_ACADEMIC!r} or {_FINANCIAL!r})"
    )


def _add_time(frame: pd.DataFrame, label: str) -> None:
    """Add ``period`` (label) and ``period_end`` (date), parsing each distinct period once."""
    id_codes, id_values = pd.factorize(frame["time_identifier"])
    tp_codes, tp_values = pd.factorize(frame["time_period"])
    codes, pairs = pd.factorize(id_codes.astype(np.int64) * (len(tp_values) + 1) + tp_codes)
    labels, ends = [], []
    for position, pair in enumerate(pairs):
        identifier, period = id_values[pair // (len(tp_values) + 1)], tp_values[pair % (len(tp_values) + 1)]
        try:
            text, end = parse_time_period(period, identifier)
        except (ValueError, KeyError) as exc:
            row = int(np.argmax(codes == position))
            column = "time_identifier" if isinstance(exc, KeyError) else "time_period"
            shown = identifier if isinstance(exc, KeyError) else period
            expected = exc.args[0]
            raise DataValidationError(f"{label}: line {row + 2}, column {column!r}: {shown!r} is not {expected}") from None
        labels.append(text)
        ends.append(end)
    frame["period"] = np.asarray(labels, dtype=object)[codes]
    frame["period_end"] = pd.DatetimeIndex(ends)[codes].to_numpy()


def _add_geography(frame: pd.DataFrame, label: str) -> None:
    """Add ``area_code``/``area_name`` for the row's geographic level."""
    level = frame["geographic_level"].to_numpy()
    code = np.full(len(frame), "", dtype=object)
    name = np.full(len(frame), "", dtype=object)
    pairs = {
        "National": ("country_code", "country_name"),
        "Regional": ("region_code", "region_name"),
        "Local authority": ("new_la_code", "la_name"),
    }
    for lvl, (code_col, name_col) in pairs.items():
        rows = level == lvl
        if not rows.any():
            continue
        for column in (code_col, name_col):
            if column not in frame.columns:
                raise DataValidationError(f"{label}: column {column!r} is missing but the file has {lvl} rows")
        code[rows] = frame[code_col].to_numpy()[rows]
        name[rows] = frame[name_col].to_numpy()[rows]
        blank = rows & (name == "")
        if blank.any():
            row = int(np.argmax(blank))
            raise DataValidationError(f"{label}: line {row + 2}, column {name_col!r}: empty for a {lvl} row")
    frame["area_code"] = code
    frame["area_name"] = name


# ---------------------------------------------------------------------------
# Parquet cache
# ---------------------------------------------------------------------------
def _to_parquet(parsed: ReleaseFile, path: Path) -> None:
    """Write the cache atomically; a read-only checkout just goes without it."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(handle)
        pq.write_table(pa.Table.from_pandas(parsed.data, preserve_index=False), tmp)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _from_parquet(path: Path, name: str, label: str, symbol_loader: Callable[[], pd.DataFrame]) -> ReleaseFile:
    data = pq.read_table(path).to_pandas()
    return ReleaseFile(name=name, source=label, data=data, symbol_loader=symbol_loader)
