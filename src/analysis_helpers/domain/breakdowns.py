"""KPIs by age, sex, ethnicity, need or placement: DfE's breakdown rows in the KPI table's shape.

DfE's release files publish, beside each file's "all" rows, the same columns
for each value of some breakdown topics (``breakdown_topic`` "Sex", rows
``breakdown`` "Female", "Male", "Unknown"). The topics differ between files
("Child or young persons age" with "Aged 10" in requests.csv, with "age 10" in
timeliness_20_week.csv, "Age when plan started" in newplans.csv), so one
registry, :data:`TOPICS`, maps the words the command line takes to each file's
topic. No file of the 2025 release has a primary-need *topic*: the need files
publish the need split as columns (``number_asd``, …), one a need, of their
"All EHC plans" rows. So "need" breaks down the two plan counts those files
total, :data:`NEED_SPLITS`: ``ehcp_caseload_count`` (all plans, January
census) and ``new_ehcp_count`` (new plans, calendar year), one row a need with
DfE's count, for the periods the need files cover (the latest); any other
measure asked by need is refused with the breakdowns it does have.

A breakdown row is built by the same code as the KPI row
(:func:`~analysis_helpers.domain.kpis.measure_rows`): the measure's numerator
and denominator columns, value = 100 × numerator / denominator, the Wilson
interval, Inner and Outer London summed. Its columns are the KPI table's with
``breakdown_topic`` (DfE's topic name) and ``breakdown`` after ``measure``, and
a last column ``symbol``: DfE's symbol (``x``, ``c``, …) where the value is
missing because DfE published a symbol, ``""`` otherwise. A breakdown value
DfE did not publish for an area and period has no row.

Which measures are broken down: those made of a file's "all" rows, by every
topic of :data:`TOPICS` their file publishes. A measure that sums several rows
of a topic (mainstream placement of ages 5 to 10 sums the single-year age rows
of caseload.csv) has no breakdown: DfE does not publish those ages by sex or
ethnicity, and its age split is the single-year rows themselves. The SEND
Tribunal appeal rate (a table without breakdowns) has none either.

These are DfE's published figures, unrounded and unsuppressed; whoever shows
them to people applies :mod:`~analysis_helpers.reporting.disclosure`.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis_helpers.core.errors import ParameterError
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.kpis import KPI_COLUMNS, measure_rows
from analysis_helpers.domain.measures import MEASURES, PRIMARY_NEEDS, Measure, get_measure

_AGE = "Child or young persons age"
_FILES = ("timeliness_20_week.csv", "caseload.csv", "newplans.csv", "requests.csv", "annual_reviews.csv",
          "sen_needs_all_plans.csv", "sen_need_newplans.csv")
_PLACEMENT_FILES = ("annual_reviews.csv", "sen_needs_all_plans.csv", "sen_need_newplans.csv")

#: Command-line word -> release file -> that file's ``breakdown_topic`` (as in the 2025 release).
TOPICS: dict[str, dict[str, str]] = {
    "age": {f: "Age when plan started" if f == "newplans.csv" else _AGE for f in _FILES},
    "sex": dict.fromkeys(_FILES, "Sex"),
    "ethnicity": dict.fromkeys(_FILES, "Ethnicity"),
    "need": {},  # no file has a primary-need topic: the need files' columns are the split (NEED_SPLITS below)
    "placement": dict.fromkeys(_PLACEMENT_FILES, "Type of placement"),
}
BREAKDOWNS: tuple[str, ...] = tuple(TOPICS)

#: The KPI table's columns with the breakdown after the measure (then ``symbol``).
BREAKDOWN_COLUMNS = [*KPI_COLUMNS[: KPI_COLUMNS.index("measure") + 1], "breakdown_topic", "breakdown",
                     *KPI_COLUMNS[KPI_COLUMNS.index("measure") + 1:]]

#: Plan counts broken down by primary need -> the need measures whose numerators are the split (``{code}``: the need).
NEED_SPLITS = {"ehcp_caseload_count": "ehcp_primary_need_{code}_pct", "new_ehcp_count": "new_ehcp_primary_need_{code}_pct"}
NEED_TOPIC = "Primary need"
_NEED = ("; by need DfE splits only the plan counts (ehcp_caseload_count, new_ehcp_count), and the shares are measures of "
         "their own (ehcp_primary_need_*_pct, new_ehcp_primary_need_*_pct)")

#: Breakdown values that say "not recorded": listed last.
_UNRECORDED = ("unknown", "age unknown", "unclassified")


def breakdowns_of(measure: str | Measure) -> tuple[str, ...]:
    """The words (``age``, ``sex``, …) a measure is broken down by; empty for one that sums rows or is not an EES file's."""
    measure = measure if isinstance(measure, Measure) else get_measure(measure)
    if measure.reader != "ees" or measure.breakdowns:
        return ()
    return tuple(word for word, files in TOPICS.items() if measure.file in files or (word == "need" and measure.name in NEED_SPLITS))


def topic_for(measure: str | Measure, word: str) -> str:
    """The ``breakdown_topic`` of ``measure``'s file for ``word``; a measure not broken down that way is a ParameterError."""
    measure = measure if isinstance(measure, Measure) else get_measure(measure)
    if word not in TOPICS:
        raise ParameterError(f"unknown breakdown {word!r}; valid breakdowns: {', '.join(BREAKDOWNS)}")
    if word not in breakdowns_of(measure):
        has = breakdowns_of(measure)
        why = _NEED if word == "need" else ""
        raise ParameterError(
            f"{measure.name} is not broken down by {word} in DfE's release; "
            f"{'its breakdowns: ' + ', '.join(has) if has else 'it has no breakdowns'}{why}"
        )
    return NEED_TOPIC if word == "need" else TOPICS[word][measure.file]


def measures_by(word: str) -> tuple[str, ...]:
    """The names of the measures broken down by ``word``; none is a ParameterError naming the word."""
    if word not in TOPICS:
        raise ParameterError(f"unknown breakdown {word!r}; valid breakdowns: {', '.join(BREAKDOWNS)}")
    names = tuple(m.name for m in MEASURES if word in breakdowns_of(m))
    if not names:
        raise ParameterError(f"no measure is broken down by {word} in DfE's release{_NEED if word == 'need' else ''}")
    return names


def breakdown_rows(measure: str, word: str, release: Release) -> pd.DataFrame:
    """Every area's and period's rows of one measure broken down by ``word`` (built once a release)."""
    topic = topic_for(measure, word)

    def build() -> pd.DataFrame:
        if word == "need":
            rows = _need_rows(release, measure)
        else:
            rows = measure_rows(release, get_measure(measure), areas_for(release), topic)
        return rows[[*BREAKDOWN_COLUMNS, "symbol"]]

    return release.remember(("breakdown", measure, word), build)


def _need_rows(release: Release, measure: str) -> pd.DataFrame:
    """A plan count split by primary need: each need measure's numerator (DfE's ``number_<need>``) as a count row."""
    parts = []
    for code, _, need in PRIMARY_NEEDS:
        share = get_measure(NEED_SPLITS[measure].format(code=code))
        rows = measure_rows(release, share, areas_for(release), share.breakdown_topic)
        parts.append(rows.assign(measure=measure, breakdown_topic=NEED_TOPIC, breakdown=need, value=rows["numerator"],
                                 unit="count", numerator=float("nan"), denominator=float("nan"), ci_low=float("nan"),
                                 ci_high=float("nan")))
    return pd.concat(parts, ignore_index=True)


def breakdowns_for(
    area_queries: list[str] | str,
    measures: list[str] | None,
    word: str,
    release: Release,
) -> pd.DataFrame:
    """Breakdown rows for some areas and measures (default: every measure broken down by ``word``).

    Ordered by area (as asked), measure, period, then breakdown (ages by
    number, other values alphabetically, "Unknown" and "Unclassified" last).
    A measure named that is not broken down by ``word`` is a ParameterError
    naming the breakdowns it has.
    """
    if isinstance(area_queries, str):
        area_queries = [area_queries]
    areas = areas_for(release)
    codes = [areas.get(q).code for q in area_queries]
    names = [get_measure(m).name for m in measures] if measures else list(measures_by(word))
    for name in names:
        topic_for(name, word)  # refuse before building anything
    parts = [breakdown_rows(name, word, release) for name in names]
    rows = pd.concat([p[p["area_code"].isin(codes)] for p in parts], ignore_index=True)
    order = {code: i for i, code in enumerate(codes)}
    rows = rows.assign(_area=rows["area_code"].map(order), _value=rows["breakdown"].map(breakdown_order))
    rows = rows.sort_values(["_area", "measure", "period_end", "_value"], kind="stable")
    return rows.drop(columns=["_area", "_value"]).reset_index(drop=True)


def breakdown_order(value: str) -> tuple:
    """A sort key: ages by their number ("under 3" before "age 3"), other values by name, not-recorded values last."""
    text = str(value).strip().lower()
    if text in _UNRECORDED:
        return (2, 0.0, text)
    number = re.search(r"\d+", text)
    if number:
        return (0, int(number.group()) - (0.5 if text.startswith("under") else 0.0), text)
    return (1, 0.0, text)
