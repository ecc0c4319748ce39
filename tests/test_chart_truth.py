"""Charts that tell the truth of the whole series (issue 22, item 6).

The real charts are drawn as a review draws them, from the shipped 2025 release (taken by name, helpers.SHIPPED_RELEASE),
for Kent and two other LAs: one colour per comparator in every chart, no two x tick labels overlapping, titles that
hold for the whole line (worked out here by hand), source lines that name the series drawn, and every comparator's
marker either drawn or its absence said.
"""

import datetime as dt
import io
import types

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from helpers import SHIPPED_RELEASE, TARGETS
from matplotlib.colors import to_hex

from analysis_helpers.analysis.outlook import build_outlook
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.domain.targets import read_targets
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.reporting import (
    charts,
    confidence_sections,
    council_sections,
    inclusion_sections,
    narrative,
    palette,
    pathway_sections,
    sections,
    who_waits_sections,
)

AREAS = ("Kent", "Leicester", "Kingston upon Hull, City of")
TREND_MEASURES = ("new_ehcp_mainstream_pct", "ehcp_caseload_mainstream_pct", "ehc_requests_count", "ehc_requests_refused_pct")


@pytest.fixture(scope="module")
def shipped():
    return open_release(SHIPPED_RELEASE)


def make_run(release, name):
    areas = areas_for(release)
    area = areas.get(name)
    return types.SimpleNamespace(area=area, areas=areas, release=release, region=areas.region_of(area), as_of=dt.date(2025, 9, 30),
                                 neighbours="2025", dfe_published=True, report_dir=None, targets=TARGETS, local=None)


class Kept:
    """Stands in for charts.figure_html: draws each figure exactly as the report's PNG is drawn, keeps what the tests
    look at (the figure itself is closed, as the report closes it)."""

    def __init__(self):
        self.figures: list[tuple[str, str, str, dict]] = []  # (kind, area, alt text, what was drawn)
        self.kind = self.area = ""

    def __call__(self, fig, alt):
        fig.savefig(io.BytesIO(), format="png", dpi=100)  # constrained layout, then drawn: the report's pixels
        facts = {"colours": labelled_colours(fig), "overlaps": overlapping_ticks(fig), "xticks": visible_xticks(fig),
                 "texts": [t.get_text() for t in fig.texts], "rows": england_rows(fig), "outside": outside_axes(fig),
                 "pct_limits": [ax.get_ylim() for ax in fig.axes if "%" in ax.get_ylabel()], "source_clear": source_clear(fig)}
        self.figures.append((self.kind, self.area, alt, facts))
        plt.close(fig)
        return ""


def draw_all(release, name: str, kept: Kept) -> None:
    """Every chart of an LA's review that DfE's figures draw, and its outlook charts on academic years."""
    run = make_run(release, name)
    kept.area = name
    peers = sections.peer_names(run)
    kpis = kpis_for(peers, release=release)
    for kind, make in (
        ("trend", lambda: [sections.trend(run, kpis, m, peers, "DfE", show_break=True) for m in TREND_MEASURES]),
        ("pathway", lambda: pathway_sections.pathway(run, "DfE")),
        ("who waits", lambda: who_waits_sections.who_waits(run, "DfE")),
        ("inclusion", lambda: inclusion_sections.inclusion(run, "DfE")),
        ("confidence", lambda: confidence_sections.confidence(run, kpis, peers, "DfE")),
        ("outlook", lambda: sections.outlook_chart(
            run, build_outlook(run.area, "ehcp_caseload_mainstream_pct", None, as_of=run.as_of, release=release), "DfE")),
    ):
        kept.kind = kind
        make()


@pytest.fixture(scope="module")
def drawn(shipped):
    kept = Kept()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "figure_html", kept)
        for name in AREAS:
            draw_all(shipped, name, kept)
    return kept.figures


# -- one colour per comparator ----------------------------------------------------------------------------------------
def labelled_colours(fig) -> list[tuple[str, str]]:
    """(legend label, colour) of every labelled line, scatter, bar set and error bar in a figure."""
    out = []
    for ax in fig.axes:
        for line in ax.get_lines():
            out.append((line.get_label(), to_hex(line.get_color())))
        for collection in ax.collections:
            if len(collection.get_facecolor()):
                out.append((collection.get_label(), to_hex(collection.get_facecolor()[0])))
        for container in ax.containers:
            if hasattr(container, "patches"):  # bars
                out.append((container.get_label(), to_hex(container.patches[0].get_facecolor())))
            elif container.lines[0] is not None:  # an error bar's points
                out.append((container.get_label(), to_hex(container.lines[0].get_color())))
    return [(label, colour) for label, colour in out if label and not label.startswith("_")]


def role(label: str, area: str, region: str) -> palette.Style | None:
    """The comparator a legend label names, if any."""
    if "beyond chance" in label.lower():
        return palette.BEYOND_CHANCE
    if label.startswith("Statistical neighbours"):
        return palette.NEIGHBOURS
    if label.startswith("England"):
        return palette.ENGLAND
    if label.startswith(("Region", region)):
        return palette.REGION
    if label.startswith(area):
        return palette.AREA
    return None


def test_every_chart_draws_each_comparator_in_its_one_colour(drawn, shipped):
    areas = areas_for(shipped)
    wrong, seen = [], {}
    for kind, area, _, facts in drawn:
        region = areas.region_of(areas.get(area)).name
        for label, colour in facts["colours"]:
            style = role(label, area, region)
            if style is None:
                continue
            seen.setdefault(style, set()).add(kind)
            if colour != style.colour.lower():
                wrong.append(f"{kind} ({area}): {label!r} drawn in {colour}, not {style.colour}")
    assert not wrong, "\n".join(wrong)
    # England is in every kind of chart that has comparators, in the same vermillion
    assert seen[palette.ENGLAND] >= {"trend", "pathway", "who waits", "inclusion", "confidence"}
    assert seen[palette.REGION] >= {"trend", "pathway", "who waits", "inclusion"}
    assert seen[palette.NEIGHBOURS] >= {"pathway", "inclusion"}
    assert "who waits" in seen[palette.BEYOND_CHANCE]


def test_no_two_meanings_share_a_colour_and_each_comparator_has_its_own_marker_and_line():
    styles = [palette.AREA, palette.ENGLAND, palette.REGION, palette.NEIGHBOURS, palette.OTHER, palette.TARGET, palette.REQUIRED,
              palette.PROJECTION, palette.BEYOND_CHANCE]
    assert len({s.colour.lower() for s in styles}) == len(styles)
    comparators = [palette.AREA, palette.ENGLAND, palette.REGION, palette.NEIGHBOURS]
    assert len({s.marker for s in comparators + [palette.BEYOND_CHANCE]}) == 5
    assert len({str(s.linestyle) for s in comparators}) == 4


# -- tick labels --------------------------------------------------------------------------------------------------------
def drawn_xticks(ax):
    """The x tick labels an axes draws: as matplotlib's own drawing picks them (its tick locations, in view, visible)."""
    low, high = sorted(ax.get_xlim())
    locs = ax.xaxis.get_majorticklocs()
    return [tick.label1 for loc, tick in zip(locs, ax.xaxis.get_major_ticks(len(locs)), strict=True)
            if low <= loc <= high and tick.label1.get_visible() and tick.label1.get_text()]


def visible_xticks(fig) -> list[list[str]]:
    return [[label.get_text() for label in drawn_xticks(ax)] for ax in fig.axes]


def overlapping_ticks(fig) -> list[str]:
    """Pairs of visible x tick labels whose drawn boxes overlap, in any axes of a drawn figure."""
    renderer = fig.canvas.get_renderer()
    found = []
    for ax in fig.axes:
        boxes = sorted(((label.get_text(), label.get_window_extent(renderer)) for label in drawn_xticks(ax)), key=lambda b: b[1].x0)
        found += [f"{a!r} and {b!r}" for (a, box_a), (b, box_b) in zip(boxes, boxes[1:], strict=False) if box_a.x1 > box_b.x0]
    return found


def outside_axes(fig) -> list[str]:
    """Lines and points drawn in data coordinates that fall outside their axes' ranges (cut off)."""
    found = []
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        for line in ax.get_lines():
            if line.get_transform() != ax.transData:
                continue  # a target or a break drawn across the axes (axhline, axvline): placed, not data
            x = np.asarray(mdates.date2num(line.get_xdata()) if len(line.get_xdata()) and not np.issubdtype(
                np.asarray(line.get_xdata()).dtype, np.number) else line.get_xdata(), dtype=float)
            y = np.asarray(line.get_ydata(), dtype=float)
            keep = np.isfinite(x) & np.isfinite(y)
            if keep.any() and ((y[keep] < y0 - 1e-9) | (y[keep] > y1 + 1e-9) | (x[keep] < x0 - 1e-9) | (x[keep] > x1 + 1e-9)).any():
                found.append(line.get_label())
    return found


def source_clear(fig) -> bool:
    """Whether the source line is drawn clear of every axes (its tick labels and axis labels included)."""
    renderer = fig.canvas.get_renderer()
    sources = [t.get_window_extent(renderer) for t in fig.texts if t.get_text().startswith("Source:")]
    return bool(sources) and not any(box.overlaps(ax.get_tightbbox(renderer)) for box in sources for ax in fig.axes)


def england_rows(fig) -> list[tuple[str, bool]]:
    """Each y tick label of each axes, and whether England's 'same group' marker is drawn on its row."""
    out = []
    for ax in fig.axes:
        marked = {round(float(y), 3) for c in ax.collections if c.get_label() == "England, same group"
                  for x, y in np.ma.filled(np.ma.asarray(c.get_offsets(), dtype=float), np.nan) if np.isfinite(x)}
        out += [(label.get_text().replace("\n", " "), round(float(y), 3) in marked)
                for y, label in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)]
    return out


def test_no_x_tick_labels_overlap_on_the_real_charts_nor_the_source_line_the_chart(drawn):
    assert len(drawn) >= 3 * 10
    problems = [f"{kind} ({area}): {facts['overlaps']}" for kind, area, _, facts in drawn if facts["overlaps"]]
    problems += [f"{kind} ({area}): the source line runs into the chart" for kind, area, _, facts in drawn if not facts["source_clear"]]
    assert not problems, "\n".join(problems)


def test_academic_years_to_2027_28_are_thinned_so_they_fit(drawn):
    """Kent's mainstream outlook runs from 2018/19 to 2027/28: ten labels that overlapped ('2018/192019/20...')."""
    facts = next(facts for kind, area, _, facts in drawn if (kind, area) == ("outlook", "Kent"))
    labels = facts["xticks"][0]
    assert labels[0] == "2018/19" and len(labels) < 10 and not facts["overlaps"]


def test_axes_fit_what_is_drawn_and_percentages_stay_possible(drawn):
    """No line or point is cut off by its axes, and no percentage axis runs past 0 or 100 (but for a 2-point margin)."""
    cut = [f"{kind} ({area}): {facts['outside']}" for kind, area, _, facts in drawn if facts["outside"]]
    assert not cut, "\n".join(cut)
    limits = [lim for *_, facts in drawn for lim in facts["pct_limits"]]
    assert limits and all(low >= -charts.PCT_MARGIN and high <= 100 + charts.PCT_MARGIN for low, high in limits)


# -- titles that hold for the whole line ----------------------------------------------------------------------------------
def line(values, periods=None):
    periods = periods or [str(2019 + i) for i in range(len(values))]
    return pd.DataFrame({"area_name": "Kent", "period": periods, "value": values,
                         "period_end": pd.to_datetime([f"{p[:4]}-12-31" for p in periods])})


MEASURE = "new_ehcp_mainstream_pct"


def test_a_peaked_line_says_its_peak_its_last_direction_and_its_change_since_the_first():
    # Kent's new plans in mainstream, 2019-2024: up to 67.7% in 2022, then down; 64.1 - 59.5 = +4.6 points
    title = narrative.trend_title(line([59.5, 60.8, 66.8, 67.7, 63.3, 64.1]), "Kent", MEASURE)
    assert title == ("Kent: new EHC plans with a mainstream school placement 64.1% in 2024, up from 63.3% in 2023; "
                     "peaked at 67.7% in 2022; +4.6 points since 2019 (59.5%)")
    assert "rose from" not in title


def test_the_change_is_said_since_the_plans_baseline_where_there_is_one():
    # baseline 2022 (67.7%): 64.1 - 67.7 = -3.6 points
    title = narrative.trend_title(line([59.5, 60.8, 66.8, 67.7, 63.3, 64.1]), "Kent", MEASURE, baseline="2022")
    assert title.endswith("peaked at 67.7% in 2022; -3.6 points since the plan's baseline, 2022 (67.7%)")


def test_a_dip_a_level_last_figure_and_two_figures():
    # lowest in the middle, 31.1% (2021); 36.12 and 36.1 both read 36.1%, so level; 36.12 - 32.3 = +3.8 points
    title = narrative.trend_title(line([32.3, 31.2, 31.1, 33.5, 36.1, 36.12]), "Kent", MEASURE)
    assert title.endswith("36.1% in 2024, level with 36.1% in 2023; lowest 31.1% in 2021; +3.8 points since 2019 (32.3%)")
    assert narrative.trend_title(line([50.0, 40.0]), "Kent", MEASURE).endswith("40.0% in 2020, down from 50.0% in 2019")
    assert narrative.trend_title(line([50.0]), "Kent", MEASURE).endswith("50.0% in 2019")


def test_a_peak_or_low_just_before_the_latest_is_said_once():
    # Kent's requests a month in its feed: 279 (2019-03), 445 (2021-03), 260 (2025-03); 260 / 279 - 1 = -6.8%
    rows = line([279.0, 445.0, 260.0], ["2019-03", "2021-03", "2025-03"]).assign(measure="requests_in_month", unit="count")
    assert narrative.local_title(rows, "Kent", "requests for assessment in the month") == (
        "Kent: requests for assessment in the month 260 in 2025-03, down from its peak, 445 in 2021-03; -7% since 2019-03 (279), "
        "as published")


def test_kents_real_title_names_the_2022_peak(shipped):
    """newplans.csv, Kent: the 2022 share is the line's highest and 2024's is below it."""
    from helpers import raw_rows

    rows = [r for r in raw_rows("newplans.csv", SHIPPED_RELEASE) if r["la_name"] == "Kent" and r["geographic_level"] == "Local authority"]
    assert rows  # the shipped release carries Kent's rows
    kept = Kept()
    run = make_run(shipped, "Kent")
    kpis = kpis_for(sections.peer_names(run), release=shipped)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "figure_html", kept)
        sections.trend(run, kpis, MEASURE, sections.peer_names(run), "DfE")
    series = kpis[(kpis["measure"] == MEASURE) & (kpis["area_name"] == "Kent")].sort_values("period_end")
    peak = series.loc[series["value"].idxmax()]
    assert peak["period"] == "2022" and series["value"].iloc[-1] < peak["value"]
    title = kept.figures[0][2]
    assert f"peaked at {peak['value']:.1f}% in 2022" in title
    assert title.endswith("since the plan's baseline, 2022 (67.7%)")  # data/targets.csv: app_mainstream_80_new_plans, 2022-12-31


# -- source lines and comparators' absence ------------------------------------------------------------------------------
def test_council_charts_name_the_feed_and_rows_drawn_never_dfes_zip():
    run = validate(area="Kent", quarter="2025-Q3", release=str(SHIPPED_RELEASE), today=dt.date(2025, 11, 15))
    kept = Kept()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "figure_html", kept)
        council_sections.council_monthly(run)
        app = next(t for t in read_targets() if t.target_id == "app_20_weeks_80")  # tracked on the council's monthly figures
        outlook = build_outlook(run.area, app.measure, app, as_of=run.as_of, release=run.release, local=run.local)
        sections.outlook_chart(run, outlook, sections.dfe_source(run))
    sources = [next(t for t in facts["texts"] if t.startswith("Source:")) for *_, facts in kept.figures]
    assert sources and all("kent.csv row" in s and "education-health-and-care-plans" not in s for s in sources)
    assert all(facts["source_clear"] for *_, facts in kept.figures)  # a source line of two lines still clears the axis label
    # the 20-week figures drawn are the feed's lines 2 (45%, May 2022), 5 (13.2%, June 2023) and 6 (2.3%, August 2023)
    # of tests/fixtures/data/local/kent.csv; lines 3 and 7 repeat 2 and 6 from other sources and are not drawn
    titles = [alt for _, _, alt, _ in kept.figures]
    twenty = titles.index(next(t for t in titles if t.startswith("Kent: EHC plans issued within 20 weeks")))
    assert "kent.csv rows 2, 5–6 (" in sources[twenty] and "kent.csv rows 2, 5–6 (" in sources[-1]
    assert sources[-1].endswith("; target from the targets file")


def test_who_waits_draws_englands_marker_or_says_why_not(drawn):
    """England's 'Female' rate is withheld in the release (with England's total it would give away the small 'Unknown'
    group): Kent's Female row says so instead of silently lacking England's square."""
    rows = next(facts["rows"] for kind, area, _, facts in drawn if (kind, area) == ("who waits", "Kent"))
    assert len(rows) >= 15
    for label, marked in rows:
        assert marked != ("England" in label), label  # a square on the row, or words saying why not: never neither
    assert ("Female (England's figure withheld under the disclosure rules)", False) in rows


def test_a_pathway_row_without_a_comparator_says_so(shipped):
    from analysis_helpers.analysis.pathway import pathway_table
    from analysis_helpers.reporting import pathway_charts

    table = pathway_table("Kent", release=shipped)
    assert table[["england", "region", "neighbours_median"]].notna().all().all()  # Kent's 2024 rows have all three
    table.loc[1, "region"] = float("nan")  # as if the region's 20-week figure were withheld
    fig = pathway_charts.pathway_chart(table, area_name="Kent", title="t", source="DfE")
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    assert labels[1].endswith("(no Region figure)") and sum("no Region figure" in label for label in labels) == 1
    assert not any("no England figure" in label for label in labels)
