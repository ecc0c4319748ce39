"""Cut the unit tests' fixture releases from the real DfE release zips.

The fixtures are the real published rows, filtered: England, the nine regions
and a handful of local authorities (chosen for what the tests need: Kent and
its neighbours in the south east, the smallest LAs, an LA published under two
codes, LAs reorganised in 2021 and 2023, an LA with a missing year, and names
with punctuation). Every data file the code reads is kept with its header and
its rows byte for byte (the same line endings and byte-order mark); only rows
for other LAs are left out. The SEND Tribunal appeal-rate table (a supporting
file the code reads) is copied whole: it is small, and its England row is the
sum of all its LA rows, which the reader checks. The other supporting files and
the data guidance, which the code never reads, are not copied.

The zips are written reproducibly (members in the original order, the
original member dates, deflate at level 9), so running the script again gives
the same bytes and the SHA-256 recorded in ``tests/fixtures/README.md``.

Run from the project root: ``.venv/bin/python -m tools.cut_fixture_release``
(add ``--check`` to verify the stored fixtures instead of writing them).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import tempfile
import zipfile
from pathlib import Path

from analysis_helpers.core.paths import PROJECT_ROOT, RAW_DIR

FIXTURES_DIR = PROJECT_ROOT / "tests" / "fixtures"

#: Old LA number -> name (as DfE publishes it), and why each is in the fixture.
LOCAL_AUTHORITIES = {
    "886": "Kent",  # the default area
    "887": "Medway",  # Kent's neighbour, same region
    "881": "Essex",  # Kent's first statistical neighbour
    "845": "East Sussex",  # Kent's second statistical neighbour
    "420": "Isles of Scilly",  # smallest LA: small counts, suppression
    "201": "City of London",  # smallest London LA
    "801": "Bristol, City of",  # another region; a name with a comma
    "825": "Buckinghamshire",  # published under two GSS codes
    "928": "Northamptonshire",  # abolished 2021
    "941": "West Northamptonshire",  # created 2021
    "909": "Cumbria",  # abolished 2023
    "942": "Cumberland",  # created 2023
    "856": "Leicester",  # no 2023 timeliness row
    "342": "St. Helens",  # a full stop in the name
    "810": "Kingston upon Hull, City of",  # a long name with a comma
}
KEPT_LEVELS = ("National", "Regional")

#: Members copied whole, byte for byte (not EES files: no rows to filter).
COPIED_WHOLE = ("supporting-files/SEND Tribunals and appeal rate 2014-2024.csv",)

#: Source release -> (fixture file name, members to keep).
RELEASES = {
    "education-health-and-care-plans_2025.zip": ("education-health-and-care-plans_2025_fixture.zip", None),
    "education-health-and-care-plans_2022.zip": ("education-health-and-care-plans_2022_fixture.zip",
                                                 ("data/sen2_mi.csv", "data/sen2_estab_caseload.csv")),
}


def filter_csv(raw: bytes, keep_las: frozenset[str] = frozenset(LOCAL_AUTHORITIES)) -> bytes:
    """The header and the rows to keep, each line exactly as in ``raw``."""
    lines = raw.splitlines(keepends=True)
    header = next(csv.reader([lines[0].decode("utf-8-sig")]))
    level, la = header.index("geographic_level"), header.index("old_la_code")
    kept = [lines[0]]
    for line in lines[1:]:
        fields = next(csv.reader([line.decode("utf-8")]))
        if len(fields) != len(header):
            raise ValueError(f"a row with {len(fields)} fields where the header has {len(header)}: {line[:60]!r}")
        if fields[level] in KEPT_LEVELS or (fields[level] == "Local authority" and fields[la] in keep_las):
            kept.append(line)
    return b"".join(kept)


def cut(source: Path, target: Path, members: tuple[str, ...] | None) -> None:
    """Write the fixture zip for one release."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as out:
        for item in archive.infolist():
            whole = item.filename in COPIED_WHOLE and not members
            wanted = item.filename in members if members else item.filename.startswith("data/") and item.filename.endswith(".csv")
            if not (wanted or whole):
                continue
            info = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            data = archive.read(item.filename)
            out.writestr(info, data if whole else filter_csv(data), compresslevel=9)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="cut into a temporary folder and compare with the stored fixtures")
    parser.add_argument("--out", type=Path, default=FIXTURES_DIR)
    args = parser.parse_args(argv)
    out = args.out
    if args.check:
        out = Path(tempfile.mkdtemp(prefix="fixture-check-"))
    out.mkdir(parents=True, exist_ok=True)
    status = 0
    for source, (name, members) in RELEASES.items():
        cut(RAW_DIR / source, out / name, members)
        line = f"{name}  {sha256(out / name)}  {(out / name).stat().st_size:,} bytes"
        if args.check:
            same = (FIXTURES_DIR / name).exists() and sha256(FIXTURES_DIR / name) == sha256(out / name)
            line += "  same as stored" if same else "  DIFFERS from the stored fixture"
            status |= not same
        print(line)
    return status


if __name__ == "__main__":
    sys.exit(main())
