"""Caches of derived tables, named by everything that decides their content.

A parsed release file is cached as parquet; the backtest keeps its table as
CSV. A cache file's name holds:

* the SHA-256 of the input (a changed release is never served a stale cache);
* the package version (``analysis_helpers.__version__``);
* a hash of the source code that produced it (:func:`source_hash`), so an
  edit to the reader or the models is never served a stale cache either.

Caches live in :func:`~analysis_helpers.core.paths.cache_dir` (``data/cache``
unless ``SEND_REVIEW_CACHE_DIR`` says otherwise; the tests point it at a
temporary folder). They can be deleted at any time. Writing is atomic, and a
read-only checkout simply goes without.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis_helpers import __version__
from analysis_helpers.core.paths import cache_dir


def source_hash(*modules: ModuleType | str | os.PathLike) -> str:
    """SHA-256 (16 hex digits) of the source files of some modules (or paths), in the order given."""
    digest = hashlib.sha256()
    for module in modules:
        path = Path(module.__file__) if isinstance(module, ModuleType) else Path(module)
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_file(kind: str, input_sha256: str, code: str, name: str) -> Path:
    """The cache path for ``name`` derived from an input by code with hash ``code``."""
    return cache_dir() / f"{input_sha256[:20]}-{kind}-v{__version__}-{code}-{name}"


def write_atomically(path: Path, write: Callable[[str], None]) -> bool:
    """Write a cache file through a temporary file; False (and nothing left behind) if the folder is not writable."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(handle)
        write(tmp)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        return False


def to_parquet(frame: pd.DataFrame, path: Path) -> bool:
    """Cache a table as parquet (atomically); False if it could not be written."""
    return write_atomically(path, lambda tmp: pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp))


def from_parquet(path: Path) -> pd.DataFrame:
    """A cached table (raises if the file is damaged: callers rebuild it)."""
    return pq.read_table(path).to_pandas()


def cached_frame(path: Path, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The table at ``path`` if it is there and sound; else ``build()``, kept there as parquet for the next process."""
    if path.exists():
        try:
            return from_parquet(path)
        except Exception:  # a damaged cache is rebuilt, never trusted
            path.unlink(missing_ok=True)
    frame = build()
    to_parquet(frame, path)
    return frame
