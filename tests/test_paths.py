"""How paths are written for people (manifest, run log, sources table, one-line errors), and the settings
that point the package at other copies of the files an analyst edits."""

import os
import subprocess
import sys

from frozen import DEFAULT_RELEASE_SETTING
from helpers import FEEDS_DIR, MEASURES_FILE, SHIPPED_RELEASE, TARGETS

from analysis_helpers.core import paths
from analysis_helpers.core.paths import PROJECT_ROOT, shown_path
from analysis_helpers.data.local_feed import feed_for
from analysis_helpers.data.provenance import default_release
from analysis_helpers.domain.targets import read_targets


def test_a_path_inside_the_project_is_written_from_its_root_however_it_was_given(tmp_path):
    assert shown_path(PROJECT_ROOT / "data" / "local" / "kent.csv") == "data/local/kent.csv"
    assert shown_path(PROJECT_ROOT / "data" / ".." / "data" / "targets.csv") == "data/targets.csv"


def test_a_path_outside_the_project_is_written_as_given(tmp_path):
    outside = tmp_path / "feeds" / "kent.csv"
    assert shown_path(outside) == str(outside)


def test_the_tests_read_frozen_copies_and_so_do_their_subprocesses():
    """Issue 24: a month, measure or target added to data/ must change no test, notebook kernels' and subprocesses' included."""
    here = (paths.local_dir(), paths.council_measures_file(), paths.targets_file(), default_release())
    assert here[:3] == (FEEDS_DIR, MEASURES_FILE, TARGETS)
    # the 2025 release by name, unless the run named one itself (test_release_growth.py: a release with one more year)
    assert here[3] == paths.from_root(os.environ.get(DEFAULT_RELEASE_SETTING) or SHIPPED_RELEASE) and DEFAULT_RELEASE_SETTING in os.environ
    assert not any(p.is_relative_to(paths.LOCAL_DIR) or p == paths.TARGETS_FILE for p in here)
    code = ("from analysis_helpers.core import paths as p; from analysis_helpers.data.provenance import default_release; "
            "print(p.local_dir(), p.council_measures_file(), p.targets_file(), default_release(), sep='\\n')")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert child == [str(p) for p in here]


def test_the_feeds_folder_and_targets_file_are_read_from_their_settings_on_every_use(tmp_path, monkeypatch):
    (tmp_path / "essex.csv").write_text("measure,period\n", encoding="utf-8")
    (tmp_path / "targets.csv").write_text(TARGETS.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert feed_for("essex") is None and read_targets()
    monkeypatch.setenv(paths.LOCAL_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(paths.TARGETS_ENV, str(tmp_path / "targets.csv"))
    assert paths.local_dir() == tmp_path and feed_for("essex") == tmp_path / "essex.csv"
    assert paths.targets_file() == tmp_path / "targets.csv" and read_targets() == []
    monkeypatch.setenv(paths.TARGETS_ENV, "data/targets.csv")  # relative: from the project root
    assert paths.targets_file() == PROJECT_ROOT / "data" / "targets.csv"
