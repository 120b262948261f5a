"""Sitemaps: public pages only, each in English and Spanish.

/sitemap.xml is an index of one sitemap per section (/sitemap-<section>.xml),
each split into pages (?p=2, ...) of at most `limit` URLs.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from cases.models import Case, Facility


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    # With i18n Django paginates (item, language) pairs, so this counts <url>
    # entries: 5,000 cases in two languages per page, a fifth of the protocol's
    # 50,000 cap (a page of 10,000 is about 3.5 MB).
    limit = 10_000


class StaticPagesSitemap(PublicSitemap):
    def items(self):
        return ["home", "case-list", "facility-list", "source-list"]

    def location(self, item):
        return reverse(item)


class CaseSitemap(PublicSitemap):
    # No lastmod: updated_at also moves when private fields change.
    def items(self):
        # Every page (and the index, to count pages) loads the whole list:
        # get_absolute_url() needs the reference alone.
        return Case.objects.public().order_by("reference").only("reference")


class FacilitySitemap(PublicSitemap):
    def items(self):
        return Facility.objects.with_public_cases().order_by("slug").only("slug")


sitemaps = {"pages": StaticPagesSitemap, "cases": CaseSitemap, "facilities": FacilitySitemap}
