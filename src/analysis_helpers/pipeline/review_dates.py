"""Calendar quarters and the review date (``as_of``) of a quarterly run.

``2024-Q4`` is October–December 2024. The quarter defaults to the last
completed calendar quarter on the run date (:func:`~analysis_helpers.core.vintage.today`,
which ``SEND_REVIEW_TODAY`` fixes). ``as_of`` defaults to the quarter's last
day (or today, if the quarter has not ended), must not be after today and not
before the quarter starts, so a report shows only what was published by then.
Resolving a run's parameters logs one warning line when the newest DfE release
public by the data date is stale (the words are :mod:`analysis_helpers.reporting.sources`'s).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.vintage import today as _today
from analysis_helpers.data.provenance import data_log, default_release, publication_date
from analysis_helpers.domain.run_context import Quarter
from analysis_helpers.reporting.sources import feed_staleness, release_staleness

log = logging.getLogger(__name__)


def last_completed_quarter(day: dt.date | None = None) -> Quarter:
    """The last calendar quarter that had ended by ``day`` (default: the run date): 2026-Q3 on 28 November 2026."""
    return Quarter.containing(day or _today()).previous


def latest_supported_quarter(release: Path | None = None) -> Quarter:
    """The quarter in which the release (default: the data log's newest, :func:`default_release`) became public."""
    published = publication_date(release or default_release())
    if published is None:
        return Quarter.containing(_today())
    return Quarter.containing(published)


def warn_if_stale(as_of: dt.date) -> str | None:
    """Log one warning line (not a failure) when the newest DfE release public by ``as_of`` is stale; return its words."""
    note = release_staleness(as_of)
    if note:
        log.warning("stale data: %s", note.replace("`", ""))
    return note


def warn_if_feed_stale(feed, area_name: str, as_of: dt.date) -> str | None:
    """Log one warning line (not a failure) when ``area_name``'s council feed is stale at ``as_of``; return its words."""
    note = feed_staleness(feed, area_name, as_of)
    if note:
        log.warning("stale data: %s", note.replace("`", ""))
    return note


def resolve_run_parameters(
    quarter: str | None, as_of: str | None, today: dt.date | None = None, warn: bool = True
) -> tuple[Quarter, dt.date]:
    """Validate ``quarter`` and ``as_of``; ``quarter`` defaults to the last completed quarter, ``as_of`` to its last day.

    With ``warn`` (the command line's runs), a stale DfE release is logged as one
    warning line; notebooks resolve with ``warn=False`` and say it on the page.

    Raises
    ------
    ParameterError
        For a malformed quarter or date, an ``as_of`` after today, or an
        ``as_of`` before the quarter starts.
    """
    today = today or _today()
    q = Quarter.parse(quarter) if quarter else last_completed_quarter(today)
    if as_of:
        try:
            day = dt.date.fromisoformat(str(as_of))
        except ValueError:
            raise ParameterError(f"as_of must be a date written YYYY-MM-DD, got {as_of!r}") from None
    elif q.start > today:
        raise ParameterError(f"quarter {q} has not started yet (it starts {q.start}; today is {today}); "
                             f"choose a quarter up to {q.containing(today)}")
    else:
        day = min(q.end, today)
    if day > today:
        raise ParameterError(f"as_of {day} is after today ({today}); only data already published can be used")
    if day < q.start:
        raise ParameterError(f"as_of {day} is before quarter {q} starts ({q.start}); choose a date within or after it")
    published = sorted(data_log()[1].values())
    if published and day < published[0]:
        raise ParameterError(
            f"as_of {day} is before any DfE release in the data log was published (earliest {published[0]}); "
            "choose a later quarter"
        )
    if warn:
        warn_if_stale(day)
    return q, day


