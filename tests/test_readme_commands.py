"""The README's commands work as written, and its example measure is one no test uses (issue 24).

Commands are written ``.venv/bin/send-review …`` or as ``make`` targets: after
``make setup`` a fresh clone has no ``send-review`` on its PATH. The example of
"Add a council measure" must not collide with a test's own measure, or an
analyst who follows the guide breaks the tests.
"""

import re
import sys
import tomllib
from pathlib import Path

from helpers import MEASURES_FILE

from analysis_helpers.core.paths import COUNCIL_MEASURES_FILE, PROJECT_ROOT

GUIDES = (PROJECT_ROOT / "README.md", PROJECT_ROOT / "data" / "local" / "README.md")
COMMANDS = ("areas", "kpis", "compare", "project", "backtest", "run", "batch", "validate")


def code_of(path: Path) -> str:
    """The text of a Markdown file's code spans and fenced blocks (what a reader types)."""
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    spans = re.findall(r"`([^`\n]+(?:\n[^`\n]+)?)`", re.sub(r"^```.*?^```", "", text, flags=re.S | re.M))
    return "\n".join(blocks + spans)


def test_every_send_review_command_is_written_as_it_runs_after_setup():
    for path in GUIDES:
        bare = re.findall(rf"(?<![\w/.-])send-review\s+(?:{'|'.join(COMMANDS)})\b", code_of(path))
        assert bare == [], f"{path.name}: write .venv/bin/send-review (or a make target): {bare}"
        assert ".venv/bin/send-review" in code_of(path)


def test_every_make_target_and_venv_tool_the_readme_names_exists():
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    for path in GUIDES:
        code = code_of(path)
        named = set(re.findall(r"(?<![\w-])make ([a-z][\w-]*)", code))
        assert named and named <= targets, (path.name, named - targets)
        for tool in set(re.findall(r"\.venv/bin/([\w-]+)", code)):
            assert (Path(sys.prefix) / "bin" / tool).exists(), f"{path.name} names .venv/bin/{tool}, which make setup does not install"


def readme_example_measure() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    guide = text[text.index("### Add a council measure"):text.index("### Change or add a target")]
    match = re.search(r"e\.g\.\s+`([a-z][a-z0-9_]*),([^`]+)`", guide)
    assert match, "the guide's example row is missing"
    return match[1]


def test_the_readme_example_measure_is_one_no_test_or_catalogue_uses():
    name = readme_example_measure()
    for catalogue in (MEASURES_FILE, COUNCIL_MEASURES_FILE):
        assert not re.search(rf"^{name},", catalogue.read_text(encoding="utf-8"), re.M), f"{name} is already in {catalogue}"
    tests = Path(__file__).parent
    users = [p.relative_to(tests).as_posix() for p in tests.rglob("*") if p.is_file() and p.suffix in (".py", ".csv", ".md")
             and name in p.read_text(encoding="utf-8", errors="replace")]
    assert users == [], f"the README's example measure {name} is used by {users}: an analyst following the guide breaks them"


def test_the_test_command_runs_ruff_with_a_line_length_and_the_layer_contracts():
    """CI runs `make test` (.ci/run); its recipe checks the code with ruff (E501 on, a line length set) and the
    layers with import-linter before the tests, so what .pre-commit-config.yaml runs is what CI runs."""
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.M)[1]
    assert "ruff check src tests benchmarks notebooks tools" in recipe and "lint-imports" in recipe and "pytest" in recipe
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ruff = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert 80 <= ruff["line-length"] <= 140 and "E501" not in ruff["lint"].get("ignore", [])
    assert "E" in ruff["lint"]["select"]
