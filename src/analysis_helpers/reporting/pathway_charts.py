"""Charts of the EHC pathway, inclusion by age and the needs mix, in the house style of :mod:`.charts`.

* :func:`pathway_chart` — the statutory clocks in the order a family meets them
  (dot and 95% interval for the area; markers for England, the region and the
  neighbours' median, a row lacking one saying so), with the refusal share below a rule;
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
from analysis_helpers.reporting import palette
from analysis_helpers.reporting.charts import HIGHLIGHT, finish, styled, wrap_label

#: Comparator markers beside the area's dot: (table column, legend label, style), in the palette's styles.
COMPARATOR_MARKERS = (
    ("england", "England", palette.ENGLAND),
    ("region", "Region", palette.REGION),
    ("neighbours_median", "Statistical neighbours (median)", palette.NEIGHBOURS),
)


def _dots(ax, rows: pd.DataFrame, area_name: str, legend: bool) -> None:
    """One row per stage: the area's value with its interval, and the comparators' markers."""
    y = np.arange(len(rows))[::-1]
    values = rows["value"].to_numpy(dtype=float)
    low = (rows["value"] - rows["ci_low"]).clip(lower=0).fillna(0).to_numpy(dtype=float)
    high = (rows["ci_high"] - rows["value"]).clip(lower=0).fillna(0).to_numpy(dtype=float)
    ax.errorbar(values, y, xerr=np.vstack([low, high]), fmt="o", color=HIGHLIGHT, ecolor=HIGHLIGHT, elinewidth=2, capsize=3,
                markersize=8, zorder=5, label=f"{area_name} (95% interval)" if legend else "_nolegend_")
    for column, label, style in COMPARATOR_MARKERS:
        if rows[column].notna().any():
            ax.scatter(rows[column].to_numpy(dtype=float), y, marker=style.marker, s=50, color=style.colour, edgecolor="white",
                       linewidths=0.6, zorder=4, label=label if legend else "_nolegend_")
    for value, position in zip(rows["value"], y, strict=True):
        if pd.notna(value):
            ax.annotate(f"{value:.1f}%", (value, position), xytext=(0, 9), textcoords="offset points", ha="center",
                        fontsize=9, color=HIGHLIGHT, fontweight="bold")
    drawn = [(column, label) for column, label, _ in COMPARATOR_MARKERS if rows[column].notna().any()]
    missing = [", ".join(f"no {label} figure" for column, label in drawn if pd.isna(row[column])) for _, row in rows.iterrows()]
    labels = [wrap_label(f"{s} ({p})" + (" — lower is better" if b is False else "") + (f" ({m})" if m else ""), 2.3, 9.5)
              for s, p, b, m in zip(rows["stage"], rows["period"], rows["higher_is_better"], missing, strict=True)]
    ax.set_yticks(list(y), labels, fontsize=9.5)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, 100)
    ax.grid(axis="x", color="#E0E0E0")
    ax.grid(axis="y", visible=False)


@styled
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


@styled
def age_slope_chart(points: pd.DataFrame, *, title: str, source: str, highlight: str) -> Figure:
    """Mainstream share at two age bands, a line per comparator (``name``, ``band``, ``value``; bands in order).

    An optional ``role`` column (``Area``, ``England``, ``Region``, ``Statistical neighbours (median)``) picks each line's
    style from :mod:`.palette`; without it, lines are styled by name."""
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    bands = list(dict.fromkeys(points["band"]))
    x = np.arange(len(bands))
    roles = dict(zip(points["name"], points["role"], strict=True)) if "role" in points else {}
    for name, rows in points.groupby("name", sort=False):
        values = rows.set_index("band")["value"].reindex(bands)
        mine = name == highlight
        style = palette.COMPARATORS.get(roles.get(name, ""), palette.for_name(str(name), area=highlight))
        colour = style.colour
        ax.plot(x, values, marker=style.marker or "o", color=colour, linewidth=3 if mine else 1.6, linestyle=style.linestyle,
                zorder=5 if mine else 3, label=name)
        if mine or name == "England":  # two labels, never a pile of overlapping ones
            ax.annotate(f"{values.iloc[-1]:.1f}%", (x[-1], values.iloc[-1]), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=9, color=colour)
    ax.set_xticks(x, bands)
    ax.set_xlim(-0.3, len(bands) - 0.5)
    ax.set_ylim(0, 100)
    ax.legend(loc="lower left", fontsize=9)
    return finish(fig, ax, title, "Age band (January census)", "EHC plans with a mainstream school placement (%)", source)


@styled
def needs_chart(shares: pd.DataFrame, *, area_name: str, comparator: str, title: str, source: str) -> Figure:
    """Paired horizontal bars: each need's share of plans (``need``, ``area``, ``comparator``), largest first."""
    rows = shares.sort_values("area", ascending=True)
    fig, ax = plt.subplots(figsize=(8.5, max(4.0, 0.42 * len(rows) + 1.6)))
    y = np.arange(len(rows))
    ax.barh(y + 0.2, rows["area"], height=0.4, color=HIGHLIGHT, label=area_name)
    ax.barh(y - 0.2, rows["comparator"], height=0.4, color=palette.ENGLAND.colour, hatch="///", edgecolor="white",
            label=comparator)  # hatched as well as coloured: England's bars read in grey too
    ax.set_yticks(list(y), [wrap_label(n, 2.6, 9.5) for n in rows["need"]], fontsize=9.5)
    ax.grid(axis="x", color="#E0E0E0")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize=9)
    return finish(fig, ax, title, "Share of EHC plans with this primary need (%)", "", source)


@styled
def who_waits_chart(groups: pd.DataFrame, *, area_name: str, area_pct: float, title: str, source: str) -> Figure:
    """Small multiples, one panel a topic: each shown group's rate and 95% interval against the area's overall rate.

    ``groups`` is :func:`~analysis_helpers.analysis.who_waits.who_waits` output; only shown groups are drawn (hidden
    ones carry no figures). A group whose gap from the rest of the area is beyond chance is drawn as a diamond in the
    palette's "beyond chance" style and its label says so (the words, not the colour, carry the meaning); the overall
    rate is labelled on the line itself. Where ``groups`` has ``england_pct`` / ``region_pct``, the same group's rate
    there is marked in England's and the region's styles; a row without one says so in its label (the reason from
    ``england_note`` / ``region_note`` where given).
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
        for mask, style, label in ((~flagged, palette.AREA, f"{area_name}, group (95% interval)"),
                                   (flagged, palette.BEYOND_CHANCE, "Gap from the rest of the area beyond chance")):
            if mask.any():
                values = rows["group_pct"].to_numpy(dtype=float)[mask]
                err = np.vstack([(values - rows["ci_low_pct"].to_numpy(dtype=float)[mask]).clip(0),
                                 (rows["ci_high_pct"].to_numpy(dtype=float)[mask] - values).clip(0)])
                ax.errorbar(values, y[mask], xerr=err, fmt=style.marker, color=style.colour, ecolor=style.colour, capsize=2,
                            markersize=6, zorder=5, label=label)
        ax.axvline(area_pct, color=palette.AREA.colour, linestyle=palette.AREA.linestyle, linewidth=1.2, alpha=0.7, zorder=1)
        missing = [""] * len(rows)
        for column, name, style in (("england_pct", "England", palette.ENGLAND), ("region_pct", "Region", palette.REGION)):
            if column not in rows or not groups[column].notna().any():
                continue  # no comparator of this kind at all (the area is England, or has no region): the legend says nothing
            values = rows[column].to_numpy(dtype=float)
            if np.isfinite(values).any():
                ax.scatter(values, y, marker=style.marker, s=44, color=style.colour, edgecolor="white", linewidths=0.6,
                           zorder=4, label=f"{name}, same group")
            notes = rows.get(column.replace("_pct", "_note"), pd.Series("", index=rows.index)).fillna("")
            for i, (value, note) in enumerate(zip(values, notes, strict=True)):
                if not np.isfinite(value):  # its absence is said on the row, never left for the reader to guess
                    missing[i] += f"; {note or f'no {name} figure'}"
        labels = [g + (" (beyond chance)" if f else "") + (f" ({m[2:]})" if m else "")
                  for g, f, m in zip(rows["group"], flagged, missing, strict=True)]
        ax.set_yticks(list(y), [wrap_label(chart_text(label), 2.8, 9) for label in labels], fontsize=9)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_title(topic.capitalize(), fontsize=10, loc="left")
        ax.grid(axis="x", color="#E0E0E0")
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, 100)
    legend = {}
    for ax in axes[:, 0]:  # every kind of marker, from whichever panel draws it, explained once below the panels
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    if legend:  # outside the panels, so that it never hides a marker
        fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncol=2, fontsize=8)
    axes[0, 0].annotate(f"{area_name} overall {area_pct:.1f}%", (area_pct, 1), xycoords=("data", "axes fraction"),
                        xytext=(4, 2), textcoords="offset points", fontsize=8.5, color=palette.AREA.colour, va="bottom")
    width, _ = fig.get_size_inches()
    fig.suptitle(wrap_label(chart_text(title), 0.95 * width, 12), fontweight="bold", fontsize=12, x=0.01, ha="left")
    axes[-1, 0].set_xlabel(wrap_label("EHC plans issued within 20 weeks, exceptions included (%), with 95% intervals", 0.8 * width))
    fig.text(0.01, 0.005, f"Source: {chart_text(source)}", fontsize=8.5, color="#505050", ha="left", va="bottom")
    fig.set_layout_engine("constrained", rect=(0, 0.03, 1, 0.97))
    return fig
