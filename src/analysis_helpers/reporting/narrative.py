"""Sentences and chart titles written from the numbers, never typed in.

Every function takes computed tables (from :mod:`~analysis_helpers.analysis.compare`,
:mod:`~analysis_helpers.domain.kpis` or an outlook) and returns text, so a
notebook's narrative changes when the data changes. Numbers are written by
:mod:`analysis_helpers.core.formatting`; a sentence is Markdown, and any text in it
that came from a file (a feed's basis, a target's denominator or id) is escaped
by :func:`analysis_helpers.core.safe_text.md_text`.
"""

from __future__ import annotations

import pandas as pd

from analysis_helpers.analysis.spc import MIN_STABLE_POINTS, MIN_TRIAL_POINTS
from analysis_helpers.core.formatting import (
    fmt_change,
    fmt_count,
    fmt_fraction,
    fmt_gbp_m,
    fmt_interval,
    fmt_month,
    fmt_p,
    fmt_probability,
    fmt_size,
    fmt_value,
    ordinal,
)
from analysis_helpers.core.safe_text import md_text
from analysis_helpers.data.local_feed import LOCAL_MEASURES
from analysis_helpers.domain.measures import BY_NAME, get_measure
from analysis_helpers.reporting import disclosure
from analysis_helpers.reporting.model_text import model_words


def phrase(label: str) -> str:
    """A measure label for use mid-sentence: unit suffix dropped, acronyms kept (``EHC``)."""
    text = label.replace(" (%)", "")
    first, _, rest = text.partition(" ")
    if not first.isupper():
        first = first[:1].lower() + first[1:]
    return f"{first} {rest}".strip()


def _row(frame: pd.DataFrame, comparator: str) -> pd.Series | None:
    hit = frame[frame["comparator"] == comparator]
    return hit.iloc[0] if len(hit) else None


def _is_true(flag) -> bool:
    """A test's verdict as a Python bool: numpy's ``True`` (a one-row table's bool column) is true too, NA is not."""
    return not pd.isna(flag) and bool(flag)


def compare_sentence(frame: pd.DataFrame, measure: str) -> str:
    """A paragraph describing a :func:`~analysis_helpers.analysis.compare.compare` table."""
    m = get_measure(measure)
    area = _row(frame, "Area")
    if area is None:
        return ""
    unit = m.unit
    parts = []
    if pd.isna(area["value"]):
        return f"{area['area_name']} has no published value for {phrase(m.label)} in {area['period']}."
    if unit == "pct":
        parts.append(
            f"In {area['period']}, {area['area_name']}: {fmt_value(area['value'], unit)} "
            f"({fmt_fraction(area['numerator'], area['denominator'])}; 95% CI {fmt_interval(area['ci_low'], area['ci_high'])}) "
            f"for {phrase(m.label)}."
        )
    else:
        parts.append(f"In {area['period']}, {area['area_name']}: {fmt_value(area['value'], unit)} ({phrase(m.label)}).")
    others = []
    for comparator in ("England", "Region", "Statistical neighbours (mean)"):
        row = _row(frame, comparator)
        if row is not None and not pd.isna(row["value"]):
            name = row["area_name"] if comparator in ("England", "Region") else "the statistical neighbours' mean"
            others.append(f"{name} {fmt_value(row['value'], unit)}")
    if others:
        parts.append("Comparators: " + ", ".join(others) + ".")
    if not pd.isna(area["rank"]):
        direction = "1 = best" if m.higher_is_better is not None else "1 = highest"
        parts.append(
            f"It ranks {ordinal(int(area['rank']))} of {int(area['of'])} local authorities with data "
            f"({direction}; quartile {area['quartile']})."
        )
    if not pd.isna(area["change"]):
        size = fmt_change(area["change"], unit, points="percentage points")
        verdict = "larger than chance" if _is_true(area["change_significant"]) else "within what chance alone could produce"
        parts.append(
            f"Change since {area['previous_period']}: {size}, {verdict} ({area['change_test']}, {fmt_p(area['change_p_value'])})."
        )
    return " ".join(parts)


def comparison_title(frame: pd.DataFrame, measure: str) -> str:
    """A chart title stating the finding: where the area stands against England."""
    m = get_measure(measure)
    area, england = _row(frame, "Area"), _row(frame, "England")
    if area is None or pd.isna(area["value"]):
        return f"{m.label}: no published value"
    if england is None or pd.isna(england["value"]):
        return f"{area['area_name']}: {fmt_value(area['value'], m.unit)} in {area['period']}"
    gap = area["value"] - england["value"]
    if m.unit == "pct":
        relation = "above" if gap > 0 else "below" if gap < 0 else "level with"
    else:
        relation = "compared with"
    return (
        f"{area['area_name']}: {fmt_value(area['value'], m.unit)} in {area['period']}, "
        f"{relation} England ({fmt_value(england['value'], m.unit)})"
    )


def _direction(before: float, after: float, unit: str) -> str:
    """``up from`` / ``down from`` / ``level with``, judged on the figures as written (so 33.31% and 33.34% are level)."""
    if fmt_value(before, unit) == fmt_value(after, unit):
        return "level with"
    return "up from" if after > before else "down from"


def _since(base: pd.Series, last: pd.Series, unit: str, words: str = "") -> str:
    """The change from ``base`` (named ``words``, if any) to ``last``: points for a percentage, per cent for a count,
    pounds for money."""
    then = (f"{words}, " if words else "") + f"{base['period']} ({fmt_value(base['value'], unit)})"
    if fmt_value(base["value"], unit) == fmt_value(last["value"], unit):
        return f"the same as in {then}"
    if unit in ("pct", "gbp_m"):
        return f"{fmt_change(last['value'] - base['value'], unit)} since {then}"
    if base["value"]:
        return f"{last['value'] / base['value'] - 1:+.0%} since {then}"
    return f"up from {then}"


def whole_line(rows: pd.DataFrame, unit: str, baseline: str | None = None, baseline_words: str = "") -> str:
    """What holds for the whole of a line (``period``, ``value``; oldest first), in words for a title.

    The latest figure and its direction since the figure before; where the line's highest (or, failing that, lowest)
    point lies between its ends, that point ("peaked at 67.7% in 2022"), or that the latest is the highest (lowest)
    of the line; and the change since ``baseline`` (a period label: the plan's baseline, named by ``baseline_words``),
    else since the first figure. A line of one figure is that figure.
    """
    rows = rows.reset_index(drop=True)
    last = rows.iloc[-1]
    words = f"{fmt_value(last['value'], unit)} in {last['period']}"
    if len(rows) == 1:
        return words
    before = rows.iloc[-2]
    shown = rows["value"].map(lambda v: round(float(v), 1))  # compared as written, to one decimal place
    ends = (shown.iloc[0], shown.iloc[-1])
    high, low = rows.loc[shown.idxmax()], rows.loc[shown.idxmin()]
    shape = ""
    if len(rows) >= 3 and shown.max() > max(ends):
        shape = "peak" if high.name == len(rows) - 2 else f"; peaked at {fmt_value(high['value'], unit)} in {high['period']}"
    elif len(rows) >= 3 and shown.min() < min(ends):
        shape = "low" if low.name == len(rows) - 2 else f"; lowest {fmt_value(low['value'], unit)} in {low['period']}"
    elif len(rows) >= 3 and (shown.iloc[:-1] < shown.iloc[-1]).all():
        shape = f"; the highest since {rows.iloc[0]['period']}"
    elif len(rows) >= 3 and (shown.iloc[:-1] > shown.iloc[-1]).all():
        shape = f"; the lowest since {rows.iloc[0]['period']}"
    its = f"its {shape}, " if shape in ("peak", "low") else ""  # the figure before the latest was the line's peak (low)
    words += f", {_direction(before['value'], last['value'], unit)} {its}{fmt_value(before['value'], unit)} in {before['period']}"
    words += shape if shape not in ("peak", "low") else ""
    hits = rows.index[rows["period"].astype(str) == str(baseline)] if baseline is not None else []
    base = rows.loc[hits[0]] if len(hits) and hits[0] < len(rows) - 1 else rows.iloc[0]
    if base.name < len(rows) - 2:  # the figure before the latest is already said
        plan = baseline_words if len(hits) and base.name == hits[0] else ""
        words += f"; {_since(base, last, unit, plan)}"
    return words


#: How a title names the period of the plan's baseline.
PLAN_BASELINE = "the plan's baseline"


def trend_title(series: pd.DataFrame, area_name: str, measure: str, baseline: str | None = None) -> str:
    """Title for a trend chart: what holds for the area's whole line (:func:`whole_line`).

    ``baseline`` is the period of the plan's baseline where the area has a target on this measure: the change is
    said since then (else since the first figure drawn).
    """
    m = get_measure(measure)
    rows = series[(series["area_name"] == area_name)].dropna(subset=["value"]).sort_values("period_end")
    if rows.empty:
        return f"{area_name}: no published values for {phrase(m.label)}"
    unit = m.unit if m.unit in ("pct", "gbp_m") else "count"
    return f"{area_name}: {phrase(m.label)} {whole_line(rows, unit, baseline, PLAN_BASELINE)}"


#: What a funnel's limits allow for, by ``analysis.pathway``'s ``funnel_limits``: widened by the variation between
#: councils (when they differ more than chance makes them), or chance alone (binomial).
FUNNEL_BASIS = {"adjusted": "limits allowing for variation between councils", "binomial": "limits for chance alone"}


def funnel_sentence(area_name: str, value: float, denominator: float, centre: float, centre_label: str, position: str,
                    spread=None, chance_position: str = "") -> str:
    """Say where the area sits on the funnel plot, on which limits, and what that means.

    ``spread`` is the funnel's :class:`~analysis_helpers.analysis.funnel.Dispersion`: when the areas are overdispersed
    ``position`` is on the limits widened by the variation between councils, and ``chance_position`` (the position on
    binomial limits) is said beside it; otherwise the limits are for chance alone, and the sentence says why. Without
    ``spread`` the sentence reads ``position`` as binomial, as before the limits allowed for overdispersion."""
    if position == "no data":
        return f"{area_name} has no value to place on the funnel plot."
    if position.startswith("within"):
        key = "within"
    elif "99.8% limit" in position:
        key = "99.8%"
    else:
        key = "95%"
    where = (f"{area_name} ({fmt_value(value, 'pct')} of {fmt_count(denominator)}) lies {position} around {centre_label} "
             f"({fmt_value(centre, 'pct')})")
    if spread is not None and spread.overdispersed:
        meaning = {
            "within": "its gap is within the usual variation between councils of its size",
            "95%": "fewer than about 1 council in 20 of its size would lie this far, even allowing for the usual variation "
                   "between councils",
            "99.8%": "a gap this large is very unlikely even allowing for the usual variation between councils "
                     "(less than 1 in 500)",
        }
        chance = f" On chance alone (binomial limits) it would lie {chance_position}." if chance_position else ""
        return (f"{where}, allowing for the variation between councils: {meaning[key]}. Councils differ far more than "
                f"chance alone makes them (dispersion ratio {spread.phi:,.0f} across {spread.areas} LAs, where chance "
                f"gives about 1), so the limits are widened by that variation.{chance}")
    meaning = {
        "within": "a gap of this size could be chance alone for an authority of this size",
        "95%": "a gap this large would happen by chance about 1 time in 20 or less",
        "99.8%": "a gap this large is very unlikely to be chance alone (less than 1 in 500)",
    }
    if spread is None:
        return f"{where}: {meaning[key]}."
    return (f"{where}: {meaning[key]}. Councils differ no more than chance alone makes them here (dispersion ratio "
            f"{spread.phi:.1f} across {spread.areas} LAs), so the limits are for chance alone (binomial).")


def _unit_of(outlook) -> str:
    if outlook.target is not None:
        return outlook.target.unit
    return BY_NAME[outlook.measure].unit if outlook.measure in BY_NAME else "count"


def outlook_sentence(outlook) -> str:
    """What the outlook says, in words: where it is, where it should be, how likely, what it takes."""
    s = outlook.summary()
    unit = _unit_of(outlook)
    if outlook.latest is None:
        return f"No {phrase(outlook.measure)} figures for {outlook.area.name} were published by the review date."
    parts = [f"Latest: {fmt_value(s['latest_value'], unit)} ({s['latest_period']})."]
    if outlook.target is not None:
        t = outlook.target
        parts.append(
            f"Target: {fmt_value(t.target_value, unit)} by {t.target_date:%B %Y} "
            f"({'date assumed' if t.date_assumed else 'date stated'}; {md_text(t.denominator) or 'population as published'})."
        )
        if not pd.isna(s["gap_pp"]) and abs(s["gap_pp"]) < 0.05:
            parts.append(f"In {s['latest_period']} it was on the required trajectory ({fmt_value(s['required_now'], unit)}).")
        elif not pd.isna(s["gap_pp"]):
            gap = fmt_size(s["gap_pp"], unit)
            ahead = (s["gap_pp"] > 0) == outlook.higher_is_better
            where = ("above" if s["gap_pp"] > 0 else "below") + (" (ahead of)" if ahead else " (behind)")
            parts.append(f"In {s['latest_period']} it was {gap} {where} the required trajectory ({fmt_value(s['required_now'], unit)}).")
            if not pd.isna(s["plans_short"]) and s["plans_short"] > 0:
                latest = outlook.gap.iloc[-1]
                parts.append(
                    f"To be on trajectory, {fmt_count(s['plans_short'])} more of the {fmt_count(latest['denominator'])} "
                    "plans needed to count."
                )
        if outlook.target_passed:
            parts.append("The target date has passed.")
        elif outlook.target_expired:
            parts.append("The target date has passed and no figure for a period ending on or after it is loaded, so no "
                         "probability or projected date is given.")
        elif not pd.isna(s["probability_by_target_date"]):
            parts.append(f"Probability of meeting it on time: {fmt_probability(s['probability_by_target_date'])} "
                         f"({model_words(s['model'])}).")
        if s["needed_per_month"] and not pd.isna(s["needed_per_month"]):
            amount = fmt_size(s["needed_per_month"], unit)
            change = "a rise" if s["needed_per_month"] > 0 else "a fall"
            parts.append(f"It takes {change} of {amount} a month from the latest figure to the target date.")
        if outlook.projection is not None and not outlook.target_expired:
            if s["reached_median"] == "not within horizon":
                early = (f" (it could happen as early as {s['reached_early']} if the year-to-year swings run its way)"
                         if s["reached_early"] else "")
                parts.append(f"On current form the target is not reached within the projection horizon{early}.")
            else:
                parts.append(f"Projected to reach it in {s['reached_median']} "
                             f"(80% interval {s['reached_early']}–{s['reached_late'] or 'beyond horizon'}).")
    if outlook.note and outlook.projection is None:
        parts.append(md_text(outlook.note[0].upper() + outlook.note[1:]) + ".")  # it may quote a target's id
    return " ".join(parts)


def outlook_title(outlook) -> str:
    """A chart title stating the finding of an outlook."""
    s = outlook.summary()
    unit = _unit_of(outlook)
    if outlook.latest is None:
        return f"{outlook.area.name}: no published figures"
    head = f"{outlook.area.name}: {fmt_value(s['latest_value'], unit)} in {s['latest_period']}"
    if outlook.target is None:
        return head
    target = f"target {fmt_value(outlook.target.target_value, unit)} by {fmt_month(outlook.target.target_date)}"
    if outlook.target_passed:
        met = (s["latest_value"] >= outlook.target.target_value) == outlook.higher_is_better
        return f"{head}; {target} {'met' if met else 'missed'}"
    if not pd.isna(s["probability_by_target_date"]):
        return f"{head}; {target}: {fmt_probability(s['probability_by_target_date'])} likely on current form"
    return f"{head}; {target}"


def local_title(rows: pd.DataFrame, area_name: str, noun: str | None = None) -> str:
    """Title for a council series: what holds for its whole line of published outturns (:func:`whole_line`).

    Figures that disclosure control hides (a count of 1-4, a rate on a small
    base) and forecasts (``kind == "forecast"``) never appear in a title.
    """
    rows = disclosure.plottable(rows.dropna(subset=["value"])).sort_values("period_end")
    if "kind" in rows:
        rows = rows[rows["kind"] != "forecast"]
    if rows.empty:
        return f"{area_name}: no published figures that can be shown"
    unit = rows["unit"].iloc[-1] if "unit" in rows else "count"
    measure = str(rows["measure"].iloc[-1])
    what = noun or phrase(LOCAL_MEASURES.get(measure, (None, measure.replace("_", " ")))[1].replace(" (council figure)", ""))
    return f"{area_name}: {what} {whole_line(rows, unit)}" + (
        ", as published" if len(rows) > 1 else "")


def spc_note(series: pd.DataFrame, area_name: str) -> str:
    """Whether an XmR chart can be drawn for a monthly series, and why not."""
    n = len(series)
    if n == 0:
        return f"*No monthly figures for {area_name}: no SPC chart.*"
    if n < MIN_TRIAL_POINTS:
        return (
            f"*{area_name} has {n} published monthly figure(s) for 20-week timeliness: too few for an XmR chart "
            f"(Making Data Count needs {MIN_STABLE_POINTS} for stable limits; fewer than {MIN_TRIAL_POINTS} would only mislead).*"
        )
    if n < MIN_STABLE_POINTS:
        return f"*{n} monthly points: the limits below are trial limits ({MIN_STABLE_POINTS} are needed for stable limits).*"
    return f"{n} monthly points."


def budget_sentence(deficit: pd.DataFrame, target, feed: pd.DataFrame) -> str:
    """The deficit's story in one paragraph: latest outturn, latest forecast, the deal, the required pace."""
    outturns = deficit[deficit["kind"] == "outturn"]
    forecasts = deficit[deficit["kind"] == "forecast"]
    parts = []
    if len(outturns):
        last = outturns.iloc[-1]
        parts.append(f"Latest published deficit: {fmt_gbp_m(last['value'])} ({last['period']}; {md_text(last['basis'])}).")
    if len(forecasts):
        f = forecasts.iloc[-1]
        parts.append(f"Latest forecast: {fmt_gbp_m(f['value'])} for {f['period']} (a forecast, not an outturn).")
    contributions = (feed[feed["measure"].isin(["safety_valve_dfe_contribution_gbp_m", "safety_valve_kcc_contribution_gbp_m"])]
                     if len(feed) else feed)
    if len(contributions):
        dfe = contributions[contributions["measure"] == "safety_valve_dfe_contribution_gbp_m"]["value"]
        kcc = contributions[contributions["measure"] == "safety_valve_kcc_contribution_gbp_m"]["value"]
        if len(dfe) and len(kcc):
            parts.append(f"Safety-valve agreement: {fmt_gbp_m(dfe.iloc[0])} from DfE and {fmt_gbp_m(kcc.iloc[0])} from the council.")
    if target is not None and len(outturns):
        last = outturns.iloc[-1]
        months = (pd.Timestamp(target.target_date) - last["period_end"]).days / (365.25 / 12)
        if months > 0:
            parts.append(
                f"To reach zero by {target.target_date:%B %Y} the deficit must fall by about "
                f"{fmt_gbp_m(last['value'] / months, decimals=1)} a month "
                f"from the latest outturn (straight-line required path)."
            )
    return " ".join(parts)
