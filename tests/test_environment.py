"""The pip lock and the conda environment must pin the same versions."""

import re

from analysis_helpers.core.paths import PROJECT_ROOT


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
