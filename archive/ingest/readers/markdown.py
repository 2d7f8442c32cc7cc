"""Markdown files: rendered to HTML, then read like a page without site chrome."""

from __future__ import annotations

import re

import markdown as markdown_lib

from archive.ingest.readers.html import markup_to_result
from archive.ingest.readers.result import ReadResult
from archive.ingest.readers.text import decode

# A YAML front-matter block ("---\ntitle: ...\n---") as static site generators write it.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*\n", re.DOTALL)
_TITLE_KEY = re.compile(r"^title:[ \t]*(.+?)[ \t]*$", re.MULTILINE | re.IGNORECASE)


def _split_front_matter(text: str) -> tuple[str, str]:
    """Return (title from front matter or "", text without the front matter)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return "", text
    title = _TITLE_KEY.search(match.group(1))
    return (title.group(1).strip("\"'") if title else ""), text[match.end() :]


def read_markdown(filename: str, data: bytes) -> ReadResult:
    text, _ = decode(filename, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title, body = _split_front_matter(text)
    markup = markdown_lib.markdown(body, extensions=["extra", "sane_lists"])
    # There is no site around a Markdown file, so every paragraph is kept; raw <script>
    # or <style> passed through by Markdown is still dropped by the HTML path.
    result = markup_to_result(markup, format="markdown", strip_boilerplate=False)
    if title:
        result.title = title
    return result
