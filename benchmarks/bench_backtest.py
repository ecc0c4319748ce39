"""Benchmark: the whole backtest (every model, timeliness measure, horizon and LA), and issue 12's goals as ratios.

Prints the wall-clock time of the first run (into an empty cache folder; goal: at
most 60 s on the 2-core machine) and of a second, cached one; for the 20-week
measure excluding exceptions one year ahead, every model's scores with its MAE
relative to "same as last year", its 80% interval score relative to
``rw_logit`` in the same run and which of issue 12's goals it meets; the default the data choose, against issue 12's
goals; and the independent check of 2024 (every LA projected from its years up
to 2023 by that default, scored against the published 2024 figures; the test
``tests/e2e/test_independent_check.py`` repeats it on a release cut at 2023);
and the nowcast of DfE's years from Kent's council months (issue 12, family e).

Run: .venv/bin/python benchmarks/bench_backtest.py
"""

from __future__ import annotations

import os
import tempfile
import time

import pandas as pd

from analysis_helpers.analysis.backtest import cached_backtests, choose_default, forecasts, summarise
from analysis_helpers.analysis.nowcast import nowcast_evidence
from analysis_helpers.core.paths import CACHE_ENV
from analysis_helpers.data.release import open_release

HEADLINE = "ehcp_issued_within_20_weeks_excl_exceptions_pct"
RW_2024_WINKLER = 73.9  # issue 12: rw_logit's mean 80% interval score projecting 2024 from a release cut at 2023


def main() -> None:
    release = open_release()  # the default release, with the 2022 release's history beside it
    with tempfile.TemporaryDirectory() as cache:
        os.environ[CACHE_ENV] = cache
        tick = time.perf_counter()
        tables = cached_backtests(release=release)
        first = time.perf_counter() - tick
        tick = time.perf_counter()
        cached_backtests(release=release)
        second = time.perf_counter() - tick
    n = sum(int(t[t["year"] == "overall"]["n"].sum()) for t in tables.values())
    print(f"whole backtest: {len(tables)} measures, {n} scored forecasts, first run {first:.1f} s (goal <= 60 s: "
          f"{'met' if first <= 60 else 'NOT met'}), cached {second:.2f} s")
    table = tables[HEADLINE]
    one = table[(table["year"] == "overall") & (table["horizon"] == 1)].set_index("model")
    rw = one.loc["rw_logit", "winkler_80"]
    print(f"\n{HEADLINE}, one year ahead, 2020-2024 ({int(one['n'].iloc[0])} forecasts a model):")
    print(f"  {'model':27s} {'cov80':>6s} {'cov95':>6s} {'width80':>8s} {'Winkler80':>9s} {'MAE':>6s} {'MAE/naive':>9s} "
          f"{'W80/rw_logit':>12s}  goals met (coverage, MAE, Winkler)")
    for model, row in one.iterrows():
        met = (abs(row.coverage_80 - 80) <= 5 and abs(row.coverage_95 - 95) <= 5, row.mae_rel_naive <= 0.95, row.winkler_80 <= 0.85 * rw)
        print(f"  {model:27s} {row.coverage_80:6.1f} {row.coverage_95:6.1f} {row.width_80:8.1f} {row.winkler_80:9.1f} {row.mae:6.2f} "
              f"{row.mae_rel_naive:9.3f} {row.winkler_80 / rw:12.3f}  {' '.join('yes' if m else 'no' for m in met)}")
    chosen = choose_default(table)
    row = one.loc[chosen]
    goals = {
        "80% coverage within 5 points of 80": abs(row.coverage_80 - 80) <= 5,
        "95% coverage within 5 points of 95": abs(row.coverage_95 - 95) <= 5,
        "MAE <= 0.95 x naive": row.mae_rel_naive <= 0.95,
        "80% interval score <= 0.85 x rw_logit's": row.winkler_80 <= 0.85 * rw,
    }
    print(f"\ndefault chosen by the data: {chosen}; naive MAE {row.mae_naive:.2f}, rw_logit Winkler80 {rw:.1f}")
    for goal, met in goals.items():
        print(f"  {goal}: {'met' if met else 'NOT met'}")
    check = summarise(forecasts(HEADLINE, models=(chosen, "rw_logit"), years=("2024",), release=release)).set_index(["model", "year"])
    mine, base = check.loc[(chosen, "overall")], check.loc[("rw_logit", "overall")]
    print(f"\nindependent check, 2024 from years up to 2023 ({int(mine.n)} LAs): {chosen} 80% coverage {mine.coverage_80 / 100:.2f} "
          f"(goal 0.65-0.95: {'met' if 65 <= mine.coverage_80 <= 95 else 'NOT met'}), Winkler80 {mine.winkler_80:.1f} "
          f"(goal <= 0.85 x {RW_2024_WINKLER} = {0.85 * RW_2024_WINKLER:.1f}: "
          f"{'met' if mine.winkler_80 <= 0.85 * RW_2024_WINKLER else 'NOT met'}; "
          f"ratio to rw_logit's {base.winkler_80:.1f} in this run {mine.winkler_80 / base.winkler_80:.3f}), "
          f"MAE/naive {mine.mae_rel_naive:.3f}")
    evidence = nowcast_evidence("E10000016", "kent", chosen, release=release)
    print(f"\nnowcast from Kent's council months (data/local/kent.csv) of DfE's figure exceptions included, {chosen} "
          "(no basis margin; two years, one or two months each: no evidence either way):")
    for r in evidence.itertuples():
        print(f"  {r.year}: months {r.months}; forecast {r.forecast:.1f}, nowcast {r.nowcast:.1f}, DfE {r.dfe:.1f} "
              f"(errors {r.error_forecast:+.1f} and {r.error_nowcast:+.1f} points)")
    pd.set_option("display.width", 200)


if __name__ == "__main__":
    main()
