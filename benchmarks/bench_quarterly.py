"""Benchmark: the quarterly run against a floor measured in the same run.

(a) floor (issue 14's): an import-only notebook for each review notebook (four), each
    importing the same libraries and the package and doing nothing else, run one
    after another in this process through plain papermill and nbconvert's HTML export;
(b) the Kent review pack (``send-review run``: the four notebooks, exported, with
    manifest and atomic swap), without its PDF (in neither), and then with it.
Prints both times and the ratio b/a (goal <= 1.5). ``--region NAME`` also runs a
region's batch (review and PDF per area, ``send-review batch``) and prints seconds
per area (goal <= 3.9 on this 2-core machine); ``--batch`` every LA (goal: under 10 minutes).

Run: .venv/bin/python benchmarks/bench_quarterly.py [--region "North East"] [--batch]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat
import papermill as pm
from nbconvert import HTMLExporter

from analysis_helpers.core.paths import PROJECT_ROOT
from analysis_helpers.pipeline.report import REVIEW_NOTEBOOKS, run_quarterly

IMPORTS = """import pandas as pd
import matplotlib
import matplotlib.pyplot as plt
from IPython.display import HTML, Markdown, display
import analysis_helpers.reporting.charts, analysis_helpers.analysis.compare, analysis_helpers.domain.kpis, \
analysis_helpers.analysis.outlook, analysis_helpers.reporting.summary"""


def floor_notebooks(folder: Path) -> tuple[Path, ...]:
    paths = []
    for original in REVIEW_NOTEBOOKS:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
        nb.cells = [
            nbformat.v4.new_code_cell('area = "Kent"\nquarter = ""\nas_of = ""\nneighbours = "2025"\nrelease = ""\ntargets_file = ""',
                                      metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(IMPORTS),
        ]
        path = folder / original.name
        nbformat.write(nb, path)
        paths.append(path)
    return tuple(paths)


def plain_papermill(notebooks: tuple[Path, ...], folder: Path) -> None:
    """The floor's run: each notebook through papermill, then exported to HTML, one after another."""
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        executed = folder / notebook.name
        pm.execute_notebook(str(notebook), str(executed), parameters={"area": "Kent", "quarter": "2025-Q3"},
                            kernel_name="python3", cwd=str(PROJECT_ROOT), progress_bar=False)
        body, _ = HTMLExporter(template_name="lab").from_notebook_node(nbformat.read(executed, as_version=4))
        executed.with_suffix(".html").write_text(body, encoding="utf-8")


def timed(fn) -> float:
    tick = time.perf_counter()
    fn()
    return time.perf_counter() - tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default=None, help='also time a region\'s batch, e.g. "North East"')
    parser.add_argument("--batch", action="store_true", help="also time every LA")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floors = floor_notebooks(tmp)
        run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp / "warm")  # warm caches (parquet, backtest) and the browser
        floor = min(timed(lambda: plain_papermill(floors, tmp / "floor")) for _ in range(args.repeats))
        review = min(timed(lambda: run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp / "review", pdf=False))
                     for _ in range(args.repeats))
        with_pdf = min(timed(lambda: run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp / "pdf")) for _ in range(args.repeats))
        print(f"floor  (import-only notebooks x{len(floors)}, plain papermill + HTML export) {floor:6.1f} s")
        print(f"review (Kent review pack, {len(REVIEW_NOTEBOOKS)} notebooks, no PDF)              {review:6.1f} s   "
              f"ratio b/a = {review / floor:.2f} (goal <= 1.5)")
        print(f"       (the same with index.pdf: {with_pdf:.1f} s, ratio {with_pdf / floor:.2f})")
        from analysis_helpers.pipeline.batch import run_batch

        for spec, goal in ([(f"region:{args.region}", "goal <= 3.9 s per area")] if args.region else []) + (
                [("all", "goal: under 10 min")] if args.batch else []):
            tick = time.perf_counter()
            results, _ = run_batch(spec, "2025-Q3", out_dir=tmp / "batch", progress=False)
            total = time.perf_counter() - tick
            ok = sum(r.ok for r in results)
            print(f"batch  {spec}: {len(results)} areas ({ok} ok) in {total / 60:.1f} min, {total / len(results):.2f} s per area ({goal})")


if __name__ == "__main__":
    main()
