"""The notebooks' sections: each returns what a cell displays, so notebooks are narrative and calls.

A function here takes the validated run (``pipeline.parameters.RunContext``,
passed as ``run``: this layer may not import the pipeline, so only its
attributes are used) and returns a list of IPython display objects; a notebook
cell shows them with ``display(*sections.trend(...))``. Nothing here reads a
parameter or decides what the review covers: the notebooks say that.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.analysis.compare import compare, la_values
from analysis_helpers.analysis.projection import MODELS
from analysis_helpers.analysis.trajectory import plan_milestones, required_path
from analysis_helpers.core.formatting import fmt_date, fmt_pct, fmt_value
from analysis_helpers.core.intervals import funnel_position
from analysis_helpers.core.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from analysis_helpers.data.area_facts import notes_for
from analysis_helpers.domain.history import break_period, timeliness_history
from analysis_helpers.domain.measures import BY_NAME, get_measure
from analysis_helpers.reporting import charts, narrative, tables

#: The detailed reports the review links, by notebook name.
DETAIL_PAGES = (("01_baselines", "baselines"), ("02_trajectories", "trajectories"))
#: Project documents every review links, relative to the project root.
DOCUMENTS = (("docs/assumptions_and_caveats.md", "assumptions and caveats"), ("data/README.md", "data log"))
BREAK_LABEL = "New DfE collection"


def peer_names(run) -> list[str]:
    """The area, England and the area's region (once each): the lines of a trend chart."""
    return list(dict.fromkeys([run.area.name, "England"] + ([run.region.name] if run.region else [])))


def dfe_source(run, extra: str = "") -> str:
    """The source line under a chart of DfE figures."""
    return f"DfE, Education, health and care plans ({run.release.path.name}){extra}; OGL v3.0"


def unpublished_note(run) -> list:
    """Said instead of DfE's figures when the release was not public by the data date."""
    return [Markdown(
        f"*DfE's release `{run.release.path.name}` was published on {fmt_date(run.release.published)}, after this "
        f"review's data date ({fmt_date(run.as_of)}): its figures are left out.*"
    )]


def series_break(kpis: pd.DataFrame, measure: str, release) -> tuple[str, str] | None:
    """``(last period before, first period after)`` DfE's change of collection, if the series spans it."""
    start = break_period(measure, release)
    periods = kpis[kpis["measure"] == measure].sort_values("period_end")["period"].drop_duplicates().tolist()
    if start in periods and periods.index(start) > 0:
        return (periods[periods.index(start) - 1], start)
    return None


def trend(run, kpis: pd.DataFrame, measure: str, names: list[str], source: str, show_break: bool = False) -> list:
    """A trend chart of ``measure`` for ``names``, titled from its numbers."""
    series = kpis[(kpis["measure"] == measure) & kpis["area_name"].isin(names)]
    title = narrative.trend_title(series, run.area.name, measure)
    fig = charts.trend_chart(
        series, title=title, ylabel=get_measure(measure).label, source=source, highlight=run.area.name,
        break_between=series_break(kpis, measure, run.release) if show_break else None, break_label=BREAK_LABEL,
    )
    return [HTML(charts.figure_html(fig, alt=title))]


def funnel(run, kpis: pd.DataFrame, measure: str, period: str, source: str) -> list:
    """Every LA's value for one period around England's, with 95% and 99.8% limits, and its sentence."""
    las = la_values(measure, period, run.release)
    england = kpis[(kpis["measure"] == measure) & (kpis["area_name"] == "England") & (kpis["period"] == period)]
    if las.empty or england.empty:
        return []
    centre = float(england["value"].iloc[0])
    mine = las[las["area_name"] == run.area.name]
    if mine.empty:
        return [Markdown(f"*{run.area.name} has no published value for {period}: it is not placed on the funnel plot.*")]
    value, denominator = float(mine["value"].iloc[0]), float(mine["denominator"].iloc[0])
    position = funnel_position(value, denominator, centre)
    sentence = narrative.funnel_sentence(run.area.name, value, denominator, centre, "England", position)
    fig = charts.funnel_plot(
        las, centre=centre, centre_label=f"England {fmt_pct(centre)}", highlight=run.area.name,
        title=f"{run.area.name} in {period}: {position} around England", ylabel=get_measure(measure).label, source=source,
    )
    return [HTML(charts.figure_html(fig, alt=sentence)), Markdown(sentence)]


def comparison(run, kpis: pd.DataFrame, measure: str, names: list[str], source: str) -> list:
    """A measure against its comparators: sentence, trend chart, table, and (for an LA's percentage) the funnel."""
    if not run.dfe_published:
        return []
    frame = compare(run.area.name, measure, neighbours=run.neighbours, release=run.release)
    shown = [Markdown(narrative.compare_sentence(frame, measure)), *trend(run, kpis, measure, names, source, show_break=True)]
    shown.append(HTML(tables.to_html(tables.comparison_table(frame, measure), caption=narrative.comparison_title(frame, measure))))
    if get_measure(measure).unit == "pct" and run.area.level == "Local authority":
        shown += funnel(run, kpis, measure, frame.loc[0, "period"], source)
    return shown


def long_view(run, names: list[str], measure: str = "ehcp_issued_within_20_weeks_excl_exceptions_pct") -> list:
    """The 2014+ series of ``measure`` (releases public by the data date), chart and the area's table."""
    history = timeliness_history(measure, release=run.release, as_of=run.as_of)
    rows = history[history["area_name"].isin(names)]
    start = rows.loc[rows["series_break"], "period"]
    periods = rows.sort_values("period_end")["period"].drop_duplicates().tolist()
    pair = (periods[periods.index(start.iloc[0]) - 1], start.iloc[0]) if len(start) and periods.index(start.iloc[0]) > 0 else None
    title = narrative.trend_title(rows, run.area.name, measure)
    fig = charts.trend_chart(
        rows, title=title, ylabel=get_measure(measure).label, highlight=run.area.name, break_between=pair, break_label=BREAK_LABEL,
        source="DfE, Education, health and care plans (releases published by the data date); OGL v3.0",
    )
    mine = rows[rows["area_name"] == run.area.name]
    caption = f"{run.area.name}: {get_measure(measure).label}, by calendar year"
    return [HTML(charts.figure_html(fig, alt=title)), HTML(tables.to_html(tables.history_table(mine), caption=caption))]


def _label(measure: str) -> str:
    return BY_NAME[measure].label if measure in BY_NAME else measure.replace("_", " ")


def outlook_chart(run, outlook, source: str, break_at=None) -> list:
    """One outlook's chart: observed with 95% CIs, projection with 80%/95% PIs, the required path and the target."""
    target = outlook.target
    fig = charts.trajectory_chart(
        outlook.observed,
        outlook.projection.table if outlook.projection else pd.DataFrame(),
        required_path(target, stones=plan_milestones(run.area)) if target else None,
        target=target.target_value if target else None,
        target_label=f"Target {target.target_value:g}" if target else "",
        title=narrative.outlook_title(outlook), ylabel=_label(outlook.measure), source=source, model_label=outlook.model,
        break_at=break_at,
    )
    return [HTML(charts.figure_html(fig, alt=narrative.outlook_sentence(outlook)))]


def outlooks_for(run, outlooks: list, measure: str, source: str) -> list:
    """The review's short form for each target on ``measure``: its sentence and chart."""
    shown = []
    for outlook in [o for o in outlooks if o.measure == measure]:
        shown.append(Markdown(f"**Target {outlook.target.target_id}.** " + narrative.outlook_sentence(outlook)))
        shown += outlook_chart(run, outlook, source)
    return shown


def milestones_table(outlook) -> pd.DataFrame:
    """The required value at the area's plan review points and the target date (empty if the area has none)."""
    stones = outlook.milestones
    if stones is None or stones.empty or outlook.target is None:
        return pd.DataFrame(columns=["Milestone", "Date", "Required"])
    unit = outlook.target.unit if outlook.target.unit in ("pct", "count", "gbp_m") else "count"
    return pd.DataFrame({
        "Milestone": stones["milestone"].tolist(),
        "Date": [fmt_date(d) for d in stones["date"]],
        "Required": [fmt_value(v, unit) for v in stones["required"]],
    })


def target_detail(run, outlook, source: str, break_at=None) -> list:
    """The trajectories report's section for one target (or the headline measure without one)."""
    target = outlook.target
    label = _label(outlook.measure)
    shown = [Markdown(f"### {target.target_id if target else 'Headline measure'}: {label}")]
    if target is not None:
        shown.append(Markdown(f"> {target.quote} — *{target.source_title}*"))
    shown.append(Markdown(narrative.outlook_sentence(outlook)))
    shown += outlook_chart(run, outlook, source, break_at=break_at)
    stones = milestones_table(outlook)
    if len(stones):
        source_titles = "; ".join(dict.fromkeys(m.source_title for m in plan_milestones(run.area)))
        caption = f"{target.target_id}: required value at each review point of {run.area.name}'s plan (review points: {source_titles})"
        shown.append(HTML(tables.to_html(stones, caption=caption)))
    if outlook.projection is not None:
        unit = "pct" if outlook.measure.endswith("_pct") else "count"
        caption = f"Projection: {MODELS[outlook.model]}"
        shown.append(HTML(tables.to_html(tables.projection_table(outlook.projection_rows(), unit), caption=caption)))
    return shown


def area_notes(area, section: str) -> list:
    """Prose that concerns this area only (``data/area_notes.csv``), each with its source; none for other areas."""
    notes = notes_for(area, section)
    if not notes:
        return []
    lines = [f"* {note.text} ([{note.source_title}]({note.source_url}))" for note in notes]
    return [Markdown("\n".join(lines))]


def document_links(report_dir: Path | None, details: bool = True) -> list:
    """Links to the detailed reports and the project's documents, right where the page is read.

    ``report_dir`` is the folder the HTML page is written to (``reports/<quarter>/<area>/``):
    its siblings are the ``.html`` reports. ``None`` means the notebook is read in
    JupyterLab from ``notebooks/``: the siblings are the ``.ipynb`` notebooks.
    """
    here = Path(report_dir) if report_dir is not None else NOTEBOOKS_DIR
    suffix = ".html" if report_dir is not None else ".ipynb"
    parts = []
    if details:
        pages = " · ".join(f'<a href="{name}{suffix}">{html.escape(label)}</a>' for name, label in DETAIL_PAGES)
        parts.append(f"Detailed reports: {pages}.")
    documents = " · ".join(
        f'<a href="{Path(os.path.relpath(PROJECT_ROOT / path, here)).as_posix()}">{html.escape(label)}</a>' for path, label in DOCUMENTS
    )
    parts.append(f"Project documents: {documents} (in the project folder).")
    return [HTML("<p>" + " ".join(parts) + "</p>")]
