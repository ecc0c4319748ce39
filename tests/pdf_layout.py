"""Read a printed review's layout back from its PDF (pypdf): each page's lines of text with their height on the
page, the images drawn on it, and the text of its top margin (the running header).

Used by tests/test_pdf.py (a small page printed from a notebook made in the test) and tests/e2e/test_browser.py
(a real review's index.pdf) to check what a committee reader sees: the cover alone on page 1, no page ending with a
heading, a table's header cells side by side and not over each other, the running header on every page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf._text_extraction import _layout_mode  # the extents of each run of text (pypdf pinned in requirements.lock)
from pypdf.generic import ContentStream

#: Text this close to the page's top or bottom edge (in points) is the running header or the footer: Chromium draws
#: their line about 20 pt from the edge, inside the 16 mm (45 pt) margins of pipeline.pdf.PAGE, and the body's first
#: line (a table's repeated header row) sits about 45 pt in.
EDGE_POINTS = 32
_HEADING = re.compile(r"<h([1-3])\b[^>]*>(.*?)</h\1>", re.DOTALL)


@dataclass
class PageLayout:
    """One printed page: its size in points, its body lines (top to bottom: height from the bottom edge, text),
    the vertical extents (bottom, top) of its images, and the text in its top and bottom margins."""

    number: int
    width: float
    height: float
    lines: list[tuple[float, str]] = field(default_factory=list)
    images: list[tuple[float, float]] = field(default_factory=list)
    header: str = ""
    footer: str = ""

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def headings(page_html: str) -> list[str]:
    """The text of every h1, h2 and h3 of an HTML page, as a reader sees it (no tags, no anchor-link pilcrow)."""
    texts = []
    for match in _HEADING.finditer(page_html):
        text = re.sub(r'<a class="anchor-link".*?</a>', "", match.group(2), flags=re.DOTALL)
        texts.append(" ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()))
    return texts


def read_layout(pdf_path: Path) -> list[PageLayout]:
    """Every page of ``pdf_path`` as a :class:`PageLayout`."""
    pages = []
    for number, page in enumerate(PdfReader(pdf_path).pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        runs: dict[float, list[tuple[float, str]]] = {}
        images: list[tuple[float, float]] = []

        def text_run(text, cm, tm, font, size, runs=runs):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs.setdefault(round(y), []).append((x, text))

        def operator(op, args, cm, tm, images=images):
            if op == b"Do":  # an image painted in the unit square scaled by the CTM
                images.append((cm[5], cm[5] + cm[3]))

        page.extract_text(visitor_text=text_run, visitor_operand_before=operator)
        layout = PageLayout(number, width, height, images=images)
        for y in sorted(runs, reverse=True):
            text = " ".join("".join(t for _, t in sorted(runs[y], key=lambda r: r[0])).split())
            if y > height - EDGE_POINTS:
                layout.header += text
            elif y < EDGE_POINTS:
                layout.footer += text
            else:
                layout.lines.append((y, text))
        pages.append(layout)
    return pages


def orphaned_headings(pages: list[PageLayout], heading_texts: list[str]) -> list[tuple[int, str]]:
    """(page, heading) for each page whose last content is a heading: its last line of text (or last two, for a
    heading that wraps) is a heading, and no image is drawn below it. The last page is not checked."""
    known = {" ".join(h.split()) for h in heading_texts}
    found = []
    for page in pages[:-1]:
        if not page.lines:
            continue
        for count in (1, 2):
            tail = page.lines[-count:]
            text = " ".join(t for _, t in tail)
            top = tail[0][0]
            if text in known and not any(bottom < top for bottom, _ in page.images):
                found.append((page.number, text))
                break
    return found


def text_extents(pdf_path: Path, page_number: int) -> list[tuple[float, float, float, str]]:
    """Each run of text on a page as (line, start x, end x, text), in the page's text space (pypdf's layout mode:
    the end is where the run's last glyph ends, from the font's widths)."""
    reader = PdfReader(pdf_path)
    page = reader.pages[page_number - 1]
    fonts = page._layout_mode_fonts()
    operations = iter(ContentStream(page.get_contents(), reader, "bytes").operations)
    return [(round(g["ty"], 1), g["tx"], g["displaced_tx"], g["text"])
            for g in _layout_mode.text_show_operations(operations, fonts, True, None)]


def overlapping_cells(pdf_path: Path, page_number: int, header_words: list[str]) -> list[tuple[str, str]]:
    """Pairs of neighbouring cells of a table's header row that overlap on the page: the row is the line whose runs
    of text begin with ``header_words`` (each cell's first word); an empty list when every header cell ends before
    the next begins. Raises AssertionError when the page has no such row."""
    runs = text_extents(pdf_path, page_number)
    rows = [line for line, _, _, text in runs if text.strip() == header_words[0]]
    assert rows, f"page {page_number} has no header row starting {header_words[0]!r}"
    row = sorted(((start, end, text.strip()) for line, start, end, text in runs if line == rows[0]), key=lambda r: r[0])
    assert [text.split()[0] for _, _, text in row] == header_words, (
        f"page {page_number}: the header row reads {[text for _, _, text in row]}, not {header_words}")
    return [(a[2], b[2]) for a, b in zip(row, row[1:], strict=False) if a[1] > b[0]]
