"""The release a process opened for one review, kept for its next review of the same release and data date.

Opening a release and resolving its areas reads and checks every file the measures read (about 0.4 s), and a review
notebook then derives the KPI table, the histories and the fitted panels from it (about 1 s more), all kept on the
:class:`~analysis_helpers.data.release.Release` (``remember``). A batch did all of it again for every area, in its
worker and in the worker's kernel. A process that runs reviews one after another (a batch worker's areas, a kernel
lent again for the next notebook or area) asks :func:`kept_release` instead of opening the release itself, and gets
the :class:`OpenedRelease` it opened last, provided nothing it was derived from has changed since:

* the release, hashed again and checked against the data log again (a changed file is refused as on opening), its
  publication date, whether a log lists it, and the checksum lists in force;
* the historic release the 2014-2018 history comes from (hashed again);
* the package's code (:func:`~analysis_helpers.data.parquet_cache.package_hash`, computed again: a kernel whose
  autoreload took an edit gets a fresh release) and the cache folder;
* the data date (each data date prepares its own caches: :func:`.report.prepare_caches`);
* every cache read or built while opening it, verified again against its checksum
  (:func:`~analysis_helpers.data.parquet_cache.read_verified`): one damaged since is rebuilt by opening the release
  afresh, and said in that run's ``run.log``.

Anything else opens the release afresh and keeps that one instead: one release is kept a process, at most. The
check costs a few milliseconds. State is kept here, in ``pipeline``; nothing below it keeps any (``tests/test_state.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from analysis_helpers.core.paths import HISTORIC_RELEASE
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.parquet_cache import CacheUse
from analysis_helpers.data.provenance import checksum_lists, is_listed, publication_date, sha256_of, verify_raw_file
from analysis_helpers.data.release import Release, open_release
from analysis_helpers.domain.areas import Areas, areas_for


@dataclass(frozen=True)
class OpenedRelease:
    """A release opened for a run, the areas resolved from it, and the caches read or built doing so (for ``run.log``
    and ``manifest.json``)."""

    release: Release
    areas: Areas
    cache_uses: tuple[CacheUse, ...] = ()
    fingerprint: tuple = field(default=(), compare=False, repr=False)


_kept: dict[tuple, OpenedRelease] = {}
_lock = threading.Lock()


def open_for_run(path: Path, historic: Path | None = HISTORIC_RELEASE) -> OpenedRelease:
    """Open the release at ``path`` and resolve its areas, noting the caches read or built (see the module docstring)."""
    with parquet_cache.recording() as uses:
        release = open_release(path, historic=historic)
        areas = areas_for(release)
    return OpenedRelease(release, areas, tuple(uses), _fingerprint(release.path, release.historic_path, release.sha256))


def kept_release(path: Path, day: dt.date, historic: Path | None = HISTORIC_RELEASE) -> OpenedRelease:
    """The release at ``path`` for a run with data date ``day``: the one this process kept, if nothing it was derived
    from has changed (see the module docstring), else opened afresh and kept."""
    path = Path(path)
    key = (str(path.resolve()), str(Path(historic).resolve()) if historic is not None else None, day)
    with _lock:
        kept = _kept.get(key)
    if kept is not None:
        sound = _sound_uses(kept.cache_uses)
        if sound is not None and _fingerprint(path, kept.release.historic_path) == kept.fingerprint:
            return OpenedRelease(kept.release, kept.areas, sound, kept.fingerprint)
    opened = open_for_run(path, historic)
    with _lock:
        _kept.clear()  # one release a process: a kernel or worker runs one release and data date at a time
        _kept[key] = opened
    return opened


def _fingerprint(path: Path, historic: Path | None, sha256: str | None = None) -> tuple:
    """What a kept release was derived from, besides its caches (see the module docstring); ``sha256`` when just verified."""
    sha = sha256 or verify_raw_file(path)
    historic_sha = sha256_of(historic) if historic is not None and Path(historic).exists() else None
    return (sha, publication_date(path, sha256=sha), is_listed(path, sha256=sha), tuple(checksum_lists()), historic_sha,
            parquet_cache.package_hash(), str(parquet_cache.cache_dir()))


def _sound_uses(uses: tuple[CacheUse, ...]) -> tuple[CacheUse, ...] | None:
    """The caches noted when the release was opened, each verified again and noted as read with its checksum now
    (one not kept for want of a writable folder stays as it was); None if one is missing or damaged."""
    checked = []
    for use in uses:
        if use.event.startswith("not kept"):
            checked.append(use)
            continue
        data, _ = parquet_cache.read_verified(parquet_cache.cache_dir() / use.name)
        if data is None:
            return None
        checked.append(CacheUse(use.name, hashlib.sha256(data).hexdigest(), "read"))
    return tuple(checked)
