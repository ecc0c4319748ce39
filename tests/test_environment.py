"""The pip lock and the conda environment must pin the same versions; make setup gives the notebooks their kernel."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
from jupyter_client.kernelspec import KernelSpecManager

from analysis_helpers.core.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from tools.lab import KERNEL_NAME


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def conda_pins() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s*-\s*([A-Za-z0-9_.-]+)==?([^=\s]+)\s*$", line)  # conda pins (=) and pip pins (==)
        if match:
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def test_environment_yml_pins_match_the_lock():
    lock, conda = lock_pins(), conda_pins()
    conda.pop("python")
    assert conda, "environment.yml pins nothing"
    mismatches = {name: (version, lock.get(name)) for name, version in conda.items() if lock.get(name) != version}
    assert not mismatches, f"environment.yml and requirements.lock disagree: {mismatches}"


def test_environment_installs_the_project_and_python_311():
    text = (PROJECT_ROOT / "environment.yml").read_text()
    assert "python=3.11" in text
    assert "- -e ." in text


def test_design_card_packages_are_locked():
    lock = lock_pins()
    for package in ("jupyterlab", "pandas", "matplotlib", "seaborn", "papermill", "nbval"):
        assert package in lock, package


def test_setup_registers_the_kernel_the_notebooks_name(tmp_path):
    """Issue 24: a headless papermill run of a notebook failed on a fresh clone until `make lab` had registered its kernel."""
    names = {json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"] for path in NOTEBOOKS_DIR.glob("*.ipynb")}
    assert names == {KERNEL_NAME}
    # make setup (which every target runs first) registers it in the project's .venv ...
    steps = subprocess.run(["make", "-n", "-B", "setup"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    assert "-m tools.lab" in steps
    spec = KernelSpecManager().find_kernel_specs().get(KERNEL_NAME)
    assert spec and Path(spec).resolve().is_relative_to(Path(sys.prefix).resolve())
    # ... so papermill runs a notebook on the kernel its metadata names, with no kernel given
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": KERNEL_NAME, "display_name": "x", "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell("import analysis_helpers, sys\nprint(sys.prefix)")]
    nbformat.write(notebook, tmp_path / "tiny.ipynb")
    ran = papermill.execute_notebook(str(tmp_path / "tiny.ipynb"), str(tmp_path / "out.ipynb"), progress_bar=False)
    assert ran.cells[0].outputs[0]["text"].strip() == sys.prefix
