"""sitemap.xml: public pages only, each in English and Spanish."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from cases.models import Case, Facility


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(PublicSitemap):
    def items(self):
        return ["home", "case-list", "facility-list", "source-list"]

    def location(self, item):
        return reverse(item)


class CaseSitemap(PublicSitemap):
    # No lastmod: updated_at also moves when private fields change.
    def items(self):
        return Case.objects.public().order_by("reference")


class FacilitySitemap(PublicSitemap):
    def items(self):
        return Facility.objects.with_public_cases().order_by("slug")


sitemaps = {"pages": StaticPagesSitemap, "cases": CaseSitemap, "facilities": FacilitySitemap}
