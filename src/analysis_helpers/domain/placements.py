"""Where children and young people with an EHC plan are placed: DfE's placement columns grouped into eight types.

DfE's caseload file (``caseload.csv``, January census, every LA, region and England) counts plans by the
setting named in them. The workbook reads eight types: seven the sum of DfE's columns listed here, and the eighth
every other plan (DfE's total ``ehcplans`` less the seven), so that together they make the total exactly in every
year, although DfE's own columns for "elsewhere" changed (2019 counted plans awaiting provision and other settings
apart; ``tests/test_placements.py`` checks both years against the raw rows):

==========================  =========================================================================================
type                        DfE's columns
==========================  =========================================================================================
mainstream                  mainstream LA-maintained, academy, free school and independent schools, *not* their
                            resourced provision or SEN units
resourced_units             resourced provision and SEN units in LA-maintained, academy and free-school mainstream
state_special               LA-maintained special schools and special academies and free schools
independent_special         independent special schools
non_maintained_special      non-maintained special schools
ap_pru                      alternative provision and pupil referral units (DfE's total of the three kinds)
post_16                     general FE and tertiary colleges, specialist post-16 institutions and other UKRLP
                            providers (DfE's ``fe_total``)
other_or_none               every other plan: ``ehcplans`` less the seven types above (educated elsewhere: home
                            education, other arrangements, NEET, …; non-maintained early years; awaiting provision;
                            placement not known)
==========================  =========================================================================================

Each type is two measures of the KPI table (:mod:`~analysis_helpers.domain.measures`): the count
(``ehcp_placement_<type>_count``) and its share of all plans (``ehcp_placement_<type>_pct``, with numerator,
denominator and Wilson interval). A column DfE suppresses leaves its type missing for that area and year, never zero.
"""

from __future__ import annotations

#: (type, what it is, DfE's columns summed), in the order a reader meets them: mainstream first, none last.
PLACEMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("mainstream", "a mainstream school (not its resourced provision or SEN unit)",
     ("mainstream_la_maintained", "mainstream_academy", "mainstream_free_school", "mainstream_independent")),
    ("resourced_units", "resourced provision or an SEN unit in a mainstream school",
     ("mainstream_la_maintained_resourced_provision", "mainstream_la_maintained_senunit",
      "mainstream_academy_resourced_provision", "mainstream_academy_senunit",
      "mainstream_free_school_resourced_provision", "mainstream_free_school_senunit")),
    ("state_special", "a state special school (LA-maintained, academy or free school)",
     ("special_la_maintained", "special_academy_free")),
    ("independent_special", "an independent special school", ("special_independent",)),
    ("non_maintained_special", "a non-maintained special school", ("special_non_maintained",)),
    ("ap_pru", "alternative provision or a pupil referral unit", ("ap_pru_total",)),
    ("post_16", "a college or other post-16 provider", ("fe_total",)),
    ("other_or_none", "other arrangements or none (home education, NEET, early years, awaiting provision, not known)", ()),
)
#: The column of all plans, which the last type (no columns of its own) is the rest of.
ALL_PLANS = "ehcplans"
