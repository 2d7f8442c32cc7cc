"""The public site: pages, permalinks, feeds, sitemap and the JSON API.

The URL shapes are contracts: a permalink /c/<id>/ is printed in citations and never changes.
"""

from django.contrib.sitemaps.views import index, sitemap
from django.urls import include, path, re_path, register_converter

from archive import feeds, stats
from archive.sitemaps import SITEMAPS
from archive.views import api, browse, cite, communique, entities, home, meta

app_name = "archive"


class KindConverter:
    """people | organizations | places | resolutions: the entity kinds the site names."""

    regex = "|".join(stats.KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "kind")


class YearConverter:
    """1 to 9999, the years a date can have: /browse/0/ or /browse/10000/ is a 404 like any
    address of no page, where <int:year> let them reach the query (a 500)."""

    regex = "[1-9][0-9]{0,3}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(YearConverter, "year")

urlpatterns = [
    path("", home.home, name="home"),
    # Permalinks
    path("c/<str:public_id>/", communique.communique, name="communique"),
    path("c/<str:public_id>/r/<int:number>/", communique.revision, name="revision"),
    path("c/<str:public_id>/original/", communique.original, name="original"),
    re_path(r"^c/(?P<public_id>[^/]+)/cite\.(?P<ext>bib|ris|json)$", cite.cite, name="cite"),
    path("c/<str:public_id>/<str:slug>/", communique.communique_slug, name="communique-slug"),
    # Browsing
    path("browse/", browse.years, name="browse"),
    path("browse/<year:year>/", browse.year, name="browse-year"),
    path("browse/<year:year>/<int:month>/", browse.month, name="browse-month"),
    path("issuers/", entities.issuers, name="issuers"),
    path("<kind:kind>/", entities.entity_list, name="entity-list"),
    path("people/<str:slug>/", entities.entity, {"kind": "people"}, name="person"),
    path(
        "organizations/<str:slug>/",
        entities.entity,
        {"kind": "organizations"},
        name="organization",
    ),
    path("places/<str:slug>/", entities.entity, {"kind": "places"}, name="place"),
    path("resolutions/<str:slug>/", entities.entity, {"kind": "resolutions"}, name="resolution"),
    # Feeds
    path("feeds/latest.atom", feeds.LatestFeed(), name="feed-latest"),
    path("feeds/search.atom", feeds.SearchFeed(), name="feed-search"),
    path("feeds/issuer/<str:slug>.atom", feeds.IssuerFeed(), name="feed-issuer"),
    path("feeds/<kind:kind>/<str:slug>.atom", feeds.EntityFeed(), name="feed-entity"),
    # An index of the sections' sitemaps and of their pages (archive.sitemaps).
    path(
        "sitemap.xml",
        index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "archive:sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", meta.robots_txt, name="robots"),
    path("opensearch.xml", meta.opensearch, name="opensearch"),
    # JSON API
    path("api/openapi.json", api.openapi, name="api-openapi"),
    path("api/communiques/", api.communiques, name="api-communiques"),
    path("api/communiques/<str:public_id>/", api.communique, name="api-communique"),
    path("api/<kind:kind>/", api.entities, name="api-entities"),
    path("api/<kind:kind>/<str:slug>/", api.entity, name="api-entity"),
    # Research views: demand tracker, compare, timelines (archive.research)
    path("", include("archive.research.urls")),
]
