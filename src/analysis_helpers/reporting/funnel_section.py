"""An area on the funnel plot: every LA's value for one period around England's, with its sentence.

One section, used by the comparisons of the review (``sections``) and by parents' confidence
(``pathway_sections``), so neither passes it to the other.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.analysis.compare import la_values
from analysis_helpers.analysis.funnel import funnel_table, place
from analysis_helpers.core.formatting import fmt_pct
from analysis_helpers.core.intervals import funnel_position
from analysis_helpers.core.safe_text import md_text
from analysis_helpers.core.small_numbers import figure_hidden
from analysis_helpers.domain.measures import get_measure
from analysis_helpers.domain.run_context import RunContext
from analysis_helpers.reporting import charts, funnel_charts, narrative


def funnel(run: RunContext, kpis: pd.DataFrame, measure: str, period: str, source: str) -> list:
    """Every LA's value for one period around England's, with 95% and 99.8% limits, and its sentence.

    The limits are widened by the variation between LAs when they differ more than chance makes them
    (:mod:`analysis_helpers.analysis.funnel`), binomial otherwise; the title and the sentence say which."""
    las = la_values(measure, period, run.release)
    england = kpis[(kpis["measure"] == measure) & (kpis["area_name"] == "England") & (kpis["period"] == period)]
    if las.empty or england.empty:
        return []
    centre = float(england["value"].iloc[0])
    mine = las[las["area_name"] == run.area.name]
    if mine.empty:
        return [Markdown(f"*{run.area.name} has no published value for {period}: it is not placed on the funnel plot.*")]
    value, denominator = float(mine["value"].iloc[0]), float(mine["denominator"].iloc[0])
    hidden = figure_hidden("pct", value, mine["numerator"].iloc[0], denominator)
    if hidden:
        return [Markdown(f"*{md_text(run.area.name)}'s figure for {period} is not shown ({hidden}): "
                         "it is not placed on the funnel plot.*")]
    _, spread = funnel_table(las, centre)
    position = place(value, denominator, spread)
    chance = funnel_position(value, denominator, centre)
    sentence = narrative.funnel_sentence(run.area.name, value, denominator, centre, "England", position, spread=spread,
                                         chance_position=chance)
    basis = ", allowing for variation between councils" if spread.overdispersed else " (limits for chance alone)"
    fig = funnel_charts.funnel_plot(
        las, centre=centre, centre_label=f"England {fmt_pct(centre)}", highlight=run.area.name, spread=spread,
        title=f"{run.area.name} in {period}: {position} around England{basis}", ylabel=get_measure(measure).label,
        source=source,
    )
    return [HTML(charts.figure_html(fig, alt=sentence)), Markdown(sentence)]
