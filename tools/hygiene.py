"""Repository hygiene checks shared by ``make lint``, the pre-commit hook and the tests.

* every notebook has a paired py:percent script with the same cells;
* committed notebooks carry no outputs, execution counts or embedded images,
  except the plain-text output of cells marked ``# NBVAL_CHECK_OUTPUT``: those
  are the headline numbers nbval checks, stored by ``make notebooks``;
* no tracked file outside ``data/raw`` is larger than 1 MB.

Run: ``python -m tools.hygiene`` (exit 1 and one line per problem);
``python -m tools.hygiene --store-headlines`` refreshes the stored
headline outputs after a notebook or the data changes (``make notebooks``). The
notebooks run on the tests' frozen inputs (``tests/frozen.py``), as nbval does
in ``make test``: headlines stored from an analyst's edited ``data/local/`` or
``data/targets.csv`` would fail nbval, which reads the frozen copies.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from contextlib import contextmanager

from analysis_helpers.core.paths import NOTEBOOKS_DIR, PROJECT_ROOT

MAX_BYTES = 1_000_000
CHECK_MARK = "NBVAL_CHECK_OUTPUT"


@contextmanager
def frozen_inputs():
    """The settings the tests run with (``tests/frozen.py``), for the kernels started inside the block."""
    spec = importlib.util.spec_from_file_location("frozen", PROJECT_ROOT / "tests" / "frozen.py")
    frozen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(frozen)
    before = {name: os.environ.get(name) for name in frozen.SETTINGS}
    os.environ.update({name: str(path) for name, path in frozen.SETTINGS.items()})
    try:
        yield frozen.SETTINGS
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def store_checked_outputs() -> list[str]:
    """Run each notebook with its defaults (papermill, plain python3 kernel, the tests' frozen inputs) and store
    the printed output of its NBVAL_CHECK_OUTPUT cells in the committed notebook.

    Returns the notebooks updated. Everything else stays stripped.
    """
    import tempfile

    import nbformat
    import papermill as pm

    updated = []
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        committed = nbformat.read(path, as_version=4)
        if not any(CHECK_MARK in c.source for c in committed.cells if c.cell_type == "code"):
            continue
        with tempfile.TemporaryDirectory() as tmp, frozen_inputs():
            executed = pm.execute_notebook(str(path), f"{tmp}/out.ipynb", kernel_name="python3", cwd=str(PROJECT_ROOT),
                                           progress_bar=False)
        by_source = {c.source: c.outputs for c in executed.cells if c.cell_type == "code" and CHECK_MARK in c.source}
        for cell in committed.cells:
            if cell.cell_type == "code":
                # nbval needs a count on a reference cell that has outputs
                cell.execution_count = 1 if CHECK_MARK in cell.source else None
                cell.outputs = [
                    nbformat.v4.new_output("stream", name=o.get("name", "stdout"), text=o.get("text", ""))
                    for o in by_source.get(cell.source, []) if o.get("output_type") == "stream"
                ] if CHECK_MARK in cell.source else []
        nbformat.write(committed, path)
        updated.append(path.name)
    return updated


def notebook_problems() -> list[str]:
    import jupytext
    import nbformat

    problems = []
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        script = path.with_suffix(".py")
        notebook = nbformat.read(path, as_version=4)
        if not script.exists():
            problems.append(f"{path.name}: no paired script {script.name} (run: jupytext --set-formats ipynb,py:percent {path})")
        else:
            a = [(c.cell_type, c.source.strip()) for c in notebook.cells]
            b = [(c.cell_type, c.source.strip()) for c in jupytext.read(script).cells]
            if a != b:
                problems.append(f"{path.name}: differs from {script.name} (run: jupytext --sync {path})")
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            checked = CHECK_MARK in cell.source
            if (cell.execution_count and not checked) or (cell.outputs and not checked):
                problems.append(f"{path.name}: has outputs; strip them (make notebooks)")
                break
            if checked and not cell.outputs:
                problems.append(f"{path.name}: a {CHECK_MARK} cell has no stored output (make notebooks)")
            if checked and any(o.get("output_type") != "stream" for o in cell.outputs):
                problems.append(f"{path.name}: a {CHECK_MARK} cell stores more than printed text")
        if "image/png" in path.read_text(encoding="utf-8"):
            problems.append(f"{path.name}: embeds an image")
    return problems


def large_file_problems() -> list[str]:
    try:
        tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return []
    problems = []
    for name in tracked:
        path = PROJECT_ROOT / name
        if not name.startswith("data/raw/") and path.exists() and path.stat().st_size > MAX_BYTES:
            problems.append(f"{name}: {path.stat().st_size / 1e6:.1f} MB is larger than {MAX_BYTES / 1e6:.0f} MB (build output or data?)")
    return problems


def main() -> int:
    if "--store-headlines" in sys.argv:
        for name in store_checked_outputs():
            print(f"stored headline outputs in {name}")
        return 0
    problems = notebook_problems() + large_file_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
