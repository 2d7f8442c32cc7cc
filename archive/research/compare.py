"""Two communiqués side by side: participants, demands, addressees and the text.

The text diff aligns paragraphs with difflib (a paragraph kept, dropped, added or changed),
then compares the words inside each changed pair. Everything is returned as plain strings
with an operation; the template escapes them and wraps them in <ins>/<del>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from archive.models import Communique
from archive.research.demands import similarity

SAME_DEMAND = 0.6  # similarity at which two demands count as the same call
PAIR_PARAGRAPHS = 0.3  # word overlap below which two paragraphs are not "the same, changed"

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
_WORDS = re.compile(r"\w+")
MAX_PAIRINGS = 40_000


def previous_from_issuer(communique: Communique) -> Communique | None:
    """The issuer's published communiqué just before this one (by date, then by id).

    Other-language versions of the same statement (same issuer, same date) are not "previous".
    """
    return next(filter(None, (step.first() for step in _steps_back(communique))), None)


def has_previous_from_issuer(communique: Communique) -> bool:
    """Whether previous_from_issuer() finds one: all a communiqué's page needs for its
    "compare with the previous one" button, without reading that record: 1.3–1.6 ms of a
    page drawn rather than 2.5–3.2 (measured at 100,000 communiqués)."""
    return any(step.exists() for step in _steps_back(communique))


def _steps_back(communique: Communique):
    """Where the previous one may be, nearest first, each ordered so that its first row is it."""
    if not communique.issuer_id:
        return
    # Two steps along the issuer's date index, each stopping at its first row. As one query
    # (an OR of the two), SQLite sorted all of an issuer's communiqués: 0.2 s for a large
    # issuer at 100,000 communiqués.
    issuer = Communique.objects.published().filter(issuer_id=communique.issuer_id)
    if not communique.date:
        yield issuer.filter(date__isnull=True, pk__lt=communique.pk).order_by("-pk")
        return
    same_day = issuer.filter(
        date=communique.date, pk__lt=communique.pk, language=communique.language
    )
    yield same_day.order_by("-pk")
    yield issuer.filter(date__lt=communique.date).order_by("-date", "-pk")


def word_diff(a: str, b: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(left, right): runs of ("equal" | "del" | "ins", text)."""
    ta, tb = _TOKENS.findall(a), _TOKENS.findall(b)
    left: list[tuple[str, str]] = []
    right: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if op == "equal":
            _push(left, "equal", "".join(ta[i1:i2]))
            _push(right, "equal", "".join(tb[j1:j2]))
            continue
        if i2 > i1:
            _push(left, "del", "".join(ta[i1:i2]))
        if j2 > j1:
            _push(right, "ins", "".join(tb[j1:j2]))
    return left, right


def _push(runs: list[tuple[str, str]], op: str, text: str) -> None:
    if runs and runs[-1][0] == op:
        runs[-1] = (op, runs[-1][1] + text)
    else:
        runs.append((op, text))


@dataclass
class Row:
    op: str  # "equal" | "changed" | "removed" | "added"
    left_number: int | None
    right_number: int | None
    left: list[tuple[str, str]] = field(default_factory=list)
    right: list[tuple[str, str]] = field(default_factory=list)


def paragraph_diff(a: list[str], b: list[str]) -> list[Row]:
    rows: list[Row] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                rows.append(Row("equal", i + 1, j + 1, [("equal", a[i])], [("equal", b[j])]))
            continue
        for i, j in _align(a, b, range(i1, i2), range(j1, j2)):
            if i is not None and j is not None:
                left, right = word_diff(a[i], b[j])
                rows.append(Row("changed", i + 1, j + 1, left, right))
            elif i is not None:
                rows.append(Row("removed", i + 1, None, [("del", a[i])], []))
            else:
                rows.append(Row("added", None, j + 1, [], [("ins", b[j])]))
    return rows


def _jaccard(x: str, y: str) -> float:
    tx, ty = set(_WORDS.findall(x.casefold())), set(_WORDS.findall(y.casefold()))
    return len(tx & ty) / len(tx | ty) if tx | ty else 1.0


def _align(a: list[str], b: list[str], olds: range, news: range):
    """Pairs (i, j), (i, None) or (None, j) in reading order: the order-preserving pairing of
    a replaced block's paragraphs that maximizes word overlap (pairs below the threshold are
    not paired: they show as one removed, one added)."""
    olds, news = list(olds), list(news)
    if len(olds) * len(news) > MAX_PAIRINGS:  # a rewrite, not an edit: no pairing
        yield from ((i, None) for i in olds)
        yield from ((None, j) for j in news)
        return
    score = {
        (x, y): _jaccard(a[olds[x]], b[news[y]]) for x in range(len(olds)) for y in range(len(news))
    }
    n, m = len(olds), len(news)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for x in range(n - 1, -1, -1):
        for y in range(m - 1, -1, -1):
            pair = score[x, y] + best[x + 1][y + 1] if score[x, y] >= PAIR_PARAGRAPHS else -1
            best[x][y] = max(pair, best[x + 1][y], best[x][y + 1])
    x = y = 0
    while x < n or y < m:
        paired = x < n and y < m and score[x, y] >= PAIR_PARAGRAPHS
        if paired and best[x][y] == score[x, y] + best[x + 1][y + 1]:
            yield olds[x], news[y]
            x, y = x + 1, y + 1
            continue
        if y >= m or (x < n and best[x][y] == best[x + 1][y]):
            yield olds[x], None
            x += 1
        else:
            yield None, news[y]
            y += 1


def _split(left: dict, right: dict) -> dict:
    shared = [k for k in left if k in right]
    return {
        "shared": [(left[k], right[k]) for k in shared],
        "only_left": [v for k, v in left.items() if k not in right],
        "only_right": [v for k, v in right.items() if k not in left],
    }


def _participants(c: Communique) -> dict:
    found: dict = {}
    for part in c.participations.all():
        found.setdefault(part.person_id, part)
    return found


def _addressees(c: Communique) -> dict:
    return {a.pk: a for d in c.demands.all() for a in d.addressees.all()}


def demand_pairs(a: Communique, b: Communique) -> dict:
    """Demands of A and B matched by wording (greedy, best similarity first)."""
    left, right = list(a.demands.all()), list(b.demands.all())
    scored = sorted(
        (
            (similarity(x.text, y.text), i, j)
            for i, x in enumerate(left)
            for j, y in enumerate(right)
        ),
        reverse=True,
    )
    used_l, used_r, shared = set(), set(), []
    for score, i, j in scored:
        if score < SAME_DEMAND:
            break
        if i in used_l or j in used_r:
            continue
        used_l.add(i)
        used_r.add(j)
        shared.append({"left": left[i], "right": right[j], "similarity": score})
    shared.sort(key=lambda s: s["left"].position)
    return {
        "shared": shared,
        "only_left": [d for i, d in enumerate(left) if i not in used_l],
        "only_right": [d for j, d in enumerate(right) if j not in used_r],
    }


def compare(a: Communique, b: Communique) -> dict:
    """Everything the compare page shows; a and b come with_structure()."""
    rows = paragraph_diff(
        [p.text for p in a.paragraphs.all()], [p.text for p in b.paragraphs.all()]
    )
    return {
        "participants": _split(_participants(a), _participants(b)),
        "addressees": _split(_addressees(a), _addressees(b)),
        "demands": demand_pairs(a, b),
        "rows": rows,
        "changes": {
            op: sum(1 for r in rows if r.op == op)
            for op in ("equal", "changed", "removed", "added")
        },
    }
