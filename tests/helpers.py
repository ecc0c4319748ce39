"""Shared test helpers. Expected values in tests are worked out from the raw rows
with the standard library's csv module, independently of the package.

Unit tests run on the fixture releases in ``tests/fixtures/`` (the real DfE
rows for England, the regions and 15 LAs; see its README.md); end-to-end tests
(``tests/e2e/`` and tests marked so) on the real releases in ``data/raw/``.
"""

from __future__ import annotations

import csv
import functools
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from frozen import (  # noqa: F401  (tests import them from here)
    DATA_LOG,
    FEEDS_DIR,
    KENT_FEED,
    MEASURES_FILE,
    SHIPPED_RELEASE,
    TARGETS,
)

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import HISTORIC_RELEASE
from analysis_helpers.data.release import Release

FIXTURES_DIR = Path(__file__).parent / "fixtures"
#: The checksum list the fixtures are verified against (registered by conftest.py).
FIXTURE_LIST = FIXTURES_DIR / "README.md"
#: Cut from data/raw/education-health-and-care-plans_2025.zip (all data files).
FIXTURE_RELEASE = FIXTURES_DIR / "education-health-and-care-plans_2025_fixture.zip"
#: Cut from data/raw/education-health-and-care-plans_2022.zip (sen2_mi.csv).
FIXTURE_HISTORIC = FIXTURES_DIR / "education-health-and-care-plans_2022_fixture.zip"
#: The LAs in the fixtures (old LA number -> name as DfE publishes it).
FIXTURE_LAS = {
    "886": "Kent", "887": "Medway", "881": "Essex", "845": "East Sussex", "420": "Isles of Scilly",
    "201": "City of London", "801": "Bristol, City of", "825": "Buckinghamshire", "928": "Northamptonshire",
    "941": "West Northamptonshire", "909": "Cumbria", "942": "Cumberland", "856": "Leicester",
    "342": "St. Helens", "810": "Kingston upon Hull, City of",
}
RELEASE_MEMBER = "data/{name}"


@functools.cache
def fixture_release(historic: Path = HISTORIC_RELEASE) -> Release:
    """The fixture release, opened once a test process, with its 2014-2018 history from ``historic`` (default: the
    real 2022 release; :data:`FIXTURE_HISTORIC` for tests whose outlooks use the fixture's history)."""
    return Release(FIXTURE_RELEASE, historic=historic)


@functools.cache
def fixture_historic() -> Release:
    """The fixture of the 2022 (old-schema) release."""
    return Release(FIXTURE_HISTORIC, historic=None)


def raw_rows(name: str, release: Path = FIXTURE_RELEASE) -> list[dict[str, str]]:
    """Rows of one release CSV exactly as published (strings), read with csv."""
    with zipfile.ZipFile(release) as archive:
        member = next(m for m in archive.namelist() if m.endswith("/" + name))
        text = archive.read(member).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def raw_bytes(name: str, release: Path = FIXTURE_RELEASE) -> bytes:
    with zipfile.ZipFile(release) as archive:
        member = next(m for m in archive.namelist() if m.endswith("/" + name))
        return archive.read(member)


def make_release(
    tmp_path: Path, replace: dict[str, bytes], drop: tuple[str, ...] = (), name: str = "release.zip", source: Path = FIXTURE_RELEASE
) -> Path:
    """A copy of a release zip (default: the fixture) with some members replaced or dropped."""
    target = tmp_path / name
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in archive.infolist():
            base = item.filename.rsplit("/", 1)[-1]
            if base in drop:
                continue
            out.writestr(item.filename, replace.get(base, archive.read(item.filename)))
    return target


#: The latest period of each kind in the 2025 release, and the one after it.
NEXT_PERIOD = {b"2024": b"2025", b"202425": b"202526"}


def grow_release(source: Path, target: Path) -> Path:
    """A copy of a release with one more year: every row of its latest period
    (2024, or 202425 for academic years) copied as the next (2025, 202526),
    ``time_period`` (the first column) being the only field changed."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in archive.infolist():
            data = archive.read(item.filename)
            if item.filename.endswith(".csv") and item.filename.startswith("data/"):
                lines = data.splitlines(keepends=True)
                assert lines[0].lstrip(b"\xef\xbb\xbf").startswith(b"time_period,"), item.filename
                copies = [NEXT_PERIOD[line.split(b",", 1)[0]] + b"," + line.split(b",", 1)[1]
                          for line in lines[1:] if line.split(b",", 1)[0] in NEXT_PERIOD]
                assert copies, f"{item.filename}: no 2024 or 202425 rows to copy"
                data = b"".join([*lines, *copies])
            out.writestr(item.filename, data)
    return target


@pytest.fixture
def release_copy(tmp_path) -> Path:
    """A copy of the real release, outside data/raw (end-to-end tests)."""
    target = tmp_path / SHIPPED_RELEASE.name
    shutil.copyfile(SHIPPED_RELEASE, target)
    return target


@pytest.fixture(scope="session")
def historic_release() -> Path:
    return HISTORIC_RELEASE


@pytest.fixture(scope="session")
def release() -> Release:
    """The fixture release, for unit tests."""
    return fixture_release()


@pytest.fixture(scope="session")
def historic() -> Release:
    """The fixture of the 2022 release, for unit tests."""
    return fixture_historic()


@pytest.fixture(scope="session")
def release_fixture_history() -> Release:
    """The fixture release opened with the fixture of the 2022 release beside it, for tests whose outlooks must
    read 2014-2018 from the fixture too (``release`` reads them from the real 2022 release)."""
    return fixture_release(FIXTURE_HISTORIC)


def refusal(call, *args) -> str:
    """The message of the DataValidationError ``call(*args)`` raises, checked to be one line."""
    with pytest.raises(DataValidationError) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message
    return message


def one(table, area, measure, period):
    """The single KPI row for an area, measure and period (fails unless there is exactly one)."""
    rows = table[(table["area_name"] == area) & (table["measure"] == measure) & (table["period"] == period)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def check_against_published(table, release: Path = FIXTURE_RELEASE) -> int:
    """Compare our excl.-exceptions timeliness with DfE's published percentage, row by row; the number checked.

    Each of our values must be within 0.05 points of DfE's one-decimal figure;
    DfE's ``x``, ``z`` and blanks are skipped.
    """
    rows = {(r["la_name"] or r["region_name"] or r["country_name"], r["time_period"]): r
            for r in raw_rows("timeliness_20_week.csv", release) if r["breakdown_topic"] == "All EHC plans issued"}
    ours = table[table["measure"] == "ehcp_issued_within_20_weeks_excl_exceptions_pct"].dropna(subset=["value"])
    checked = 0
    for name, period, value in zip(ours["area_name"], ours["period"], ours["value"], strict=True):
        published = rows[(name, period)]["PC_plans_issued_20_weeks_ex"]
        if published not in ("x", "z", ""):
            assert abs(value - float(published)) <= 0.05 + 1e-9, (name, period, value, published)
            checked += 1
    return checked
