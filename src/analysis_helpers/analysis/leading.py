"""Leading indicators from the same release, as columns beside an LA's timeliness series.

For each LA and calendar year, from DfE's requests file of the same release
(``requests.csv``, published from 2019):

* ``requests_growth`` — the log growth of requests for an EHC needs assessment
  received, from the year before;
* ``refused_change`` — the change in the share of requests the LA decided not
  to assess, from the year before (a proportion, 0–1).

Both are missing for a year whose year before is not published (2019, the
release's first). The 6-week decision rate is published from 2023 only: a
forecast from 2023 could read it, but no earlier origin has a year after it to
learn its effect from, so no backtest of 2020–2024 can judge it and it is left
out. The panel model ``panel_ar1_leading_logit`` reads these columns
(:mod:`analysis.panel_quantile`); a row's indicators are those of its own year,
so a series cut at a forecast origin carries nothing later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.analysis.panel_quantile import LEADING
from analysis_helpers.data.release import Release
from analysis_helpers.domain.kpis import kpi_table

__all__ = ["LEADING", "leading_indicators", "with_leading"]
REQUESTS, REFUSED = "ehc_requests_count", "ehc_requests_refused_pct"


def leading_indicators(release: Release) -> pd.DataFrame:
    """``area_code, period`` and :data:`LEADING` for every LA and year of the release's requests file."""
    table = kpi_table(release)
    rows = table[table["measure"].isin([REQUESTS, REFUSED])]
    wide = rows.pivot_table(index=["area_code", "period_end", "period"], columns="measure", values="value", aggfunc="first")
    wide = wide.reindex(columns=[REQUESTS, REFUSED]).reset_index().sort_values(["area_code", "period_end"])
    previous = wide.groupby("area_code")[[REQUESTS, REFUSED, "period_end"]].shift()
    consecutive = (wide["period_end"] - previous["period_end"]).dt.days.between(360, 370)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.log(wide[REQUESTS].to_numpy(float) / previous[REQUESTS].to_numpy(float))
    frame = pd.DataFrame({"area_code": wide["area_code"], "period": wide["period"].astype(str),
                          "requests_growth": np.where(consecutive & np.isfinite(growth), growth, np.nan),
                          "refused_change": np.where(consecutive, (wide[REFUSED] - previous[REFUSED]) / 100, np.nan)})
    return frame.reset_index(drop=True)


def with_leading(series: pd.DataFrame, release: Release, area_code: str | None = None) -> pd.DataFrame:
    """``series`` (an LA panel with ``area_code``, or one LA's series and its ``area_code``) with the
    :data:`LEADING` columns of the same LA and year (missing where the release has none)."""
    indicators = leading_indicators(release)
    base = series.drop(columns=[c for c in LEADING if c in series.columns])
    if area_code is not None:
        indicators = indicators[indicators["area_code"] == area_code].drop(columns="area_code")
        return base.merge(indicators, on="period", how="left", validate="many_to_one")
    return base.merge(indicators, on=["area_code", "period"], how="left", validate="many_to_one")
