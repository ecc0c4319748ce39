"""Charts of a council's own figures: its series as published (forecasts hollow, never joined to outturns; a required
path and a deadline where a target sets them) and its statistical process control (XmR) chart.

The house style is :mod:`.charts`'s; figures the disclosure rules hide are never drawn.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis_helpers.reporting import disclosure, palette
from analysis_helpers.reporting.charts import (
    HIGHLIGHT,
    MUTED,
    TARGET_COLOUR,
    add_legend,
    date_axis,
    finish,
    fit_percentages,
    is_count,
    label_dates,
    styled,
    time_label,
    whole_number_axis,
)


@styled
def xmr_chart(points: pd.DataFrame, periods: list[str], *, title: str, ylabel: str, source: str, target: float | None = None,
              dates=None) -> Figure:
    """Making Data Count XmR chart: values, mean, limits, special-cause points highlighted.

    On the house date axis: ``dates`` (each point's period end) when given, else dates read from the ``periods`` labels.
    """
    fig, ax = plt.subplots()
    x = label_dates(periods) if dates is None else list(pd.to_datetime(pd.Series(dates)))
    ax.plot(x, points["value"], "-", color=MUTED, linewidth=1.5, zorder=1)
    special = points["special_cause"].fillna(False).astype(bool).to_numpy()
    values = points["value"].to_numpy(dtype=float)
    dates = np.array(x, dtype="datetime64[ns]")
    ax.scatter(dates[~special], values[~special], color=HIGHLIGHT, marker=palette.AREA.marker, s=36, zorder=2, label="Common cause")
    if special.any():  # a diamond and its legend entry say it, not the colour alone
        ax.scatter(dates[special], values[special], color=palette.BEYOND_CHANCE.colour, marker=palette.BEYOND_CHANCE.marker, s=48,
                   zorder=3, label="Special cause (beyond chance)")
    ax.plot(x, points["mean"], color=palette.REQUIRED.colour, linewidth=1.2, label="Mean")
    ax.plot(x, points["ucl"], color=palette.REQUIRED.colour, linestyle="--", linewidth=1, label="Process limits")
    ax.plot(x, points["lcl"], color=palette.REQUIRED.colour, linestyle="--", linewidth=1, label="_nolegend_")
    if target is not None:
        ax.axhline(target, color=TARGET_COLOUR, linestyle=palette.TARGET.linestyle, linewidth=1.4, label=f"Target {target:g}")
    date_axis(ax, x, periods)
    fit_percentages(ax, ylabel)  # a process limit of a percentage beyond 0 or 100 is cut at the possible range
    add_legend(ax, loc="best", fontsize=8.5)
    return finish(fig, ax, title, time_label(list(periods)), ylabel, source)


@styled
def local_series_chart(
    rows: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    source: str,
    required: pd.DataFrame | None = None,
    deadline: tuple | None = None,
    target: float | None = None,
    target_label: str = "",
) -> Figure:
    """Council figures over time: outturns as filled points joined by a line,
    forecasts as hollow points; an optional required path, deadline and target.

    Rows that disclosure control hides (a count of 1-4, a rate on a small base)
    are never drawn, whatever the caller passes.
    """
    fig, ax = plt.subplots()
    data = disclosure.plottable(rows).sort_values("period_end")
    kind = data["kind"] if "kind" in data else pd.Series("outturn", index=data.index)
    actual, forecast = data[kind != "forecast"], data[kind == "forecast"]
    if len(actual):
        ax.plot(pd.to_datetime(actual["period_end"]), actual["value"], "o-", color=HIGHLIGHT, linewidth=2, label="Published figure")
    if len(forecast):
        ax.plot(pd.to_datetime(forecast["period_end"]), forecast["value"], "o", markerfacecolor="white",
                markeredgecolor=palette.PROJECTION.colour, markeredgewidth=2, linestyle="none", label="Forecast (not an outturn)")
    if required is not None and len(required):
        ax.plot(pd.to_datetime(required["date"]), required["required"], color=palette.REQUIRED.colour, linewidth=1.8,
                label="Required path")
    if target is not None:
        ax.axhline(target, color=TARGET_COLOUR, linestyle=palette.TARGET.linestyle, linewidth=1.4,
                   label=target_label or f"Target {target:g}")
    if deadline is not None:
        ax.axvline(pd.Timestamp(deadline[0]), color=TARGET_COLOUR, linestyle=":", linewidth=1.4, label=deadline[1])
    date_axis(ax, maxticks=8)
    if is_count(data, ylabel):
        whole_number_axis(ax.yaxis)
    fit_percentages(ax, ylabel)
    add_legend(ax, loc="best", fontsize=8.5)
    return finish(fig, ax, title, "Date (end of the period the figure describes)", ylabel, source)
