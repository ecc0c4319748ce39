"""EES time periods: ``time_period`` and ``time_identifier`` to a label and an end date.

Calendar year ``2023`` ends 2023-12-31; academic year ``202425`` is labelled
``2024/25`` and is the January 2025 census (dated 2025-01-31); financial year
``202223`` is ``2022-23`` ending 2023-03-31.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.core.errors import DataValidationError

CALENDAR = "Calendar year"
ACADEMIC = "Academic year"
FINANCIAL = "Financial year"


def parse_time_period(time_period: str, time_identifier: str) -> tuple[str, pd.Timestamp]:
    """Label and end date of one EES period.

    ``("2023", "Calendar year")`` -> ``("2023", 2023-12-31)``;
    ``("202425", "Academic year")`` -> ``("2024/25", 2025-01-31)`` (the January
    census); ``("202223", "Financial year")`` -> ``("2022-23", 2023-03-31)``.

    Raises
    ------
    ValueError
        With what was expected, if the period is not one this reader knows.
    KeyError
        With what was expected, if the time identifier is not one this reader knows.
    """
    if time_identifier == CALENDAR:
        if len(time_period) == 4 and time_period.isdigit():
            return time_period, pd.Timestamp(int(time_period), 12, 31)
        raise ValueError("a four-digit calendar year such as 2023")
    if time_identifier in (ACADEMIC, FINANCIAL):
        if len(time_period) == 6 and time_period.isdigit():
            first, second = int(time_period[:4]), int(time_period[4:])
            if second == (first + 1) % 100:
                if time_identifier == ACADEMIC:
                    return f"{first}/{time_period[4:]}", pd.Timestamp(first + 1, 1, 31)
                return f"{first}-{time_period[4:]}", pd.Timestamp(first + 1, 3, 31)
        raise ValueError("six digits for two consecutive years, such as 202425")
    raise KeyError(f"a time identifier this reader knows ({CALENDAR!r}, {ACADEMIC!r} or {FINANCIAL!r})")


def add_period(frame: pd.DataFrame, label: str) -> None:
    """Add ``period`` (label) and ``period_end`` (date), parsing each distinct period once.

    An unknown period or identifier is a :class:`DataValidationError` naming the
    line and column (``label`` names the file).
    """
    id_codes, id_values = pd.factorize(frame["time_identifier"])
    tp_codes, tp_values = pd.factorize(frame["time_period"])
    codes, pairs = pd.factorize(id_codes.astype(np.int64) * (len(tp_values) + 1) + tp_codes)
    labels, ends = [], []
    for position, pair in enumerate(pairs):
        identifier, period = id_values[pair // (len(tp_values) + 1)], tp_values[pair % (len(tp_values) + 1)]
        try:
            text, end = parse_time_period(period, identifier)
        except (ValueError, KeyError) as exc:
            row = int(np.argmax(codes == position))
            column = "time_identifier" if isinstance(exc, KeyError) else "time_period"
            shown = identifier if isinstance(exc, KeyError) else period
            raise DataValidationError(f"{label}: line {row + 2}, column {column!r}: {shown!r} is not {exc.args[0]}") from None
        labels.append(text)
        ends.append(end)
    frame["period"] = np.asarray(labels, dtype=object)[codes]
    frame["period_end"] = pd.DatetimeIndex(ends)[codes].to_numpy()
