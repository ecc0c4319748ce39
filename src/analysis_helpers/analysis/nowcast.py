"""Nowcast of a calendar year's DfE figure from the council's monthly figures published so far (issue 12, family e).

Two bases, never one series. DfE's figure for a calendar year counts every
plan the LA issued that year (from its SEN2 return); a council's monthly figure
is the council's own count for one month, by its own rules (exceptions may or
may not be left out, a month may be dated by request or by issue, figures are
revised). The nowcast therefore never joins the months to DfE's years: it uses
the months of the year so far as a *predictor* of DfE's figure for that year,
beside the model's forecast of it.

With ``k`` distinct months of year Y published (``w = k / 12`` of the year seen):

* the year to date is the months' pooled share (sum of numerators over sum of
  denominators) when every month has its counts, else their mean (each month
  counts the same: councils rarely publish the plans behind a monthly share);
* the centre is ``w x year to date + (1 - w) x forecast``, in percentage points:
  the months seen stand for themselves, the months to come for the forecast;
* the interval is the forecast's interval shrunk the same way (``(1 - w)`` of
  its distance from the centre), widened by ``basis_margin`` points at 80%
  (scaled by 1.96 / 1.28 at 95%) for the gap between the two bases. That margin
  is the caller's to state: no council's months can yet calibrate it (see
  :func:`nowcast_evidence`), so it has no default.

:func:`nowcast_evidence` scores the nowcast on every year for which an area's
feed has monthly figures of a DfE measure and DfE has published the year. For
Kent, the only feed so far (``data/local/kent.csv``), that is 2022 (May, basis
not stated) and 2023 (June, basis not stated; August, monthly): two years, one
to two months each — far too little to say whether the nowcast helps.

Percentages are 0–100.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.analysis.leading import with_leading
from analysis_helpers.analysis.panel import NORMAL_Q, fit_panel
from analysis_helpers.analysis.projection import TooFewPoints, pooled_innovation_variance, project
from analysis_helpers.core.errors import SendReviewError
from analysis_helpers.data.local_feed import area_feed
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY
from analysis_helpers.domain.history import timeliness_history
from analysis_helpers.domain.measures import TIMELINESS_MEASURE

LIMITS = ("pi80_low", "pi80_high", "pi95_low", "pi95_high")


def months_of_year(feed: pd.DataFrame, measure: str, year: int, bases: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The feed's preferred monthly figures of ``measure`` in calendar ``year`` (``bases``: keep only these basis
    kinds, e.g. ``("monthly",)``; None keeps every basis), one row a month, in month order."""
    rows = feed[(feed["measure"] == measure) & (feed["period_kind"] == "month") & feed["preferred"].astype(bool)]
    rows = rows[pd.to_datetime(rows["period_end"]).dt.year == year]
    if bases is not None:
        rows = rows[rows["basis_kind"].isin(bases)]
    return rows.drop_duplicates("period").sort_values("period").reset_index(drop=True)


def year_to_date(months: pd.DataFrame) -> float:
    """The months' pooled share if every month has its counts, else the mean of their percentages."""
    if months.empty:
        raise SendReviewError("no monthly figures for the year: nothing to nowcast from")
    x, n = months["numerator"].astype(float), months["denominator"].astype(float)
    if x.notna().all() and n.notna().all() and (n > 0).all():
        return float(100 * x.sum() / n.sum())
    return float(months["value"].astype(float).mean())


def nowcast(forecast: pd.Series | dict, months: pd.DataFrame, *, basis_margin: float) -> dict:
    """The nowcast of the year's DfE figure (module docstring): ``value_nowcast`` and 80%/95% limits.

    ``forecast`` is the model's projection of that year (``value_projected`` and the limits of
    :class:`~analysis_helpers.analysis.projection.Projection`'s table); ``months`` the council's months of the
    year (:func:`months_of_year`); ``basis_margin`` the points by which the two bases may differ (80% level).
    """
    ytd = year_to_date(months)
    k = months["period"].nunique()
    if k > 12:
        raise SendReviewError(f"{k} distinct months for one year: more than a calendar year has")
    w = k / 12
    centre = w * ytd + (1 - w) * float(forecast["value_projected"])
    out = {"months": k, "share_of_year": w, "year_to_date": ytd, "value_nowcast": centre}
    for name in LIMITS:
        margin = basis_margin * (NORMAL_Q[0.95] / NORMAL_Q[0.80] if name.startswith("pi95") else 1.0)
        shrunk = centre + (1 - w) * (float(forecast[name]) - float(forecast["value_projected"]))
        out[name] = float(np.clip(shrunk - margin if name.endswith("low") else shrunk + margin, 0, 100))
    return out


def nowcast_evidence(area_code: str, area_slug: str, model: str, measure: str = TIMELINESS_MEASURE,
                     basis_margin: float = 0.0, *, release: Release, local=None) -> pd.DataFrame:
    """For every year with the area's monthly figures of ``measure`` and a DfE figure: the forecast from DfE's years
    up to the year before (``model``, every LA's panel cut there), the nowcast and DfE's figure, with both errors."""
    history = timeliness_history(measure, release=release)
    las = history[history["geographic_level"] == LOCAL_AUTHORITY].dropna(subset=["value"])
    if model == "panel_ar1_leading_logit":
        las = with_leading(las, release)
    feed = area_feed(area_slug, local)
    years = sorted({pd.Timestamp(e).year for e in feed.loc[(feed["measure"] == measure) & (feed["period_kind"] == "month"),
                                                           "period_end"]}) if len(feed) else []
    rows = []
    for year in years:
        actual = las[(las["area_code"] == area_code) & (las["period"] == str(year))]
        before = las[las["period_end"] < pd.Timestamp(year, 1, 1)]
        series = before[before["area_code"] == area_code]
        if actual.empty or series.empty:
            continue
        try:
            table = project(series, model, horizon=pd.Timestamp(year, 12, 31), pooled_variance=pooled_innovation_variance(before),
                            panel_fit=fit_panel(before)).table
        except TooFewPoints:
            continue
        forecast = table[table["period"] == str(year)].iloc[0]
        months = months_of_year(feed, measure, year)
        result = nowcast(forecast, months, basis_margin=basis_margin)
        value = float(actual["value"].iat[0])
        rows.append({"year": year, "months": ", ".join(f"{p} ({v:g}%, {b})" for p, v, b in
                                                       zip(months["period"], months["value"], months["basis_kind"], strict=True)),
                     "year_to_date": result["year_to_date"], "forecast": float(forecast["value_projected"]),
                     "nowcast": result["value_nowcast"], "dfe": value,
                     "error_forecast": float(forecast["value_projected"]) - value, "error_nowcast": result["value_nowcast"] - value,
                     "nowcast_pi80": (result["pi80_low"], result["pi80_high"])})
    return pd.DataFrame(rows)
