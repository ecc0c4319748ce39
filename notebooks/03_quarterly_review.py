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

# %% [markdown] tags=["report-hide"]
# # SEND quarterly review
#
# A review of education, health and care (EHC) plan performance for DfE and
# NHS England reviewers and councillors. The page opens with its cover: the
# area and quarter, the data date and the plan at a glance (each target's
# verdict, lead KPI first). Then what the figures rest on, the key messages,
# what changed since the last review and the executive summary; then
# timeliness, placements, demand and benchmarks; then methods and sources.
# Every figure is computed from the published files listed at the end, using
# only what was public by the data date (`as_of`). (This cell is for the
# notebook's reader: the exported page's title is written by the cell below the
# parameters, naming the area and quarter.)

# %% tags=["parameters"]
area = "Kent"  # type: str  English LA, region or England: name, LA number or GSS code (e.g. Essex, 881, E10000012)
quarter = "2025-Q3"  # type: str  calendar quarter under review, YYYY-Qn (2025-Q3: July to September 2025)
as_of = ""  # type: str  data date YYYY-MM-DD: only figures public on or before it are used; blank: the quarter's last day
neighbours = "2025"  # type: str  DfE statistical neighbour list: 2025 or 2021
release = ""  # type: str  DfE release zip or folder (from the project root); blank: the embedded release
targets_file = ""  # type: str  targets CSV (from the project root); blank: data/targets.csv
local = ""  # type: str  council figures: a feed file or a folder of them; blank: data/local/
details = True  # type: bool  link the detailed reports (baselines, trajectories, high-needs outlook)
report_dir = ""  # type: str  folder the HTML page is written to (set by send-review run); blank: read in JupyterLab from notebooks/

# %%
from IPython.display import HTML, Markdown, display

from analysis_helpers.analysis.compare import compare
from analysis_helpers.analysis.status import CHANGE_RULE, RAG_RULE
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.reporting import (
    changes,
    confidence_sections,
    council_sections,
    glance,
    inclusion_sections,
    money_sections,
    narrative,
    pathway_sections,
    sections,
    tables,
    who_waits_sections,
)
from analysis_helpers.reporting.sources import inputs_table, vintage_table, vintages_text
from analysis_helpers.reporting.summary import executive_summary

run = validate(area=area, quarter=quarter, as_of=as_of, neighbours=neighbours, release=release, targets_file=targets_file,
               local=local, details=details, report_dir=report_dir)

# %%
summary, outlooks = executive_summary(run.area, run.as_of, run.release, run.targets, local=run.local)
high_needs = money_sections.money_outlook(run)
display(HTML(glance.cover_html(run, outlooks)))

# %%
display(*sections.vintage_header(run))

# %% [markdown]
# ## Key messages

# %%
previous, previous_note = changes.previous_review(run)
changed = changes.changes(summary, outlooks, previous, run.as_of)
display(*sections.key_messages(run, outlooks, changes.summary_sentence(changed, previous, str(run.quarter.previous)),
                                money_sections.key_message(high_needs)))

# %% [markdown]
# ## What changed since the last review
#
# New figures, statuses that changed and targets whose date passed since the
# previous quarter's review.

# %%
display(*changes.section(changed, previous, str(run.quarter.previous), previous_note))

# %% [markdown]
# ## Executive summary

# %% tags=["report-hide"]
# NBVAL_CHECK_OUTPUT
print(summary[["KPI", "Latest", "Status"]].to_string(index=False))

# %% tags=["report-hide"]
display(sections.headline(run, summary), raw=True)  # read by the run for the quarter's index of reviews

# %%
display(HTML(tables.to_html(summary, caption=f"{run.area.name}: key performance indicators at {run.as_of:%d %B %Y}",
                            css_class=tables.WIDE)))
display(Markdown(f"**Status rules.** Targeted KPIs — {RAG_RULE} Other KPIs — {CHANGE_RULE}"))
if not outlooks:
    display(Markdown(f"*No targets are recorded for {run.area.name}; statuses show change since the previous period only.*"))
display(*sections.area_notes(run.area, "context"))
display(*sections.inspection(run))

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
# ## The EHC pathway
#
# The statutory clocks in the order a family meets them: the decision whether
# to assess (6 weeks from the request), the plan (20 weeks from the request,
# and the plans that took more than a year), and the decision after an annual
# review meeting (4 weeks). The share of requests refused sits beside them as
# the balancing measure.

# %%
display(*pathway_sections.pathway(run, source))

# %% [markdown]
# ## Who waits
#
# Plans issued within 20 weeks by age band, sex and ethnicity, each group
# against the rest of the area: a gap is flagged only when it is larger than
# chance, allowing for the number of groups compared in each topic (the
# methods annex names the tests). Groups too small to show under the
# disclosure rules are named, never counted.

# %%
display(*who_waits_sections.who_waits(run, source))

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
# ## Inclusion across the school years
#
# The share of plans with a mainstream school placement at primary ages (5 to
# 10) and at secondary ages (11 to 15), against England, the region and the
# statistical neighbours: where inclusion falls away at the move to secondary
# school. Then the mix of primary needs behind the plans.

# %%
if run.dfe_published:
    for measure, _ in inclusion_sections.AGE_BANDS:
        display(Markdown(narrative.compare_sentence(compare(run.area.code, measure, neighbours=run.neighbours, release=run.release),
                                                    measure)))
display(*inclusion_sections.inclusion(run, source))

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
# ## Parents' confidence
#
# The SEND Tribunal appeal rate (appeals registered per 100 decisions parents
# could appeal, calendar years since 2014) shows how far parents accept the
# council's decisions; the funnel plot shows whether the gap from England is
# larger than councils usually differ (or, where they differ no more than
# chance makes them, larger than chance).

# %%
display(*confidence_sections.confidence(run, kpis, peers, source))

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
display(*council_sections.workforce(run))

# %% [markdown]
# ## High-needs budget and the safety valve
#
# The council's own deficit figures against its safety-valve terms, DfE's
# comparison of cumulative balances, then this workbook's high-needs outlook:
# plans by placement projected and costed, against the high-needs block, to
# 2029-30. Outturns are drawn solid, council forecasts hollow and projections
# dashed with their 80% range; the assumptions and what each moves are stated.

# %%
display(*sections.area_notes(run.area, "budget"))
display(*council_sections.budget(run, outlooks))
display(*money_sections.section(run, high_needs))

# %% [markdown]
# ## Methods annex and glossary

# %%
from analysis_helpers.reporting.glossary import methods_annex

display(*methods_annex(run.area.name, outlooks))

# %% [markdown]
# ## Methods, caveats and sources
#
# * Proportions carry 95% confidence intervals; projections carry 80% and 95%
#   prediction intervals; their model was chosen by a backtest over every local
#   authority (see the trajectories report, and the methods annex above for the
#   models and tests by name).
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
display(HTML(tables.to_html(vintage_table(run.release, run.feed, run.area.name, run.as_of), caption="Data each section uses")))
display(*sections.stale_notes(run))
display(HTML(tables.to_html(inputs_table(run.files_read), caption="Files this review read, with their SHA-256 checksums")))
display(*sections.document_links(run.report_dir, details=run.details))
