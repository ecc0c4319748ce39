"""The package uses only the public names of jupyter_client, nbclient and papermill.

Their private names (``_async_interrupt_kernel``, ``_infer_parameters``, ``self._ready`` …) change
without notice between versions: the kernel pool once overrode ``_async_interrupt_kernel``. This reads
``src/`` with :mod:`ast` and fails on any

* import of a private name or module of theirs (``from papermill.inspection import _infer_parameters``);
* private attribute of theirs used on one of their modules (``pm._x``), on an object (``km._ready``,
  ``getattr(km, "_ready")``), or on ``self`` in a class derived from one of theirs;
* method or attribute of theirs overridden in such a class (``async def _async_interrupt_kernel``).

Their private names are read from their own source, so ``self._lock`` in a class of ours, or ``os._exit``,
is not flagged. The first test shows that each kind above is caught.
"""

import ast
import importlib.util
from pathlib import Path

from analysis_helpers.core.paths import PROJECT_ROOT

LIBRARIES = ("jupyter_client", "nbclient", "papermill")
SRC = PROJECT_ROOT / "src"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_theirs(module: str) -> bool:
    return module.split(".")[0] in LIBRARIES


def library_private_names() -> set[str]:
    """Every private name the libraries define: functions, classes, methods, and names or attributes assigned."""
    names = set()
    for library in LIBRARIES:
        root = Path(importlib.util.find_spec(library).submodule_search_locations[0])
        for path in root.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                    names.add(node.attr)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
    return {name for name in names if is_private(name)}


class Imports(ast.NodeVisitor):
    """What each imported name of a module is bound to: ``(module, name)``; ``name`` is None for a module."""

    def __init__(self) -> None:
        self.bound: dict[str, tuple[str, str | None]] = {}

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.bound[alias.asname] = (alias.name, None)
            else:
                top = alias.name.split(".")[0]
                self.bound[top] = (top, None)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            self.bound[alias.asname or alias.name] = (node.module or "", alias.name)


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def derived_classes(trees: dict[str, ast.Module]) -> set[str]:
    """Names of the classes in ``trees`` derived, directly or through one another, from a class of the libraries."""
    derived: set[str] = set()
    while True:
        before = len(derived)
        for tree in trees.values():
            imports = Imports()
            imports.visit(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef):
                    continue
                for base in node.bases:
                    root = root_name(base)
                    module = imports.bound.get(root, ("", None))[0] if root else ""
                    if is_theirs(module) or (isinstance(base, ast.Name) and base.id in derived):
                        derived.add(node.name)
        if len(derived) == before:
            return derived


class PrivateUses(ast.NodeVisitor):
    """Collects ``path:line: what`` for each use of a private name of the libraries in one module."""

    def __init__(self, path: str, tree: ast.Module, theirs: set[str], derived: set[str]) -> None:
        self.path, self.theirs, self.derived = path, theirs, derived
        imports = Imports()
        imports.visit(tree)
        self.bound = imports.bound
        self.classes: list[str] = []  # the classes the visitor is in, innermost last
        self.found: list[str] = []
        self.visit(tree)

    def flag(self, node: ast.AST, what: str) -> None:
        self.found.append(f"{self.path}:{node.lineno}: {what}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if is_theirs(module):
            if any(is_private(part) for part in module.split(".")):
                self.flag(node, f"imports private module {module}")
            for alias in node.names:
                if is_private(alias.name):
                    self.flag(node, f"imports {module}.{alias.name}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if is_theirs(alias.name) and any(is_private(part) for part in alias.name.split(".")):
                self.flag(node, f"imports private module {alias.name}")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if node.name in self.derived:
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defined = [item.name]
                else:
                    targets = item.targets if isinstance(item, ast.Assign) else [getattr(item, "target", None)]
                    defined = [target.id for target in targets if isinstance(target, ast.Name)]
                for name in defined:
                    if name in self.theirs:
                        self.flag(item, f"{node.name} overrides {name}")
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "hasattr", "delattr") and len(node.args) > 1:
            name = node.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str) and name.value in self.theirs:
                self.flag(node, f"{node.func.id}(…, {name.value!r})")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        if not is_private(node.attr):
            return
        receiver = node.value.id if isinstance(node.value, ast.Name) else None
        module, name = self.bound.get(receiver, ("", "")) if receiver else ("", "")
        if name is None:  # an imported module: theirs is flagged whatever the name, any other (os._exit) is not
            if is_theirs(module):
                self.flag(node, f"{receiver}.{node.attr} (private to {module})")
            return
        if receiver in ("self", "cls") and self.classes and self.classes[-1] not in self.derived:
            return  # a class of ours keeping its own state
        if node.attr in self.theirs:
            self.flag(node, f"{ast.unparse(node)} (a private name of {', '.join(LIBRARIES)})")


def private_uses(trees: dict[str, ast.Module], theirs: set[str]) -> list[str]:
    """``path:line: what`` for each use of a private name of the libraries in ``trees`` (see the module docstring)."""
    derived = derived_classes(trees)
    return [found for path, tree in trees.items() for found in PrivateUses(path, tree, theirs, derived).found]


def parse(source: str) -> ast.Module:
    return ast.parse(source)


def test_each_kind_of_private_use_is_caught():
    theirs = library_private_names()
    assert {"_async_interrupt_kernel", "_async_signal_kernel", "_infer_parameters", "_ready"} <= theirs
    bad = parse(
        "import os\n"
        "import papermill as pm\n"
        "from jupyter_client.manager import AsyncKernelManager\n"
        "from papermill.inspection import _infer_parameters\n"
        "class Quiet(AsyncKernelManager):\n"
        "    async def _async_interrupt_kernel(self):\n"
        "        return self._ready\n"
        "class Pooled(Quiet):\n"
        "    _kill_kernel = None\n"
        "def stop(km):\n"
        "    km._async_signal_kernel(9)\n"
        "    getattr(km, '_ready')\n"
        "    pm._anything\n"
        "    os._exit(0)\n"
        "class Ours:\n"
        "    def _ready(self):\n"
        "        return self._ready\n"
    )
    assert private_uses({"bad.py": bad}, theirs) == [
        "bad.py:4: imports papermill.inspection._infer_parameters",
        "bad.py:6: Quiet overrides _async_interrupt_kernel",
        "bad.py:7: self._ready (a private name of jupyter_client, nbclient, papermill)",
        "bad.py:9: Pooled overrides _kill_kernel",
        "bad.py:11: km._async_signal_kernel (a private name of jupyter_client, nbclient, papermill)",
        "bad.py:12: getattr(…, '_ready')",
        "bad.py:13: pm._anything (private to papermill)",
    ]


def test_the_package_uses_only_public_names_of_jupyter_client_nbclient_and_papermill():
    trees = {str(path.relative_to(PROJECT_ROOT)): parse(path.read_text(encoding="utf-8")) for path in sorted(SRC.rglob("*.py"))}
    assert "src/analysis_helpers/pipeline/kernels.py" in trees
    assert private_uses(trees, library_private_names()) == []
