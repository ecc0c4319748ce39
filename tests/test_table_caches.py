"""The spreadsheets' parquet caches (neighbour lists, DSG table): read back equal, read afresh for another file or code."""

import pandas as pd
import pytest

from analysis_helpers.core.paths import DSG_DEFICIT_FILE, NEIGHBOUR_FILES
from analysis_helpers.data import dsg, neighbours, parquet_cache


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_REVIEW_CACHE_DIR", str(tmp_path))
    return tmp_path


def counted(monkeypatch, module, name) -> list:
    calls, read = [], getattr(module, name)
    monkeypatch.setattr(module, name, lambda path: calls.append(path) or read(path))
    return calls


@pytest.mark.parametrize(("module", "table", "reader", "path"), [
    (neighbours, "neighbour_table", "read_neighbour_file", NEIGHBOUR_FILES["2025"]),
    (dsg, "dsg_table", "read_dsg_file", DSG_DEFICIT_FILE),
])
def test_a_workbook_is_read_once_and_its_cache_invalidated_by_file_and_code(fresh, monkeypatch, module, table, reader, path):
    calls = counted(monkeypatch, module, reader)
    build = getattr(module, table)
    first = build()
    pd.testing.assert_frame_equal(first, getattr(module, reader)(path))  # the cache holds what the workbook says
    assert [p.name for p in fresh.iterdir()] and len(calls) == 2
    # each call (each kernel) reads the parquet cache, not the workbook: nothing is kept in the process
    pd.testing.assert_frame_equal(build(), first)
    assert len(calls) == 2
    monkeypatch.setattr(parquet_cache, "PACKAGE_CODE", "0" * 16)  # the reader's code edited
    pd.testing.assert_frame_equal(build(), first)
    assert len(calls) == 3
    monkeypatch.setattr(module, "verify_raw_file", lambda p: "9" * 64)  # another file (another SHA-256)
    build()
    assert len(calls) == 4
    next(fresh.glob("9999*")).write_bytes(b"")  # damaged: read from the workbook again, never trusted
    pd.testing.assert_frame_equal(build(), first)
    assert len(calls) == 5
