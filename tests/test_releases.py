"""The EES reader: symbols, dtypes, periods, geography, the cache, and every bad input.

On the fixture release (tests/fixtures/): the real rows for England, the regions
and 15 LAs. Expected values come from the raw CSV rows, read with csv.
"""

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import FIXTURE_LAS, FIXTURE_RELEASE, make_release, raw_bytes, raw_rows

import analysis_helpers.data.release as release_module
from analysis_helpers import __version__
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import CACHE_ENV, DATA_DIR, cache_dir
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.ees_csv import parse_ees_csv
from analysis_helpers.data.periods import parse_time_period
from analysis_helpers.data.release import Release
from analysis_helpers.domain.measures import schemas

TIMELINESS = "timeliness_20_week.csv"


@pytest.fixture(scope="module")
def timeliness(release):
    return release.read(TIMELINESS, schemas()[TIMELINESS])


def test_indicators_are_numeric_and_symbols_are_missing(timeliness):
    data = timeliness.data
    assert data["plans_issued_den"].dtype == np.float64
    assert data["pc_plans_issued_within_20_weeks"].dtype == np.float64
    # Row 1 of the file (England 2019): >1 year columns are published as 'x'.
    raw = raw_rows(TIMELINESS)[0]
    assert raw["plans_issued_gt_1_year"] == "x"
    assert np.isnan(data.loc[0, "plans_issued_gt_1_year"])
    assert timeliness.reason("plans_issued_gt_1_year", 0) == "unavailable"
    assert timeliness.reason("plans_issued_den", 0) is None
    assert data.loc[0, "plans_issued_den"] == float(raw["plans_issued_den"])


def test_every_numeric_cell_matches_the_raw_text(timeliness):
    rows = raw_rows(TIMELINESS)
    for column in ("plans_issued_den", "plans_issued_20_weeks_ex", "PC_plans_issued_20_weeks_ex"):
        expected = [np.nan if r[column] in ("x", "z", "c", "") else float(r[column]) for r in rows]
        np.testing.assert_array_equal(timeliness.data[column].to_numpy(), np.array(expected))


def test_time_periods_become_labels_and_dates(release):
    assert parse_time_period("2023", "Calendar year") == ("2023", pd.Timestamp("2023-12-31"))
    assert parse_time_period("202425", "Academic year") == ("2024/25", pd.Timestamp("2025-01-31"))
    assert parse_time_period("202223", "Financial year") == ("2022-23", pd.Timestamp("2023-03-31"))
    caseload = release.read("caseload.csv")
    periods = caseload.data[["time_period", "period", "period_end"]].drop_duplicates()
    row = periods[periods["time_period"] == "202425"].iloc[0]
    assert row["period"] == "2024/25" and row["period_end"] == pd.Timestamp("2025-01-31")


def test_geography_columns(timeliness):
    data = timeliness.data
    england = data[data["geographic_level"] == "National"]
    assert set(england["area_code"]) == {"E92000001"} and set(england["area_name"]) == {"England"}
    kent = data[(data["geographic_level"] == "Local authority") & (data["la_name"] == "Kent")]
    assert set(kent["area_code"]) == {"E10000016"} and set(kent["old_la_code"]) == {"886"}
    region = data[(data["geographic_level"] == "Regional") & (data["region_name"] == "South East")]
    assert set(region["area_code"]) == {"E12000008"}


def test_whole_release_reads_including_the_repeated_column(release):
    assert len(release.data_files()) == 12
    for name in release.data_files():
        parsed = release.read(name)
        assert len(parsed.data) == len(raw_rows(name))  # every row, none lost or added
        las = set(parsed.data.loc[parsed.data["geographic_level"] == "Local authority", "old_la_code"])
        assert las <= set(FIXTURE_LAS) and "886" in las
    # DfE's annual_reviews.csv repeats a column name; the repeat is kept, renamed.
    assert "review_meeting_prior_24__2" in release.read("annual_reviews.csv").data.columns


def test_unpacked_folder_reads_the_same(tmp_path, release):
    with zipfile.ZipFile(release.path) as archive:
        archive.extract("data/" + TIMELINESS, tmp_path)
    folder = Release(tmp_path, cache=False).read(TIMELINESS, schemas()[TIMELINESS]).data
    zipped = release.read(TIMELINESS, schemas()[TIMELINESS]).data
    pd.testing.assert_frame_equal(folder.reset_index(drop=True), zipped.reset_index(drop=True), check_dtype=False)


# -- the parquet cache ----------------------------------------------------------
def test_parse_writes_the_cache_and_a_reload_reads_it_without_parsing(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    schema = schemas()[TIMELINESS]
    first = Release(FIXTURE_RELEASE)
    path = first.cache_path(TIMELINESS, schema)
    assert path.parent == tmp_path and not path.exists()
    parsed = first.read(TIMELINESS, schema).data
    assert path.exists() and path.stat().st_size > 0

    def no_parsing(*args, **kwargs):
        raise AssertionError("the reload parsed the CSV instead of reading the cache")

    monkeypatch.setattr(release_module, "parse_ees_csv", no_parsing)
    reloaded = Release(FIXTURE_RELEASE).read(TIMELINESS, schema).data
    pd.testing.assert_frame_equal(parsed, reloaded)
    kent = reloaded[(reloaded["la_name"] == "Kent") & (reloaded["time_period"] == "2023")
                    & (reloaded["breakdown_topic"] == "All EHC plans issued")]
    assert kent[["plans_issued_within_20_weeks", "plans_issued_den"]].values.tolist() == [[324.0, 1804.0]]


def test_cache_name_changes_with_the_reader_code_and_names_the_version(monkeypatch):
    schema = schemas()[TIMELINESS]
    release = Release(FIXTURE_RELEASE)
    before = release.cache_path(TIMELINESS, schema)
    assert f"-v{__version__}-" in before.name and before.name.startswith(release.sha256[:20])
    monkeypatch.setattr(parquet_cache, "PACKAGE_CODE", "0" * 16)  # any of the package's code edited
    assert release.cache_path(TIMELINESS, schema) != before


def test_the_package_hash_covers_every_module_not_only_the_reader(tmp_path):
    # The backtest's key once left out scales.py, kpis.py and measures.py: one hash of the whole package cannot.

    package = tmp_path / "analysis_helpers"
    shutil.copytree(Path(parquet_cache.__file__).parents[1], package, ignore=shutil.ignore_patterns("__pycache__"))
    assert parquet_cache.package_hash(package) == parquet_cache.PACKAGE_CODE
    scales = package / "core" / "scales.py"
    scales.write_text(scales.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert parquet_cache.package_hash(package) != parquet_cache.PACKAGE_CODE


def test_tests_cache_outside_the_working_tree(release, test_cache_dir):
    """conftest.py points the cache at a temporary folder: nothing is written under data/cache."""
    folder = cache_dir()
    assert folder == test_cache_dir and not folder.resolve().is_relative_to(DATA_DIR.resolve())
    data_cache = DATA_DIR / "cache"
    before = sorted(data_cache.iterdir()) if data_cache.exists() else []
    fresh = Release(FIXTURE_RELEASE)
    fresh.read("requests.csv")
    assert fresh.cache_path("requests.csv", None).parent == folder and fresh.cache_path("requests.csv", None).exists()
    assert (sorted(data_cache.iterdir()) if data_cache.exists() else []) == before


# -- bad inputs: each one a DataValidationError naming file, column and line ----
LABEL = "test.zip:data/timeliness_20_week.csv"


def _bad(text: bytes) -> str:
    with pytest.raises(DataValidationError) as info:
        parse_ees_csv(text, LABEL, schemas()[TIMELINESS])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(LABEL)
    return message


def _lines() -> list[bytes]:
    return raw_bytes(TIMELINESS).split(b"\r\n")


def test_missing_column():
    lines = _lines()
    header = lines[0].split(b",")
    position = header.index(b"plans_issued_den_ex")
    cut = [b",".join(p for i, p in enumerate(line.split(b",")) if i != position) if line else line for line in lines]
    message = _bad(b"\r\n".join(cut))
    assert "column 'plans_issued_den_ex' is missing" in message


def test_renamed_column_is_named_with_a_hint():
    lines = _lines()
    lines[0] = lines[0].replace(b"plans_issued_20_weeks_ex", b"plans_issued_20wk_ex")
    message = _bad(b"\r\n".join(lines))
    assert "column 'plans_issued_20_weeks_ex' is missing" in message
    assert "'plans_issued_20wk_ex'" in message and "renamed" in message


def test_non_numeric_value_names_line_and_column():
    lines = _lines()
    fields = lines[5].split(b",")
    header = lines[0].lstrip(b"\xef\xbb\xbf").split(b",")
    fields[header.index(b"plans_issued_den")] = b"12O"  # letter O, a typo
    lines[5] = b",".join(fields)
    message = _bad(b"\r\n".join(lines))
    assert "line 6, column 'plans_issued_den'" in message and "'12O'" in message


def test_unknown_symbol_is_not_a_number():
    lines = _lines()
    fields = lines[9].split(b",")
    header = lines[0].lstrip(b"\xef\xbb\xbf").split(b",")
    fields[header.index(b"plans_issued_within_20_weeks")] = b"n/a"
    lines[9] = b",".join(fields)
    assert "line 10, column 'plans_issued_within_20_weeks'" in _bad(b"\r\n".join(lines))


def test_truncated_file_mid_line():
    data = raw_bytes(TIMELINESS)
    message = _bad(data[: len(data) // 2])
    assert "truncated" in message and "line" in message


def test_short_row_is_located():
    lines = _lines()
    lines[100] = b",".join(lines[100].split(b",")[:10])
    message = _bad(b"\r\n".join(lines))
    assert "line 101" in message and "fields where the header has" in message


def test_empty_and_header_only_files():
    assert "empty" in _bad(b"")
    assert "no data rows" in _bad(_lines()[0] + b"\r\n")


def test_bad_time_period():
    lines = _lines()
    lines[3] = lines[3].replace(b"2019,Calendar year", b"19,Calendar year", 1)
    message = _bad(b"\r\n".join(lines))
    assert "line 4, column 'time_period'" in message and "'19'" in message


def test_unknown_time_identifier():
    lines = _lines()
    lines[2] = lines[2].replace(b"Calendar year", b"Tax year", 1)
    assert "column 'time_identifier': 'Tax year'" in _bad(b"\r\n".join(lines))


def test_not_utf8():
    lines = _lines()
    lines[7] = lines[7].replace(b"England", b"Engl\xe4nd", 1)
    assert "not UTF-8" in _bad(b"\r\n".join(lines))


def test_truncated_zip_is_a_clear_error(tmp_path):
    broken = tmp_path / "release.zip"
    data = FIXTURE_RELEASE.read_bytes()
    broken.write_bytes(data[: len(data) // 3])
    with pytest.raises(DataValidationError, match="not a readable zip"):
        Release(broken, cache=False).read(TIMELINESS)


def test_missing_file_in_release(tmp_path):
    release = make_release(tmp_path, {}, drop=(TIMELINESS,))
    with pytest.raises(DataValidationError, match="has no file 'timeliness_20_week.csv'"):
        Release(release, cache=False).read(TIMELINESS)
