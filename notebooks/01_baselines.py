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
# # SEND baselines: where the area stands
#
# How an English local authority's education, health and care (EHC) plan
# figures compare with England, its region and its statistical neighbours, from
# the Department for Education's SEN2 statistics. Every number below is computed
# from the published release files named under each table and chart. Only
# figures public by the data date (`as_of`) are used.

# %% tags=["parameters"]
area = "Kent"  # type: str  English LA, region or England: name, LA number or GSS code (e.g. Essex, 881, E10000012)
quarter = "2025-Q3"  # type: str  calendar quarter under review, YYYY-Qn (2025-Q3: July to September 2025)
as_of = ""  # type: str  data date YYYY-MM-DD: only figures public on or before it are used; blank: the quarter's last day
neighbours = "2025"  # type: str  DfE statistical neighbour list: 2025 or 2021
release = ""  # type: str  DfE release zip or folder (from the project root); blank: the embedded release
local = ""  # type: str  council figures: a feed file or a folder of them; blank: data/local/
report_dir = ""  # type: str  folder the HTML page is written to (set by send-review run); blank: read in JupyterLab from notebooks/

# %%
from IPython.display import HTML, Markdown, display

from analysis_helpers.analysis.baselines import seed_baselines
from analysis_helpers.analysis.compare import compare
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.reporting import council_sections, inspections, pathway_sections, sections, tables

run = validate(area=area, quarter=quarter, as_of=as_of, neighbours=neighbours, release=release, local=local, report_dir=report_dir)

# %%
peers = sections.peer_names(run)
kpis = kpis_for(peers, release=run.release)
source = sections.dfe_source(run)
display(
    Markdown(
        f"**Area:** {run.area.name} ({run.area.code}"
        + (f", LA {run.area.la_number}" if run.area.la_number else "")
        + f") · **Region:** {run.region.name if run.region else '–'} · "
        f"**Statistical neighbours:** DfE {run.neighbours} list · **Data published by:** {run.as_of:%d %B %Y}"
    )
)
if run.area.coverage != "full":
    display(Markdown(f"*Coverage note: {run.area.coverage}. Missing years are gaps, not zeros.*"))
if not run.dfe_published:
    display(*sections.unpublished_note(run))
display(*sections.area_notes(run.area, "context"))

# %% [markdown]
# ## The starting point, with its basis
#
# A council's monthly management information and DfE's calendar-year statistics
# measure the same process in different ways, so they are shown side by side
# and never joined into one series. The month and year are those of the area's
# first 20-week target in the targets file (or its latest figures if it has none).

# %%
baselines = seed_baselines(run.area, release=run.release, local=run.local, as_of=run.as_of)
if not run.dfe_published:
    baselines = baselines[baselines["figure"].str.startswith("Council")]
display(HTML(tables.to_html(tables.baselines_table(baselines), caption=f"Baselines for {run.area.name}: 20-week timeliness")))
if not baselines["figure"].str.startswith("Council").any():
    display(Markdown(f"*No published monthly figures are held for {run.area.name}; only DfE statistics are shown.*"))

# %% [markdown]
# ### The council's own monthly figures
#
# Figures the council published between DfE's annual releases, each with its
# stated basis. Months are not comparable with calendar years; small counts are
# shown as <5.

# %%
display(*council_sections.council_monthly(run))

# %% [markdown]
# ## Timeliness: EHC plans issued within 20 weeks
#
# DfE's headline measure leaves out cases where an exception to the 20-week
# limit applied; both versions are shown. Shaded bands are 95% Wilson
# confidence intervals. The dotted vertical line marks DfE's change from
# aggregate to person-level returns; values either side are not strictly
# comparable.

# %%
for measure in ("ehcp_issued_within_20_weeks_excl_exceptions_pct", "ehcp_issued_within_20_weeks_pct"):
    display(*sections.comparison(run, kpis, measure, peers, source))

# %% tags=["report-hide"]
# NBVAL_CHECK_OUTPUT
if run.dfe_published:
    print(tables.headline_text(compare(run.area.name, "ehcp_issued_within_20_weeks_excl_exceptions_pct", neighbours=run.neighbours,
                                       release=run.release)))

# %% [markdown]
# ### The long view, 2014 onwards
#
# Years before 2019 come from DfE's 2022 release (older file layout); where both
# releases cover a year (2019–2021) they agree exactly.

# %%
display(*sections.long_view(run, peers))

# %% [markdown]
# ## Placements: mainstream and special schools

# %%
display(*sections.area_notes(run.area, "placements"))
for measure in ("ehcp_caseload_mainstream_pct", "ehcp_caseload_special_pct", "new_ehcp_mainstream_pct"):
    display(*sections.comparison(run, kpis, measure, peers, source))

# %% [markdown]
# ## Demand: requests, refusals and caseload
#
# The refusal rate is a balancing measure: faster plans must not come from
# refusing more requests for assessment.

# %%
for measure in ("ehc_requests_count", "ehc_requests_refused_pct", "ehcp_caseload_count"):
    display(*sections.comparison(run, kpis, measure, [run.area.name], source))

# %% [markdown]
# ## The EHC pathway, parents' confidence and inclusion: every comparator
#
# The statutory clocks (6-week decision, 20-week plan, plans over a year,
# 4-week annual review decision), the share of requests refused, the SEND
# Tribunal appeal rate and mainstream placement by age band, each against
# England, the region and every statistical neighbour.

# %%
display(*pathway_sections.pathway_details(run))

# %% [markdown]
# ## How plans end and personal budgets
#
# Plans ceased in the calendar year by DfE's recorded reason, and plans with a
# personal budget at the January census, as DfE counts them.

# %%
display(*pathway_sections.ceased_and_budgets(run))

# %% [markdown]
# ## Inspection history
#
# Ofsted and CQC inspect each local area's SEND services (the council with its
# NHS partners): every inspection and revisit published by the data date, as
# Ofsted's files record them. The files end with the 2016 framework's
# inspections to 31 August 2022 and the 2023 framework's first inspections
# (published to November 2023): a later one is not shown.

# %%
display(*inspections.details(run))

# %% [markdown]
# ## Sources
#
# Contains public sector information licensed under the Open Government Licence
# v3.0. Department for Education, *Education, health and care plans* (SEN2,
# 2022 and 2025 releases) and children's services statistical neighbour lists;
# Ofsted, *Area SEND inspection data, 1 May 2016 to 31 August 2022* and its
# management information on the 2023 framework's inspections (winter 2022/23).
# File checksums are in the project's data log; caveats are in the assumptions
# and caveats document (both linked below).

# %%
display(*sections.document_links(run.report_dir, details=False))
