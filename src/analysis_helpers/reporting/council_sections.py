"""The review's sections on a council's own figures: its monthly figures against DfE's calendar years (never joined),
the SPC chart of a monthly series, casework capacity against any staffing requirement, and the high-needs budget.

Like :mod:`.sections` (whose conventions they follow), each takes the validated run and returns what a notebook cell
displays; the charts are :mod:`.council_charts`'.
"""

from __future__ import annotations

from IPython.display import HTML, Markdown

from analysis_helpers.analysis.budget import deficit_series, dsg_comparison, required_path_to_zero
from analysis_helpers.analysis.spc import MIN_TRIAL_POINTS, xmr
from analysis_helpers.core.formatting import fmt_date
from analysis_helpers.core.safe_text import md_text
from analysis_helpers.core.vintage import ended_by
from analysis_helpers.data.local_feed import LOCAL_MEASURES
from analysis_helpers.domain.areas import LOCAL_AUTHORITY
from analysis_helpers.domain.measures import TIMELINESS_MEASURE
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.domain.targets import earliest_target, requirements_for
from analysis_helpers.reporting import (
    charts,
    council_charts,
    disclosure,
    local_tables,
    narrative,
    tables,
)
from analysis_helpers.reporting.sections import council_source


def council_monthly(run: RunContext) -> list:
    """The council's monthly and quarterly figures as published, and a chart of each measure with two or more
    figures that can be shown (any measure of the catalogue ``data/local/measures.csv``; none is named in code)."""
    monthly = local_tables.monthly_rows(run.feed, run.area, run.as_of)
    if monthly.empty:
        return [Markdown(f"*No local feed for {run.area.name} in `data/local/`: only DfE's annual statistics are shown.*")]
    caption = f"{run.area.name}: figures the council published (monthly and quarterly)"
    shown = [HTML(tables.to_html(local_tables.display(monthly), caption=caption))]
    for measure in dict.fromkeys(monthly["measure"]):  # in the order the table lists them
        series = disclosure.plottable(monthly[monthly["measure"] == measure])
        if series["period_end"].nunique() < 2:
            continue
        unit, label = LOCAL_MEASURES[measure] if measure in LOCAL_MEASURES else (series["unit"].iloc[-1], measure)
        title = narrative.local_title(series, run.area.name)
        fig = council_charts.local_series_chart(series, title=title, ylabel=_axis_label(label, unit), source=council_source(run, series))
        shown.append(HTML(charts.figure_html(fig, alt=title)))
    return shown


def _axis_label(label: str, unit: str) -> str:
    """A catalogue label as an axis label with its unit: ``(%)``, ``(£ million)``, ``(weeks)`` unless it says so already."""
    suffix = {"pct": " (%)", "gbp_m": " (£ million)", "weeks": " (weeks)"}.get(unit, "")
    return label if not suffix or label.endswith((")", "(%)")) else label + suffix


def spc(run: RunContext, area_targets: list) -> list:
    """The council's monthly 20-week series as an XmR chart (``MIN_TRIAL_POINTS`` or more), against its earliest
    target if any."""
    monthly = local_tables.monthly_rows(run.feed, run.area, run.as_of)
    series = disclosure.plottable(monthly[monthly["measure"] == TIMELINESS_MEASURE]) if len(monthly) else monthly
    shown = [Markdown(narrative.spc_note(series, run.area.name))]
    if len(series) < MIN_TRIAL_POINTS:
        return shown
    target = earliest_target(area_targets, TIMELINESS_MEASURE)
    goal = target.target_value if target else None
    result = xmr(series["value"], higher_is_better=True, target=goal)
    fig = council_charts.xmr_chart(result.points, series["period"].tolist(), dates=series["period_end"],
                           title=f"{run.area.name}: {result.variation}; assurance {result.assurance or 'no target'}",
                           ylabel="Plans within 20 weeks (%)", target=goal,
                           source=council_source(run, series, "; target from the targets file" if target else ""))
    return [*shown, HTML(charts.figure_html(fig, alt=f"XmR chart: {result.variation}; {result.warning or ''}"))]


def workforce(run: RunContext) -> list:
    """Casework vacancies and posts filled as published, against any staffing requirement in the targets file."""
    staffing = [r for r in requirements_for(run.area.code, run.areas.get, run.targets) if r.measure == "send_vacancies"]
    shown = [Markdown(f"> {md_text(r.quote)} — *{md_text(r.source_title)}*. Due by {fmt_date(r.target_date)} ({md_text(r.date_basis)}).")
             for r in staffing]
    rows = local_tables.measure_rows(run.feed, ["send_vacancies", "send_vacancies_filled"], run.as_of)
    if rows.empty:
        return [*shown, Markdown(f"*No workforce figures for {run.area.name} in its local feed.*")]
    caption = f"{run.area.name}: SEND casework vacancies and posts filled, as published"
    shown.append(HTML(tables.to_html(local_tables.display(rows), caption=caption)))
    dated = disclosure.plottable(rows[(rows["measure"] == "send_vacancies") & rows["period_kind"].isin(["month", "quarter"])]
                                 .assign(unit="count"))  # the title names figures too: only those that may be shown
    if len(dated):
        title = narrative.local_title(dated, run.area.name, "vacancies")
        fig = council_charts.local_series_chart(dated, title=title, ylabel="Vacancies (posts)", source=council_source(run, dated),
                                        deadline=(staffing[0].target_date, "Requirement due") if staffing else None)
        shown.append(HTML(charts.figure_html(fig, alt=title)))
    return shown


def budget(run: RunContext, outlooks: list) -> list:
    """The high-needs deficit against any path to zero in the targets file, and DfE's DSG comparison for an LA."""
    feed = run.feed[ended_by(run.feed["period_end"], run.as_of)] if len(run.feed) else run.feed
    deficit = deficit_series(feed)
    shown = []
    if deficit.empty:
        shown.append(Markdown(f"*No high-needs deficit figures for {run.area.name} in its local feed.*"))
    else:
        target = next((o.target for o in outlooks if o.measure == "high_needs_deficit_gbp_m"), None)
        required = required_path_to_zero(deficit, target.target_date) if target else None
        shown.append(Markdown(narrative.budget_sentence(deficit, target, feed)))
        title = narrative.local_title(deficit.assign(measure="high_needs_deficit_gbp_m", unit="gbp_m"), run.area.name, "deficit")
        fig = council_charts.local_series_chart(deficit, title=title, ylabel="Cumulative high-needs deficit (£ million)",
                                        source=council_source(run, deficit, "; forecasts drawn hollow"), required=required,
                                        target=0, target_label="Deficit eliminated")
        shown.append(HTML(charts.figure_html(fig, alt=title)))
    if run.area.level == LOCAL_AUTHORITY:
        dsg = dsg_comparison(run.area, run.neighbours)
        if dsg is not None:
            caption = "DSG cumulative deficit as % of income (DfE; positive = deficit)"
            shown.append(HTML(tables.to_html(local_tables.dsg_display(dsg), caption=caption)))
    return shown
