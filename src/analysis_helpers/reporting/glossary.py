"""Plain words for the review's main text, and its methods annex and glossary.

The quarterly review is read by councillors and committee members: its main text names a target by its KPI, value
and date (:func:`target_label`), a projection's model by how it was chosen ("the model chosen by the backtest",
:func:`.model_text.model_words`), and the who-waits tests by what they allow for ("the number of groups compared"
rather than "Holm-adjusted"). The workbook's own names (target ids from the targets file, model names from
:data:`analysis_helpers.analysis.projection.MODELS`, the names of the statistical tests and charts) are listed once,
with their meaning, in the methods annex and glossary at the end of the review (:func:`methods_annex`).
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown

from analysis_helpers.analysis.compare import POISSON_TEST
from analysis_helpers.analysis.projection import MODELS
from analysis_helpers.analysis.significance import FISHER_TEST, Z_TEST
from analysis_helpers.analysis.spc import SIGMA_FACTOR
from analysis_helpers.core.formatting import fmt_value
from analysis_helpers.reporting import tables
from analysis_helpers.reporting.model_text import PLAIN_MODELS
from analysis_helpers.reporting.summary import kpi_label

#: Methods and tests the review names, with what each means (the annex's first table).
TERMS = (
    ("Wilson interval (95% confidence interval)",
     "The range a percentage's true value plausibly lies in, given how many cases it counts; Wilson's method stays "
     "sound for small counts and for rates near 0% or 100%."),
    ("Prediction interval (80%, 95%)",
     "The range a projection expects a future figure to fall in: 8 times in 10, or 19 times in 20."),
    ("Backtest",
     "Each projection model forecast every local authority's past years from the years before them; the model whose "
     "forecasts missed least is the one the review uses. The trajectories report gives its results."),
    ("Logit scale",
     "Most models work on the log-odds of a percentage rather than the percentage itself, so a projection stays "
     "between 0% and 100%."),
    (Z_TEST[:1].upper() + Z_TEST[1:],
     "Asks whether two percentages (this period against the last, or a group against the rest of the area) differ by "
     "more than chance; a difference is reported as real at the 5% level."),
    (FISHER_TEST,
     "Used in place of the z-test for a group too small for it (or a rate near 0% or 100%)."),
    ("Holm adjustment (Holm-adjusted)",
     "Comparing many groups at once makes some differences look real by chance alone; Holm's method raises the bar "
     "for each comparison so that the chance of wrongly flagging any group of a topic stays at 5%."),
    (POISSON_TEST,
     "Asks whether a change in a count, such as requests for an assessment, is larger than chance."),
    ("XmR chart (statistical process control, SPC)",
     f"A chart of monthly figures with limits at the mean ± {SIGMA_FACTOR} average month-to-month moves: a point beyond them, "
     "or a long run on one side, signals a real change rather than month-to-month noise (NHS 'Making Data Count')."),
    ("Funnel limits (95%, 99.8%)",
     "On a funnel plot, lines around England's rate that narrow as areas get larger: an area beyond the 99.8% lines "
     "differs from England by more than chance (less than 1 in 500)."),
    ("RAG status",
     "Red, amber or green against the required trajectory to a target; the executive summary's status rules say "
     "when each applies."),
)


def target_name(target) -> str:
    """A target's KPI in words, with the population it counts: ``EHC plans issued within 20 weeks, exceptions included
    (%) [all plans issued]``."""
    return kpi_label(target.measure, target) + (f" [{target.denominator}]" if target.denominator else "")


def target_label(target) -> str:
    """A target in words: its KPI (and the population it counts), value and date, e.g.
    ``EHC plans issued within 20 weeks, exceptions included (%) [all plans issued]: 60.0% by December 2025``."""
    unit = target.unit if target.unit in ("pct", "count", "gbp_m") else "count"
    return f"{target_name(target)}: {fmt_value(target.target_value, unit)} by {target.target_date:%B %Y}"


def terms_table() -> pd.DataFrame:
    """The methods and tests the review names, with their meaning."""
    return pd.DataFrame(TERMS, columns=["Term", "What it means"])


def models_table(used: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Every projection model by its internal name: in plain words, in technical words, and whether this review used it."""
    return pd.DataFrame(
        [{"Model name": name, "What it does": PLAIN_MODELS.get(name, ""), "Technically": technical,
          "Used in this review": "yes" if name in used else ""} for name, technical in MODELS.items()],
        columns=["Model name", "What it does", "Technically", "Used in this review"],
    )


def targets_table(outlooks: list) -> pd.DataFrame:
    """Each target of the review by its id in the targets file: what the review calls it, and where it was set."""
    rows, seen = [], set()
    for outlook in outlooks:
        target = outlook.target
        if target is None or target.target_id in seen:
            continue
        seen.add(target.target_id)
        rows.append({"Target id": target.target_id, "In this review": target_label(target), "Set in": target.source_title})
    return pd.DataFrame(rows, columns=["Target id", "In this review", "Set in"])


def methods_annex(area_name: str, outlooks: list) -> list:
    """The review's methods annex and glossary: the methods and tests it names, the projection models (those this
    review used marked), and the area's targets by their ids. Every cell is escaped (:func:`.tables.to_html`)."""
    used = {o.model for o in outlooks if getattr(o, "model", None)}
    shown = [
        Markdown("The main text names each target by its measure, value and date, and each projection's model as the one "
                 "chosen by the backtest. The workbook's own names for them, and the methods and tests behind the "
                 "figures, are these."),
        HTML(tables.to_html(terms_table(), caption="Methods and tests")),
        HTML(tables.to_html(models_table(used), caption="Projection models, by the workbook's names")),
    ]
    targets = targets_table(outlooks)
    if len(targets):
        shown.append(HTML(tables.to_html(targets, caption=f"{area_name}'s targets, by their ids in the targets file")))
    else:
        shown.append(Markdown(f"*No targets are recorded for {area_name}.*"))
    return shown
