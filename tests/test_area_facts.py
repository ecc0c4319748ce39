"""Area facts as data: Kent's notes, milestones and hosts apply to Kent only, each with its source."""

import datetime as dt

import jupytext
import nbformat
import papermill as pm
import pytest
from helpers import FIXTURE_RELEASE

from analysis_helpers.analysis.baselines import baseline_dates
from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import BASELINES_NOTEBOOK, HIGH_NEEDS_NOTEBOOK, PROJECT_ROOT, REVIEW_NOTEBOOK, TRAJECTORIES_NOTEBOOK
from analysis_helpers.data.area_facts import (
    AREA_FACT_FILES,
    council_hosts,
    milestones_for,
    notes_for,
    on_hosts,
    read_area_notes,
    read_council_hosts,
    read_milestones,
)
from analysis_helpers.data.local_feed import validate_feed
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import areas_for


@pytest.fixture(scope="module")
def areas():
    return areas_for(open_release())


def test_every_row_names_a_real_area_and_a_source(areas):
    for note in read_area_notes():
        assert areas.get(note.area).name == "Kent" and note.source_url.startswith("https://")
    for stone in read_milestones():
        assert areas.get(stone.area).name == "Kent" and "3, 6, 12 and 18 month" in stone.quote
    slugs = {a.slug for a in areas}
    assert set(read_council_hosts()) <= slugs
    assert all(path.exists() for path in AREA_FACT_FILES)


def test_kent_notes_by_any_identifier(areas):
    kent = areas.get("Kent")
    assert len(notes_for(kent, "context")) == 3 and len(notes_for(kent)) == 5
    assert notes_for("886", "budget")[0].text.startswith("Kent's safety-valve agreement with DfE started in the financial year 2022")
    assert notes_for(areas.get("Essex")) == [] and notes_for(areas.get("England")) == []
    with pytest.raises(ValueError, match="section must be one of"):
        notes_for(kent, "summary")


def test_kent_milestones_are_the_improvement_notices_review_points(areas):
    stones = milestones_for(areas.get("Kent"))
    assert [m.months for m in stones] == [3, 6, 12, 18]
    assert [m.date for m in stones] == [dt.date(2023, 6, 30), dt.date(2023, 9, 30), dt.date(2024, 3, 31), dt.date(2024, 9, 30)]
    assert milestones_for(areas.get("Medway")) == []


def test_seed_baseline_dates_come_from_the_data(areas):
    fixture = open_release(FIXTURE_RELEASE)  # its last calendar year is 2024, whatever the default release holds
    assert baseline_dates(areas.get("Kent"), release=fixture) == ("2023", "2023-06")  # app_20_weeks_80's baseline, 30 June 2023
    assert baseline_dates(areas.get("Essex"), release=fixture) == ("2024", "")  # no target, no feed: DfE's latest calendar year
    assert baseline_dates(areas.get("Essex"), release=fixture, as_of=dt.date(2025, 3, 31)) == ("", "")  # not yet public


@pytest.mark.parametrize(
    ("url", "hosts", "expected"),
    [
        ("https://www.kelsi.org.uk/news-and-events/x", ("kelsi.org.uk", ".gov.uk"), True),
        ("https://www.kelsi.org.uk/news-and-events/x", (".gov.uk",), False),
        ("https://democracy.essex.gov.uk/mgAi.aspx", (".gov.uk",), True),
        ("kentonline.co.uk/gravesend/news/amp/x", ("kent.gov.uk", ".gov.uk"), False),
        ("https://kent.gov.uk.example.com/page", ("kent.gov.uk", ".gov.uk"), False),
        ("https://notkent.gov.uk.evil.com", (".gov.uk",), False),
    ],
)
def test_council_host_rule(url, hosts, expected):
    assert on_hosts(url, hosts) is expected


def test_hosts_are_per_area():
    assert council_hosts("kent") == ("kent.gov.uk", "democracy.kent.gov.uk", "kelsi.org.uk", ".gov.uk")
    assert council_hosts("essex") == (".gov.uk",)


FEED = """measure,period,value,unit,basis,numerator,denominator,qualifier,source_title,source_url
send_vacancies,2023-09,25,count,snapshot,,,,KELSI update,https://www.kelsi.org.uk/news-and-events/directors-update/x
send_vacancies,2023-09,20,count,snapshot,,,,Local paper,https://www.kentonline.co.uk/kent/news/y
"""


@pytest.mark.parametrize(("name", "preferred", "rule"), [("kent.csv", 25, "the council's own publication"),
                                                         ("essex.csv", 20, "the later row")])
def test_a_conflict_prefers_the_councils_own_host_for_its_area_only(tmp_path, name, preferred, rule):
    path = tmp_path / name
    path.write_text(FEED, encoding="utf-8")
    frame, problems, notes = validate_feed(path)
    assert problems == [] and frame.loc[frame["preferred"], "value"].tolist() == [preferred]
    assert any(rule in note for note in notes)


@pytest.mark.parametrize(
    ("reader", "header", "row", "message"),
    [
        (read_area_notes, "area,section,text,source_title,source_url", "886,summary,x,t,https://a", "row 2, column 'section': 'summary'"),
        (read_area_notes, "area,section,text,source_title", "886,context,x,t", "row 1: missing column(s) source_url"),
        (read_milestones, "area,months,from_date,event,source_title,source_url", "886,six,2023-03-31,e,t,u", "column 'months': 'six'"),
        (read_milestones, "area,months,from_date,event,source_title,source_url", "886,6,March 2023,e,t,u",
         "column 'from_date': 'March 2023'"),
        (read_council_hosts, "area,host,source_title,source_url", "kent,,t,u", "row 2, column 'host': empty"),
    ],
)
def test_bad_rows_are_one_line_errors(tmp_path, reader, header, row, message):
    path = tmp_path / "facts.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        reader(path)
    assert str(info.value).startswith("facts.csv: ") and message in str(info.value) and "\n" not in str(info.value)


KENT_ONLY = ("improvement notice", "Accelerated Progress Plan", "APP", "safety-valve agreement", "Kent County Council", "KCC")


@pytest.mark.parametrize("notebook", [BASELINES_NOTEBOOK, TRAJECTORIES_NOTEBOOK, REVIEW_NOTEBOOK, HIGH_NEEDS_NOTEBOOK],
                         ids=lambda p: p.stem)
def test_no_notebook_carries_area_prose(notebook):
    """Kent's prose lives in data/area_notes.csv; a notebook names Kent only as the default area."""
    source = "\n".join(c.source for c in jupytext.read(notebook.with_suffix(".py")).cells)
    assert [phrase for phrase in KENT_ONLY if phrase in source] == []
    assert source.count("Kent") == 1 and 'area = "Kent"' in source


@pytest.mark.slow
def test_essex_review_has_no_kent_text_and_kents_has_it(tmp_path):
    shown = {}
    for area in ("Essex", "Kent"):
        executed = pm.execute_notebook(str(REVIEW_NOTEBOOK), str(tmp_path / f"{area}.ipynb"), parameters={"area": area},
                                       kernel_name="python3", cwd=str(PROJECT_ROOT), progress_bar=False)
        outputs = [o for c in nbformat.from_dict(executed).cells if c.cell_type == "code" for o in c.get("outputs", [])]
        shown[area] = "\n".join(str(o.get("data", {}).get("text/markdown", "")) + str(o.get("text", "")) for o in outputs)
    assert "improvement notice" in shown["Kent"] and "safety-valve agreement with DfE" in shown["Kent"]
    assert [phrase for phrase in KENT_ONLY + ("Kent",) if phrase in shown["Essex"]] == []
