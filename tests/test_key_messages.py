"""The review's key messages, checked against figures worked out here from the fixture release's rows (issue 14)."""

import datetime as dt
import re

import pytest
from helpers import TARGETS, raw_rows

from analysis_helpers.core.paths import NOTEBOOKS_DIR
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.pipeline.html import fill_contents
from analysis_helpers.reporting.key_messages import MAX_MESSAGES, SECTIONS, KeyMessage, key_messages
from analysis_helpers.reporting.summary import executive_summary

AS_OF = dt.date(2025, 9, 30)


@pytest.fixture(scope="module")
def messages(release):
    areas = areas_for(release)

    def build(name: str, published: bool = True) -> list[KeyMessage]:
        area = areas.get(name)
        _, outlooks = executive_summary(area, AS_OF, release, TARGETS)
        return key_messages(area, outlooks, release, published)

    return build


def refused(year: str) -> tuple[int, int]:
    row = next(r for r in raw_rows("requests.csv") if r["la_name"] == "Kent" and r["time_period"] == year
               and r["breakdown_topic"] == "All requests for EHC needs assessments")
    return int(row["requests_decided_not_to_assess"]), int(row["requests_received_in_year"])


def test_kent_opens_with_its_lead_kpi_then_its_missed_targets_then_the_balancing_measure(messages):
    kent = messages("Kent")
    assert 3 <= len(kent) <= MAX_MESSAGES
    # the lead KPI: 60% by Dec 2025 (DfE) has only its baseline, 2024's 784 of 2,424 (32.3%); 80% by Sep 2024 (council
    # monthly figures) has no figure on or after its date, which was due six months after it (Mar 2025): missing by Sep 2025
    assert round(100 * 784 / 2424, 1) == 32.3
    assert kent[0].section == "timeliness"
    assert kent[0].text.startswith("The plan's lead KPI, EHC plans issued within 20 weeks: 60.0% by Dec 2025 (DfE statistics): "
                                   "no figure since its baseline, 32.3% (784 of 2,424) in 2024; 80.0% by Sep 2024 (council "
                                   "monthly figures) not measured since the target date: the council's figure due Mar 2025 is "
                                   "expected and missing")
    assert kent[0].text.endswith("(date assumed).")
    # APP 80% in mainstream by Dec 2023, judged on the first figure after it: 6,754 of 19,407 (2023/24) = 34.80%
    assert kent[1].text == ("Target missed: EHC plans with a mainstream school placement, 34.8% (6,754 of 19,407) in 2023/24 "
                            "(the first figure on or after the target date), against 80.0% by Dec 2023 (the source did not "
                            "state which plans it counts: assumed here).")
    assert round(100 * 6754 / 19407, 1) == 34.8 and round(100 * 1251 / 1976, 1) == 63.3
    assert kent[2].text.startswith("Target missed: new EHC plans with a mainstream school placement, 63.3% (1,251 of 1,976) in 2023")
    assert kent[1].section == kent[2].section == "placements"
    # the deficit's latest outturn (£103m, April 2022) is flagged as conflicting with £97m for 2021/22: no Red from it
    assert not any("deficit" in m.text for m in kent)
    # the refusal share, from requests.csv: 2024 and 2023, read with faster decisions (both rose more than chance)
    (n24, d24), (n23, d23) = refused("2024"), refused("2023")
    assert (n24, d24) == (2200, 4001) and round(100 * n24 / d24, 1) == 55.0 and round(100 * n23 / d23, 1) == 31.2
    together = [m for m in kent if m.text.startswith("Read together")]
    assert together and "rose 23.8 percentage points to 55.0% (2,200 of 4,001) in 2024 (from 31.2% in 2023)" in together[0].text
    assert (round(100 * 3602 / 3969, 1) == 90.8
            and "requests decided within 6 weeks rose 21.8 percentage points to 90.8% (3,602 of 3,969)" in together[0].text)
    assert together[0].section == "demand"
    # the 6-week rise is read in that message, not repeated as the largest change
    assert not any(m.text.startswith("Largest change") and "6 weeks" in m.text for m in kent)


def test_what_changed_comes_second_when_the_run_knows_it(release):
    area = areas_for(release).get("Kent")
    _, outlooks = executive_summary(area, AS_OF, release, TARGETS)
    with_changes = key_messages(area, outlooks, release, True, changed="Since the last review (2025-Q2): 3 new figures <b>.")
    assert with_changes[1].section == "changes" and with_changes[1].text.startswith("Since the last review (2025-Q2)")
    assert "<b>" not in with_changes[1].text  # Markdown: escaped


def test_every_section_a_message_links_to_is_a_heading_of_the_review():
    """The links are written from SECTIONS: each title must be one of the review notebook's own ``##`` headings."""
    headings = re.findall(r"^# ## (.+)$", (NOTEBOOKS_DIR / "03_quarterly_review.py").read_text(encoding="utf-8"), flags=re.M)
    assert set(SECTIONS.values()) <= set(headings), set(SECTIONS.values()) - set(headings)
    assert KeyMessage("x", "timeliness").anchor == "#Timeliness:-plans-issued-within-20-weeks"  # as nbconvert writes the id


def test_an_area_without_targets_still_gets_three_messages(messages):
    essex = messages("Essex")  # no targets recorded: the headline against England first, then change and ranks
    assert len(essex) == 3
    assert essex[0].text == "EHC plans issued within 20 weeks, excluding exceptions: 15.0% (270 of 1,797) in 2024, below England's 46.4%."
    assert round(100 * 270 / 1797, 1) == 15.0


def test_england_is_not_ranked_or_compared_with_itself(messages):
    england = messages("England")
    assert not any("rank" in m.text.lower() or "England's" in m.text for m in england)


def test_before_dfe_publishes_only_council_targets_speak(messages):
    kent = messages("Kent", published=False)
    assert any(m.text.startswith("DfE's figures for this review's period are not yet published") for m in kent)
    assert not any("local authorities" in m.text for m in kent)


def test_the_contents_list_links_every_section_heading_after_it():
    body = ('<h2 id="Key-messages">Key messages</h2><nav aria-label="Contents" class="send-contents"></nav>'
            '<h2 id="Executive-summary">Executive summary<a class="anchor-link" href="#Executive-summary">¶</a></h2>'
            '<h2 id="High-needs-budget">High-needs <em>budget</em></h2>')
    filled = fill_contents(body)
    assert ('<li><a href="#Executive-summary">Executive summary</a></li>'
            '<li><a href="#High-needs-budget">High-needs budget</a></li>') in filled
    assert "Key-messages</a>" not in filled  # only the sections after the list
    assert fill_contents("<p>no list</p>") == "<p>no list</p>"
