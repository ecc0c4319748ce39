"""Feed files named for no area: refused in one line, never silently left unread.

A folder of council feeds (``data/local/``, or ``--local FOLDER``) holds one
file per area, named after the area as the workbook writes it (its slug:
``kent.csv``, ``bristol-city-of.xlsx``; ``send-review areas`` lists them).
Templates, READMEs and the measures catalogue are not feeds
(:func:`~analysis_helpers.data.local_feed.feed_files`). A feed named otherwise
(``Essex County Council.csv``, ``kentt.csv``) would be read for no area, so
:func:`check_feed_names` refuses it, naming the file, the name expected and the
closest area names: at the start of a run or a batch, by the notebooks'
parameter check, and by ``send-review validate``.

The areas' slugs are given by the caller (they come from the release, a layer
up); the suggestion drops the words councils add to their names ("County
Council", "Borough of", ...) before comparing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher
from pathlib import Path

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import local_dir, shown_path
from analysis_helpers.data.local_feed import feed_files

#: Words a council's own name adds to its area's name ("Essex County Council", "London Borough of Brent").
COUNCIL_WORDS = frozenset({"council", "county", "city", "borough", "metropolitan", "district", "london", "royal", "of", "the",
                           "and", "cc", "mbc", "lbc", "bc", "dc", "feed", "figures", "send", "local"})


def misnamed_feeds(slugs: Iterable[str], folder: Path | None = None) -> list[Path]:
    """Feed files in ``folder`` (default: the feeds' folder) whose name (without extension, any case) is no area's slug."""
    folder = Path(folder) if folder is not None else local_dir()
    if not folder.is_dir():
        return []  # a single feed file is read whatever its name
    known = set(slugs)
    return [path for path in feed_files(folder) if path.stem.lower() not in known]


def check_feed_names(slugs: Iterable[str], folder: Path | None = None) -> None:
    """Refuse, in one line, the first feed file in ``folder`` named for no area (see the module docstring)."""
    slugs = sorted(set(slugs))
    misnamed = misnamed_feeds(slugs, folder)
    if misnamed:
        path = misnamed[0]
        closest = closest_slugs(path.stem, slugs)
        more = f" ({len(misnamed) - 1} more misnamed)" if len(misnamed) > 1 else ""
        raise DataValidationError(
            f"{shown_path(path)}: the file name matches no area, so no review would read it{more}; name it after its area, "
            f"e.g. {closest[0]}{path.suffix.lower()} (closest: {', '.join(closest)}; .venv/bin/send-review areas lists them)"
        )


def closest_slugs(name: str, slugs: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` slugs closest to a file name, with and without the words councils add to their names."""
    wanted = _slug(name)
    core = _core(wanted)

    def score(candidate: str) -> float:
        return max(SequenceMatcher(None, wanted, candidate).ratio(), SequenceMatcher(None, core, _core(candidate)).ratio())

    return sorted(slugs, key=lambda s: (-score(s), s))[:n]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def _core(slug: str) -> str:
    return "-".join(w for w in slug.split("-") if w not in COUNCIL_WORDS) or slug
