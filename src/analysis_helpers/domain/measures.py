"""The KPI measures: one name for one thing, with its label and its recipe.

Every measure in the KPI table is defined here once: which release file it comes
from, which rows (the "all plans" breakdown), which columns are its numerator
and denominator, its unit and whether higher is better. Code, CLI, CSV columns
and report text all use the ``name``; people read the ``label``.

Percentages are 0–100 and their names end in ``_pct``.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis_helpers.core.errors import ParameterError
from analysis_helpers.data.release import FileSchema
from analysis_helpers.data.tribunal import TRIBUNAL_FILE
from analysis_helpers.domain.placements import ALL_PLANS, PLACEMENTS


@dataclass(frozen=True)
class Measure:
    """One KPI and how to compute it from a DfE release file.

    Attributes
    ----------
    name : str
        Machine name used everywhere (``ehcp_issued_within_20_weeks_pct``).
    label : str
        Human label for charts and reports.
    file : str
        Release file the measure comes from.
    breakdown_topic : str
        The ``breakdown_topic`` value of the all-plans rows.
    numerator : str or tuple of str
        Column of the numerator (for ``pct``) or of the count (for ``count``), or columns summed to make it
        (a placement type's settings).
    denominator : str, tuple of str, or None
        Column of the denominator (``pct`` only), or columns summed to make it
        (decided within 6 weeks + decided after 6 weeks).
    unit : str
        ``"pct"`` (0–100) or ``"count"``.
    higher_is_better : bool or None
        Direction for ranks and RAG; None when neither direction is "better"
        (a count of plans is demand, not performance).
    description : str
        One sentence saying exactly what is counted.
    breakdowns : tuple of str
        ``breakdown`` values whose rows are summed (ages 5 to 10); empty for the
        topic's one row per area and period.
    less : tuple of str
        Columns subtracted from the numerator (the placement type that is every plan not in the others).
    reader : str
        ``"ees"`` (an EES data file of the release) or ``"tribunal"`` (DfE's
        appeal-rate table, :mod:`~analysis_helpers.data.tribunal`).
    """

    name: str
    label: str
    file: str
    breakdown_topic: str
    numerator: str | tuple[str, ...]
    denominator: str | tuple[str, ...] | None
    unit: str
    higher_is_better: bool | None
    description: str
    breakdowns: tuple[str, ...] = ()
    reader: str = "ees"
    less: tuple[str, ...] = ()


def _mainstream_share_by_age(phase: str, who: str, first: int, last: int) -> Measure:
    """The share of plans of an age band placed in a mainstream school, summed over the published single-year ages."""
    return Measure(
        f"ehcp_caseload_mainstream_{phase}_age_pct",
        f"EHC plans of {who} aged {first}-{last} with a mainstream school placement (%)",
        "caseload.csv",
        "Child or young persons age",
        "mainstream_total",
        "ehcplans",
        "pct",
        True,
        f"Share of EHC plans of {who} aged {first} to {last} at the January census whose placement is a mainstream "
        "school (including resourced provision and SEN units), summed over the published single-year ages.",
        breakdowns=tuple(f"age {age}" for age in range(first, last + 1)),
    )


#: The headline KPI: DfE's share of plans issued within 20 weeks, exceptions excluded (the long series since 2014).
HEADLINE_MEASURE = "ehcp_issued_within_20_weeks_excl_exceptions_pct"
#: The same share with exceptions included: the figure Kent's plan and the council's monthly figures use.
TIMELINESS_MEASURE = "ehcp_issued_within_20_weeks_pct"

MEASURES: tuple[Measure, ...] = (
    Measure(
        TIMELINESS_MEASURE,
        "EHC plans issued within 20 weeks, exceptions included (%)",
        "timeliness_20_week.csv",
        "All EHC plans issued",
        "plans_issued_within_20_weeks",
        "plans_issued_den",
        "pct",
        True,
        "New EHC plans issued in the calendar year within 20 weeks of the request, as a share of all plans issued "
        "(cases where an exception to the time limit applied are included).",
    ),
    Measure(
        HEADLINE_MEASURE,
        "EHC plans issued within 20 weeks, excluding exceptions (%)",
        "timeliness_20_week.csv",
        "All EHC plans issued",
        "plans_issued_20_weeks_ex",
        "plans_issued_den_ex",
        "pct",
        True,
        "DfE's headline timeliness measure: plans issued within 20 weeks as a share of plans issued, leaving out "
        "cases where an exception to the time limit applied.",
    ),
    Measure(
        "ehcp_caseload_count",
        "EHC plans in place (January census)",
        "caseload.csv",
        "All EHC plans",
        "ehcplans",
        None,
        "count",
        None,
        "Number of EHC plans maintained by the LA at the January census.",
    ),
    Measure(
        "ehcp_caseload_mainstream_pct",
        "EHC plans with a mainstream school placement (%)",
        "caseload.csv",
        "All EHC plans",
        "mainstream_total",
        "ehcplans",
        "pct",
        True,
        "Share of all EHC plans at the January census whose placement is a mainstream school (including resourced "
        "provision and SEN units).",
    ),
    Measure(
        "ehcp_caseload_special_pct",
        "EHC plans with a special school placement (%)",
        "caseload.csv",
        "All EHC plans",
        "special_total",
        "ehcplans",
        "pct",
        False,
        "Share of all EHC plans at the January census placed in a special school (maintained, academy, "
        "independent or non-maintained).",
    ),
    Measure(
        "new_ehcp_count",
        "New EHC plans issued in the year",
        "newplans.csv",
        "New EHC plans",
        "new_ehc_plans",
        None,
        "count",
        None,
        "Number of new EHC plans made in the calendar year.",
    ),
    Measure(
        "new_ehcp_mainstream_pct",
        "New EHC plans with a mainstream school placement (%)",
        "newplans.csv",
        "New EHC plans",
        "mainstream_total",
        "new_ehc_plans",
        "pct",
        True,
        "Share of new EHC plans made in the calendar year whose placement is a mainstream school.",
    ),
    Measure(
        "new_ehcp_special_pct",
        "New EHC plans with a special school placement (%)",
        "newplans.csv",
        "New EHC plans",
        "special_total",
        "new_ehc_plans",
        "pct",
        False,
        "Share of new EHC plans made in the calendar year placed in a special school.",
    ),
    Measure(
        "ehc_requests_count",
        "Requests for an EHC needs assessment",
        "requests.csv",
        "All requests for EHC needs assessments",
        "requests_received_in_year",
        None,
        "count",
        None,
        "Initial requests for an EHC needs assessment received in the calendar year.",
    ),
    Measure(
        "ehc_requests_refused_pct",
        "Requests where the LA decided not to assess (%)",
        "requests.csv",
        "All requests for EHC needs assessments",
        "requests_decided_not_to_assess",
        "requests_received_in_year",
        "pct",
        None,
        "Balancing measure: requests the LA decided not to assess, as a share of requests received in the year "
        "(faster plans must not come from refusing more requests). Neither direction is 'better' on its own.",
    ),
    Measure(
        "ehc_requests_decided_within_6_weeks_pct",
        "Requests decided within 6 weeks (%)",
        "requests.csv",
        "All requests for EHC needs assessments",
        "request_outcome_six_weeks",
        ("request_outcome_six_weeks", "request_outcome_over_6_weeks"),
        "pct",
        True,
        "Requests for an EHC needs assessment decided within the 6-week legal limit, as a share of requests decided "
        "within or after 6 weeks in the calendar year (published from 2023).",
    ),
    Measure(
        "ehcp_issued_over_1_year_pct",
        "EHC plans issued more than a year after the request (%)",
        "timeliness_20_week.csv",
        "All EHC plans issued",
        "plans_issued_gt_1_year",
        "plans_issued_den",
        "pct",
        False,
        "New EHC plans issued in the calendar year more than a year after the request, as a share of all plans "
        "issued (exceptions included; published from 2023).",
    ),
    Measure(
        "annual_reviews_decided_within_4_weeks_pct",
        "Annual reviews decided within 4 weeks (%)",
        "annual_reviews.csv",
        "All annual reviews",
        "number_decsion_4weeks",  # sic: DfE's column name
        ("number_decsion_4weeks", "number_decision_gt_4weeks"),
        "pct",
        True,
        "Annual review decisions made within 4 weeks of the review meeting, as a share of decisions made within or "
        "after 4 weeks in the calendar year.",
    ),
    Measure(
        "send_tribunal_appeal_rate_pct",
        "SEND Tribunal appeal rate (% of appealable decisions)",
        TRIBUNAL_FILE,
        "",
        "appeals_registered",
        "appealable_decisions",
        "pct",
        False,
        "Appeals registered with the SEND Tribunal in the calendar year as a share of the LA's total appealable "
        "decisions (requests refused, decisions not to issue a plan after assessment, plans in place in January, "
        "plans ceased because needs are met); DfE's and HMCTS's published rate. Regions: sums of their LAs.",
        reader="tribunal",
    ),
    *(_mainstream_share_by_age(phase, who, first, last) for phase, who, first, last in (
        ("primary", "children", 5, 10), ("secondary", "young people", 11, 15))),
)

#: Primary needs as DfE's need files publish them: short code, count column, what it is.
PRIMARY_NEEDS: tuple[tuple[str, str, str], ...] = (
    ("asd", "number_asd", "autistic spectrum disorder"),
    ("semh", "number_semh", "social, emotional and mental health"),
    ("slcn", "number_slcn", "speech, language and communication needs"),
    ("mld", "number_mld", "moderate learning difficulty"),
    ("sld", "number_sld", "severe learning difficulty"),
    ("pmld", "number_pmld", "profound and multiple learning difficulty"),
    ("spld", "number_spld", "specific learning difficulty"),
    ("hi", "number_hi", "hearing impairment"),
    ("vi", "number_vi", "visual impairment"),
    ("msi", "number_msi", "multi-sensory impairment"),
    ("pd", "number_pd", "physical disability"),
    ("other", "number_oth", "other difficulty or disability"),
    ("unknown", "number_need_unknown", "primary need not recorded"),
)


def _need_measures() -> tuple[Measure, ...]:
    """Each primary need's share of all plans (January census) and of new plans (calendar year)."""
    out = []
    for code, column, need in PRIMARY_NEEDS:
        out.append(Measure(
            f"ehcp_primary_need_{code}_pct", f"EHC plans with primary need: {need} (%)", "sen_needs_all_plans.csv",
            "All EHC plans", column, "ehc_plans", "pct", None,
            f"Share of all EHC plans at the January census whose primary need is {need}.",
        ))
        out.append(Measure(
            f"new_ehcp_primary_need_{code}_pct", f"New EHC plans with primary need: {need} (%)", "sen_need_newplans.csv",
            "All EHC plans", column, "ehc_plans", "pct", None,
            f"Share of new EHC plans made in the calendar year whose primary need is {need}.",
        ))
    return tuple(out)


#: Reasons DfE records for an EHC plan ceasing in the calendar year: count column, short code, what it is. The data
#: guidance describes ``not_rec`` as "ceased for other reasons" and ``other`` as "reason is not recorded"; the column
#: names say the opposite, and the labels here follow the column names (see docs/assumptions_and_caveats.md).
CEASED_REASONS: tuple[tuple[str, str, str], ...] = (
    ("total_ceased", "", "for any reason"),
    ("max_age", "max_age", "because the young person reached the maximum age"),
    ("needs_met", "needs_met", "because educational or training needs were met without a plan"),
    ("he", "higher_education", "because the young person moved to higher education"),
    ("employ", "employment", "because the young person moved to paid employment"),
    ("transfer", "transferred", "because the plan transferred to another LA"),
    ("no_engage", "not_engaging", "because the young person no longer wished to engage in education or training"),
    ("moved_outside_eng", "moved_outside_england", "because the child or young person moved outside England"),
    ("deceased", "deceased", "because the child or young person died"),
    ("not_rec", "reason_not_recorded", "with the reason not recorded"),
    ("other", "other_reason", "for another reason"),
)

#: Personal budgets in place at the January census: count column, short code, what it covers.
PERSONAL_BUDGETS: tuple[tuple[str, str, str], ...] = (
    ("personal_budget", "", "with a personal budget in place"),
    ("pb_education", "education", "with a personal budget covering education only"),
    ("pb_health", "health", "with a personal budget covering health only"),
    ("pb_social", "social_care", "with a personal budget covering social care only"),
    ("pb_integrated", "integrated", "with a personal budget covering a combination of education, health and social care"),
    ("org_arrangments", "organised_arrangements", "with organised arrangements"),  # sic: DfE's column name
)


def _count_measures() -> tuple[Measure, ...]:
    """Ceased plans by reason (calendar year) and personal budgets by what they cover (January census), as counts."""
    out = []
    for column, code, reason in CEASED_REASONS:
        name = f"ehcp_ceased_{code}_count" if code else "ehcp_ceased_count"
        out.append(Measure(
            name, f"EHC plans ceased {reason}", "ceased_plans.csv", "All ceased EHC plans", column, None, "count", None,
            f"EHC plans that ceased in the calendar year {reason} (DfE column {column!r}; published from 2022).",
        ))
    for column, code, covers in PERSONAL_BUDGETS:
        name = f"ehcp_personal_budget_{code}_count" if code else "ehcp_personal_budget_count"
        out.append(Measure(
            name, f"EHC plans {covers}", "personal_budgets.csv", "All personal budgets", column, None, "count", None,
            f"EHC plans {covers} at the January census (DfE column {column!r}).",
        ))
    return tuple(out)


def _placement_measures() -> tuple[Measure, ...]:
    """Each placement type's count and share of all plans at the January census (:mod:`.placements`)."""
    out, named = [], tuple(c for _, _, columns in PLACEMENTS for c in columns)
    for key, what, columns in PLACEMENTS:
        counted = f"DfE's {', '.join(columns)}" if columns else f"DfE's {ALL_PLANS} less {', '.join(named)}"
        for unit in ("count", "pct"):
            out.append(Measure(
                f"ehcp_placement_{key}_{unit}", f"EHC plans placed in {what}" + (" (%)" if unit == "pct" else ""),
                "caseload.csv", "All EHC plans", columns or ALL_PLANS, ALL_PLANS if unit == "pct" else None, unit, None,
                f"{'Number' if unit == 'count' else 'Share'} of EHC plans at the January census whose placement is {what}: "
                f"{counted}.", less=() if columns else named,
            ))
    return tuple(out)


MEASURES = MEASURES + _need_measures() + _count_measures() + _placement_measures()

#: Files whose regional rows split London into Inner and Outer London (E13…): their
#: London rows are summed (:mod:`~analysis_helpers.domain.kpis`) and they do not define areas.
SUB_REGIONAL_FILES = ("sen_need_newplans.csv",)

BY_NAME: dict[str, Measure] = {m.name: m for m in MEASURES}
MEASURE_NAMES: tuple[str, ...] = tuple(BY_NAME)


def get_measure(name: str) -> Measure:
    """The :class:`Measure` called ``name``; an unknown name lists the valid ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ParameterError(f"unknown measure {name!r}; valid measures: {', '.join(MEASURE_NAMES)}") from None


def numerator_columns(measure: Measure) -> tuple[str, ...]:
    """The columns summed to make a measure's numerator (or its count); those in ``measure.less`` are subtracted."""
    return (measure.numerator,) if isinstance(measure.numerator, str) else tuple(measure.numerator)


def denominator_columns(measure: Measure) -> tuple[str, ...]:
    """The columns summed to make a measure's denominator (none for a count)."""
    if measure.denominator is None:
        return ()
    return (measure.denominator,) if isinstance(measure.denominator, str) else tuple(measure.denominator)


def schemas() -> dict[str, FileSchema]:
    """One schema per release file the measures need (its required indicator columns)."""
    columns: dict[str, list[str]] = {}
    for m in (m for m in MEASURES if m.reader == "ees"):
        needed = columns.setdefault(m.file, [])
        for column in (*numerator_columns(m), *m.less, *denominator_columns(m)):
            if column and column not in needed:
                needed.append(column)
    return {file: FileSchema(file, tuple(cols)) for file, cols in columns.items()}
