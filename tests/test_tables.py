"""Tables for people: rounded, labelled, with header cells; values worked out here."""

import pandas as pd

from analysis_helpers.reporting import tables
from tests.test_narrative import MEASURE, comparison

NAN = float("nan")


def test_comparison_table_rounds_and_never_prints_dot_zero():
    table = tables.comparison_table(comparison(), MEASURE)
    assert table.loc[0].to_dict() == {
        "Comparator": "Area", "Area": "Kent", "Value": "18.0%", "Numerator": "324", "Denominator": "1,804",
        "95% CI": "16.3–19.8%", "Rank": "120 of 150 (D)", "Note": "",
    }
    assert table.loc[1, "Numerator"] == "" and table.loc[1, "Rank"] == ""


def test_kpi_display_of_counts_has_no_decimals():
    rows = pd.DataFrame({"area_name": ["Kent"], "period": ["2024/25"], "value": [20635.0], "unit": ["count"],
                         "numerator": [NAN], "denominator": [NAN], "ci_low": [NAN], "ci_high": [NAN]})
    shown = tables.kpi_display(rows)
    assert shown.loc[0, "Value"] == "20,635" and shown.loc[0, "95% CI"] == ""


def test_to_html_is_accessible_and_escaped():
    html = tables.to_html(pd.DataFrame({"A & B": ["<5"]}), caption="Kent: figures")
    assert html.startswith('<table class="send-table"><caption>Kent: figures</caption>')
    assert '<th scope="col">A &amp; B</th>' in html and "<td>&lt;5</td>" in html


def test_to_html_adds_a_class_for_a_wide_table_and_escapes_it():
    html = tables.to_html(pd.DataFrame({"A": [1]}), caption="c", css_class=tables.WIDE)
    assert html.startswith('<table class="send-table wide-table"><caption>c</caption>')
    assert tables.to_html(pd.DataFrame({"A": [1]}), caption="c", css_class='x" onclick="y').startswith(
        '<table class="send-table x&quot; onclick=&quot;y"><caption>')


def test_outlook_table_uses_each_measures_unit():
    summary = {"target_id": "deficit", "measure": "high_needs_deficit_gbp_m", "latest_value": 142.0, "latest_period": "2022/23",
               "baseline_value": 97.0, "baseline_date": "2022-03-31", "target_value": 0.0, "target_date": "2028-03-31",
               "required_now": 81.2, "probability_by_target_date": NAN, "reached_median": "not within horizon",
               "reached_early": "", "reached_late": "", "model": "linear_pct"}
    row = tables.outlook_table([summary]).loc[0]
    assert row["Latest"] == "£142m (2022/23)" and row["Baseline"] == "£97m (2022-03-31)"
    assert row["Target value"] == "£0m by 2028-03-31" and row["Required now"] == "£81m"
    assert row["Probability on time"] == "" and row["Reached (median, 80% interval)"] == "not within horizon"
    pct = {**summary, "target_id": "t", "measure": MEASURE, "latest_value": 32.26, "probability_by_target_date": 0.234,
           "reached_median": "2027", "reached_early": "2026", "reached_late": ""}
    row = tables.outlook_table([pct]).loc[0]
    assert row["Latest"] == "32.3% (2022/23)" and row["Probability on time"] == "23%"
    assert row["Reached (median, 80% interval)"] == "2027 (2026–beyond horizon)"


def test_projection_and_backtest_tables():
    rows = pd.DataFrame({"period": ["2025"], "value_projected": [40.04], "pi80_low": [30.0], "pi80_high": [50.0],
                         "pi95_low": [25.0], "pi95_high": [55.55], "required": [NAN], "target": [80.0], "model": ["rw_logit"]})
    shown = tables.projection_table(rows).loc[0]
    assert shown["Projected"] == "40.0%" and shown["80% interval"] == "30.0% – 50.0%" and shown["95% interval"] == "25.0% – 55.5%"
    assert shown["Required"] == "" and shown["Target"] == "80.0%"
    backtest = pd.DataFrame({"model": ["rw_logit"], "horizon": [2], "year": ["overall"], "n": [736.0], "coverage_80": [84.9],
                             "coverage_95": [93.9], "width_80": [58.04], "winkler_80": [73.94], "mae": [17.8], "mae_naive": [17.7]})
    assert tables.backtest_display(backtest).iloc[0].tolist() == [
        "rw_logit", "2", "736", "84.9% (nominal 80%)", "93.9% (nominal 95%)", "58.0 points", "73.9", "17.8 points", "17.7 points"
    ]
