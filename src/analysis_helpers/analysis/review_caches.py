"""The caches a review's notebooks read, built or checked before the notebooks start.

Each notebook kernel reads the KPI table, the backtests that choose the default
models, the panel fits and the high-needs outlook's caseload models from the cache folder
(:mod:`~analysis_helpers.data.parquet_cache`), checking every file against its
checksum. A run builds or checks the same caches first, in its own process
(:func:`prepare_review_caches`, inside
:func:`~analysis_helpers.data.parquet_cache.recording`), so that a damaged
cache is rebuilt once, with one line in the run's ``run.log``, and the run's
``manifest.json`` lists each cache with its checksum. The kernels then read files just verified; one damaged
in between is rebuilt by the kernel, never trusted.
"""

from __future__ import annotations

import datetime as dt

from analysis_helpers.analysis.caseload_models import cached_history, caseload_models, model_scores
from analysis_helpers.analysis.leading import with_leading
from analysis_helpers.analysis.outlook import default_model, la_panel
from analysis_helpers.analysis.panel import PanelTooShort
from analysis_helpers.analysis.panel_cache import cached_fit_panel
from analysis_helpers.analysis.projection import PANEL_MODELS
from analysis_helpers.data.release import Release
from analysis_helpers.domain.history import ADAPTER
from analysis_helpers.domain.kpis import kpi_table


def prepare_review_caches(measures: tuple[str, ...], as_of: dt.date, release: Release) -> None:
    """Build or check every cache the outlooks of ``measures`` read by ``as_of`` (the run records them with
    :func:`~analysis_helpers.data.parquet_cache.recording`)."""
    kpi_table(release)
    if release.historic is not None:  # the high-needs outlook's caseload models, the same for every LA of the release
        history = cached_history(release)
        caseload_models(release, int(history["year"].max()))
        model_scores(release, int(history["year"].max()))  # what the details notebook shows of the choice
    for measure in dict.fromkeys(measures):
        if default_model(measure, release) not in PANEL_MODELS:
            continue
        panel = la_panel(measure, as_of, release)
        if panel is None:
            continue
        try:
            cached_fit_panel(with_leading(panel, release) if measure in ADAPTER else panel, release.sha256)
        except PanelTooShort:  # a measure published only lately: the review uses the area's own series
            continue
