"""State lives in one place: below ``pipeline``, no module keeps data between calls.

What a run derives from a release (areas, the KPI table, histories, fitted models, neighbour lists) is kept on the
:class:`~analysis_helpers.data.release.Release` the run opened (``remember``), and ``clear()`` forgets it all; the
files' tables are kept on disk as verified parquet. So nothing survives from one area to the next in a reused kernel
except what the release object carries, and a function never falls back on a release of its own choosing.

Checked by reading the source (the equivalent of an import-linter contract, which cannot see state):

* no ``functools.cache``/``lru_cache`` (or any decorator named ``*cache*``) on a function below ``pipeline``;
* no module-level container that a function of the module fills or empties (``x[k] = …``, ``x.append(…)``, …),
  nor a ``global`` statement, below ``pipeline``; the one exception is named below with its reason;
* no attribute of another object set from outside it (``obj._x = …``, ``setattr``, ``obj.__dict__``), and no
  module-level name of another module of the package read if it is private (``other._x``).
"""

import ast

import pytest

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import PROJECT_ROOT
from analysis_helpers.data.release import Release

PACKAGE = PROJECT_ROOT / "src" / "analysis_helpers"
BELOW_PIPELINE = ("core", "data", "domain", "analysis", "reporting")
MUTATORS = {"append", "extend", "update", "setdefault", "pop", "clear", "add", "insert", "remove", "discard", "popitem"}
#: module-level containers a function may fill, and why (holds no data a result depends on)
ALLOWED = {
    ("data/parquet_cache.py", "_recorded"): "the open recordings of cache use (pipeline's run.log), not data",
}


def modules():
    for layer in BELOW_PIPELINE:
        yield from sorted((PACKAGE / layer).glob("*.py"))


def module_state_problems(path, tree) -> list[str]:
    relative = path.relative_to(PACKAGE).as_posix()
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    problems = []
    for node in ast.walk(tree):
        where = f"{relative}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Global):
            problems.append(f"{where}: global {', '.join(node.names)}")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            problems += [f"{where}: @{ast.unparse(d)}" for d in node.decorator_list
                         if "cache" in ast.unparse(d) and "cached_property" not in ast.unparse(d)]
        filled = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                and node.func.attr in MUTATORS:
            filled = node.func.value.id
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            for target in node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    filled = target.value.id
        if filled in names and (relative, filled) not in ALLOWED and not _local(tree, node, filled):
            problems.append(f"{where}: fills the module-level {filled}")
    return problems


def _local(tree, node, name) -> bool:
    """Is ``name`` assigned inside the function that holds ``node`` (a local that shadows the module's name)?"""
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(n is node for n in ast.walk(function)):
            assigned = {t.id for n in ast.walk(function) if isinstance(n, (ast.Assign, ast.AnnAssign))
                        for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
            arguments = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
            return name in assigned | arguments
    return False


def foreign_attribute_problems(path, tree) -> list[str]:
    relative = path.relative_to(PACKAGE).as_posix()
    imported_modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                        and (node.module or "").startswith("analysis_helpers") for alias in node.names}
    problems = []
    for node in ast.walk(tree):
        where = f"{relative}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            problems.append(f"{where}: setattr on another object")
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            problems.append(f"{where}: reaches into __dict__")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Attribute) and target.attr.startswith("_") and \
                        not (isinstance(target.value, ast.Name) and target.value.id in ("self", "cls")):
                    problems.append(f"{where}: sets {ast.unparse(target)} from outside its object")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") and \
                isinstance(node.value, ast.Name) and node.value.id in imported_modules:
            problems.append(f"{where}: reads {ast.unparse(node)}, private to another module")
    return problems


def test_no_module_below_pipeline_keeps_state_or_reaches_into_another():
    problems = []
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        problems += module_state_problems(path, tree) + foreign_attribute_problems(path, tree)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", [
    "from functools import lru_cache\n@lru_cache\ndef f(): pass\n",
    "_seen = {}\ndef f(k):\n    _seen[k] = 1\n",
    "_seen = []\ndef f(k):\n    _seen.append(k)\n",
    "count = 0\ndef f():\n    global count\n",
    "def f(release):\n    release._kpis = 1\n",
    "def f(release):\n    release.__dict__.setdefault('x', {})\n",
    "from analysis_helpers.data import release\ndef f():\n    return release._open\n",
])
def test_the_check_finds_each_kind_of_state(source, tmp_path):
    path = PACKAGE / "data" / "example.py"  # a name inside the package, for the message; nothing is written
    tree = ast.parse(source)
    assert module_state_problems(path, tree) + foreign_attribute_problems(path, tree)


def test_a_local_that_shadows_a_module_name_is_not_state():
    source = "rows = ()\ndef f():\n    rows = []\n    rows.append(1)\n    return rows\n"
    path = PACKAGE / "data" / "example.py"
    assert module_state_problems(path, ast.parse(source)) == []


def test_a_release_remembers_what_is_derived_from_it_until_cleared(release):
    opened = Release(release.path, historic=None)
    built = []
    first = opened.remember("answer", lambda: built.append(1) or 42)
    assert (first, opened.remember("answer", lambda: built.append(1) or 0), built) == (42, 42, [1])
    opened.read(opened.data_files()[0])
    opened.clear()
    assert opened.remember("answer", lambda: built.append(1) or 7) == 7 and built == [1, 1]
    assert not opened._parsed  # the parsed files went with it


def test_a_release_opened_without_history_says_so(release):
    with pytest.raises(DataValidationError, match="without a historic release"):
        _ = Release(release.path, historic=None).historic
