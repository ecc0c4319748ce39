"""Checksums and the data log: raw files are verified before they are read.

``data/README.md`` is the data log. Each raw file has a row there with its
SHA-256; :func:`verify_raw_file` refuses a file under ``data/raw/`` whose checksum
differs from its row, or that has no row. Files outside ``data/raw/`` (a release
a user points at elsewhere) are read as they are, and their checksum is still
recorded in every report's manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from analysis_helpers.core.errors import ChecksumError, DataValidationError
from analysis_helpers.core.paths import DATA_LOG, RAW_DIR

_SHA_ROW = re.compile(r"^\|\s*`raw/(?P<file>[^`]+)`.*`(?P<sha>[0-9a-f]{64})`\s*\|\s*$")
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


@lru_cache(maxsize=4)
def _read_log(log_path: Path, mtime: float) -> tuple[dict[str, str], dict[str, dt.date]]:
    checksums: dict[str, str] = {}
    published: dict[str, dt.date] = {}
    for line in log_path.read_text(encoding="utf-8").splitlines():
        row = _SHA_ROW.match(line.strip())
        if row:
            checksums[row["file"]] = row["sha"]
        release = _RELEASE_LINE.search(line)
        if release:
            published[release["file"]] = dt.date.fromisoformat(release["date"])
    return checksums, published


def data_log(log_path: Path = DATA_LOG) -> tuple[dict[str, str], dict[str, dt.date]]:
    """Return ``(checksums, publication_dates)`` recorded in the data log."""
    if not log_path.exists():
        raise DataValidationError(f"{log_path}: the data log is missing; it must list every raw file with its SHA-256")
    return _read_log(log_path, log_path.stat().st_mtime)


def logged_checksums(log_path: Path = DATA_LOG) -> dict[str, str]:
    """File name (relative to ``data/raw``) -> SHA-256 as recorded in the data log."""
    return data_log(log_path)[0]


def publication_date(path: Path, log_path: Path = DATA_LOG) -> dt.date | None:
    """The date a release became public, from the data log (None if not logged)."""
    return data_log(log_path)[1].get(Path(path).name)


_verified: dict[tuple[str, float, int], str] = {}


def verify_raw_file(path: Path, log_path: Path = DATA_LOG, raw_dir: Path = RAW_DIR) -> str:
    """Check a file against the data log before it is used; return its SHA-256.

    Raises
    ------
    DataValidationError
        If the file does not exist.
    ChecksumError
        If the file is under ``data/raw`` and its SHA-256 differs from the data
        log's row, or the data log has no row for it.
    """
    path = Path(path)
    if not path.exists():
        raise DataValidationError(f"{path}: file not found")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime, stat.st_size)
    if key in _verified:
        return _verified[key]
    sha = sha256_of(path)
    try:
        relative = path.resolve().relative_to(Path(raw_dir).resolve())
    except ValueError:
        relative = None
    if relative is not None:
        expected = logged_checksums(log_path).get(relative.as_posix())
        if expected is None:
            raise ChecksumError(
                f"{path}: not in the data log; add a row with its source, licence and SHA-256 ({sha}) to {log_path.name}"
            )
        if sha != expected:
            raise ChecksumError(
                f"{path}: SHA-256 is {sha} but the data log records {expected}; raw files must not be edited "
                "(restore the original, or log the new file as a new release)"
            )
    _verified[key] = sha
    return sha


def input_files() -> list[Path]:
    """Every raw input the reports can use, plus the targets file and the data log."""
    from analysis_helpers.core.paths import LOCAL_DIR, TARGETS_FILE

    raw = sorted(p for p in RAW_DIR.iterdir() if p.is_file() and p.name != "README.md") if RAW_DIR.exists() else []
    local = sorted(p for p in LOCAL_DIR.glob("*") if p.suffix in (".csv", ".xlsx") and not p.name.startswith("template")) if LOCAL_DIR.exists() else []
    return [*raw, *local, TARGETS_FILE, DATA_LOG]


def inputs_table():
    """File, publication date and SHA-256 of every input, for a report's provenance section."""
    import pandas as pd

    from analysis_helpers.core.paths import PROJECT_ROOT

    rows = []
    for path in input_files():
        if path.exists():
            published = publication_date(path)
            rows.append(
                {
                    "File": path.relative_to(PROJECT_ROOT).as_posix(),
                    "Published": published.isoformat() if published else "",
                    "SHA-256": sha256_of(path),
                }
            )
    return pd.DataFrame(rows)


def vintages_text(release, as_of: dt.date) -> str:
    """One sentence on which DfE release a report uses and whether it was public by ``as_of``."""
    published = release.published
    if published is None:
        return f"DfE release {release.path.name}: publication date not in the data log."
    state = "published before" if published <= as_of else "NOT yet published at"
    return (
        f"Data vintage: DfE release `{release.path.name}` (public by {published:%d %B %Y}, {state} this review's data date "
        f"{as_of:%d %B %Y}). Only figures public by the data date are used."
    )
