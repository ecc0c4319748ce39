"""Each area's Ofsted and CQC area SEND inspections and revisits (issue 22, item 8): the latest in the review's context,
every one on the details page, only what was published by the data date, the source named, file text escaped.

Expected values were read off the raw files' cells by hand (the .ods opened as a sheet, the .csv as text):

* Kent (E10000016), 2016 framework: began 28 January 2019, published 29 March 2019, written statement of action
  required, 9 significant weaknesses; revisit cells "Not revisited yet" (the file ends 31 August 2022).
* Hertfordshire (E10000015): 2016 framework 4 July 2016, published 7 September 2016, no written statement of action;
  2023 framework (the winter 2022/23 MI, line 8) began 10 July 2023, published 10 November 2023, "Widespread and/or
  systemic failings", priority action plan required for 2 areas.
* Worcestershire (E10000034): began 5 March 2018, published 16 May 2018, 12 weaknesses; revisit 1 November 2021,
  published 13 January 2022, "Some": 8 with sufficient progress, 4 without.
* Cumbria (E10000006): began 18 March 2019, published 22 May 2019, 9 weaknesses (Cumberland's predecessor).
* Northamptonshire (E10000021), North and West Northamptonshire: no row in either file.
* The 2016 file has 149 areas; the MI file 16 inspections, every one of an area in the 2016 file.
"""

import csv
import datetime as dt
import io
import types

import pandas as pd
import pytest
from helpers import FIXTURE_RELEASE, SHIPPED_RELEASE, fixture_release
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from test_safe_text import Parsed

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import OFSTED_2023_FRAMEWORK_FILE, OFSTED_INSPECTIONS_FILE, shown_path
from analysis_helpers.data.inputs import files_read
from analysis_helpers.data.ofsted import SHEET
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area, areas_for
from analysis_helpers.domain.inspections import all_inspections, inspection_history
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.reporting import inspections, sections, tables

AS_OF = dt.date(2025, 9, 30)
ODS = "Area_SEND_inspection_data_01_May_2016_to_31_August_2022.ods"
COVERAGE = ("inspections under the 2016 framework to 31 August 2022 (revisits published to October 2022) and the 2023 "
            "framework's first 16 inspections, published May to November 2023")
KENT_LINE = (
    "**Inspection:** Ofsted and CQC's area SEND inspection of Kent (2016 framework; January 2019, published March 2019) "
    "found significant weaknesses and required a written statement of action (9 areas of significant weakness); Ofsted's "
    f"file records no revisit by 31 August 2022. This is the latest record in Ofsted's files held here, which cover {COVERAGE}: "
    "a later inspection or revisit is not shown. Source: Ofsted, Area SEND inspection data, 1 May 2016 to 31 August 2022 "
    f"(`{ODS}`)."
)
HERTFORDSHIRE = Area(code="E10000015", name="Hertfordshire", level=LOCAL_AUTHORITY)  # not among the fixture's 15 LAs
WORCESTERSHIRE = Area(code="E10000034", name="Worcestershire", level=LOCAL_AUTHORITY)


@pytest.fixture(scope="module")
def areas():
    return areas_for(fixture_release())


def history(areas, area, as_of=AS_OF, **paths):
    return inspection_history(area if isinstance(area, Area) else areas.get(area), areas, as_of, **paths)


def make_run(areas, name, as_of=AS_OF):
    return types.SimpleNamespace(area=areas.get(name), areas=areas, as_of=as_of)


def shown(displayables) -> str:
    return "\n".join(d.data for d in displayables)


# -- the domain: every inspection, each LA's latest ---------------------------------------------------------
def test_every_inspection_in_both_files_is_one_row_under_the_las_code(areas):
    table = all_inspections(areas)
    assert len(table) == 149 + 16 and table["area_code"].nunique() == 149  # every 2023 inspection is of an area in 2016's
    assert (table["framework"] == "2023").sum() == 16 and table["area_code"].str.startswith("E").all()
    assert set(table.loc[table["framework"] == "2023", "area_code"]) >= {"E10000015", "E10000024"}  # named, not coded


def test_kents_latest_inspection_as_the_file_records_it(areas):
    kent = history(areas, "Kent")
    assert kent.inspected and len(kent.rows) == 1 and kent.later == 0 and kent.predecessor is None
    row = kent.latest
    assert (row["framework"], row["inspection_start"], row["inspection_published"]) == ("2016", dt.date(2019, 1, 28), dt.date(2019, 3, 29))
    assert row["action_required"] and row["action_plan"] == "written statement of action" and row["weaknesses"] == 9
    assert row["revisit_start"] is None and row["revisit_progress"] is None
    assert kent.old and kent.latest_event == dt.date(2019, 3, 29)  # more than 3 years before 30 September 2025


def test_an_la_inspected_under_the_2023_framework(areas):
    herts = history(areas, HERTFORDSHIRE)
    assert len(herts.rows) == 2 and not herts.old
    earlier, latest = herts.rows.iloc[0], herts.latest
    assert (earlier["framework"], earlier["inspection_published"], bool(earlier["action_required"])) == ("2016", dt.date(2016, 9, 7), False)
    assert (latest["framework"], latest["inspection_start"], latest["inspection_published"]) == ("2023", dt.date(2023, 7, 10),
                                                                                                 dt.date(2023, 11, 10))
    assert latest["outcome"] == "Widespread and/or systemic failings" and latest["action_required"] and latest["weaknesses"] == 2
    assert latest["action_plan"] == "priority action plan"


def test_only_what_was_published_by_the_data_date(areas):
    before_2023 = history(areas, HERTFORDSHIRE, dt.date(2023, 9, 30))  # the 2023 inspection was published 10 November 2023
    assert len(before_2023.rows) == 1 and before_2023.latest["framework"] == "2016" and before_2023.later == 1
    kent = history(areas, "Kent", dt.date(2019, 3, 28))  # the day before publication
    assert kent.latest is None and kent.later == 1
    assert history(areas, "Kent", dt.date(2019, 3, 29)).latest is not None  # public on its publication day
    worcs = history(areas, WORCESTERSHIRE, dt.date(2021, 12, 31))  # the revisit was published 13 January 2022
    assert worcs.latest["inspection_published"] == dt.date(2018, 5, 16) and worcs.latest["revisit_progress"] is None
    assert worcs.revisit_later and "its revisit was published after this review's data date" in inspections.inspection_line(worcs)
    assert history(areas, WORCESTERSHIRE, dt.date(2022, 1, 13)).latest["revisit_progress"] == "Some"


def test_a_merged_la_an_la_with_no_record_and_a_region(areas):
    cumberland = history(areas, "Cumberland")  # no record of its own: Cumbria's, said to be so
    assert cumberland.predecessor == "Cumbria" and cumberland.latest["inspection_start"] == dt.date(2019, 3, 18)
    assert ("no area SEND inspection of Cumberland is in Ofsted's files; "
            "Ofsted and CQC's inspection of Cumbria (the council it replaced;") in inspections.inspection_line(cumberland)
    for name in ("West Northamptonshire", "Northamptonshire"):  # neither, nor their predecessor, is in the files
        none = history(areas, name)
        assert none.inspected and none.latest is None and none.predecessor is None
        assert inspections.inspection_line(none).startswith(f"**Inspection:** no area SEND inspection of {name} "
                                                            "published by 30 September 2025")
    assert history(areas, "Buckinghamshire").latest["inspection_start"] == dt.date(2022, 3, 7)  # E10000002, DfE's other code E06000060
    assert history(areas, "Bristol, City of").latest["file_area_name"] == "Bristol"  # Ofsted's name; matched by code
    for name in ("South East", "England"):
        region = history(areas, name)
        assert not region.inspected and region.rows.empty and region.files == ()
        assert inspections.inspection_line(region) == (
            "**Inspection:** Ofsted and CQC inspect each local area's SEND services (the council with its NHS partners), "
            f"not regions or England: no inspection is shown for {name}.")


# -- the review's line and the details page -----------------------------------------------------------------
def test_kents_context_line(areas):
    assert shown(inspections.context_line(make_run(areas, "Kent"))) == KENT_LINE
    assert shown(sections.inspection(make_run(areas, "Kent"))) == KENT_LINE  # the review's one call


def test_the_2023_framework_line_and_a_revisit_line(areas):
    herts = inspections.inspection_line(history(areas, HERTFORDSHIRE))
    assert herts == (
        "**Inspection:** Ofsted and CQC's area SEND inspection of Hertfordshire (2023 framework; July 2023, published "
        "November 2023) found \u201cWidespread and/or systemic failings\u201d and required a priority action plan (2 areas "
        "for priority action). The details page lists 1 earlier inspection. Sources: Ofsted, Area SEND inspection data, "
        f"1 May 2016 to 31 August 2022 (`{ODS}`); Ofsted, area SEND inspections under the 2023 framework, management "
        "information, winter 2022/23 (`mi_ofsted_winter_2223.csv`).")
    worcs = inspections.inspection_line(history(areas, WORCESTERSHIRE, dt.date(2022, 9, 30)))
    assert ("(12 areas of significant weakness); the revisit (November 2021, published January 2022) found sufficient "
            "progress in 8 of the 12 significant weaknesses. Source:") in worcs
    assert "latest record" not in worcs  # 13 January 2022 is within 3 years of 30 September 2022


def test_an_inspection_after_the_data_date_is_left_out_and_said_to_be(areas):
    line = inspections.inspection_line(history(areas, "Kent", dt.date(2019, 3, 1)))
    assert line.startswith("**Inspection:** no area SEND inspection of Kent published by 1 March 2019 is in Ofsted's files")
    assert "1 inspection published after this review's data date (1 March 2019) is left out." in line
    assert "9 areas" not in line


def test_the_details_table(areas):
    herts = inspections.history_table(history(areas, HERTFORDSHIRE))
    assert herts.to_dict("records") == [
        {"Framework": "2016", "Visit": "Inspection", "Began": "4 July 2016", "Published": "7 September 2016",
         "Outcome": "No written statement of action required", "Weaknesses": "–",
         "Source": f"Ofsted, Area SEND inspection data, 1 May 2016 to 31 August 2022 ({ODS})"},
        {"Framework": "2023", "Visit": "Inspection", "Began": "10 July 2023", "Published": "10 November 2023",
         "Outcome": "Widespread and/or systemic failings; priority action plan required", "Weaknesses": "2 areas for priority action",
         "Source": "Ofsted, area SEND inspections under the 2023 framework, management information, "
                   "winter 2022/23 (mi_ofsted_winter_2223.csv)"},
    ]
    worcs = inspections.history_table(history(areas, WORCESTERSHIRE))
    assert worcs["Visit"].tolist() == ["Inspection", "Revisit"]
    assert worcs.iloc[1][["Began", "Published", "Outcome", "Weaknesses"]].tolist() == [
        "1 November 2021", "13 January 2022", "Sufficient progress in 8 of the 12 significant weaknesses", "8 progressed, 4 not"]
    page = shown(inspections.details(make_run(areas, "Kent")))
    assert "<caption>Kent: Ofsted and CQC area SEND inspections and revisits published by 30 September 2025</caption>" in page
    assert ("<td>28 January 2019</td><td>29 March 2019</td><td>Written statement of action required</td>"
            "<td>9 significant weaknesses</td>") in page
    assert shown(inspections.details(make_run(areas, "South East"))).startswith("**Inspection:** Ofsted and CQC inspect")


# -- text from the files is shown as text ----------------------------------------------------------------------
HOSTILE = '<script>alert(1)</script> *bold* [link](javascript:alert(2)) <img src=x onerror=alert(3)>'
#: The elements the line and the table make themselves; none may come from a file.
OURS = {"p", "strong", "code", "table", "caption", "thead", "tbody", "tr", "th", "td"}


def assert_shown_as_text(line: str, table: str, text: str) -> None:
    """The line rendered as the exported page renders Markdown (nbconvert), and the table: no element or attribute from
    the file, and its text there to read as written."""
    page = Parsed(markdown2html_mistune(line) + table)
    ours = {("table", "class", "send-table"), ("th", "scope", "col")}
    assert set(page.tags) <= OURS and set(page.attributes) <= ours, (set(page.tags) - OURS, set(page.attributes) - ours)
    assert page.text.count(text) == 2, page.text  # once in the line, once in the table


def test_a_hostile_outcome_renders_as_text(areas, tmp_path):
    rows = list(csv.reader(io.StringIO(OFSTED_2023_FRAMEWORK_FILE.read_text(encoding="utf-8"))))
    herts = next(r for r in rows if r[2] == "Hertfordshire")
    herts[6] = HOSTILE
    changed = tmp_path / OFSTED_2023_FRAMEWORK_FILE.name  # outside data/raw: read as it is
    with open(changed, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(rows)
    found = history(areas, HERTFORDSHIRE, path_2023=changed)
    assert found.latest["outcome"] == HOSTILE  # read as written
    line = inspections.inspection_line(found)
    assert "<script>" not in line and "<img" not in line and "&lt;script&gt;" in line and "\\[link\\]" in line
    table = tables.to_html(inspections.history_table(found), caption=inspections.history_caption(found))
    assert "<script>" not in table and "<img" not in table and "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert_shown_as_text(line, table, HOSTILE)


def test_a_hostile_area_name_renders_as_text(areas, tmp_path):
    sheet = pd.read_excel(OFSTED_INSPECTIONS_FILE, engine="odf", sheet_name=SHEET, header=None, dtype=object)
    sheet.loc[sheet[2] == "Cumbria", 2] = f"Cumbria {HOSTILE}"
    changed = tmp_path / OFSTED_INSPECTIONS_FILE.name
    sheet.to_excel(changed, engine="odf", sheet_name=SHEET, header=False, index=False)
    found = history(areas, "Cumberland", path_2016=changed)  # matched by code, named as the file names it
    assert found.predecessor == f"Cumbria {HOSTILE}"
    line = inspections.inspection_line(found)
    assert "<script>" not in line and "<img" not in line and "Cumbria &lt;script&gt;" in line
    caption = tables.to_html(inspections.history_table(found), caption=inspections.history_caption(found))
    assert "<script>" not in caption and "Cumbria &lt;script&gt;" in caption
    assert_shown_as_text(line, caption, f"Cumbria {HOSTILE}")


# -- a file that names an unknown area, duplicates ---------------------------------------------------------------
def copy_with(tmp_path, change) -> object:
    text = OFSTED_2023_FRAMEWORK_FILE.read_text(encoding="utf-8")
    changed = tmp_path / OFSTED_2023_FRAMEWORK_FILE.name
    changed.write_text(change(text), encoding="utf-8")
    return changed


def test_a_partnership_named_for_no_la_is_refused_in_one_line(areas, tmp_path):
    changed = copy_with(tmp_path, lambda t: t.replace('"Rutland"', '"Atlantis"'))
    with pytest.raises(DataValidationError) as caught:
        all_inspections(areas, path_2023=changed)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("mi_ofsted_winter_2223.csv: line 13, column 3 (Local.area.partnership): 'Atlantis'")


def test_a_repeated_inspection_is_one_and_two_different_records_of_one_are_refused(areas, tmp_path):
    line = next(x for x in OFSTED_2023_FRAMEWORK_FILE.read_text(encoding="utf-8").splitlines() if '"Oldham"' in x)
    repeated = copy_with(tmp_path, lambda t: t + line.replace('"9"', '"17"', 1) + "\n")
    assert (all_inspections(areas, path_2023=repeated)["framework"] == "2023").sum() == 16
    conflicting = copy_with(tmp_path, lambda t: t + line.replace('"9"', '"17"', 1).replace('"Yes",2', '"Yes",3') + "\n")
    with pytest.raises(DataValidationError, match=r"two different records of Oldham's inspection starting 2023-06-26"):
        all_inspections(areas, path_2023=conflicting)


# -- the files a run read -------------------------------------------------------------------------------------------
def test_an_las_run_lists_the_ofsted_files_and_a_regions_does_not():
    ofsted = {shown_path(OFSTED_INSPECTIONS_FILE), shown_path(OFSTED_2023_FRAMEWORK_FILE)}
    assert ofsted <= {shown_path(p) for p in files_read(SHIPPED_RELEASE, "2025", None)}
    assert not ofsted & {shown_path(p) for p in files_read(SHIPPED_RELEASE, "2025", None, inspections=False)}
    today = dt.date(2025, 11, 15)
    kent = validate(area="Kent", quarter="2025-Q3", release=str(FIXTURE_RELEASE), today=today)
    region = validate(area="South East", quarter="2025-Q3", release=str(FIXTURE_RELEASE), today=today)
    assert ofsted <= {shown_path(p) for p in kent.files_read} and not ofsted & {shown_path(p) for p in region.files_read}
