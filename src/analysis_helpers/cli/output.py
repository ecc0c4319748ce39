"""How the command line prints tables: counts without ``.0``, other numbers to one decimal place; CSV in full."""

from __future__ import annotations

import sys
from numbers import Integral, Real

import pandas as pd

from analysis_helpers.core.formatting import fmt_count, is_missing

INTEGER_COLUMNS = ("numerator", "denominator", "n", "n_areas", "rank", "of", "plans_short")
#: Columns in the measure's unit: counts are written without ``.0``.
VALUE_COLUMNS = ("value", "ci_low", "ci_high", "previous_value", "change", "value_projected", "pi80_low", "pi80_high",
                 "pi95_low", "pi95_high", "required", "target", "latest_value", "baseline_value", "target_value", "required_now",
                 "value_pct", "centre_pct", *(f"{kind}_{end}_{level}" for kind in ("binomial", "adjusted") for end in ("low", "high")
                                               for level in ("95", "998")))


def number(value, unit: str | None, csv: bool = False):
    """A cell: counts without ``.0`` (``19,407``; CSV ``19407``), other numbers to one decimal place (CSV: 6)."""
    if is_missing(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, Real) or (unit is None and isinstance(value, Integral)):
        return value
    if unit == "count":
        return (int(value) if float(value).is_integer() else value) if csv else fmt_count(value)
    return round(float(value), 6) if csv else f"{float(value):,.1f}"


def shown_frame(frame: pd.DataFrame, unit: str | None, csv: bool) -> pd.DataFrame:
    """The frame as printed; ``unit`` is the measure's, unless the frame has a ``unit`` column."""
    shown = frame.copy().astype(object)
    units = list(frame["unit"]) if "unit" in frame.columns else [unit] * len(frame)
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "M":
            shown[column] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif "p_value" in column:
            shown[column] = ["" if is_missing(v) else v if csv else f"{v:.2g}" for v in values]
        else:
            kinds = ["count"] * len(frame) if column in INTEGER_COLUMNS else units if column in VALUE_COLUMNS else [None] * len(frame)
            shown[column] = [number(v, u, csv) for v, u in zip(values, kinds, strict=True)]
    return shown


def emit(frame: pd.DataFrame, fmt: str, unit: str | None = None, empty: str = "No rows to show.") -> None:
    """Print a table as CSV (full precision, counts as integers) or as text (counts as ``19,407``).

    A table with no rows is, as text, the sentence ``empty`` (never pandas' "Empty DataFrame"); as CSV, its header.
    """
    shown = shown_frame(frame, unit, csv=fmt == "csv")
    if fmt == "csv":
        shown.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif shown.empty:
        print(empty)
    else:
        print(shown.to_string(index=False))


def say(args, text: str) -> None:
    """A result line (not a table the command was asked for): not shown with ``--quiet``."""
    if not args.quiet:
        print(text)
