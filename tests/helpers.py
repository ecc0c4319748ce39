"""Shared fixtures. Expected values in tests are worked out from the raw rows
with the standard library's csv module, independently of the package."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from analysis_helpers.core.paths import DEFAULT_RELEASE, HISTORIC_RELEASE

RELEASE_MEMBER = "data/{name}"


def raw_rows(name: str, release: Path = DEFAULT_RELEASE) -> list[dict[str, str]]:
    """Rows of one release CSV exactly as published (strings), read with csv."""
    with zipfile.ZipFile(release) as archive:
        member = next(m for m in archive.namelist() if m.endswith("/" + name))
        text = archive.read(member).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def raw_bytes(name: str, release: Path = DEFAULT_RELEASE) -> bytes:
    with zipfile.ZipFile(release) as archive:
        member = next(m for m in archive.namelist() if m.endswith("/" + name))
        return archive.read(member)


def make_release(tmp_path: Path, replace: dict[str, bytes], drop: tuple[str, ...] = (), name: str = "release.zip") -> Path:
    """A copy of the embedded release zip with some members replaced or dropped."""
    target = tmp_path / name
    with zipfile.ZipFile(DEFAULT_RELEASE) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            base = item.filename.rsplit("/", 1)[-1]
            if base in drop:
                continue
            out.writestr(item.filename, replace.get(base, source.read(item.filename)))
    return target


@pytest.fixture
def release_copy(tmp_path) -> Path:
    target = tmp_path / DEFAULT_RELEASE.name
    shutil.copyfile(DEFAULT_RELEASE, target)
    return target


@pytest.fixture(scope="session")
def historic_release() -> Path:
    return HISTORIC_RELEASE
