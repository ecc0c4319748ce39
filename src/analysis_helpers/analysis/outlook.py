"""Will it get there? The outlook for one area, measure and target.

Brings together what a reviewer asks of a target:

* **where it is** — the observed series, using only data published by ``as_of``;
* **where it should be** — the required trajectory and the gap to it, in
  percentage points and in plans;
* **where it will be** — projections with 80% and 95% prediction intervals,
  the model named (default: the one the backtest of the release chooses,
  :func:`default_model`; nothing typed in);
* **how likely** — the probability of meeting the target by its date, and the
  date it is reached (median and 80% interval, or "not within horizon");
* **what it takes** — the improvement per month needed from now on.

With fewer than three points there is no projection: the outlook says so and
shows the required trajectory only.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis_helpers.analysis.backtest import cached_backtest, choose_default
from analysis_helpers.analysis.leading import with_leading
from analysis_helpers.analysis.panel import PanelFit, PanelTooShort
from analysis_helpers.analysis.panel_cache import cached_fit_panel
from analysis_helpers.analysis.projection import (
    MODELS,
    PANEL_MODELS,
    Projection,
    TooFewPoints,
    pooled_innovation_variance,
    project,
)
from analysis_helpers.analysis.spc import MIN_TRIAL_POINTS
from analysis_helpers.analysis.trajectory import (
    gap_to_trajectory,
    improvement_needed_per_month,
    milestones,
    period_midpoint,
    plan_milestones,
    required_value,
)
from analysis_helpers.core.errors import DataValidationError, ParameterError
from analysis_helpers.core.small_numbers import MIN_DENOMINATOR, SMALL_COUNT_MAX, figure_hidden
from analysis_helpers.core.vintage import ended_by, public_by
from analysis_helpers.data.local_feed import area_feed
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area
from analysis_helpers.domain.history import ADAPTER, timeliness_history
from analysis_helpers.domain.kpis import kpi_table
from analysis_helpers.domain.measures import BY_NAME, HEADLINE_MEASURE
from analysis_helpers.domain.targets import Target, measure_unit, with_baseline

#: The measure whose backtest chooses the default for measures the backtest does not cover (the headline).
BACKTESTED_FOR_OTHERS = HEADLINE_MEASURE


def default_model(measure: str, release: Release, panel: bool = True) -> str:
    """The default model, chosen by the data: :func:`~analysis_helpers.analysis.backtest.choose_default` on the
    release's (cached) backtest of the measure, or of the headline measure for one the backtest does not cover.
    ``panel=False`` (a council's own figures, which no LA panel describes) leaves out the panel models."""
    table = cached_backtest(measure if measure in ADAPTER else BACKTESTED_FOR_OTHERS, release=release)
    if not panel:
        table = table[~table["model"].isin(PANEL_MODELS)]
    return choose_default(table)


def observed_series(
    area: Area, measure: str, as_of: dt.date | None = None, *, release: Release, local=None, basis: str = "dfe"
) -> pd.DataFrame:
    """The area's series for a measure, as published by ``as_of``.

    ``basis="local"`` (or a measure only councils publish) reads the area's
    validated local feed instead of DfE's statistics; local figures count from
    the end of their period. Conflicting duplicates use the preferred row. A
    council figure under the disclosure thresholds
    (:func:`~analysis_helpers.core.small_numbers.figure_hidden`) is left out, so
    no output can show it; ``attrs["hidden"]`` counts them.

    Columns: ``period, period_end, value, numerator, denominator, ci_low,
    ci_high, source, basis``.
    """
    columns = ["period", "period_end", "value", "numerator", "denominator", "ci_low", "ci_high", "source", "basis"]
    hidden_count = 0
    if basis == "local" or measure not in BY_NAME:
        feed = area_feed(area.slug, local)
        kinds = ["month", "quarter"] if basis == "local" else ["month", "quarter", "calendar year", "financial year"]
        if feed.empty:
            feed = pd.DataFrame(columns=["measure", "preferred", "period_kind", "period", "period_end", "value", "numerator",
                                         "denominator", "file", "row", "basis"])
        feed = feed[(feed["measure"] == measure) & feed["preferred"].astype(bool) & feed["period_kind"].isin(kinds)]
        if "basis_kind" in feed:  # a forecast is never an outturn: it joins no observed series
            feed = feed[feed["basis_kind"] != "forecast"]
        rows = pd.DataFrame(
            {
                "period": feed["period"],
                "period_end": pd.to_datetime(feed["period_end"]),
                "value": feed["value"].astype(float),
                "numerator": feed["numerator"].astype(float),
                "denominator": feed["denominator"].astype(float),
                "source": feed["file"].astype(str) + " row " + feed["row"].astype(str),
                "basis": "council figure: " + feed["basis"].astype(str),
            }
        )
        if as_of is not None and len(rows):
            rows = rows[ended_by(rows["period_end"], as_of)]
        # a council figure under the disclosure thresholds is neither shown (the summary, headline.json, the
        # trajectories) nor used: the series ends at the last figure that may be shown
        units = feed["unit"].astype(str) if "unit" in feed else pd.Series("pct", index=feed.index)
        hidden = [bool(figure_hidden(units.get(i, "pct"), r.value, r.numerator, r.denominator)) for i, r in rows.iterrows()]
        rows, hidden_count = (rows[[not h for h in hidden]] if hidden else rows), sum(hidden)
    elif measure in ADAPTER:
        rows = timeliness_history(measure, release=release, as_of=as_of)
        rows = rows[rows["area_code"] == area.code].copy()
        rows["basis"] = "DfE calendar year"
    elif measure in BY_NAME:
        published = public_by(release.published, as_of)
        table = kpi_table(release)
        rows = table[(table["area_code"] == area.code) & (table["measure"] == measure)].copy() if published else table.iloc[0:0].copy()
        rows["basis"] = "DfE statistics"
    for column in columns:
        if column not in rows.columns:
            rows[column] = np.nan
    series = rows.dropna(subset=["value"]).sort_values("period_end")[columns].reset_index(drop=True)
    series.attrs["hidden"] = hidden_count
    return series


def la_panel(measure: str, as_of: dt.date | None, release: Release) -> pd.DataFrame | None:
    """Every LA's series of a proportion, as published by ``as_of`` (None for a measure that is not one)."""
    if measure in ADAPTER:
        panel = timeliness_history(measure, release=release, as_of=as_of)
    elif measure in BY_NAME and BY_NAME[measure].unit == "pct":
        table = kpi_table(release)
        panel = table[table["measure"] == measure]
    else:
        return None
    return panel[panel["geographic_level"] == LOCAL_AUTHORITY]


def pooled_variance(measure: str, as_of: dt.date | None, release: Release) -> float | None:
    """Innovation variance pooled across all LAs (for the random-walk models)."""
    return _fitted_once("pooled variance", pooled_innovation_variance, measure, as_of, release)


def panel_fit(measure: str, as_of: dt.date | None, release: Release) -> PanelFit | None:
    """The panel model fitted on every LA's years published by ``as_of`` (for :data:`PANEL_MODELS`); kept on disk
    (:mod:`~analysis_helpers.analysis.panel_cache`), so each kernel of a run reads it instead of fitting it again."""
    def fit(panel):  # a timeliness panel carries the release's leading indicators (for panel_ar1_leading_logit)
        return cached_fit_panel(with_leading(panel, release) if measure in ADAPTER else panel, release.sha256)

    return _fitted_once("panel fit", fit, measure, as_of, release)


def _fitted_once(kind: str, fit, measure: str, as_of: dt.date | None, release: Release):
    """``fit`` of every LA's years published by ``as_of``, computed once a measure and date and kept on the release
    (None: no panel)."""
    def build():
        panel = la_panel(measure, as_of, release)
        return None if panel is None else fit(panel)

    return release.remember((kind, measure, as_of), build)


@dataclass
class Outlook:
    """Everything :func:`build_outlook` found; see the module docstring."""

    area: Area
    measure: str
    as_of: dt.date | None
    observed: pd.DataFrame
    target: Target | None
    projection: Projection | None
    model: str | None
    note: str
    gap: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: required value at the area's plan review points and the target date (empty for areas without any;
    #: shown in the trajectories notebook)
    milestones: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def higher_is_better(self) -> bool:
        if self.target is not None and self.target.baseline_value is not None:
            return self.target.target_value >= self.target.baseline_value
        measure = BY_NAME.get(self.measure)
        return bool(measure.higher_is_better) if measure and measure.higher_is_better is not None else True

    @property
    def latest(self) -> pd.Series | None:
        return self.observed.iloc[-1] if len(self.observed) else None

    @property
    def target_passed(self) -> bool:
        """True when the observed data already cover the target date."""
        if self.target is None or self.latest is None:
            return False
        return pd.Timestamp(self.target.target_date) <= pd.Timestamp(self.latest["period_end"])

    @property
    def target_expired(self) -> bool:
        """True when the data date is after the target date: the period has ended, so no probability or projected date
        of reaching it is given (the status says Met, Missed or why it is not yet measured)."""
        return self.target is not None and (self.as_of or dt.date.today()) > self.target.target_date

    def probability(self) -> float | None:
        """P(target met by its date), from the projection (None if passed, expired or no projection)."""
        if self.target is None or self.projection is None or self.target_passed or self.target_expired:
            return None
        return self.projection.probability_by(self.target.target_value, pd.Timestamp(self.target.target_date), self.higher_is_better)

    def date_reached(self) -> dict | None:
        if self.target is None or self.projection is None or self.target_expired:
            return None
        return self.projection.date_reached(self.target.target_value, self.higher_is_better)

    def needed_per_month(self) -> float | None:
        if self.target is None or self.latest is None or self.target_passed or self.target_expired:
            return None
        when = period_midpoint(self.latest["period_end"], str(self.latest["period"]))
        value = improvement_needed_per_month(float(self.latest["value"]), when, self.target)
        return None if math.isnan(value) else value

    def projection_rows(self) -> pd.DataFrame:
        """Projection rows with the required trajectory and target beside them."""
        cols = ["period", "value_projected", "pi80_low", "pi80_high", "pi95_low", "pi95_high", "required", "target", "model"]
        if self.projection is None:
            return pd.DataFrame(columns=cols)
        table = self.projection.table.copy()
        if self.target is not None and self.target.baseline_value is not None:
            table["required"] = [
                required_value(self.target, period_midpoint(e, p)) for e, p in zip(table["period_end"], table["period"], strict=True)
            ]
            table["target"] = self.target.target_value
        else:  # no target, or its baseline is not yet published: no required path
            table["required"] = np.nan
            table["target"] = np.nan if self.target is None else self.target.target_value
        return table[cols]

    def summary(self) -> dict:
        """One row of headline numbers for tables and the CLI."""
        latest = self.latest
        reached = self.date_reached()
        probability = self.probability()
        return {
            "area": self.area.name,
            "measure": self.measure,
            "target_id": self.target.target_id if self.target else "",
            "latest_period": "" if latest is None else latest["period"],
            "latest_value": np.nan if latest is None else float(latest["value"]),
            "baseline_value": np.nan if self.target is None else self.target.baseline_value,
            "baseline_date": "" if self.target is None else self.target.baseline_date.isoformat(),
            "target_value": np.nan if self.target is None else self.target.target_value,
            "target_date": "" if self.target is None else self.target.target_date.isoformat(),
            "required_now": np.nan if self.gap.empty else float(self.gap["required"].iloc[-1]),
            "gap_pp": np.nan if self.gap.empty else float(self.gap["gap_pp"].iloc[-1]),
            "plans_short": np.nan if self.gap.empty else self.gap["plans_short"].iloc[-1],
            "probability_by_target_date": np.nan if probability is None else probability,
            "reached_median": (reached or {}).get("median") or ("not within horizon" if reached else ""),
            "reached_early": (reached or {}).get("early") or "",
            "reached_late": (reached or {}).get("late") or "",
            "needed_per_month": np.nan if self.needed_per_month() is None else self.needed_per_month(),
            "model": self.model or "",
            "note": self.note,
        }


def build_outlook(
    area: Area,
    measure: str,
    target: Target | None = None,
    as_of: dt.date | None = None,
    model: str | None = None,
    horizon: str | pd.Timestamp | None = None,
    *, release: Release,
    local=None,
    basis: str = "dfe",
) -> Outlook:
    """Observed, required and projected for one area and measure (and target, if any)."""
    if target is not None and target.series == "council" and measure in BY_NAME:
        basis = "local"  # a DfE-named measure tracked on the council's monthly figures, never joined to DfE's years
    observed = observed_series(area, measure, as_of, release=release, local=local, basis=basis)
    notes = []
    if observed.attrs.get("hidden"):
        notes.append(f"{observed.attrs['hidden']} council figure(s) under the disclosure thresholds (a count of 1 to "
                     f"{SMALL_COUNT_MAX}, or a rate on fewer than {MIN_DENOMINATOR}) neither shown nor used")
    if target is not None:
        try:
            target = with_baseline(target, observed)
        except DataValidationError:
            notes.append(f"baseline for {target.target_id} not published by {as_of or 'now'}: no required trajectory")
    has_counts = observed["denominator"].notna().sum() >= 3
    council = basis == "local" or measure not in BY_NAME  # the council's own figures, not DfE's statistics
    chosen = model or (default_model(measure, release, panel=not council) if has_counts else "linear_pct")
    if chosen not in MODELS:
        raise ParameterError(f"unknown model {chosen!r}; models: {', '.join(MODELS)}")
    if horizon is None:
        last = pd.Timestamp(observed["period_end"].max()) if len(observed) else pd.Timestamp(as_of or dt.date.today())
        candidates = [last + pd.DateOffset(years=3)]
        if target is not None:
            candidates.append(pd.Timestamp(target.target_date) + pd.DateOffset(years=1))
        horizon = max(candidates)
    projection = None
    try:
        # a council's series (monthly or any other of its figures) is projected only from as many figures as an XmR
        # chart's trial limits need: a trend through three scattered figures would be over-read
        if council and len(observed) < MIN_TRIAL_POINTS:
            expired = target is not None and (as_of or dt.date.today()) > target.target_date
            raise TooFewPoints(f"{len(observed)} council figure(s): at least {MIN_TRIAL_POINTS} are needed for a "
                               "projection" + ("" if expired else "; what it takes a month is shown instead"))
        pooled = pooled_variance(measure, as_of, release) if chosen in ("rw_logit", "rw_drift_logit") else None
        fit = None
        if chosen in PANEL_MODELS:
            try:
                fit = panel_fit(measure, as_of, release)
            except PanelTooShort as exc:  # a measure published only lately: the best model of the area's own series
                chosen = default_model(measure, release, panel=False)
                notes.append(f"{exc}; {chosen} is used instead")
                pooled = pooled_variance(measure, as_of, release) if chosen in ("rw_logit", "rw_drift_logit") else None
        leading = chosen == "panel_ar1_leading_logit" and fit is not None and fit.leading_table
        series = with_leading(observed, release, area.code) if leading else observed
        unit = target.unit if target is not None else (measure_unit(measure) or "pct")
        projection = project(series, chosen, horizon=horizon, pooled_variance=pooled, unit=unit, panel_fit=fit)
    except TooFewPoints as exc:
        notes.append(str(exc))
        chosen = None
    gap = gap_to_trajectory(target, observed) if target is not None and target.baseline_value is not None else pd.DataFrame()
    stones = milestones(target, stones=plan_milestones(area)) if target is not None else pd.DataFrame()
    outlook = Outlook(area, measure, as_of, observed, target, projection, chosen, "; ".join(notes), gap, stones)
    if outlook.target_passed:
        outlook.note = "; ".join([*notes, "the target date has passed: compare the observed value with the target"])
    return outlook
