"""Who waits: which groups of children get their plans within 20 weeks less (or more) often than the area as a whole.

For one area, period and timeliness measure, each group of a breakdown topic
(age bands, sex, ethnicity) gets its rate with a 95% Wilson interval, the
area's overall rate, the gap in percentage points (group minus area), and
whether the gap is beyond chance.

**The test.** A group is compared with *the rest of the area* (the area's
plans minus the group's), not with the area's overall figure: the overall
figure contains the group, so the two are not independent samples, and a
large group would be compared largely with itself. Group and rest are two
disjoint sets of plans, so the question "is the group's rate different from
everyone else's?" is a two-proportion test on a 2×2 table (within 20 weeks or
not × group or rest), chosen by
:func:`~analysis_helpers.analysis.significance.difference_test`:

* the pooled two-proportion z-test, two-sided (the same as Pearson's
  chi-squared test without continuity correction), when every expected cell
  count is at least its ``MIN_EXPECTED``, where its normal approximation holds;
* Fisher's exact test, two-sided, otherwise (small groups, or rates near 0% or
  100%), where the approximation does not.

**Many groups.** A topic has up to 19 groups (ethnicity), so some would look
"significant" by chance alone. The p-values of a topic's tested groups are
adjusted by Holm's step-down method, which keeps the chance of flagging *any*
group of the topic wrongly at 5%. Holm, rather than Benjamini-Hochberg's
false-discovery rate, because each flag names a group of children in a public
report: one wrong flag matters, not the proportion of wrong flags. Holm also
needs no assumption about how the group-versus-rest tests depend on each other
(they share the area's plans), and is never less powerful than Bonferroni.
``beyond_chance`` is the adjusted p-value under ``alpha`` (0.05).

**Disclosure.** A group whose rate the disclosure rule hides
(:func:`~analysis_helpers.core.small_numbers.rate_hidden`: too few plans, or a
small count of them within 20 weeks) is marked not shown (``shown`` False, ``note`` saying why): its counts,
rate, interval, gap and test are all left empty, and it takes no part in the
Holm adjustment (an adjusted p-value would depend on it). A group DfE published
as a symbol (``x``) is marked not shown with the symbol. A topic's groups add up
to the area's figure, which the review prints, so while the hidden groups add
up to a rate that may not be shown, the smallest shown group is hidden too
(complementary suppression). A group whose *rest of the area* is that small is
shown but not tested, and the rest's rate is not given.

**Age bands.** DfE publishes single years of age; bands are easier to read and
fewer groups are hidden. :data:`AGE_BANDS` (under 5, 5 to 10, 11 to 15, 16 and
over: early years, primary, secondary, post-16) sums the single-year rows, a
row DfE did not publish counting as none and a symbol in any row leaving the
band missing, as the KPI table sums the ages 5 to 10; "Unknown" stays a group.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from analysis_helpers.analysis.significance import difference_test
from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.intervals import wilson_interval
from analysis_helpers.core.small_numbers import rate_hidden
from analysis_helpers.data.release import Release
from analysis_helpers.domain.breakdowns import TOPICS, breakdowns_for
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.domain.measures import TIMELINESS_MEASURE

TIMELINESS = TIMELINESS_MEASURE
#: (label, lowest age, highest age): None for open-ended.
AGE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("under 5", None, 4), ("5 to 10", 5, 10), ("11 to 15", 11, 15), ("16 and over", 16, None),
)
UNKNOWN_AGE = "unknown"
#: DfE's topic name -> the word the review uses (``Child or young persons age`` -> ``age``).
TOPIC_WORDS = {topic: word for word, files in TOPICS.items() for topic in files.values()}

COLUMNS = ["topic", "group", "shown", "numerator", "denominator", "group_pct", "ci_low_pct", "ci_high_pct", "area_pct",
           "gap_points", "rest_pct", "test", "p_value", "p_adjusted", "beyond_chance", "note"]


def age_band(label: str, bands=AGE_BANDS) -> str:
    """The band of one of DfE's age labels ("age 2 and under", "Aged 10", "under 3", "age 20 and over", "Unknown")."""
    number = re.search(r"\d+", label)
    if number is None:
        return UNKNOWN_AGE
    age = int(number.group()) - (1 if label.strip().lower().startswith("under") else 0)
    for name, low, high in bands:
        if (low is None or age >= low) and (high is None or age <= high):
            return name
    raise ParameterError(f"age {label!r} falls in none of the age bands {', '.join(b[0] for b in bands)}")


def banded(rows: pd.DataFrame, bands=AGE_BANDS) -> pd.DataFrame:
    """Single-year age rows summed into bands (numerator, denominator, symbol); other columns of the first row."""
    band = rows["breakdown"].map(lambda label: age_band(label, bands))
    order = [b[0] for b in bands] + [UNKNOWN_AGE]
    out = []
    for name in (n for n in order if (band == n).any()):
        part = rows[band == name]
        symbol = next((s for s in part["symbol"] if s), "")
        out.append({**part.iloc[0].to_dict(), "breakdown": name, "symbol": symbol,
                    "numerator": part["numerator"].sum(skipna=False), "denominator": part["denominator"].sum(skipna=False)})
    return pd.DataFrame(out, columns=rows.columns)


def holm_adjusted(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given.

    The i-th smallest p-value (from 0) is multiplied by ``m - i``; each adjusted value is at least the one before it
    in that order, and at most 1. The same values as statsmodels' ``multipletests(method="holm")`` (a test checks),
    which is not used here because it runs a full garbage collection on every call: 0.7 s of each review.
    """
    order = np.argsort(p_values, kind="stable")
    m = len(p_values)
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(p_values[index])))
        adjusted[index] = running
    return adjusted.tolist()


def who_waits(rows: pd.DataFrame, area_numerator: float, area_denominator: float, alpha: float = 0.05,
              bands=AGE_BANDS) -> pd.DataFrame:
    """Each group's rate, gap to the area and test against the rest of the area (see the module docstring).

    Parameters
    ----------
    rows : DataFrame
        Breakdown rows of one area, period and measure
        (:func:`~analysis_helpers.domain.breakdowns.breakdowns_for`), of any of
        its topics; age rows are summed into ``bands``.
    area_numerator, area_denominator : float
        The area's overall figure for the same period and measure (its KPI table row).

    Returns
    -------
    DataFrame with :data:`COLUMNS`, one row per group, topics in the order
    given, groups in DfE's order (ages by band). Percentages are 0–100; the
    gap is in percentage points.
    """
    for column in ("area_code", "period", "measure"):
        if rows[column].nunique() > 1:
            raise ParameterError(f"who_waits takes the rows of one area, period and measure; got several {column}s: "
                                 f"{', '.join(map(str, rows[column].unique()))}")
    if (rows["unit"] != "pct").any():
        raise ParameterError(f"who_waits needs a percentage measure, got {rows['measure'].iloc[0]} (a count)")
    rows = rows if "symbol" in rows else rows.assign(symbol="")
    area_pct = 100 * area_numerator / area_denominator
    out = []
    for topic in rows["breakdown_topic"].unique():
        part = rows[rows["breakdown_topic"] == topic]
        word = TOPIC_WORDS.get(topic, topic)
        if word == "age":
            part = banded(part, bands)
        groups = [_group(word, r, area_numerator, area_denominator, area_pct) for r in part.itertuples(index=False)]
        _complement(groups, area_numerator, area_denominator)
        tested = [g for g in groups if g["shown"] and not math.isnan(g["p_value"])]
        if tested:
            adjusted = holm_adjusted([g["p_value"] for g in tested])
            for g, p in zip(tested, adjusted, strict=True):
                g["p_adjusted"], g["beyond_chance"] = float(p), bool(p < alpha)
        out.extend(groups)
    return pd.DataFrame(out, columns=COLUMNS)


def _complement(groups: list[dict], area_numerator: float, area_denominator: float) -> None:
    """Complementary suppression: the groups of a topic add up to the area's figure, which the review prints, so
    hidden groups could be worked out by subtraction. While the groups hidden by the disclosure rules add up to a rate
    that may not be shown (:func:`~analysis_helpers.core.small_numbers.rate_hidden`), the smallest shown group is
    hidden too."""
    def hidden_sum() -> tuple[float, float]:
        shown_x = sum(g["numerator"] for g in groups if g["shown"])
        shown_n = sum(g["denominator"] for g in groups if g["shown"])
        return area_numerator - shown_x, area_denominator - shown_n

    if not any(not g["shown"] and "disclosure" in g["note"] for g in groups):
        return
    while True:
        x, n = hidden_sum()
        shown = [g for g in groups if g["shown"]]
        if not shown or (n == 0 and x == 0) or not rate_hidden(x, n):
            return
        smallest = min(shown, key=lambda g: g["denominator"])
        smallest.update({k: math.nan for k in ("numerator", "denominator", "group_pct", "ci_low_pct", "ci_high_pct",
                                                "gap_points", "rest_pct", "p_value", "p_adjusted")})
        smallest.update(shown=False, test="", beyond_chance=False,
                        note="not shown: with the area's total it would let a smaller group be worked out (disclosure rules)")


def _group(word: str, row, area_numerator: float, area_denominator: float, area_pct: float) -> dict:
    x, n = row.numerator, row.denominator
    empty = {"topic": word, "group": row.breakdown, "shown": False, "area_pct": area_pct, "test": "",
             "p_value": math.nan, "p_adjusted": math.nan, "beyond_chance": False}
    if row.symbol or pd.isna(x) or pd.isna(n):
        return {**empty, "note": f"not shown: DfE published {row.symbol or 'no figure'}"}
    hidden = rate_hidden(x, n)
    if hidden:
        return {**empty, "note": f"not shown: {hidden} (disclosure rules)"}
    if n > area_denominator or x > area_numerator:
        raise ParameterError(f"group {row.breakdown!r} ({x:,.0f} of {n:,.0f}) is larger than the area's figure "
                             f"({area_numerator:,.0f} of {area_denominator:,.0f}); give the area's row for the same period and measure")
    low, high = wilson_interval(x, n)
    group_pct = 100 * x / n
    rest_x, rest_n = area_numerator - x, area_denominator - n
    shown = {**empty, "shown": True, "numerator": x, "denominator": n, "group_pct": group_pct, "ci_low_pct": low,
             "ci_high_pct": high, "gap_points": group_pct - area_pct, "note": ""}
    if rest_n == 0:
        return {**shown, "note": "the group is the whole area: nothing to compare with"}
    rest_hidden = rate_hidden(rest_x, rest_n)
    if rest_hidden:  # the rest is a handful of plans: neither shown nor compared with (it would be read into)
        return {**shown, "note": f"not tested: the rest of the area is too few to show ({rest_hidden})"}
    test, p = difference_test(x, n, rest_x, rest_n)
    return {**shown, "rest_pct": 100 * rest_x / rest_n, "test": test, "p_value": p}


def who_waits_for(area: str, period: str | None = None, measure: str = TIMELINESS,
                  topics: tuple[str, ...] = ("age", "sex", "ethnicity"), *, release: Release,
                  alpha: float = 0.05) -> pd.DataFrame:
    """:func:`who_waits` for an area (name, LA number or code) from the release; ``period`` defaults to the latest
    with breakdowns. The area's figure is its KPI table row; a last column, ``period``, says which period it is."""
    rows = pd.concat([breakdowns_for(area, [measure], word, release) for word in topics], ignore_index=True)
    periods = list(dict.fromkeys(rows.sort_values("period_end")["period"]))
    if not periods:
        raise ParameterError(f"{area} has no breakdown rows for {measure}")
    period = period or periods[-1]
    if period not in periods:
        raise ParameterError(f"{area} has no breakdown rows for {measure} in {period}; periods with breakdowns: {', '.join(periods)}")
    overall = kpis_for(area, [measure], release=release)
    overall = overall[overall["period"] == period].iloc[0]
    return who_waits(rows[rows["period"] == period], overall["numerator"], overall["denominator"], alpha).assign(period=period)
