"""The quarter's index for reviewers: ``reports/<quarter>/index.html``, one sortable row per area reviewed.

Each review leaves ``headline.json`` beside its ``index.html``: the executive
summary's measure, KPI, latest figure and status for every row, read from the
executed review notebook (the output :func:`analysis_helpers.reporting.sections.headline`
displays in a cell readers never see). The index is built from those files, in
folders whose ``manifest.json`` is whole (it is written last), skipping
folders whose names start with a dot (a run's temporary folder, or one a killed
run left: issue 24 found a second Kent listed from one), so
it lists every area reviewed for the quarter, whether by ``send-review run`` or
by a batch, and a batch adds a row for each area that failed, with its error.

The table shows the headline KPIs (latest figure and status), how the area's
targets stand, and links to the review and its PDF. Its columns sort by
clicking their headers (buttons, so a keyboard works too; ``aria-sort`` says
the order to a screen reader). The page is written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import nbformat

from analysis_helpers.core.safe_text import html_text
from analysis_helpers.data.review_headline import HEADLINE_FILE
from analysis_helpers.domain.measures import BY_NAME, TIMELINESS_MEASURE
from analysis_helpers.pipeline.folders import file_mode
from analysis_helpers.reporting.sections import HEADLINE_MIME

#: Written last by a run (:mod:`.manifest`): a folder without a whole one is not a finished review.
MANIFEST_FILE = "manifest.json"
#: KPIs the index shows for every area, in order (the first row of each measure in the executive summary).
INDEX_MEASURES = (TIMELINESS_MEASURE, "ehcp_caseload_mainstream_pct", "ehc_requests_refused_pct")
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")

_STYLE = """body{font-family:sans-serif;max-width:82rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;font-size:.92rem}caption{text-align:left;font-weight:bold;padding:.3em 0}
th,td{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}thead th{border-bottom:2px solid #505050}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;text-align:left;color:inherit}
th button:focus{outline:2px solid #1d4ed8}
th[aria-sort=ascending] button::after{content:" \\25B2"}\
th[aria-sort=descending] button::after{content:" \\25BC"}a{text-decoration:underline}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"""
#: Sorts a column on its cells' data-sort values (numbers as numbers, text as text), toggling the order.
_SCRIPT = """document.querySelectorAll("table.sortable th button").forEach(function (button) {
  button.addEventListener("click", function () {
    var th = button.closest("th"), table = th.closest("table"), body = table.tBodies[0];
    var column = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var key = function (row) { var v = row.children[column].getAttribute("data-sort"); return v === null ? "" : v; };
    var rows = Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      var order = (x === "" || y === "") ? (x === "" ? 1 : -1) * (ascending ? 1 : -1)
        : (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});"""


def read_headline(executed: Path) -> dict | None:
    """The headline a review notebook displayed (see the module docstring), or None if it shows none."""
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            if HEADLINE_MIME in output.get("data", {}):
                return dict(output["data"][HEADLINE_MIME])
    return None


def write_headline(record: dict, folder: Path) -> None:
    """``headline.json`` in a run's folder."""
    (folder / HEADLINE_FILE).write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")


def write_quarter_index(folder: Path, failures: dict[str, str] | None = None) -> Path:
    """Write ``folder/index.html`` listing every area folder with a ``headline.json``, and ``failures`` (area -> error)."""
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for path in sorted(folder.glob(f"*/{HEADLINE_FILE}")):
        if path.parent.name.startswith(".") or not _complete(path.parent):
            continue  # a run's temporary folder, or one a killed run left: not a review (see the module docstring)
        try:
            records.append((path.parent.name, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue  # a folder being replaced right now: the next index lists it
    records.sort(key=lambda item: item[1].get("area", item[0]))
    failures = failures or {}
    quarter = folder.name
    head = ["Area", "Region"] + [f"{BY_NAME[m].label}: latest" for m in INDEX_MEASURES] + [
        f"{BY_NAME[m].label}: status" for m in INDEX_MEASURES] + ["Targets", "Review", "PDF"]
    order = [0, 1, 2, 5, 3, 6, 4, 7, 8, 9, 10]  # each KPI's latest figure beside its status
    rows = [_row(slug, record, folder) for slug, record in records]
    rows += [[(_esc(area), area), ("", ""), *[("", "")] * 6, (f"failed: {_esc(error)}", "failed"), ("", ""), ("", "")]
             for area, error in sorted(failures.items())]
    header = "".join(f'<th scope="col"><button type="button">{_esc(head[i])}</button></th>' for i in order)
    body = "".join(
        "<tr>" + "".join(f'<td data-sort="{_esc(str(row[i][1]))}">{row[i][0]}</td>' for i in order) + "</tr>" for row in rows
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SEND quarterly reviews, {_esc(quarter)}</title><style>{_STYLE}</style></head>
<body><main><h1>SEND quarterly reviews, {_esc(quarter)}</h1>
<p>{len(records)} area{'' if len(records) == 1 else 's'} reviewed{f'; {len(failures)} failed' if failures else ''}.
Index written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Each figure and status is the one its review shows
(the review's status legend says what each status means); select a column heading to sort by it.</p>
<table class="sortable"><caption>Reviews for {_esc(quarter)}: headline KPIs, statuses and targets</caption>
<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>
<p>Contains public sector information licensed under the Open Government Licence v3.0.</p></main>
<script>{_SCRIPT}</script></body></html>
"""
    handle, partial = tempfile.mkstemp(dir=folder, prefix=".index-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(page)
    os.chmod(partial, file_mode())  # mkstemp makes it private; a report is for reading (0644 under umask 0022)
    os.replace(partial, folder / "index.html")
    return folder / "index.html"


def _complete(review: Path) -> bool:
    """A review folder whose run finished: its ``manifest.json`` (written last) is whole."""
    try:
        manifest = json.loads((review / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "finished" in manifest


def _row(slug: str, record: dict, folder: Path) -> list[tuple[str, object]]:
    """(cell HTML, sort key) for each column of one area's row, in the order of the header."""
    area = record.get("area", slug)
    first = {}
    for kpi in record.get("kpis", []):
        first.setdefault(kpi.get("measure"), kpi)
    latest = [(_esc(first[m]["latest"]), _number(first[m]["latest"])) if m in first else ("–", "") for m in INDEX_MEASURES]
    status = [(_esc(first[m]["status"]), first[m]["status"]) if m in first else ("", "") for m in INDEX_MEASURES]
    targeted = Counter(k["status"] for k in record.get("kpis", []) if k.get("targeted"))
    targets = ", ".join(f"{_esc(s)} {n}" for s, n in sorted(targeted.items())) or "none recorded"
    pdf = folder / slug / "index.pdf"
    return [
        (_esc(area), area), (_esc(record.get("region", "")), record.get("region", "")), *latest, *status,
        (targets, targets),
        (f'<a href="{_esc(slug)}/index.html">Review<span class="visually-hidden"> for {_esc(area)}</span></a>', area),
        (f'<a href="{_esc(slug)}/index.pdf">PDF<span class="visually-hidden"> of the review for {_esc(area)}</span></a>'
         if pdf.exists() else "not written", "1" if pdf.exists() else "0"),
    ]


def _number(text: str) -> object:
    """The first number in a displayed figure ("64.0% (2024)" -> 64.0, "£103m" -> 103), for sorting; "" when none."""
    match = _NUMBER.search(text or "")
    return float(match.group().replace(",", "")) if match else ""


def _esc(text: str) -> str:
    return html_text(text)
