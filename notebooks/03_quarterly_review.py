# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.18.1
#   kernelspec:
#     display_name: SEND review (project .venv)
#     language: python
#     name: send-review
# ---

# %% [markdown]
# # SEND quarterly review
#
# A review of education, health and care (EHC) plan performance for DfE and
# NHS England reviewers and councillors: the executive summary first, then
# timeliness, placements, demand and benchmarks, then methods and sources.
# Every figure is computed from the published files listed at the end.

# %% tags=["parameters"]
area = "Kent"
quarter = "2025-Q3"
as_of = ""
neighbours = "2025"
release = ""
targets_file = ""
local = ""
details = True

# %%
import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis_helpers.analysis.budget import deficit_series, dsg_comparison, required_path_to_zero
from analysis_helpers.analysis.compare import compare, la_values
from analysis_helpers.analysis.review import CHANGE_RULE, RAG_RULE, executive_summary
from analysis_helpers.analysis.trajectory import required_path
from analysis_helpers.core.intervals import funnel_position
from analysis_helpers.data.provenance import inputs_table, vintages_text
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.domain.measures import get_measure
from analysis_helpers.domain.targets import requirements_for
from analysis_helpers.pipeline.parameters import validate, validate_quarter, validate_targets_file
from analysis_helpers.reporting import charts, disclosure, local_tables, narrative, tables

review_quarter, as_of_date = validate_quarter(quarter, as_of)
run = validate(area=area, neighbours=neighbours, as_of=as_of_date.isoformat(), release=release, local=local)
targets_path = validate_targets_file(targets_file)

# %%
display(
    Markdown(
        f"**{run.area.name}** ({run.area.code}) · **Quarter:** {review_quarter} "
        f"({review_quarter.start:%d %B %Y} to {review_quarter.end:%d %B %Y}) · **Data published by:** {run.as_of:%d %B %Y}"
    )
)

# %% [markdown]
# ## Executive summary

# %%
summary, outlooks = executive_summary(run.area, run.as_of, run.release, targets_path, local=run.local)

# %% tags=["report-hide"]
# NBVAL_CHECK_OUTPUT
print(summary[["KPI", "Latest", "Status"]].to_string(index=False))

# %%
display(HTML(tables.to_html(summary, caption=f"{run.area.name}: key performance indicators at {run.as_of:%d %B %Y}")))
display(Markdown(f"**Status rules.** Targeted KPIs — {RAG_RULE} Other KPIs — {CHANGE_RULE}"))
if not outlooks:
    display(Markdown(f"*No targets are recorded for {run.area.name}; statuses show change since the previous period only.*"))

# %% [markdown]
# ## Timeliness: plans issued within 20 weeks

# %%
peers = list(dict.fromkeys([run.area.name, "England"] + ([run.region.name] if run.region else [])))
kpis = kpis_for(peers, release=run.release)
source = f"DfE, Education, health and care plans ({run.release.path.name}); OGL v3.0"


def trend(measure: str, names: list[str]) -> None:
    series = kpis[(kpis["measure"] == measure) & kpis["area_name"].isin(names)]
    title = narrative.trend_title(series, run.area.name, measure)
    fig = charts.trend_chart(series, title=title, ylabel=get_measure(measure).label, source=source, highlight=run.area.name)
    display(HTML(charts.figure_html(fig, alt=title)))


def outlook_charts(measure: str) -> None:
    for outlook in [o for o in outlooks if o.measure == measure]:
        display(Markdown(f"**Target {outlook.target.target_id}.** " + narrative.outlook_sentence(outlook)))
        fig = charts.trajectory_chart(
            outlook.observed, outlook.projection.table if outlook.projection else pd.DataFrame(), required_path(outlook.target),
            target=outlook.target.target_value, target_label=f"Target {outlook.target.target_value:g}",
            title=narrative.outlook_title(outlook), ylabel=get_measure(measure).label, source=source, model_label=outlook.model,
        )
        display(HTML(charts.figure_html(fig, alt=narrative.outlook_sentence(outlook))))


if run.release.published and run.release.published > run.as_of:
    display(Markdown(f"*The DfE release was published on {run.release.published:%d %B %Y}, after this review's data date: DfE figures are not shown.*"))
else:
    trend("ehcp_issued_within_20_weeks_excl_exceptions_pct", peers)
    outlook_charts("ehcp_issued_within_20_weeks_pct")

# %% [markdown]
# ## Placements: mainstream and special schools
#
# The published "80% in mainstream" target does not say which population it
# counts, so both readings are tracked: all plans at the January census and new
# plans made in the year.

# %%
if not (run.release.published and run.release.published > run.as_of):
    for measure in ("ehcp_caseload_mainstream_pct", "new_ehcp_mainstream_pct"):
        trend(measure, peers)
        outlook_charts(measure)

# %% [markdown]
# ## Demand and balancing measures
#
# Requests for assessment show demand; the share of requests refused is the
# balancing measure: faster plans must not come from refusing more requests.

# %%
if not (run.release.published and run.release.published > run.as_of):
    for measure in ("ehc_requests_count", "ehc_requests_refused_pct"):
        comparison = compare(run.area.name, measure, neighbours=run.neighbours, release=run.release)
        display(Markdown(narrative.compare_sentence(comparison, measure)))
        trend(measure, [run.area.name])

# %% [markdown]
# ## Benchmarks

# %%
if not (run.release.published and run.release.published > run.as_of):
    headline = "ehcp_issued_within_20_weeks_excl_exceptions_pct"
    comparison = compare(run.area.name, headline, neighbours=run.neighbours, release=run.release)
    display(Markdown(narrative.compare_sentence(comparison, headline)))
    display(HTML(tables.to_html(tables.comparison_table(comparison, headline), caption=narrative.comparison_title(comparison, headline))))
    period = comparison.loc[0, "period"]
    las = la_values(headline, period, run.release)
    england = comparison.loc[comparison["comparator"] == "England", "value"]
    mine = las[las["area_name"] == run.area.name]
    if len(england) and len(mine):
        centre = float(england.iloc[0])
        position = funnel_position(float(mine["value"].iloc[0]), float(mine["denominator"].iloc[0]), centre)
        sentence = narrative.funnel_sentence(run.area.name, float(mine["value"].iloc[0]), float(mine["denominator"].iloc[0]), centre, "England", position)
        fig = charts.funnel_plot(las, centre=centre, centre_label=f"England {centre:.1f}%", highlight=run.area.name,
                                 title=f"{run.area.name} in {period}: {position} around England", ylabel=get_measure(headline).label, source=source)
        display(HTML(charts.figure_html(fig, alt=sentence)))
        display(Markdown(sentence))

# %% [markdown]
# ## Workforce: SEND casework capacity
#
# Casework vacancies and posts filled as the council published them, against
# any staffing requirement recorded for the area in the targets file.

# %%
staffing = [r for r in requirements_for(run.area.code, run.areas.get, targets_path) if r.measure == "send_vacancies"]
for requirement in staffing:
    display(Markdown(f"> {requirement.quote} — *{requirement.source_title}*. Due by {requirement.target_date:%d %B %Y} ({requirement.date_basis})."))
workforce = local_tables.measure_rows(run.feed, ["send_vacancies", "send_vacancies_filled"], run.as_of)
if workforce.empty:
    display(Markdown(f"*No workforce figures for {run.area.name} in its local feed.*"))
else:
    display(HTML(tables.to_html(local_tables.display(workforce), caption=f"{run.area.name}: SEND casework vacancies and posts filled, as published")))
    dated = workforce[(workforce["measure"] == "send_vacancies") & workforce["period_kind"].isin(["month", "quarter"])]
    if len(dated):
        title = narrative.local_title(dated, run.area.name, "vacancies")
        fig = charts.local_series_chart(disclosure.plottable(dated.assign(unit="count")), title=title, ylabel="Vacancies (posts)",
                                        source="council figures as published (data/local)",
                                        deadline=(staffing[0].target_date, "Requirement due") if staffing else None)
        display(HTML(charts.figure_html(fig, alt=title)))

# %% [markdown]
# ## High-needs budget and the safety-valve agreement

# %%
deficit = deficit_series(run.feed[run.feed["period_end"] <= run.as_of] if len(run.feed) else run.feed)
if deficit.empty:
    display(Markdown(f"*No high-needs deficit figures for {run.area.name} in its local feed.*"))
else:
    deficit_target = next((o.target for o in outlooks if o.measure == "high_needs_deficit_gbp_m"), None)
    required = required_path_to_zero(deficit, deficit_target.target_date) if deficit_target else None
    display(Markdown(narrative.budget_sentence(deficit, deficit_target, run.feed)))
    title = narrative.local_title(deficit.assign(measure="high_needs_deficit_gbp_m", unit="gbp_m"), run.area.name, "deficit")
    fig = charts.local_series_chart(deficit, title=title, ylabel="Cumulative high-needs deficit (£ million)",
                                    source="council figures as published (data/local); forecasts drawn hollow", required=required,
                                    target=0, target_label="Deficit eliminated")
    display(HTML(charts.figure_html(fig, alt=title)))
dsg = dsg_comparison(run.area, run.areas, run.neighbours) if run.area.level == "Local authority" else None
if dsg is not None:
    display(HTML(tables.to_html(local_tables.dsg_display(dsg), caption="DSG cumulative deficit as % of income (DfE; positive = deficit)")))

# %% [markdown]
# ## Methods, caveats and sources
#
# * Proportions carry 95% Wilson confidence intervals; projections carry 80% and
#   95% prediction intervals and name their model; the default model was chosen
#   by a backtest over every local authority (see the trajectories report).
# * DfE changed from aggregate to person-level returns in 2023: values either
#   side of the break are not strictly comparable.
# * A council's monthly management information and DfE's calendar-year
#   statistics measure the same process differently and are never joined into
#   one series.
# * The full list of assumptions and caveats, and the data log with every
#   file's source and checksum, are linked below.
#
# Contains public sector information licensed under the Open Government Licence v3.0.

# %%
display(Markdown(vintages_text(run.release, run.as_of)))
display(HTML(tables.to_html(inputs_table(), caption="Input files and their SHA-256 checksums")))
display(HTML(
    ('<p>Detailed reports: <a href="01_baselines.html">baselines</a> · <a href="02_trajectories.html">trajectories</a>. ' if details else "<p>")
    + 'Project documents: <a href="{{project}}/docs/assumptions_and_caveats.md">assumptions and caveats</a> · '
    '<a href="{{project}}/data/README.md">data log</a> (in the project folder).</p>'
))
