"""What the search engine knows about a published communiqué.

Three kinds of fields:
- full text: `text` (everything a reader might search for) and the fields behind the query
  prefixes issuer:, participant:, place:, addressee:, title: (search.query.PREFIXES);
- facet keys, one exact multi-valued field per facet of search.facets.FACETS, plus `month`
  for the timeline: FacetMultiValueField, which every engine stores verbatim (Elasticsearch
  and Solr as keyword/string, Whoosh as a comma-separated KEYWORD, see search.backend);
- stored values the result list shows without touching the database, and a fingerprint of
  the whole document that `index_drift` compares to detect stale entries.
"""

from __future__ import annotations

import hashlib
import json

from haystack import fields as haystack_fields
from haystack import indexes

from archive.models import Communique
from archive.models.communique import listed
from search.analysis import language_tag
from search.facets import FACETS, MONTH_FIELD, month_key

SUMMARY_CHARS = 300


def _join(parts) -> str:
    return "\n".join(p for p in parts if p)


def _org_names(org) -> list[str]:
    return [org.name, org.acronym] if org is not None else []


class BaseCommuniqueIndex(indexes.SearchIndex):
    # Not stored: `body` is what highlights and "more like this" read back.
    text = indexes.CharField(document=True, stored=False)
    title = indexes.CharField(model_attr="title")
    issuer_text = indexes.CharField()
    participant_text = indexes.CharField()
    place_text = indexes.CharField()
    addressee_text = indexes.CharField()
    date = indexes.DateField(model_attr="date", null=True)
    public_id = indexes.CharField(model_attr="public_id", indexed=False)
    issuer_name = indexes.CharField(indexed=False)
    lang = indexes.CharField(model_attr="language", indexed=False)
    summary = indexes.CharField(indexed=False)
    body = indexes.CharField(indexed=False)
    fingerprint = indexes.CharField(indexed=False)

    def get_model(self):
        return Communique

    def index_queryset(self, using=None):
        return Communique.objects.published().for_index()

    def read_queryset(self, using=None):
        return Communique.objects.published().select_related("issuer")

    def prepare_text(self, c: Communique) -> str:
        participants = [
            part
            for p in listed(c, "participations")
            for part in (p.person.name, p.role, p.rank, *_org_names(p.organization))
        ]
        paragraphs = [p.text for p in listed(c, "paragraphs")]
        addressees = [a.name for d in listed(c, "demands") for a in listed(d, "addressees")]
        # The language tag lets the analyzer stem by the document's language (search.analysis).
        return language_tag(c.language) + _join(
            [
                c.title,
                *_org_names(c.issuer),
                c.issuer_body,
                *paragraphs,
                *participants,
                *_demands_apart(listed(c, "demands"), paragraphs),
                *addressees,
                *self._place_names(c),
                *(str(r) for r in listed(c, "resolutions")),
            ]
        )

    def prepare_issuer_text(self, c: Communique) -> str:
        return _join([*_org_names(c.issuer), c.issuer_body])

    def prepare_participant_text(self, c: Communique) -> str:
        return _join(p.person.name for p in listed(c, "participations"))

    def prepare_place_text(self, c: Communique) -> str:
        return _join(self._place_names(c))

    def prepare_addressee_text(self, c: Communique) -> str:
        return _join(
            name
            for d in listed(c, "demands")
            for a in listed(d, "addressees")
            for name in _org_names(a)
        )

    def prepare_issuer_name(self, c: Communique) -> str:
        return c.issuer.name if c.issuer else ""

    def prepare_body(self, c: Communique) -> str:
        return "\n\n".join([c.title, *(p.text for p in listed(c, "paragraphs"))])

    def prepare_summary(self, c: Communique) -> str:
        body = " ".join(p.text for p in listed(c, "paragraphs"))
        return body[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…" if len(body) > SUMMARY_CHARS else body

    def prepare(self, c: Communique) -> dict:
        data = super().prepare(c)
        for facet in FACETS:
            data[facet.name] = facet.keys(c)
        data[MONTH_FIELD] = month_key(c)
        data["fingerprint"] = fingerprint(data)
        return data

    @staticmethod
    def _place_names(c: Communique) -> list[str]:
        places = [*listed(c, "places"), c.meeting_place]
        return [p.name for p in places if p is not None]


def _demands_apart(demands, paragraphs: list[str]) -> list[str]:
    """The demands' sentences that no paragraph holds. A demand is a sentence of its paragraph
    (archive.ingest), and indexed again it counted its words twice in every score; one typed
    in by hand, or whose paragraph was corrected since, is still found."""
    body = "\n".join(paragraphs)
    return [d.text for d in demands if d.text not in body]


def fingerprint(data: dict) -> str:
    """A digest of everything indexed: equal digests mean the index entry is current."""
    skip = {"id", "django_ct", "django_id", "fingerprint"}
    content = {k: v for k, v in data.items() if k not in skip}
    raw = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


# The facet fields come from the one declaration in search.facets, so that a facet declared
# there is indexed without a second list to keep in step.
_facet_fields = {
    name: haystack_fields.FacetMultiValueField(stored=False, null=True)
    for name in [*(f.name for f in FACETS), MONTH_FIELD]
}

CommuniqueIndex = indexes.DeclarativeMetaclass(
    "CommuniqueIndex",
    (BaseCommuniqueIndex, indexes.Indexable),
    {"__module__": __name__, "__doc__": "The published communiqués.", **_facet_fields},
)
