"""The sitemap: /sitemap.xml is an index of sections, /sitemap-<section>.xml, each paged
(?p=2, ...) at PAGE_URLS addresses.

One sitemap of every address broke at archive scale: at 100,000 communiqués it held 57,000
addresses in 7.5 MB, over the protocol's 50,000 a file, and took 62 s to draw, longer than
gunicorn's timeout, so no crawler would ever have received it (measured).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from archive import stats
from archive.models import Communique

# Addresses a page of a section: a page of permalinks is drawn in 0.9 s at 100,000
# communiqués, most of it in Django's template (docs/benchmarks.md, session 21).
PAGE_URLS = 5_000


class CommuniqueSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = PAGE_URLS

    def items(self):
        return Communique.objects.published().order_by("pk").only("public_id", "updated_at")

    def lastmod(self, item: Communique):
        return item.updated_at

    def get_latest_lastmod(self):
        # The index's date for this section. Django's own reads every communiqué for it.
        return Communique.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class EntitySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    limit = PAGE_URLS

    def items(self):
        return [entity for kind in stats.KINDS.values() for entity in stats.named(kind)]


class StaticSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["archive:home", "archive:browse", "archive:issuers"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": StaticSitemap, "communiques": CommuniqueSitemap, "entities": EntitySitemap}
