"""Benchmark: the quarterly run against a floor measured in the same run.

(a) floor: the same pipeline (papermill execution, HTML export, manifest, atomic
    swap) on import-only notebooks, one per review notebook: each imports the same
    libraries and the package, and does nothing else;
(b) the Kent quarterly review (all review notebooks).
Prints both times and the ratio b/a (goal <= 1.5). With --batch, also runs every
LA (send-review batch --areas all) and prints seconds per LA and the total
(goal: all LAs under 10 minutes on this 2-core machine).

Run: .venv/bin/python benchmarks/bench_quarterly.py [--batch]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat

from analysis_helpers.pipeline.report import REVIEW_NOTEBOOKS, run_quarterly

IMPORTS = """import pandas as pd
import matplotlib
import matplotlib.pyplot as plt
from IPython.display import HTML, Markdown, display
import analysis_helpers.reporting.charts, analysis_helpers.analysis.compare, analysis_helpers.domain.kpis, analysis_helpers.analysis.outlook, analysis_helpers.reporting.summary"""


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


def timed(fn) -> float:
    tick = time.perf_counter()
    fn()
    return time.perf_counter() - tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", action="store_true", help="also time every LA")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floors = floor_notebooks(tmp)
        run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp / "warm")  # warm caches (parquet, backtest)
        floor = min(timed(lambda: run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp / "floor", notebooks=floors))
                    for _ in range(args.repeats))
        review = min(timed(lambda: run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp / "review")) for _ in range(args.repeats))
        print(f"floor  (same pipeline, import-only notebooks x{len(floors)}) {floor:6.1f} s")
        print(f"review (Kent quarterly review, {len(REVIEW_NOTEBOOKS)} notebooks)       {review:6.1f} s   ratio b/a = {review / floor:.2f} (goal <= 1.5)")
        if args.batch:
            from analysis_helpers.pipeline.batch import run_batch

            tick = time.perf_counter()
            results, _ = run_batch("all", "2025-Q3", out_dir=tmp / "batch", progress=False)
            total = time.perf_counter() - tick
            ok = sum(r.ok for r in results)
            print(f"batch  all LAs: {len(results)} areas ({ok} ok) in {total / 60:.1f} min, {total / len(results):.1f} s per LA "
                  "(goal < 10 min)")


if __name__ == "__main__":
    main()
