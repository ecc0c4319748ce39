"""Notebook hygiene: paired with a py:percent script, no outputs, one literal parameters cell."""

import ast

import jupytext
import nbformat
import pytest

from analysis_helpers.paths import NOTEBOOKS_DIR

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
def test_no_outputs_or_images_committed(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name} stores outputs: strip them before committing"
            assert cell.execution_count is None
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
