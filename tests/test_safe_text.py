"""core.safe_text: text from a file is shown as the characters it is, in HTML and in Markdown, and only an
http(s) address becomes a link. Markdown is checked as it is rendered, by nbconvert's own Markdown renderer
(the one that writes the exported pages), not only as source."""

from html.parser import HTMLParser

import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from analysis_helpers.core.safe_text import html_link, html_text, is_web_url, md_code, md_link, md_text, plain

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=http://127.0.0.1:9/x onerror=alert(2)>"
FRAME = "<iframe src=file:///etc/hostname>"
MD_LINK = "[x](javascript:alert(4))"
MD_IMAGE = "![y](http://127.0.0.1:9/y.png)"
HOSTILE = [SCRIPT, IMAGE, FRAME, MD_LINK, MD_IMAGE, "<a href='javascript:alert(5)'>z</a>", "`code` *em* _em_ ~~del~~ | a | b |",
           "$\\frac{1}{2}$", "# heading", "- item", "12. item", "&lt;script&gt;", "line one\nline two\r\n<b>three</b>",
           "<javascript:alert(6)>", "\u202eevil\x00\x1b[31m", "[ref]: javascript:alert(7)"]


class Parsed(HTMLParser):
    """The elements, attributes and text a browser would make of some HTML."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.chunks = [], [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())


def rendered(markdown: str) -> Parsed:
    """Markdown as nbconvert renders it into an exported page."""
    return Parsed(markdown2html_mistune(markdown))


def one_line(text: str) -> str:
    return " ".join("".join(c for c in text if c.isspace() or c.isprintable()).split())


@pytest.mark.parametrize("text", HOSTILE)
def test_md_text_renders_as_the_characters_it_is(text):
    page = rendered(f"* Note: {md_text(text)}")
    assert set(page.tags) <= {"ul", "li", "a"}, page.tags  # a bare http(s) address may be linked, nothing else made
    assert not [a for a in page.attributes if a[1] != "href" or not a[2].startswith(("http://", "https://"))], page.attributes
    assert page.text == "Note: " + one_line(text)  # what the reader sees is exactly the text, on one line
    assert plain(md_text(text)) == one_line(text)


def test_html_text_escapes_for_text_and_attributes():
    assert html_text(SCRIPT) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert html_text('a" onmouseover="alert(1)"') == "a&quot; onmouseover=&quot;alert(1)&quot;"
    assert html_text("it's") == "it&#x27;s" and html_text(None) == "" and html_text(3.5) == "3.5"


@pytest.mark.parametrize("url,web", [
    ("https://www.kent.gov.uk/a?b=1#c", True), ("http://example.org", True), ("HTTPS://EXAMPLE.ORG/x", True),
    ("javascript:alert(3)", False), (" JavaScript:alert(3)", False), ("java\nscript:alert(3)", False),
    ("data:text/html,<script>alert(1)</script>", False), ("file:///etc/passwd", False), ("vbscript:msgbox(1)", False),
    ("//evil.example/x", False), ("../../etc/passwd", False), ("www.kent.gov.uk", False), ("https://", False),
    ("https:\\\\evil.example", False), ("https://exa mple.org", False), ("https://[::1", False), ("", False), (None, False),
])
def test_only_http_and_https_addresses_are_web_addresses(url, web):
    assert is_web_url(url) is web


def test_a_javascript_address_is_text_not_a_link():
    for url in ("javascript:alert(3)", "data:text/html,<script>alert(1)</script>", "file:///etc/hostname", "vbscript:x"):
        page = rendered(md_link(SCRIPT, url))
        assert page.tags == ["p"] and page.text == f"{SCRIPT} ({one_line(url)})", (page.tags, page.text)
        assert "<a" not in html_link(SCRIPT, url) and "&lt;script&gt;" in html_link(SCRIPT, url)
    assert html_link("t", "") == "t" and md_link("t", " ") == "t"


ENCODED = "https://example.org/a%22onmouseover=alert%281%29%28x%29%3Cy%3E%5Bz%5D"


def test_a_web_address_is_a_link_whose_address_cannot_break_out():
    url = 'https://example.org/a b"onmouseover=alert(1) (x)<y>'
    assert not is_web_url(url)  # a space: shown as text
    url = 'https://example.org/a"onmouseover=alert(1)(x)<y>[z]'
    page = rendered(md_link("Source <b>", url))
    assert page.tags == ["p", "a"] and page.text == "Source <b>", (page.tags, page.text)
    assert page.attributes == [("a", "href", ENCODED)]
    assert html_link("S", url) == f'<a href="{ENCODED}">S</a>'


def test_a_file_name_as_code_cannot_end_its_code_span():
    page = rendered(f"release {md_code('a`b <script>.zip')} used")
    assert page.tags == ["p", "code"] and page.text == "release a`b <script>.zip used", (page.tags, page.text)
    assert md_code("education-health-and-care-plans_2025.zip") == "`education-health-and-care-plans_2025.zip`"


def test_ordinary_text_is_unchanged():
    """Real titles and bases read the same as before: escaping only touches what Markdown or HTML would act on."""
    for text in ("KentOnline: KCC issued with improvement order over failing SEND provision (Mar 2023)",
                 "all plans (January census)", "snapshot (figure stated for the month of May 2022)", "2022/23 outturn"):
        assert md_text(text) == text and plain(md_text(text)) == text
