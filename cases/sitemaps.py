"""Sitemaps: public pages only, each in English and Spanish.

/sitemap.xml is an index of one sitemap per section (/sitemap-<section>.xml),
each split into pages (?p=2, ...) of at most `limit` URLs.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
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
    languages = [code for code, _name in settings.LANGUAGES]


class ItemLanguages:
    """What an i18n sitemap pages, an (item, language) pair for each item of
    a queryset and each language, counted and sliced by the database: Django
    lists every pair to count them for the index and to cut out a page (the
    index took 1.2 s at 56,000 public cases)."""

    def __init__(self, queryset, languages):
        self.queryset, self.languages = queryset, languages

    def count(self):
        return self.queryset.count() * len(self.languages)

    def __getitem__(self, pairs):
        per_item = len(self.languages)
        first_item, skipped = divmod(pairs.start, per_item)
        items = self.queryset[first_item : -(-pairs.stop // per_item)]
        every = [(item, language) for item in items for language in self.languages]
        return every[skipped : skipped + pairs.stop - pairs.start]


class QuerySetSitemap(PublicSitemap):
    """A section whose items() is a queryset, in the same order every time."""

    @property
    def paginator(self):
        return Paginator(ItemLanguages(self.items(), self.languages), self.limit)


class StaticPagesSitemap(PublicSitemap):
    def items(self):
        return ["home", "case-list", "facility-list", "source-list"]

    def location(self, item):
        return reverse(item)


class CaseSitemap(QuerySetSitemap):
    # No lastmod: updated_at also moves when private fields change.
    def items(self):
        # get_absolute_url() needs the reference alone.
        return Case.objects.public().order_by("reference").only("reference")


class FacilitySitemap(QuerySetSitemap):
    def items(self):
        return Facility.objects.with_public_cases().order_by("slug").only("slug")


sitemaps = {"pages": StaticPagesSitemap, "cases": CaseSitemap, "facilities": FacilitySitemap}
