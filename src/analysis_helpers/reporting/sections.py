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

from analysis_helpers.analysis.compare import compare
from analysis_helpers.analysis.projection import MODELS
from analysis_helpers.analysis.trajectory import plan_milestones, required_path
from analysis_helpers.core.formatting import fmt_date, fmt_value
from analysis_helpers.core.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from analysis_helpers.core.safe_text import md_code, md_link, md_text, plain
from analysis_helpers.data.area_facts import notes_for
from analysis_helpers.data.inputs import feed_file
from analysis_helpers.data.local_feed import LOCAL_MEASURES
from analysis_helpers.data.provenance import unlisted_label
from analysis_helpers.domain.areas import LOCAL_AUTHORITY
from analysis_helpers.domain.history import break_period, timeliness_history
from analysis_helpers.domain.measures import BY_NAME, HEADLINE_MEASURE, get_measure
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.domain.targets import earliest_target, targets_for
from analysis_helpers.reporting import charts, glossary, inspections, model_text, narrative, tables
from analysis_helpers.reporting.funnel_section import funnel
from analysis_helpers.reporting.key_messages import as_of_note
from analysis_helpers.reporting.key_messages import key_messages as build_key_messages
from analysis_helpers.reporting.sources import feed_line, feed_source, feed_staleness, release_line, release_staleness
from analysis_helpers.reporting.summary import headline as summary_headline

#: The detailed reports the review links, by notebook name.
DETAIL_PAGES = (("01_baselines", "baselines"), ("02_trajectories", "trajectories"), ("04_high_needs", "high-needs outlook"))
#: Project documents every review links, relative to the project root.
DOCUMENTS = (("docs/assumptions_and_caveats.md", "assumptions and caveats"), ("data/README.md", "data log"))
BREAK_LABEL = "New DfE collection"
#: The media type of the review's headline output (see :func:`headline`).
HEADLINE_MIME = "application/vnd.send-review.headline+json"


def peer_names(run: RunContext) -> list[str]:
    """The area, England and the area's region (once each): the lines of a trend chart."""
    return list(dict.fromkeys([run.area.name, "England"] + ([run.region.name] if run.region else [])))


def dfe_source(run: RunContext, extra: str = "") -> str:
    """The source line under a chart of DfE figures."""
    release = run.release
    name = release.path.name if release.listed else f"{release.path.name}, {unlisted_label(release.sha256)}"
    return f"DfE, Education, health and care plans ({name}){extra}; OGL v3.0"


def unpublished_note(run: RunContext) -> list:
    """Said instead of DfE's figures when the release was not public by the data date."""
    return [Markdown(
        f"*DfE's release {md_code(run.release.path.name)} was published on {fmt_date(run.release.published)}, after this "
        f"review's data date ({fmt_date(run.as_of)}): its figures are left out.*"
    )]


def stale_notes(run: RunContext) -> list:
    """A visible note for a stale DfE release (newest stored over 12 months before the data date) and for a stale council feed."""
    feed = getattr(run, "feed", None)
    notes = [n for n in (release_staleness(run.as_of), feed_staleness(feed, run.area.name, run.as_of)) if n]
    return [Markdown(f"> **Note: stale data.** {note}") for note in notes]


def vintage_header(run: RunContext) -> list:
    """The review's header lines on its data: the DfE release used, published when, the next expected; the council feed; stale notes."""
    lines = [release_line(run.release, run.as_of), feed_line(getattr(run, "feed", None), run.area.name, run.as_of)]
    return [Markdown(" ".join(lines)), *stale_notes(run)]


#: Where the exported page lists its sections (``pipeline.html`` fills it from the page's own headings).
CONTENTS = '<nav class="send-contents" aria-label="Contents"></nav>'


def headline(run: RunContext, summary: pd.DataFrame) -> dict:
    """The review's headline as a JSON output (a mimebundle for ``display(..., raw=True)``), which the run reads from the
    executed notebook for the quarter index; its cell is tagged report-hide, so readers never see it."""
    return {HEADLINE_MIME: {
        "area": run.area.name, "code": run.area.code, "region": run.region.name if run.region else "",
        "quarter": str(run.quarter), "as_of": run.as_of.isoformat(), "kpis": summary_headline(summary),
    }}


def key_messages(run: RunContext, outlooks: list, changed: str | None = None, budget: str | None = None) -> list:
    """The review's opening: its key messages as a list, each linking to its section, then the contents; ``changed`` is
    the sentence of what changed since the last review (:func:`.changes.summary_sentence`), ``budget`` the high-needs
    outlook's (:func:`.money_sections.key_message`)."""
    messages = build_key_messages(run.area, outlooks, run.release, run.dfe_published, changed, budget)
    bullets = "\n".join(f"* {m.markdown()}" for m in messages)
    return [Markdown(as_of_note(run.as_of)), Markdown(bullets), HTML(CONTENTS)]


def series_break(kpis: pd.DataFrame, measure: str, release) -> tuple[str, str] | None:
    """``(last period before, first period after)`` DfE's change of collection, if the series spans it."""
    start = break_period(measure, release)
    periods = kpis[kpis["measure"] == measure].sort_values("period_end")["period"].drop_duplicates().tolist()
    if start in periods and periods.index(start) > 0:
        return (periods[periods.index(start) - 1], start)
    return None


def plan_baseline(run: RunContext, series: pd.DataFrame, measure: str) -> str | None:
    """The period of the area's plan's baseline for ``measure`` (its earliest DfE-series target on it) where ``series``
    has a period ending on that date; else None (and for a run that carries no targets file)."""
    if getattr(run, "targets", None) is None or getattr(run, "areas", None) is None:
        return None
    target = earliest_target([t for t in targets_for(run.area.code, run.areas.get, run.targets) if t.series == "dfe"], measure)
    if target is None:
        return None
    hits = series[pd.to_datetime(series["period_end"]) == pd.Timestamp(target.baseline_date)]
    return str(hits["period"].iloc[0]) if len(hits) else None


def trend(run: RunContext, kpis: pd.DataFrame, measure: str, names: list[str], source: str, show_break: bool = False) -> list:
    """A trend chart of ``measure`` for ``names``, titled from its numbers (the change since the plan's baseline where
    the area has a target on the measure)."""
    series = kpis[(kpis["measure"] == measure) & kpis["area_name"].isin(names)]
    title = narrative.trend_title(series, run.area.name, measure, baseline=plan_baseline(run, series, measure))
    fig = charts.trend_chart(
        series, title=title, ylabel=get_measure(measure).label, source=source, highlight=run.area.name,
        region=run.region.name if run.region else None,
        break_between=series_break(kpis, measure, run.release) if show_break else None, break_label=BREAK_LABEL,
    )
    return [HTML(charts.figure_html(fig, alt=title))]


def comparison(run: RunContext, kpis: pd.DataFrame, measure: str, names: list[str], source: str) -> list:
    """A measure against its comparators: sentence, trend chart, table, and (for an LA's percentage) the funnel."""
    if not run.dfe_published:
        return []
    frame = compare(run.area.name, measure, neighbours=run.neighbours, release=run.release)
    shown = [Markdown(narrative.compare_sentence(frame, measure)), *trend(run, kpis, measure, names, source, show_break=True)]
    shown.append(HTML(tables.to_html(tables.comparison_table(frame, measure), caption=narrative.comparison_title(frame, measure))))
    if get_measure(measure).unit == "pct" and run.area.level == LOCAL_AUTHORITY:
        shown += funnel(run, kpis, measure, frame.loc[0, "period"], source)
    return shown


def long_view(run: RunContext, names: list[str], measure: str = HEADLINE_MEASURE) -> list:
    """The 2014+ series of ``measure`` (releases public by the data date), chart and the area's table."""
    history = timeliness_history(measure, release=run.release, as_of=run.as_of)
    rows = history[history["area_name"].isin(names)]
    start = rows.loc[rows["series_break"], "period"]
    periods = rows.sort_values("period_end")["period"].drop_duplicates().tolist()
    pair = (periods[periods.index(start.iloc[0]) - 1], start.iloc[0]) if len(start) and periods.index(start.iloc[0]) > 0 else None
    title = narrative.trend_title(rows, run.area.name, measure)
    fig = charts.trend_chart(
        rows, title=title, ylabel=get_measure(measure).label, highlight=run.area.name, break_between=pair, break_label=BREAK_LABEL,
        region=run.region.name if run.region else None,
        source="DfE, Education, health and care plans (releases published by the data date); OGL v3.0",
    )
    mine = rows[rows["area_name"] == run.area.name]
    caption = f"{run.area.name}: {get_measure(measure).label}, by calendar year"
    return [HTML(charts.figure_html(fig, alt=title)), HTML(tables.to_html(tables.history_table(mine), caption=caption))]


def council_source(run: RunContext, rows: pd.DataFrame, extra: str = "") -> str:
    """The source line under a chart of the council's own figures: its feed file and the rows drawn (never DfE's zip)."""
    path = feed_file(run.area.slug, getattr(run, "local", None)) if getattr(run, "area", None) is not None else None
    return feed_source(rows, path, run.area.name) + extra


def _is_council(observed: pd.DataFrame) -> bool:
    """Whether an outlook's observed series is the council's own figures (its basis says so), not DfE's statistics."""
    return "basis" in observed and len(observed) > 0 and observed["basis"].astype(str).str.startswith("council figure").all()


def _label(measure: str) -> str:
    """A measure's label from its registry: DfE's measures, else the council-measures catalogue."""
    if measure in BY_NAME:
        return BY_NAME[measure].label
    return LOCAL_MEASURES[measure][1] if measure in LOCAL_MEASURES else measure.replace("_", " ")


def outlook_chart(run: RunContext, outlook, source: str, break_at=None) -> list:
    """One outlook's chart: observed with 95% CIs, projection with 80%/95% PIs, the required path and the target.

    A series of the council's own figures is sourced to its feed file and rows, whatever ``source`` says (DfE's)."""
    target = outlook.target
    if _is_council(outlook.observed):
        source = council_source(run, outlook.observed, "; target from the targets file" if target else "")
    fig = charts.trajectory_chart(
        outlook.observed,
        outlook.projection.table if outlook.projection else pd.DataFrame(),
        required_path(target, stones=plan_milestones(run.area)) if target else None,
        target=target.target_value if target else None,
        target_label=f"Target {target.target_value:g}" if target else "",
        title=narrative.outlook_title(outlook), ylabel=_label(outlook.measure), source=source,
        model_label=model_text.model_words(outlook.model, annex=False) if outlook.model else None,
        break_at=break_at,
    )
    return [HTML(charts.figure_html(fig, alt=plain(narrative.outlook_sentence(outlook))))]


def outlooks_for(run: RunContext, outlooks: list, measure: str, source: str) -> list:
    """The review's short form for each target on ``measure``: its sentence and chart."""
    shown = []
    for outlook in [o for o in outlooks if o.measure == measure]:
        shown.append(Markdown(f"**Target on {md_text(glossary.target_name(outlook.target))}.** " + narrative.outlook_sentence(outlook)))
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


def target_detail(run: RunContext, outlook, source: str, break_at=None) -> list:
    """The trajectories report's section for one target (or the headline measure without one)."""
    target = outlook.target
    label = _label(outlook.measure)
    shown = [Markdown(f"### {md_text(target.target_id) if target else 'Headline measure'}: {md_text(label)}")]
    if target is not None:
        shown.append(Markdown(f"> {md_text(target.quote)} — *{md_text(target.source_title)}*"))
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
    """Prose that concerns this area only (``data/area_notes.csv``), each with its source; none for other areas.

    The file's texts are shown as text, and its address as a link only when it is an http(s) one
    (:mod:`analysis_helpers.core.safe_text`)."""
    notes = notes_for(area, section)
    if not notes:
        return []
    lines = [f"* {md_text(note.text)} ({md_link(note.source_title, note.source_url)})" for note in notes]
    return [Markdown("\n".join(lines))]


def inspection(run: RunContext) -> list:
    """The area's latest Ofsted and CQC area SEND inspection and revisit in one line, with its source (the review's
    context; :func:`analysis_helpers.reporting.inspections.context_line`)."""
    return inspections.context_line(run)


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


# -- the council's own figures (data/local) -------------------------------------------
