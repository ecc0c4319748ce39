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
# it takes. Only data published by the data date (`as_of`) are used.

# %% tags=["parameters"]
area = "Kent"  # type: str  English LA, region or England: name, LA number or GSS code (e.g. Essex, 881, E10000012)
quarter = "2025-Q3"  # type: str  calendar quarter under review, YYYY-Qn (2025-Q3: July to September 2025)
as_of = ""  # type: str  data date YYYY-MM-DD: only figures public on or before it are used; blank: the quarter's last day
release = ""  # type: str  DfE release zip or folder (from the project root); blank: the embedded release
targets_file = ""  # type: str  targets CSV (from the project root); blank: data/targets.csv
local = ""  # type: str  council figures: a feed file or a folder of them; blank: data/local/
report_dir = ""  # type: str  folder the HTML page is written to (set by send-review run); blank: read in JupyterLab from notebooks/

# %%
from IPython.display import HTML, Markdown, display

from analysis_helpers.analysis.backtest import cached_backtest, choose_default
from analysis_helpers.analysis.outlook import build_outlook
from analysis_helpers.domain.history import break_date
from analysis_helpers.domain.measures import BY_NAME
from analysis_helpers.domain.targets import targets_for
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.reporting import council_sections, model_text, narrative, sections, tables

run = validate(area=area, quarter=quarter, as_of=as_of, release=release, targets_file=targets_file, local=local, report_dir=report_dir)

# %%
area_targets = targets_for(run.area.code, run.areas.get, run.targets)
display(Markdown(f"**Area:** {run.area.name} · **Data published by:** {run.as_of:%d %B %Y} · **Targets file:** `{run.targets.name}`"))
if not area_targets:
    display(Markdown(f"*No targets are recorded for {run.area.name} in `{run.targets.name}`; "
                     "the headline measure is projected without one.*"))
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
# stated by the source. Where the area's plan has review points
# (`data/milestones.csv`), the required value at each is tabled with its source.

# %%
source = sections.dfe_source(run)  # a chart of the council's own figures names its feed instead (sections.outlook_chart)
for outlook in outlooks:
    breaks = break_date(outlook.measure, run.release) if outlook.measure in BY_NAME else None
    display(*sections.target_detail(run, outlook, source, break_at=breaks))

# %% [markdown]
# ## Monthly figures and statistical process control
#
# NHS England reviewers read monthly series through Making Data Count XmR
# charts: limits at the mean ± 2.66 × the mean moving range, four rules for
# special-cause variation. Stable limits need 12 or more points.

# %%
display(*council_sections.spc(run, area_targets))

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
display(HTML(tables.to_html(tables.backtest_display(backtest),
                            caption="Backtest: EHC plans within 20 weeks (excluding exceptions), all LAs, 2020–2024")))
display(Markdown(model_text.backtest_sentence(backtest, chosen)))  # the projections above use this model

# %%
display(*sections.document_links(run.report_dir, details=False))
