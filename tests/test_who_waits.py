"""Who waits (issue 13, item 3): each group's rate against the rest of the area, Holm-adjusted, small groups not shown.

The expected numbers are worked out by hand here: the pooled z-test's p-value
as erfc(|z|/√2), Fisher's exact test from binomial coefficients (the tests
themselves: test_significance.py), Holm's
adjustment step by step, and on the fixture release Kent's 2024 groups from the
raw rows with the csv module.
"""

import math

import numpy as np
import pandas as pd
import pytest
from helpers import raw_rows

from analysis_helpers.analysis.who_waits import COLUMNS, age_band, who_waits, who_waits_for
from analysis_helpers.core.errors import ParameterError

ETHNICITY, SEX, AGE = "Ethnicity", "Sex", "Child or young persons age"


def rows(*groups, topic=ETHNICITY, area="E10000016", unit="pct") -> pd.DataFrame:
    """Breakdown rows of one area, period and measure: (breakdown, numerator, denominator[, symbol])."""
    return pd.DataFrame([{"area_code": area, "period": "2024", "measure": "m_pct", "unit": unit, "breakdown_topic": topic,
                          "breakdown": g[0], "numerator": g[1], "denominator": g[2], "symbol": g[3] if len(g) > 3 else ""}
                         for g in groups])


def z_p(x1, n1, x2, n2) -> float:
    """Two-sided p of the pooled two-proportion z-test, by hand."""
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjustment, by hand."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted, running = [0.0] * len(pvalues), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def test_group_against_the_rest_with_holm_by_hand():
    # Area 150 of 300 (50%). A: 60 of 100 against the rest 90 of 200: pooled 0.5, se = sqrt(0.25 × 0.015), z = 0.15 / se = √6,
    # p = erfc(√3) = 0.0143; B (40 of 100) the same; C (50 of 100) z = 0, p = 1. Holm: 3 × 0.0143 = 0.0429 for A and B, 1 for C.
    out = who_waits(rows(("A", 60, 100), ("B", 40, 100), ("C", 50, 100)), 150, 300)
    assert list(out.columns) == COLUMNS
    a, b, c = (out.iloc[i] for i in range(3))
    assert a["group_pct"] == 60 and a["area_pct"] == 50 and a["gap_points"] == pytest.approx(10) and a["rest_pct"] == 45
    assert a["p_value"] == pytest.approx(math.erfc(math.sqrt(3)), rel=1e-12) and b["p_value"] == pytest.approx(a["p_value"])
    assert a["p_adjusted"] == pytest.approx(3 * math.erfc(math.sqrt(3)), rel=1e-12) == pytest.approx(0.0429176, abs=1e-6)
    assert c["p_value"] == pytest.approx(1) and c["p_adjusted"] == pytest.approx(1)
    assert (a["beyond_chance"], b["beyond_chance"], c["beyond_chance"]) == (True, True, False)
    assert a["ci_low_pct"] < 60 < a["ci_high_pct"] and b["gap_points"] == pytest.approx(-10)
    assert a["topic"] == "ethnicity" and a["test"] == "two-proportion z-test"


def test_a_group_too_small_for_the_z_test_gets_fishers_exact_test():
    # Area 105 of 110. A: 5 of 10 against the rest 100 of 100: 5 plans late in 110, so the least expected count is
    # 10 × 5 / 110 = 0.45, under 5: Fisher. With the margins fixed, A's 5 late plans are all 5 (k = 5 on time, the least
    # likely table; every other k from 6 to 10 is likelier), so p = C(105, 5) C(5, 5) / C(110, 10). B (100 of 100,
    # against the rest 5 of 10) is the same table. Holm on two equal p-values: 2p each.
    out = who_waits(rows(("A", 5, 10), ("B", 100, 100)), 105, 110)
    p = math.comb(105, 5) / math.comb(110, 10)
    assert list(out["test"]) == ["Fisher's exact test"] * 2
    assert list(out["p_value"]) == pytest.approx([p, p], rel=1e-9) and p == pytest.approx(2.05897e-6, rel=1e-5)
    assert list(out["p_adjusted"]) == pytest.approx([2 * p, 2 * p], rel=1e-9) and out["beyond_chance"].all()


def test_holm_step_down_differs_from_bonferroni():
    groups = [("A", 70, 100), ("B", 58, 100), ("C", 45, 100), ("D", 27, 100)]  # area 200 of 400
    out = who_waits(rows(*groups), 200, 400)
    p = [z_p(x, n, 200 - x, 400 - n) for _, x, n in groups]
    assert list(out["p_value"]) == pytest.approx(p, rel=1e-9)
    assert list(out["p_adjusted"]) == pytest.approx(holm(p), rel=1e-9)
    assert list(out["beyond_chance"]) == [q < 0.05 for q in holm(p)]
    assert out["p_adjusted"].iloc[1] < min(1.0, 4 * p[1])  # B: Holm multiplies its p by 3 (second smallest), Bonferroni by 4


def test_small_groups_are_not_shown_and_not_counted_in_holm():
    out = who_waits(rows(("A", 60, 100), ("B", 40, 100), ("small", 3, 20), ("tiny", 9, 9)), 112, 229)
    shown = out[out["shown"]]
    hidden = out[~out["shown"]].set_index("group")
    assert list(shown["group"]) == ["A", "B"] and set(hidden.index) == {"small", "tiny"}
    for column in ("numerator", "denominator", "group_pct", "ci_low_pct", "ci_high_pct", "gap_points", "rest_pct", "p_value", "p_adjusted"):
        assert hidden[column].isna().all(), column
    assert hidden.loc["small", "note"] == "not shown: numerator under 5 (disclosure rules)"
    assert hidden.loc["tiny", "note"] == "not shown: denominator under 10 (disclosure rules)"
    p = [z_p(60, 100, 52, 129), z_p(40, 100, 72, 129)]
    assert list(shown["p_adjusted"]) == pytest.approx(holm(p), rel=1e-9)  # two tests, not four


def test_ages_are_summed_into_bands():
    assert [age_band(a) for a in ("age 2 and under", "under 3", "Aged 4", "age 5", "age 10", "Aged 11", "age 15", "age 16",
                                  "age 20 and over", "Unknown", "Age unknown")] == \
        ["under 5"] * 3 + ["5 to 10"] * 2 + ["11 to 15"] * 2 + ["16 and over"] * 2 + ["unknown"] * 2
    ages = rows(("age 2 and under", 1, 6), ("age 3", 20, 50), ("age 4", 14, 44), ("age 11", 6, 20), ("age 12", 4, 20),
                ("age 16", 3, 8), ("age 17", 2, 7, "x"), topic=AGE)
    out = who_waits(ages, 50, 155).set_index("group")
    assert list(out.index) == ["under 5", "11 to 15", "16 and over"]
    assert (out.loc["under 5", "numerator"], out.loc["under 5", "denominator"]) == (35, 100)  # 1 + 20 + 14 of 6 + 50 + 44
    assert (out.loc["11 to 15", "numerator"], out.loc["11 to 15", "denominator"]) == (10, 40)
    assert not out.loc["16 and over", "shown"] and out.loc["16 and over", "note"] == "not shown: DfE published x"
    assert out.loc["under 5", "p_value"] == pytest.approx(z_p(35, 100, 15, 55), rel=1e-9)


def test_refuses_rows_of_several_areas_or_a_count():
    mixed = pd.concat([rows(("A", 60, 100)), rows(("A", 60, 100), area="E10000014")])
    with pytest.raises(ParameterError, match="one area, period and measure; got several area_codes"):
        who_waits(mixed, 100, 200)
    with pytest.raises(ParameterError, match="needs a percentage measure"):
        who_waits(rows(("A", 60, 100), unit="count"), 100, 200)


def test_kent_2024_from_the_fixture_release(release):
    out = who_waits_for("Kent", "2024", release=release)
    raw = [r for r in raw_rows("timeliness_20_week.csv") if r["la_name"] == "Kent" and r["time_period"] == "2024"]
    total = next(r for r in raw if r["breakdown_topic"] == "All EHC plans issued")
    X, N = int(total["plans_issued_within_20_weeks"]), int(total["plans_issued_den"])  # 784 of 2,424
    by = {(r["breakdown_topic"], r["breakdown"]): (int(r["plans_issued_within_20_weeks"]), int(r["plans_issued_den"])) for r in raw}
    female = out[(out["topic"] == "sex") & (out["group"] == "Female")].iloc[0]
    x, n = by[("Sex", "Female")]
    assert (female["numerator"], female["denominator"]) == (x, n) == (255, 790)
    assert female["area_pct"] == pytest.approx(100 * X / N) and female["rest_pct"] == pytest.approx(100 * (X - x) / (N - n))
    assert female["p_value"] == pytest.approx(z_p(x, n, X - x, N - n), rel=1e-9) and not female["beyond_chance"]
    x = sum(by[(AGE, f"age {a}")][0] for a in range(11, 16))
    n = sum(by[(AGE, f"age {a}")][1] for a in range(11, 16))
    secondary = out[(out["topic"] == "age") & (out["group"] == "11 to 15")].iloc[0]
    assert (secondary["numerator"], secondary["denominator"]) == (x, n)
    assert secondary["gap_points"] == pytest.approx(100 * x / n - 100 * X / N)
    ages = out[out["topic"] == "age"]
    p = [z_p(a, b, X - a, N - b) for a, b in zip(ages["numerator"], ages["denominator"], strict=True)]
    assert list(ages["p_adjusted"]) == pytest.approx(holm(p), rel=1e-9)
    hidden = out[(out["topic"] == "ethnicity") & ~out["shown"]]
    small = {b for (t, b), (a, d) in by.items() if t == ETHNICITY and (d < 10 or 1 <= a <= 4)}
    assert set(hidden["group"]) == small and len(small) >= 3 and hidden["numerator"].isna().all()


def test_a_period_without_breakdowns_is_refused(release):
    with pytest.raises(ParameterError, match="no breakdown rows for ehcp_issued_within_20_weeks_pct in 2019; "
                                             "periods with breakdowns: 2023, 2024"):
        who_waits_for("Kent", "2019", release=release)


def test_a_hidden_group_cannot_be_worked_out_from_the_area_total():
    """Area 84 of 349. A 29 of 74, B 51 of 152, C 0 of 18 are showable; D 4 of 105 has 1-4 on time and is hidden. With
    A, B and C shown, the total gives D away (84 - 80 = 4 of 349 - 244 = 105), so the smallest shown group (C, 18
    plans) is hidden too: then the hidden pair is 4 of 123, still 1-4 on time, so the next smallest (A, 74) goes as
    well, leaving 33 of 197 hidden, which may be shown. (Bath and North East Somerset's 2024 ages, the reviewer's case.)"""
    out = who_waits(rows(("A", 29, 74), ("B", 51, 152), ("C", 0, 18), ("D", 4, 105)), 84, 349).set_index("group")
    assert list(out.index[out["shown"]]) == ["B"]
    assert out.loc["C", "note"].startswith("not shown: with the area's total it would let a smaller group be worked out")
    assert out[~out["shown"]][["numerator", "denominator", "group_pct", "p_value"]].isna().all().all()
    assert out.loc["B", "p_adjusted"] == pytest.approx(out.loc["B", "p_value"])  # Holm over the one group still shown


def test_a_group_whose_rest_is_a_handful_is_shown_but_not_tested():
    """Area 52 of 70; A 49 of 62 leaves a rest of 3 of 8 (B, which DfE published as x): the rest's rate may not be
    shown, so A is not compared with it. (Were B a hidden figure rather than DfE's x, A would be hidden with it: see above.)"""
    out = who_waits(rows(("A", 49, 62), ("B", float("nan"), float("nan"), "x")), 52, 70).set_index("group")
    assert out.loc["A", "shown"] and out.loc["A", "group_pct"] == pytest.approx(100 * 49 / 62)
    assert math.isnan(out.loc["A", "p_value"]) and not out.loc["A", "beyond_chance"] and math.isnan(out.loc["A", "rest_pct"])
    assert out.loc["A", "note"].startswith("not tested: the rest of the area is too few to show")


def test_two_groups_one_hidden_hides_both():
    """Area 52 of 70: B 3 of 8 is hidden, and A 49 of 62 with the total would give B away, so A is hidden too."""
    out = who_waits(rows(("A", 49, 62), ("B", 3, 8)), 52, 70)
    assert not out["shown"].any()


def test_holm_adjusted_matches_statsmodels_and_the_hand_method():
    from statsmodels.stats.multitest import multipletests

    from analysis_helpers.analysis.who_waits import holm_adjusted

    rng = np.random.default_rng(14)
    for size in (1, 2, 3, 7, 20):
        p = list(rng.uniform(0, 0.2, size)) + [0.01] * (size > 3)  # ties included
        assert holm_adjusted(p) == pytest.approx(list(multipletests(p, method="holm")[1]), rel=1e-12)
        assert holm_adjusted(p) == pytest.approx(holm(p), rel=1e-12)
    # by hand: 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04, raised to 0.06 (step-down keeps the order); 0.6 x 2 capped at 1
    assert holm_adjusted([0.04, 0.01, 0.03]) == pytest.approx([0.06, 0.03, 0.06])
    assert holm_adjusted([0.6, 0.5]) == [1.0, 1.0]
