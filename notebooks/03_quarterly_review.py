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
# Every figure is computed from the published files listed at the end, using
# only what was public by the data date (`as_of`).

# %% tags=["parameters"]
area = "Kent"  # type: str  English LA, region or England: name, LA number or GSS code (e.g. Essex, 881, E10000012)
quarter = "2025-Q3"  # type: str  calendar quarter under review, YYYY-Qn (2025-Q3: July to September 2025)
as_of = ""  # type: str  data date YYYY-MM-DD: only figures public on or before it are used; blank: the quarter's last day
neighbours = "2025"  # type: str  DfE statistical neighbour list: 2025 or 2021
release = ""  # type: str  DfE release zip or folder (from the project root); blank: the embedded release
targets_file = ""  # type: str  targets CSV (from the project root); blank: data/targets.csv
local = ""  # type: str  council figures: a feed file or a folder of them; blank: data/local/
details = True  # type: bool  link the detailed baselines and trajectories reports
report_dir = ""  # type: str  folder the HTML page is written to (set by send-review run); blank: read in JupyterLab from notebooks/

# %%
from IPython.display import HTML, Markdown, display

from analysis_helpers.analysis.budget import deficit_series, dsg_comparison, required_path_to_zero
from analysis_helpers.analysis.compare import compare
from analysis_helpers.analysis.status import CHANGE_RULE, RAG_RULE
from analysis_helpers.core.vintage import ended_by
from analysis_helpers.data.provenance import inputs_table, vintages_text
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.domain.targets import requirements_for
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.reporting import charts, disclosure, local_tables, narrative, sections, tables
from analysis_helpers.reporting.summary import executive_summary

run = validate(area=area, quarter=quarter, as_of=as_of, neighbours=neighbours, release=release, targets_file=targets_file,
               local=local, details=details, report_dir=report_dir)

# %%
display(
    Markdown(
        f"**{run.area.name}** ({run.area.code}) · **Quarter:** {run.quarter} "
        f"({run.quarter.start:%d %B %Y} to {run.quarter.end:%d %B %Y}) · **Data published by:** {run.as_of:%d %B %Y}"
    )
)
display(*sections.area_notes(run.area, "context"))

# %% [markdown]
# ## Executive summary

# %%
summary, outlooks = executive_summary(run.area, run.as_of, run.release, run.targets, local=run.local)

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
peers = sections.peer_names(run)
kpis = kpis_for(peers, release=run.release)
source = sections.dfe_source(run)
if not run.dfe_published:
    display(*sections.unpublished_note(run))
else:
    display(*sections.trend(run, kpis, "ehcp_issued_within_20_weeks_excl_exceptions_pct", peers, source))
    display(*sections.outlooks_for(run, outlooks, "ehcp_issued_within_20_weeks_pct", source))

# %% [markdown]
# ## Placements: mainstream and special schools
#
# Placements of all plans at the January census and of new plans made in the
# year, with any placement target recorded for the area.

# %%
display(*sections.area_notes(run.area, "placements"))
if run.dfe_published:
    for measure in ("ehcp_caseload_mainstream_pct", "new_ehcp_mainstream_pct"):
        display(*sections.trend(run, kpis, measure, peers, source))
        display(*sections.outlooks_for(run, outlooks, measure, source))

# %% [markdown]
# ## Demand and balancing measures
#
# Requests for assessment show demand; the share of requests refused is the
# balancing measure: faster plans must not come from refusing more requests.

# %%
if run.dfe_published:
    for measure in ("ehc_requests_count", "ehc_requests_refused_pct"):
        comparison = compare(run.area.name, measure, neighbours=run.neighbours, release=run.release)
        display(Markdown(narrative.compare_sentence(comparison, measure)))
        display(*sections.trend(run, kpis, measure, [run.area.name], source))

# %% [markdown]
# ## Benchmarks

# %%
if run.dfe_published:
    headline = "ehcp_issued_within_20_weeks_excl_exceptions_pct"
    comparison = compare(run.area.name, headline, neighbours=run.neighbours, release=run.release)
    display(Markdown(narrative.compare_sentence(comparison, headline)))
    display(HTML(tables.to_html(tables.comparison_table(comparison, headline), caption=narrative.comparison_title(comparison, headline))))
    if run.area.level == "Local authority":
        display(*sections.funnel(run, kpis, headline, comparison.loc[0, "period"], source))

# %% [markdown]
# ## Workforce: SEND casework capacity
#
# Casework vacancies and posts filled as the council published them, against
# any staffing requirement recorded for the area in the targets file.

# %%
staffing = [r for r in requirements_for(run.area.code, run.areas.get, run.targets) if r.measure == "send_vacancies"]
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
# ## High-needs budget

# %%
display(*sections.area_notes(run.area, "budget"))
deficit = deficit_series(run.feed[ended_by(run.feed["period_end"], run.as_of)] if len(run.feed) else run.feed)
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
display(*sections.document_links(run.report_dir, details=run.details))
