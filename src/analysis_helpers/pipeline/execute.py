"""Execute one notebook with papermill: the parameters it declares, a one-line error, no kernel noise.

* Only the parameters a notebook's ``parameters`` cell declares are injected
  (:func:`declared_parameters`, read with :func:`papermill.inspect_notebook`);
  a name the cell assigns that papermill did not read is refused.
* A failing cell raises :class:`~analysis_helpers.core.errors.ReportError`
  naming the notebook, the cell and the error, and keeps the failed notebook.
  The error is the one papermill's ``PapermillExecutionError`` carries, which
  papermill reads from this notebook's own outputs (never from a log shared
  with the notebooks running on other threads).
* What the notebook wrote on stderr (warnings) is logged as warnings, so it
  reaches ``run.log``.
* A kernel lent by a :class:`~.kernels.KernelPool` (``km``, passed to nbclient's
  ``NotebookClient`` through papermill's engine arguments) runs the notebook and
  stays up for the next one; without one, a pool of one lends a kernel and stops
  it afterwards, so nbclient never shuts a kernel down (see :mod:`.kernels`).
"""

from __future__ import annotations

import ast
import logging
import shutil
from pathlib import Path

import nbformat
import papermill as pm
from papermill.exceptions import PapermillExecutionError

from analysis_helpers.core.errors import ReportError
from analysis_helpers.pipeline.kernels import KERNEL_NAME, KernelPool

log = logging.getLogger(__name__)
ADVICE = "write one assignment a line and keep '=' out of the comments"


def declared_parameters(notebook: Path, parameters: dict) -> dict:
    """The subset of ``parameters`` the notebook's ``parameters`` cell declares (per :func:`papermill.inspect_notebook`).

    A notebook without a ``parameters`` cell (or one that cannot be opened)
    gets them all: papermill then adds them at the top, or fails with its own message.

    Raises
    ------
    ReportError
        If the cell assigns a name papermill did not read (it skips any line
        with a second ``=``, e.g. in its comment), so that parameter would
        silently keep its default; or if the cell is not Python.
    """
    try:
        cell = parameters_cell(notebook)
        declared = pm.inspect_notebook(str(notebook)) if cell is not None else {}
    except (OSError, ValueError):
        return parameters
    if cell is not None:
        try:
            unread = [(line, name) for line, name in assigned_names(cell) if name not in declared]
        except SyntaxError as exc:
            raise ReportError(f"{notebook.name}: papermill cannot read its parameters cell "
                              f"(line {exc.lineno} is not Python: {exc.msg}); {ADVICE}") from None
        if unread:
            line, name = min(unread)
            raise ReportError(f"{notebook.name}: papermill cannot read its parameters cell (it skips line {line}, "
                              f"so {name!r} would keep its default); {ADVICE}")
    if not declared:
        return parameters
    return {name: value for name, value in parameters.items() if name in declared}


def parameters_cell(notebook: Path) -> str | None:
    """The source of the first cell tagged ``parameters`` (papermill's rule), or None."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell.source
    return None


def assigned_names(source: str) -> set[tuple[int, str]]:
    """(line, name) of each name the cell assigns at its top level (``a = 1``, ``a: int = 1``, ``a, b = 1, 2``)."""
    found = set()
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            names = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
            found |= {(name.lineno, name.id) for name in names if isinstance(name, ast.Name)}
    return found


def execute(notebook: Path, executed: Path, parameters: dict, failed_dir: Path, km=None) -> None:
    """Run ``notebook`` with ``parameters`` into ``executed``, in the lent kernel ``km`` if given (see the module docstring)."""
    if km is None:
        with KernelPool() as pool, pool.kernel() as own:
            return execute(notebook, executed, parameters, failed_dir, km=own)
    # The kernel was started in PROJECT_ROOT: no cwd for papermill, whose chdir would move the whole process,
    # racing the other notebook threads.
    try:
        pm.execute_notebook(
            str(notebook),
            str(executed),
            parameters=declared_parameters(notebook, parameters),
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,  # written once at the end (or with its error marked): not twice a cell
            km=km,  # nbclient's NotebookClient(km=...): it runs the notebook there and leaves the kernel up
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
    for warning in notebook_warnings(executed):
        log.warning("%s: %s", notebook.name, warning)


def notebook_warnings(executed: Path) -> list[str]:
    """Non-blank lines an executed notebook's cells wrote on stderr (warnings), as ``cell N: text``."""
    lines = []
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines += [f"cell {cell.get('execution_count')}: {line.strip()}"
                          for line in output.get("text", "").splitlines() if line.strip()]
    return lines
