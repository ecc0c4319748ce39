"""The review's sections on the whole EHC pathway, parents' confidence and inclusion across the school years.

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
from analysis_helpers.analysis.who_waits import who_waits_for
from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.formatting import fmt_count, fmt_fraction, fmt_interval, fmt_p, fmt_pct, fmt_points, ordinal
from analysis_helpers.core.safe_text import md_text, plain
from analysis_helpers.core.small_numbers import MIN_DENOMINATOR, SMALL_COUNT_MAX
from analysis_helpers.domain.areas import LOCAL_AUTHORITY
from analysis_helpers.domain.measures import CEASED_REASONS, PERSONAL_BUDGETS, PRIMARY_NEEDS, get_measure
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.reporting import charts, narrative, pathway_charts, tables
from analysis_helpers.reporting.funnel_section import funnel

AGE_BANDS = (("ehcp_caseload_mainstream_primary_age_pct", "Ages 5-10"), ("ehcp_caseload_mainstream_secondary_age_pct", "Ages 11-15"))
APPEALS = "send_tribunal_appeal_rate_pct"
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


# -- parents' confidence ----------------------------------------------------------------------------------------------
def confidence(run: RunContext, kpis: pd.DataFrame, names: list[str], source: str) -> list:
    """The SEND Tribunal appeal rate since 2014 against England and the region, and (for an LA) its funnel plot."""
    if not run.dfe_published:
        return []
    frame = compare(run.area.code, APPEALS, neighbours=run.neighbours, release=run.release)
    shown = [Markdown(narrative.compare_sentence(frame, APPEALS))]
    series = kpis[(kpis["measure"] == APPEALS) & kpis["area_name"].isin(names)]
    title = narrative.trend_title(series, run.area.name, APPEALS)
    fig = charts.trend_chart(series, title=title, ylabel=get_measure(APPEALS).label,
                             source=source + "; HMCTS SEND Tribunal appeals", highlight=run.area.name,
                             region=run.region.name if run.region else None)
    shown.append(HTML(charts.figure_html(fig, alt=title)))
    if run.area.level == LOCAL_AUTHORITY and pd.notna(frame.loc[0, "value"]):
        shown += funnel(run, kpis, APPEALS, frame.loc[0, "period"], source)
    return shown


# -- inclusion across the school years ---------------------------------------------------------------------------------
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


# -- who waits ----------------------------------------------------------------------------------------------------------
def group_words(topic: str, group: str) -> str:
    """A breakdown group as words mid-sentence, in DfE's own group names: ``children aged 11 to 15``,
    ``Female children and young people``, ``children and young people recorded as White - Irish``."""
    if topic == "age":
        return "children of unknown age" if group.lower() == "unknown" else f"children aged {group}"
    if topic == "sex":
        return f"{group} children and young people"
    return f"children and young people recorded as {group}"


def who_waits_sentences(groups: pd.DataFrame, area_name: str, period: str) -> list[str]:
    """Which groups differ from the rest of the area beyond chance (Holm-adjusted), and which are not shown and why."""
    flagged = groups[groups["beyond_chance"].fillna(False).astype(bool)]
    tested = int(groups["p_value"].notna().sum())
    if flagged.empty:
        out = [f"In {period}, no group's rate differs from the rest of {area_name} by more than chance "
               f"({tested} groups tested at 5%, allowing for the number of groups compared in each topic)."]
    else:
        out = [f"In {period}, {len(flagged)} of {tested} groups differ from the rest of {area_name} by more than chance "
               "(tested at 5%, allowing for the number of groups compared in each topic):"]
        for _, g in flagged.iterrows():
            side = "less" if g["gap_points"] < 0 else "more"
            words = md_text(group_words(g["topic"], g["group"]))  # DfE's group names, from the release file
            out.append(f"{words[:1].upper()}{words[1:]}: {fmt_pct(g['group_pct'])} ({fmt_fraction(g['numerator'], g['denominator'])}; "
                       f"95% CI {fmt_interval(g['ci_low_pct'], g['ci_high_pct'])}) within 20 weeks, {side} often than the rest "
                       f"of the area ({fmt_pct(g['rest_pct'])}; adjusted {fmt_p(g['p_adjusted'])})"
                       + (f"; the same group in England: {fmt_pct(g['england_pct'])}" if pd.notna(g.get("england_pct")) else "") + ".")
    hidden = groups[~groups["shown"]]
    if len(hidden):
        out.append(f"Not shown ({len(hidden)} groups: fewer than {MIN_DENOMINATOR} plans, 1 to {SMALL_COUNT_MAX} on time, "
                   "one that would give such a group away, or not published by DfE): "
                   + ", ".join(md_text(f"{t} {g}") for t, g in zip(hidden["topic"], hidden["group"], strict=True)) + ".")
    return out


def with_comparators(groups: pd.DataFrame, run: RunContext, period: str) -> pd.DataFrame:
    """``groups`` with ``england_pct`` and ``region_pct``: the same group's rate in England and the region that period
    (missing where that area has no shown figure for the group, or the area is England itself), and ``england_note`` /
    ``region_note``: why a rate is missing (withheld under the disclosure rules, or not published), else blank."""
    out = groups.copy()
    for column, name, words in (("england_pct", "England", "England"), ("region_pct", run.region.code if run.region else None, "region")):
        out[column] = float("nan")
        note = column.replace("_pct", "_note")
        out[note] = ""
        if name is None or name in (run.area.name, run.area.code):
            continue
        try:
            theirs = who_waits_for(name, period, release=run.release)
        except ParameterError:
            continue
        rates = {(t, g): v for t, g, v, shown in zip(theirs["topic"], theirs["group"], theirs["group_pct"], theirs["shown"], strict=True)
                 if shown and pd.notna(v)}
        hidden = {(t, g) for t, g, shown in zip(theirs["topic"], theirs["group"], theirs["shown"], strict=True) if not shown}
        keys = list(zip(out["topic"], out["group"], strict=True))
        out[column] = [rates.get(key, float("nan")) for key in keys]
        out[note] = ["" if key in rates else f"{words}'s figure withheld under the disclosure rules" if key in hidden
                     else f"no {words} figure published" for key in keys]
    return out


def who_waits(run: RunContext, source: str) -> list:
    """Timeliness by age band, sex and ethnicity against the area's overall figure, flagging gaps beyond chance."""
    if not run.dfe_published:
        return []
    try:
        groups = who_waits_for(run.area.code, release=run.release)
    except ParameterError as exc:
        return [Markdown(f"*Who waits cannot be shown for {run.area.name}: {exc}.*")]
    if not groups["shown"].any():
        return [Markdown(f"*Every group of {run.area.name}'s plans is too small to show under the disclosure rules.*")]
    period = groups["period"].iloc[0]
    groups = with_comparators(groups, run, period)
    area_pct = float(groups["area_pct"].dropna().iloc[0])
    flagged = groups[groups["beyond_chance"].fillna(False).astype(bool)]
    waiting = flagged[(flagged["gap_points"] < 0) & ~flagged["group"].str.lower().isin(("unknown", "unclassified"))]
    if waiting.empty:
        title = f"{run.area.name}, {period}: no recorded group waits longer than the rest of the area by more than chance"
    else:
        worst = waiting.loc[waiting["gap_points"].idxmin()]
        title = (f"{run.area.name}, {period}: {group_words(worst['topic'], worst['group'])} had {fmt_pct(worst['group_pct'])} "
                 f"of plans within 20 weeks, against {fmt_pct(area_pct)} overall")
    fig = pathway_charts.who_waits_chart(groups, area_name=run.area.name, area_pct=area_pct, title=title, source=source)
    sentences = who_waits_sentences(groups, run.area.name, period)
    return [HTML(charts.figure_html(fig, alt=title + ". " + " ".join(plain(s) for s in sentences))),
            Markdown("\n".join(f"* {s}" for s in sentences))]


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
