"""The house rules for charts, checked by drawing them as a report does (figure_html's PNG):
no label cut off, one time axis (dates) for every time series, counts in whole numbers."""

import datetime as dt
import io

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis_helpers.analysis.spc import xmr
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.reporting import charts, council_charts, funnel_charts

#: The longest measure label in the registry ends "...within 20 weeks, exceptions included (%)": it was cut.
LONG_LABEL = "Percentage of EHC plans issued within 20 weeks, exceptions included (%)"
PCT = "ehcp_issued_within_20_weeks_excl_exceptions_pct"


@pytest.fixture(scope="module")
def series(release):
    return kpis_for(["Kent", "England", "South East"], [PCT], release=release)


def _monthly(values, unit="pct"):
    ends = pd.date_range("2023-01-31", periods=len(values), freq="ME")
    return pd.DataFrame({"period": ends.strftime("%Y-%m"), "period_end": ends, "value": values, "unit": unit, "kind": "outturn",
                         "suppressed": False})


def _projection():
    return pd.DataFrame({"period": ["2025", "2026"],
                         "period_end": pd.to_datetime(["2025-12-31", "2026-12-31"]), "value_projected": [35.0, 37.0],
                         "pi80_low": [30.0, 31], "pi80_high": [40.0, 43], "pi95_low": [27.0, 28], "pi95_high": [43.0, 46]})


def _time_series_charts(series):
    """Every chart that draws a series over time, with the longest labels the reports use."""
    kent = series[series["area_name"] == "Kent"]
    required = pd.DataFrame({"date": pd.to_datetime(["2024-07-01", "2026-07-01"]), "required": [33.0, 60.0]})
    points = xmr([12, 8, 12, 8, 12, 8, 12, 8, 12, 8, 10, 30]).points
    return {
        "trend_chart": charts.trend_chart(series, title="Kent below England", ylabel=LONG_LABEL, source="DfE", highlight="Kent",
                                          break_between=("2022", "2023")),
        "trajectory_chart": charts.trajectory_chart(kent, _projection(), required, target=60, target_label="Target 60", title="t",
                                                    ylabel=LONG_LABEL, source="DfE", model_label="Random walk without drift"),
        "xmr_chart": council_charts.xmr_chart(points, [f"2024-{m:02d}" for m in range(1, 13)], title="t",
                                              ylabel=LONG_LABEL, source="s", target=12),
        "local_series_chart": council_charts.local_series_chart(_monthly([40.0, 42, 45, 47, 50, 52]), title="t",
                                                                ylabel=LONG_LABEL, source="KCC"),
    }


def _drawn(fig):
    """The figure laid out and drawn exactly as figure_html draws it (constrained layout, 100 dpi)."""
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    return fig.canvas.get_renderer()


def _outside(fig, text, renderer) -> bool:
    if not text.get_text():
        return False
    box, page = text.get_window_extent(renderer), fig.bbox
    return box.x0 < page.x0 - 0.5 or box.y0 < page.y0 - 0.5 or box.x1 > page.x1 + 0.5 or box.y1 > page.y1 + 0.5


def test_no_axis_label_or_title_is_cut_off(series, release):
    from analysis_helpers.analysis.compare import la_values

    drawn = _time_series_charts(series)
    drawn["funnel_plot"] = funnel_charts.funnel_plot(la_values(PCT, "2024", release), centre=46.4,
                                              centre_label="England 46.4%", highlight="Kent",
                                              title="Kent in 2024: below the 99.8% limit around England", ylabel=LONG_LABEL, source="DfE")
    cut = []
    for name, fig in drawn.items():
        renderer = _drawn(fig)
        ax = fig.axes[0]
        cut += [f"{name}: {part}" for part, text in (("y label", ax.yaxis.label), ("x label", ax.xaxis.label), ("title", ax.title))
                if _outside(fig, text, renderer)]
        plt.close(fig)
    assert not cut, f"labels cut off at the figure's edge: {cut}"


def test_a_long_label_keeps_every_word():
    wrapped = charts.wrap_label(LONG_LABEL, 3.0)
    assert "\n" in wrapped and wrapped.replace("\n", " ") == LONG_LABEL


def test_every_time_series_is_drawn_on_a_date_axis(series):
    for name, fig in _time_series_charts(series).items():
        _drawn(fig)
        converter = fig.axes[0].xaxis.get_converter()
        assert isinstance(converter, mdates.DateConverter | mdates._SwitchableDateConverter), (
            f"{name} has a {type(converter).__name__} x axis")
        plt.close(fig)


def test_year_periods_keep_dfe_labels_as_ticks_at_mid_year(series):
    fig = charts.trend_chart(series, title="t", ylabel="%", source="DfE")
    _drawn(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2019", "2020", "2021", "2022", "2023", "2024"]
    assert mdates.num2date(ax.get_xticks()[-1]).date() == dt.date(2024, 7, 1)  # where the trajectory chart puts 2024 too
    plt.close(fig)


def test_count_axes_show_whole_numbers_with_thousands_separators(series):
    counts = series[series["area_name"] == "Kent"].assign(value=[19405.0, 19406, 19407, 19408, 19409,
                                                                 19410][: (series["area_name"] == "Kent").sum()],
                                                           unit="count", ci_low=float("nan"), ci_high=float("nan"))
    drawn = {
        "trend_chart": charts.trend_chart(counts, title="t", ylabel="EHC plans (number)", source="DfE"),
        "local_series_chart": council_charts.local_series_chart(_monthly([19405.0, 19406, 19407, 19408, 19409, 19410], unit="count"),
                                                        title="t", ylabel="Vacancies (posts)", source="KCC"),
    }
    for name, fig in drawn.items():
        _drawn(fig)
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
        offset = fig.axes[0].yaxis.get_offset_text().get_text()
        assert labels and all("." not in label and label.replace(",", "").lstrip("−-").isdigit() for label in labels), f"{name}: {labels}"
        assert any("," in label for label in labels) and not offset, f"{name}: {labels} {offset!r}"
        plt.close(fig)


def test_percentage_axes_are_not_forced_to_whole_numbers(series):
    fig = charts.trend_chart(series, title="t", ylabel="Plans (%)", source="DfE")
    _drawn(fig)
    assert not isinstance(fig.axes[0].yaxis.get_major_formatter(), charts.FuncFormatter)
    plt.close(fig)
