"""Mark the sentence of each demand inside its paragraph, escaping everything else."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _find(text: str, sentence: str) -> tuple[int, int] | None:
    """Where `sentence` occurs in `text`, ignoring case and runs of whitespace."""
    sentence = sentence.strip()
    if not sentence:
        return None
    start = text.find(sentence)
    if start >= 0:
        return start, start + len(sentence)
    # Extracted sentences may differ from the stored text in spacing or case only.
    pattern = r"\s+".join(re.escape(word) for word in sentence.split())
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return match.span() if match else None


def highlight(text: str, marks: Iterable[tuple[str, str]]) -> SafeString:
    """`text` as HTML with each (mark_id, sentence) wrapped in <mark id="...">.

    A sentence that is not found, or that overlaps one already marked, is left unmarked:
    the demand is still listed beside the text, so nothing is lost.
    """
    spans: list[tuple[int, int, str]] = []
    for mark_id, sentence in marks:
        found = _find(text, sentence)
        if found and all(found[1] <= s or found[0] >= e for s, e, _ in spans):
            spans.append((*found, mark_id))
    out, cursor = [], 0
    for start, end, mark_id in sorted(spans):
        out.append(escape(text[cursor:start]))
        out.append(f'<mark id="{escape(mark_id)}">{escape(text[start:end])}</mark>')
        cursor = end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))


def demand_marks(demands: Iterable[tuple[int | None, str]]) -> dict[int, list[tuple[str, str]]]:
    """{paragraph number: [("d1", sentence), ...]} from (paragraph, sentence) pairs.

    Demand n (1-based, in the record's order) is anchored at #d<n>.
    """
    marks: dict[int, list[tuple[str, str]]] = {}
    for n, (paragraph, sentence) in enumerate(demands, start=1):
        if paragraph:
            marks.setdefault(paragraph, []).append((f"d{n}", sentence))
    return marks
