"""Run the review notebooks headlessly and write a reviewer-ready HTML report.

One run = one area and one calendar quarter::

    reports/<quarter>/<area-slug>/index.html        the review (no code cells)
    reports/<quarter>/<area-slug>/<notebook>.ipynb  the executed notebooks
    reports/<quarter>/<area-slug>/manifest.json     parameters, inputs + SHA-256,
                                                    package versions, git commit,
                                                    start/end times, durations

Nothing is ever half-written: the run works in a temporary folder beside the
destination and renames it into place only when every notebook has run and been
exported. A failed run raises :class:`~analysis_helpers.core.errors.ReportError`
naming the failing cell, keeps the failed notebook under
``reports/_failed/<quarter>/<area-slug>/``, and leaves any earlier good report
for the same quarter untouched.

This module knows notebooks and files, not statistics.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from importlib import metadata
from pathlib import Path

from analysis_helpers.core.errors import ReportError
from analysis_helpers.core.paths import (
    BASELINES_NOTEBOOK,
    DEFAULT_RELEASE,
    PROJECT_ROOT,
    REPORTS_DIR,
    REVIEW_NOTEBOOK,
    TRAJECTORIES_NOTEBOOK,
)
from analysis_helpers.data.provenance import publication_date, sha256_of
from analysis_helpers.pipeline.quarters import (  # noqa: F401 (re-exported)
    Quarter,
    latest_supported_quarter,
    resolve_run_parameters,
)

#: Notebooks of a quarterly review, in the order they run. The first is the
#: report's ``index.html`` (the review); the others are the detailed reports it links.
REVIEW_NOTEBOOKS = (REVIEW_NOTEBOOK, BASELINES_NOTEBOOK, TRAJECTORIES_NOTEBOOK)
PACKAGES = ("analysis_helpers", "pandas", "numpy", "pyarrow", "matplotlib", "scipy", "statsmodels", "papermill", "nbconvert", "nbformat")

def run_quarterly(
    area: str = "Kent",
    quarter: str | None = None,
    as_of: str | None = None,
    out_dir: Path | None = None,
    release: Path | None = None,
    notebooks: tuple[Path, ...] = REVIEW_NOTEBOOKS,
    neighbours: str = "2025",
    local: Path | None = None,
) -> Path:
    """Execute the review notebooks for one area and quarter; return ``index.html``.

    Parameters are validated before any notebook starts. See the module
    docstring for what is written where.
    """
    from analysis_helpers.data.release import open_release
    from analysis_helpers.domain.kpis import areas_for

    q, day = resolve_run_parameters(quarter, as_of)
    release_path = Path(release) if release else DEFAULT_RELEASE
    target_area = areas_for(open_release(release_path)).get(area)
    from analysis_helpers.data.local_feed import area_feed

    area_feed(target_area.slug, local)  # a broken feed stops the run here, with the validator's message
    out_dir = Path(out_dir) if out_dir else REPORTS_DIR
    destination = out_dir / str(q) / target_area.slug
    parameters = {
        "area": target_area.name,
        "quarter": str(q),
        "neighbours": str(neighbours),
        "as_of": day.isoformat(),
        "release": "" if release is None else _relative(release_path),
        "local": "" if local is None else str(Path(local).resolve()),
        "details": len(notebooks) > 1,
    }

    started = dt.datetime.now(dt.UTC)
    destination.parent.mkdir(parents=True, exist_ok=True)
    # work beside the destination: same filesystem (atomic rename) and same depth (relative links)
    work = Path(tempfile.mkdtemp(prefix=f".{target_area.slug}-", dir=destination.parent))
    durations: dict[str, float] = {}
    try:
        for index, notebook in enumerate(notebooks):
            executed = work / notebook.name
            tick = time.perf_counter()
            _execute(notebook, executed, _declared(notebook, parameters), failed_dir=out_dir / "_failed" / str(q) / target_area.slug)
            html_name = "index.html" if index == 0 else notebook.with_suffix(".html").name
            title = f"{_TITLES.get(notebook.stem, notebook.stem)}: {target_area.name}, {q}"
            export_html(executed, work / html_name, title=title)
            durations[notebook.name] = round(time.perf_counter() - tick, 3)
        manifest = build_manifest(parameters, q, release_path, started, durations)
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap_into_place(work, destination)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return destination / "index.html"


def _declared(notebook: Path, parameters: dict) -> dict:
    """The parameters a notebook's ``parameters`` cell declares (others are not injected)."""
    import ast

    import nbformat

    try:
        cells = nbformat.read(notebook, as_version=4).cells
    except (OSError, ValueError):
        return parameters
    for cell in cells:
        if "parameters" in cell.metadata.get("tags", []):
            names = {t.id for node in ast.parse(cell.source).body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
            return {k: v for k, v in parameters.items() if k in names}
    return parameters


def _execute(notebook: Path, executed: Path, parameters: dict, failed_dir: Path) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(PROJECT_ROOT),
            progress_bar=False,
            log_output=False,
        )
    except PapermillExecutionError as exc:
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / notebook.name
        if executed.exists():
            shutil.copyfile(executed, kept)
        evalue = str(exc.evalue).strip().splitlines()[-1] if str(exc.evalue).strip() else ""
        raise ReportError(
            f"{notebook.name}: cell {exc.exec_count} failed with {exc.ename}: {evalue} "
            f"(failed notebook kept at {kept}; the previous report was left untouched)"
        ) from None
    except Exception as exc:  # the notebook could not even start (missing file, bad kernel, …)
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ReportError(
            f"{notebook.name}: could not be executed ({type(exc).__name__}: {first_line}); "
            "the previous report was left untouched"
        ) from exc


_TITLES = {
    "03_quarterly_review": "SEND quarterly review",
    "01_baselines": "SEND baselines",
    "02_trajectories": "SEND trajectories to targets",
}
#: Inline scripts that import code from another host (the template's mermaid loader).
_REMOTE_MODULE = re.compile(r"<script\b[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*</script>", re.IGNORECASE | re.DOTALL)
#: Tags that would make a browser fetch something from another host.
_EXTERNAL = re.compile(r"<(script|link)\b[^>]*\b(src|href)=[\"']https?://[^>]*>(\s*</script>)?", re.IGNORECASE)


def export_html(executed: Path, html_path: Path, title: str | None = None) -> None:
    """Export an executed notebook to self-contained HTML without code cells.

    Images are embedded; the template's links to scripts on other hosts
    (require.js, MathJax) are removed, so the report opens offline and makes no
    network request; the page gets a real ``<title>`` and a language.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="lab")
    # cells tagged report-hide exist for nbval (headline numbers as text), not for readers
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"report-hide"}, enabled=True), enabled=True)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    resources = {"metadata": {"name": title or executed.stem}}
    notebook = nbformat.read(executed, as_version=4)
    for cell in notebook.cells:  # papermill gives its injected cell a random id: fix it so re-runs match
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    body = _EXTERNAL.sub("", body)
    body = _REMOTE_MODULE.sub("", body)
    body = body.replace("<html>", '<html lang="en">', 1)
    # links to the project's documents, relative to where this report is written
    body = body.replace("{{project}}", Path(os.path.relpath(PROJECT_ROOT, html_path.parent)).as_posix())
    body = body.replace("</style>", _REPORT_CSS + "</style>", 1)
    html_path.write_text(body, encoding="utf-8")


_REPORT_CSS = """
.send-table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-size: 0.92rem; }
.send-table caption { caption-side: top; text-align: left; font-weight: bold; padding: 0.3em 0; }
.send-table th, .send-table td { border-bottom: 1px solid #d0d0d0; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
.send-table thead th { border-bottom: 2px solid #505050; }
.send-chart img { max-width: 100%; height: auto; }
"""


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


def build_manifest(parameters: dict, quarter: Quarter, release: Path, started: dt.datetime, durations: dict) -> dict:
    """Everything needed to reproduce or audit a run."""
    from analysis_helpers.data.provenance import input_files

    inputs = list(dict.fromkeys([release, *input_files()]))  # the release used, then every raw, local and target file
    return {
        "quarter": str(quarter),
        "parameters": parameters,
        "inputs": [
            {"path": _relative(p), "sha256": sha256_of(p), "published": _iso(publication_date(p))} for p in inputs if p.exists()
        ],
        "packages": {name: _version(name) for name in PACKAGES},
        "python": platform.python_version(),
        "git_commit": _git_commit(),
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "notebook_seconds": durations,
    }


def _relative(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


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
