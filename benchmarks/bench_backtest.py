"""Benchmark: the backtest, i.e. projecting every LA's next year with every model.

Prints the wall-clock time (goal: under 60 s on the 2-core machine), the
overall coverage and MAE of each model, and the model the backtest chooses,
checked against the package's DEFAULT_MODEL.

Run: .venv/bin/python benchmarks/bench_backtest.py
"""

from __future__ import annotations

import time

from analysis_helpers.analysis.backtest import backtest, choose_default
from analysis_helpers.analysis.outlook import DEFAULT_MODEL


def main() -> None:
    tick = time.perf_counter()
    table = backtest()
    seconds = time.perf_counter() - tick
    overall = table[table["year"] == "overall"]
    print(f"backtest: {int(overall['n'].iloc[0])} forecasts per model x {len(overall)} models in {seconds:.1f} s (goal < 60 s)")
    for row in overall.itertuples():
        print(f"  {row.model:15s} coverage80 {row.coverage_80:5.1f}  coverage95 {row.coverage_95:5.1f}  MAE {row.mae:5.2f}  naive {row.mae_naive:5.2f}")
    chosen = choose_default(table)
    print(f"chosen default: {chosen}; package DEFAULT_MODEL: {DEFAULT_MODEL} -> {'agree' if chosen == DEFAULT_MODEL else 'UPDATE DEFAULT_MODEL'}")


if __name__ == "__main__":
    main()
