"""Funnel plots: every local authority's rate against its denominator, with the limits a point must pass to differ
from England by more than chance (widened for the variation between councils where the data are overdispersed).

The house style is :mod:`.charts`'s (drawn with its palette, frame and source line).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis_helpers.analysis import funnel
from analysis_helpers.analysis.funnel import Dispersion
from analysis_helpers.reporting import disclosure
from analysis_helpers.reporting.charts import (
    HIGHLIGHT,
    MUTED,
    PALETTE,
    TARGET_COLOUR,
    add_legend,
    finish,
    styled,
    whole_number_axis,
)


@styled
def funnel_plot(
    data: pd.DataFrame,
    *,
    centre: float,
    centre_label: str,
    highlight: str | None,
    title: str,
    ylabel: str,
    source: str,
    xlabel: str = "Denominator (number of cases)",
    spread: Dispersion | None = None,
) -> Figure:
    """Every LA's value against its denominator, with its 95% and 99.8% limits.

    ``data`` needs ``area_name``, ``value`` (0–100) and ``denominator``; a row
    the disclosure rule hides is not drawn. ``spread`` is the funnel's
    :class:`~analysis_helpers.analysis.funnel.Dispersion` (over every LA, drawn
    or not): when the LAs are overdispersed the funnel is drawn on the limits
    widened by the variation between them, with the binomial 99.8% limits faint
    and dotted beside it; otherwise (or without ``spread``) on binomial limits,
    labelled as chance alone. The highlighted area is drawn last, larger and
    labelled. The y axis fits the points and the limits over their range of
    denominators (not 0–100 when every point is under 10%).
    """

    rows = disclosure.plottable(data.dropna(subset=["value", "denominator"]))
    rows = rows[rows["denominator"] > 0]
    fig, ax = plt.subplots()
    smallest = float(rows["denominator"].min()) / 1.25 if len(rows) else 10.0
    top = max(float(rows["denominator"].max()) * 1.05 if len(rows) else 0.0, 20.0, smallest * 2)
    grid = np.unique(np.round(np.geomspace(max(smallest, 1.0), top, 400)))
    found = spread if spread is not None else Dispersion(centre_pct=centre, areas=len(rows), phi=float("nan"), tau2=0.0)
    curves = funnel.limits(centre, grid, found)
    adjusted = found.overdispersed
    basis = "allowing for variation between councils" if adjusted else "chance alone"
    drawn = [np.asarray(rows["value"], dtype=float), np.array([centre])]
    for level, style, label in (("95", (0, (5, 3)), "95% limits"), ("998", (0, (1.5, 1.5)), "99.8% limits")):
        low, high = curves[f"adjusted_{level}"]
        ax.plot(grid, low, color=TARGET_COLOUR, linestyle=style, linewidth=1.3, label=f"{label}, {basis}")
        ax.plot(grid, high, color=TARGET_COLOUR, linestyle=style, linewidth=1.3, label="_nolegend_")
        drawn += [low, high]
    if adjusted:  # what chance alone would allow, faint: the reader sees how much wider the funnel became
        low, high = curves["binomial_998"]
        ax.plot(grid, low, color="#8C8C8C", linestyle=(0, (1, 3)), linewidth=0.9, label="99.8% limits, chance alone (binomial)")
        ax.plot(grid, high, color="#8C8C8C", linestyle=(0, (1, 3)), linewidth=0.9, label="_nolegend_")
        drawn += [low, high]
    ax.axhline(centre, color=PALETTE[1], linewidth=1.6, label=centre_label)
    others = rows[rows["area_name"] != highlight]
    ax.scatter(others["denominator"], others["value"], s=18, color=MUTED, edgecolor="#7F7F7F", linewidth=0.4,
               label="Other local authorities")
    chosen = rows[rows["area_name"] == highlight]
    if len(chosen):
        ax.scatter(chosen["denominator"], chosen["value"], s=70, color=HIGHLIGHT, marker="D", zorder=5, label=highlight)
        point = chosen.iloc[0]
        ax.annotate(highlight, (point["denominator"], point["value"]), xytext=(6, 6), textcoords="offset points",
                    fontsize=10, color=HIGHLIGHT, fontweight="bold")
    ax.set_xscale("log")
    whole_number_axis(ax.xaxis, locator=False)  # a count of cases on a log scale: 1,000, not 10^3
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(*funnel_range(np.concatenate(drawn)))
    add_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8.5)
    return finish(fig, ax, title, xlabel, ylabel, source)


def funnel_range(values) -> tuple[float, float]:
    """A percentage axis that fits ``values`` (points, centre and limits), with a margin, within -2 and 102."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return -2.0, 102.0
    low, high = float(values.min()), float(values.max())
    margin = max(0.05 * (high - low), 0.5)
    return max(low - margin, -2.0), min(high + margin, 102.0)
