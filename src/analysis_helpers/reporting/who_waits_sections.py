"""The review's section on who waits: each group's 20-week rate against the rest of the area's children.

Like :mod:`.sections`, each function takes the validated run and returns IPython display objects; the words are written
here from the numbers, so they change when the data does. A figure an area lacks is said, never drawn as zero.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.analysis.who_waits import who_waits_for
from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.formatting import fmt_fraction, fmt_interval, fmt_p, fmt_pct
from analysis_helpers.core.safe_text import md_text, plain
from analysis_helpers.core.small_numbers import MIN_DENOMINATOR, SMALL_COUNT_MAX
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.reporting import charts, pathway_charts


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
