"""Issue 23's backtest goal on the real releases: every LA's January 2025 caseload projected from the 2022 release
(data up to January 2022, horizon 3) by the model :func:`choose_model` picks in 2022. For all plans and for
independent special schools, 75-85% of outturns inside the 80% intervals and a mean absolute error at most 0.9 x
"same growth as last year"'s (``benchmarks/bench_caseload_backtest.py`` prints every series and model)."""

from __future__ import annotations

import pytest
from helpers import SHIPPED_RELEASE

from analysis_helpers.analysis.caseload import backtest, choose_model
from analysis_helpers.core.paths import HISTORIC_RELEASE
from analysis_helpers.data.release import Release
from analysis_helpers.domain.caseload_history import caseload_history, old_release_history, wide


@pytest.fixture(scope="module")
def histories():
    release = Release(SHIPPED_RELEASE, historic=HISTORIC_RELEASE)
    return old_release_history(release), caseload_history(release)


@pytest.mark.parametrize("series", ["total", "independent_special"])
def test_the_chosen_models_2025_projection_from_2022_is_calibrated_and_beats_same_growth(series, histories):
    known, current = histories
    counts = wide(known[known["geographic_level"] == "Local authority"], series)
    england = wide(known[known["geographic_level"] == "National"], series).iloc[0]
    assert 2022 in counts.columns and 2023 not in counts.columns  # the 2022 release alone: nothing it did not know
    outturn = wide(current[current["geographic_level"] == "Local authority"], series)[2025]
    chosen, _ = choose_model(counts, england, 2022)
    table = backtest(counts, england, outturn, 2022, 3).set_index("model")
    row = table.loc[chosen]
    assert row["areas"] >= 140, table
    assert 75 <= row["coverage80_pct"] <= 85, table
    assert row["mae_ratio"] <= 0.9, table
