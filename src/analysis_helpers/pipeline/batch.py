"""Run the quarterly review for many areas in parallel, and index the results.

``areas`` is ``all`` (every LA with data in the latest period), ``region:NAME``
(every LA of a region), a comma-separated list of names, LA numbers or codes (a
name holding a comma in double quotes: ``"Bristol, City of",Essex``), or a list of names.
Each area runs in a worker process via :func:`report.run_quarterly`
(which writes the area's ``run.log`` beside its ``manifest.json``); a
failing area is recorded, logged, and the batch goes on. A worker keeps its
kernel from one area to the next (:mod:`.kernels`: cleared between areas, so
each area's review is the one a run of its own writes), its browser for the PDFs, and the release it opened with its
areas (:mod:`.kept_releases`: checked again before each area, never trusted unchecked; a worker forked after the batch
opened it starts with the batch's). A batch writes each area's
review (``index.html``); ``details=True`` adds the baselines, trajectories and
high-needs reports that ``send-review run`` always writes (about 2.5 times the time), and
each area's ``index.pdf`` unless ``pdf=False``. When all have finished,
``reports/<quarter>/index.html`` lists every area reviewed for the quarter with
its headline KPIs and links (:mod:`.quarter_index`), and each area of this batch
that failed, with its error.

An ``--out`` that cannot be written is refused in one line before any worker
starts. Each worker follows the batch's process (:func:`.processes.follow_parent`):
it leaves Ctrl+C to the command line and dies, with its kernels and browser,
when the batch's process dies. Interrupted, a batch starts no other area and
stops its workers rather than waiting for their areas to finish.
"""

from __future__ import annotations

import csv
import logging
import multiprocessing.util
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from analysis_helpers.core.errors import ParameterError, SendReviewError, UnknownAreaError
from analysis_helpers.core.paths import REPORTS_DIR, local_dir
from analysis_helpers.data.feed_names import check_feed_names
from analysis_helpers.data.provenance import default_release
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import Area, Areas, areas_for
from analysis_helpers.pipeline.folders import disk_error, writable_folder
from analysis_helpers.pipeline.kept_releases import kept_release
from analysis_helpers.pipeline.kernels import KernelPool
from analysis_helpers.pipeline.processes import follow_parent
from analysis_helpers.pipeline.quarter_index import write_quarter_index
from analysis_helpers.pipeline.report import REVIEW_NOTEBOOKS, check_release_public, run_quarterly
from analysis_helpers.pipeline.review_dates import resolve_run_parameters, warn_if_stale

log = logging.getLogger(__name__)
_worker: dict = {}


@dataclass
class AreaResult:
    area: str
    slug: str
    ok: bool
    seconds: float
    error: str = ""


def split_areas(text: str) -> list[str]:
    """``Kent,"Bristol, City of",Essex`` -> the three names: a name holding a comma is written in double quotes."""
    if text.count('"') % 2:
        raise ParameterError(f"--areas {text!r} has an unmatched double quote; quote a name holding a comma: \"Bristol, City of\",Essex")
    return [part.strip() for part in next(csv.reader([text], skipinitialspace=True), []) if part.strip()]


#: An ``--areas-file`` larger than this is not a list of areas (England has about 150 LAs).
AREA_FILE_MAX_BYTES = 64 * 1024


class AreaLine(str):
    """One line of an ``--areas-file``: its text, and where it came from, so an error names the line, never its text."""

    def __new__(cls, text: str, path: Path, number: int):
        line = super().__new__(cls, text)
        line.path, line.number = path, number
        return line


def read_area_file(path: Path) -> list[str]:
    """A file of areas: one name, LA number or code a line (blank lines and lines starting ``#`` are skipped).

    The file may be anything a user points at, so no error repeats its content:
    a file that is not short UTF-8 text is refused by its size or by the line of
    its first undecodable byte, and a line naming no area by its number
    (:func:`select_areas`).
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"--areas-file {path} does not exist; give a text file with one area a line")
    if path.stat().st_size > AREA_FILE_MAX_BYTES:
        raise ParameterError(f"--areas-file {path} is {path.stat().st_size:,} bytes, too large for a list of areas "
                             f"(at most {AREA_FILE_MAX_BYTES:,}); give a text file with one area a line")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParameterError(f"--areas-file {path}: line {line} is not UTF-8 text; give a text file with one area a line") from None
    return [AreaLine(line.strip(), path, number) for number, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]


def select_areas(spec: str | list[str], release_path: Path | None = None, areas: Areas | None = None) -> list[Area]:
    """Resolve ``all``, ``region:NAME``, ``A,B,C`` (quoted names may hold commas) or a list of names into areas.

    ``areas`` are the release's, when the caller has them. Unknown names are errors."""
    areas = areas if areas is not None else areas_for(open_release(release_path))
    if not isinstance(spec, str):
        chosen = [_area_of(areas, name) for name in spec if name.strip()]
        if not chosen:
            raise ParameterError("no areas given: use --areas, --area (repeatable) or --areas-file")
        return list(dict.fromkeys(chosen))
    text = spec.strip()
    if text.lower() == "all":
        latest = max(p for a in areas.local_authorities() for p in a.periods) if areas.local_authorities() else None
        return [a for a in areas.local_authorities() if latest in a.periods]
    if text.lower().startswith("region:"):
        return areas.local_authorities(text.split(":", 1)[1].strip().strip('"'))
    try:
        chosen = [areas.get(part) for part in split_areas(text)]
    except UnknownAreaError as exc:
        raise UnknownAreaError(f"--areas: {exc}; quote a name holding a comma (\"Bristol, City of\",Essex) or use --area NAME "
                               "(repeatable) or --areas-file") from None
    if not chosen:
        raise ParameterError("--areas is empty: give all, region:NAME or a comma-separated list such as Kent,Essex")
    return list(dict.fromkeys(chosen))


def _area_of(areas, name: str) -> Area:
    """The area a name gives; a line of an ``--areas-file`` that names none is named by its number, its text not repeated."""
    try:
        return areas.get(name.strip())
    except UnknownAreaError:
        if isinstance(name, AreaLine):
            raise UnknownAreaError(f"--areas-file {name.path}: line {name.number} is not the name, LA number or GSS code of an "
                                   "area (`send-review areas` lists them)") from None
        raise


def _worker_kernels() -> KernelPool:
    """This worker process's kernels, kept from one area to the next and stopped when the worker exits."""
    if _worker.get("pid") != os.getpid():  # a forked process inherits its parent's dict, not its kernels
        pool = KernelPool()
        multiprocessing.util.Finalize(pool, pool.close, exitpriority=10)
        _worker.clear()
        _worker.update(pid=os.getpid(), kernels=pool)
    return _worker["kernels"]


def _run_one(
    area: Area, quarter: str, as_of: str | None, out_dir: str, release: str | None, local: str | None = None,
    details: bool = False, pdf: bool = True,
) -> AreaResult:
    tick = time.perf_counter()
    area_name, slug = area.name, area.slug
    try:
        day = resolve_run_parameters(quarter, as_of, warn=False)[1]
        # the release this worker opened for its first area, checked again (kept_releases), not opened again
        opened = kept_release(Path(release) if release else default_release(day), day)
        run_quarterly(area=area, quarter=quarter, as_of=as_of, out_dir=Path(out_dir), release=Path(release) if release else None,
                      local=Path(local) if local else None, notebooks=REVIEW_NOTEBOOKS if details else REVIEW_NOTEBOOKS[:1],
                      pdf=pdf, index=False, jobs=1, kernels=_worker_kernels(), opened=opened)
        return AreaResult(area_name, slug, True, time.perf_counter() - tick)
    except SendReviewError as exc:
        return AreaResult(area_name, slug, False, time.perf_counter() - tick, str(exc))
    except Exception as exc:  # one area's bug must not stop the batch
        return AreaResult(area_name, slug, False, time.perf_counter() - tick, f"{type(exc).__name__}: {exc}")


def run_batch(
    spec: str | list[str],
    quarter: str,
    as_of: str | None = None,
    out_dir: Path | None = None,
    jobs: int | None = None,
    release: Path | None = None,
    progress: bool = True,
    local: Path | None = None,
    details: bool = False,
    pdf: bool = True,
) -> tuple[list[AreaResult], Path]:
    """Run every selected area; return the results and the batch index page."""
    q, day = resolve_run_parameters(quarter, as_of, warn=False)  # validate once, before any work
    if release is not None:
        check_release_public(Path(release), q, day)
    warn_if_stale(day)
    # opened once for the selection and the feed names (the release named, else today's default, as areas always were);
    # kept, so that the workers forked below start with it when they review the same release
    areas = kept_release(Path(release) if release else default_release(), day).areas
    chosen = select_areas(spec, release, areas=areas)
    # once, before any worker starts: a feed named for no area is refused, not ignored by every area
    check_feed_names((a.slug for a in areas), Path(local) if local else local_dir())
    if local is not None and Path(local).is_file() and len(chosen) > 1:
        raise ParameterError(f"--local {local} is one feed file, which every area of the batch would read as its own; "
                             "give a folder of feeds named by area (kent.csv, essex.csv, ...)")
    out = Path(out_dir) if out_dir else REPORTS_DIR
    writable_folder(out / str(q))  # an --out that is a file or read-only: one line, not a failure an area
    workers = max(1, jobs or os.cpu_count() or 1)
    results: list[AreaResult] = []
    bar = None
    if progress:
        bar = tqdm(total=len(chosen), unit="area", desc=f"{q}", dynamic_ncols=True)
    # each worker follows this process: it ignores Ctrl+C (answered here) and stops, with its kernels and browser, when this process dies
    with ProcessPoolExecutor(max_workers=workers, initializer=follow_parent) as pool:
        try:
            futures = [
                pool.submit(_run_one, a, str(q), as_of, str(out), str(release) if release else None,
                            str(local) if local else None, details, pdf)
                for a in chosen
            ]
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                if not result.ok:
                    log.info("%s failed: %s", result.area, result.error)
                if bar is not None:
                    bar.set_postfix_str(f"{result.area}: {'ok' if result.ok else 'FAILED'}")
                    bar.update(1)
        except BaseException:  # interrupted: start no other area, and stop the workers' areas rather than wait for them
            pool.shutdown(wait=False, cancel_futures=True)
            _stop_workers(pool)
            raise
        finally:
            if bar is not None:
                bar.close()
    order = {a.name: i for i, a in enumerate(chosen)}
    results.sort(key=lambda r: order[r.area])
    try:
        index = write_quarter_index(out / str(q), failures={r.area: r.error for r in results if not r.ok})
    except OSError as exc:
        raise disk_error(exc, f"the index of {q}'s reviews") from exc
    return results, index


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Send each worker SIGTERM: it stops its own kernels and browser and exits (:func:`.processes.follow_parent`)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()
