"""Funnel plots that allow for overdispersion: is an area's rate further from England's than areas usually are?

Binomial funnel limits (:func:`~analysis_helpers.core.intervals.funnel_limits`)
answer "could chance alone put this area here, if every area's true rate were
England's?". For 20-week timeliness in 2024 they put 125 of 153 LAs outside
the 99.8% limits: councils truly differ, far more than sampling error says
(overdispersion), so "less than 1 in 500 that this is chance" would be said of
nearly everyone. Public-sector practice (Spiegelhalter, *Handling
over-dispersion of performance indicators*, BMJ Quality & Safety 2005; the
NHS's and CQC's funnels; the FunnelPlotR package) widens the limits by the
between-area variance:

1. each area's z-score on the **arcsine square-root scale**, against England's
   rate ``θ``: ``z = (asin √p - asin √θ) / s`` with ``s = 1 / (2 √n)``;
2. the z-scores **winsorised** at their 10th and 90th percentiles (so the few
   areas the funnel is meant to find do not set its width);
3. the dispersion ratio ``φ = mean(z²)``; when ``I φ`` exceeds ``I - 1`` (``I``
   areas) the between-area variance of an **additive random-effects** model is
   ``τ² = (I φ - (I - 1)) / (Σ w - Σ w² / Σ w)``, ``w = 1 / s²``; otherwise
   the areas spread no more than chance makes them, ``τ² = 0`` and the exact
   binomial limits stand (:func:`limits`, and every funnel the review draws);
4. the limits at a denominator ``n``: ``sin²(asin √θ ± z_α √(1 / (4 n) + τ²))``,
   the angle kept within 0 and π/2, with ``z_α`` 1.96 (95%) and 3.09 (99.8%).

The arcsine square-root scale, not the proportion or the logit scale, because
it is the one on which a binomial proportion's sampling variance does not
depend on the rate (``1 / (4 n)``), so one additive between-area variance means
the same at 10% as at 50%, a rate of 0 or 100% needs no correction, and the
limits stay within 0–100; it is the scale Spiegelhalter (2005) and the CQC use
for proportions. For 20-week timeliness in 2024 it leaves 3 of 153 LAs beyond
the 99.8% limits (the logit scale, whose variance grows near 0% and 100%, 10;
``docs/assumptions_and_caveats.md`` gives every scale's count for the pathway's
measures). Percentages are 0–100.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.intervals import funnel_limits, z_for
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, NATIONAL
from analysis_helpers.domain.kpis import kpi_table
from analysis_helpers.domain.measures import get_measure

#: The funnel's two levels: "unusual" and "very unlikely to be chance".
LEVELS = (0.95, 0.998)
#: The share of z-scores winsorised at each end.
WINSOR = 0.10
FUNNEL_COLUMNS = [
    "area_code", "area_name", "numerator", "denominator", "value_pct", "centre_pct",
    "binomial_low_95", "binomial_high_95", "binomial_low_998", "binomial_high_998",
    "adjusted_low_95", "adjusted_high_95", "adjusted_low_998", "adjusted_high_998", "position",
]


@dataclass(frozen=True)
class Dispersion:
    """How far areas spread around the centre: the winsorised ratio ``phi``, the between-area variance ``tau2`` on
    the arcsine square-root scale (0 when the spread is no more than chance gives), the centre and the number of areas."""

    centre_pct: float
    areas: int
    phi: float
    tau2: float

    @property
    def overdispersed(self) -> bool:
        return self.tau2 > 0


def _angle(pct):
    return np.arcsin(np.sqrt(np.clip(np.asarray(pct, dtype=float) / 100, 0.0, 1.0)))


def z_scores(numerators, denominators, centre_pct: float) -> np.ndarray:
    """Each area's z-score on the arcsine square-root scale against the centre (step 1 of the module docstring)."""
    x, n = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    return (_angle(100 * x / n) - _angle(centre_pct)) * 2 * np.sqrt(n)


def dispersion(numerators, denominators, centre_pct: float, winsor: float = WINSOR) -> Dispersion:
    """The between-area variance of the additive random-effects model (steps 2 and 3 of the module docstring)."""
    w = 4 * np.asarray(denominators, dtype=float)  # 1 / s²
    z = z_scores(numerators, denominators, centre_pct)
    low, high = np.quantile(z, [winsor, 1 - winsor])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    areas = len(z)
    excess = areas * phi - (areas - 1)
    tau2 = float(excess / (w.sum() - (w ** 2).sum() / w.sum())) if excess > 0 else 0.0
    return Dispersion(centre_pct=float(centre_pct), areas=areas, phi=phi, tau2=tau2)


def adjusted_limits(centre_pct: float, denominators, tau2: float, confidence: float):
    """The limits around ``centre_pct`` at each denominator, widened by ``tau2`` (step 4), in percent."""
    n = np.asarray(denominators, dtype=float)
    half = z_for(confidence) * np.sqrt(1 / (4 * n) + tau2)
    centre = _angle(centre_pct)
    return (np.sin(np.clip(centre - half, 0, np.pi / 2)) ** 2 * 100, np.sin(np.clip(centre + half, 0, np.pi / 2)) ** 2 * 100)


def limits(centre_pct: float, denominators, found: Dispersion) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The funnel's limits at each denominator, in percent: ``binomial_95``, ``binomial_998``, ``adjusted_95`` and
    ``adjusted_998``, each ``(low, high)``. Without overdispersion the adjusted limits are the binomial ones."""
    out = {}
    for confidence, label in zip(LEVELS, ("95", "998"), strict=True):
        binomial = funnel_limits(centre_pct, denominators, confidence)
        out[f"binomial_{label}"] = binomial
        out[f"adjusted_{label}"] = adjusted_limits(centre_pct, denominators, found.tau2, confidence) if found.overdispersed else binomial
    return out


def place(value_pct: float, denominator: float, found: Dispersion) -> str:
    """Where one point lies on the funnel whose spread is ``found``: on the adjusted limits when the areas are
    overdispersed, the binomial ones otherwise (:func:`position`'s words)."""
    at = limits(found.centre_pct, [denominator], found)
    return position(value_pct, at["adjusted_95"][0][0], at["adjusted_95"][1][0], at["adjusted_998"][0][0],
                    at["adjusted_998"][1][0], found.centre_pct)


def position(value_pct: float, low_95: float, high_95: float, low_998: float, high_998: float, centre_pct: float) -> str:
    """Where a point lies: beyond the 99.8% limit, beyond the 95% limit only, or within the 95% limits."""
    side = "above" if value_pct > centre_pct else "below"
    if value_pct < low_998 or value_pct > high_998:
        return f"{side} the 99.8% limit"
    if value_pct < low_95 or value_pct > high_95:
        return f"{side} the 95% limit (within 99.8%)"
    return "within the 95% limits"


def funnel_table(rows: pd.DataFrame, centre_pct: float) -> tuple[pd.DataFrame, Dispersion]:
    """Every area's point with its binomial and overdispersion-adjusted limits (:data:`FUNNEL_COLUMNS`), and the
    dispersion behind them. ``rows`` hold ``area_code, area_name, numerator, denominator`` (one an area; rows
    without a numerator or a positive denominator are left out). Without overdispersion the adjusted limits are the
    binomial ones; ``position`` is always read against the adjusted columns."""
    rows = rows[(rows["denominator"].fillna(0) > 0) & rows["numerator"].notna()].reset_index(drop=True)
    found = dispersion(rows["numerator"], rows["denominator"], centre_pct)
    table = rows[["area_code", "area_name", "numerator", "denominator"]].copy()
    table["value_pct"] = 100 * table["numerator"] / table["denominator"]
    table["centre_pct"] = centre_pct
    for key, (low, high) in limits(centre_pct, table["denominator"], found).items():
        kind, label = key.split("_")
        table[f"{kind}_low_{label}"], table[f"{kind}_high_{label}"] = low, high
    table["position"] = [
        position(r.value_pct, r.adjusted_low_95, r.adjusted_high_95, r.adjusted_low_998, r.adjusted_high_998, centre_pct)
        for r in table.itertuples()
    ]
    return table[FUNNEL_COLUMNS], found


def funnel_for(measure: str, period: str | None, release: Release) -> tuple[pd.DataFrame, Dispersion, str]:
    """Every LA's funnel row for a proportion in one period (default: the latest with data) around England's rate;
    the dispersion and the period."""
    if get_measure(measure).unit != "pct":
        raise ParameterError(f"--measure {measure} is a count: a funnel needs a proportion (a measure ending _pct)")
    rows = kpi_table(release)
    rows = rows[(rows["measure"] == measure) & rows["value"].notna()]
    periods = sorted(set(rows["period"]), key=lambda p: rows.loc[rows["period"] == p, "period_end"].max())
    if not periods:
        raise ParameterError(f"{measure} has no figures in {release.path.name}")
    period = period or periods[-1]
    if period not in periods:
        raise ParameterError(f"--period {period!r}: {measure} has figures for {', '.join(periods)}")
    rows = rows[rows["period"] == period]
    england = rows[rows["geographic_level"] == NATIONAL]
    if england.empty:
        raise ParameterError(f"{measure} has no England figure for {period}: there is no centre to draw the funnel around")
    table, found = funnel_table(rows[rows["geographic_level"] == LOCAL_AUTHORITY], float(england["value"].iloc[0]))
    return table, found, period
