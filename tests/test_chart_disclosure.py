"""Charts never draw what disclosure control hides, whatever the caller passes."""

import pandas as pd

from analysis_helpers.reporting import council_charts


def test_local_series_chart_leaves_out_small_bases_and_small_counts():
    rows = pd.DataFrame({"unit": ["pct"] * 3, "period": ["2023-09", "2023-10", "2023-11"],
                         "period_end": pd.to_datetime(["2023-09-30", "2023-10-31", "2023-11-30"]),
                         "value": [20.0, 31.0, 100 * 2 / 7], "numerator": [40.0, 62.0, 2.0], "denominator": [200.0, 200.0, 7.0]})
    fig = council_charts.local_series_chart(rows, title="t", ylabel="Plans (%)", source="KCC")
    drawn = [float(y) for line in fig.axes[0].lines for y in line.get_ydata()]
    assert drawn == [20.0, 31.0]
    counts = pd.DataFrame({"unit": ["count"] * 2, "period": ["2023-09", "2023-10"],
                           "period_end": pd.to_datetime(["2023-09-30", "2023-10-31"]),
                           "value": [12.0, 3.0], "numerator": [None, None], "denominator": [None, None]})
    fig = council_charts.local_series_chart(counts, title="t", ylabel="Vacancies", source="KCC")
    assert [float(y) for line in fig.axes[0].lines for y in line.get_ydata()] == [12.0]


def test_a_chart_with_nothing_labelled_draws_no_legend_and_warns_nothing(recwarn):
    empty = pd.DataFrame({"unit": ["count"], "period": ["2023-10"], "period_end": pd.to_datetime(["2023-10-31"]),
                          "value": [3.0], "numerator": [None], "denominator": [None]})
    fig = council_charts.local_series_chart(empty, title="t", ylabel="Vacancies", source="KCC")  # the only point is suppressed
    assert fig.axes[0].get_legend() is None
    assert [str(w.message) for w in recwarn] == []
