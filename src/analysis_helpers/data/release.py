"""A DfE explore-education-statistics (EES) release: the zip as published.

A *release* is the "all files" zip DfE publishes (or the same files unpacked
in a folder). :class:`Release` checks the file against the data log before
anything is read (:mod:`~analysis_helpers.data.provenance`), lists its CSVs,
reads a member's bytes and hands them to the EES reader
(:func:`~analysis_helpers.data.ees_csv.parse_ees_csv`), keeping each parsed
file in memory and as parquet in the cache
(:mod:`~analysis_helpers.data.parquet_cache`).

A :class:`Release` is also the run's state for that release: what is derived
from it (the areas, the KPI table, fitted models: :meth:`Release.remember`)
is kept on it, nowhere else, and :meth:`Release.clear` forgets it all. It is
opened once, by the command line or a notebook's parameter check
(:func:`open_release`), and passed to every function that needs it; nothing
below them opens one by default. The 2014-2018 history comes from the old
release the run names beside it (``historic``).

The reader's names are importable from here too (``FileSchema``,
``ReleaseFile``, ``parse_ees_csv``, ``parse_time_period``, ``SYMBOLS``), as
callers have always imported them.
"""

from __future__ import annotations

import os
import threading
import zipfile
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property, partial
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import HISTORIC_RELEASE
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.ees_csv import FileSchema, ReleaseFile, parse_ees_csv
from analysis_helpers.data.periods import parse_time_period
from analysis_helpers.data.provenance import default_release, is_listed, publication_date, verify_raw_file
from analysis_helpers.data.symbols import SYMBOLS

__all__ = ["FileSchema", "Release", "ReleaseFile", "SYMBOLS", "open_release", "parse_ees_csv", "parse_time_period"]

#: The most a release member may hold once unzipped (DfE's largest is about 11 MB): a member the zip's directory
#: says is larger is refused before it is read, and no read takes more than this, whatever the directory says.
MAX_MEMBER_BYTES = 512 * 1024 * 1024
_CHUNK = 1 << 20
T = TypeVar("T")


class Release:
    """A DfE EES release: a zip as published, or the same files in a folder.

    Parameters
    ----------
    path : path-like
        The zip or folder. Files under ``data/raw`` are checked against the data
        log's SHA-256 before anything is read; files in a folder with a
        registered checksum list, against that list.
    cache : bool
        Cache parsed files as parquet in the cache folder (default True).

    ``published`` is the release's publication date from the data log or its checksum list; ``listed`` is False
    for a file outside ``data/raw`` whose SHA-256 no log records (an *unlisted release*, which has no date).
    """

    def __init__(self, path: os.PathLike | str | None = None, cache: bool = True,
                 historic: os.PathLike | str | None = HISTORIC_RELEASE):
        self.path = Path(path) if path is not None else default_release()
        if not self.path.exists():
            raise DataValidationError(f"{self.path}: release not found (expected a DfE release zip or folder)")
        self.sha256 = verify_raw_file(self.path)  # hashed once: an unlisted release is looked up in the logs by this
        self.cache = cache
        # None for an unlisted release: never borrowed by its file name
        self.published = publication_date(self.path, sha256=self.sha256)
        self.listed = is_listed(self.path, sha256=self.sha256)
        self.historic_path = Path(historic) if historic is not None else None
        self._parsed: dict[tuple[str, FileSchema | None], ReleaseFile] = {}
        self._derived: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    # -- the run's state for this release -------------------------------------
    @property
    def historic(self) -> Release:
        """The old-schema release the 2014-2018 history is read from (opened once, kept with this one)."""
        if self.historic_path is None:
            raise DataValidationError(f"{self.path.name}: opened without a historic release, so no 2014-2018 history")
        return self.remember("historic release", lambda: Release(self.historic_path, cache=self.cache, historic=None))

    def remember(self, key: Hashable, build: Callable[[], T]) -> T:
        """What ``build()`` returns, built once for this release and kept until :meth:`clear`."""
        with self._lock:
            if key in self._derived:
                return self._derived[key]
        built = build()  # outside the lock: a build may itself remember; two threads at once keep the first
        with self._lock:
            return self._derived.setdefault(key, built)

    def clear(self) -> None:
        """Forget every parsed file and everything derived from them (the files on disk and caches stay)."""
        with self._lock:
            self._parsed.clear()
            self._derived.clear()

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
            path = self.path / member
            self._check_size(name, path.stat().st_size)
            with open(path, "rb") as stream:
                return self._bounded(name, stream)
        try:
            with zipfile.ZipFile(self.path) as archive:
                info = archive.getinfo(member)
                self._check_size(name, info.file_size)  # from the zip's central directory, before anything is inflated
                with archive.open(info) as stream:
                    return self._bounded(name, stream)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise DataValidationError(f"{self.label(name)}: cannot be read from the zip ({exc}); the file may be truncated") from exc

    def _check_size(self, name: str, size: int) -> None:
        """Refuse, in one line, a member larger than :data:`MAX_MEMBER_BYTES` once unzipped."""
        if size > MAX_MEMBER_BYTES:
            raise DataValidationError(
                f"{self.label(name)}: {size:,} bytes once unzipped, more than the {MAX_MEMBER_BYTES:,} bytes a release file may hold; "
                "it was not read (is this DfE's release as published?)"
            )

    def _bounded(self, name: str, stream) -> bytes:
        """A member's bytes, read a block at a time and never more than :data:`MAX_MEMBER_BYTES` (the stated size may lie)."""
        blocks, total = [], 0
        while block := stream.read(min(_CHUNK, MAX_MEMBER_BYTES + 1 - total)):
            blocks.append(block)
            total += len(block)
            if total > MAX_MEMBER_BYTES:
                raise DataValidationError(f"{self.label(name)}: more than the {MAX_MEMBER_BYTES:,} bytes a release file may hold "
                                          "once unzipped, though its entry said less; reading stopped "
                                          "(is this DfE's release as published?)")
        return b"".join(blocks)

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
        schemas = schemas or {}
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {name: pool.submit(self.read, name, schemas.get(name)) for name in names}
            return {name: futures[name].result() for name in names}

    def cache_path(self, name: str, schema: FileSchema | None) -> Path | None:
        """Where the parsed file is cached (None without a cache)."""
        if not self.cache:
            return None
        return parquet_cache.cache_file("schema" if schema else "plain", self.sha256, f"{name}.parquet")

    def _read(self, name: str, schema: FileSchema | None) -> ReleaseFile:
        cache_path = self.cache_path(name, schema)
        symbol_loader = partial(self._symbols_for, name, schema)
        if cache_path is None:
            return parse_ees_csv(self.read_bytes(name), self.label(name), schema)
        parsed: list[ReleaseFile] = []

        def build() -> pd.DataFrame:
            parsed.append(parse_ees_csv(self.read_bytes(name), self.label(name), schema))
            return parsed[0].data

        required = (*schema.geography, *schema.filters, *schema.indicators) if schema else ()
        data = parquet_cache.cached_frame(cache_path, build, required=required)  # verified: a damaged cache is rebuilt
        return parsed[0] if parsed else ReleaseFile(name=name, source=self.label(name), data=data, symbol_loader=symbol_loader)

    def _symbols_for(self, name: str, schema: FileSchema | None) -> pd.DataFrame:
        return parse_ees_csv(self.read_bytes(name), self.label(name), schema).symbols


def open_release(path: os.PathLike | str | None = None, historic: os.PathLike | str | None = HISTORIC_RELEASE) -> Release:
    """Open a release for a run (default: the data log's default release), with the old release its history reads.

    Called once, where a run starts (the command line, a notebook's parameter check), and passed on.
    """
    return Release(path, historic=historic)
