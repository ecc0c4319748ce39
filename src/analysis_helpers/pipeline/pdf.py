"""Print a review page to an A4 PDF with the system Chromium, for committee packs and reviewers' files.

Chromium's own print engine (driven through Playwright) lays the page out as a
browser shows it, so the charts, tables and key messages of the PDF are those
of the HTML page: A4, numbered pages ("Page 3 of 12"), backgrounds kept, a
running header naming the area, quarter and data date (:func:`running_header`),
and the print rules of :mod:`.html`: the cover alone on page 1, charts and table
rows whole, headings kept with what follows, wide tables on a landscape page
(the page's CSS sets each page's size: ``prefer_css_page_size``).

The browser is the system one (``$CHROMIUM``, else ``chromium``,
``chromium-browser``, ``google-chrome`` on the PATH); nothing is downloaded.
The page is printed offline: any request other than the page's own file and ``data:`` URIs is refused
(:func:`allowed`), so neither a remote address nor another local file (an ``<iframe src=file:///...>`` that
got past every escape and the page's Content-Security-Policy) can reach the PDF.
One browser is started per process and reused, so a batch worker pays its
start-up once rather than once an area; it lives on a thread of its own, so a
run started from JupyterLab (where an asyncio loop is running) prints too. Its
one page is reused too, each print a fresh load of the next page: a new page
started a renderer process each time, about half of the print's CPU (1.2 s of 2.4 s an area).
"""

from __future__ import annotations

import atexit
import datetime as dt
import html
import os
import queue
import shutil
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

from playwright.sync_api import sync_playwright

from analysis_helpers.core.errors import ReportError
from analysis_helpers.pipeline.folders import file_mode

#: Environment variable naming the browser to print with; otherwise the first of CANDIDATES on the PATH.
CHROMIUM_ENV = "CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: A4 with margins wide enough for the running header and the page-number footer. The page's own CSS
#: (``@page`` in :mod:`.html`) may turn a page to landscape: ``prefer_css_page_size`` lets it.
PAGE = {"format": "A4", "margin": {"top": "16mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
        "prefer_css_page_size": True}
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#333">'
          '<span class="title"></span> · Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')
#: The running header: one line of plain text (escaped here), in the top margin of every page.
HEADER = ('<div style="font-size:8px;width:100%;margin:0 12mm;padding-bottom:1mm;border-bottom:0.5px solid #999;'
          'color:#333;text-align:left">{text}</div>')
NO_CHROMIUM = ("index.pdf not written: no Chromium found (install Debian's package `chromium`, or set CHROMIUM to a "
               "Chrome or Chromium binary); use --no-pdf to skip the PDF")

_session: dict = {}


def find_chromium() -> str | None:
    """The system Chromium's path (``$CHROMIUM`` first), or None when there is none."""
    override = os.environ.get(CHROMIUM_ENV)
    if override and Path(override).exists():
        return override
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def running_header(area: str, quarter, as_of: dt.date) -> str:
    """The running header's words: ``Kent · SEND quarterly review 2026-Q3 · data published by 30 September 2026``."""
    return f"{area} · SEND quarterly review {quarter} · data published by {as_of.day} {as_of:%B %Y}"


def header_template(text: str) -> str:
    """Chromium's header template for ``text``, escaped: an area's name is text, never markup."""
    return HEADER.format(text=html.escape(text)) if text else "<span></span>"


def write_pdf(html_path: Path, pdf_path: Path, header: str = "") -> None:
    """Print ``html_path`` to ``pdf_path`` (A4, page numbers, ``header`` atop each page), written whole or not at all.

    Raises
    ------
    ReportError
        When there is no Chromium, or it cannot open or print the page.
    """
    executable = find_chromium()
    if executable is None:
        raise ReportError(NO_CHROMIUM)
    handle, partial = tempfile.mkstemp(dir=Path(pdf_path).parent, prefix=".pdf-", suffix=".tmp")
    os.close(handle)
    try:
        _printer().run(lambda: _print(executable, Path(html_path), partial, header_template(header)))
        os.chmod(partial, file_mode())  # mkstemp makes it private; a report is for reading (0644 under umask 0022)
        os.replace(partial, pdf_path)
    except Exception as exc:  # Playwright's errors: the browser would not start, the page would not print, ...
        _printer().run(_close)
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReportError(f"{Path(pdf_path).name} not written: Chromium ({executable}) could not print "
                          f"{Path(html_path).name}: {first_line}") from exc
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def allowed(url: str, page_url: str) -> bool:
    """May the printed page load ``url``? Only itself (``page_url``) and ``data:`` URIs."""
    return url.startswith("data:") or url.split("#", 1)[0] == page_url


def _print(executable: str, html_path: Path, pdf_path: str, header: str) -> None:
    """Open the page offline in this process's browser and print it (runs on the printer thread)."""
    page = _page(executable)
    _session["own"] = html_path.resolve().as_uri()  # the one file this print may load (see _page)
    page.goto(_session["own"], wait_until="load")
    page.emulate_media(media="print")
    page.pdf(path=pdf_path, print_background=True, display_header_footer=True, header_template=header,
             footer_template=FOOTER, **PAGE)


def _page(executable: str):
    """This process's page (on the printer thread), made on first use: every request it makes other than the file
    being printed and ``data:`` URIs is refused (:func:`allowed`)."""
    browser = _browser(executable)
    page = _session.get("page")
    if page is None or page.is_closed():
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if allowed(route.request.url, _session.get("own", "")) else route.abort())
        _session["page"] = page
    return page


class _Printer:
    """One thread that owns Playwright and the browser.

    Playwright's synchronous API refuses to start where an asyncio loop is
    running (in JupyterLab, or beside another Playwright session), and its
    objects belong to the thread that made them; so every call goes through
    this one thread, which has no loop of its own.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        threading.Thread(target=self._serve, name="send-review-pdf", daemon=True).start()

    def run(self, job):
        """Run ``job`` on the printer thread and return its result (or raise its exception)."""
        done: Future = Future()
        self._jobs.put((job, done))
        return done.result()

    def _serve(self) -> None:
        while True:
            job, done = self._jobs.get()
            try:
                done.set_result(job())
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                done.set_exception(exc)


def _printer() -> _Printer:
    """This process's printer thread. A process forked from one that printed (a batch worker) inherits the
    session but not its thread or browser: it forgets them, unclosed (they are its parent's), and starts its own."""
    if _session.get("pid") != os.getpid():
        _session.clear()
        _session["pid"], _session["printer"] = os.getpid(), _Printer()
    return _session["printer"]


def _browser(executable: str):
    """This process's headless browser, started on first use (on the printer thread)."""
    browser = _session.get("browser")
    if browser is not None and browser.is_connected() and _session.get("executable") == executable:
        return browser
    _close()
    playwright = sync_playwright().start()
    _session["playwright"], _session["executable"] = playwright, executable
    _session["browser"] = playwright.chromium.launch(executable_path=executable, headless=True,
                                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
    return _session["browser"]


def _close() -> None:
    """Stop this process's browser (on the printer thread: at exit, or after it failed)."""
    _session.pop("page", None)  # closed with its browser
    browser, playwright = _session.pop("browser", None), _session.pop("playwright", None)
    for closing in (browser.close if browser else None, playwright.stop if playwright else None):
        if closing is not None:
            try:
                closing()
            except Exception:  # noqa: BLE001 - already gone: nothing left to close
                pass


@atexit.register
def _close_at_exit() -> None:
    if _session.get("pid") == os.getpid() and "browser" in _session:
        _session["printer"].run(_close)
