"""Caches that cannot lie (issue 24): a damaged cache of any kind is rebuilt, never read, and the rebuild is noted.

Each damage a disk, an interrupted copy or a hand can do: half the file, one bit flipped, zero bytes, a sound
file of another shape (with a checksum that vouches for it), a file without its checksum. The numbers must be
those of a clean build, checked against the raw rows (Kent 2023: 324 of 1,804 plans within 20 weeks).
"""

import logging

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import FIXTURE_RELEASE, fixture_release

from analysis_helpers.analysis import backtest as backtest_module
from analysis_helpers.analysis.backtest import backtest_cache_path, cached_backtest, choose_default
from analysis_helpers.analysis.panel import fit_panel
from analysis_helpers.analysis.panel_cache import cached_fit_panel, fit_cache_path, to_json
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.release import Release
from analysis_helpers.domain.kpis import KPI_COLUMNS, kpi_table
from analysis_helpers.domain.measures import schemas

HEADLINE = "ehcp_issued_within_20_weeks_pct"


def halve(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_a_bit(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))


def empty(path):
    path.write_bytes(b"")


def lose_the_checksum(path):
    parquet_cache.sidecar(path).unlink()


DAMAGES = {"truncated": halve, "bit-flipped": flip_a_bit, "zero-byte": empty, "no checksum": lose_the_checksum}


def kent_2023(table):
    row = table[(table["area_name"] == "Kent") & (table["measure"] == HEADLINE) & (table["period"] == "2023")].iloc[0]
    return row["numerator"], row["denominator"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(tmp_path))
    return tmp_path


def kpi_cache(release):
    return parquet_cache.cache_file("kpis", release.sha256, f"{FIXTURE_RELEASE.name}.kpi_table.parquet")


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_kpi_table_is_rebuilt_and_gives_the_clean_numbers(cache, damage):
    clean = kpi_table(Release(FIXTURE_RELEASE))  # a new Release: nothing kept in memory
    assert kent_2023(clean) == (324, 1804)  # timeliness_20_week.csv, Kent 2023
    path = kpi_cache(Release(FIXTURE_RELEASE))
    DAMAGES[damage](path)
    with parquet_cache.recording() as uses:
        again = kpi_table(Release(FIXTURE_RELEASE))
    pd.testing.assert_frame_equal(again, clean)
    assert [u.event.split(":")[0] for u in uses if u.name == path.name] == ["rebuilt"]
    assert parquet_cache.read_verified(path)[0] is not None  # the rebuilt file is sound for the next process


def test_a_sound_table_of_another_shape_is_rebuilt(cache):
    clean = kpi_table(Release(FIXTURE_RELEASE))
    path = kpi_cache(Release(FIXTURE_RELEASE))
    wrong = parquet_cache.parquet_bytes(clean.drop(columns=["ci_low", "ci_high"]))
    assert parquet_cache.write_verified(path, wrong)  # a checksum that vouches for it: only the columns tell
    with parquet_cache.recording() as uses:
        again = kpi_table(Release(FIXTURE_RELEASE))
    assert list(again.columns) == KPI_COLUMNS
    pd.testing.assert_frame_equal(again, clean)
    assert uses[-1].event == "rebuilt: columns differ from those expected"


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_parsed_release_file_is_parsed_again(cache, damage):
    name = "timeliness_20_week.csv"
    schema = schemas()[name]
    clean = Release(FIXTURE_RELEASE).read(name, schema).data
    path = Release(FIXTURE_RELEASE).cache_path(name, schema)
    DAMAGES[damage](path)
    pd.testing.assert_frame_equal(Release(FIXTURE_RELEASE).read(name, schema).data, clean)


def small_backtest(measure, release=None, historic=None):
    """A backtest table of two models (the caching is under test, not the models: the real one takes seconds)."""
    rows = [[model, 1, "overall", 11, cover, 95.0, 20.0, score, 40.0, 5.0, 6.0, 0.83, 0.1]
            for model, cover, score in (("rw_logit", 81.8, 30.25), ("panel_ar1_logit", 72.7, 28.5))]
    return pd.DataFrame(rows, columns=backtest_module.BACKTEST_COLUMNS)


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_backtest_chooses_the_same_model(cache, damage, release, historic, monkeypatch):
    monkeypatch.setattr(backtest_module, "backtest", small_backtest)
    clean = cached_backtest(HEADLINE, release=release, historic=historic)
    assert choose_default(clean) == "rw_logit"  # the panel model's 80% coverage is 7.3 points off nominal
    DAMAGES[damage](backtest_cache_path(HEADLINE, release, historic))
    again = cached_backtest(HEADLINE, release=release, historic=historic)
    pd.testing.assert_frame_equal(again, clean)
    assert choose_default(again) == choose_default(clean)


def panel_frame():
    table = kpi_table(Release(FIXTURE_RELEASE))
    rows = table[(table["measure"] == HEADLINE) & (table["geographic_level"] == "Local authority")]
    return rows[["area_code", "period_end", "numerator", "denominator"]].dropna().reset_index(drop=True)


@pytest.mark.parametrize("damage", [*DAMAGES, "another shape"])
def test_a_damaged_panel_fit_is_fitted_again(cache, damage):
    panel = panel_frame()
    clean = cached_fit_panel(panel, "ab" * 32)
    path = fit_cache_path(panel, "ab" * 32)
    if damage == "another shape":  # sound JSON with a checksum that vouches for it, but not a fit
        parquet_cache.write_verified(path, b'{"origin": "2022-12-31", "phi": [1, 2]}')
    else:
        DAMAGES[damage](path)
    assert to_json(cached_fit_panel(panel, "ab" * 32)) == to_json(clean) == to_json(fit_panel(panel))


def test_an_unwritable_cache_folder_gives_the_same_numbers_and_is_noted(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(blocker / "cache"))  # cannot be made, even by root
    assert parquet_cache.cache_folder_problem() != ""
    with parquet_cache.recording() as uses:
        table = kpi_table(Release(FIXTURE_RELEASE))
    assert kent_2023(table) == (324, 1804)
    assert uses and all(u.event.startswith("not kept: ") for u in uses)


def test_the_review_says_an_unwritable_cache_folder_once(tmp_path, monkeypatch, caplog):
    from analysis_helpers.pipeline import report

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(report, "prepare_review_caches", lambda *args: None)  # the statistics are not the point here
    monkeypatch.setattr(report, "_said_cache_problem", set())
    with caplog.at_level(logging.WARNING, logger="analysis_helpers"):
        for _ in range(3):  # a batch worker's areas
            report.prepare_caches(fixture_release(), pd.Timestamp("2025-09-30").date())
    said = [r.getMessage() for r in caplog.records if "cannot be written" in r.getMessage()]
    assert len(said) == 1 and "SEND_REVIEW_CACHE_DIR" in said[0]


def test_a_parquet_file_never_read_without_its_checksum(cache):
    path = cache / "x.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), path)  # a file some other code left there
    assert parquet_cache.read_verified(path) == (None, "no checksum beside it")
    built = parquet_cache.cached_frame(path, lambda: pd.DataFrame({"a": [3]}))
    assert built["a"].tolist() == [3]


def test_a_sound_parsed_file_without_the_schemas_columns_is_parsed_again(cache):
    name = "timeliness_20_week.csv"
    schema = schemas()[name]
    clean = Release(FIXTURE_RELEASE).read(name, schema).data
    path = Release(FIXTURE_RELEASE).cache_path(name, schema)
    parquet_cache.write_verified(path, parquet_cache.parquet_bytes(pd.DataFrame({"time_period": ["2024"]})))
    with parquet_cache.recording() as uses:
        again = Release(FIXTURE_RELEASE).read(name, schema).data
    pd.testing.assert_frame_equal(again, clean)
    assert uses[-1].event.startswith("rebuilt: no column ")
