"""Projection models in plain words: how the review's text names a model (by how it was chosen), what each does in
words a councillor can follow, and what the backtest says of the chosen one, honestly. The technical forms are
:data:`analysis_helpers.analysis.projection.MODELS`; the methods annex (:mod:`.glossary`) lists both."""

from __future__ import annotations

import pandas as pd

from analysis_helpers.core.formatting import fmt_count, fmt_pct, fmt_points


def model_words(model: str, annex: bool = True) -> str:
    """How the review's text names a projection's model: by how it was chosen, not by its internal name (which the
    methods annex lists, reporting.glossary); ``annex=False`` leaves out the pointer to the annex (a chart's legend)."""
    words = "a straight-line trend" if model == "linear_pct" else "the model chosen by the backtest"
    return f"{words}; see the methods annex" if annex else words


#: Each projection model in words a councillor can follow (the technical form is analysis.projection.MODELS).
PLAIN_MODELS = {
    "glm_logit": "It draws the straight-line trend through the area's own years and extends it.",
    "rw_drift_logit": "It carries the area's latest figure forward, moving by the area's average yearly change.",
    "rw_logit": "It starts from the area's latest figure and expects no change, with a range of outcomes as wide "
                "as the year-to-year swings seen across all local authorities.",
    "panel_ar1_logit": "It starts from the area's latest figure and expects it to move part of the way back towards the "
                       "area's usual level, which is itself pulled towards the level of all local authorities; "
                       "how far, and how wide the range, are learnt from every area's history.",
    "panel_ar1_conformal_logit": "It starts from the area's latest figure and expects it to move part of the way back towards "
                                 "the area's usual level (itself pulled towards all local authorities' level); the range of "
                                 "outcomes is set by how far such forecasts missed in earlier years.",
    "panel_ar1_sized_logit": "It starts from the area's latest figure and expects it to move part of the way back towards the "
                             "area's usual level (itself pulled towards all local authorities' level); the range of outcomes "
                             "is set by how far such forecasts missed in earlier years, and is wider for an area with few "
                             "plans, whose percentages swing more by chance.",
    "panel_ar1_quantile_logit": "It starts from the area's latest figure and expects it to move part of the way back towards "
                                "the area's usual level (itself pulled towards all local authorities' level), then corrects "
                                "that guess, and sets the range of outcomes, by how such forecasts missed in earlier years "
                                "for areas of the same size, with the same latest change and the same growth in plans "
                                "issued; the range need not be the same above and below.",
    "panel_ar1_leading_logit": "It works like the model that learns from earlier misses by areas of the same size, latest "
                               "change and growth in plans issued, and also takes into account how fast requests for an "
                               "assessment grew last year and how the share of requests refused changed.",
    "linear_pct": "It draws the straight-line trend through the area's own percentages and extends it.",
}


def backtest_sentence(table: pd.DataFrame, chosen: str) -> str:
    """The chosen model in plain words, and what the backtest says about it one year ahead, honestly."""
    overall = table[table["year"] == "overall"]
    if "horizon" in overall:
        overall = overall[overall["horizon"] == 1]
    overall = overall.set_index("model")
    row = overall.loc[chosen]
    verdict = (
        "no model forecast better than 'same as last year'"
        if (overall["mae"] < overall["mae_naive"] - 1e-9).sum() == 0
        else f"{chosen} forecast better than 'same as last year'" if row["mae"] < row["mae_naive"] - 1e-9
        else f"{chosen} did not forecast better than 'same as last year'"
    )
    sharpness = (f"; its 80% intervals were {fmt_points(row['width_80'])} wide on average (interval score {row['winkler_80']:.1f})"
                 if "width_80" in row else "")
    text = (
        f"The projections use the model that did best in the backtest, **{chosen}**. {PLAIN_MODELS.get(chosen, '')} "
        f"Over {fmt_count(row['n'])} forecasts one year ahead, {fmt_pct(row['coverage_80'])} of outcomes "
        f"fell inside its 80% intervals and {fmt_pct(row['coverage_95'])} inside its 95% intervals{sharpness}; mean absolute error "
        f"{fmt_points(row['mae'])} against {fmt_points(row['mae_naive'])} for 'same as last year'. Honestly put: {verdict}; "
        "year-to-year swings in 20-week timeliness are large, so projections say more about the range of outcomes "
        "than about a single number."
    )
    return text
