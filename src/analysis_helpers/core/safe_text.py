"""Text read from a file, made safe to show: the one place every HTML and Markdown output escapes it.

A council feed, ``data/targets.csv``, ``data/area_notes.csv``, ``data/milestones.csv``,
``data/council_hosts.csv`` and the council-measures catalogue are typed by people
and copied from web pages, so any of their texts may hold ``<script>``, an
``<img src=http://...>``, an ``<iframe src=file:///...>`` or a Markdown link to
``javascript:``. A report shows such text as the characters it is, never as markup:

* :func:`html_text` for HTML (an element's text or an attribute's value);
* :func:`md_text` for Markdown source: IPython's ``Markdown`` (and nbconvert's
  export of it) passes raw HTML straight through, so HTML's characters become
  entities and Markdown's own (links, images, emphasis, code, tables, maths,
  a heading or list at the start of a line) are escaped with a backslash;
* :func:`md_code` for a file name shown as code;
* :func:`html_link` and :func:`md_link` for a source: only an ``http(s)`` address
  becomes a link (:func:`is_web_url`); any other (``javascript:``, ``data:``,
  ``file:``, ``vbscript:``, a relative path) is shown as text beside the title;
* :func:`chart_text` for a chart's title or label (matplotlib reads ``$...$`` as mathematics);
* :func:`plain` turns Markdown written here back into plain words (a chart's alt
  text, which :func:`html_text` then escapes once).
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote, urlsplit

#: Schemes a source link may have.
WEB_SCHEMES = ("http", "https")
#: Characters Markdown (CommonMark, GitHub's tables and strikethrough, Jupyter's $maths$) treats as syntax mid-line.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~$])")
#: What makes a line a heading, list item, quote or rule when a text starts one.
_MD_LINE_START = re.compile(r"^(#|=|[-+](?=\s|$)|\d+(?=[.)](?:\s|$)))")
#: A backslash-escaped ASCII punctuation character (how md_text escapes).
_MD_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
#: Characters left as they are in a link's address (everything else is percent-encoded).
_URL_SAFE = "/:?#@!$&'*+,;=%~-._"


def _one_line(text) -> str:
    """``text`` as one line: control characters dropped, runs of white space (new lines included) one space."""
    text = "" if text is None else str(text)
    text = "".join(" " if c.isspace() else c for c in text if c.isspace() or not unicodedata.category(c).startswith("C"))
    return " ".join(text.split())


def html_text(text, quote_marks: bool = True) -> str:
    """``text`` for HTML, as element text or inside a quoted attribute: ``<script>`` -> ``&lt;script&gt;``."""
    return html.escape("" if text is None else str(text), quote=quote_marks)


def md_text(text) -> str:
    """``text`` for Markdown source, shown as the characters it is (see the module docstring); one line."""
    escaped = html.escape(_one_line(text), quote=False)
    escaped = _MD_INLINE.sub(r"\\\1", escaped)
    return _MD_LINE_START.sub(lambda m: "\\" + m.group(1) if not m.group(1).isdigit() else m.group(1) + "\\", escaped, count=1)


def md_code(text) -> str:
    """``text`` as a Markdown code span (a file name): fenced by more backticks than it holds, so it cannot end early."""
    line = _one_line(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", line)), default=0) + 1)
    return f"{fence} {line} {fence}" if line.startswith("`") or line.endswith("`") else f"{fence}{line}{fence}"


def chart_text(text) -> str:
    """``text`` drawn by matplotlib as written: each ``$`` escaped, so a label quoting a file is never read as mathtext."""
    return ("" if text is None else str(text)).replace("$", r"\$")


def plain(markdown: str) -> str:
    """Markdown written with :func:`md_text` (and ``*emphasis*``) back to plain words, for alt text."""
    text = re.sub(r"(?<!\\)\*", "", str(markdown))
    return html.unescape(_MD_ESCAPED.sub(r"\1", text))


#: What makes a text look like markup to a reader of a validation note: an HTML tag or entity, a Markdown link or
#: image, or a script address.
_MARKUP = re.compile(r"<\s*[a-zA-Z!/]|&#?\w+;|\]\s*\(|\b(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def looks_like_markup(text) -> bool:
    """Does ``text`` hold what HTML or Markdown would act on (a tag, an entity, a link, a script address)?"""
    return bool(_MARKUP.search("" if text is None else str(text)))


def is_web_url(url) -> bool:
    """Is ``url`` an absolute ``http``/``https`` address with a host (and no space or control character)?"""
    text = "" if url is None else str(url).strip()
    if not text or any(c.isspace() or unicodedata.category(c).startswith("C") for c in text) or "\\" in text:
        return False
    try:
        parts = urlsplit(text)
        return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)
    except ValueError:  # a malformed address (an unclosed IPv6 bracket, a bad port)
        return False


def _address(url) -> str:
    """A web address with the characters a link's markup could read as syntax percent-encoded."""
    return quote(str(url).strip(), safe=_URL_SAFE)


def html_link(title, url) -> str:
    """``<a href="url">title</a>`` for an http(s) ``url``; otherwise the title and the address, both as text."""
    if is_web_url(url):
        return f'<a href="{html_text(_address(url))}">{html_text(title)}</a>'
    return f"{html_text(title)} ({html_text(url)})" if str(url or "").strip() else html_text(title)


def md_link(title, url) -> str:
    """``[title](url)`` for an http(s) ``url``; otherwise the title and the address, both as text."""
    if is_web_url(url):
        return f"[{md_text(title)}]({_address(url)})"
    return f"{md_text(title)} ({md_text(url)})" if str(url or "").strip() else md_text(title)
