"""Caches of derived tables that cannot lie: named by everything that decides their content, checked on every read.

A parsed release file, the KPI table and the spreadsheets' tables are cached as
parquet; the backtest keeps its table as CSV and the panel fit as JSON. A cache
file's name holds:

* the SHA-256 of every input it was derived from (a changed release is never
  served a stale cache);
* the package version and :data:`PACKAGE_CODE`, one hash of every source file
  of the package, so an edit to any code is never served a stale cache either
  (a per-module hash once left out code the backtest depended on).

Each cache file has a sidecar, ``<name>.sha256``, written after it: the file's
SHA-256 and its size. A read (:func:`read_verified`)
takes the file only when the sidecar is there and the bytes and the size agree,
and a table only with the columns its reader expects; anything else (truncated, a flipped bit, zero bytes, a file
of another shape, a missing sidecar) is rebuilt, never trusted, and the
rebuild is recorded with its reason. Writing is atomic (a temporary file
renamed into place). A folder that cannot be written is said once by the
review (:func:`cache_folder_problem`) and the run goes on without caching.

Caches live in :func:`~analysis_helpers.core.paths.cache_dir` (``data/cache``
unless ``SEND_REVIEW_CACHE_DIR`` says otherwise; the tests point it at a
temporary folder). They can be deleted at any time. Within a block of
:func:`recording`, every cache read or written is noted (:class:`CacheUse`),
so a run's ``run.log`` and ``manifest.json`` can say which caches it used and
which it rebuilt.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis_helpers import __version__
from analysis_helpers.core.paths import cache_dir

log = logging.getLogger(__name__)
T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parents[1]


def package_hash(root: Path = _PACKAGE) -> str:
    """SHA-256 (16 hex digits) of every ``.py`` file of the package, named by its path inside it."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


#: One hash of the whole package's code: part of every cache's name.
PACKAGE_CODE = package_hash()


@dataclass(frozen=True)
class CacheUse:
    """One cache read or written: its file name, its SHA-256 and what happened (``read``, ``built``,
    ``rebuilt: <why>``, or ``not kept: <why>`` when the folder could not be written)."""

    name: str
    sha256: str
    event: str

    def as_dict(self) -> dict:
        return {"cache": self.name, "sha256": self.sha256, "event": self.event}


#: The list :func:`recording` fills (any thread of the process: a release reads its files on two).
_recorded: list[list[CacheUse]] = []
_recorded_lock = threading.Lock()


@contextmanager
def recording() -> Iterator[list[CacheUse]]:
    """Note every cache read or written while the block runs, in the list it yields (a file once, built or rebuilt
    if it was, else read)."""
    uses: list[CacheUse] = []
    with _recorded_lock:
        _recorded.append(uses)
    try:
        yield uses
    finally:
        with _recorded_lock:
            _recorded.remove(uses)


def _note(path: Path, sha256: str, event: str) -> None:
    with _recorded_lock:
        uses = _recorded[-1] if _recorded else None
        earlier = next((u for u in uses or [] if u.name == path.name), None)
        if uses is not None and not (earlier is not None and event == "read"):  # a rebuild is not hidden by a later read
            uses[:] = [u for u in uses if u.name != path.name] + [CacheUse(path.name, sha256, event)]
    # Only debug here: a notebook kernel's stderr is the page. The run says what recording() noted in its run.log.
    log.debug("cache %s: %s", path.name, event)


def cache_file(kind: str, inputs: str | Sequence[str], name: str) -> Path:
    """The cache path for ``name`` (of ``kind``) derived from the inputs with these SHA-256s by this package's code."""
    inputs = [inputs] if isinstance(inputs, str) else list(inputs)
    key = hashlib.sha256("\0".join([__version__, PACKAGE_CODE, *inputs]).encode()).hexdigest()[:16]
    return cache_dir() / f"{inputs[0][:20]}-{kind}-v{__version__}-{key}-{name}"


def sidecar(path: Path) -> Path:
    """Where the checksum of the cache file ``path`` is kept."""
    return path.with_name(path.name + ".sha256")


def cache_folder_problem(folder: Path | None = None) -> str:
    """Why the cache folder cannot be written (``""`` when it can): tried by creating and removing a file in it."""
    folder = Path(folder) if folder is not None else cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=folder, suffix=".probe")
        os.close(handle)
        os.unlink(probe)
        return ""
    except OSError as exc:
        return exc.strerror or type(exc).__name__


def _write_atomically(path: Path, data: bytes) -> None:
    tmp: str | None = None
    try:
        handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def write_verified(path: Path, data: bytes) -> bool:
    """Keep ``data`` at ``path`` with its sidecar; False (nothing half-written left) if the folder cannot be written."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sidecar(path).unlink(missing_ok=True)  # never a new file beside an old checksum
        _write_atomically(path, data)
        _write_atomically(sidecar(path), json.dumps({"sha256": sha, "bytes": len(data)}).encode())
    except OSError as exc:
        _note(path, sha, f"not kept: {exc.strerror or type(exc).__name__}")
        return False
    return True


def read_verified(path: Path) -> tuple[bytes | None, str]:
    """The bytes at ``path`` if its sidecar vouches for them, else ``(None, why)``; ``why`` is ``""`` when there
    is simply no cache yet."""
    if not path.exists():
        return None, ""
    try:
        data = path.read_bytes()
        stamp = json.loads(sidecar(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "no checksum beside it"
    except (OSError, ValueError) as exc:
        return None, f"unreadable ({type(exc).__name__})"
    if not isinstance(stamp, dict):
        return None, "checksum file of the wrong shape"
    if stamp.get("bytes") != len(data):
        return None, f"{len(data)} bytes where {stamp.get('bytes')} were written"
    if stamp.get("sha256") != hashlib.sha256(data).hexdigest():
        return None, "checksum mismatch"
    return data, ""


def cached_value(path: Path, build: Callable[[], tuple[bytes, T]], parse: Callable[[bytes], T],
                 check: Callable[[T], str] | None = None) -> T:
    """``parse`` of the verified cache at ``path``; else the value ``build()`` makes, its bytes kept there.

    ``build`` returns the bytes to keep and the value they stand for. ``check`` may refuse a parsed value that
    the checksum vouches for (a reason, or ``""``), such as a table without the expected columns. A damaged
    cache is rebuilt, never trusted, and the rebuild noted with its reason."""
    data, why = read_verified(path)
    if data is not None:
        try:
            value = parse(data)
            why = check(value) if check is not None else ""
        except Exception as exc:  # noqa: BLE001 - a cache that does not parse is rebuilt, never trusted
            why = f"does not parse ({type(exc).__name__})"
        if not why:
            _note(path, hashlib.sha256(data).hexdigest(), "read")
            return value
    fresh, value = build()
    if write_verified(path, fresh):
        _note(path, hashlib.sha256(fresh).hexdigest(), f"rebuilt: {why}" if why else "built")
    return value


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A table as parquet bytes (no index)."""
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return sink.getvalue()


def from_parquet_bytes(data: bytes) -> pd.DataFrame:
    return pq.read_table(io.BytesIO(data)).to_pandas()


def cached_frame(path: Path, build: Callable[[], pd.DataFrame], columns: Sequence[str] | None = None,
                 required: Sequence[str] = ()) -> pd.DataFrame:
    """The table at ``path`` if it is there and verified (its columns exactly ``columns`` when given, and holding
    every one of ``required``); else ``build()``, kept there as parquet for the next process."""
    def make() -> tuple[bytes, pd.DataFrame]:
        frame = build()
        return parquet_bytes(frame), frame

    def check(frame: pd.DataFrame) -> str:
        if columns is not None and list(frame.columns) != list(columns):
            return "columns differ from those expected"
        missing = [c for c in required if c not in frame.columns]
        return f"no column {missing[0]}" if missing else ""

    return cached_value(path, make, from_parquet_bytes, check)


def file_table(kind: str, path: Path, sha256: str, read: Callable[[Path], pd.DataFrame],
               columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A published file's table: ``read(path)`` once, then kept as parquet under the file's SHA-256 (``sha256``, as
    verified by the caller), the version and the package's code hash, so each kernel skips the spreadsheet."""
    path = Path(path)
    return cached_frame(cache_file(kind, sha256, f"{path.name}.parquet"), lambda: read(path), columns=columns)
