"""The local feed: conversion, normalisation, duplicates, and one test per kind of broken feed."""

import pandas as pd
import pytest
from helpers import FIXTURE_RELEASE, KENT_FEED

from analysis_helpers.cli import main
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import RAW_DIR
from analysis_helpers.data.local_feed import (
    REQUIRED,
    area_feed,
    parse_period,
    parse_value,
    validate_feed,
)

HEADER = ",".join(REQUIRED)


def feed(tmp_path, *rows, name="kent.csv", encoding="utf-8", newline="\n", header=HEADER):
    path = tmp_path / name
    path.write_bytes((newline.join([header, *rows]) + newline).encode(encoding))
    return path


GOOD = "ehcp_issued_within_20_weeks_pct,2023-06,13.2,pct,monthly,,,,KCC minutes,https://democracy.kent.gov.uk/x"


def test_shipped_kent_feed_carries_every_published_figure_unchanged():
    """Row by row against the raw file (read here with the csv module, not the converter)."""
    import csv

    with open(RAW_DIR / "kent_published_kpis.csv", encoding="utf-8-sig", newline="") as handle:
        raw = list(csv.DictReader(handle))
    shipped = pd.read_csv(KENT_FEED, dtype=str, keep_default_na=False)
    assert len(shipped) == len(raw) == 46
    for column in ("measure", "period", "value", "basis", "source_title", "source_url", "quote"):
        assert shipped[column].tolist() == [r[column] for r in raw], column
    # the unit too, except the one duration the raw file counted ("count") that the catalogue holds in weeks:
    # raw row 10, the oldest open EHC case, 124 weeks in October 2023
    raw_units = [r["unit"] for r in raw]
    assert raw[8]["measure"] == "oldest_open_ehcp_case_weeks" and raw_units[8] == "count"
    assert shipped["unit"].tolist() == [*raw_units[:8], "weeks", *raw_units[9:]]
    # Qualifiers worked out by hand from the raw wording: raw row 24 says "over 300",
    # raw row 30 "around 50"; row 4 ("56% ... on average") has none.
    assert shipped.loc[22, "qualifier"] == "over" and shipped.loc[22, "value"] == "300"
    assert shipped.loc[28, "qualifier"] == "about" and shipped.loc[28, "value"] == "50"
    assert shipped.loc[2, "qualifier"] == ""
    frame, problems, notes = validate_feed(KENT_FEED)
    assert problems == [] and len(frame) == 43
    assert any("duplicates agree" in n for n in notes) and any("CONFLICT" in n for n in notes)
    over = frame[(frame["measure"] == "ehcps_issued_count") & (frame["period"] == "2023-12")].iloc[0]
    assert over["qualifier"] == "over" and over["value"] == 300


def test_kent_conversion_tool_reproduces_the_shipped_feed():
    from tools.convert_kent_feed import convert_published

    shipped = pd.read_csv(KENT_FEED, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(shipped, convert_published(RAW_DIR / "kent_published_kpis.csv").astype(str))


def test_periods_and_values():
    assert parse_period("2023-06")[:2] == (pd.Timestamp("2023-06-01").date(), pd.Timestamp("2023-06-30").date())
    assert parse_period("2023-Q2")[1] == pd.Timestamp("2023-06-30").date()
    assert parse_period("2022/23")[:2] == (pd.Timestamp("2022-04-01").date(), pd.Timestamp("2023-03-31").date())
    assert parse_period("2023")[2] == "calendar year"
    assert parse_value("13.2%", "pct") == (13.2, "")
    assert parse_value("1,080", "count") == (1080, "")
    assert parse_value("£97m", "gbp_m") == (97, "")
    assert parse_value("over 300", "count") == (300, "over")
    assert parse_value("about 50", "count") == (50, "about")


@pytest.mark.parametrize(
    "row,expected",
    [
        ("ehcp_issued_within_20_weeks_pct,June 2023,13.2,pct,monthly,,,,t,u", "row 2, column 'period': 'June 2023' is not a period"),
        ("ehcp_issued_within_20_weeks_pct,2023-13,13.2,pct,monthly,,,,t,u", "row 2, column 'period': '2023-13' is not a period"),
        ("ehcp_issued_within_20_weeks_pct,2022/24,13.2,pct,monthly,,,,t,u", "row 2, column 'period': '2022/24'"),
        ("ehcp_issued_within_20_weeks_pct,2023-06,13.2,percent,monthly,,,,t,u", "row 2, column 'unit': 'percent' is not a unit"),
        ("ehcp_issued_within_20_weeks_pct,2023-06,132,pct,monthly,,,,t,u", "row 2, column 'value': 132 is outside 0-100"),
        ("send_vacancies,2023-06,-3,count,snapshot,,,,t,u", "row 2, column 'value': -3 is negative for a count"),
        ("ehcp_issued_within_20_weeks_pct,2023-06,13.2,pct,monthly,30,20,,t,u",
         "row 2, column 'numerator': 30 is more than the denominator 20"),
        ("ehcp_timeliness,2023-06,13.2,pct,monthly,,,,t,u", "row 2, column 'measure': unknown measure 'ehcp_timeliness'; closest: "),
        ("ehcp_issued_within_20_weeks_pct,2023-06,,pct,monthly,,,,t,u", "row 2, column 'value': empty"),
        ("ehcp_issued_within_20_weeks_pct,2023-06,13.2 or 14,pct,monthly,,,,t,u", "row 2, column 'value': '13.2 or 14' is not a number"),
        ("high_needs_deficit_gbp_m,2022/23,£1.2bn,gbp_m,forecast,,,,t,u", "row 2, column 'value': '£1.2bn': give £ millions"),
        ("send_vacancies,2023-06,20,pct,snapshot,,,,t,u", "row 2, column 'unit': 'pct' does not match send_vacancies"),
        ("send_vacancies,2023-06,20,count,snapshot,,,maybe,t,u", "row 2, column 'qualifier': 'maybe'"),
        ("send_vacancies,2023-06,20,count,snapshot,,,,t,u,extra,fields", "row 2, column '(row)': 12 fields where the header has 10"),
    ],
)
def test_broken_feeds_give_one_line_per_problem(tmp_path, capsys, row, expected):
    path = feed(tmp_path, GOOD, row.replace("row 2", ""))
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kent.csv: ")
    assert expected.replace("row 2", "row 3") in lines[0]


def test_missing_column(tmp_path, capsys):
    path = feed(tmp_path, "x,2023,1,count,b,,,t,u", header=HEADER.replace(",qualifier", ""))
    assert main(["validate", str(path)]) == 2
    assert "kent.csv: row 1, column 'qualifier': missing from the header" in capsys.readouterr().err


def test_bom_and_crlf_are_read(tmp_path, capsys):
    """Other encodings and delimiters are refused in one line: tests/test_feed_encodings.py."""
    bom = feed(tmp_path, GOOD, name="a.csv", encoding="utf-8-sig", newline="\r\n")
    assert validate_feed(bom)[1] == []


def test_xlsx_feed(tmp_path):
    rows = [dict(zip(REQUIRED, GOOD.split(","), strict=True))]
    path = tmp_path / "kent.xlsx"
    pd.DataFrame(rows).to_excel(path, index=False)
    frame, problems, _ = validate_feed(path)
    assert problems == [] and frame["value"].iloc[0] == 13.2


def test_duplicates_agreeing_kept_once_conflicting_flagged_and_resolved_by_rule(tmp_path):
    press = "send_vacancies,2023-09,25,count,snapshot,,,,Local paper,https://news.example/x"
    council = "send_vacancies,2023-09,20,count,snapshot,,,,KCC,https://democracy.kent.gov.uk/y"
    path = feed(tmp_path, GOOD, GOOD, council, press)
    frame, problems, notes = validate_feed(path)
    assert problems == []
    assert (frame["measure"] == "ehcp_issued_within_20_weeks_pct").sum() == 1
    vacancies = frame[frame["measure"] == "send_vacancies"]
    assert len(vacancies) == 2 and vacancies["conflict"].all()
    assert vacancies.loc[vacancies["preferred"], "value"].tolist() == [20]
    assert any("preferred by rule: the council's own publication over the press" in n for n in notes)


def test_broken_feed_stops_a_run_with_the_validators_message(tmp_path):
    path = feed(tmp_path, "ehcp_issued_within_20_weeks_pct,2023-06,132,pct,monthly,,,,t,u")
    with pytest.raises(DataValidationError, match=r"kent.csv: row 2, column 'value': 132 is outside 0-100"):
        area_feed("kent", path)
    from analysis_helpers.pipeline.report import run_quarterly

    with pytest.raises(DataValidationError, match="132 is outside"):
        run_quarterly(area="Kent", quarter="2025-Q3", out_dir=tmp_path / "reports", local=path, release=FIXTURE_RELEASE)
    assert not (tmp_path / "reports" / "2025-Q3").exists()


def test_other_las_have_no_feed():
    assert area_feed("essex").empty


def test_kent_conversion_tool_reads_both_published_files(tmp_path):
    """Both raw files, the older first, row by row against the raw files read with the csv module (issue 22, item 4)."""
    import csv

    from tools.convert_kent_feed import PUBLISHED, convert_published

    raw = []
    for name in PUBLISHED:
        with open(RAW_DIR / name, encoding="utf-8-sig", newline="") as handle:
            raw += list(csv.DictReader(handle))
    converted = pd.concat([convert_published(RAW_DIR / name) for name in PUBLISHED], ignore_index=True).astype(str)
    assert len(converted) == len(raw) == 46 + 26
    for column in ("measure", "period", "value", "basis", "source_title", "source_url", "quote"):
        assert converted[column].tolist() == [r[column] for r in raw], column
    # the newest figures: 51.6% in August 2024 and 64% in September 2024 (raw 2024_on rows 1 and 2)
    assert converted.loc[46, ["measure", "period", "value"]].tolist() == ["ehcp_issued_within_20_weeks_pct", "2024-08", "51.6"]
    assert converted.loc[47, ["period", "value"]].tolist() == ["2024-09", "64"]
    # the longest wait, counted in weeks ("count" in the raw file), takes the catalogue's unit
    assert converted.loc[converted["measure"] == "max_wait_weeks_for_ehcp", "unit"].tolist() == ["weeks"]
    path = tmp_path / "kent.csv"
    converted.to_csv(path, index=False)
    frame, problems, _ = validate_feed(path)
    assert problems == [] and len(frame) == 68  # the two agreeing forecasts of £136m for 2025/26 kept once
