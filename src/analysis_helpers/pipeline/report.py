"""Run the review notebooks headlessly for one area and quarter, and put the report in place.

One run = one area and one calendar quarter::

    reports/<quarter>/<area-slug>/index.html        the review (no code cells)
    reports/<quarter>/<area-slug>/index.pdf         the review printed to A4 by Chromium (not with pdf=False)
    reports/<quarter>/<area-slug>/headline.json     the review's KPIs and statuses, for the quarter's index
    reports/<quarter>/<area-slug>/<notebook>.html   the detailed reports it links
    reports/<quarter>/<area-slug>/<notebook>.ipynb  the executed notebooks
    reports/<quarter>/<area-slug>/manifest.json     parameters, files read, inputs + SHA-256,
                                                    feed notes, versions, git commit, timings
    reports/<quarter>/<area-slug>/run.log           files read, feed notes, each notebook's
                                                    duration, warnings
    reports/<quarter>/index.html                    every area reviewed this quarter (:mod:`.quarter_index`)

Nothing is ever half-written: the run works in a temporary folder beside the
destination and renames it into place only when every notebook has run and been
exported. A failed run raises :class:`~analysis_helpers.core.errors.ReportError`
naming the failing cell, keeps the failed notebook and its ``run.log`` under
``reports/_failed/<quarter>/<area-slug>/``, and leaves any earlier good report
for the same quarter untouched; the next successful run removes that folder. A
run holds its area's lock for the quarter, removes what killed runs of its area
left, gives its folder the modes the umask gives (it was mkdtemp's 0700), and
keeps the details pages of an earlier full run when it writes none of its own
(:mod:`.folders`). A filesystem error (a full disk) is one line keeping the first
error, also in ``_failed/.../run.log``.

The steps live in their own modules: :mod:`.execute` (papermill),
:mod:`.html` (the page), :mod:`.pdf` (its print), :mod:`.manifest`,
:mod:`.logs` (``run.log``), :mod:`.quarter_index`. Without a Chromium on the
machine the PDF is skipped with one warning line; a Chromium that cannot print
the page fails the run like a notebook would.
This module knows notebooks and files, not statistics.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analysis_helpers.analysis.review_caches import prepare_review_caches
from analysis_helpers.core.errors import ParameterError, ReportError
from analysis_helpers.core.paths import (
    BASELINES_NOTEBOOK,
    HIGH_NEEDS_NOTEBOOK,
    REPORTS_DIR,
    REVIEW_NOTEBOOK,
    TRAJECTORIES_NOTEBOOK,
    local_dir,
    shown_path,
)
from analysis_helpers.core.vintage import public_by
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.feed_names import check_feed_names
from analysis_helpers.data.inputs import feed_file, files_read
from analysis_helpers.data.local_feed import area_feed, validate_feed
from analysis_helpers.data.neighbours import DEFAULT_VINTAGE, check_vintage
from analysis_helpers.data.parquet_cache import CacheUse
from analysis_helpers.data.provenance import default_release, is_listed, publication_date, sha256_of, unlisted_label
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area
from analysis_helpers.pipeline.execute import execute
from analysis_helpers.pipeline.folders import (
    area_lock,
    clear_leftovers,
    disk_error,
    keep_pages,
    readable,
    writable_folder,
)
from analysis_helpers.pipeline.html import export_html, page_title
from analysis_helpers.pipeline.kept_releases import OpenedRelease, open_for_run
from analysis_helpers.pipeline.kernels import KernelPool, close_thread_loop
from analysis_helpers.pipeline.logs import FILE_ONLY, run_log
from analysis_helpers.pipeline.manifest import build_manifest, write_manifest
from analysis_helpers.pipeline.pdf import NO_CHROMIUM, find_chromium, running_header, write_pdf
from analysis_helpers.pipeline.quarter_index import read_headline, write_headline, write_quarter_index
from analysis_helpers.pipeline.review_dates import (
    Quarter,
    latest_supported_quarter,
    resolve_run_parameters,
    warn_if_feed_stale,
    warn_if_stale,
)
from analysis_helpers.reporting.summary import SUMMARY_MEASURES

# Re-exported: callers import these from here (tests, benchmarks, notebooks' docs).
__all__ = [
    "REVIEW_NOTEBOOKS", "Quarter", "build_manifest", "check_release_public", "export_html", "latest_supported_quarter",
    "resolve_run_parameters", "run_quarterly",
]

#: Notebooks of a quarterly review, in the order they run. The first is the
#: report's ``index.html`` (the review); the others are the detailed reports it links.
REVIEW_NOTEBOOKS = (REVIEW_NOTEBOOK, BASELINES_NOTEBOOK, TRAJECTORIES_NOTEBOOK, HIGH_NEEDS_NOTEBOOK)
RUN_LOG = "run.log"

log = logging.getLogger(__name__)
#: The caches each (release, data date) was prepared with in this process: a batch worker's next area reuses them.
_prepared: dict[tuple[str, dt.date], list[CacheUse]] = {}
_said_cache_problem: set[str] = set()


def run_quarterly(
    area: Area | str = "Kent",
    quarter: str | None = None,
    as_of: str | None = None,
    out_dir: Path | None = None,
    release: Path | None = None,
    notebooks: tuple[Path, ...] = REVIEW_NOTEBOOKS,
    neighbours: str = DEFAULT_VINTAGE,
    local: Path | None = None,
    pdf: bool = True,
    index: bool = True,
    jobs: int | None = None,
    kernels: KernelPool | None = None,
    targets: Path | None = None,
    opened: OpenedRelease | None = None,
) -> Path:
    """Execute the review notebooks for one area and quarter; return ``index.html``.

    Parameters are validated before any notebook starts. See the module
    docstring for what is written where. ``pdf=False`` writes no ``index.pdf``;
    ``index=False`` leaves the quarter's index alone (a batch writes it once at the end). ``jobs``
    notebooks run at once (default: one a core; a batch, which runs areas at once, gives 1); a notebook that waits
    for a slot runs in the kernel the last one left (:mod:`.kernels`), skipping a kernel's start and imports (on 2
    cores Kent's pack took 10.1-10.5 s, against 11.2-11.6 s with its three notebooks at once, a kernel each).
    ``kernels`` lends the kernels (a batch worker keeps its own from area to area); by default the run starts
    its own and stops them at the end. ``targets`` is a targets file other than ``data/targets.csv`` (the
    notebooks' ``targets_file``). ``area`` is an :class:`Area` the caller resolved (a batch), or its name, LA number
    or code, resolved here once. ``opened`` is the release (``release``, or the default one) as the caller already
    opened it, with its areas (a batch worker's, kept from area to area: :mod:`.kept_releases`); by default the run
    opens it once here.
    """
    q, day = resolve_run_parameters(quarter, as_of, warn=False)
    vintage = check_vintage(neighbours)
    release_path = Path(release) if release else default_release(day)
    if release is not None:
        check_release_public(release_path, q, day)  # before anything is written: a good report is never overwritten
    warn_if_stale(day)  # one warning line, once the run is known to go ahead
    if opened is None:
        opened = open_for_run(release_path)  # once a run: its caches are prepared on the same object
    elif opened.release.path.resolve() != release_path.resolve():
        raise ValueError(f"run_quarterly: the release passed in is {opened.release.path}, not the run's {release_path}")
    areas, cache_uses = opened.areas, list(opened.cache_uses)
    target_area = area if isinstance(area, Area) else areas.get(area)
    check_feed_names((a.slug for a in areas), Path(local) if local else local_dir())  # a feed named for no area: refused, not ignored
    feed_rows = area_feed(target_area.slug, local)  # a broken feed stops the run here, with the validator's message
    warn_if_feed_stale(feed_rows, target_area.name, day)  # one warning line, not a failure (issue 15)
    cache_uses += prepare_caches(opened.release, day)
    feed = feed_file(target_area.slug, local)
    notes = validate_feed(feed)[2] if feed is not None else []
    read = files_read(release_path, vintage, feed, targets, inspections=target_area.level == LOCAL_AUTHORITY, as_of=day)
    out_dir = Path(out_dir) if out_dir else REPORTS_DIR
    destination = out_dir / str(q) / target_area.slug
    failed_dir = out_dir / "_failed" / str(q) / target_area.slug
    parameters = {
        "area": target_area.name,
        "quarter": str(q),
        "neighbours": vintage,
        "as_of": day.isoformat(),
        "release": "" if release is None else shown_path(release_path),
        "local": "" if local is None else str(Path(local).resolve()),
        "targets_file": "" if targets is None else str(Path(targets).resolve()),
        "details": len(notebooks) > 1,
        "report_dir": str(destination),  # where the pages are read: their links are relative to it
    }

    started = dt.datetime.now(dt.UTC)
    what = f"the review of {target_area.name} for {q}"
    quarter_folder = writable_folder(destination.parent)  # an --out that is a file or read-only: one line, before any work
    with area_lock(quarter_folder, target_area.slug, target_area.name):  # one run of an area and quarter at a time
        for name in clear_leftovers(quarter_folder, target_area.slug):
            log.info("removed %s, left by a run of %s that was stopped", name, target_area.name)
        # work beside the destination: same filesystem (atomic rename) and same depth (relative links)
        try:
            work = Path(tempfile.mkdtemp(prefix=f".{target_area.slug}-", dir=quarter_folder))
        except OSError as exc:
            raise disk_error(exc, what) from exc
        try:
            with run_log(work / RUN_LOG):
                try:
                    log.info("review of %s for %s, data as of %s: %s", target_area.name, q, day, parameters)
                    for path in read:
                        log.info("reads %s (sha256 %s)", shown_path(path), sha256_of(path))
                    for note in notes:
                        log.info("local feed %s: %s", feed.name, note)
                    for use in cache_uses:
                        level = logging.WARNING if use.event.startswith("rebuilt") else logging.INFO
                        log.log(level, "cache %s %s (sha256 %s)", use.name, use.event, use.sha256[:16])
                    durations = _run_notebooks(notebooks, parameters, work, failed_dir, target_area.name, q,
                                               jobs=jobs or os.cpu_count() or 1, kernels=kernels)
                    headline = read_headline(work / notebooks[0].name)
                    if headline is not None:
                        write_headline(headline, work)
                    header = running_header(target_area.name, q, day)
                    pdf_seconds = _print_pdf(work, failed_dir, header) if pdf else None
                    manifest = build_manifest(parameters, q, release_path, started, durations, read=read, feed_notes=notes,
                                              pdf_seconds=pdf_seconds,
                                              caches=[u.as_dict() for u in sorted(cache_uses, key=lambda u: u.name)])
                    _keep_details(destination, work, notebooks, manifest)
                    write_manifest(manifest, work)
                    readable(work)  # mkdtemp made it private; a report is for reading (modes as the umask gives)
                    log.info("manifest written; moving the report into %s", destination)
                except OSError as exc:  # a full disk: the first error is the one said, and kept in _failed/
                    error = disk_error(exc, what)
                    log.error("%s", error, extra=FILE_ONLY)
                    _keep_run_log(work, failed_dir)
                    raise error from exc
            try:
                _swap_into_place(work, destination)
            except OSError as exc:
                raise disk_error(exc, what) from exc
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(failed_dir, ignore_errors=True)  # a success: the area's last failure is history
    if index:
        try:
            write_quarter_index(destination.parent)
        except OSError as exc:
            raise disk_error(exc, f"the index of {q}'s reviews") from exc
    return destination / "index.html"


def prepare_caches(release: Release, day: dt.date) -> list[CacheUse]:
    """Build or check the caches the review's notebooks read (:mod:`~analysis_helpers.analysis.review_caches`), once a
    release and data date in this process; the caches read or written. A cache folder that cannot be written is said
    once, and the review goes on without caching."""
    problem = parquet_cache.cache_folder_problem()
    folder = shown_path(parquet_cache.cache_dir())
    if problem and folder not in _said_cache_problem:
        _said_cache_problem.add(folder)
        log.warning("the cache folder %s cannot be written (%s): this review runs without caches, which is slower; "
                    "make it writable or set SEND_REVIEW_CACHE_DIR to a writable folder", folder, problem)
    key = (release.sha256, day, folder)
    if key in _prepared and not all(parquet_cache.read_verified(parquet_cache.cache_dir() / u.name)[0] for u in _prepared[key]):
        del _prepared[key]  # a cache damaged since: check them all again, on a release that has read none of them yet
        release = Release(release.path, cache=release.cache, historic=release.historic_path)
    if key not in _prepared:
        with parquet_cache.recording() as uses:
            prepare_review_caches(SUMMARY_MEASURES, day, release)
        _prepared[key] = list(uses)
    return _prepared[key]


def check_release_public(release: Path, quarter: Quarter, day: dt.date) -> None:
    """Refuse, in one line, a release given for a review whose data date is before the release was published.

    An unlisted release (outside ``data/raw``, its SHA-256 in no log) has no publication date to check: the run goes
    ahead with one warning line, and the review, its sources and the manifest name it ``unlisted release (sha256 …)``."""
    sha = sha256_of(release) if release.is_file() else None  # a file hashed once here (a folder only for its label)
    if release.exists() and not is_listed(release, sha256=sha):
        log.warning("--release %s is an %s: no data log records its checksum, so it has no publication date",
                    shown_path(release), unlisted_label(sha or sha256_of(release)))
        return
    published = publication_date(release, sha256=sha)
    if not public_by(published, day):
        raise ParameterError(
            f"--release {shown_path(release)} was published {published}, after this review's data date {day} (quarter {quarter}); "
            f"give --as-of {published} or later, or leave out --release"
        )


def _keep_details(destination: Path, work: Path, notebooks, manifest: dict) -> None:
    """Carry the details pages of an earlier full run into a run that does not write them (:func:`.folders.keep_pages`)."""
    names = {n.name for n in notebooks}
    pages = [name for nb in REVIEW_NOTEBOOKS[1:] if nb.name not in names for name in (nb.with_suffix(".html").name, nb.name)]
    kept = keep_pages(destination, work, pages, manifest["parameters"]["area"], manifest["parameters"]["quarter"])
    if kept is not None:
        manifest["details_kept"] = kept
        log.info("kept %s from the run started %s (data as of %s): this run does not write them",
                 ", ".join(kept["files"]), kept["run_started"], kept["as_of"])


def _keep_run_log(work: Path, failed_dir: Path) -> None:
    """Copy ``run.log`` beside a failed run's notebook; a disk too full for the copy must not hide the run's own error."""
    try:
        failed_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / RUN_LOG, failed_dir / RUN_LOG)
    except OSError as exc:
        log.debug("run.log not kept in %s: %s", failed_dir, exc)


def _run_notebooks(notebooks, parameters: dict, work: Path, failed_dir: Path, area_name: str, quarter: Quarter,
                   jobs: int = 1, kernels: KernelPool | None = None) -> dict[str, float]:
    """Execute and export each notebook into ``work``, ``jobs`` at a time; on failure keep ``run.log`` beside the failed notebook.

    Each notebook runs in a kernel lent by ``kernels`` (a batch worker's, kept for its next area) or by a pool
    of this run's own, so a notebook that starts after another finished reuses its kernel. Each writes only its
    own files, so the pack's notebooks can run at once; the first failure (in the pack's order) is the one
    reported, and notebooks not yet started are not.
    """
    own_pool = kernels is None
    pool_of_kernels = KernelPool() if own_pool else kernels

    def run_one(index: int, notebook: Path) -> float:
        tick = time.perf_counter()
        try:
            with pool_of_kernels.kernel() as km:
                execute(notebook, work / notebook.name, parameters, failed_dir=failed_dir, km=km)
        finally:
            close_thread_loop()
        html_name = "index.html" if index == 0 else notebook.with_suffix(".html").name
        export_html(work / notebook.name, work / html_name, title=page_title(notebook, area_name, quarter))
        seconds = round(time.perf_counter() - tick, 3)
        log.info("%s ran and was exported to %s in %.1f s", notebook.name, html_name, seconds)
        return seconds

    durations: dict[str, float] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(notebooks))))
    try:
        futures = [(notebook, pool.submit(run_one, index, notebook)) for index, notebook in enumerate(notebooks)]
        for notebook, future in futures:
            try:
                durations[notebook.name] = future.result()
            except Exception as exc:
                pool.shutdown(wait=True, cancel_futures=True)
                log.error("%s", exc, exc_info=not isinstance(exc, ReportError), extra=FILE_ONLY)
                _keep_run_log(work, failed_dir)
                raise
    except BaseException:  # Ctrl+C or a signal: start no notebook still waiting for a slot, and wait for none
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        if own_pool:
            pool_of_kernels.close()
    return durations


def _print_pdf(work: Path, failed_dir: Path, header: str = "") -> float | None:
    """``index.pdf`` beside ``index.html``, ``header`` atop each page; its seconds. No Chromium: one warning, no PDF
    (see the module docstring)."""
    if find_chromium() is None:
        log.warning("%s", NO_CHROMIUM)
        return None
    tick = time.perf_counter()
    try:
        write_pdf(work / "index.html", work / "index.pdf", header=header)
    except ReportError as exc:
        log.error("%s", exc, extra=FILE_ONLY)
        _keep_run_log(work, failed_dir)
        raise
    seconds = round(time.perf_counter() - tick, 3)
    log.info("index.html printed to index.pdf in %.1f s", seconds)
    return seconds


def _swap_into_place(work: Path, destination: Path) -> None:
    """Replace ``destination`` with ``work`` so readers never see a partial report."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if destination.exists():
        old = destination.with_name(f".{destination.name}.old-{os.getpid()}")
        os.replace(destination, old)
    os.replace(work, destination)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
