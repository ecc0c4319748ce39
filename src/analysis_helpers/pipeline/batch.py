"""Run the quarterly review for many areas in parallel, and index the results.

``areas`` is ``all`` (every LA with data in the latest period), ``region:NAME``
(every LA of a region), a comma-separated list of names, LA numbers or codes (a
name holding a comma in double quotes: ``"Bristol, City of",Essex``), or a list of names.
Each area runs in its own worker process via :func:`report.run_quarterly`
(which writes the area's ``run.log`` beside its ``manifest.json``); a
failing area is recorded, logged, and the batch goes on. A batch writes each area's
review (``index.html``); ``details=True`` adds the baselines and trajectories
reports that ``send-review run`` always writes (about 2.5 times the time). When all have finished,
``reports/<quarter>/index.html`` links every area's report (written atomically)
and the summary lists each area with its status and, for failures, the error.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import logging
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from analysis_helpers.core.errors import ParameterError, SendReviewError, UnknownAreaError
from analysis_helpers.core.paths import REPORTS_DIR
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import Area
from analysis_helpers.domain.kpis import areas_for
from analysis_helpers.pipeline.quarters import resolve_run_parameters, warn_if_stale
from analysis_helpers.pipeline.report import REVIEW_NOTEBOOKS, check_release_public, run_quarterly

log = logging.getLogger(__name__)


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


def read_area_file(path: Path) -> list[str]:
    """A file of areas: one name, LA number or code a line (blank lines and lines starting ``#`` are skipped)."""
    if not Path(path).is_file():
        raise ParameterError(f"--areas-file {path} does not exist; give a text file with one area a line")
    lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def select_areas(spec: str | list[str], release_path: Path | None = None) -> list[Area]:
    """Resolve ``all``, ``region:NAME``, ``A,B,C`` (quoted names may hold commas) or a list of names into areas.

    Unknown names are errors."""
    areas = areas_for(open_release(release_path))
    if not isinstance(spec, str):
        chosen = [areas.get(name.strip()) for name in spec if name.strip()]
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


def _run_one(
    area_name: str, slug: str, quarter: str, as_of: str | None, out_dir: str, release: str | None, local: str | None = None,
    details: bool = False,
) -> AreaResult:
    tick = time.perf_counter()
    try:
        run_quarterly(area=area_name, quarter=quarter, as_of=as_of, out_dir=Path(out_dir), release=Path(release) if release else None,
                      local=Path(local) if local else None, notebooks=REVIEW_NOTEBOOKS if details else REVIEW_NOTEBOOKS[:1])
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
) -> tuple[list[AreaResult], Path]:
    """Run every selected area; return the results and the batch index page."""
    q, day = resolve_run_parameters(quarter, as_of, warn=False)  # validate once, before any work
    if release is not None:
        check_release_public(Path(release), q, day)
    warn_if_stale(day)
    chosen = select_areas(spec, release)
    if local is not None and Path(local).is_file() and len(chosen) > 1:
        raise ParameterError(f"--local {local} is one feed file, which every area of the batch would read as its own; "
                             "give a folder of feeds named by area (kent.csv, essex.csv, ...)")
    out = Path(out_dir) if out_dir else REPORTS_DIR
    workers = max(1, jobs or os.cpu_count() or 1)
    results: list[AreaResult] = []
    bar = None
    if progress:
        bar = tqdm(total=len(chosen), unit="area", desc=f"{q}", dynamic_ncols=True)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_run_one, a.name, a.slug, str(q), as_of, str(out), str(release) if release else None,
                        str(local) if local else None, details)
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
    if bar is not None:
        bar.close()
    order = {a.name: i for i, a in enumerate(chosen)}
    results.sort(key=lambda r: order[r.area])
    index = write_index(results, str(q), out)
    return results, index


def write_index(results: list[AreaResult], quarter: str, out_dir: Path) -> Path:
    """``reports/<quarter>/index.html`` linking every area's report that exists."""
    folder = out_dir / quarter
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    existing = {p.name for p in folder.iterdir() if (p / "index.html").exists()}
    for r in results:
        link = f'<a href="{html.escape(r.slug)}/index.html">{html.escape(r.area)}</a>' if r.slug in existing else html.escape(r.area)
        status = "ok" if r.ok else f"failed: {html.escape(r.error)}"
        rows.append(f"<tr><td>{link}</td><td>{status}</td><td>{r.seconds:.1f}</td></tr>")
    ok = sum(r.ok for r in results)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SEND quarterly reviews, {quarter}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}table{{border-collapse:collapse}}
th,td{{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left}}</style></head>
<body><h1>SEND quarterly reviews, {quarter}</h1>
<p>{ok} of {len(results)} areas ran; generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p>
<table><caption>One report per area</caption><thead><tr><th scope="col">Area</th><th scope="col">Status</th>
<th scope="col">Seconds</th></tr></thead><tbody>{''.join(rows)}</tbody></table>
<p>Contains public sector information licensed under the Open Government Licence v3.0.</p></body></html>
"""
    handle, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, folder / "index.html")
    return folder / "index.html"

