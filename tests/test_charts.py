import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis_helpers import charts
from analysis_helpers.kpis import kpis_for


@pytest.fixture(scope="module")
def series():
    return kpis_for(["Kent", "England", "South East"], ["ehcp_issued_within_20_weeks_excl_exceptions_pct"])


def test_trend_chart_draws_one_line_per_area_with_bands_target_and_break(series):
    fig = charts.trend_chart(
        series, title="Kent below England", ylabel="Plans within 20 weeks (%)", source="DfE", highlight="Kent",
        target=80, target_label="APP target 80%", break_between=("2022", "2023"),
    )
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["Kent", "England", "South East", "APP target 80%"]
    assert len(ax.collections) == 3  # one 95% band per area
    assert ax.get_title(loc="left") == "Kent below England" and ax.get_ylabel() == "Plans within 20 weeks (%)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2019", "2020", "2021", "2022", "2023", "2024"]
    assert any(t.get_text() == "Source: DfE" for t in fig.texts)
    assert any(t.get_text() == "Series break" for t in ax.texts)
    kent = ax.get_lines()[0]
    assert kent.get_color() == charts.PALETTE[0] and round(kent.get_ydata()[-1], 1) == 33.3
    plt.close(fig)


def test_bar_comparison_highlights_the_area():
    data = pd.DataFrame({"label": ["A", "Kent", "B"], "value": [50.0, 20.0, 70.0], "ci_low": [45, 15, 65], "ci_high": [55, 25, 75]})
    fig = charts.bar_comparison(data, title="t", xlabel="Plans (%)", source="DfE", highlight="Kent", reference=46.4, reference_label="England")
    bars = fig.axes[0].patches
    assert len(bars) == 3
    colours = [charts.matplotlib.colors.to_hex(b.get_facecolor()) for b in bars]
    assert colours.count(charts.HIGHLIGHT.lower()) == 1
    plt.close(fig)


def test_figure_html_embeds_png_with_alt_text(series):
    fig = charts.trend_chart(series, title="t", ylabel="y", source="s")
    html = charts.figure_html(fig, alt='Kent "rose"')
    assert html.startswith('<figure class="send-chart"><img src="data:image/png;base64,')
    assert 'alt="Kent &quot;rose&quot;"' in html


def test_funnel_plot_draws_limits_centre_and_highlight():
    from analysis_helpers.compare import la_values

    las = la_values("ehcp_issued_within_20_weeks_excl_exceptions_pct", "2024")
    fig = charts.funnel_plot(las, centre=46.4, centre_label="England 46.4%", highlight="Kent", title="t", ylabel="%", source="DfE")
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["95% limits", "99.8% limits", "England 46.4%"]
    assert len(ax.get_lines()) == 5  # two limits each side + centre
    points = ax.collections
    assert [c.get_label() for c in points] == ["Other local authorities", "Kent"]
    assert len(points[0].get_offsets()) == len(las) - 1
    kent_x, kent_y = points[1].get_offsets()[0]
    assert (kent_x, round(kent_y, 1)) == (2354, 33.3)
    assert ax.get_xscale() == "log"
    plt.close(fig)
