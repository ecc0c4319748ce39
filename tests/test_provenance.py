import datetime as dt
import hashlib
import shutil

import pytest
from helpers import FIXTURE_HISTORIC, FIXTURE_LIST, FIXTURE_RELEASE

from analysis_helpers.core.errors import ChecksumError, DataValidationError
from analysis_helpers.core.paths import DATA_LOG, RAW_DIR
from analysis_helpers.data.provenance import (
    CHECKSUM_LISTS_ENV,
    checksum_lists,
    default_release,
    logged_checksums,
    publication_date,
    register_checksum_list,
    sha256_of,
    verify_raw_file,
)
from analysis_helpers.data.release import Release


def test_every_raw_file_is_logged_with_its_checksum():
    logged = logged_checksums(DATA_LOG)  # the project's own log, not the tests' frozen copy: every file in data/raw
    files = sorted(p.name for p in RAW_DIR.iterdir() if p.is_file() and p.name != "README.md")
    assert files, "no raw files"
    for name in files:
        assert name in logged, f"{name} is not in the data log"
        assert hashlib.sha256((RAW_DIR / name).read_bytes()).hexdigest() == logged[name]


def test_data_log_has_licence_line_and_publication_dates():
    text = DATA_LOG.read_text()
    assert "Contains public sector information licensed under the Open Government Licence v3.0" in text
    assert str(publication_date(RAW_DIR / "education-health-and-care-plans_2025.zip")) == "2025-07-01"


def test_changed_raw_file_is_refused(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    changed = raw / "education-health-and-care-plans_2025.zip"
    changed.write_bytes((RAW_DIR / changed.name).read_bytes() + b"tampered")
    with pytest.raises(ChecksumError, match="SHA-256 is .* but the data log records"):
        verify_raw_file(changed, raw_dir=raw)


def test_unlogged_raw_file_is_refused(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    extra = raw / "new_release.zip"
    extra.write_bytes(b"PK")
    with pytest.raises(ChecksumError, match="not in the data log"):
        verify_raw_file(extra, raw_dir=raw)


def test_missing_release_is_a_clear_error(tmp_path):
    with pytest.raises(DataValidationError, match="release not found"):
        Release(tmp_path / "nope.zip")


def test_folder_checksum_depends_on_content(tmp_path):
    (tmp_path / "a.csv").write_text("x")
    first = sha256_of(tmp_path)
    (tmp_path / "a.csv").write_text("y")
    assert sha256_of(tmp_path) != first


# -- checksum lists: the test fixtures, verified without entering the data log ----
def test_fixtures_are_verified_against_their_checksum_list_not_the_data_log():
    assert FIXTURE_LIST.resolve() in checksum_lists()  # registered by conftest.py
    text = FIXTURE_LIST.read_text()
    for fixture in (FIXTURE_RELEASE, FIXTURE_HISTORIC):
        sha = hashlib.sha256(fixture.read_bytes()).hexdigest()
        assert f"`{fixture.name}`" in text and f"`{sha}`" in text
        assert verify_raw_file(fixture) == sha
        assert fixture.name not in logged_checksums() and fixture.name not in DATA_LOG.read_text()
    assert publication_date(FIXTURE_RELEASE) == dt.date(2025, 7, 1)
    assert publication_date(FIXTURE_HISTORIC) == dt.date(2023, 3, 27)
    release = Release(FIXTURE_RELEASE, cache=False)
    assert release.published == dt.date(2025, 7, 1) and release.sha256 == sha256_of(FIXTURE_RELEASE)


def _listed_folder(tmp_path, monkeypatch):
    """A copy of the fixtures folder, its README.md named in SEND_REVIEW_CHECKSUM_LISTS."""
    folder = tmp_path / "fixtures"
    folder.mkdir()
    shutil.copyfile(FIXTURE_LIST, folder / "README.md")
    shutil.copyfile(FIXTURE_RELEASE, folder / FIXTURE_RELEASE.name)
    monkeypatch.setenv(CHECKSUM_LISTS_ENV, str(folder / "README.md"))
    return folder


def test_a_changed_file_in_a_listed_folder_is_refused(tmp_path, monkeypatch):
    folder = _listed_folder(tmp_path, monkeypatch)
    assert verify_raw_file(folder / FIXTURE_RELEASE.name) == sha256_of(FIXTURE_RELEASE)
    changed = folder / FIXTURE_RELEASE.name
    changed.write_bytes(FIXTURE_RELEASE.read_bytes() + b"tampered")
    with pytest.raises(ChecksumError, match="SHA-256 is .* but the data log records"):
        Release(changed)


def test_an_unlisted_file_in_a_listed_folder_is_refused(tmp_path, monkeypatch):
    folder = _listed_folder(tmp_path, monkeypatch)
    extra = folder / "education-health-and-care-plans_2026.zip"
    shutil.copyfile(FIXTURE_RELEASE, extra)
    with pytest.raises(ChecksumError, match="not in the data log"):
        Release(extra)


def test_a_registered_list_puts_its_folder_under_the_rule(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    copy, changed = folder / "copy.zip", folder / "changed.zip"
    shutil.copyfile(FIXTURE_RELEASE, copy)
    changed.write_bytes(FIXTURE_RELEASE.read_bytes() + b"x")
    sha = sha256_of(FIXTURE_RELEASE)
    assert verify_raw_file(changed) == sha256_of(changed)  # no list yet: read as it is
    (folder / "README.md").write_text(f"| `copy.zip` | a copy | `{sha}` |\n| `changed.zip` | a copy | `{sha}` |\n\n"
                                      "- release: copy.zip published: 2026-01-02\n")
    register_checksum_list(folder / "README.md")
    assert verify_raw_file(copy) == sha and publication_date(copy) == dt.date(2026, 1, 2)
    with pytest.raises(ChecksumError, match="SHA-256 is .* but the data log records"):
        verify_raw_file(changed)  # accepted before, refused once the list applies


def test_the_default_release_is_the_newest_the_data_log_dates_by_the_data_date(tmp_path, monkeypatch):
    """Issue 25: adding a release is a file and two lines in the log, no code edit. A renamed copy of the fixture
    release logged as published on 2 July 2026 is chosen from that date on; an earlier data date keeps the 2025 one;
    before either is public the earliest is used (its figures are then left out as not yet published)."""
    monkeypatch.delenv("SEND_REVIEW_DEFAULT_RELEASE", raising=False)
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    for name in ("education-health-and-care-plans_2025.zip", "education-health-and-care-plans_2026.zip",
                 "education-health-and-care-plans_2022.zip"):
        shutil.copyfile(FIXTURE_RELEASE, raw / name)
    log = tmp_path / "data" / "README.md"
    log.write_text("- release: education-health-and-care-plans_2025.zip published: 2025-07-01\n"
                   "- release: education-health-and-care-plans_2026.zip published: 2026-07-02\n"
                   "- release: education-health-and-care-plans_2022.zip published: 2027-03-27\n"  # the history's schema: never
                   "- release: not-stored.zip published: 2026-01-01\n", encoding="utf-8")  # no such file: never
    assert default_release(dt.date(2026, 7, 2), log) == raw / "education-health-and-care-plans_2026.zip"
    assert default_release(dt.date(2028, 1, 1), log) == raw / "education-health-and-care-plans_2026.zip"
    assert default_release(dt.date(2026, 7, 1), log) == raw / "education-health-and-care-plans_2025.zip"
    assert default_release(dt.date(2024, 12, 31), log) == raw / "education-health-and-care-plans_2025.zip"
    monkeypatch.setenv("SEND_REVIEW_DEFAULT_RELEASE", str(FIXTURE_RELEASE))  # the setting still wins
    assert default_release(dt.date(2028, 1, 1), log) == FIXTURE_RELEASE
    monkeypatch.delenv("SEND_REVIEW_DEFAULT_RELEASE")
    log.write_text("no release lines\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="README.md: no 'release: FILE published: DATE' line names a file"):
        default_release(dt.date(2028, 1, 1), log)
