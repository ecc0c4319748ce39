"""Notebook hygiene: the three the pipeline runs, paired with py:percent scripts, no outputs,
one commented parameters cell matching pipeline.parameters, narrative and calls only."""

import ast
import os

import jupytext
import nbformat
import pytest
from papermill.translators import PythonTranslator

from analysis_helpers.core.paths import NOTEBOOKS_DIR
from analysis_helpers.pipeline.parameters import NOTEBOOK_PARAMETERS, PARAMETERS, parameters_cell
from analysis_helpers.pipeline.report import REVIEW_NOTEBOOKS

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_the_notebooks_are_the_four_the_pipeline_runs():
    names = sorted(p.name for p in NOTEBOOKS)
    assert names == ["01_baselines.ipynb", "02_trajectories.ipynb", "03_quarterly_review.ipynb", "04_high_needs.ipynb"]
    assert sorted(p.name for p in REVIEW_NOTEBOOKS) == names
    assert sorted(f"{stem}.ipynb" for stem in NOTEBOOK_PARAMETERS) == names
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.py")) == [n.replace(".ipynb", ".py") for n in names]


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


def parameters_of(path):
    cells = nbformat.read(path, as_version=4).cells
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name} must have exactly one cell tagged parameters"
    return cells, tagged[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_parameters_cell_of_commented_literals(path):
    cells, cell = parameters_of(path)
    lines = [line for line in cell.source.splitlines() if line.strip()]
    nodes = ast.parse(cell.source).body
    assert len(nodes) == len(lines), "one assignment a line"
    for node, line in zip(nodes, lines, strict=True):
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, "the parameters cell holds plain assignments only"
        value = ast.literal_eval(node.value)  # raises if a default is not a literal
        name = node.targets[0].id
        assert f"  # type: {type(value).__name__}  " in line, f"{name}: comment with its type and meaning, papermill's form"
    following = cells[cells.index(cell) + 1]
    assert "validate(" in following.source, "the cell after the parameters must validate them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_match_pipeline_parameters(path):
    _, cell = parameters_of(path)
    assert cell.source.strip() == parameters_cell(path.stem), f"{path.name}: regenerate its cell from pipeline.parameters"
    inspected = PythonTranslator.inspect(cell)  # what `papermill --help-notebook` shows
    assert [p.name for p in inspected] == list(NOTEBOOK_PARAMETERS[path.stem])
    assert all(p.help == PARAMETERS[p.name].meaning and p.inferred_type_name == PARAMETERS[p.name].type.__name__ for p in inspected)
    validating = nbformat.read(path, as_version=4).cells
    call = next(c.source for c in validating if "validate(" in c.source)
    for name in NOTEBOOK_PARAMETERS[path.stem]:
        assert f"{name}={name}" in call, f"{path.name}: {name} is declared but not validated"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_narrative_and_calls(path):
    """No helper functions or classes in notebooks (they live in reporting.sections), and no placeholder links."""
    script = path.with_suffix(".py").read_text()
    tree = ast.parse("\n".join(c.source for c in jupytext.read(path.with_suffix(".py")).cells if c.cell_type == "code"))
    defined = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    assert defined == []
    assert "{{" not in script and "funnel_position(" not in script and "charts.funnel_plot(" not in script


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


def test_make_notebooks_stores_headlines_from_the_frozen_inputs_nbval_reads(tmp_path, monkeypatch):
    """Issue 24: headlines stored from an analyst's edited data/ would fail nbval, which reads the frozen copies."""
    import papermill
    from frozen import SETTINGS

    from tools import hygiene

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(f"# {hygiene.CHECK_MARK}\nprint(settings)")]
    nbformat.write(notebook, tmp_path / "tiny.ipynb")
    seen = {}

    def execute(source, output, **options):  # what a kernel started here would inherit
        seen.update({name: os.environ.get(name) for name in SETTINGS})
        ran = nbformat.read(source, as_version=4)
        ran.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="32.3%\n")]
        return ran

    for name in SETTINGS:  # make notebooks runs outside pytest: none of the tests' settings
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(hygiene, "NOTEBOOKS_DIR", tmp_path)
    monkeypatch.setattr(papermill, "execute_notebook", execute)
    assert hygiene.store_checked_outputs() == ["tiny.ipynb"]
    assert seen == {name: str(path) for name, path in SETTINGS.items()}
    assert all(name not in os.environ for name in SETTINGS)  # and put back as they were
    assert nbformat.read(tmp_path / "tiny.ipynb", as_version=4).cells[0].outputs[0]["text"] == "32.3%\n"
