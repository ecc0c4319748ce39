"""A DfE release as an untrusted input (issue 24, item 6).

* A zip member larger than ``MAX_MEMBER_BYTES`` once unzipped is refused in one
  line from the zip's directory, before it is inflated; no read takes more than
  the cap, whatever the directory says. The cap is made small here rather than
  writing a 1 GiB file.
* A release outside ``data/raw/`` whose SHA-256 no log records is an "unlisted
  release": it never borrows a logged release's publication date by its file
  name, and the review's header, its sources and the manifest name it with its
  checksum.
"""

import datetime as dt
import io
import logging
import shutil
import types
import zipfile

import pytest
from helpers import FIXTURE_RELEASE, make_release, raw_bytes

import analysis_helpers.data.release as release_module
import analysis_helpers.pipeline.manifest as manifest_module
from analysis_helpers.cli import main
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.data import provenance
from analysis_helpers.data.provenance import publication_date, sha256_of
from analysis_helpers.data.release import Release
from analysis_helpers.domain.run_context import Quarter
from analysis_helpers.pipeline.manifest import build_manifest
from analysis_helpers.pipeline.report import check_release_public
from analysis_helpers.reporting.sections import dfe_source
from analysis_helpers.reporting.sources import inputs_table, release_line, vintage_table, vintages_text

TIMELINESS = "timeliness_20_week.csv"
CAP = 1_000_000  # above every fixture member (the largest, caseload.csv, is 900,564 bytes)
LOGGED_NAME = "education-health-and-care-plans_2025.zip"  # the data log dates a release of this name 2025-07-01


# -- the size cap -----------------------------------------------------------------------------------
@pytest.fixture
def padded(tmp_path, monkeypatch):
    """A release whose timeliness member is padded past the cap (newlines compress to almost nothing)."""
    monkeypatch.setattr(release_module, "MAX_MEMBER_BYTES", CAP, raising=False)
    return make_release(tmp_path, {TIMELINESS: raw_bytes(TIMELINESS) + b"\n" * 800_000})


def opened_members(monkeypatch) -> list[str]:
    """Record each zip member inflated from now on."""
    opened = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return opened


def test_a_member_over_the_cap_is_refused_from_the_directory_before_it_is_read(padded, monkeypatch):
    opened = opened_members(monkeypatch)
    with pytest.raises(DataValidationError) as raised:
        Release(padded, cache=False).read(TIMELINESS)
    assert str(raised.value) == ("release.zip:data/timeliness_20_week.csv: 1,096,656 bytes once unzipped, more than the 1,000,000 "
                                 "bytes a release file may hold; it was not read (is this DfE's release as published?)")
    assert "data/timeliness_20_week.csv" not in opened


def test_the_command_line_refuses_it_in_one_line_with_exit_2(padded, capsys, monkeypatch):
    opened = opened_members(monkeypatch)
    code = main(["kpis", "--area", "Kent", "--release", str(padded), "--format", "csv"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == ("send-review: error: release.zip:data/timeliness_20_week.csv: 1,096,656 bytes once unzipped, more than the "
                   "1,000,000 bytes a release file may hold; it was not read (is this DfE's release as published?)\n")
    assert "data/timeliness_20_week.csv" not in opened


def test_an_unpacked_member_over_the_cap_is_refused_too(tmp_path, monkeypatch):
    monkeypatch.setattr(release_module, "MAX_MEMBER_BYTES", CAP, raising=False)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / TIMELINESS).write_bytes(raw_bytes(TIMELINESS) + b"\n" * 800_000)
    with pytest.raises(DataValidationError) as raised:
        Release(tmp_path, cache=False).read_bytes(TIMELINESS)
    assert str(raised.value).startswith(f"{tmp_path.name}:data/timeliness_20_week.csv: 1,096,656 bytes once unzipped, more than the "
                                        "1,000,000")


def test_no_read_takes_more_than_the_cap_whatever_the_size_stated(monkeypatch):
    """A stream longer than its stated size (a lying directory entry) stops at the cap + 1 byte."""
    monkeypatch.setattr(release_module, "MAX_MEMBER_BYTES", 1000, raising=False)
    stream = io.BytesIO(b"x" * 5000)
    with pytest.raises(DataValidationError, match=r"more than the 1,000 bytes .* though its entry said less; reading stopped"):
        Release(FIXTURE_RELEASE, cache=False)._bounded(TIMELINESS, stream)
    assert stream.tell() == 1001


def test_members_under_the_cap_read_as_before(monkeypatch):
    monkeypatch.setattr(release_module, "MAX_MEMBER_BYTES", CAP, raising=False)
    assert Release(FIXTURE_RELEASE, cache=False).read_bytes(TIMELINESS) == raw_bytes(TIMELINESS)


# -- unlisted releases --------------------------------------------------------------------------------
@pytest.fixture
def unlisted(tmp_path):
    """The fixture's rows re-zipped under the logged release's name: other bytes, so another SHA-256."""
    path = make_release(tmp_path, {}, name=LOGGED_NAME)
    assert sha256_of(path) != sha256_of(FIXTURE_RELEASE)
    return path


def test_an_unlisted_release_borrows_no_publication_date_by_its_name(unlisted):
    release = Release(unlisted, cache=False)
    assert (publication_date(unlisted), release.published, release.listed) == (None, None, False)


def test_opening_an_unlisted_release_hashes_it_once(unlisted, monkeypatch):
    """Verifying it, dating it and asking whether a log lists it read the one SHA-256 (they hashed it three times)."""
    hashed = []

    def counted(path):
        hashed.append(path)
        return sha256_of(path)

    monkeypatch.setattr(provenance, "sha256_of", counted)
    monkeypatch.setattr(manifest_module, "sha256_of", counted)
    release = Release(unlisted, cache=False)
    assert (hashed, release.sha256, release.listed) == ([unlisted], sha256_of(unlisted), False)
    hashed.clear()
    build_manifest({}, Quarter(2025, 3), unlisted, dt.datetime(2026, 11, 28, tzinfo=dt.UTC), {}, read=[unlisted])
    assert len(hashed) == 2  # once for the release's entry, once for its line in the inputs (was five times)


def test_a_byte_for_byte_copy_is_known_by_its_checksum_whatever_its_name(tmp_path):
    copy = tmp_path / "renamed.zip"
    shutil.copyfile(FIXTURE_RELEASE, copy)
    release = Release(copy, cache=False)
    assert (publication_date(copy), release.published, release.listed) == (dt.date(2025, 7, 1), dt.date(2025, 7, 1), True)


def test_the_review_header_and_sources_name_it_with_its_checksum(unlisted):
    release = Release(unlisted, cache=False)
    label = f"unlisted release (sha256 {release.sha256[:12]}…)"
    as_of = dt.date(2025, 9, 30)
    assert release_line(release, as_of) == (f"DfE figures come from `{LOGGED_NAME}`, an {label}: no data log records its checksum, "
                                            "so it has no publication date.")
    assert vintages_text(release, as_of) == (f"Data vintage: `{LOGGED_NAME}` is an {label}: no data log records its checksum, so it "
                                             "has no publication date and its figures are not checked against this review's data date.")
    row = vintage_table(release, None, "Kent", as_of).iloc[0]
    assert (row["Data"], row["Published"]) == (f"{LOGGED_NAME}, an {label}", "")
    assert inputs_table([unlisted]).iloc[0][["Published", "SHA-256"]].tolist() == ["", release.sha256]


def test_every_chart_of_its_figures_names_it_in_its_source_line(unlisted):
    release = Release(unlisted, cache=False)
    assert dfe_source(types.SimpleNamespace(release=release)) == (
        f"DfE, Education, health and care plans ({LOGGED_NAME}, unlisted release (sha256 {release.sha256[:12]}…)); OGL v3.0")
    assert dfe_source(types.SimpleNamespace(release=Release(FIXTURE_RELEASE))) == (
        f"DfE, Education, health and care plans ({FIXTURE_RELEASE.name}); OGL v3.0")


def test_the_manifest_names_it_with_its_checksum_and_no_date(unlisted):
    sha = sha256_of(unlisted)
    manifest = build_manifest({}, Quarter(2025, 3), unlisted, dt.datetime(2026, 11, 28, tzinfo=dt.UTC), {}, read=[unlisted])
    assert manifest["release"] == {"path": str(unlisted), "sha256": sha, "published": None, "listed": False,
                                   "label": f"unlisted release (sha256 {sha[:12]}…)"}
    assert manifest["inputs"] == [{"path": str(unlisted), "sha256": sha, "published": None}]


def test_a_listed_release_is_labelled_by_name_in_the_manifest():
    manifest = build_manifest({}, Quarter(2025, 3), FIXTURE_RELEASE, dt.datetime(2026, 11, 28, tzinfo=dt.UTC), {}, read=[FIXTURE_RELEASE])
    assert manifest["release"]["listed"] is True and manifest["release"]["published"] == "2025-07-01"
    assert manifest["release"]["label"] == f"DfE release {FIXTURE_RELEASE.name}"


def test_a_run_with_an_unlisted_release_goes_ahead_with_one_warning(unlisted, caplog):
    """Before, it borrowed 2025-07-01 by its name and refused a review dated earlier."""
    with caplog.at_level(logging.WARNING):
        check_release_public(unlisted, Quarter(2025, 1), dt.date(2025, 3, 31))
    assert [r.getMessage() for r in caplog.records] == [
        f"--release {unlisted} is an unlisted release (sha256 {sha256_of(unlisted)[:12]}…): no data log records its checksum, "
        "so it has no publication date"]
