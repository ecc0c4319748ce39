"""KPIs by age, sex, ethnicity and placement (``send-review kpis --breakdown``; issue 13, item 2).

On the fixture release (the real rows of England, the regions and 15 LAs).
Every expected figure is worked out here from the raw rows with the csv
module, independently of the package: each file's breakdown rows picked by
their topic name as the file spells it, Inner and Outer London added up by
hand, DfE's ``x`` kept as "no number".
"""

import csv
import io
import math
import re

import pytest
from helpers import FIXTURE_RELEASE, raw_rows

from analysis_helpers.cli import main
from analysis_helpers.core.errors import ParameterError
from analysis_helpers.domain.breakdowns import (
    BREAKDOWN_COLUMNS,
    breakdown_rows,
    breakdowns_for,
    breakdowns_of,
    topic_for,
)
from analysis_helpers.domain.kpis import KPI_COLUMNS, kpi_table

TIMELINESS = "ehcp_issued_within_20_weeks_pct"
SMALL_AREAS = ("City of London", "Isles of Scilly")

#: (measure, CLI word, file, topic as the file spells it, numerator column, denominator columns; none for a count)
CASES = [
    (TIMELINESS, "age", "timeliness_20_week.csv", "Child or young persons age", "plans_issued_within_20_weeks", ("plans_issued_den",)),
    (TIMELINESS, "sex", "timeliness_20_week.csv", "Sex", "plans_issued_within_20_weeks", ("plans_issued_den",)),
    ("ehc_requests_refused_pct", "age", "requests.csv", "Child or young persons age", "requests_decided_not_to_assess",
     ("requests_received_in_year",)),
    ("new_ehcp_count", "age", "newplans.csv", "Age when plan started", "new_ehc_plans", ()),
    ("ehcp_caseload_mainstream_pct", "ethnicity", "caseload.csv", "Ethnicity", "mainstream_total", ("ehcplans",)),
    ("new_ehcp_primary_need_asd_pct", "sex", "sen_need_newplans.csv", "Sex", "number_asd", ("ehc_plans",)),
    ("annual_reviews_decided_within_4_weeks_pct", "placement", "annual_reviews.csv", "Type of placement", "number_decsion_4weeks",
     ("number_decsion_4weeks", "number_decision_gt_4weeks")),
]


def number(cell: str) -> float:
    return float(cell) if re.fullmatch(r"\d+(\.\d+)?", cell.strip()) else math.nan


def expected(file, topic, numerator, denominators) -> dict:
    """(area name, period, breakdown) -> (numerator, denominator, symbol) from the raw rows; London = Inner + Outer London."""
    out = {}
    for r in raw_rows(file):
        if r["breakdown_topic"] != topic:
            continue
        name = {"National": r["country_name"], "Regional": r["region_name"]}.get(r["geographic_level"], r["la_name"])
        name = "London" if name in ("Inner London", "Outer London") else name
        top = number(r[numerator])
        bottom = sum(number(r[c]) for c in denominators) if denominators else math.nan
        symbol = next((r[c].strip() for c in (numerator, *denominators) if not re.fullmatch(r"[\d.]+", r[c].strip())), "")
        key = (name, r["time_period"], r["breakdown"])
        if key in out:  # Inner and Outer London
            old = out[key]
            top, bottom, symbol = old[0] + top, old[1] + bottom, old[2] or symbol
        out[key] = (top, bottom, symbol)
    return out


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize(("measure", "word", "file", "topic", "numerator", "denominators"), CASES, ids=lambda v: str(v)[:24])
def test_every_area_and_period_matches_the_raw_rows(release, measure, word, file, topic, numerator, denominators):
    want = expected(file, topic, numerator, denominators)
    rows = breakdown_rows(measure, word, release)
    assert list(rows.columns) == [*BREAKDOWN_COLUMNS, "symbol"] and set(rows["breakdown_topic"]) == {topic}
    got = {(a, p.replace("/", ""), b): row for a, p, b, row in
           zip(rows["area_name"], rows["period"], rows["breakdown"], rows.itertuples(index=False), strict=True)}
    assert set(got) == set(want) and len(got) > 40
    for key, (top, bottom, symbol) in want.items():
        row = got[key]
        assert row.symbol == symbol, key
        if denominators:
            assert same(row.numerator, top) and same(row.denominator, bottom), (key, row)
            if bottom > 0:
                assert row.value == pytest.approx(100 * top / bottom, rel=1e-12), key
                assert row.ci_low <= row.value <= row.ci_high, key
            else:
                assert math.isnan(row.value), key  # missing, never zero
        else:
            assert same(row.value, top) and math.isnan(row.numerator), key


def test_london_is_inner_plus_outer_london(release):
    rows = breakdown_rows("new_ehcp_primary_need_asd_pct", "sex", release)
    london = rows[(rows["area_name"] == "London") & (rows["breakdown"] == "Male")].iloc[0]
    parts = [r for r in raw_rows("sen_need_newplans.csv") if r["geographic_level"] == "Regional"
             and r["region_name"] in ("Inner London", "Outer London")
             and r["breakdown_topic"] == "Sex" and r["breakdown"] == "Male"]
    assert len(parts) == 2
    assert london["numerator"] == sum(int(r["number_asd"]) for r in parts)
    assert london["denominator"] == sum(int(r["ehc_plans"]) for r in parts)


def run_cli(capsys, *args):
    code = main([*args, "--release", str(FIXTURE_RELEASE)])
    out, err = capsys.readouterr()
    return code, out, err


def table_rows(out: str) -> list[dict]:
    """The rows of a printed (right-aligned) table, each cell cut at its column's header end."""
    lines = out.rstrip("\n").split("\n")
    ends = [m.end() for m in re.finditer(r"\S+", lines[0])]
    names = lines[0].split()
    return [{n: line[s:e].strip() for n, s, e in zip(names, [0, *ends[:-1]], ends, strict=True)} for line in lines[1:]]


def test_kent_by_sex_in_2024_is_dfes_figure(capsys):
    """The done-when check: DfE's male and female rows for Kent, 2024."""
    code, out, err = run_cli(capsys, "kpis", "--area", "Kent", "--measure", TIMELINESS, "--breakdown", "sex", "--format", "csv")
    assert code == 0 and err == ""
    got = {r["breakdown"]: r for r in csv.DictReader(io.StringIO(out)) if r["period"] == "2024"}
    published = {r["breakdown"]: r for r in raw_rows("timeliness_20_week.csv")
                 if r["la_name"] == "Kent" and r["time_period"] == "2024" and r["breakdown_topic"] == "Sex"}
    assert set(got) == set(published) == {"Female", "Male"}
    for sex, row in got.items():
        raw = published[sex]
        assert (row["numerator"], row["denominator"]) == (raw["plans_issued_within_20_weeks"], raw["plans_issued_den"])
        assert f"{float(row['value']):.1f}" == raw["pc_plans_issued_within_20_weeks"]  # Female 255/790 32.3, Male 529/1634 32.4
        assert row["breakdown_topic"] == "Sex" and row["disclosure"] == ""
    assert (got["Female"]["numerator"], got["Male"]["numerator"]) == ("255", "529")


def test_columns_with_and_without_breakdown(capsys):
    _, plain, _ = run_cli(capsys, "kpis", "--area", "Kent", "--measure", TIMELINESS, "--format", "csv")
    assert next(csv.reader(io.StringIO(plain))) == KPI_COLUMNS
    _, split, _ = run_cli(capsys, "kpis", "--area", "Kent", "--measure", TIMELINESS, "--breakdown", "age", "--format", "csv")
    header = next(csv.reader(io.StringIO(split)))
    assert header == [*KPI_COLUMNS[:6], "breakdown_topic", "breakdown", *KPI_COLUMNS[6:], "disclosure"]
    _, table, _ = run_cli(capsys, "kpis", "--area", "Kent", "--measure", TIMELINESS, "--breakdown", "age")
    assert table.split("\n")[0].split() == header
    ages = [r["breakdown"] for r in table_rows(table) if r["period"] == "2024"]
    assert ages[:3] == ["age 2 and under", "age 3", "age 4"] and ages[-1] == "age 20 and over"  # by age, not alphabetically


@pytest.mark.parametrize(("args", "expected"), [
    (["--measure", "ehcp_caseload_mainstream_pct", "--breakdown", "placement"],
     "ehcp_caseload_mainstream_pct is not broken down by placement in DfE's release; its breakdowns: age, sex, ethnicity"),
    (["--measure", "ehcp_caseload_mainstream_primary_age_pct", "--breakdown", "sex"],
     "ehcp_caseload_mainstream_primary_age_pct is not broken down by sex in DfE's release; it has no breakdowns"),
    (["--measure", "send_tribunal_appeal_rate_pct", "--breakdown", "age"], "send_tribunal_appeal_rate_pct is not broken down by age"),
    (["--measure", TIMELINESS, "--breakdown", "need"],
     f"{TIMELINESS} is not broken down by need in DfE's release; its breakdowns: age, sex, ethnicity; "
     "by need DfE splits only the plan counts (ehcp_caseload_count, new_ehcp_count)"),
    (["--breakdown", "colour"], "unknown breakdown 'colour'; valid breakdowns: age, sex, ethnicity, need, placement"),
    (["--breakdown", "sex", "--local"], "--breakdown and --local cannot be combined"),
])
def test_a_breakdown_a_measure_lacks_is_one_line_and_status_2(capsys, args, expected):
    code, out, err = run_cli(capsys, "kpis", "--area", "Kent", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and expected in err, err


def test_registry_names_the_topic_each_file_uses():
    assert topic_for("ehc_requests_count", "age") == "Child or young persons age"  # rows "Aged 10"
    assert topic_for("new_ehcp_count", "age") == "Age when plan started"
    assert topic_for("annual_reviews_decided_within_4_weeks_pct", "placement") == "Type of placement"
    assert breakdowns_of(TIMELINESS) == ("age", "sex", "ethnicity")
    with pytest.raises(ParameterError, match="its breakdowns: age, sex, ethnicity, placement"):
        topic_for("ehcp_primary_need_asd_pct", "need")


# -- disclosure: small counts and small denominators hidden, DfE's symbols kept --------------------------------------
DISCLOSED = [(TIMELINESS, "sex"), (TIMELINESS, "age"), ("ehcp_caseload_mainstream_pct", "ethnicity"), ("ehcp_caseload_count", "ethnicity")]


def shown_rows(capsys, fmt: str, measure: str, word: str) -> list[dict]:
    args = ["kpis", "--measure", measure, "--breakdown", word, "--format", fmt]
    for area in SMALL_AREAS:
        args += ["--area", area]
    code, out, err = run_cli(capsys, *args)
    assert code == 0 and err == ""
    return list(csv.DictReader(io.StringIO(out))) if fmt == "csv" else table_rows(out)


@pytest.mark.parametrize("fmt", ["csv", "table"])
@pytest.mark.parametrize(("measure", "word"), DISCLOSED)
def test_small_counts_and_small_denominators_are_never_shown(capsys, fmt, measure, word):
    file, numerator, denominators = {
        TIMELINESS: ("timeliness_20_week.csv", "plans_issued_within_20_weeks", ("plans_issued_den",)),
        "ehcp_caseload_mainstream_pct": ("caseload.csv", "mainstream_total", ("ehcplans",)),
        "ehcp_caseload_count": ("caseload.csv", "ehcplans", ()),
    }[measure]
    topic = topic_for(measure, word)
    want = expected(file, topic, numerator, denominators)
    rows = shown_rows(capsys, fmt, measure, word)
    hidden = 0
    for row in rows:
        top, bottom, _ = want[(row["area_name"], row["period"].replace("/", ""), row["breakdown"])]
        cells = [row[c] for c in ("numerator", "denominator", "value", "ci_low", "ci_high")]
        if not denominators:  # a count: 1 to 4 shown as <5
            assert row["value"] == ("<5" if 1 <= top <= 4 else (f"{top:.0f}" if fmt == "csv" else f"{top:,.0f}"))
            hidden += 1 <= top <= 4
        elif bottom < 10:
            assert cells == ["suppressed"] * 5, row
            hidden += 1
        elif 1 <= top <= 4:
            assert cells[0] == "<5" and cells[2:] == ["suppressed"] * 3, row
            hidden += 1
        else:
            assert float(cells[0].replace(",", "")) == top and float(cells[1].replace(",", "")) == bottom
    assert hidden >= 5  # the small areas do have small counts: the test can fail
    for row in rows:  # and, whatever the rule, no shown count of 1 to 4 anywhere
        for column in ("numerator", "denominator") + (("value",) if not denominators else ()):
            assert not re.fullmatch(r"[1-4]", row[column]), row


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_dfes_symbols_stay_symbols(capsys, fmt):
    # requests.csv, Leicester 2023: every age row is 'x' (requests received and decided not to assess).
    code, out, _ = run_cli(capsys, "kpis", "--area", "Leicester", "--measure", "ehc_requests_refused_pct",
                           "--breakdown", "age", "--format", fmt)
    rows = list(csv.DictReader(io.StringIO(out))) if fmt == "csv" else table_rows(out)
    raw = [r for r in raw_rows("requests.csv") if r["la_name"] == "Leicester" and r["time_period"] == "2023"
           and r["breakdown_topic"] == "Child or young persons age"]
    assert raw and all(r["requests_received_in_year"] == "x" for r in raw)
    marked = [r for r in rows if r["period"] == "2023"]
    assert len(marked) == len(raw)
    for row in marked:
        assert [row[c] for c in ("numerator", "denominator", "value")] == ["x", "x", "x"]
        assert row["disclosure"] == "DfE symbol x: unavailable"
    assert all(r["numerator"] != "x" for r in rows if r["period"] == "2024")


def test_breakdowns_for_orders_areas_as_asked_and_keeps_the_kpi_table_unchanged(release):
    rows = breakdowns_for(["Medway", "Kent"], [TIMELINESS], "sex", release)
    assert list(dict.fromkeys(rows["area_name"])) == ["Medway", "Kent"]
    assert list(rows.columns) == [*BREAKDOWN_COLUMNS, "symbol"]
    assert list(kpi_table(release).columns) == KPI_COLUMNS


# -- by primary need: the need files' columns split the two plan counts ----------------------------------------------
NEED_COLUMNS = {"autistic spectrum disorder": "number_asd", "social, emotional and mental health": "number_semh",
                "speech, language and communication needs": "number_slcn", "moderate learning difficulty": "number_mld",
                "severe learning difficulty": "number_sld", "profound and multiple learning difficulty": "number_pmld",
                "specific learning difficulty": "number_spld", "hearing impairment": "number_hi", "visual impairment": "number_vi",
                "multi-sensory impairment": "number_msi", "physical disability": "number_pd",
                "other difficulty or disability": "number_oth", "primary need not recorded": "number_need_unknown"}


@pytest.mark.parametrize(("measure", "file"), [("ehcp_caseload_count", "sen_needs_all_plans.csv"),
                                               ("new_ehcp_count", "sen_need_newplans.csv")])
def test_plan_counts_by_need_are_the_need_files_columns(release, measure, file):
    """Every area (London = Inner + Outer London, added here) and need: DfE's number_<need> of the "All EHC plans" row."""
    expected: dict = {}
    for r in raw_rows(file):
        if r["breakdown_topic"] != "All EHC plans":
            continue
        name = {"National": r["country_name"], "Regional": r["region_name"]}.get(r["geographic_level"], r["la_name"])
        name = "London" if name in ("Inner London", "Outer London") else name
        for need, column in NEED_COLUMNS.items():
            before = expected.get((name, need), 0.0)
            expected[(name, need)] = before + float(r[column]) if r[column].isdigit() and before == before else float("nan")
    rows = breakdown_rows(measure, "need", release)
    assert set(rows["breakdown_topic"]) == {"Primary need"} and set(rows["unit"]) == {"count"}
    got = {(n, b): v for n, b, v in zip(rows["area_name"], rows["breakdown"], rows["value"], strict=True)}
    assert set(got) == set(expected) and len(got) == 13 * 23
    for key, value in expected.items():
        assert got[key] == value or (value != value and got[key] != got[key]), key
    # Kent, January 2025: 9,535 of its 20,635 plans name autism; the 13 needs add up to the caseload count
    kent = rows[rows["area_name"] == "Kent"]
    # sen_needs_all_plans.csv 202425: 9,535 plans; sen_need_newplans.csv 2024: 1,214 new plans
    assert got[("Kent", "autistic spectrum disorder")] == {"ehcp_caseload_count": 9535, "new_ehcp_count": 1214}[measure]
    total = kpi_table(release)
    total = total[(total["area_name"] == "Kent") & (total["measure"] == measure) & (total["period"] == kent["period"].iloc[0])]
    assert kent["value"].sum() == total["value"].iloc[0]


def test_need_is_offered_only_for_the_plan_counts():
    assert breakdowns_of("ehcp_caseload_count") == ("age", "sex", "ethnicity", "need")
    assert "need" not in breakdowns_of(TIMELINESS)
