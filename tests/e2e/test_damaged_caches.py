"""A review run on damaged caches writes the clean run's numbers and says what it rebuilt (issue 24).

Two runs of ``send-review run`` for Kent, 2025-Q3, each a process of its own (as a scheduled run is): one on
a sound cache folder, one on a copy of it in which four caches are damaged four ways (a bit flipped in the KPI
table, the headline backtest cut to half, a panel fit emptied, a parsed release file replaced by a sound
parquet of another shape with its own checksum). Before issue 24 the bit flip printed Kent's 2024 figure as
"32.3% (1,568 of 2,424)" with exit 0, and the half backtest chose another model (25% for 22%).
"""

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis_helpers.core.paths import PROJECT_ROOT
from analysis_helpers.data import parquet_cache

SEND_REVIEW = Path(sys.executable).with_name("send-review")


def review(out: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SEND_REVIEW_CACHE_DIR": str(cache)}
    return subprocess.run([str(SEND_REVIEW), "run", "--area", "Kent", "--quarter", "2025-Q3", "--no-pdf", "--out", str(out)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)


def one(folder: Path, used: list[str], pattern: str) -> Path:
    """The cache the clean run used (its manifest's list) whose name matches ``pattern``: the session's folder also
    holds the fixture release's caches of the same kinds."""
    found = sorted(name for name in used if fnmatch.fnmatch(name, pattern))
    assert found, pattern
    return folder / found[0]


@pytest.fixture(scope="module")
def clean_and_damaged(tmp_path_factory, test_cache_dir):
    root = tmp_path_factory.mktemp("damaged-caches")
    cache = test_cache_dir  # the session's caches (warm once another end-to-end test has run): a cold build takes minutes
    clean = review(root / "clean", cache)
    assert clean.returncode == 0, clean.stderr
    damaged_cache = root / "damaged-cache"
    shutil.copytree(cache, damaged_cache, ignore=shutil.ignore_patterns("*.tmp"))
    used = [c["cache"] for c in json.loads((root / "clean" / "2025-Q3" / "kent" / "manifest.json").read_text())["caches"]]
    kpis = one(damaged_cache, used, "*-kpis-*kpi_table.parquet")
    data = bytearray(kpis.read_bytes())
    data[len(data) // 2] ^= 0x10
    kpis.write_bytes(bytes(data))
    backtest = one(damaged_cache, used, "*-backtest-*-ehcp_issued_within_20_weeks_excl_exceptions_pct.csv")
    backtest.write_bytes(backtest.read_bytes()[: backtest.stat().st_size // 2])
    one(damaged_cache, used, "*-panel-*fit.json").write_bytes(b"")
    parsed = one(damaged_cache, used, "*-schema-*timeliness_20_week.csv.parquet")
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"time_period": ["2024"], "plans_issued_den": [1.0]}), sink)
    parquet_cache.write_verified(parsed, sink.getvalue().to_pybytes())
    damaged = review(root / "damaged", damaged_cache)
    return root, clean, damaged


def test_damaged_caches_give_the_clean_runs_headline_and_review_text(clean_and_damaged):
    root, clean, damaged = clean_and_damaged
    assert damaged.returncode == 0, damaged.stderr
    clean_dir, damaged_dir = root / "clean" / "2025-Q3" / "kent", root / "damaged" / "2025-Q3" / "kent"
    assert json.loads((damaged_dir / "headline.json").read_text()) == json.loads((clean_dir / "headline.json").read_text())
    for page in ("index.html", "01_baselines.html", "02_trajectories.html", "04_high_needs.html"):
        assert (damaged_dir / page).read_text() == (clean_dir / page).read_text(), page
    assert "32.3% (784 of 2,424" in (damaged_dir / "index.html").read_text()  # Kent 2024, from the raw rows


def test_each_rebuild_is_one_line_in_run_log_and_the_manifest_lists_every_cache(clean_and_damaged):
    root, clean, damaged = clean_and_damaged
    log = (root / "damaged" / "2025-Q3" / "kent" / "run.log").read_text()
    rebuilt = [line for line in log.splitlines() if " rebuilt: " in line]
    assert len(rebuilt) == 4, rebuilt
    assert any("kpi_table.parquet rebuilt: checksum mismatch" in line for line in rebuilt)
    assert any("excl_exceptions_pct.csv rebuilt: " in line for line in rebuilt)
    assert any("fit.json rebuilt: 0 bytes where" in line for line in rebuilt)
    assert any("timeliness_20_week.csv.parquet rebuilt: " in line for line in rebuilt)
    manifest = json.loads((root / "damaged" / "2025-Q3" / "kent" / "manifest.json").read_text())
    events = {c["cache"]: c["event"] for c in manifest["caches"]}
    assert sum(e.startswith("rebuilt") for e in events.values()) == 4
    for entry in manifest["caches"]:  # each checksum is the file's as it now stands
        assert parquet_cache.read_verified(root / "damaged-cache" / entry["cache"])[0] is not None
        assert len(entry["sha256"]) == 64
    clean_manifest = json.loads((root / "clean" / "2025-Q3" / "kent" / "manifest.json").read_text())
    assert {c["event"] for c in clean_manifest["caches"]} <= {"built", "read"}  # nothing was damaged
    assert {c["cache"] for c in clean_manifest["caches"]} == set(events)  # the same caches, each listed once
