"""One result per statement: the language versions of a communiqué, grouped on a results page.

An original and its translations (`Communique.translation_of`, see archive.translations) are
separate documents in the index, so one query can match several versions of one statement.
On a page of results the best-ranked version stands for the statement and names the others,
each at its own permalink: those that matched too, and those that exist but did not match.

The versions of every result on a page are read in one query, whatever the page's size.
Only the page is grouped: the engine's total and pages still count documents, so that the
page, the API and the exports agree on what "N matches" means.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language_info

from archive.models import Communique
from search.service import Hit


@dataclass(frozen=True)
class Version:
    """Another language version of a result's statement."""

    public_id: str
    language: str
    is_original: bool
    matched: bool  # also among this page's results

    @property
    def permalink(self) -> str:
        return reverse("archive:communique", args=[self.public_id])

    @property
    def language_name(self) -> str:
        """The language's name in the interface's language ("الإنجليزيّة" for "en" in Arabic)."""
        try:
            return str(get_language_info(self.language)["name_translated"])
        except KeyError:
            return self.language


@dataclass(frozen=True)
class Entry:
    """One line of the results: the best-ranked version of a statement and its others."""

    hit: Hit
    versions: tuple[Version, ...] = ()  # the original first, then by language


@dataclass(frozen=True)
class _Row:
    pk: int
    public_id: str
    language: str
    root: int  # the original's pk: the statement's identity


def _rows(pks: list[int]) -> list[_Row]:
    """Every published version of the statements of `pks`, in two queries.

    A statement is found from any of its versions: its original (a result, or the original of
    a result) and that original's translations. The original itself may be unpublished; its
    published translations are still versions of one another.
    """
    # Two indexed lookups. With the originals as a subquery, or with the status in the
    # WHERE clause, SQLite scanned the whole table through the status index (0.1 s a page
    # at 100,000 communiqués); on ids alone it reads the OR from both indexes, and the
    # status is checked here.
    originals = Communique.objects.filter(pk__in=pks, translation_of__isnull=False)
    roots = {*pks, *originals.values_list("translation_of_id", flat=True)}
    found = (
        Communique.objects.filter(Q(pk__in=roots) | Q(translation_of_id__in=roots))
        .order_by()
        .values_list("pk", "public_id", "language", "translation_of_id", "status")
    )
    published = Communique.Status.PUBLISHED
    rows = [row[:4] for row in found if row[4] == published]
    return [_Row(pk, public_id, language, root or pk) for pk, public_id, language, root in rows]


def group_versions(hits: Sequence[Hit]) -> list[Entry]:
    """The hits in rank order, each statement once, with its other language versions."""
    if not hits:
        return []
    rows = _rows([hit.pk for hit in hits])
    root_of = {row.pk: row.root for row in rows}
    by_root: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        by_root[row.root].append(row)
    on_page = {hit.pk for hit in hits}

    entries: list[Entry] = []
    shown: set[int] = set()
    for hit in hits:
        root = root_of.get(hit.pk)
        if root is None:  # not (or no longer) published: the index has not caught up yet
            entries.append(Entry(hit))
            continue
        if root in shown:  # a lower-ranked version: listed with the statement already shown
            continue
        shown.add(root)
        others = sorted(
            (row for row in by_root[root] if row.pk != hit.pk),
            key=lambda row: (row.pk != root, row.language, row.pk),
        )
        versions = tuple(
            Version(row.public_id, row.language, row.pk == root, row.pk in on_page)
            for row in others
        )
        entries.append(Entry(hit, versions))
    return entries
