"""Checksums and the data log: raw files are verified before they are read.

``data/README.md`` is the data log. Each raw file has a row there with its
SHA-256; :func:`verify_raw_file` refuses a file under ``data/raw/`` whose checksum
differs from its row, or that has no row. Files outside ``data/raw/`` (a release
a user points at elsewhere) are read as they are, and their checksum is still
recorded in every report's manifest; such a file is known by its SHA-256 only,
never by its name: unless it is a copy of a logged file it is an *unlisted
release* (:func:`is_listed`, :func:`unlisted_label`), with no publication date.

Another folder can be put under the same rule with a *checksum list*: a
``README.md`` in that folder in the data log's format (a table row per file,
``| `FILE` | … | `SHA-256` |``, and ``release: FILE published: DATE`` lines),
registered with :func:`register_checksum_list` or named in the environment
variable ``SEND_REVIEW_CHECKSUM_LISTS`` (paths separated by ``os.pathsep``).
Every file in such a folder must then match its row, and a release there gets
its publication date from the list. The tests' fixture releases are verified
this way (``tests/fixtures/README.md``), without entering the data log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path

from analysis_helpers.core.errors import ChecksumError, DataValidationError
from analysis_helpers.core.paths import (
    HISTORIC_RELEASE,
    RAW_DIR,
    data_log_file,
    default_release_setting,
    local_dir,
    targets_file,
)
from analysis_helpers.core.vintage import today
from analysis_helpers.data.area_facts import AREA_FACT_FILES

_SHA_ROW = re.compile(r"^\|\s*`raw/(?P<file>[^`]+)`.*`(?P<sha>[0-9a-f]{64})`\s*\|\s*$")
_LIST_ROW = re.compile(r"^\|\s*`(?P<file>[^`/]+)`.*`(?P<sha>[0-9a-f]{64})`\s*\|\s*$")
_RELEASE_LINE = re.compile(r"release:\s*(?P<file>\S+)\s+published:\s*(?P<date>\d{4}-\d{2}-\d{2})")


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file (or, for a folder, of its files' names and bytes)."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(str(child.relative_to(path)).encode())
            digest.update(child.read_bytes())
        return digest.hexdigest()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


CHECKSUM_LISTS_ENV = "SEND_REVIEW_CHECKSUM_LISTS"


def _read_log(log_path: Path, row_pattern: re.Pattern = _SHA_ROW) -> tuple[dict[str, str], dict[str, dt.date]]:
    checksums: dict[str, str] = {}
    published: dict[str, dt.date] = {}
    for line in log_path.read_text(encoding="utf-8").splitlines():
        row = row_pattern.match(line.strip())
        if row:
            checksums[row["file"]] = row["sha"]
        release = _RELEASE_LINE.search(line)
        if release:
            published[release["file"]] = dt.date.fromisoformat(release["date"])
    return checksums, published


def data_log(log_path: Path | None = None) -> tuple[dict[str, str], dict[str, dt.date]]:
    """Return ``(checksums, publication_dates)`` recorded in the data log (default: ``data/README.md``, or
    ``$SEND_REVIEW_DATA_LOG``, read on every call)."""
    log_path = Path(log_path) if log_path is not None else data_log_file()
    if not log_path.exists():
        raise DataValidationError(f"{log_path}: the data log is missing; it must list every raw file with its SHA-256")
    return _read_log(log_path)


def default_release(as_of: dt.date | None = None, log_path: Path | None = None) -> Path:
    """The release a run uses when none is named: ``$SEND_REVIEW_DEFAULT_RELEASE`` if set, else the newest release whose
    ``release: FILE published: DATE`` line in the data log dates it on or before ``as_of`` (default: today), leaving out
    the 2022 release of the older schema (read for the long history only). Before any is public, the earliest: its
    figures are then left out as not yet published. Adding a release is a file in ``data/raw/`` and two lines in the
    log, no code edit. Files are looked for in the ``raw`` folder beside the log (``data/raw/`` for ``data/README.md``)."""
    override = default_release_setting()
    if override is not None:
        return override
    log_path = Path(log_path) if log_path is not None else data_log_file()
    raw = log_path.parent / "raw" if (log_path.parent / "raw").is_dir() else RAW_DIR
    releases = sorted((date, name) for name, date in data_log(log_path)[1].items()
                      if name != HISTORIC_RELEASE.name and (raw / name).exists())
    if not releases:
        raise DataValidationError(f"{log_path.name}: no 'release: FILE published: DATE' line names a file in {raw}; "
                                  "add the release's line (README: \"Add the next DfE release\")")
    day = as_of or today()
    public = [r for r in releases if r[0] <= day]
    return raw / (public[-1] if public else releases[0])[1]


def logged_checksums(log_path: Path | None = None) -> dict[str, str]:
    """File name (relative to ``data/raw``) -> SHA-256 as recorded in the data log."""
    return data_log(log_path)[0]


def register_checksum_list(list_path: Path) -> None:
    """Verify the files in ``list_path``'s folder against it (see the module docstring): the list is added to
    ``SEND_REVIEW_CHECKSUM_LISTS``, the process's one record of them, which kernels and subprocesses inherit."""
    list_path = Path(list_path).resolve()
    if not list_path.exists():
        raise DataValidationError(f"{list_path}: checksum list not found")
    if list_path not in checksum_lists():
        os.environ[CHECKSUM_LISTS_ENV] = os.pathsep.join(str(p) for p in [*checksum_lists(), list_path])


def checksum_lists() -> list[Path]:
    """The checksum lists named in ``SEND_REVIEW_CHECKSUM_LISTS``, in order, each once."""
    named = [Path(p).resolve() for p in os.environ.get(CHECKSUM_LISTS_ENV, "").split(os.pathsep) if p]
    return list(dict.fromkeys(named))


def _listed_in(path: Path) -> tuple[Path, str] | None:
    """The checksum list covering ``path`` and the file's name in it, if any."""
    for list_path in checksum_lists():
        try:
            relative = path.resolve().relative_to(list_path.parent)
        except ValueError:
            continue
        return list_path, relative.as_posix()
    return None


def checksum_list(list_path: Path) -> tuple[dict[str, str], dict[str, dt.date]]:
    """Return ``(checksums, publication_dates)`` recorded in a checksum list."""
    if not list_path.exists():
        raise DataValidationError(f"{list_path}: checksum list not found")
    return _read_log(list_path, _LIST_ROW)


def publication_date(path: Path, log_path: Path | None = None, sha256: str | None = None) -> dt.date | None:
    """The date a release became public, from its checksum list or the data log (None if not recorded).

    A file under ``data/raw`` or in a listed folder is known by its name (its checksum is verified against
    that name's row). A file anywhere else is known only by its SHA-256: a byte-for-byte copy of a logged
    release has that release's date, and any other file none, whatever its name (an *unlisted release*).
    ``sha256`` is the file's, when the caller has just hashed it (else it is hashed here, if needed).
    """
    path = Path(path)
    listed = _listed_in(path)
    if listed is not None:
        return checksum_list(listed[0])[1].get(listed[1])
    if _under(path, RAW_DIR):
        return data_log(log_path)[1].get(path.name)
    known = _logged_as(path, log_path, sha256)
    return known[1].get(Path(known[0]).name) if known else None


def is_listed(path: Path, log_path: Path | None = None, sha256: str | None = None) -> bool:
    """Is the file under ``data/raw``, in a listed folder, or a byte-for-byte copy of a file one of them records?
    (``sha256``: as for :func:`publication_date`.)"""
    path = Path(path)
    return _listed_in(path) is not None or _under(path, RAW_DIR) or _logged_as(path, log_path, sha256) is not None


def unlisted_label(sha256: str) -> str:
    """How a release no log records is named wherever its source is shown: ``unlisted release (sha256 489583bbf911…)``."""
    return f"unlisted release (sha256 {sha256[:12]}…)"


def _under(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(Path(folder).resolve())


def _logged_as(path: Path, log_path: Path | None = None, sha256: str | None = None) -> tuple[str, dict[str, dt.date]] | None:
    """``(name, publication dates)`` of the logged or listed file with ``path``'s SHA-256 (``sha256`` when known), if any."""
    if not path.is_file():
        return None
    sha = sha256 or sha256_of(path)
    for checksums, dates in (data_log(log_path), *(checksum_list(p) for p in checksum_lists())):
        name = next((name for name, logged in checksums.items() if logged == sha), None)
        if name is not None:
            return name, dates
    return None


def newest_release(as_of: dt.date | None = None, log_path: Path | None = None) -> tuple[str, dt.date] | None:
    """``(file name, publication date)`` of the newest release in the data log public by ``as_of`` (None: any), or None."""
    dates = [(day, name) for name, day in data_log(log_path)[1].items() if as_of is None or day <= as_of]
    if not dates:
        return None
    day, name = max(dates)
    return name, day


def verify_raw_file(path: Path, log_path: Path | None = None, raw_dir: Path = RAW_DIR) -> str:
    """Check a file against the data log before it is used; return its SHA-256.

    Raises
    ------
    DataValidationError
        If the file does not exist.
    ChecksumError
        If the file is under ``data/raw`` and its SHA-256 differs from the data
        log's row, or the data log has no row for it (the same for a file in a
        folder with a registered checksum list, against that list).
    """
    path = Path(path)
    if not path.exists():
        raise DataValidationError(f"{path}: file not found")
    sha = sha256_of(path)
    try:
        relative = path.resolve().relative_to(Path(raw_dir).resolve()).as_posix()
        checksums = logged_checksums(log_path)
    except ValueError:
        listed = _listed_in(path)
        relative, checksums = (listed[1], checksum_list(listed[0])[0]) if listed else (None, {})
        log_path = listed[0] if listed else log_path
    if relative is not None:
        expected = checksums.get(relative)
        if expected is None:
            raise ChecksumError(
                f"{path}: not in the data log; add a row with its source, licence and SHA-256 ({sha}) "
                f"to {Path(log_path or data_log_file()).name}"
            )
        if sha != expected:
            raise ChecksumError(
                f"{path}: SHA-256 is {sha} but the data log records {expected}; raw files must not be edited "
                "(restore the original, or log the new file as a new release)"
            )
    return sha


def input_files() -> list[Path]:
    """Every input the reports can use: raw files, council feeds, the targets file, area facts and the data log."""
    raw = sorted(p for p in RAW_DIR.iterdir() if p.is_file() and p.name != "README.md") if RAW_DIR.exists() else []
    feeds = local_dir()
    local = sorted(p for p in feeds.glob("*")
                   if p.suffix in (".csv", ".xlsx") and not p.name.startswith("template")) if feeds.exists() else []
    return [*raw, *local, targets_file(), *AREA_FACT_FILES, data_log_file()]
