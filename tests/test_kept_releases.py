"""A release kept from one review to the next (pipeline.kept_releases) is handed out again only when nothing it was
derived from changed: the file, the data date, the package's code, the cache folder, or a cache read opening it."""

import datetime as dt
import shutil

import pytest
from helpers import FIXTURE_RELEASE, make_release

from analysis_helpers.data import parquet_cache
from analysis_helpers.pipeline import batch, kept_releases
from analysis_helpers.pipeline.kept_releases import kept_release

DAY = dt.date(2025, 9, 30)


@pytest.fixture
def release(tmp_path, monkeypatch):
    """A byte-for-byte copy of the fixture release (known by its checksum) and a cache folder of its own."""
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(kept_releases, "_kept", {})
    copy = tmp_path / "release.zip"
    shutil.copyfile(FIXTURE_RELEASE, copy)
    return copy


def test_the_next_review_of_the_same_release_and_date_gets_the_same_objects(release):
    first = kept_release(release, DAY, historic=None)
    again = kept_release(release, DAY, historic=None)
    assert again.release is first.release and again.areas is first.areas
    assert first.cache_uses and {u.event for u in first.cache_uses} == {"built"}
    # each cache read opening it, verified again and said as read, with its checksum as it now stands
    assert [(u.name, u.event) for u in again.cache_uses] == [(u.name, "read") for u in first.cache_uses]
    assert [u.sha256 for u in again.cache_uses] == [u.sha256 for u in first.cache_uses]


def test_another_data_date_opens_it_afresh(release):
    first = kept_release(release, DAY, historic=None)
    assert kept_release(release, DAY + dt.timedelta(days=1), historic=None).release is not first.release


def test_a_changed_file_is_opened_afresh(release, tmp_path):
    first = kept_release(release, DAY, historic=None)
    shutil.copyfile(make_release(tmp_path, {}, name="rezipped.zip"), release)  # the same rows zipped again: other bytes
    again = kept_release(release, DAY, historic=None)
    assert again.release is not first.release and again.release.sha256 != first.release.sha256


def test_changed_code_or_another_cache_folder_opens_it_afresh(release, tmp_path, monkeypatch):
    first = kept_release(release, DAY, historic=None)
    monkeypatch.setattr(parquet_cache, "package_hash", lambda: "edited")  # autoreload took an edit
    second = kept_release(release, DAY, historic=None)
    assert second.release is not first.release
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(tmp_path / "another-cache"))
    assert kept_release(release, DAY, historic=None).release is not second.release


def test_a_cache_damaged_since_is_rebuilt_by_opening_afresh_and_said(release):
    first = kept_release(release, DAY, historic=None)
    damaged = parquet_cache.cache_dir() / first.cache_uses[0].name
    damaged.write_bytes(damaged.read_bytes()[:100])
    again = kept_release(release, DAY, historic=None)
    assert again.release is not first.release
    assert {u.name: u.event for u in again.cache_uses}[damaged.name].startswith("rebuilt: ")
    assert parquet_cache.read_verified(damaged)[0] is not None


def test_one_release_is_kept_at_most(release, tmp_path):
    kept_release(release, DAY, historic=None)
    kept_release(FIXTURE_RELEASE, DAY, historic=None)
    assert len(kept_releases._kept) == 1


def test_a_batch_worker_hands_each_area_the_release_it_kept(release, monkeypatch, tmp_path):
    handed = []
    monkeypatch.setattr(batch, "run_quarterly", lambda **run: handed.append(run["opened"]))
    monkeypatch.setattr(batch, "_worker_kernels", lambda: None)
    for area in batch.select_areas("Kent,Essex", release):
        assert batch._run_one(area, "2025-Q3", None, str(tmp_path / "out"), str(release)).ok
    assert len(handed) == 2 and handed[1].release is handed[0].release and handed[1].areas is handed[0].areas
