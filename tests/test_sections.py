"""reporting.sections: what each notebook cell shows, checked on the real release."""

import datetime as dt
import re
import types
from pathlib import Path

import pytest
from helpers import KENT_FEED, SHIPPED_RELEASE

from analysis_helpers.analysis.outlook import build_outlook
from analysis_helpers.core.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.domain.targets import read_targets, targets_for
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.reporting import council_sections, funnel_section, sections
from analysis_helpers.reporting.summary import executive_summary

HEADLINE = "ehcp_issued_within_20_weeks_excl_exceptions_pct"


def text(shown) -> str:
    return "\n".join(getattr(item, "data", "") for item in shown)


@pytest.fixture(scope="module")
def release():
    return open_release()


def make_run(release, name, as_of=dt.date(2025, 9, 30), report_dir=None):
    areas = areas_for(release)
    area = areas.get(name)
    return types.SimpleNamespace(
        area=area, areas=areas, release=release, region=areas.region_of(area), as_of=as_of, neighbours="2025",
        dfe_published=release.published <= as_of, report_dir=report_dir,
    )


@pytest.fixture(scope="module")
def kent(release):
    return make_run(release, "Kent")


def test_peers_are_the_area_england_and_its_region(kent, release):
    assert sections.peer_names(kent) == ["Kent", "England", "South East"]
    assert sections.peer_names(make_run(release, "England")) == ["England"]


def test_series_break_is_read_from_the_data(kent, release):
    kpis = kpis_for(sections.peer_names(kent), release=release)
    assert sections.series_break(kpis, HEADLINE, release) == ("2022", "2023")


def test_funnel_places_kent_within_the_limits_allowing_for_variation_between_councils(kent, release):
    # 2024: Kent 783 of 2,354 (33.3%) against England's 46.4%: far below the binomial 99.8% limit, but LAs range from
    # about 3% to 100%, and on limits widened by that variation Kent is within the 95% limits
    kpis = kpis_for(sections.peer_names(kent), release=release)
    chart, sentence = sections.funnel(kent, kpis, HEADLINE, "2024", "source")
    assert sentence.data.startswith("Kent (33.3% of 2,354) lies within the 95% limits around England (46.4%), allowing for "
                                    "the variation between councils")
    assert sentence.data.endswith("On chance alone (binomial limits) it would lie below the 99.8% limit.")
    assert 'alt="Kent (33.3% of 2,354)' in chart.data and "data:image/png;base64," in chart.data


def _hand_worked(monkeypatch, numerators, denominators, centre):
    """sections.funnel on a made-up release: LAs Kent, b, c, ... with these counts, and England at ``centre``."""
    import pandas as pd

    names = ["Kent", *"bcdefgh"][:len(numerators)]
    las = pd.DataFrame({"area_code": names, "area_name": names, "numerator": numerators, "denominator": denominators,
                        "unit": "pct"})
    las["value"] = 100 * las["numerator"] / las["denominator"]
    monkeypatch.setattr(funnel_section, "la_values", lambda measure, period, release: las)
    kpis = pd.DataFrame({"measure": [HEADLINE], "area_name": ["England"], "period": ["2024"], "value": [centre]})
    drawn = {}
    real = funnel_section.funnel_charts.funnel_plot
    monkeypatch.setattr(funnel_section.funnel_charts, "funnel_plot", lambda *a, **k: drawn.update(k) or real(*a, **k))
    run = types.SimpleNamespace(area=types.SimpleNamespace(name="Kent"), release=None)
    return sections.funnel(run, kpis, HEADLINE, "2024", "s"), drawn


def test_a_hand_worked_funnel_reports_the_adjusted_position(monkeypatch):
    # tests/test_funnel.py's example: Kent's 30 of 100 around 50% is below the exact binomial 99.8% limit (35%), but
    # within the 95% limits widened by the five areas' spread (29.54-70.46%; phi = 4.79, tau2 = 0.0090673)
    (chart, sentence), drawn = _hand_worked(monkeypatch, [30, 50, 55, 70, 180], [100, 100, 100, 100, 400], 50.0)
    assert sentence.data == (
        "Kent (30.0% of 100) lies within the 95% limits around England (50.0%), allowing for the variation between "
        "councils: its gap is within the usual variation between councils of its size. Councils differ far more than "
        "chance alone makes them (dispersion ratio 5 across 5 LAs, where chance gives about 1), so the limits are "
        "widened by that variation. On chance alone (binomial limits) it would lie below the 99.8% limit.")
    assert drawn["title"] == "Kent in 2024: within the 95% limits around England, allowing for variation between councils"
    assert drawn["spread"].tau2 == pytest.approx(0.0090673, abs=1e-7)


def test_without_overdispersion_the_funnel_says_its_limits_are_for_chance_alone(monkeypatch):
    # Kent 48 of 100, the others exactly at 50%: z = (asin √0.48 - π/4) · 20 = (0.765393 - 0.785398) · 20 = -0.4001,
    # 0 and 0; winsorised at the 10th percentile (-0.4001 + 0.2 · 0.4001 = -0.3201), phi = 0.3201² / 3 = 0.0342, and
    # I phi = 0.10 does not exceed I - 1 = 2: tau2 = 0. On Bin(100, 0.5) 48 is within the 95% limits (40-60%).
    (chart, sentence), drawn = _hand_worked(monkeypatch, [48, 100, 200], [100, 200, 400], 50.0)
    assert sentence.data.startswith("Kent (48.0% of 100) lies within the 95% limits around England (50.0%): a gap of this "
                                    "size could be chance alone for an authority of this size.")
    assert "so the limits are for chance alone (binomial)." in sentence.data
    assert drawn["title"] == "Kent in 2024: within the 95% limits around England (limits for chance alone)"
    assert not drawn["spread"].overdispersed


def test_a_funnel_does_not_place_a_figure_the_disclosure_rule_hides(monkeypatch):
    (note,), _ = _hand_worked(monkeypatch, [3, 50, 55, 70, 180], [100, 100, 100, 100, 400], 50.0)
    assert note.data == "*Kent's figure for 2024 is not shown (numerator under 5): it is not placed on the funnel plot.*"
    assert "3.0%" not in note.data


def test_comparison_shows_sentence_chart_table_and_funnel(kent, release):
    kpis = kpis_for(sections.peer_names(kent), release=release)
    shown = sections.comparison(kent, kpis, HEADLINE, sections.peer_names(kent), "source")
    assert len(shown) == 5  # sentence, trend chart, comparison table, funnel chart, funnel sentence
    assert "33.3%" in shown[0].data and "<table" in shown[2].data and "46.4%" in shown[4].data


def test_nothing_from_a_release_not_yet_public(release):
    early = make_run(release, "Kent", as_of=dt.date(2025, 3, 31))
    kpis = kpis_for(["Kent", "England"], release=release)
    assert sections.comparison(early, kpis, HEADLINE, ["Kent"], "source") == []
    note = text(sections.unpublished_note(early))
    assert "published on 1 July 2025" in note and "(31 March 2025)" in note


def test_milestones_of_kents_app_target_are_shown(kent, release):
    app = next(t for t in read_targets() if t.target_id == "app_20_weeks_80")
    outlook = build_outlook(kent.area, app.measure, app, as_of=kent.as_of, release=release)
    table = sections.milestones_table(outlook)
    assert table["Milestone"].tolist() == ["6 months", "12 months", "18 months", "target date"]
    assert table["Date"].tolist() == ["30 September 2023", "31 March 2024", "30 September 2024", "30 September 2024"]
    assert table["Required"].tolist()[:2] == ["26.6%", "53.3%"]  # 13.2 + 66.8 × 92/458 and × 275/458
    shown = text(sections.target_detail(kent, outlook, "source"))
    assert "review point of Kent" in shown and "KentOnline" in shown and "30 September 2023" in shown


def test_no_milestones_for_an_area_without_a_plan(release):
    essex = make_run(release, "Essex")
    outlook = build_outlook(essex.area, HEADLINE, None, as_of=essex.as_of, release=release)
    assert sections.milestones_table(outlook).empty
    assert "review point" not in text(sections.target_detail(essex, outlook, "source"))


def test_area_notes_only_for_the_area_they_name(kent, release):
    notes = text(sections.area_notes(kent.area, "context"))
    assert "improvement notice" in notes and "Accelerated Progress Plan" in notes
    assert "(https://www.kentonline.co.uk/maidstone/news/" in notes  # each note carries its source
    essex = make_run(release, "Essex")
    for section in ("context", "placements", "budget"):
        assert sections.area_notes(essex.area, section) == []


def hrefs(shown) -> list[str]:
    return re.findall(r'href="([^"]+)"', text(shown))


def test_links_in_jupyterlab_point_from_notebooks():
    links = hrefs(sections.document_links(None, details=True))
    assert links == ["01_baselines.ipynb", "02_trajectories.ipynb", "04_high_needs.ipynb", "../docs/assumptions_and_caveats.md",
                     "../data/README.md"]
    assert all((NOTEBOOKS_DIR / link).resolve().exists() for link in links)


def test_links_in_a_report_point_from_its_folder(tmp_path):
    report = PROJECT_ROOT / "reports" / "2025-Q3" / "kent"
    links = hrefs(sections.document_links(report, details=True))
    assert links == ["01_baselines.html", "02_trajectories.html", "04_high_needs.html", "../../../docs/assumptions_and_caveats.md",
                     "../../../data/README.md"]
    assert all((report / link).resolve().exists() for link in links[3:])
    elsewhere = hrefs(sections.document_links(tmp_path / "out" / "2025-Q3" / "essex", details=False))
    assert len(elsewhere) == 2 and all((tmp_path / "out" / "2025-Q3" / "essex" / link).resolve().exists() for link in elsewhere)
    assert "{{" not in text(sections.document_links(Path(report)))


# -- the council's own figures ------------------------------------------------------------
@pytest.fixture(scope="module")
def validated():
    return {name: validate(area=name, quarter="2025-Q3", release=str(SHIPPED_RELEASE), today=dt.date(2025, 11, 15))
            for name in ("Kent", "Essex")}


def test_council_monthly_figures(validated):
    kent = text(council_sections.council_monthly(validated["Kent"]))
    assert "Kent: figures the council published (monthly and quarterly)" in kent and "12,180" in kent
    assert text(council_sections.council_monthly(validated["Essex"])).startswith("*No local feed for Essex in `data/local/`")


def test_spc_needs_six_monthly_points(validated):
    kent = validated["Kent"]
    shown = council_sections.spc(kent, targets_for(kent.area.code, kent.areas.get, kent.targets))
    assert len(shown) == 1 and shown[0].data.startswith("*Kent has 3 published monthly figure(s) for 20-week timeliness: too few")
    assert text(council_sections.spc(validated["Essex"], [])) == "*No monthly figures for Essex: no SPC chart.*"


def test_workforce_against_the_casework_requirement(validated):
    shown = council_sections.workforce(validated["Kent"])
    assert "Due by 30 September 2023 (stated: within six months" in shown[0].data
    assert 'alt="Kent: vacancies 20 in 2023-09, down from 50 in 2023-Q2, as published"' in shown[-1].data
    assert text(council_sections.workforce(validated["Essex"])) == "*No workforce figures for Essex in its local feed.*"


def test_budget_path_and_dsg(validated):
    kent = validated["Kent"]
    _, outlooks = executive_summary(kent.area, kent.as_of, kent.release, kent.targets, local=kent.local)
    shown = text(council_sections.budget(kent, outlooks))
    assert "Latest forecast: £142m for 2022/23" in shown and "£140m from DfE and £82m from the council" in shown
    assert "<td>6.83%</td>" in shown  # Kent's DSG deficit, 2021-22 (dsg_deficit_derived.xlsx)
    essex = council_sections.budget(validated["Essex"], [])
    assert essex[0].data == "*No high-needs deficit figures for Essex in its local feed.*" and "<td>-0.53%</td>" in essex[1].data


# -- the review's header on its data (issue 15) ------------------------------------------
def test_header_names_the_release_and_when_the_next_is_due(validated):
    shown = sections.vintage_header(validated["Kent"])
    header = text(shown)
    assert "DfE figures come from the release published in July 2025" in header
    assert "(`education-health-and-care-plans_2025.zip`, public by 1 July 2025); the next release is expected in June 2026." in header
    assert "Kent's feed in `data/local/`" in header and "newest is for the period ending 31 December 2023" in header
    # at 30 September 2025 the release is fresh; Kent's feed (newest December 2023) is over six months old
    assert len(shown) == 2 and "Note: stale data." in shown[1].data and "Add a month of local figures" in shown[1].data


def test_header_flags_a_release_over_a_year_old(release):
    late = make_run(release, "Kent", as_of=dt.date(2026, 9, 30))
    late.feed = None  # no council feed: nothing to flag for it
    shown = sections.vintage_header(late)
    assert "the June 2026 release is expected but missing from data/raw/" in shown[0].data
    assert len(shown) == 2 and "July 2025, more than 12 months before this review's data date (30 September 2026)" in shown[1].data
    assert "Add the next DfE release" in shown[1].data and "No council figures for Kent" in shown[0].data


def test_council_figures_by_the_data_date_appear_and_none_after(tmp_path):
    """Filtered by each figure's period against the data date, not by the DfE release's publication (1 July 2025)."""
    import shutil

    shutil.copyfile(KENT_FEED, tmp_path / "kent.csv")
    with open(tmp_path / "kent.csv", "a", encoding="utf-8") as handle:
        handle.write(
            "send_vacancies,2025-09,41,count,snapshot (month of September 2025),,,,KCC update Sep 2025 (test),https://democracy.kent.gov.uk/t1\n"
            "send_vacancies,2025-10,43,count,snapshot (month of October 2025),,,,KCC update Oct 2025 (test),https://democracy.kent.gov.uk/t2\n"
        )
    run = validate(area="Kent", quarter="2025-Q3", local=str(tmp_path), today=dt.date(2025, 11, 15))
    shown = text(council_sections.workforce(run))
    assert "<td>2025-09</td><td>41</td>" in shown and "KCC update Sep 2025 (test)" in shown
    assert "2025-10" not in shown and "KCC update Oct 2025 (test)" not in shown
    assert "£140m from DfE and £82m from the council" in text(council_sections.budget(run, []))
    later = validate(area="Kent", quarter="2025-Q4", local=str(tmp_path), today=dt.date(2026, 11, 28))
    assert "<td>2025-10</td><td>43</td>" in text(council_sections.workforce(later))


def test_a_deal_agreed_after_the_data_date_is_not_in_the_budget_sentence(tmp_path):
    (tmp_path / "essex.csv").write_text(
        "measure,period,value,unit,basis,numerator,denominator,qualifier,source_title,source_url,quote\n"
        "high_needs_deficit_gbp_m,2024/25,50,gbp_m,cumulative at end of financial year,,,,ECC accounts (test),https://www.essex.gov.uk/t1,\n"
        "safety_valve_dfe_contribution_gbp_m,2025/26,999,gbp_m,total over five years,,,,ECC deal (test),https://www.essex.gov.uk/t2,\n"
        "safety_valve_kcc_contribution_gbp_m,2025/26,888,gbp_m,total over five years,,,,ECC deal (test),https://www.essex.gov.uk/t2,\n",
        encoding="utf-8",
    )
    run = validate(area="Essex", quarter="2025-Q3", local=str(tmp_path), today=dt.date(2025, 11, 15))
    shown = text(council_sections.budget(run, []))
    assert "£50m" in shown and "£999m" not in shown  # financial year 2025/26 ends 31 March 2026, after 30 September 2025
    later = validate(area="Essex", quarter="2026-Q2", local=str(tmp_path), today=dt.date(2026, 11, 28))
    assert "£999m from DfE and £888m from the council" in text(council_sections.budget(later, []))


def test_every_council_measure_with_two_figures_gets_a_chart(validated):
    """Kent's monthly/quarterly figures by the 2025-Q3 data date, from kent.csv: six measures have two or more dated
    figures (the annual-review backlog's two conflicting datings, 20-week timeliness, requests a month, plans
    maintained, the deficit's two snapshots, vacancies); each gets a chart, titled from its whole line (the latest
    figure, its direction since the one before, the line's low or peak, the change since the first), and sourced to
    the feed file's rows it draws."""
    kent = council_sections.council_monthly(validated["Kent"])
    titles = [part.data.split('alt="')[1].split('"')[0] for part in kent[1:]]
    # kent.csv rows 14 and 15: the same 12,180 dated Sept 2022 and Sept 2023
    assert titles[0] == "Kent: annual review backlog (cases) 12,180 in 2023-09, level with 12,180 in 2022-09, as published"
    assert len(titles) == 6
    # rows 2, 5, 6: 45% (2022-05), 13.2% (2023-06), 2.3% (2023-08); 2.3 - 45 = -42.7 points
    assert titles[1] == ("Kent: EHC plans issued within 20 weeks 2.3% in 2023-08, down from 13.2% in 2023-06; the lowest since "
                         "2022-05; -42.7 points since 2022-05 (45.0%), as published")
    assert titles[4] == "Kent: high-needs (DSG) cumulative deficit (£m) £103m in 2022-04, up from £5.7m in 2019-07, as published"
    assert titles[5] == "Kent: SEND casework vacancies 20 in 2023-09, down from 50 in 2023-Q2, as published"
