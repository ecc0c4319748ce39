"""Notebook hygiene: paired with a py:percent script, no outputs, one literal parameters cell."""

import ast

import jupytext
import nbformat
import pytest

from analysis_helpers.core.paths import NOTEBOOKS_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_and_its_script_agree(path):
    script = path.with_suffix(".py")
    assert script.exists(), f"{path.name} has no paired py:percent script"
    from_ipynb = [(c.cell_type, c.source.strip()) for c in nbformat.read(path, as_version=4).cells]
    from_py = [(c.cell_type, c.source.strip()) for c in jupytext.read(script).cells]
    assert from_ipynb == from_py, f"{path.name} and {script.name} differ: run `jupytext --sync {path}`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_outputs_or_images_committed_except_checked_headlines(path):
    notebook = nbformat.read(path, as_version=4)
    checked = 0
    for cell in notebook.cells:
        if cell.cell_type == "code":
            if "NBVAL_CHECK_OUTPUT" in cell.source:
                checked += 1
                assert cell.outputs and all(o.output_type == "stream" for o in cell.outputs)
                assert "report-hide" in cell.metadata.get("tags", [])  # headline text is for nbval, not readers
            else:
                assert not cell.outputs and cell.execution_count is None, f"{path.name} stores outputs: strip them"
    assert checked >= 1, f"{path.name} has no headline cell checked by nbval"
    assert "image/png" not in path.read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_parameters_cell_with_literal_defaults(path):
    cells = nbformat.read(path, as_version=4).cells
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for node in ast.parse(tagged[0].source).body:
        assert isinstance(node, ast.Assign), "the parameters cell holds assignments only"
        ast.literal_eval(node.value)  # raises if a default is not a literal
    following = cells[cells.index(tagged[0]) + 1]
    assert "validate(" in following.source, "the cell after the parameters must validate them"


def test_hygiene_checks_pass_and_can_fail(tmp_path, monkeypatch):
    import nbformat as nbf

    from tools import hygiene

    assert hygiene.notebook_problems() == []
    assert hygiene.large_file_problems() == []
    bad = nbf.v4.new_notebook()
    cell = nbf.v4.new_code_cell("1 + 1")
    cell.outputs = [nbf.v4.new_output("execute_result", data={"image/png": "AAAA"}, execution_count=1)]
    bad.cells = [cell]
    nbf.write(bad, tmp_path / "x.ipynb")
    monkeypatch.setattr(hygiene, "NOTEBOOKS_DIR", tmp_path)
    problems = hygiene.notebook_problems()
    assert any("no paired script" in p for p in problems) and any("has outputs" in p for p in problems)
    assert any("embeds an image" in p for p in problems)


def test_nbval_fails_when_a_headline_number_moves(tmp_path):
    """The stored headline is a real check: change one figure and nbval must fail."""
    import subprocess
    import sys

    from analysis_helpers.core.paths import BASELINES_NOTEBOOK, PROJECT_ROOT

    notebook = nbformat.read(BASELINES_NOTEBOOK, as_version=4)
    cell = next(c for c in notebook.cells if "NBVAL_CHECK_OUTPUT" in c.source)
    assert "England: 46.4" in cell.outputs[0].text
    cell.outputs[0].text = cell.outputs[0].text.replace("England: 46.4", "England: 47.4")
    moved = tmp_path / "moved.ipynb"
    nbformat.write(notebook, moved)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-kernel-name", "python3",
         "--rootdir", str(tmp_path), str(moved)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "47.4" in result.stdout and "46.4" in result.stdout
