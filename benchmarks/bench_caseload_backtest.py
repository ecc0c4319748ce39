"""Benchmark: the all-LA caseload backtest of issue 23 (the money).

Each caseload model projects every LA's January 2025 count from the 2022 release alone (data up to January 2022,
as DfE published it then; horizon 3), with intervals calibrated on what was known in 2022, and is scored against
the January 2025 census in the current release. Printed for all plans and for each placement type: LAs scored,
80% and 95% coverage, mean 80% interval score, mean absolute error, and that error over "same growth as last
year"'s on the same LAs. Goal (issue 23): for all plans and independent special, the chosen model holds 75-85%
of outturns inside its 80% intervals with an error at most 0.9 x same growth's.

Run: .venv/bin/python benchmarks/bench_caseload_backtest.py
"""

from __future__ import annotations

import pandas as pd

from analysis_helpers.analysis.caseload import backtest, choose_model
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.caseload_history import SERIES, caseload_history, old_release_history, wide

ORIGIN, HORIZON = 2022, 3


def main() -> None:
    release = open_release()
    known, current = old_release_history(release), caseload_history(release)
    rows = []
    for series in SERIES:
        counts, england = _split(known, series)
        outturn = wide(current[current["geographic_level"] == "Local authority"], series)[ORIGIN + HORIZON]
        chosen, _ = choose_model(counts, england, ORIGIN)
        table = backtest(counts, england, outturn, ORIGIN, HORIZON)
        rows.append(table.assign(series=series, chosen=table["model"] == chosen))
    table = pd.concat(rows, ignore_index=True)
    pd.set_option("display.width", 200)
    print(f"January {ORIGIN + HORIZON} projected from the 2022 release (data to January {ORIGIN}, horizon {HORIZON}):")
    print(table[["series", "model", "chosen", "areas", "coverage80_pct", "coverage95_pct", "interval_score80", "mae",
                 "naive_mae", "mae_ratio"]].round(2).to_string(index=False))


def _split(history: pd.DataFrame, series: str) -> tuple[pd.DataFrame, pd.Series]:
    las = wide(history[history["geographic_level"] == "Local authority"], series)
    england = wide(history[history["geographic_level"] == "National"], series).iloc[0]
    return las, england


if __name__ == "__main__":
    main()
