"""One statement in several languages: linking versions and aligning their paragraphs.

A communiqué issued in Arabic and later published in English is one original and one
translation (`Communique.translation_of`). Each version is a communiqué of its own, with its
own language, text, structure, search entry and permalink; this module answers:

- `versions(c)`: every published version of c's statement, the original first;
- `link(original, translation)`: record that one translates the other (chains are kept flat:
  a translation of a translation points at the first original);
- `align(left, right)`: pair the paragraphs of two versions for the side-by-side view.

Alignment: versions of one statement usually keep its paragraphs one for one; when they do
not (a heading split off, a paragraph added), paragraphs are paired by a small dynamic
programme in the manner of Gale and Church: a pair costs the difference between the ratio of
their lengths and the ratio of the two whole texts, less a bonus for each number they share
(dates, resolution numbers, figures, compared after Arabic-Indic digits are made ASCII);
leaving a paragraph alone costs a fixed penalty. A pair is shown side by side; a paragraph
without a counterpart is shown on its side only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.db import transaction

from archive.ingest.extract.text import normalize_digits

_NUMBER = re.compile(r"\d+")
_SKIP_COST = 1.2  # a paragraph left without a counterpart
_SHARED_NUMBER_BONUS = 0.4
_MAX_ALIGN = 400  # paragraphs per side beyond which pairs are made by position


def versions(communique) -> list:
    """Published versions of the statement, the original first, then by language."""
    # The original's id, without reading the original through `translation_of`: the first
    # lookup below reads it, if it is published.
    root = communique.translation_of_id or communique.pk
    # Two indexed lookups: one query with "pk = X OR translation_of = X" (and the model's
    # date ordering) made SQLite walk the whole archive, 0.2 s a page at 100,000 records.
    return [*_published().filter(pk=root), *_translations(root)]


def other_versions(communique) -> list:
    """The versions in other languages than this one (what the language switch lists)."""
    if not communique.translation_of_id:
        # An original's other versions are its translations: one lookup, where versions()
        # would also read the original, which a permalink page already holds.
        return _translations(communique.pk)
    return [v for v in versions(communique) if v.pk != communique.pk]


def _published():
    from archive.models import Communique

    return Communique.objects.published().select_related("issuer").order_by()


def _translations(root: int) -> list:
    """The published translations of the original with this id, by language."""
    found = list(_published().filter(translation_of_id=root))
    found.sort(key=lambda c: (c.language, c.pk))
    return found


def link(original, translation) -> None:
    """Record `translation` as a version of `original`'s statement."""
    if original.pk == translation.pk:
        raise ValueError("A communiqué cannot be a translation of itself.")
    root = original.original_version
    if root.pk == translation.pk:
        raise ValueError("That would make the original a translation of its translation.")
    with transaction.atomic():
        # The translation's own translations move with it, to the same original.
        type(translation).objects.filter(translation_of=translation).update(translation_of=root)
        translation.translation_of = root
        translation.save(update_fields=["translation_of", "updated_at"])


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side view: a paragraph of each side, or of one side only."""

    left: object | None
    right: object | None

    @property
    def aligned(self) -> bool:
        return self.left is not None and self.right is not None


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(normalize_digits(text)))


def align(left: list, right: list) -> list[Row]:
    """Pair two lists of paragraphs (objects with `.text`), keeping both orders."""
    if len(left) == len(right) or not left or not right or max(len(left), len(right)) > _MAX_ALIGN:
        rows = [Row(a, b) for a, b in zip(left, right, strict=False)]
        longer = left if len(left) > len(right) else right
        extra = longer[len(rows) :]
        side = (lambda p: Row(p, None)) if longer is left else (lambda p: Row(None, p))
        return rows + [side(p) for p in extra]

    lengths_a = [max(len(p.text), 1) for p in left]
    lengths_b = [max(len(p.text), 1) for p in right]
    ratio = math.log(sum(lengths_a) / sum(lengths_b))
    numbers_a = [_numbers(p.text) for p in left]
    numbers_b = [_numbers(p.text) for p in right]

    def pair_cost(i: int, j: int) -> float:
        shape = abs(math.log(lengths_a[i] / lengths_b[j]) - ratio)
        return shape - _SHARED_NUMBER_BONUS * len(numbers_a[i] & numbers_b[j])

    n, m = len(left), len(right)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    step = [[""] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if here == inf:
                continue
            moves = []
            if i < n and j < m:
                moves.append((i + 1, j + 1, here + pair_cost(i, j), "pair"))
            if i < n:
                moves.append((i + 1, j, here + _SKIP_COST, "left"))
            if j < m:
                moves.append((i, j + 1, here + _SKIP_COST, "right"))
            for a, b, value, kind in moves:
                if value < cost[a][b]:
                    cost[a][b], step[a][b] = value, kind
    rows: list[Row] = []
    i, j = n, m
    while i or j:
        kind = step[i][j]
        if kind == "pair":
            i, j = i - 1, j - 1
            rows.append(Row(left[i], right[j]))
        elif kind == "left":
            i -= 1
            rows.append(Row(left[i], None))
        else:
            j -= 1
            rows.append(Row(None, right[j]))
    rows.reverse()
    return rows
