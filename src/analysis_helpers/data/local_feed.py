"""The council's own figures: a validated feed, as analysts really keep it.

A feed is a CSV or Excel (.xlsx) file in ``data/local/``, one row per figure::

    measure, period, value, unit, basis, numerator, denominator, qualifier,
    source_title, source_url            (+ optional: quote)

``numerator``/``denominator`` are optional; ``qualifier`` is "over", "about" or
"at least" where the source said so. In a folder of feeds the file name is the
area's slug (``kent.csv``); a file named for no area is refused in one line
(:mod:`~analysis_helpers.data.feed_names`). ``--local FILE`` reads a file whatever its name.

Validation (:func:`validate_feed`) reports one line per problem, naming the
file, row and column:

* periods ``2023-06`` (month), ``2023-Q2`` (quarter), ``2023`` (calendar year),
  ``2022/23`` (financial year, April–March) become start and end dates;
* units are ``pct`` (0–100), ``count`` (not negative), ``gbp_m`` or ``weeks``,
  and must be the catalogue's unit for the measure (``data/local/measures.csv``);
* ``basis`` begins with one of :data:`BASIS_KINDS` (``monthly``, ``snapshot``,
  ``forecast``, ...), then free text: a figure's basis is data, so a monthly
  figure is never read as an outturn of a year, nor a forecast as an outturn;
* a numerator above its denominator, an unknown measure (the three closest
  catalogued names are suggested), an empty value;
* text values are normalised where unambiguous — ``13.2%``, ``1,080``,
  ``£97m``, ``over 300`` (value 300, qualifier "over") — and reported where not;
* UTF-8 with or without a byte-order mark and CRLF line ends are read; any
  other encoding (Windows-1252, UTF-16) or a file separated by semicolons or
  tabs stops with one line naming it (:mod:`~analysis_helpers.data.csv_files`):
  nothing is guessed, so a stray byte never turns every ``£`` into ``Â£``;
* text that looks like HTML or Markdown markup, and a ``source_url`` that is not an
  http(s) address, are noted (reports show them as text, never as markup or a link);
* duplicates that agree are kept once; duplicates that conflict are all kept,
  flagged, and one is *preferred* by a stated rule: the council's own
  publication over the press, then the later-listed row; nothing is dropped
  silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.intervals import wilson_interval
from analysis_helpers.core.paths import COUNCIL_MEASURES_FILE, local_dir
from analysis_helpers.core.safe_text import is_web_url, looks_like_markup
from analysis_helpers.data.area_facts import GENERIC_HOSTS, council_hosts, on_hosts
from analysis_helpers.data.council_measures import UNITS, MeasureLabels, catalogue, unknown_measure_message
from analysis_helpers.data.csv_files import read_text
from analysis_helpers.data.geography import LOCAL_AUTHORITY

REQUIRED = ["measure", "period", "value", "unit", "basis", "numerator", "denominator", "qualifier", "source_title", "source_url"]
OPTIONAL = ["quote", "area"]
#: What a council figure is: the first word(s) of its ``basis``, then free text.
BASIS_KINDS = ("monthly", "quarterly", "calendar year", "financial year", "snapshot", "cumulative", "in-year", "forecast",
               "average", "total", "unknown")
QUALIFIERS = {"": "", "over": "over", "more than": "over", "about": "about", "around": "about", "approximately": "about",
              "nearly": "about", "at least": "at least", "under": "under", "less than": "under"}

#: Measures a council feed may carry (``name -> (unit, label)``), from the catalogue
#: ``data/local/measures.csv``: an analyst adds a measure by adding a row there.
LOCAL_MEASURES = MeasureLabels()


@dataclass(frozen=True)
class Problem:
    """One validation problem: file, row (1 = header), column, message."""

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, column {self.column!r}: {self.message}"


# -- periods and values -----------------------------------------------------------
def parse_period(text: str) -> tuple[dt.date, dt.date, str]:
    """``(start, end, kind)`` of a feed period; ValueError says what was expected."""
    text = str(text).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            start = dt.date(year, month, 1)
            return start, (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date(), "month"
    elif m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, q = int(m[1]), int(m[2])
        start = dt.date(year, 3 * q - 2, 1)
        return start, (pd.Timestamp(start) + pd.offsets.QuarterEnd(0)).date(), "quarter"
    elif re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31), "calendar year"
    elif m := re.fullmatch(r"(\d{4})/(\d{2})", text):
        first = int(m[1])
        if int(m[2]) == (first + 1) % 100:
            return dt.date(first, 4, 1), dt.date(first + 1, 3, 31), "financial year"
    raise ValueError(f"{text!r} is not a period: use 2023-06 (month), 2023-Q2 (quarter), 2023 (year) or 2022/23 (financial year)")


def parse_value(text: str, unit: str) -> tuple[float, str]:
    """``(value, qualifier)`` from text such as ``13.2%``, ``1,080``, ``£97m``, ``over 300``."""
    raw = str(text).strip()
    lowered = raw.lower()
    qualifier = ""
    for word in sorted((w for w in QUALIFIERS if w), key=len, reverse=True):
        if lowered.startswith(word + " "):
            qualifier = QUALIFIERS[word]
            lowered = lowered[len(word) + 1 :].strip()
            break
    cleaned = lowered.replace(",", "").replace("£", "").strip()
    if unit == "pct":
        cleaned = cleaned.removesuffix("%").strip()
    if unit == "gbp_m":
        cleaned = re.sub(r"\s*(m|mn|million)$", "", cleaned)
        if re.search(r"(bn|billion|k)$", cleaned):
            raise ValueError(f"{raw!r}: give £ millions (e.g. 97 or £97m)")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(f"{raw!r} is not a number this feed can read (e.g. 13.2, 13.2%, 1,080, £97m, over 300)")
    return float(cleaned), qualifier


def basis_kind(text: str) -> str | None:
    """The kind a basis begins with (``"monthly (month of August)"`` -> ``"monthly"``); None if none."""
    lowered = str(text).strip().lower()
    for kind in sorted(BASIS_KINDS, key=len, reverse=True):
        if lowered == kind or (lowered.startswith(kind) and not lowered[len(kind)].isalnum()):
            return kind
    return None


# -- reading ---------------------------------------------------------------------
def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    """Header and rows of a CSV (UTF-8 with or without a BOM, CRLF or LF) or .xlsx feed."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        except Exception as exc:
            raise DataValidationError(f"{path.name}: cannot be read as an Excel workbook ({exc})") from exc
        header = [str(c).strip().lower() for c in frame.columns]
        return header, [dict(zip(header, (str(v) for v in row), strict=True)) for row in frame.itertuples(index=False)
                        if any(str(v).strip() for v in row)]
    reader = csv.reader(io.StringIO(read_text(path), newline=""))  # strictly UTF-8 and comma-separated, or one line
    rows = list(reader)
    if not rows:
        return [], []
    header = [h.strip().lower() for h in rows[0]]
    return header, [dict(zip(header, r + [""] * (len(header) - len(r)), strict=False)) | {"__width": str(len(r))}
                    for r in rows[1:] if any(c.strip() for c in r)]


def validate_feed(path: Path) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """Validate one feed file; return ``(clean rows, problems, notes)``.

    Clean rows have the feed's columns plus ``value`` as a number,
    ``period_start``, ``period_end``, ``period_kind``, ``row`` (file row),
    ``file``, ``conflict`` and ``preferred``.
    """
    path = Path(path)
    name = path.name
    problems: list[Problem] = []
    notes: list[str] = []
    header, rows = read_rows(path)
    missing = [c for c in REQUIRED if c not in header]
    for column in missing:
        problems.append(Problem(name, 1, column, f"missing from the header (expected columns: {', '.join(REQUIRED)})"))
    if missing:
        return pd.DataFrame(), problems, notes
    clean = []
    measures = catalogue()
    for index, row in enumerate(rows, start=2):
        width = row.pop("__width", None)
        if width is not None and int(width) > len(header):
            problems.append(Problem(name, index, "(row)",
                                    f"{width} fields where the header has {len(header)} (a comma inside an unquoted value?)"))
            continue
        before = len(problems)
        measure = row["measure"].strip()
        unit = row["unit"].strip().lower()
        if measure not in measures:
            problems.append(Problem(name, index, "measure", unknown_measure_message(measure)))
        if unit not in UNITS:
            problems.append(Problem(name, index, "unit", f"{row['unit']!r} is not a unit: use {', '.join(UNITS)}"))
        elif measure in measures and measures[measure].unit != unit:
            problems.append(Problem(name, index, "unit", f"{unit!r} does not match {measure} (expected {measures[measure].unit})"))
        try:
            start, end, kind = parse_period(row["period"])
        except ValueError as exc:
            problems.append(Problem(name, index, "period", str(exc)))
            start = end = kind = None
        value = qualifier = None
        if not row["value"].strip():
            problems.append(Problem(name, index, "value", "empty; give the figure as published"))
        elif unit in UNITS:
            try:
                value, qualifier = parse_value(row["value"], unit)
            except ValueError as exc:
                problems.append(Problem(name, index, "value", str(exc)))
        kind_of_basis = basis_kind(row["basis"])
        if kind_of_basis is None:
            problems.append(Problem(name, index, "basis", f"{row['basis'][:60]!r} does not begin with a kind of figure: "
                                                          f"{', '.join(BASIS_KINDS)} (then any detail)"))
        stated = row.get("qualifier", "").strip().lower()
        if stated and stated not in QUALIFIERS:
            problems.append(Problem(name, index, "qualifier", f"{stated!r}: use over, about, at least or under (or leave empty)"))
        numbers = {}
        for column in ("numerator", "denominator"):
            text = row.get(column, "").strip()
            if text:
                try:
                    numbers[column] = parse_value(text, "count")[0]
                except ValueError as exc:
                    problems.append(Problem(name, index, column, str(exc)))
        if value is not None:
            if unit == "pct" and not 0 <= value <= 100:
                problems.append(Problem(name, index, "value", f"{value:g} is outside 0-100 for a percentage"))
            if unit in ("count", "weeks") and value < 0:
                problems.append(Problem(name, index, "value",
                                        f"{value:g} is negative for a {'count' if unit == 'count' else 'number of weeks'}"))
        if numbers.get("numerator") is not None and numbers.get("denominator") is not None:
            if numbers["numerator"] > numbers["denominator"]:
                problems.append(Problem(name, index, "numerator",
                                        f"{numbers['numerator']:,.0f} is more than the denominator {numbers['denominator']:,.0f}"))
        if len(problems) > before:
            continue
        notes += [f"{name}: row {index}, column {c!r}: looks like markup ({row[c].strip()[:40]!r}); reports show it as text"
                  for c in ("basis", "source_title", "quote") if looks_like_markup(row.get(c, ""))]
        if row["source_url"].strip() and not is_web_url(row["source_url"]):
            notes.append(f"{name}: row {index}, column 'source_url': {row['source_url'].strip()[:40]!r} is not an http(s) address; "
                         "reports show it as text, not as a link")
        if str(row["value"]).strip() != f"{value:g}" and str(row["value"]).strip() != str(value):
            notes.append(f"{name}: row {index}: value {row['value']!r} read as {value:g}" + (f" ({qualifier})" if qualifier else ""))
        clean.append(
            {
                **{c: row.get(c, "").strip() for c in REQUIRED + OPTIONAL if c in row},
                "unit": unit,
                "value": value,
                "qualifier": QUALIFIERS.get(stated, "") or qualifier,
                "numerator": numbers.get("numerator"),
                "denominator": numbers.get("denominator"),
                "period_start": start,
                "period_end": end,
                "period_kind": kind,
                "basis_kind": kind_of_basis,
                "file": name,
                "row": index,
            }
        )
    frame = pd.DataFrame(clean)
    if len(frame):
        frame, dup_notes = resolve_duplicates(frame, hosts=council_hosts(path.stem))  # the feed is named by its area's slug
        notes += dup_notes
    return frame, problems, notes


def resolve_duplicates(frame: pd.DataFrame, hosts: tuple[str, ...] = GENERIC_HOSTS) -> tuple[pd.DataFrame, list[str]]:
    """Keep agreeing duplicates once; keep conflicting ones, flag them, prefer one by rule.

    ``hosts`` are the council's own publication hosts (``data/council_hosts.csv``
    via :func:`~analysis_helpers.data.area_facts.council_hosts`): a figure
    published there is preferred over the press.
    """
    notes = []
    frame = frame.copy()
    frame["conflict"] = frame["basis"].str.contains("CONFLICT", case=False, na=False)  # flagged by whoever compiled the feed
    frame["preferred"] = True
    for r in frame[frame["conflict"]].itertuples():
        notes.append(f"{r.file}: row {r.row}: {r.measure} {r.period} is flagged as a conflict in its basis ({r.basis})")
    keep = []
    for (measure, period), group in frame.groupby(["measure", "period"], sort=False):
        values = group["value"].unique()
        if len(values) == 1:
            keep.append(group.index[0])
            if len(group) > 1:
                notes.append(f"{group['file'].iloc[0]}: rows {', '.join(map(str, group['row']))}: duplicates agree "
                             f"({measure} {period} = {values[0]:g}); kept once (row {group['row'].iloc[0]})")
            continue
        keep.extend(group.index)
        ranked = group.assign(_primary=group["source_url"].map(lambda url: on_hosts(url, hosts))).sort_values(["_primary", "row"])
        chosen = ranked.index[-1]
        frame.loc[group.index, "conflict"] = True
        frame.loc[group.index, "preferred"] = False
        frame.loc[chosen, "preferred"] = True
        rule = ("the council's own publication over the press" if ranked["_primary"].any() and not ranked["_primary"].all()
                else "the later row")
        notes.append(
            f"{group['file'].iloc[0]}: rows {', '.join(map(str, group['row']))}: CONFLICT for {measure} {period} "
            f"({', '.join(f'{v:g}' for v in group['value'])}); all kept and flagged; row {frame.loc[chosen, 'row']} "
            f"preferred by rule: {rule}"
        )
    return frame.loc[sorted(keep)].reset_index(drop=True), notes


def feed_files(path: Path | None = None) -> list[Path]:
    """Feed files in a folder (or the file itself; default ``data/local/``); templates and READMEs are skipped."""
    path = Path(path) if path else local_dir()
    if path.is_file():
        return [path]
    if not path.exists():
        raise DataValidationError(f"{path}: no such file or folder for local figures")
    return sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith(("template", "_", "."))
                  and p.name != COUNCIL_MEASURES_FILE.name)


def feed_for(area_slug: str, path: Path | None = None) -> Path | None:
    """The feed file for an area (``<slug>.csv`` or ``.xlsx``; default folder ``data/local/``), if any."""
    path = Path(path) if path else local_dir()
    for candidate in feed_files(path) if Path(path).exists() else []:
        if candidate.stem.lower() == area_slug or Path(path).is_file():
            return candidate
    return None


def load_feed(path: Path) -> pd.DataFrame:
    """A validated feed; any problem stops with the validator's first message (and the count)."""
    frame, problems, _ = validate_feed(path)
    if problems:
        more = f" (and {len(problems) - 1} more: run send-review validate {path})" if len(problems) > 1 else ""
        raise DataValidationError(f"{problems[0]}{more}")
    return frame


def local_kpi_rows(feed: pd.DataFrame, area_code: str, area_name: str) -> pd.DataFrame:
    """Feed rows in the tidy KPI shape (+ ``basis``, ``qualifier``, ``conflict``, ``preferred``).

    ``source`` names the file and row; ``basis`` keeps the council's monthly
    management information apart from DfE's annual statistics.
    """
    if feed.empty:
        return pd.DataFrame(columns=LOCAL_KPI_COLUMNS)
    low, high = wilson_interval(feed["numerator"].astype(float), feed["denominator"].astype(float))
    return pd.DataFrame(
        {
            "area_code": area_code,
            "area_name": area_name,
            "geographic_level": LOCAL_AUTHORITY,
            "period": feed["period"],
            "period_end": pd.to_datetime(feed["period_end"]),
            "measure": feed["measure"],
            "numerator": feed["numerator"].astype(float),
            "denominator": feed["denominator"].astype(float),
            "value": feed["value"].astype(float),
            "unit": feed["unit"],
            "ci_low": low,
            "ci_high": high,
            "source": feed["file"] + " row " + feed["row"].astype(str) + ": " + feed["source_title"],
            "basis": "council figure: " + feed["basis"],
            "qualifier": feed["qualifier"],
            "conflict": feed["conflict"],
            "preferred": feed["preferred"],
        }
    )


LOCAL_KPI_COLUMNS = [
    "area_code", "area_name", "geographic_level", "period", "period_end", "measure", "numerator", "denominator",
    "value", "unit", "ci_low", "ci_high", "source", "basis", "qualifier", "conflict", "preferred",
]


def area_feed(area_slug: str, local: Path | str | None = None) -> pd.DataFrame:
    """The validated feed of an area (empty if it has none); a broken feed stops with its first problem.

    ``local`` is a feed file or a folder of feeds named by area (default ``data/local/``).
    """
    path = Path(local) if local else local_dir()
    if path.is_file():
        return load_feed(path)
    if not path.exists():
        return pd.DataFrame()
    found = feed_for(area_slug, path)
    return load_feed(found) if found is not None else pd.DataFrame()
