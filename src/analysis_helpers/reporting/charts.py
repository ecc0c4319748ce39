"""Charts: one style for every notebook; every function returns a Figure.

Style rules kept here so no notebook has to remember them:

* one colour, marker and line style per comparator in every chart (:mod:`.palette`:
  area, England, region, neighbours, target, projection, "beyond chance"), colour-blind
  safe and told apart in grey by markers and line styles, each named by a legend or label;
* a title that states the finding (the caller writes it from the numbers);
* axis labels with units, and the source line under the chart;
* targets as dashed horizontal lines, uncertainty as shaded bands;
* axes fitted to what is drawn, and a percentage axis never past 0 or 100;
* a vertical marker where a series breaks (e.g. DfE's 2023 change of collection);
* every time series on a date axis, DfE's period labels as ticks where they are
  years, thinned at drawing time so that no two labels overlap; long axis labels
  wrapped, never cut off; counts in whole numbers.

Percentages are 0–100.
"""

from __future__ import annotations

import base64
import functools
import io
import re
import textwrap

import matplotlib

matplotlib.use("Agg")  # headless by default; JupyterLab's inline backend still works
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator  # noqa: E402

from analysis_helpers.analysis.trajectory import period_midpoint  # noqa: E402
from analysis_helpers.core.safe_text import chart_text, html_text  # noqa: E402
from analysis_helpers.reporting import palette  # noqa: E402

#: The comparators' colours (:mod:`.palette`): area, England, region, neighbours, projection, beyond chance.
PALETTE = tuple(s.colour for s in (palette.AREA, palette.ENGLAND, palette.REGION, palette.NEIGHBOURS, palette.PROJECTION,
                                   palette.BEYOND_CHANCE))
TARGET_COLOUR = palette.TARGET.colour
HIGHLIGHT = palette.AREA.colour
MUTED = palette.OTHER.colour
#: Markers for lines that are no comparator of the palette's (other local authorities, one by one).
OTHER_MARKERS = ("v", "<", ">", "h", "X", "*")
#: The source line's font size (points).
SOURCE_SIZE = 8.5
#: How far a percentage axis may reach beyond 0 and 100 (points), so that a marker at either end is drawn whole.
PCT_MARGIN = 2.0
#: DfE period labels that are years: calendar (2024), academic or financial (2024/25).
YEAR_LABEL = re.compile(r"^\d{4}(/\d{2})?$")


#: The house style (fonts, grid, spines), applied only while a chart is drawn (:func:`styled`): importing this module
#: leaves matplotlib's settings as they were, for a notebook's own plots too.
HOUSE_STYLE = {
    "figure.figsize": (8.5, 4.8),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#E0E0E0",
    "legend.frameon": False,
}


def styled(draw):
    """Draw (or save) a chart in the house style: ``draw`` runs inside ``plt.rc_context(HOUSE_STYLE)``."""
    @functools.wraps(draw)
    def in_style(*args, **kwargs):
        with plt.rc_context(HOUSE_STYLE):
            return draw(*args, **kwargs)

    return in_style


def add_legend(ax, **options) -> None:
    """A legend only when something is labelled (matplotlib warns on an empty one, and warnings must not reach a report)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**options)


def wrap_label(label: str, length_inches: float, fontsize: float | None = None) -> str:
    """``label`` broken into lines that fit along an axis ``length_inches`` long (never mid-word)."""
    size = fontsize or plt.rcParams["font.size"]
    width = max(12, int(length_inches * 72 / (0.6 * size)))  # 0.6 em: a generous average glyph width
    return "\n".join(textwrap.wrap(label, width)) if label else label


def whole_number_axis(axis, locator=True) -> None:
    """Whole-number ticks with thousands separators: a count never reads 19,407.0."""
    if locator:
        axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))


def fit_percentages(ax, ylabel: str) -> None:
    """A percentage axis (its label says ``%``) shows no impossible values: never below 0 or above 100, beyond a
    sliver of margin so that a point at 0 or 100 is drawn whole. Other axes keep matplotlib's fit to the data."""
    if "%" not in ylabel:
        return
    low, high = ax.get_ylim()
    ax.set_ylim(max(low, -PCT_MARGIN), min(high, 100 + PCT_MARGIN))


def is_count(data: pd.DataFrame, label: str) -> bool:
    """Counts by the table's ``unit`` column; else whole-number values on an axis that is not % or £."""
    if "unit" in data and data["unit"].notna().any():
        return bool((data["unit"].dropna() == "count").all())
    values = pd.to_numeric(data.get("value", pd.Series(dtype=float)), errors="coerce").dropna()
    return len(values) > 0 and bool((values == values.round()).all()) and not re.search(r"%|£|rate|per ", label)


class YearTicks(Locator):
    """Ticks at the dates of DfE's year labels, every one where they fit side by side, else every second (third...).

    Whether they fit is measured when the chart is drawn, after the layout has sized the axes: the widest label's
    width in the tick font, plus half an em, against the narrowest distance between two ticks on screen.
    """

    def __init__(self, dates, labels):
        self.dates = [float(d) for d in mdates.date2num(list(pd.to_datetime(pd.Series(dates))))]
        self.labels = [str(label) for label in labels]

    def __call__(self):
        return self.dates[::self.step()]

    def tick_values(self, vmin, vmax):
        return self.dates

    def step(self) -> int:
        axis = self.axis
        get_renderer = getattr(axis.figure.canvas, "get_renderer", None) if axis is not None else None
        if get_renderer is None or len(self.dates) < 2:
            return -(-len(self.dates) // 10)  # no renderer to measure with: at most 10 labels
        renderer = get_renderer()
        ticks = axis.get_major_ticks(1)
        font = ticks[0].label1.get_fontproperties() if ticks else matplotlib.font_manager.FontProperties()
        widest = max(renderer.get_text_width_height_descent(label, font, ismath=False)[0] for label in self.labels)
        room = widest + 0.5 * renderer.points_to_pixels(font.get_size_in_points())
        pixels = axis.axes.transData.transform([(d, 0) for d in self.dates])[:, 0]
        for step in range(1, len(self.dates)):
            if (np.diff(pixels[::step]) >= room).all():
                return step
        return len(self.dates)


def date_axis(ax, dates=None, labels=None, minticks: int = 3, maxticks: int = 10) -> None:
    """The house time axis: the period labels at their dates where they are all years (as many as fit), else concise dates."""
    if labels is not None and len(labels) and all(YEAR_LABEL.match(str(label)) for label in labels):
        locator = YearTicks(dates, labels)
        names = dict(zip(locator.dates, locator.labels, strict=True))
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: names.get(float(value), "")))
        return
    locator = mdates.AutoDateLocator(minticks=minticks, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def period_dates(frame: pd.DataFrame) -> pd.Series:
    """Each row's place in time: calendar years at mid-year (where required paths compare them), else the period's end."""
    dates = [period_midpoint(e, str(p)) for e, p in zip(frame["period_end"], frame["period"], strict=True)]
    return pd.to_datetime(pd.Series(dates, index=frame.index, dtype=object))


def label_dates(labels: list[str]) -> list[pd.Timestamp]:
    """Dates for bare period labels (``2024``, ``2024-03``, ``2024-Q3``; ``2024/25`` ends 31 March 2025), as above."""
    ends = [pd.Timestamp(int(x[:4]) + 1, 3, 31) if YEAR_LABEL.match(x) and "/" in x
            else pd.Period(x.replace("-Q", "Q")).end_time.normalize()
            for x in map(str, labels)]
    return [pd.Timestamp(period_midpoint(end, str(label))) for end, label in zip(ends, labels, strict=True)]


def finish(fig: Figure, ax, title: str, xlabel: str, ylabel: str, source: str) -> Figure:
    title, xlabel, ylabel, source = (chart_text(t) for t in (title, xlabel, ylabel, source))
    ax.set_title(title, wrap=True)
    width, height = fig.get_size_inches()
    ax.set_xlabel(wrap_label(xlabel, 0.8 * width))
    ax.set_ylabel(wrap_label(ylabel, 0.8 * height))
    source = wrap_label(f"Source: {source}", 0.97 * width, SOURCE_SIZE)
    fig.text(0.01, 0.01, source, fontsize=SOURCE_SIZE, color="#505050", ha="left", va="bottom")
    # the chart sits above the source line, however many lines that wraps to (a council feed's rows can take two)
    bottom = max(0.05, (4 + 1.3 * SOURCE_SIZE * (source.count("\n") + 1)) / (72 * height))
    # constrained layout is computed once, when the figure is drawn (tight_layout drew it twice)
    fig.set_layout_engine("constrained", rect=(0, bottom, 1, 1 - bottom))  # (left, bottom, width, height)
    return fig


@styled
def trend_chart(
    data: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    source: str,
    xlabel: str = "",
    series: str = "area_name",
    highlight: str | None = None,
    region: str | None = None,
    target: float | None = None,
    target_label: str | None = None,
    break_between: tuple[str, str] | None = None,
    break_label: str = "Series break",
    bands: bool = True,
) -> Figure:
    """Lines over periods, one per ``series`` value, with 95% bands where given.

    ``data``: ``period`` (label), ``period_end``, ``value``, optionally ``ci_low``/``ci_high``, ``unit``, and
    the ``series`` column. Each line is drawn in its comparator's style (:mod:`.palette`): ``highlight`` is the
    area (drawn first, thicker), ``"England"`` England's, ``region`` the region's; any other line is grey with a
    marker of its own. ``target`` is a dashed line; ``break_between`` (two adjacent period labels) a vertical line
    between them. Periods sit at their dates.
    """
    fig, ax = plt.subplots()
    ordered = data.sort_values("period_end").drop_duplicates("period")
    periods = ordered["period"].tolist()
    position = dict(zip(periods, period_dates(ordered), strict=True))
    names = list(dict.fromkeys(data[series]))
    if highlight in names:
        names.remove(highlight)
        names.insert(0, highlight)
    others = 0
    for name in names:
        rows = data[data[series] == name].sort_values("period_end")
        x = rows["period"].map(position)
        style = palette.for_name(str(name), area=highlight, region=region)
        marker = style.marker
        if style is palette.OTHER:
            marker, others = OTHER_MARKERS[others % len(OTHER_MARKERS)], others + 1
        ax.plot(
            x,
            rows["value"],
            color=style.colour,
            linestyle=style.linestyle,
            marker=marker,
            linewidth=2.4 if name == highlight else 1.8,
            zorder=3 if name == highlight else 2,
            label=name,
        )
        if bands and {"ci_low", "ci_high"} <= set(rows.columns) and rows["ci_low"].notna().any():
            ax.fill_between(x, rows["ci_low"], rows["ci_high"], color=style.colour, alpha=0.15, linewidth=0, label="_nolegend_")
    if target is not None:
        ax.axhline(target, color=TARGET_COLOUR, linestyle=palette.TARGET.linestyle, linewidth=1.4,
                   label=target_label or f"Target {target:g}")
    if break_between and all(p in position for p in break_between):
        x_break = position[break_between[0]] + (position[break_between[1]] - position[break_between[0]]) / 2
        ax.axvline(x_break, color="#707070", linestyle=":", linewidth=1.2)
        ax.annotate(break_label, (x_break, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -12),
                    textcoords="offset points", fontsize=8.5, color="#505050")
    date_axis(ax, list(position.values()), periods)
    if is_count(data, ylabel):
        whole_number_axis(ax.yaxis)
    fit_percentages(ax, ylabel)
    add_legend(ax, loc="best", fontsize=9)
    return finish(fig, ax, title, xlabel or time_label(periods), ylabel, source)


def time_label(periods: list[str]) -> str:
    if periods and all(YEAR_LABEL.match(str(p)) for p in periods):
        return "Year (calendar years plotted at mid-year)" if all(len(str(p)) == 4 for p in periods) else "Year"
    return "Date (end of the period the figure describes)"


@styled
def figure_html(fig: Figure, alt: str) -> str:
    """The figure as an embedded PNG ``<img>`` with alt text (self-contained HTML), closed so notebooks do not also show it."""
    buffer = io.BytesIO()
    engine = fig.get_layout_engine()
    if engine is not None and fig.dpi == 100:  # laid out here at the PNG's dpi: savefig draws once, the same pixels
        engine.execute(fig)
        fig.set_layout_engine("none")
    fig.savefig(buffer, format="png", dpi=100, pil_kwargs={"compress_level": 1})  # zlib's fastest: 2% larger, a third faster
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<figure class="send-chart"><img src="data:image/png;base64,{data}" alt="{html_text(alt)}" '
            'style="max-width:100%;height:auto"></figure>')


@styled
def trajectory_chart(
    observed: pd.DataFrame,
    projection: pd.DataFrame,
    required: pd.DataFrame | None,
    *,
    target: float | None,
    target_label: str,
    title: str,
    ylabel: str,
    source: str,
    model_label: str | None,
    break_at: pd.Timestamp | None = None,
) -> Figure:
    """Observed (with 95% CIs), required path, projection (80%/95% bands) and the target.

    ``observed``: ``period_end, value`` (+ ``ci_low, ci_high``); ``projection``:
    ``period, period_end, value_projected, pi80_*, pi95_*``; ``required``: ``date, required``.
    Calendar-year figures are plotted at mid-year (where they are compared with
    the required path); months and census dates at their own date.
    """

    fig, ax = plt.subplots()
    x = period_dates(observed) if len(observed) else pd.Series(dtype="datetime64[ns]")
    if {"ci_low", "ci_high"} <= set(observed.columns) and observed["ci_low"].notna().any():
        err = [(observed["value"] - observed["ci_low"]).clip(lower=0), (observed["ci_high"] - observed["value"]).clip(lower=0)]
        ax.errorbar(x, observed["value"], yerr=err, fmt="o-", color=HIGHLIGHT, linewidth=2.2, capsize=3, label="Observed (95% CI)")
    else:
        ax.plot(x, observed["value"], "o-", color=HIGHLIGHT, linewidth=2.2, label="Observed")
    if len(projection):
        px = pd.concat([x.tail(1), period_dates(projection)])
        centre = pd.concat([observed["value"].tail(1), projection["value_projected"]])
        for level, alpha in (("pi95", 0.15), ("pi80", 0.3)):
            low = pd.concat([observed["value"].tail(1), projection[f"{level}_low"]])
            high = pd.concat([observed["value"].tail(1), projection[f"{level}_high"]])
            ax.fill_between(px, low, high, color=palette.PROJECTION.colour, alpha=alpha, linewidth=0,
                            label=f"{level[2:]}% prediction interval")
        ax.plot(px, centre, linestyle=palette.PROJECTION.linestyle, color=palette.PROJECTION.colour, linewidth=2,
                label=f"Projection ({model_label})" if model_label else "Projection")
    if required is not None and len(required):
        ax.plot(pd.to_datetime(required["date"]), required["required"], color=palette.REQUIRED.colour, linewidth=1.8,
                label="Required trajectory")
    if target is not None:
        ax.axhline(target, color=TARGET_COLOUR, linestyle=palette.TARGET.linestyle, linewidth=1.4, label=target_label)
    if break_at is not None and not pd.isna(break_at):
        ax.axvline(pd.Timestamp(break_at), color="#707070", linestyle=":", linewidth=1.2)
        ax.annotate("New DfE collection", (pd.Timestamp(break_at), 1.0), xycoords=("data", "axes fraction"),
                    xytext=(4, -12), textcoords="offset points", fontsize=8.5, color="#505050")
    shown = pd.concat([frame[["period", "period_end"]] for frame in (observed, projection) if len(frame)]) if len(observed) else observed
    labels = shown["period"].astype(str).drop_duplicates().tolist() if len(shown) else []
    date_axis(ax, period_dates(shown.drop_duplicates("period")) if labels else None, labels, minticks=4)
    if observed.get("unit", pd.Series(dtype=object)).eq("count").any():
        whole_number_axis(ax.yaxis)
    fit_percentages(ax, ylabel)
    add_legend(ax, loc="upper left", fontsize=8.5, bbox_to_anchor=(1.0, 1.0))
    return finish(fig, ax, title, time_label(labels), ylabel, source)
