"""Charts drawn from the fixture release (tests/fixtures/: the real rows for England,
the regions and 15 LAs); the numbers checked are worked out from its raw rows."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.reporting import charts, council_charts, funnel_charts, palette


@pytest.fixture(scope="module")
def series(release):
    return kpis_for(["Kent", "England", "South East"], ["ehcp_issued_within_20_weeks_excl_exceptions_pct"], release=release)


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
    # timeliness_20_week.csv, Kent 2024 excluding exceptions: 783 of 2354 = 33.3%.
    assert kent.get_color() == charts.PALETTE[0] and kent.get_ydata()[-1] == pytest.approx(100 * 783 / 2354)
    plt.close(fig)


def test_figure_html_embeds_png_with_alt_text(series):
    fig = charts.trend_chart(series, title="t", ylabel="y", source="s")
    html = charts.figure_html(fig, alt='Kent "rose"')
    assert html.startswith('<figure class="send-chart"><img src="data:image/png;base64,')
    assert 'alt="Kent &quot;rose&quot;"' in html


def test_funnel_plot_draws_limits_centre_and_highlight(release):
    from analysis_helpers.analysis.compare import la_values
    from analysis_helpers.analysis.funnel import funnel_table

    las = la_values("ehcp_issued_within_20_weeks_excl_exceptions_pct", "2024", release)
    assert len(las) == 12  # the fixture's 15 LAs less City of London (0 of 0), Northamptonshire and Cumbria (no 2024 row)
    _, spread = funnel_table(las, 46.4)
    assert spread.overdispersed
    fig = funnel_charts.funnel_plot(las, centre=46.4, centre_label="England 46.4%", highlight="Kent", title="t", ylabel="%",
                             source="DfE", spread=spread)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["95% limits, allowing for variation between councils",
                      "99.8% limits, allowing for variation between councils", "99.8% limits, chance alone (binomial)",
                      "England 46.4%"]
    assert len(ax.get_lines()) == 7  # adjusted 95% and 99.8% and binomial 99.8%, each side, and the centre
    points = ax.collections
    assert [c.get_label() for c in points] == ["Other local authorities", "Kent"]
    # every LA less Kent and the Isles of Scilly (1 of 1: a rate on a denominator under 10 is not drawn)
    assert len(points[0].get_offsets()) == len(las) - 2
    kent_x, kent_y = points[1].get_offsets()[0]
    assert (kent_x, round(kent_y, 1)) == (2354, 33.3)
    assert ax.get_xscale() == "log"
    plt.close(fig)


# The hand-worked example of tests/test_funnel.py: five areas around 50% (30, 50, 55 and 70 of 100; 180 of 400),
# tau2 = 0.0090673; at n = 100 the adjusted 99.8% limits are 19.16% and 80.84%, the binomial ones exactly 35% and 65%.
FIVE = pd.DataFrame({"area_name": ["Kent", "b", "c", "d", "e"], "numerator": [30, 50, 55, 70, 180],
                     "denominator": [100, 100, 100, 100, 400], "value": [30.0, 50.0, 55.0, 70.0, 45.0], "unit": "pct"})


def _line(ax, label):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_funnel_plot_draws_the_adjusted_limits_as_the_funnel_and_the_binomial_ones_faint():
    from analysis_helpers.analysis.funnel import dispersion

    spread = dispersion(FIVE["numerator"], FIVE["denominator"], 50.0)
    fig = funnel_charts.funnel_plot(FIVE, centre=50.0, centre_label="England 50.0%", highlight="Kent", title="t", ylabel="%",
                             source="s", spread=spread)
    ax = fig.axes[0]
    adjusted = _line(ax, "99.8% limits, allowing for variation between councils")
    x, y = adjusted.get_data()
    assert round(float(y[list(x).index(100)]), 2) == 19.16  # the lower adjusted 99.8% limit at n = 100
    binomial = _line(ax, "99.8% limits, chance alone (binomial)")
    x, y = binomial.get_data()
    assert float(y[list(x).index(100)]) == 35.0
    assert binomial.get_linewidth() < adjusted.get_linewidth()  # faint beside the funnel
    plt.close(fig)


def test_funnel_plot_without_overdispersion_draws_the_binomial_limits_as_chance_alone():
    from analysis_helpers.analysis.funnel import dispersion

    calm = pd.DataFrame({"area_name": ["Kent", "b", "c"], "numerator": [50, 100, 200], "denominator": [100, 200, 400],
                         "value": [50.0, 50.0, 50.0], "unit": "pct"})
    spread = dispersion(calm["numerator"], calm["denominator"], 50.0)
    fig = funnel_charts.funnel_plot(calm, centre=50.0, centre_label="England 50.0%", highlight="Kent", title="t", ylabel="%",
                             source="s", spread=spread)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["95% limits, chance alone", "99.8% limits, chance alone", "England 50.0%"]
    x, y = _line(ax, "99.8% limits, chance alone").get_data()
    assert float(y[list(x).index(100)]) == 35.0  # exact binomial: P(X <= 34) = 0.0009 under Bin(100, 0.5)
    plt.close(fig)


def test_funnel_range_fits_the_points_and_limits_with_a_margin():
    # 1 to 9: a margin of max(5% of 8, 0.5) = 0.5 each side; 0 to 100: 5 each side, kept within -2 and 102
    assert funnel_charts.funnel_range([1.0, 3.0, 9.0, float("nan")]) == (0.5, 9.5)
    assert funnel_charts.funnel_range([0.0, 100.0]) == (-2.0, 102.0)
    assert funnel_charts.funnel_range([]) == (-2.0, 102.0)


def test_a_funnel_of_rates_under_10_percent_is_not_drawn_on_0_to_100():
    # a tribunal-like rate: every area under 10% (2.0, 3.0, 3.0, 3.6 and 5.0 per 100 decisions)
    from analysis_helpers.analysis.funnel import dispersion

    rates = pd.DataFrame({"area_name": ["Kent", "b", "c", "d", "e"], "numerator": [20, 45, 60, 90, 150],
                          "denominator": [1000, 1500, 2000, 2500, 3000], "unit": "pct"})
    rates["value"] = 100 * rates["numerator"] / rates["denominator"]
    spread = dispersion(rates["numerator"], rates["denominator"], 3.5)
    fig = funnel_charts.funnel_plot(rates, centre=3.5, centre_label="England 3.5%", highlight="Kent", title="t", ylabel="%",
                             source="s", spread=spread)
    ax = fig.axes[0]
    bottom, top = ax.get_ylim()
    assert top < 10 and bottom >= -2
    drawn = [y for line in ax.get_lines() for y in line.get_ydata()] + list(rates["value"])
    assert bottom < min(drawn) and max(drawn) < top  # every point and every limit in view
    plt.close(fig)


def test_a_funnel_does_not_draw_a_rate_the_disclosure_rule_hides():
    hidden = FIVE.assign(numerator=[3, 50, 55, 70, 180], value=[3.0, 50.0, 55.0, 70.0, 45.0])  # 3 of 100: a small count
    fig = funnel_charts.funnel_plot(hidden, centre=50.0, centre_label="England 50.0%", highlight="Kent", title="t", ylabel="%",
                             source="s")
    ax = fig.axes[0]
    assert [c.get_label() for c in ax.collections] == ["Other local authorities"]  # Kent's 3 of 100 is not drawn
    assert 3.0 not in [y for _, y in ax.collections[0].get_offsets()]
    plt.close(fig)


def test_trajectory_chart_has_observed_projection_bands_required_and_target(release_fixture_history):
    release = release_fixture_history
    from analysis_helpers.analysis.outlook import build_outlook
    from analysis_helpers.analysis.trajectory import required_path
    from analysis_helpers.domain.areas import areas_for
    from analysis_helpers.domain.targets import read_targets

    target = [t for t in read_targets() if t.target_id == "kpi_2025_20_weeks_60"][0]
    outlook = build_outlook(areas_for(release).get("Kent"), target.measure, target, release=release)
    fig = charts.trajectory_chart(
        outlook.observed, outlook.projection.table, required_path(outlook.target), target=60, target_label="Target 60",
        title="t", ylabel="%", source="DfE", model_label="rw_logit", break_at=pd.Timestamp("2022-12-31"),
    )
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert sorted(labels) == sorted(["Observed (95% CI)", "95% prediction interval", "80% prediction interval",
                                     "Projection (rw_logit)", "Required trajectory", "Target 60"])
    observed_line = ax.get_lines()[0]
    first_x = pd.Timestamp(observed_line.get_xdata()[0])
    assert (first_x.month, first_x.day) == (7, 1)  # calendar years at mid-year
    plt.close(fig)


def test_xmr_chart_marks_special_causes():
    from analysis_helpers.analysis.spc import xmr

    result = xmr([12, 8, 12, 8, 12, 8, 12, 8, 12, 8, 10, 30])  # only the last point is special
    fig = council_charts.xmr_chart(result.points, [f"2024-{m:02d}" for m in range(1, 13)], title="t", ylabel="%", source="s", target=12)
    ax = fig.axes[0]
    common, special = ax.collections
    assert (common.get_label(), len(common.get_offsets())) == ("Common cause", 11)
    # the special cause is told by its marker and its legend entry, not by colour alone
    assert (special.get_label(), len(special.get_offsets())) == ("Special cause (beyond chance)", 1)
    assert special.get_offsets()[0][1] == 30
    assert charts.matplotlib.colors.to_hex(special.get_facecolors()[0]) == palette.BEYOND_CHANCE.colour.lower()
    assert [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")] == ["Mean", "Process limits", "Target 12"]
    plt.close(fig)


def test_local_series_chart_draws_forecasts_hollow_with_required_path_and_deadline():
    import datetime as dt

    from analysis_helpers.analysis.budget import deficit_series, required_path_to_zero
    from analysis_helpers.data.local_feed import area_feed

    series = deficit_series(area_feed("kent"))
    fig = council_charts.local_series_chart(series, title="t", ylabel="£m", source="s",
                                    required=required_path_to_zero(series, dt.date(2028, 3, 31)),
                                    target=0, target_label="Deficit eliminated", deadline=("2028-03-31", "End of agreement"))
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) >= {"Published figure", "Forecast (not an outturn)", "Required path", "Deficit eliminated", "End of agreement"}
    forecast = lines["Forecast (not an outturn)"]
    assert forecast.get_markerfacecolor() == "white" and forecast.get_linestyle() == "None"
    assert len(forecast.get_ydata()) == (series["kind"] == "forecast").sum()
    plt.close(fig)


def test_importing_the_charts_changes_no_matplotlib_setting_and_charts_keep_the_house_style():
    """Issue 25: no side effect on import. A fresh interpreter's rcParams are the same before and after importing
    every chart module; a chart drawn afterwards still has the house style, and leaves the settings as they were."""
    import subprocess
    import sys

    probe = (
        "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt\n"
        "before = dict(plt.rcParams)\n"
        "from analysis_helpers.reporting import charts, council_charts, funnel_charts, pathway_charts\n"
        "changed = sorted(k for k, v in plt.rcParams.items() if before[k] != v)\n"
        "import pandas as pd\n"
        "rows = pd.DataFrame({'area_name': ['Kent'] * 3, 'period': ['2022', '2023', '2024'],\n"
        "                     'period_end': pd.to_datetime(['2022-12-31', '2023-12-31', '2024-12-31']),\n"
        "                     'value': [30.0, 32.0, 33.0], 'ci_low': [29.0, 31.0, 32.0], 'ci_high': [31.0, 33.0, 34.0]})\n"
        "fig = charts.trend_chart(rows, title='t', ylabel='Plans (%)', source='s', highlight='Kent')\n"
        "ax = fig.axes[0]\n"
        "after = sorted(k for k, v in plt.rcParams.items() if before[k] != v)\n"
        "print(changed, after, ax.spines['top'].get_visible(), ax.title.get_fontweight(), [float(x) for x in fig.get_size_inches()])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[] [] False bold [8.5, 4.8]", out
