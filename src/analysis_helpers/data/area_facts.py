"""Facts about one area, kept as data with their sources, never typed into code.

Three small files in ``data/`` (their sources are in the data log's "Derived
files" section):

* ``area_notes.csv`` — ``area, section, text, source_title, source_url``: prose
  that concerns one area only (an improvement notice, a recovery plan, a
  safety-valve agreement). A report shows a note only for the area it names.
* ``milestones.csv`` — ``area, months, from_date, event, source_title,
  source_url, quote``: review points of an area's plan, ``months`` after
  ``from_date`` (Kent's improvement notice of March 2023: 3, 6, 12 and 18
  months). Areas with no rows have none.
* ``council_hosts.csv`` — ``area, host, source_title, source_url``: the hosts
  on which a council publishes its own figures (preferred over the press when
  a local feed has conflicting figures). ``area`` here is the area's slug, as
  its feed in ``data/local/`` is named; every area also has the generic rule
  :data:`GENERIC_HOSTS`.

``area`` in the first two files is an LA number, GSS code, name or slug, as in
``data/targets.csv``. Rows are matched to an area by :func:`names_area`.
``$SEND_REVIEW_AREA_FACTS`` names another folder holding the three files
(:func:`~analysis_helpers.core.paths.area_facts_dir`; :func:`area_fact_files`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import DATA_DIR, area_facts_dir
from analysis_helpers.core.vintage import add_months
from analysis_helpers.data.csv_files import read_text

AREA_NOTES_FILE = DATA_DIR / "area_notes.csv"
MILESTONES_FILE = DATA_DIR / "milestones.csv"
COUNCIL_HOSTS_FILE = DATA_DIR / "council_hosts.csv"
#: The three files, for a report's list of inputs.
AREA_FACT_FILES = (AREA_NOTES_FILE, MILESTONES_FILE, COUNCIL_HOSTS_FILE)

#: Sections of a report an area note can belong to.
NOTE_SECTIONS = ("context", "timeliness", "placements", "demand", "workforce", "budget")
#: Hosts every council's own publications may be on (a public body's site).
GENERIC_HOSTS = (".gov.uk",)


@dataclass(frozen=True)
class AreaNote:
    """One sentence or paragraph about one area, with its source."""

    area: str
    section: str
    text: str
    source_title: str
    source_url: str
    row: int


@dataclass(frozen=True)
class Milestone:
    """One review point of an area's plan: ``months`` after ``from_date`` (on :attr:`date`)."""

    area: str
    months: int
    from_date: dt.date
    event: str
    source_title: str
    source_url: str
    quote: str
    row: int

    @property
    def date(self) -> dt.date:
        """``from_date`` plus ``months`` (the last day of a shorter month if need be)."""
        return add_months(self.from_date, self.months)


def _rows(path: Path, required: tuple[str, ...]) -> list[dict]:
    """Rows of a small CSV (row 1 = header), each with ``row``; missing columns or empty cells stop with one line."""
    path = Path(path)
    if not path.exists():
        raise DataValidationError(f"{path.name}: not found (expected at {path})")
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))  # strictly UTF-8 and comma-separated
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise DataValidationError(f"{path.name}: row 1: missing column(s) {', '.join(missing)} (expected {', '.join(required)})")
    rows = []
    for index, row in enumerate(reader, start=2):
        clean = {k: (v or "").strip() for k, v in row.items() if k}
        for column in required:
            if not clean[column]:
                raise DataValidationError(f"{path.name}: row {index}, column {column!r}: empty")
        rows.append(clean | {"row": index})
    return rows


def area_fact_files() -> tuple[Path, Path, Path]:
    """The area-fact files a run reads now: ``area_notes.csv``, ``milestones.csv``, ``council_hosts.csv`` in
    :func:`~analysis_helpers.core.paths.area_facts_dir` (``data/`` unless ``$SEND_REVIEW_AREA_FACTS`` says otherwise)."""
    folder = area_facts_dir()
    return tuple(folder / path.name for path in AREA_FACT_FILES)


def read_area_notes(path: Path | None = None) -> list[AreaNote]:
    """Every note in ``area_notes.csv`` (default: :func:`area_fact_files`); an unknown section is an error naming the row."""
    path = path or area_fact_files()[0]
    notes = []
    for r in _rows(path, ("area", "section", "text", "source_title", "source_url")):
        if r["section"] not in NOTE_SECTIONS:
            raise DataValidationError(
                f"{Path(path).name}: row {r['row']}, column 'section': {r['section']!r} is not one of {', '.join(NOTE_SECTIONS)}"
            )
        notes.append(AreaNote(r["area"], r["section"], r["text"], r["source_title"], r["source_url"], r["row"]))
    return notes


def read_milestones(path: Path | None = None) -> list[Milestone]:
    """Every milestone in ``milestones.csv`` (default: :func:`area_fact_files`); ``months`` must be a whole number above 0."""
    path = path or area_fact_files()[1]
    stones = []
    for r in _rows(path, ("area", "months", "from_date", "event", "source_title", "source_url")):
        if not r["months"].isdigit() or int(r["months"]) <= 0:
            raise DataValidationError(f"{Path(path).name}: row {r['row']}, column 'months': {r['months']!r} "
                                      "is not a whole number of months")
        try:
            start = dt.date.fromisoformat(r["from_date"])
        except ValueError:
            raise DataValidationError(f"{Path(path).name}: row {r['row']}, column 'from_date': {r['from_date']!r} "
                                      "is not YYYY-MM-DD") from None
        stones.append(Milestone(r["area"], int(r["months"]), start, r["event"], r["source_title"], r["source_url"],
                                r.get("quote", ""), r["row"]))
    return stones


def read_council_hosts(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """``{area slug: hosts}`` from ``council_hosts.csv`` (default: :func:`area_fact_files`)."""
    path = path or area_fact_files()[2]
    hosts: dict[str, tuple[str, ...]] = {}
    for r in _rows(path, ("area", "host", "source_title", "source_url")):
        if "/" in r["host"] or " " in r["host"]:
            raise DataValidationError(f"{Path(path).name}: row {r['row']}, column 'host': {r['host']!r} is not a host name")
        hosts[r["area"].lower()] = (*hosts.get(r["area"].lower(), ()), r["host"].lower())
    return hosts


def _key(text) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(text).casefold())


def area_keys(area) -> set[str]:
    """Identifiers an area answers to: code, LA number, name and slug (or the string itself)."""
    if isinstance(area, str):
        return {_key(area)}
    keys = {getattr(area, attribute, None) for attribute in ("code", "la_number", "name", "slug")}
    return {_key(k) for k in keys if k not in (None, "")}


def names_area(identifier: str, area) -> bool:
    """Does ``identifier`` (a file's ``area`` cell) name ``area`` (an Area, or an identifier string)?"""
    return _key(identifier) in area_keys(area)


def notes_for(area, section: str | None = None, path: Path | None = None) -> list[AreaNote]:
    """The notes about ``area`` (in one ``section``, if given), in file order."""
    if section is not None and section not in NOTE_SECTIONS:
        raise ValueError(f"section must be one of {', '.join(NOTE_SECTIONS)}, got {section!r}")
    return [n for n in read_area_notes(path) if names_area(n.area, area) and section in (None, n.section)]


def milestones_for(area, path: Path | None = None) -> list[Milestone]:
    """The area's plan milestones, by date (none for most areas)."""
    return sorted((m for m in read_milestones(path) if names_area(m.area, area)), key=lambda m: m.date)


def council_hosts(area_slug: str, path: Path | None = None) -> tuple[str, ...]:
    """Hosts of the council's own publications: the area's (from the file) and :data:`GENERIC_HOSTS`."""
    return (*read_council_hosts(path).get(str(area_slug).lower(), ()), *GENERIC_HOSTS)


def on_hosts(url: str, hosts: tuple[str, ...]) -> bool:
    """Is ``url`` on one of ``hosts``? ``kent.gov.uk`` matches it and its subdomains; ``.gov.uk`` any host under it."""
    text = str(url).strip()
    host = (urlparse(text if "://" in text else "//" + text).hostname or "").lower()
    for rule in hosts:
        bare = rule.lower().lstrip(".")
        if host == bare and not rule.startswith(".") or host.endswith("." + bare):
            return True
    return False
