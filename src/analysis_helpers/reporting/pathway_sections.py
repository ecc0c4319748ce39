"""The review's section on the whole EHC pathway, and the details page's comparator tables, ceased plans and personal budgets.

Like :mod:`.sections`, each function takes the validated run (only its
attributes: ``area``, ``region``, ``neighbours``, ``release``,
``dfe_published``) and returns IPython display objects; the words are written
here from the numbers, so they change when the data does. A figure an area
lacks is said, with DfE's reason where the release gives one, never drawn as
zero.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.analysis.compare import SN_MEDIAN, compare
from analysis_helpers.analysis.pathway import BALANCING, CLOCKS, pathway_table, widest_gap
from analysis_helpers.core.formatting import fmt_count, fmt_fraction, fmt_interval, fmt_pct, fmt_points, ordinal
from analysis_helpers.core.safe_text import md_text, plain
from analysis_helpers.domain.measures import CEASED_REASONS, PERSONAL_BUDGETS, PRIMARY_NEEDS
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.reporting import charts, narrative, pathway_charts, tables
from analysis_helpers.reporting.confidence_sections import APPEALS
from analysis_helpers.reporting.inclusion_sections import AGE_BANDS

CLOCKS_AND_BALANCING = (*CLOCKS, BALANCING)


# -- the EHC pathway -----------------------------------------------------------------------------------------------
def _stage(row: pd.Series) -> str:
    """A stage mid-sentence, with its figure against England's: ``plan issued within 20 weeks, 32.3% against 45.9% (2024)``."""
    words = row["stage"][0].lower() + row["stage"][1:]
    return f"{words}, {fmt_pct(row['value'])} against {fmt_pct(row['england'])} ({row['period']})"


def pathway_title(table: pd.DataFrame, area_name: str) -> str:
    """The pathway chart's finding: the widest gap from England among the rows drawn (clocks and the balancing measure,
    in points, either side) of those beyond the funnel's 95% limits (widened for the variation between councils), and the
    clock furthest behind England where that is another, said to be within the limits when it is."""
    if table["england"].isna().all():  # England itself
        values = ", ".join(f"{s.lower()} {fmt_pct(v)}" for s, v in zip(table["stage"], table["value"], strict=True))
        return f"{area_name}: {values}"
    outside = table[~table["funnel"].str.startswith("within") & (table["funnel"] != "")]
    outside = outside[outside["value"].notna() & outside["england"].notna()]  # a gap within the limits is not a finding
    behind, any_behind = widest_gap(outside), widest_gap(table)
    within = ", within the funnel's 95% limits"
    if outside.empty:
        if any_behind is None:
            return f"{area_name}: no statutory clock is behind England"
        return f"{area_name}: no gap from England is beyond the funnel's 95% limits; the clock furthest behind is {_stage(any_behind)}"
    widest = outside.loc[(outside["value"] - outside["england"]).abs().idxmax()]
    where = "in" if widest["role"] == "balancing" else "at"
    title = f"{area_name}: the widest gap from England is {where} {_stage(widest)}"
    if behind is not None and behind.name != widest.name:
        title += f"; the clock furthest behind England is {_stage(behind)}"
    elif behind is None and any_behind is not None:
        title += f"; the clock furthest behind England is {_stage(any_behind)}{within}"
    elif behind is None:
        title += "; no statutory clock is behind England"
    return title


def pathway_sentences(table: pd.DataFrame, area_name: str) -> list[str]:
    """One sentence a clock (value, fraction, interval, England, rank, funnel), one for the balancing measure, and what is missing."""
    out = []
    for _, row in table.iterrows():
        if pd.isna(row["value"]):
            out.append(f"*{row['stage']}*: no figure for {area_name} in {row['period']}"
                       + (f" ({md_text(row['note'])})." if row["note"] else "."))
            continue
        words = (f"*{row['stage']}* ({row['period']}): {fmt_pct(row['value'])} "
                 f"({fmt_fraction(row['numerator'], row['denominator'])}; 95% CI {fmt_interval(row['ci_low'], row['ci_high'])})")
        if pd.notna(row["england"]):
            words += f", England {fmt_pct(row['england'])}"
            if pd.notna(row["gap_to_england"]):
                side = "better" if row["gap_to_england"] > 0 else "worse" if row["gap_to_england"] < 0 else "level"
                words += f" ({fmt_points(abs(row['gap_to_england']))} {side})" if side != "level" else " (level)"
            if row["funnel"]:
                words += f"; {row['funnel']} around England ({narrative.FUNNEL_BASIS[row['funnel_limits']]})"
        if pd.notna(row["rank"]):
            words += f"; ranked {ordinal(int(row['rank']))} of {int(row['of'])} LAs" + (
                " (1 = highest)" if row["higher_is_better"] is None else " (1 = best)")
        out.append(words + ".")
    return out


def pathway_display(table: pd.DataFrame) -> pd.DataFrame:
    """The pathway table for people: one row a stage, the area's figure with its basis and the comparators."""
    return pd.DataFrame({
        "Stage": table["stage"],
        "Period": table["period"],
        "Value": table["value"].map(lambda v: fmt_pct(v, missing="–")),
        "Cases": [fmt_fraction(n, d, missing="–") for n, d in zip(table["numerator"], table["denominator"], strict=True)],
        "95% CI": [fmt_interval(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)],
        "England": table["england"].map(lambda v: fmt_pct(v, missing="–")),
        "Region": table["region"].map(lambda v: fmt_pct(v, missing="–")),
        "Neighbours (median)": table["neighbours_median"].map(lambda v: fmt_pct(v, missing="–")),
        "Rank": ["" if pd.isna(r) else f"{int(r)} of {int(o)}" for r, o in zip(table["rank"], table["of"], strict=True)],
        "Against England": [f"{f} ({narrative.FUNNEL_BASIS[b]})" if f else "" for f, b in
                            zip(table["funnel"], table["funnel_limits"], strict=True)],
    })


def pathway(run: RunContext, source: str) -> list:
    """The statutory clocks from request to annual review, with the refusal share beside them."""
    if not run.dfe_published:
        return []
    table = pathway_table(run.area.code, neighbours=run.neighbours, release=run.release)
    title = pathway_title(table, run.area.name)
    fig = pathway_charts.pathway_chart(table, area_name=run.area.name, title=title, source=source)
    sentences = pathway_sentences(table, run.area.name)
    return [HTML(charts.figure_html(fig, alt=title + ". " + " ".join(plain(s) for s in sentences))),
            Markdown("\n".join(f"* {s}" for s in sentences)),
            HTML(tables.to_html(pathway_display(table), caption=f"{run.area.name}: the EHC pathway's statutory clocks"))]


# -- the details page: every comparator, ceased plans and personal budgets -------------------------------------------
DETAIL_MEASURES = tuple(m for m, _ in CLOCKS_AND_BALANCING) + (APPEALS,) + tuple(m for m, _ in AGE_BANDS)


def pathway_details(run: RunContext) -> list:
    """Each pathway, confidence and inclusion measure with its full comparator table (neighbours one by one)."""
    if not run.dfe_published:
        return []
    shown = []
    for measure in DETAIL_MEASURES:
        frame = compare(run.area.code, measure, neighbours=run.neighbours, release=run.release)
        shown += [Markdown(narrative.compare_sentence(frame, measure)),
                  HTML(tables.to_html(tables.comparison_table(frame, measure), caption=narrative.comparison_title(frame, measure)))]
    for prefix, plans in (("ehcp", "all EHC plans (January census)"), ("new_ehcp", "new EHC plans (calendar year)")):
        shown.append(HTML(tables.to_html(needs_table(run, prefix), caption=f"{run.area.name}: primary needs of {plans}")))
    return shown


def needs_table(run: RunContext, prefix: str = "ehcp") -> pd.DataFrame:
    """Each primary need's share of the area's plans (``ehcp``: all plans; ``new_ehcp``: new plans) beside England, the
    region and the statistical neighbours' median, largest share first."""
    rows = []
    for code, _, need in PRIMARY_NEEDS:
        frame = compare(run.area.code, f"{prefix}_primary_need_{code}_pct", neighbours=run.neighbours, release=run.release)
        share = frame.set_index("comparator")["value"].get
        area = frame.set_index("comparator").loc["Area"]
        row = {"Primary need": need[:1].upper() + need[1:], "Period": area["period"], "_order": area["value"],
               run.area.name: fmt_pct(area["value"], missing="–"),
               "Plans": fmt_fraction(area["numerator"], area["denominator"], missing="–")}
        for label, column in (("England", "England"), ("Region", "Region"), (SN_MEDIAN, "Neighbours (median)")):
            if label in frame["comparator"].values:  # England's own table has no England column: it is the area
                row[column] = fmt_pct(share(label), missing="–")
        rows.append(row)
    return pd.DataFrame(rows).sort_values("_order", ascending=False, na_position="last").drop(columns="_order")


def ceased_table(run: RunContext) -> tuple[pd.DataFrame, str]:
    """Plans ceased in the latest year by DfE's reason: the area's count and share of its ceased plans, England's share."""
    rows = []
    for _, code, reason in CEASED_REASONS:
        measure = f"ehcp_ceased_{code}_count" if code else "ehcp_ceased_count"
        frame = compare(run.area.code, measure, neighbours=run.neighbours, release=run.release).set_index("comparator")
        rows.append({"measure": measure, "reason": reason, "period": frame.loc["Area", "period"], "area": frame.loc["Area", "value"],
                     "england": frame.loc["England", "value"] if "England" in frame.index else frame.loc["Area", "value"]})
    table = pd.DataFrame(rows)
    total, england_total = table.loc[0, "area"], table.loc[0, "england"]
    return pd.DataFrame({
        "Reason the plan ceased": [_reason(r) for r in table["reason"]],
        "Plans": table["area"].map(lambda v: fmt_count(v, missing="–")),
        "Share of ceased plans": [fmt_pct(100 * v / total, missing="–") if total else "–" for v in table["area"]],
        "England's share": [fmt_pct(100 * v / england_total, missing="–") if england_total else "–" for v in table["england"]],
    }), table.loc[0, "period"]


def _reason(words: str) -> str:
    """A ceased-plan reason as a table cell: ``because the plan transferred to another LA`` -> ``The plan transferred to another LA``."""
    special = {"for any reason": "All ceased plans", "with the reason not recorded": "Reason not recorded",
               "for another reason": "Another reason"}
    text = special.get(words, words.removeprefix("because "))
    return text[:1].upper() + text[1:]


def ceased_and_budgets(run: RunContext) -> list:
    """How plans end (ceased plans by reason) and personal budgets in place, as DfE counts them."""
    if not run.dfe_published:
        return []
    ceased, period = ceased_table(run)
    shown = [HTML(tables.to_html(ceased, caption=f"{run.area.name}: EHC plans ceased in {period}, by reason"))]
    budgets = []
    for _, code, covers in PERSONAL_BUDGETS:
        measure = f"ehcp_personal_budget_{code}_count" if code else "ehcp_personal_budget_count"
        frame = compare(run.area.code, measure, neighbours=run.neighbours, release=run.release).set_index("comparator")
        budgets.append({"EHC plans": "Plans " + covers, "Period": frame.loc["Area", "period"],
                        run.area.name: fmt_count(frame.loc["Area", "value"], missing="–"),
                        **({"England": fmt_count(frame.loc["England", "value"], missing="–")} if "England" in frame.index else {})})
    shown.append(HTML(tables.to_html(pd.DataFrame(budgets), caption=f"{run.area.name}: personal budgets at the January census")))
    return shown
