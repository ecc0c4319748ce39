"""Charts of the EHC pathway, inclusion by age and the needs mix, in the house style of :mod:`.charts`.

* :func:`pathway_chart` — the statutory clocks in the order a family meets them
  (dot and 95% interval for the area; markers for England, the region and the
  neighbours' median), with the refusal share in a panel of its own beside them;
* :func:`age_slope_chart` — mainstream placement at primary ages and at
  secondary ages, one line per comparator: the fall at secondary transfer;
* :func:`needs_chart` — each primary need's share of plans, the area's bars beside
  England's.

Percentages are 0–100; every chart is DfE's published figures only.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis_helpers.core.safe_text import chart_text
from analysis_helpers.reporting.charts import HIGHLIGHT, PALETTE, finish, wrap_label

#: Comparator markers beside the area's dot: (table column, legend label, colour, marker).
COMPARATOR_MARKERS = (
    ("england", "England", PALETTE[1], "|"),
    ("region", "Region", PALETTE[2], "D"),
    ("neighbours_median", "Statistical neighbours (median)", PALETTE[3], "s"),
)


def _dots(ax, rows: pd.DataFrame, area_name: str, legend: bool) -> None:
    """One row per stage: the area's value with its interval, and the comparators' markers."""
    y = np.arange(len(rows))[::-1]
    values = rows["value"].to_numpy(dtype=float)
    low = (rows["value"] - rows["ci_low"]).clip(lower=0).fillna(0).to_numpy(dtype=float)
    high = (rows["ci_high"] - rows["value"]).clip(lower=0).fillna(0).to_numpy(dtype=float)
    ax.errorbar(values, y, xerr=np.vstack([low, high]), fmt="o", color=HIGHLIGHT, ecolor=HIGHLIGHT, elinewidth=2, capsize=3,
                markersize=8, zorder=5, label=f"{area_name} (95% interval)" if legend else "_nolegend_")
    for column, label, colour, marker in COMPARATOR_MARKERS:
        if rows[column].notna().any():
            ax.scatter(rows[column].to_numpy(dtype=float), y, marker=marker, s=160 if marker == "|" else 40, color=colour, linewidths=2.5 if marker == "|" else 0.5,
                       zorder=4, label=label if legend else "_nolegend_")
    for value, position in zip(rows["value"], y, strict=True):
        if pd.notna(value):
            ax.annotate(f"{value:.1f}%", (value, position), xytext=(0, 9), textcoords="offset points", ha="center",
                        fontsize=9, color=HIGHLIGHT, fontweight="bold")
    labels = [wrap_label(f"{s} ({p})" + (" — lower is better" if b is False else ""), 2.3, 9.5)
              for s, p, b in zip(rows["stage"], rows["period"], rows["higher_is_better"], strict=True)]
    ax.set_yticks(list(y), labels, fontsize=9.5)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, 100)
    ax.grid(axis="x", color="#E0E0E0")
    ax.grid(axis="y", visible=False)


def pathway_chart(table: pd.DataFrame, *, area_name: str, title: str, source: str) -> Figure:
    """The clocks, then (below a rule) the balancing measure, of :func:`~analysis_helpers.analysis.pathway.pathway_table`."""
    rows = pd.concat([table[table["role"] == "clock"], table[table["role"] == "balancing"]])
    fig, ax = plt.subplots(figsize=(9.5, 5.4))
    _dots(ax, rows, area_name, legend=True)
    balancing = int((rows["role"] == "balancing").sum())
    if balancing:
        ax.axhline(balancing - 0.5, color="#7F7F7F", linewidth=1, linestyle=(0, (4, 3)))
        ax.annotate("Balancing measure", (100, balancing - 0.5), xytext=(0, -11), textcoords="offset points", ha="right",
                    fontsize=8.5, color="#505050")
    ax.legend(loc="upper center", bbox_to_anchor=(0.35, -0.16), ncol=2, fontsize=8.5)
    return finish(fig, ax, title, "% of requests, plans or review decisions (95% interval for the area)", "", source)


def age_slope_chart(points: pd.DataFrame, *, title: str, source: str, highlight: str) -> Figure:
    """Mainstream share at two age bands, a line per comparator (``name``, ``band``, ``value``; bands in order)."""
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    bands = list(dict.fromkeys(points["band"]))
    x = np.arange(len(bands))
    for i, (name, rows) in enumerate(points.groupby("name", sort=False)):
        values = rows.set_index("band")["value"].reindex(bands)
        mine = name == highlight
        colour = HIGHLIGHT if mine else PALETTE[1 + (i % (len(PALETTE) - 1))]
        ax.plot(x, values, marker="o", color=colour, linewidth=3 if mine else 1.6, linestyle="-" if mine else "--",
                zorder=5 if mine else 3, label=name)
        if mine or name == "England":  # two labels, never a pile of overlapping ones
            ax.annotate(f"{values.iloc[-1]:.1f}%", (x[-1], values.iloc[-1]), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=9, color=colour)
    ax.set_xticks(x, bands)
    ax.set_xlim(-0.3, len(bands) - 0.5)
    ax.set_ylim(0, 100)
    ax.legend(loc="lower left", fontsize=9)
    return finish(fig, ax, title, "Age band (January census)", "EHC plans with a mainstream school placement (%)", source)


def needs_chart(shares: pd.DataFrame, *, area_name: str, comparator: str, title: str, source: str) -> Figure:
    """Paired horizontal bars: each need's share of plans (``need``, ``area``, ``comparator``), largest first."""
    rows = shares.sort_values("area", ascending=True)
    fig, ax = plt.subplots(figsize=(8.5, max(4.0, 0.42 * len(rows) + 1.6)))
    y = np.arange(len(rows))
    ax.barh(y + 0.2, rows["area"], height=0.4, color=HIGHLIGHT, label=area_name)
    ax.barh(y - 0.2, rows["comparator"], height=0.4, color=PALETTE[1], label=comparator)
    ax.set_yticks(list(y), [wrap_label(n, 2.6, 9.5) for n in rows["need"]], fontsize=9.5)
    ax.grid(axis="x", color="#E0E0E0")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=9)
    return finish(fig, ax, title, "Share of EHC plans with this primary need (%)", "", source)


def who_waits_chart(groups: pd.DataFrame, *, area_name: str, area_pct: float, title: str, source: str) -> Figure:
    """Small multiples, one panel a topic: each shown group's rate and 95% interval against the area's overall rate.

    ``groups`` is :func:`~analysis_helpers.analysis.who_waits.who_waits` output; only shown groups are drawn (hidden
    ones carry no figures). A group whose gap from the rest of the area is beyond chance is drawn as a diamond in the
    accent colour and its label says so (the words, not the colour, carry the meaning); the overall rate is labelled
    on the line itself. Where ``groups`` has ``england_pct`` / ``region_pct``, the same group's rate there is marked.
    """
    shown = groups[groups["shown"] & groups["group_pct"].notna()]
    topics = list(dict.fromkeys(shown["topic"]))
    sizes = [int((shown["topic"] == t).sum()) for t in topics]
    fig, axes = plt.subplots(len(topics), 1, figsize=(8.5, 1.4 + 0.34 * sum(sizes) + 0.5 * len(topics)), sharex=True,
                             gridspec_kw={"height_ratios": sizes}, squeeze=False)
    for ax, topic in zip(axes[:, 0], topics, strict=True):
        rows = shown[shown["topic"] == topic]
        y = np.arange(len(rows))[::-1]
        flagged = rows["beyond_chance"].fillna(False).astype(bool).to_numpy()
        for mask, colour, marker in ((~flagged, HIGHLIGHT, "o"), (flagged, PALETTE[2], "D")):
            if mask.any():
                values = rows["group_pct"].to_numpy(dtype=float)[mask]
                err = np.vstack([(values - rows["ci_low_pct"].to_numpy(dtype=float)[mask]).clip(0),
                                 (rows["ci_high_pct"].to_numpy(dtype=float)[mask] - values).clip(0)])
                ax.errorbar(values, y[mask], xerr=err, fmt=marker, color=colour, ecolor=colour, capsize=2, markersize=6)
        ax.axvline(area_pct, color=PALETTE[1], linewidth=1.6)
        for column, marker, colour, label in (("england_pct", "|", "#3D3D3D", "England, same group"),
                                              ("region_pct", "x", PALETTE[3], "Region, same group")):
            if column in rows and rows[column].notna().any():
                ax.scatter(rows[column].to_numpy(dtype=float), y, marker=marker, s=90 if marker == "|" else 40, color=colour,
                           linewidths=2, zorder=4, label=label)
        labels = [g + (" (beyond chance)" if f else "") for g, f in zip(rows["group"], flagged, strict=True)]
        ax.set_yticks(list(y), [wrap_label(label, 2.8, 9) for label in labels], fontsize=9)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_title(topic.capitalize(), fontsize=10, loc="left")
        ax.grid(axis="x", color="#E0E0E0")
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, 100)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:  # the comparators' markers are explained once, in the first panel's corner
        axes[0, 0].legend(handles, labels, loc="best", fontsize=8, frameon=True, framealpha=0.9)
    axes[0, 0].annotate(f"{area_name} overall {area_pct:.1f}%", (area_pct, 1), xycoords=("data", "axes fraction"),
                        xytext=(4, 2), textcoords="offset points", fontsize=8.5, color=PALETTE[1], va="bottom")
    width, _ = fig.get_size_inches()
    fig.suptitle(wrap_label(chart_text(title), 0.95 * width, 12), fontweight="bold", fontsize=12, x=0.01, ha="left")
    axes[-1, 0].set_xlabel(wrap_label("EHC plans issued within 20 weeks, exceptions included (%), with 95% intervals", 0.8 * width))
    fig.text(0.01, 0.005, f"Source: {chart_text(source)}", fontsize=8.5, color="#505050", ha="left", va="bottom")
    fig.set_layout_engine("constrained", rect=(0, 0.03, 1, 0.97))
    return fig
