"""The HTML report as markup (the browser tests in test_browser.py load it for real): one
self-contained page under a strict policy, every outside string escaped, links that hold.

The judge is the standard library's HTML parser, not briefer's templates."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from briefer.render.html import to_html
from briefer.render.templating import web_link
from briefer.schemas.briefing import Briefing

from .hostile import HOSTILE, IMG, SCRIPT, SENTENCE, poisoned

# What the page may hold: no script, image, frame, form, base or external resource.
_ALLOWED = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "a",
    "header",
    "nav",
    "main",
    "section",
    "article",
    "footer",
    "h1",
    "h2",
    "h3",
    "p",
    "span",
    "strong",
    "ul",
    "ol",
    "li",
    "figure",
    "figcaption",
    "blockquote",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "abbr",
    "div",
    "dl",
    "dt",
    "dd",
    "mark",
    "meter",
    "bdi",
}


class Page(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []
        self.style = ""
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.data.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    @property
    def text(self) -> str:
        return "".join(self.data)


def test_the_page_is_self_contained_and_lets_only_its_own_stylesheet_through(
    seeds_briefing: Briefing,
) -> None:
    page = Page(to_html(seeds_briefing))
    assert {t for t, _ in page.tags} <= _ALLOWED
    assert not [a for _, a in page.tags if "src" in a or "style" in a]
    (csp,) = [
        m["content"] or ""
        for m in page.all("meta")
        if m.get("http-equiv") == "Content-Security-Policy"
    ]
    digest = base64.b64encode(hashlib.sha256(page.style.encode()).digest()).decode()
    rules = dict(r.strip().split(" ", 1) for r in csp.split(";"))
    assert rules["default-src"] == "'none'" and rules["script-src"] == "'none'"
    assert rules["style-src"] == f"'sha256-{digest}'"
    assert rules["base-uri"] == "'none'" and rules["form-action"] == "'none'"
    # Links stay in the page, but for an article's own web address.
    for a in page.all("a"):
        href = a["href"] or ""
        assert href.startswith("#") or (
            href.startswith("https://") and "noopener" in (a.get("rel") or "")
        ), href


class Marks(HTMLParser):
    """Each mark's id, full text (nested marks included) and the article holding it; and
    every citation link's target."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: dict[str, str] = {}
        self.article: dict[str, str] = {}
        self.cites: list[str] = []
        self._open: list[str] = []
        self._source = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article" and a.get("class") == "source":
            self._source = a["id"] or ""
        elif tag == "mark":
            self._open.append(a["id"] or "")
            self.text[a["id"] or ""] = ""
            self.article[a["id"] or ""] = self._source
        elif tag == "a" and a.get("class") == "cite":
            self.cites.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for mark in self._open:
            self.text[mark] += data


def test_every_citation_opens_the_cited_sentence_inside_the_cited_article(
    seeds_briefing: Briefing,
) -> None:
    b = seeds_briefing
    marks = Marks(to_html(b))
    numbers = {s.id: n for n, s in enumerate(b.sources, start=1)}
    expected = []
    for item in [*b.summary, *b.takeaways]:
        for aid in item.citations:
            words = re.findall(r"\w+", item.evidence[aid])
            (mark,) = [
                k
                for k, text in marks.text.items()
                if re.findall(r"\w+", text) == words and marks.article[k] == f"a{numbers[aid]}"
            ]
            expected.append(f"#{mark}")
    assert marks.cites == expected


def test_every_string_from_outside_stays_text(seeds_briefing: Briefing) -> None:
    b = poisoned(seeds_briefing)
    page = Page(to_html(b))
    assert {t for t, _ in page.tags} <= _ALLOWED
    assert not [k for _, a in page.tags for k in a if k.startswith("on") or k == "src"]
    # The markup is shown as the text it is: in titles, model text, quotes, the articles.
    assert page.text.count(HOSTILE) >= 20
    assert SENTENCE in page.text
    assert page.all("mark") and f"{SCRIPT}" in page.text and IMG in page.text
    # A javascript: address is shown, never linked.
    assert "javascript:alert(1)" in page.text
    assert not [a for a in page.all("a") if "javascript" in (a["href"] or "")]
    assert "<title>&lt;script&gt;" in to_html(b)


@pytest.mark.parametrize(
    "url",
    [
        " JAVASCRIPT:alert(1)",
        "\x01javascript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "http:x",
        "//example.com/a",
        "ftp://example.com/a",
        "http://[::1",
        "",
    ],
)
def test_only_a_web_address_becomes_a_link(url: str) -> None:
    assert web_link(url) is None


def test_a_web_address_is_linked_as_it_is() -> None:
    assert web_link(" https://example.com/a?b=1#c ") == "https://example.com/a?b=1#c"
