"""Benchmark: load and validate the whole DfE release, against a plain pyarrow read.

Prints, in one run on the same machine:
  floor   pyarrow.csv.read_csv of every data CSV in the release (type inference, no checks)
  cold    analysis_helpers reading and validating the same files (no cache; two
          files at a time, as Release.read_many does; one at a time shown too)
  cached  the same through the parquet cache (keyed by the release's SHA-256, the package version and the reader's code)
and the ratios cold/floor (goal <= 2.0) and cached seconds (goal <= 0.3 s).
Each figure is the median of several repeats after one warm-up.

Run: make benchmark   (or .venv/bin/python benchmarks/bench_release_load.py [--repeats N])
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv

import analysis_helpers.data.release as releases
from analysis_helpers.data.provenance import default_release


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up: imports, page cache
    times = []
    for _ in range(repeats):
        tick = time.perf_counter()
        fn()
        times.append(time.perf_counter() - tick)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--release", type=Path, default=None, help="a release zip (default: the data log's newest)")
    args = parser.parse_args()
    args.release = args.release or default_release()

    names = releases.Release(args.release, cache=False).data_files()

    def floor():
        plain = releases.Release(args.release, cache=False)
        for name in names:
            pacsv.read_csv(io.BytesIO(plain.read_bytes(name)))

    def cold_sequential():
        ours = releases.Release(args.release, cache=False)
        for name in names:
            ours.read(name)

    def cold():
        releases.Release(args.release, cache=False).read_many(names)

    cache_dir = Path(tempfile.mkdtemp(prefix="send-bench-cache-"))
    original = os.environ.get("SEND_REVIEW_CACHE_DIR")
    os.environ["SEND_REVIEW_CACHE_DIR"] = str(cache_dir)
    try:
        releases.Release(args.release).read  # noqa: B018
        for name in names:  # fill the cache once
            releases.Release(args.release).read(name)

        def cached():
            releases.Release(args.release).read_many(names)

        t_floor = median_seconds(floor, args.repeats)
        t_cold = median_seconds(cold, args.repeats)
        t_sequential = median_seconds(cold_sequential, args.repeats)
        t_cached = median_seconds(cached, args.repeats)
    finally:
        if original is None:
            os.environ.pop("SEND_REVIEW_CACHE_DIR", None)
        else:
            os.environ["SEND_REVIEW_CACHE_DIR"] = original
        shutil.rmtree(cache_dir, ignore_errors=True)

    print(f"release: {args.release.name} ({len(names)} data files), median of {args.repeats} runs")
    print(f"floor  (pyarrow plain read)        {t_floor:7.3f} s")
    print(f"cold   (read + validate, no cache) {t_cold:7.3f} s   ratio cold/floor = {t_cold / t_floor:.2f}  (goal <= 2.0)")
    print(f"cold, one file at a time          {t_sequential:7.3f} s   ratio = {t_sequential / t_floor:.2f}")
    print(f"cached (parquet, checksum-keyed)   {t_cached:7.3f} s   ratio cached/floor = {t_cached / t_floor:.2f}  (goal <= 0.3 s)")


if __name__ == "__main__":
    main()
