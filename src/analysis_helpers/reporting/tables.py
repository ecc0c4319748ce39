"""Tables for people: rounded, labelled, with header cells, ready for HTML.

Builders return plain DataFrames of display strings (so they are easy to test);
:func:`to_html` renders one as an accessible HTML table with a caption, column
header cells (``<th scope="col">``) and no index column.
"""

from __future__ import annotations

import pandas as pd

from analysis_helpers.core.formatting import fmt_count, fmt_interval, fmt_pct, fmt_points, fmt_probability, fmt_value
from analysis_helpers.core.safe_text import html_text
from analysis_helpers.domain.measures import get_measure
from analysis_helpers.domain.targets import measure_unit


def comparison_table(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Display version of a :func:`~analysis_helpers.analysis.compare.compare` table."""
    unit = get_measure(measure).unit
    out = pd.DataFrame(
        {
            "Comparator": frame["comparator"],
            "Area": frame["area_name"],
            "Value": [fmt_value(v, unit, missing="–") for v in frame["value"]],
            "Numerator": frame["numerator"].map(fmt_count),
            "Denominator": frame["denominator"].map(fmt_count),
            "95% CI": [fmt_interval(lo, hi) for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)],
            "Rank": [
                "" if pd.isna(r) else f"{int(r)} of {int(o)} ({q})"
                for r, o, q in zip(frame["rank"], frame["of"], frame["quartile"], strict=True)
            ],
            "Note": frame["note"].fillna(""),
        }
    )
    return out


def kpi_display(rows: pd.DataFrame) -> pd.DataFrame:
    """Display version of KPI rows: period, value, numerator/denominator, interval."""
    return pd.DataFrame(
        {
            "Area": rows["area_name"],
            "Period": rows["period"],
            "Value": [fmt_value(v, u) for v, u in zip(rows["value"], rows["unit"], strict=True)],
            "Numerator": rows["numerator"].map(fmt_count),
            "Denominator": rows["denominator"].map(fmt_count),
            "95% CI": [fmt_interval(lo, hi) for lo, hi in zip(rows["ci_low"], rows["ci_high"], strict=True)],
        }
    )


#: The class that prints a table on a landscape page of its own (``@page wide`` in pipeline.html's print CSS).
WIDE = "wide-table"


def to_html(table: pd.DataFrame, caption: str, css_class: str = "") -> str:
    """Accessible HTML: a caption, ``<th scope="col">`` headers, no index column; every cell and the caption escaped
    (a cell may hold a feed's source title or basis, a caption a target's id). ``css_class`` adds classes to the
    table's ``send-table`` (:data:`WIDE`: printed landscape, for a table with many columns)."""
    classes = " ".join(["send-table", *css_class.split()])
    head = "".join(f'<th scope="col">{html_text(c)}</th>' for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html_text(v)}</td>" for v in row) + "</tr>" for row in table.itertuples(index=False)
    )
    return (
        f'<table class="{html_text(classes)}"><caption>{html_text(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def history_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Display version of a long-history series, with its collection and the break."""
    out = kpi_display(rows).drop(columns="Area")
    out["Collection"] = rows["collection"].to_numpy()
    out["Series break"] = ["yes: first year of the new collection" if b else "" for b in rows["series_break"]]
    return out


def baselines_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Display version of :func:`~analysis_helpers.analysis.baselines.seed_baselines`."""
    return pd.DataFrame(
        {
            "Figure": rows["figure"],
            "Area": rows["area_name"],
            "Value": [fmt_value(v, "pct") for v in rows["value"]],
            "Plans on time / plans issued": [
                "not published" if pd.isna(n) else f"{fmt_count(n)} / {fmt_count(d)}"
                for n, d in zip(rows["numerator"], rows["denominator"], strict=True)
            ],
            "95% CI": [fmt_interval(lo, hi) for lo, hi in zip(rows["ci_low"], rows["ci_high"], strict=True)],
            "Basis": rows["basis"],
            "Source": rows["source"],
        }
    )


def outlook_table(summaries: list[dict]) -> pd.DataFrame:
    """One row per target: latest, baseline, target, required now, gap, probability, date reached, model."""
    rows = []
    for s in summaries:
        unit = measure_unit(s["measure"]) or "count"
        rows.append(
            {
                "Target": s["target_id"] or "(none)",
                "Latest": f"{fmt_value(s['latest_value'], unit, missing='')} ({s['latest_period']})",
                "Baseline": f"{fmt_value(s['baseline_value'], unit, missing='')} ({s['baseline_date']})" if s["baseline_date"] else "",
                "Target value": f"{fmt_value(s['target_value'], unit, missing='')} by {s['target_date']}" if s["target_date"] else "",
                "Required now": fmt_value(s["required_now"], unit, missing=""),
                "Probability on time": fmt_probability(s["probability_by_target_date"]),
                "Reached (median, 80% interval)": (
                    s["reached_median"] if s["reached_median"] in ("", "not within horizon")
                    else f"{s['reached_median']} ({s['reached_early']}–{s['reached_late'] or 'beyond horizon'})"
                ),
                "Model": s["model"] or "none (too few points)",
            }
        )
    return pd.DataFrame(rows)


def projection_table(rows: pd.DataFrame, unit: str = "pct") -> pd.DataFrame:
    """Projected values with 80% and 95% intervals, the required path and the target."""
    def v(x):
        return fmt_value(x, unit, missing="")

    return pd.DataFrame(
        {
            "Period": rows["period"],
            "Projected": rows["value_projected"].map(v),
            "80% interval": [f"{v(a)} – {v(b)}" for a, b in zip(rows["pi80_low"], rows["pi80_high"], strict=True)],
            "95% interval": [f"{v(a)} – {v(b)}" for a, b in zip(rows["pi95_low"], rows["pi95_high"], strict=True)],
            "Required": rows["required"].map(v),
            "Target": rows["target"].map(v),
            "Model": rows["model"],
        }
    )


def backtest_display(table: pd.DataFrame) -> pd.DataFrame:
    """The backtest's overall rows (every model and horizon), for people."""
    overall = table[table["year"] == "overall"]
    horizons = overall["horizon"] if "horizon" in overall else pd.Series(1, index=overall.index)
    return pd.DataFrame(
        {
            "Model": overall["model"],
            "Years ahead": horizons.map(lambda h: f"{int(h)}"),
            "Forecasts": overall["n"].map(fmt_count),
            "Inside 80% interval": overall["coverage_80"].map(lambda c: f"{fmt_pct(c)} (nominal 80%)"),
            "Inside 95% interval": overall["coverage_95"].map(lambda c: f"{fmt_pct(c)} (nominal 95%)"),
            "80% interval width": overall["width_80"].map(fmt_points) if "width_80" in overall else "",
            "Interval score (80%)": overall["winkler_80"].map(lambda s: f"{s:.1f}") if "winkler_80" in overall else "",
            "Mean abs. error": overall["mae"].map(fmt_points),
            "Naive error": overall["mae_naive"].map(fmt_points),
        }
    )


def headline_text(comparison: pd.DataFrame) -> str:
    """Plain-text headline of a comparison (area, England, region, neighbours' mean, rank) for nbval."""
    keep = comparison[comparison["comparator"].isin(["Area", "England", "Region", "Statistical neighbours (mean)"])]
    lines = [f"{c}: {v:.1f}" for c, v in zip(keep["comparator"], keep["value"], strict=True)]
    area = comparison.iloc[0]
    if not pd.isna(area["rank"]):
        lines.append(f"rank {int(area['rank'])} of {int(area['of'])} (quartile {area['quartile']})")
    return "\n".join(lines)
