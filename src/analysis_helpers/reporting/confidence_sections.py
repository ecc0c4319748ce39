"""The review's section on parents' confidence: the SEND Tribunal appeal rate and its funnel plot.

Like :mod:`.sections`, each function takes the validated run and returns IPython display objects; the words are written
here from the numbers, so they change when the data does. A figure an area lacks is said, never drawn as zero.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.analysis.compare import compare
from analysis_helpers.domain.areas import LOCAL_AUTHORITY
from analysis_helpers.domain.measures import get_measure
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.reporting import charts, narrative
from analysis_helpers.reporting.funnel_section import funnel

APPEALS = "send_tribunal_appeal_rate_pct"


def confidence(run: RunContext, kpis: pd.DataFrame, names: list[str], source: str) -> list:
    """The SEND Tribunal appeal rate since 2014 against England and the region, and (for an LA) its funnel plot."""
    if not run.dfe_published:
        return []
    frame = compare(run.area.code, APPEALS, neighbours=run.neighbours, release=run.release)
    shown = [Markdown(narrative.compare_sentence(frame, APPEALS))]
    series = kpis[(kpis["measure"] == APPEALS) & kpis["area_name"].isin(names)]
    title = narrative.trend_title(series, run.area.name, APPEALS)
    fig = charts.trend_chart(series, title=title, ylabel=get_measure(APPEALS).label,
                             source=source + "; HMCTS SEND Tribunal appeals", highlight=run.area.name,
                             region=run.region.name if run.region else None)
    shown.append(HTML(charts.figure_html(fig, alt=title)))
    if run.area.level == LOCAL_AUTHORITY and pd.notna(frame.loc[0, "value"]):
        shown += funnel(run, kpis, APPEALS, frame.loc[0, "period"], source)
    return shown
