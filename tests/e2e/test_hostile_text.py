"""Issue 24, item 3: text from input files never becomes live markup in a review, its pages or its PDF.

One review of Kent (the review notebook and the trajectories page) reads copies, in the test's folder, of a
council feed, the council-measures catalogue, a targets file and the three area-fact files (area notes,
milestones, council hosts), with hostile text in every text column: a ``<script>`` that calls ``alert``, an
``<img>`` whose source is a port on this machine the test listens on, an ``<iframe>`` of a local file holding a
secret, a Markdown link and image, and ``javascript:`` and ``data:`` addresses as sources. The run reads them
through ``--local``, ``targets`` and the ``SEND_REVIEW_COUNCIL_MEASURES`` / ``SEND_REVIEW_AREA_FACTS``
settings its kernels inherit.

``index.html`` and ``02_trajectories.html`` are opened in the system Chromium as a reader opens them (the page's
own Content-Security-Policy in force, nothing bypassed, no request refused by the test): no dialog opens, nothing
reaches the listening port and every request other than the page itself is refused by the page, no frame,
object, script of the input's or live ``javascript:`` link exists, and the hostile text is there to read as text.
``index.pdf`` holds the text but not the secret file's contents.

Skipped, with the reason, only where no Chromium is installed outside CI (like ``test_browser.py``).
"""

from __future__ import annotations

import csv
import socket
import threading
from pathlib import Path

import pytest
from browser_check import browser, chromium, in_ci
from helpers import FIXTURES_DIR
from pypdf import PdfReader

from analysis_helpers.core.paths import (
    AREA_FACTS_ENV,
    COUNCIL_MEASURES_ENV,
    COUNCIL_MEASURES_FILE,
    REVIEW_NOTEBOOK,
    TRAJECTORIES_NOTEBOOK,
)
from analysis_helpers.pipeline.report import run_quarterly

QUARTER = "2025-Q3"
SECRET = "c0nfidential-7Q4Z-not-for-the-pdf"
PAGES = ("index.html", "02_trajectories.html")
#: Schemes a live link or a loaded resource must never have.
BAD_SCHEMES = ("javascript:", "data:text", "file:", "vbscript:")


def hostile(port: int, secret: Path, tag: str) -> str:
    """Every kind of hostile text at once, marked with ``tag`` (which column it came from)."""
    return (f"{tag} <script>alert('{tag}')</script> <img src=http://127.0.0.1:{port}/{tag}.png onerror=alert(2)> "
            f"<iframe src={secret.as_uri()}></iframe> [x](javascript:alert(4)) ![y](http://127.0.0.1:{port}/md-{tag}.png) "
            f"<object data={secret.as_uri()}></object> <a href=javascript:alert(5)>click</a>")


class Listener:
    """A TCP port on 127.0.0.1 that records every connection made to it (none may be)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(300))
                except OSError:
                    self.connections.append(b"")

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.server.close()


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def hostile_inputs(folder: Path, port: int) -> dict:
    """Copies of every input file with hostile text in each text column; returns the run's settings."""
    secret = folder / "secret.txt"
    secret.write_text(SECRET + "\n")
    text = lambda tag: hostile(port, secret, tag)  # noqa: E731
    js = "javascript:alert(3)"

    (folder / "local").mkdir()
    with (FIXTURES_DIR / "local" / "kent_later_figures.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, feed = reader.fieldnames, list(reader)
    for number, row in enumerate(feed):
        row["basis"] = f"{row['basis']} {text('feed-basis')}"  # still begins with its kind of figure
        row["source_title"] = text("feed-source-title")
        row["source_url"] = [js, "data:text/html,<script>alert(6)</script>", "file:///etc/hostname", "vbscript:msgbox(7)"][number % 4]
        row["quote"] = text("feed-quote")
    write_csv(folder / "local" / "kent.csv", header, [[r[c] for c in header] for r in feed])

    with COUNCIL_MEASURES_FILE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        measures_header, measures = reader.fieldnames, list(reader)
    for row in measures:
        row["label"] = f"{row['label']} {text('label')}"
        row["description"] = text("description")
    catalogue = write_csv(folder / "measures.csv", measures_header, [[r[c] for c in measures_header] for r in measures])

    targets_header = ["target_id", "area", "measure", "denominator", "series", "baseline_value", "baseline_date", "baseline_source",
                      "target_value", "target_date", "date_basis", "source_title", "source_url", "quote"]
    targets = write_csv(folder / "targets.csv", targets_header, [
        [f"app {text('target-id')}", "886", "ehcp_issued_within_20_weeks_pct", text("denominator"), "council", "13.2", "2023-06-30",
         text("baseline-source"), "80", "2024-09-30", f"assumed: {text('date-basis')}", text("target-title"), js, text("target-quote")],
        [f"kpi {text('target-id')}", "886", "ehcp_issued_within_20_weeks_pct", text("denominator"), "dfe", "", "2024-12-31",
         text("baseline-source"), "60", "2025-12-31", f"stated: {text('date-basis')}", text("target-title"), js, text("target-quote")],
        [f"deficit {text('target-id')}", "886", "high_needs_deficit_gbp_m", text("denominator"), "council", "97", "2022-03-31",
         text("baseline-source"), "0", "2028-03-31", f"stated: {text('date-basis')}", text("target-title"), js, text("target-quote")],
        [f"team {text('target-id')}", "886", "send_vacancies", text("denominator"), "council", "", "2023-03-31",
         text("baseline-source"), "", "2023-09-30", f"stated: {text('date-basis')}", text("requirement-title"), js,
         text("requirement-quote")],
    ])

    facts = folder / "facts"
    facts.mkdir()
    urls = [js, "data:text/html,<script>alert(8)</script>", f"https://example.org/a\"onmouseover=alert(9) x=\"<{port}>"]
    write_csv(facts / "area_notes.csv", ["area", "section", "text", "source_title", "source_url"], [
        ["886", section, text(f"note-{section}"), text("note-title"), urls[number % 3]]
        for number, section in enumerate(("context", "placements", "budget", "context"))
    ])
    write_csv(facts / "milestones.csv", ["area", "months", "from_date", "event", "source_title", "source_url", "quote"], [
        ["886", months, "2023-03-31", text("milestone-event"), text("milestone-title"), js, text("milestone-quote")]
        for months in (3, 6, 12, 18)
    ])
    write_csv(facts / "council_hosts.csv", ["area", "host", "source_title", "source_url"],
              [["kent", "kent.gov.uk", text("host-title"), js]])
    return {"local": folder / "local", "targets": targets, "catalogue": catalogue, "facts": facts}


@pytest.fixture(scope="module")
def listener():
    port = Listener()
    yield port
    port.close()


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, listener):
    if chromium() is None:
        message = "no Chromium found (chromium, chromium-browser, google-chrome or $CHROMIUM)"
        if in_ci():
            pytest.fail(f"CI: {message}, and the browser tests must run in CI")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("hostile")
    inputs = hostile_inputs(folder, listener.port)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(COUNCIL_MEASURES_ENV, str(inputs["catalogue"]))
        mp.setenv(AREA_FACTS_ENV, str(inputs["facts"]))
        index = run_quarterly(area="Kent", quarter=QUARTER, out_dir=folder / "reports", local=inputs["local"],
                              targets=inputs["targets"], notebooks=(REVIEW_NOTEBOOK, TRAJECTORIES_NOTEBOOK), index=False)
    return index.parent


def test_the_run_read_the_hostile_copies(hostile_run):
    """The test is only worth something if the hostile files were read: each kind of text is on the pages, as text."""
    review = (hostile_run / "index.html").read_text(encoding="utf-8")
    details = (hostile_run / "02_trajectories.html").read_text(encoding="utf-8")
    for tag in ("feed-basis", "feed-source-title", "label", "target-id", "denominator", "note-context", "note-budget",
                "note-title", "requirement-quote", "requirement-title", "date-basis"):
        assert f"{tag} &lt;script&gt;alert(" in review, tag
    for tag in ("target-quote", "target-title", "milestone-title", "target-id"):
        assert f"{tag} &lt;script&gt;alert(" in details, tag


@pytest.mark.parametrize("name", PAGES)
def test_no_script_runs_no_request_leaves_and_no_frame_opens(hostile_run, listener, name):
    path = hostile_run / name
    own = path.resolve().as_uri()
    with browser() as launched:
        page = launched.new_page()  # as a reader opens it: the page's own policy, nothing bypassed, nothing routed
        dialogs, requests, refused = [], [], {}
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: requests.append(request.url))
        page.on("requestfailed", lambda request: refused.__setitem__(request.url, request.failure))
        page.goto(own, wait_until="load")
        page.wait_for_timeout(500)  # late requests, timers
        frames = [frame.url for frame in page.frames]
        live = page.evaluate("""() => ({
            elements: [...document.querySelectorAll('iframe, frame, object, embed, base, form, meta[http-equiv=refresh]')]
                .map(e => e.outerHTML.slice(0, 80)),
            scripts: [...document.scripts].filter(s => s.src || s.text.includes('alert')).map(s => s.outerHTML.slice(0, 80)),
            handlers: [...document.querySelectorAll('*')]
                .flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
            links: [...document.querySelectorAll('[href], [src], [action], [formaction]')]
                .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || e.getAttribute('formaction')),
            text: document.body.innerText,
            images: [...document.images].map(i => [i.src.slice(0, 22), i.complete && i.naturalWidth > 0]),
        })""")
        page.close()
    assert dialogs == [], f"{name}: a script ran: {dialogs}"
    assert listener.connections == [], f"{name}: a request reached 127.0.0.1:{listener.port}: {listener.connections}"
    others = sorted({u for u in requests if u != own and not u.startswith("data:")})
    assert all(refused.get(u) == "csp" for u in others), f"{name}: requests not refused by the page's own policy: {others} {refused}"
    assert frames == [own], f"{name}: frames {frames}"
    assert live["elements"] == [] and live["scripts"] == [] and live["handlers"] == [], live
    assert not [u for u in live["links"] if u.strip().lower().startswith(BAD_SCHEMES)], live["links"]
    assert "<script>alert(" in live["text"] and "<iframe src=file:" in live["text"]  # shown, as the text it is
    if name == "index.html":
        assert "(javascript:alert(3))" in live["text"]  # an area note's address, as text beside its title
    assert SECRET not in live["text"]
    # the page still looks right with scripts blocked: every chart is a data: image that drew
    assert live["images"] and all(src.startswith("data:image/png") and drawn for src, drawn in live["images"]), live["images"]


def test_no_local_file_reaches_the_pdf(hostile_run, listener):
    reader = PdfReader(hostile_run / "index.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "feed-basis" in text  # the hostile text is printed, as text
    assert SECRET not in text and SECRET.encode() not in (hostile_run / "index.pdf").read_bytes()
    assert listener.connections == []
