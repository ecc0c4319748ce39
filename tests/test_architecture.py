"""The package's shape: layers as folders, arrows one way, small modules, tooling outside."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from analysis_helpers.core.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "analysis_helpers"
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--config", str(PROJECT_ROOT / "pyproject.toml")], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_every_layer_folder_is_in_the_layers_contract():
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c for c in config if c["type"] == "layers")["layers"]
    folders = {f"analysis_helpers.{p.name}" for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    top_modules = {f"analysis_helpers.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert folders | top_modules == set(layers), "a folder or top-level module is missing from the layers contract"


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_repository_tooling_is_not_in_the_runtime_package():
    names = {p.stem for p in modules()}
    assert not names & {"hygiene", "lab", "convert_kent_feed"}
    assert not any("def convert_published" in p.read_text() for p in modules())
    assert (PROJECT_ROOT / "tools" / "hygiene.py").exists() and (PROJECT_ROOT / "tools" / "lab.py").exists()


#: The one kind of import allowed inside a function: the command line defers the
#: notebook pipeline (papermill and nbformat cost about 2 s at start-up) to the
#: two commands that run notebooks, and says so on the line.
DEFERRED = ("cli/commands.py", "# deferred:")


def test_imports_are_at_the_top_of_modules():
    """An import inside a function hides the dependency graph; none are left but the command line's deferred pipeline."""
    hidden, deferred = [], []
    for path in modules():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        where = f"{path.relative_to(PACKAGE).as_posix()}:{inner.lineno}"
                        allowed = where.startswith(DEFERRED[0] + ":") and DEFERRED[1] in lines[inner.lineno - 1]
                        (deferred if allowed else hidden).append(where)
    assert hidden == []
    assert len(deferred) == 2  # run and batch
