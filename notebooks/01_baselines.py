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
# from the published release files named under each table and chart.

# %% tags=["parameters"]
area = "Kent"
neighbours = "2025"
as_of = ""
release = ""
local = ""

# %%
from IPython.display import HTML, Markdown, display

from analysis_helpers.analysis.baselines import seed_baselines
from analysis_helpers.analysis.compare import compare, la_values
from analysis_helpers.core.intervals import funnel_position
from analysis_helpers.domain.history import break_period, timeliness_history
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.domain.measures import get_measure
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.reporting import charts, disclosure, local_tables, narrative, tables

run = validate(area=area, neighbours=neighbours, as_of=as_of, release=release, local=local)

# %%
peers = list(dict.fromkeys([run.area.name, "England"] + ([run.region.name] if run.region else [])))
kpis = kpis_for(peers, release=run.release)
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
if not run.dfe_published:
    display(Markdown(
        f"*DfE's release `{run.release.path.name}` was not public by {run.as_of:%d %B %Y}: its figures are left out; "
        "the long timeliness series below uses only releases published by then.*"
    ))

# %% [markdown]
# ## The starting point, with its basis
#
# A council's monthly management information and DfE's calendar-year statistics
# measure the same process in different ways, so they are shown side by side
# and never joined into one series.

# %%
baselines = seed_baselines(run.area, release=run.release, local=run.local)
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
monthly = local_tables.monthly_rows(run.feed, run.area, run.as_of)
if monthly.empty:
    display(Markdown(f"*No local feed for {run.area.name} in `data/local/`: only DfE's annual statistics are shown.*"))
else:
    display(HTML(tables.to_html(local_tables.display(monthly), caption=f"{run.area.name}: figures the council published (monthly and quarterly)")))
    timeliness = monthly[monthly["measure"] == "ehcp_issued_within_20_weeks_pct"]
    if len(timeliness):
        title = narrative.local_title(timeliness, run.area.name)
        fig = charts.local_series_chart(disclosure.plottable(timeliness), title=title, ylabel="Plans issued within 20 weeks (%)",
                                        source="council figures as published (data/local); see the table for each source")
        display(HTML(charts.figure_html(fig, alt=title)))

# %% [markdown]
# ## Timeliness: EHC plans issued within 20 weeks
#
# DfE's headline measure leaves out cases where an exception to the 20-week
# limit applied; both versions are shown. Shaded bands are 95% Wilson
# confidence intervals. The dotted vertical line marks DfE's change from
# aggregate to person-level returns; values either side are not strictly
# comparable.

# %%
def series_break(measure: str):
    start = break_period(measure, run.release)
    periods = kpis[kpis["measure"] == measure].sort_values("period_end")["period"].drop_duplicates().tolist()
    if start in periods and periods.index(start) > 0:
        return (periods[periods.index(start) - 1], start)
    return None


def section(measure: str, chart_peers: list[str]) -> None:
    if not run.dfe_published:  # nothing from a release that was not yet public
        return
    comparison = compare(run.area.name, measure, neighbours=run.neighbours, release=run.release)
    display(Markdown(narrative.compare_sentence(comparison, measure)))
    series = kpis[(kpis["measure"] == measure) & kpis["area_name"].isin(chart_peers)]
    title = narrative.trend_title(series, run.area.name, measure)
    fig = charts.trend_chart(
        series, title=title, ylabel=get_measure(measure).label, source=source, highlight=run.area.name,
        break_between=series_break(measure), break_label="New DfE collection",
    )
    display(HTML(charts.figure_html(fig, alt=title)))
    display(HTML(tables.to_html(tables.comparison_table(comparison, measure), caption=narrative.comparison_title(comparison, measure))))
    if get_measure(measure).unit == "pct" and run.area.level == "Local authority":
        funnel(measure, comparison.loc[0, "period"])


def funnel(measure: str, period: str) -> None:
    las = la_values(measure, period, run.release)
    england = kpis[(kpis["measure"] == measure) & (kpis["area_name"] == "England") & (kpis["period"] == period)]
    if las.empty or england.empty:
        return
    centre = float(england["value"].iloc[0])
    mine = las[las["area_name"] == run.area.name]
    position = funnel_position(float(mine["value"].iloc[0]), float(mine["denominator"].iloc[0]), centre) if len(mine) else "no data"
    sentence = narrative.funnel_sentence(
        run.area.name, *(mine[["value", "denominator"]].iloc[0] if len(mine) else (float("nan"), 0)), centre, "England", position
    )
    fig = charts.funnel_plot(
        las, centre=centre, centre_label=f"England {centre:.1f}%", highlight=run.area.name,
        title=f"{run.area.name} in {period}: {position} around England", ylabel=get_measure(measure).label, source=source,
    )
    display(HTML(charts.figure_html(fig, alt=sentence)))
    display(Markdown(sentence))


for measure in ("ehcp_issued_within_20_weeks_excl_exceptions_pct", "ehcp_issued_within_20_weeks_pct"):
    section(measure, peers)

# %% tags=["report-hide"]
# NBVAL_CHECK_OUTPUT
if run.dfe_published:
    print(tables.headline_text(compare(run.area.name, "ehcp_issued_within_20_weeks_excl_exceptions_pct", neighbours=run.neighbours, release=run.release)))

# %% [markdown]
# ### The long view, 2014 onwards
#
# Years before 2019 come from DfE's 2022 release (older file layout); where both
# releases cover a year (2019–2021) they agree exactly.

# %%
history = timeliness_history("ehcp_issued_within_20_weeks_excl_exceptions_pct", release=run.release, as_of=run.as_of)
long_view = history[history["area_name"].isin(peers)]
start = long_view.loc[long_view["series_break"], "period"]
periods = long_view.sort_values("period_end")["period"].drop_duplicates().tolist()
break_pair = (periods[periods.index(start.iloc[0]) - 1], start.iloc[0]) if len(start) else None
title = narrative.trend_title(long_view, run.area.name, "ehcp_issued_within_20_weeks_excl_exceptions_pct")
fig = charts.trend_chart(
    long_view, title=title, ylabel="EHC plans within 20 weeks, excl. exceptions (%)",
    source="DfE, Education, health and care plans (2022 and 2025 releases); OGL v3.0", highlight=run.area.name,
    break_between=break_pair, break_label="New DfE collection",
)
display(HTML(charts.figure_html(fig, alt=title)))
area_history = long_view[long_view["area_name"] == run.area.name]
display(HTML(tables.to_html(tables.history_table(area_history), caption=f"{run.area.name}: EHC plans issued within 20 weeks, excluding exceptions, by calendar year")))

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
# v3.0. Department for Education, *Education, health and care plans* (SEN2,
# 2022 and 2025 releases) and children's services statistical neighbour lists.
# File checksums are in the project's data log (`data/README.md`); caveats are
# in `docs/assumptions_and_caveats.md`.
