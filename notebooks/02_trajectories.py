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
# # Trajectories: will the targets be met?
#
# For each published target: where the area is, where the required trajectory
# says it should be, where the projection says it will be (with 80% and 95%
# prediction intervals and the model named), how likely the target is, and what
# it takes. Only data published by the review date are used.

# %% tags=["parameters"]
area = "Kent"
as_of = ""
targets_file = ""
release = ""
local = ""

# %%
import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis_helpers.analysis.backtest import cached_backtest, choose_default
from analysis_helpers.analysis.outlook import DEFAULT_MODEL, build_outlook
from analysis_helpers.analysis.projection import MODELS
from analysis_helpers.analysis.spc import xmr
from analysis_helpers.analysis.trajectory import required_path
from analysis_helpers.domain.history import break_date
from analysis_helpers.domain.measures import BY_NAME
from analysis_helpers.domain.targets import earliest_target, targets_for
from analysis_helpers.pipeline.parameters import validate, validate_targets_file
from analysis_helpers.reporting import charts, local_tables, narrative, tables

run = validate(area=area, as_of=as_of, release=release, local=local)
targets_path = validate_targets_file(targets_file)

# %%
area_targets = targets_for(run.area.code, run.areas.get, targets_path)
display(Markdown(f"**Area:** {run.area.name} · **Data as of:** {run.as_of:%d %B %Y} · **Targets file:** `{targets_path.name}`"))
if not area_targets:
    display(Markdown(f"*No targets are recorded for {run.area.name} in `{targets_path.name}`; the headline measure is projected without one.*"))
outlooks = [build_outlook(run.area, t.measure, t, as_of=run.as_of, release=run.release, local=run.local) for t in area_targets] or [
    build_outlook(run.area, "ehcp_issued_within_20_weeks_excl_exceptions_pct", None, as_of=run.as_of, release=run.release)
]
display(HTML(tables.to_html(tables.outlook_table([o.summary() for o in outlooks]), caption=f"{run.area.name}: targets at a glance")))

# %% tags=["report-hide"]
# NBVAL_CHECK_OUTPUT
print(tables.outlook_table([o.summary() for o in outlooks]).to_string(index=False))

# %% [markdown]
# ## Each target
#
# Observed values carry 95% confidence intervals; the projection's bands are
# 80% and 95% prediction intervals; the required trajectory is a straight line
# from the baseline to the target. A target date marked *assumed* was not
# stated by the source.

# %%
source = f"DfE, Education, health and care plans ({run.release.path.name}); council published figures; OGL v3.0"
for outlook in outlooks:
    target = outlook.target
    label = BY_NAME[outlook.measure].label if outlook.measure in BY_NAME else outlook.measure.replace("_", " ")
    display(Markdown(f"### {target.target_id if target else 'Headline measure'}: {label}"))
    if target is not None:
        display(Markdown(f"> {target.quote} — *{target.source_title}*"))
    display(Markdown(narrative.outlook_sentence(outlook)))
    fig = charts.trajectory_chart(
        outlook.observed,
        outlook.projection.table if outlook.projection else pd.DataFrame(),
        required_path(target) if target else None,
        target=target.target_value if target else None,
        target_label=f"Target {target.target_value:g}" if target else "",
        title=narrative.outlook_title(outlook),
        ylabel=label,
        source=source,
        model_label=outlook.model,
        break_at=break_date(outlook.measure, run.release) if outlook.measure in BY_NAME else None,
    )
    display(HTML(charts.figure_html(fig, alt=narrative.outlook_sentence(outlook))))
    if outlook.projection is not None:
        unit = "pct" if outlook.measure.endswith("_pct") else "count"
        display(HTML(tables.to_html(tables.projection_table(outlook.projection_rows(), unit), caption=f"Projection: {MODELS[outlook.model]}")))

# %% [markdown]
# ## Monthly figures and statistical process control
#
# NHS England reviewers read monthly series through Making Data Count XmR
# charts: limits at the mean ± 2.66 × the mean moving range, four rules for
# special-cause variation. Stable limits need 12 or more points.

# %%
monthly = local_tables.monthly_rows(run.feed, run.area, run.as_of)
series = monthly[monthly["measure"] == "ehcp_issued_within_20_weeks_pct"] if len(monthly) else monthly
display(Markdown(narrative.spc_note(series, run.area.name)))
spc_target = earliest_target(area_targets, "ehcp_issued_within_20_weeks_pct")  # from the targets file, if any
if len(series) >= 6:
    goal = spc_target.target_value if spc_target else None
    result = xmr(series["value"], higher_is_better=True, target=goal)
    fig = charts.xmr_chart(result.points, series["period"].tolist(), title=f"{run.area.name}: {result.variation}; assurance {result.assurance or 'no target'}",
                           ylabel="Plans within 20 weeks (%)", source="council figures (data/local); target from data/targets.csv", target=goal)
    display(HTML(charts.figure_html(fig, alt=f"XmR chart: {result.variation}; {result.warning or ''}")))

# %% [markdown]
# ## How much to trust the projections: the backtest
#
# Every local authority's next calendar year was forecast from the years
# before it (2020–2024), by each model. A model's 80% interval should contain
# about 80% of what actually happened, and its errors should be no worse than
# "same as last year".

# %%
backtest = cached_backtest(release=run.release)
chosen = choose_default(backtest)
display(HTML(tables.to_html(tables.backtest_display(backtest), caption="Backtest: EHC plans within 20 weeks (excluding exceptions), all LAs, 2020–2024")))
display(Markdown(narrative.backtest_sentence(backtest, chosen, DEFAULT_MODEL)))
