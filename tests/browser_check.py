"""Open a report page in the system Chromium through Playwright: its DOM, the URLs
the page itself asked for, and axe-core's WCAG 2.2 A/AA violations.

Requests are taken from ``page.on("request")``: only what the page (and its
frames) ask for, never the browser's own start-up or service traffic, so
"this page asks the network for nothing" holds with any Chromium build. Every
request is aborted, so the page really is offline.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from analysis_helpers.pipeline.pdf import find_chromium

#: axe-core tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA (UK public-sector pages must meet 2.2 AA).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
def chromium() -> str | None:
    """The system Chromium's path (``$CHROMIUM`` first), or None: the same browser the run prints its PDF with."""
    return find_chromium()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@contextmanager
def browser():
    """A headless system Chromium (never a downloaded one)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield launched
        finally:
            launched.close()


class PageCheck:
    """One page opened offline: ``dom`` after load, ``requested`` URLs, ``violations`` on demand."""

    def __init__(self, browser_, path: Path, width: int = 1280):
        self.requested: list[str] = []
        self.page = browser_.new_page(viewport={"width": width, "height": 900})
        self.page.on("request", lambda request: self.requested.append(request.url))
        # abort anything that is not the file itself: the page is read offline, and nothing may leave the machine
        self.page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        self.url = path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")
        self.page.wait_for_timeout(300)  # late requests (images, fonts, scripts started by scripts)
        self.dom = self.page.content()

    @property
    def network_requests(self) -> list[str]:
        """URLs the page asked for other than itself (``file:`` of the page and ``data:`` URIs are not network)."""
        return sorted({u for u in self.requested if u != self.url and not u.startswith("data:")})

    def violations(self) -> dict[str, list[str]]:
        """axe-core's WCAG 2.2 A/AA violations: rule id -> the offending elements' selectors."""
        results = Axe().run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
        return {v["id"]: [",".join(map(str, n["target"])) for n in v["nodes"]] for v in results.response["violations"]}

    def close(self) -> None:
        self.page.close()


def open_page(path: Path, width: int = 1280) -> tuple[str, list[str]]:
    """(DOM after load, URLs other than the page itself that the page requested)."""
    with browser() as b:
        check = PageCheck(b, path, width)
        return check.dom, check.network_requests
