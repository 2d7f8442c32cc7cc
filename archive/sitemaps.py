"""sitemap.xml: every published permalink, and the pages that lead to them."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from archive import stats
from archive.models import Communique


class CommuniqueSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Communique.objects.published().order_by("pk").only("public_id", "updated_at")

    def lastmod(self, item: Communique):
        return item.updated_at


class EntitySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return [
            entity for kind in stats.KINDS.values() for entity in stats.with_published_count(kind)
        ]


class StaticSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["archive:home", "archive:browse", "archive:issuers"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": StaticSitemap, "communiques": CommuniqueSitemap, "entities": EntitySitemap}
