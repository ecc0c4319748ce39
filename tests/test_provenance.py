import hashlib

import pytest

from analysis_helpers.core.errors import ChecksumError, DataValidationError
from analysis_helpers.core.paths import DATA_LOG, RAW_DIR
from analysis_helpers.data.provenance import logged_checksums, publication_date, sha256_of, verify_raw_file
from analysis_helpers.data.release import Release


def test_every_raw_file_is_logged_with_its_checksum():
    logged = logged_checksums()
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
