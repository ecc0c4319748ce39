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
# # The high-needs outlook in detail
#
# What the review's "High-needs budget and the safety valve" rests on, in full,
# for analysts: the caseload model chosen for each placement type and how every
# candidate did, the unit costs against England and the statistical
# neighbours, the outlook by year and placement type, what each lever would
# take and what each assumption moves. Every figure after the latest outturn is
# this workbook's projection, not an outturn and not a council forecast. Only
# data published by the data date (`as_of`) are used; the command
# `send-review outlook` prints the same table, with scenario files.

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

from analysis_helpers.analysis.high_needs_outlook import target_year
from analysis_helpers.core.safe_text import md_text
from analysis_helpers.domain.outlook_files import financial_year
from analysis_helpers.pipeline.parameters import validate
from analysis_helpers.reporting import money_details, money_sections, sections, tables

run = validate(area=area, quarter=quarter, as_of=as_of, release=release, targets_file=targets_file, local=local, report_dir=report_dir)
found = money_sections.money_outlook(run)
display(Markdown(f"**Area:** {md_text(run.area.name)} · **Data published by:** {run.as_of:%d %B %Y}"))

# %% [markdown]
# ## The outlook
#
# The review's section reads this out with its charts; here are its opening
# and, below it, the tables behind it.

# %%
if found.inputs is None:
    display(*money_sections.section(run, found))  # says why this area has no outlook
else:
    display(Markdown(money_sections.lead_sentence(found)), money_sections.levers_table(found))

# %% [markdown]
# ## The outlook by year and placement type
#
# Plans at the January census the financial year starts in (counted up to the
# latest census, projected after it with 80% intervals); unit costs grown by
# the cost assumption (£ a plan a year); spend, grant, in-year gap and
# cumulative deficit in £ thousands, on the `all` row of each year. The last column says which
# figures are counted, which outturn the deficit starts from, and which are
# this workbook's projections (never the council's forecasts).

# %%
if found.inputs is not None:
    display(HTML(tables.to_html(money_details.outlook_table(found.table, found.inputs),
                                caption=f"{run.area.name}: the high-needs outlook, baseline", css_class=tables.WIDE)))

# %% [markdown]
# ## Unit costs, 2021-22
#
# The area's spend on the lines that pay for each type over its placements
# (DfE's high-needs benchmarking file), beside England's and its statistical
# neighbours' medians, with the flag where the figure is missing or
# implausible and the cost the outlook uses instead.

# %%
if found.inputs is not None:
    display(HTML(tables.to_html(money_details.unit_cost_table(run, found.inputs),
                                caption=f"{run.area.name}: unit costs a plan a year, 2021-22", css_class=tables.WIDE)))

# %% [markdown]
# ## How the caseload models were chosen
#
# For each series, every candidate projected every LA's latest January from
# one, two and three Januaries before it, with intervals calibrated only on
# what was known then; the most accurate (lowest mean absolute error) is
# chosen. Its 80% intervals should hold about 80% of outturns.

# %%
if found.inputs is not None:
    display(HTML(tables.to_html(money_details.model_table(run, found.inputs),
                                caption=f"Caseload models scored at January {found.inputs.last_census}, all LAs")))

# %% [markdown]
# ## What each assumption moves

# %%
if found.inputs is not None:
    year = target_year(found.inputs)
    display(HTML(tables.to_html(money_details.sensitivity_table(found.sensitivity, found.inputs, year),
                                caption=f"{financial_year(year)}: each assumption across its range", css_class=tables.WIDE)))

# %% tags=["report-hide"]
# NBVAL_CHECK_OUTPUT
if found.inputs is not None:
    print(money_details.unit_cost_table(run, found.inputs)[["Placement type", "Area (£)", "Used (£)"]].to_string(index=False))

# %%
display(*sections.document_links(run.report_dir, details=False))
