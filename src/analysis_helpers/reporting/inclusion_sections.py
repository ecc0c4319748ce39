"""The review's section on inclusion across the school years: mainstream placement by age band and the needs mix.

Like :mod:`.sections`, each function takes the validated run and returns IPython display objects; the words are written
here from the numbers, so they change when the data does. A figure an area lacks is said, never drawn as zero.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.analysis.compare import SN_MEDIAN, compare
from analysis_helpers.core.formatting import fmt_count, fmt_fraction, fmt_pct, fmt_points
from analysis_helpers.domain.measures import PRIMARY_NEEDS
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.reporting import charts, pathway_charts

AGE_BANDS = (("ehcp_caseload_mainstream_primary_age_pct", "Ages 5-10"), ("ehcp_caseload_mainstream_secondary_age_pct", "Ages 11-15"))


def age_points(run: RunContext) -> tuple[pd.DataFrame, dict]:
    """Mainstream share by age band for the area, England, the region and the neighbours' median; and the area's compare rows."""
    points, mine = [], {}
    for measure, band in AGE_BANDS:
        frame = compare(run.area.code, measure, neighbours=run.neighbours, release=run.release).set_index("comparator")
        mine[band] = frame.loc["Area"]
        for comparator in ("Area", "England", "Region", SN_MEDIAN):
            if comparator in frame.index and pd.notna(frame.loc[comparator, "value"]):
                name = "Statistical neighbours (median)" if comparator == SN_MEDIAN else frame.loc[comparator, "area_name"]
                role = "Statistical neighbours (median)" if comparator == SN_MEDIAN else comparator
                points.append({"name": name, "band": band, "value": float(frame.loc[comparator, "value"]), "role": role})
    return pd.DataFrame(points, columns=["name", "band", "value", "role"]), mine


def inclusion(run: RunContext, source: str) -> list:
    """Mainstream placement at primary and secondary ages against England, region and neighbours; then the needs mix."""
    if not run.dfe_published:
        return []
    points, mine = age_points(run)
    primary, secondary = (mine[band] for _, band in AGE_BANDS)
    shown = []
    if pd.isna(primary["value"]) or pd.isna(secondary["value"]):
        shown.append(Markdown(f"*{run.area.name} has no published mainstream share for one of the age bands in "
                              f"{primary['period']}; the chart shows the comparators only.*"))
        title = f"Mainstream placement by age band, {primary['period']}"
    else:
        england = points[(points["name"] == "England")].set_index("band")["value"]
        change = secondary["value"] - primary["value"]
        verb = "falls" if change < 0 else "rises" if change > 0 else "is level"
        title = (f"{run.area.name}: mainstream placement {verb} from {fmt_pct(primary['value'])} at ages 5-10 to "
                 f"{fmt_pct(secondary['value'])} at ages 11-15 ({primary['period']})")
        if len(england) == 2 and run.area.name != "England":
            title += f"; England {fmt_pct(england.iloc[0])} to {fmt_pct(england.iloc[1])}"
        shown.append(Markdown(
            f"At the January {int(primary['period'][:4]) + 1} census, {fmt_pct(primary['value'])} of "
            f"{run.area.name}'s plans for children aged 5 to 10 ({fmt_fraction(primary['numerator'], primary['denominator'])}) "
            f"and {fmt_pct(secondary['value'])} for young people aged 11 to 15 "
            f"({fmt_fraction(secondary['numerator'], secondary['denominator'])}) had a mainstream school placement: "
            + (f"a {'fall' if change < 0 else 'rise'} of {fmt_points(abs(change))} at the move to secondary school."
               if change else "the same share at the move to secondary school.")
            + (" With so few plans, the difference says little." if min(primary["denominator"], secondary["denominator"]) < 10
               else "")
        ))
    fig = pathway_charts.age_slope_chart(points, title=title, source=source, highlight=run.area.name)
    shown.insert(0, HTML(charts.figure_html(fig, alt=title)))
    return shown + needs_mix(run, source)


def needs_mix(run: RunContext, source: str) -> list:
    """Each primary need's share of the area's plans beside England's (January census), largest first."""
    rows = []
    for code, _, need in PRIMARY_NEEDS:
        frame = compare(run.area.code, f"ehcp_primary_need_{code}_pct", neighbours=run.neighbours, release=run.release)
        frame = frame.set_index("comparator")
        england = frame.loc["England", "value"] if "England" in frame.index else float("nan")
        rows.append({"need": need, "area": frame.loc["Area", "value"], "comparator": england,
                     "count": frame.loc["Area", "numerator"], "plans": frame.loc["Area", "denominator"],
                     "period": frame.loc["Area", "period"]})
    shares = pd.DataFrame(rows)
    if shares["area"].isna().all():
        return [Markdown(f"*DfE publishes no primary-need figures for {run.area.name} in this release.*")]
    top = shares.loc[shares["area"].idxmax()]
    comparator = "England" if run.area.name != "England" else ""
    title = f"{run.area.name}: {top['need']} is the most common primary need, {fmt_pct(top['area'])} of plans ({top['period']})"
    if comparator and pd.notna(top["comparator"]):
        title += f", against {fmt_pct(top['comparator'])} in England"
    chart = shares if comparator else shares.assign(comparator=float("nan"))
    fig = pathway_charts.needs_chart(chart, area_name=run.area.name, comparator=comparator or "England",
                                     title=title, source=source)
    sentence = (f"Of {fmt_count(top['plans'])} plans at the census, {fmt_count(top['count'])} name {top['need']} as the primary "
                "need. Shares by need, largest first: "
                + "; ".join(f"{r['need']} {fmt_pct(r['area'])}" for _, r in shares.sort_values("area", ascending=False).iterrows()
                            if pd.notna(r["area"])) + ".")
    return [HTML(charts.figure_html(fig, alt=title)), Markdown(sentence)]
