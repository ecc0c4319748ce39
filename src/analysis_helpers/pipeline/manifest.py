"""``manifest.json``: everything needed to reproduce or audit a run.

Parameters, the DfE release (its SHA-256, its logged publication date, or ``unlisted release (sha256 …)``
when no log records it), the files the run reads (release, long history, neighbour list,
DSG table, the area's local feed, the council-measures catalogue, targets, area facts,
data log), each of those inputs once with its SHA-256 and publication date (no
other stored file: a run with ``--local other.csv`` does not list ``data/local/kent.csv``), the local feed's validation notes,
each cache the run read or wrote (its file, SHA-256 and whether it was read, built or rebuilt), package
versions, the git commit, the run date (from which a default quarter is
resolved), start and end times and each notebook's seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from analysis_helpers.core.paths import PROJECT_ROOT, shown_path
from analysis_helpers.core.vintage import today
from analysis_helpers.data.provenance import input_files, is_listed, publication_date, sha256_of, unlisted_label
from analysis_helpers.domain.run_context import Quarter

PACKAGES = ("analysis_helpers", "pandas", "numpy", "pyarrow", "matplotlib", "scipy", "statsmodels", "papermill", "nbconvert", "nbformat",
            "playwright")


def build_manifest(
    parameters: dict,
    quarter: Quarter,
    release: Path,
    started: dt.datetime,
    durations: dict,
    read: list[Path] | None = None,
    feed_notes: list[str] | None = None,
    pdf_seconds: float | None = None,
    caches: list[dict] | None = None,
) -> dict:
    """Everything needed to reproduce or audit a run (see the module docstring).

    ``inputs`` are exactly the files the run read (``read``); without ``read``, the release and every stored input."""
    candidates = read if read is not None else [Path(release), *input_files()]
    inputs = list(dict.fromkeys(Path(p).resolve() for p in candidates))  # each file once, however it was named
    return {
        "quarter": str(quarter),
        "run_date": today().isoformat(),  # the date the default quarter is resolved from (SEND_REVIEW_TODAY fixes it)
        "parameters": parameters,
        "files_read": [shown_path(p) for p in (read or [])],
        "release": _release(Path(release)),
        "inputs": [_input(p) for p in inputs if p.exists()],
        "feed_notes": list(feed_notes or []),
        "caches": list(caches or []),  # each cache the run read or wrote, with its SHA-256 and whether it was rebuilt
        "packages": {name: _version(name) for name in PACKAGES},
        "python": platform.python_version(),
        "git_commit": _git_commit(),
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "notebook_seconds": durations,
        "pdf_seconds": pdf_seconds,  # None: no index.pdf written (--no-pdf, or no Chromium)
    }


def write_manifest(manifest: dict, folder: Path) -> Path:
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path




def _release(path: Path) -> dict | None:
    """The DfE release the run read: its checksum, its logged publication date, and whether a log records it at all."""
    if not path.exists():
        return None
    sha = sha256_of(path)  # once: an unlisted release is looked up in the logs by it
    listed = is_listed(path, sha256=sha)
    return {"path": shown_path(path), "sha256": sha, "published": _iso(publication_date(path, sha256=sha)), "listed": listed,
            "label": f"DfE release {path.name}" if listed else unlisted_label(sha)}


def _input(path: Path) -> dict:
    """One file the run read: its path, its SHA-256 (hashed once) and its logged publication date."""
    sha = sha256_of(path)
    return {"path": shown_path(path), "sha256": sha, "published": _iso(publication_date(path, sha256=sha))}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None
