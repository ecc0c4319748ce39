"""How paths are written for people (manifest, run log, sources table, one-line errors)."""

from analysis_helpers.core.paths import PROJECT_ROOT, shown_path


def test_a_path_inside_the_project_is_written_from_its_root_however_it_was_given(tmp_path):
    assert shown_path(PROJECT_ROOT / "data" / "local" / "kent.csv") == "data/local/kent.csv"
    assert shown_path(PROJECT_ROOT / "data" / ".." / "data" / "targets.csv") == "data/targets.csv"


def test_a_path_outside_the_project_is_written_as_given(tmp_path):
    outside = tmp_path / "feeds" / "kent.csv"
    assert shown_path(outside) == str(outside)
