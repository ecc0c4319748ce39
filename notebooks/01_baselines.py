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
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # SEND baselines: where the area stands
#
# How an English local authority's education, health and care (EHC) plan
# figures compare with England, its region and its statistical neighbours, from
# the Department for Education's SEN2 statistics. Every number below is computed
# from the published release files named under each table and chart.

# %% tags=["parameters"]
area = "Kent"
neighbours = "2025"
as_of = ""
release = ""

# %%
from IPython.display import HTML, Markdown, display

from analysis_helpers import charts, narrative, tables
from analysis_helpers.compare import compare
from analysis_helpers.kpis import kpi_table, kpis_for
from analysis_helpers.measures import get_measure
from analysis_helpers.parameters import validate

run = validate(area=area, neighbours=neighbours, as_of=as_of, release=release)

# %%
peers = [run.area.name, "England"] + ([run.region.name] if run.region else [])
kpis = kpis_for(list(dict.fromkeys(peers)), release=run.release)
source = f"DfE, Education, health and care plans ({run.release.path.name}); OGL v3.0"
display(
    Markdown(
        f"**Area:** {run.area.name} ({run.area.code}"
        + (f", LA {run.area.la_number}" if run.area.la_number else "")
        + f") · **Region:** {run.region.name if run.region else '–'} · "
        f"**Statistical neighbours:** DfE {run.neighbours} list · **Data as of:** {run.as_of:%d %B %Y}"
    )
)
if run.area.coverage != "full":
    display(Markdown(f"*Coverage note: {run.area.coverage}. Missing years are gaps, not zeros.*"))


# %% [markdown]
# ## Timeliness: EHC plans issued within 20 weeks
#
# DfE's headline measure leaves out cases where an exception to the 20-week
# limit applied; both versions are shown. Shaded bands are 95% Wilson
# confidence intervals.

# %%
def section(measure: str, chart_peers: list[str]) -> None:
    comparison = compare(run.area.name, measure, neighbours=run.neighbours, release=run.release)
    display(Markdown(narrative.compare_sentence(comparison, measure)))
    series = kpis[(kpis["measure"] == measure) & kpis["area_name"].isin(chart_peers)]
    fig = charts.trend_chart(
        series,
        title=narrative.trend_title(series, run.area.name, measure),
        ylabel=get_measure(measure).label,
        source=source,
        highlight=run.area.name,
    )
    display(HTML(charts.figure_html(fig, alt=narrative.trend_title(series, run.area.name, measure))))
    display(HTML(tables.to_html(tables.comparison_table(comparison, measure), caption=narrative.comparison_title(comparison, measure))))


for measure in ("ehcp_issued_within_20_weeks_excl_exceptions_pct", "ehcp_issued_within_20_weeks_pct"):
    section(measure, peers)

# %% [markdown]
# ## Placements: mainstream and special schools

# %%
for measure in ("ehcp_caseload_mainstream_pct", "ehcp_caseload_special_pct", "new_ehcp_mainstream_pct"):
    section(measure, peers)

# %% [markdown]
# ## Demand: requests, refusals and caseload
#
# The refusal rate is a balancing measure: faster plans must not come from
# refusing more requests for assessment.

# %%
for measure in ("ehc_requests_count", "ehc_requests_refused_pct", "ehcp_caseload_count"):
    section(measure, [run.area.name])

# %% [markdown]
# ## Sources
#
# Contains public sector information licensed under the Open Government Licence
# v3.0. Department for Education, *Education, health and care plans* (SEN2) and
# children's services statistical neighbour lists. File checksums are in the
# project's data log (`data/README.md`).
