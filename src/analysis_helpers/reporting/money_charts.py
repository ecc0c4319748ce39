"""Charts of the high-needs outlook: the cumulative deficit's path, and plans by placement type with their projection.

Outturns are solid, council forecasts hollow points, this workbook's projections dashed with their 80% band; the
safety-valve agreement's path is a line to zero. Never one series joining two bases: the council's outturns and
the workbook's projection are drawn apart, and the projection starts from the outturn it is built on.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from analysis_helpers.reporting import palette
from analysis_helpers.reporting.charts import HIGHLIGHT, TARGET_COLOUR, add_legend, date_axis, finish, styled, whole_number_axis

#: Placement types drawn on the caseload chart (the ones that cost most), with their colours.
DRAWN_TYPES = {"state_special": ("State special schools", palette.AREA.colour),
               "independent_special": ("Independent special schools", palette.ENGLAND.colour),
               "mainstream": ("Mainstream schools", palette.REGION.colour)}


@styled
def deficit_chart(path: pd.DataFrame, council: pd.DataFrame, required: pd.DataFrame | None, *, title: str, source: str) -> Figure:
    """``path``: ``date, central, low80, high80`` (£m, the workbook's projection from its start outturn); ``council``:
    the council's ``period_end, value, kind`` (outturn or forecast); ``required``: ``date, required`` or None."""
    fig, ax = plt.subplots()
    dates = pd.to_datetime(path["date"])
    ax.fill_between(dates, path["low80"], path["high80"], color=palette.PROJECTION.colour, alpha=0.2,
                    label="Projection: 80% range (plans' uncertainty)")
    ax.plot(dates, path["central"], color=palette.PROJECTION.colour, linestyle="--", linewidth=2,
            label="This workbook's projection (not an outturn)")
    if len(council):
        outturn, forecast = council[council["kind"] != "forecast"], council[council["kind"] == "forecast"]
        if len(outturn):
            ax.plot(pd.to_datetime(outturn["period_end"]), outturn["value"], "o", color=HIGHLIGHT, markersize=7,
                    label="Council outturn")
        if len(forecast):
            ax.plot(pd.to_datetime(forecast["period_end"]), forecast["value"], "o", markerfacecolor="white",
                    markeredgecolor=HIGHLIGHT, markeredgewidth=2, linestyle="none", label="Council forecast (not an outturn)")
    if required is not None and len(required):
        ax.plot(pd.to_datetime(required["date"]), required["required"], color=palette.REQUIRED.colour, linewidth=1.8,
                label="The agreement's path to no deficit")
    ax.axhline(0, color=TARGET_COLOUR, linestyle=palette.TARGET.linestyle, linewidth=1.2, label="No deficit")
    date_axis(ax, maxticks=9)
    add_legend(ax, loc="upper left", fontsize=8.5)
    return finish(fig, ax, title, "End of the financial year (31 March)", "Cumulative high-needs deficit (£ million)", source)


@styled
def caseload_chart(counted: pd.DataFrame, projected: pd.DataFrame, *, title: str, source: str) -> Figure:
    """``counted``: a row a January (year), a column a type; ``projected``: ``year, placement, caseload, low80,
    high80`` for the years after. One line a type of :data:`DRAWN_TYPES`, counted solid, projected dashed in a band."""
    fig, ax = plt.subplots()
    for placement, (label, colour) in DRAWN_TYPES.items():
        seen = counted[placement].dropna() if placement in counted else pd.Series(dtype=float)
        if len(seen):
            ax.plot(pd.to_datetime([f"{y}-01-31" for y in seen.index]), seen.values, "o-", color=colour, linewidth=2,
                    markersize=4, label=f"{label}: counted")
        ahead = projected[projected["placement"] == placement]
        if len(ahead) and len(seen):
            years = [seen.index[-1], *ahead["year"]]
            dates = pd.to_datetime([f"{y}-01-31" for y in years])
            ax.fill_between(dates, [seen.iloc[-1], *ahead["low80"]], [seen.iloc[-1], *ahead["high80"]], color=colour, alpha=0.15)
            ax.plot(dates, [seen.iloc[-1], *ahead["caseload"]], color=colour, linestyle="--", linewidth=1.8,
                    label=f"{label}: projected (80% range shaded)")
    date_axis(ax, maxticks=9)
    whole_number_axis(ax.yaxis)
    add_legend(ax, loc="upper left", fontsize=8)
    return finish(fig, ax, title, "January census", "EHC plans (count)", source)
