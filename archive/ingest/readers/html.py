"""Saved web pages: keep the statement, drop the site around it."""

from __future__ import annotations

import codecs
import re

from bs4 import (
    BeautifulSoup,
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from archive.ingest.readers.paragraphs import normalize, to_text
from archive.ingest.readers.result import ReadResult
from archive.ingest.readers.text import decode

# Never text, in a page or in Markdown with raw HTML.
_NEVER_TEXT = (
    "head", "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object",
    "embed",
)  # fmt: skip
# Site widgets around a statement.
_WIDGETS = ("button", "input", "select", "textarea", "nav", "aside", "dialog", "menu")
# Page chrome. Inside an <article> a <header> holds the statement's title and date, so
# these are only dropped outside articles.
_CHROME = ("header", "footer")
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
# Words in class/id names that mark boilerplate on government and news sites. Matched
# against whole words of the name ("cookie-notice" -> cookie, notice), so "menuitem" or
# "shared-content" do not match by accident.
_BOILERPLATE_WORDS = frozenset(
    {
        "cookie", "cookies", "consent", "gdpr", "nav", "navbar", "navigation", "menu",
        "megamenu", "breadcrumb", "breadcrumbs", "sidebar", "share", "sharing", "social",
        "related", "newsletter", "subscribe", "subscription", "skip", "skiplink",
        "pagination", "pager", "comments", "advert", "advertisement", "ads", "promo",
        "popup", "modal", "toolbar", "masthead", "tags",
    }
)  # fmt: skip
# Elements that end a line of text; everything else is inline.
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "address", "blockquote",
        "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table",
        "thead", "tbody", "tfoot", "tr", "caption", "figure", "figcaption", "hr", "br", "body",
        "center", "details", "summary", "fieldset", "legend",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
_SKIPPED_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s+::\s+")


def decode_html(filename: str, data: bytes) -> str:
    """Honour a <meta charset> declaration; otherwise detect like a text file."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong declaration is common; fall back to detection
    return decode(filename, data)[0]


def _words(tag: Tag) -> set[str]:
    names = " ".join([*tag.get_attribute_list("class"), tag.get("id") or ""])
    return set(re.split(r"[^a-z]+", names.lower())) - {""}


def _text_length(tag: Tag) -> int:
    return len(" ".join(tag.get_text(" ").split()))


def _link_density(tag: Tag) -> float:
    total = _text_length(tag)
    if not total:
        return 0.0
    return sum(_text_length(a) for a in tag.find_all("a")) / total


def _is_hidden(tag: Tag) -> bool:
    style = (tag.get("style") or "").replace(" ", "").lower()
    return (
        tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _is_boilerplate(tag: Tag, page_length: int) -> bool:
    if tag.name in ("html", "body", "main", "article"):
        return False
    flagged = (
        _is_hidden(tag)
        or tag.get("role") in _CHROME_ROLES
        # ASP.NET sites wrap the whole page in one <form>; only small forms are chrome.
        or tag.name == "form"
        or bool(_words(tag) & _BOILERPLATE_WORDS)
    )
    # Safety net: a wrapper whose class happens to say "share" but holds most of the page
    # is the content, not a share widget.
    return flagged and _text_length(tag) < 0.5 * page_length


def _drop(tags: list[Tag]) -> None:
    for tag in tags:
        if not tag.decomposed:
            tag.decompose()


def _remove_boilerplate(soup: BeautifulSoup) -> None:
    _drop(soup.find_all(_WIDGETS))
    page_length = _text_length(soup)
    _drop([tag for tag in soup.find_all(True) if _is_boilerplate(tag, page_length)])


def _paragraph_text(tag: Tag) -> int:
    return sum(_text_length(p) for p in tag.find_all("p"))


def _content_root(soup: BeautifulSoup) -> Tag:
    """The element that holds the statement: <article>, <main>, or the densest block."""
    body = soup.body or soup
    body_length = _text_length(body) or 1
    paragraphs_total = _paragraph_text(body) or 1
    articles = soup.find_all("article")
    if articles:
        best = max(articles, key=_text_length)
        # A page of teaser cards has many small <article>s; only trust one that holds
        # a real share of the page's text.
        if (
            _paragraph_text(best) >= 0.3 * paragraphs_total
            or _text_length(best) >= 0.5 * body_length
        ):
            return best
    main = soup.find("main") or soup.find(attrs={"role": "main"})
    if isinstance(main, Tag) and _text_length(main) >= 0.3 * body_length:
        return main
    # No semantic markup: the parent of the most paragraph text, as reader modes do.
    scores: dict[int, tuple[int, Tag]] = {}
    for p in body.find_all("p"):
        parent = p.parent
        if isinstance(parent, Tag):
            score = scores.get(id(parent), (0, parent))[0]
            scores[id(parent)] = (score + _text_length(p), parent)
    if scores:
        score, parent = max(scores.values(), key=lambda item: item[0])
        if score >= 0.5 * paragraphs_total:
            return parent
    return body


def _drop_chrome_inside(root: Tag) -> None:
    for tag in root.find_all(_CHROME):
        if tag.decomposed:
            continue
        in_article = root.name == "article" or tag.find_parent("article") is not None
        # An article's own footer of tags and share links is mostly links.
        if not in_article or (tag.name == "footer" and _link_density(tag) > 0.5):
            tag.decompose()
    for tag in root.find_all(["ul", "ol"]):
        # Lists made of links inside the content are "related articles" and the like.
        if not tag.decomposed and len(tag.find_all("li")) >= 3 and _link_density(tag) > 0.8:
            tag.decompose()


def _lines(root: Tag) -> list[str]:
    """Walk the tree and break lines where a browser would."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = normalize("".join(current)).strip()
        if line:
            lines.append(line)
        current.clear()

    def walk(node: Tag, in_pre: bool) -> None:
        for child in node.children:
            if isinstance(child, _SKIPPED_STRINGS):
                continue
            if isinstance(child, NavigableString):
                if in_pre:
                    first, *rest = str(child).split("\n")
                    current.append(first)
                    for piece in rest:
                        flush()
                        current.append(piece)
                else:
                    current.append(_WHITESPACE.sub(" ", str(child)))
            elif isinstance(child, Tag):
                if child.name == "br":
                    flush()
                elif child.name in _CELLS:
                    if "".join(current).strip():
                        current.append(" | ")
                    walk(child, in_pre)
                elif child.name in _BLOCKS:
                    flush()
                    walk(child, in_pre or child.name == "pre")
                    flush()
                else:
                    walk(child, in_pre)

    walk(root, root.name == "pre")
    flush()
    return lines


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _page_title(soup: BeautifulSoup) -> str:
    """og:title, else <title> minus the site name ("Statement | Ministry" -> "Statement")."""
    og = soup.find("meta", attrs={"property": "og:title"})
    if isinstance(og, Tag) and _clean(og.get("content")):
        return _clean(og.get("content"))
    if soup.title is not None and _clean(soup.title.get_text()):
        return max(_TITLE_SEPARATORS.split(_clean(soup.title.get_text())), key=len)
    return ""


def markup_to_result(markup: str, *, format: str, strip_boilerplate: bool) -> ReadResult:
    """Shared by HTML and Markdown; Markdown has no site around it to strip."""
    soup = BeautifulSoup(markup, "lxml")
    page_title = _page_title(soup)
    _drop(soup.find_all(_NEVER_TEXT))
    root: Tag = soup.body or soup
    if strip_boilerplate:
        _remove_boilerplate(soup)
        root = _content_root(soup)
        _drop_chrome_inside(root)
    h1 = root.find("h1")
    title = _clean(h1.get_text(" ")) if isinstance(h1, Tag) else ""
    return ReadResult(text=to_text(_lines(root)), format=format, title=title or page_title)


def read_html(filename: str, data: bytes) -> ReadResult:
    return markup_to_result(decode_html(filename, data), format="html", strip_boilerplate=True)
