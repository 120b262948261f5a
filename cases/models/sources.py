"""Places and published reports, referenced by cases and their facts."""

from django.db import models
from django.db.models import Exists, F, Min, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from audit.models import audit_history
from cases.dates import format_approximate_date, precision_field


class FacilityQuerySet(models.QuerySet):
    def with_public_cases(self):
        """Facilities where a public case is or was held.

        A facility known only through unpublished cases stays off public
        pages: even its name could tell that someone is held there.
        """
        from cases.models.facts import Custody

        return self.filter(pk__in=Custody.objects.public().values("facility"))

    def countries_with_public_cases(self):
        """Codes of the countries where a public case is or was held.

        Asked once per country, through one facility standing for it: a few
        hundred short lookups at most, where with_public_cases() joins every
        public custody row (200 ms at 100,000 cases). The test stays in the
        SELECT list: in WHERE, PostgreSQL turns it into that same join.
        """
        from cases.models.facts import Custody

        one_per_country = self.order_by().values("country").annotate(first=Min("pk")).values("first")
        held = Custody.objects.public().filter(facility__country=OuterRef("country"))
        rows = (
            self.filter(pk__in=one_per_country)
            .order_by()
            .annotate(held=Exists(held))
            .values_list("country", "held")
        )
        return [code for code, is_held in rows if is_held]


class Facility(models.Model):
    class Kind(models.TextChoices):
        IMMIGRATION_DETENTION = "immigration_detention", _("Immigration detention")
        PRISON = "prison", _("Prison")
        JAIL = "jail", _("Jail")
        MILITARY_PRISON = "military_prison", _("Military prison")
        POLICE_STATION = "police_station", _("Police station")
        DIPLOMATIC_MISSION = "diplomatic_mission", _("Diplomatic mission / shelter")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("Used in public URLs."))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind, default=Kind.OTHER)
    operator = models.CharField(
        _("operator"), max_length=200, blank=True, help_text=_("Who runs it, e.g. a contractor.")
    )
    authority = models.CharField(
        _("authority"),
        max_length=200,
        blank=True,
        help_text=_("Who holds people there, e.g. ICE, Migración Colombia."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("State, department or province.")
    )
    country = CountryField(_("country"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Shown publicly: no confidential details."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FacilityQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="cases_facility_slug_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="cases_facility_name_required"),
            models.CheckConstraint(condition=~Q(slug=""), name="cases_facility_slug_required"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                # Explicit NOT NULLs: a CHECK passes when it evaluates to NULL.
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="cases_facility_coordinates_valid",
                violation_error_message=_(
                    "Give both latitude (-90 to 90) and longitude (-180 to 180), or neither."
                ),
            ),
        ]

    def __str__(self):
        place = ", ".join(part for part in (self.city, self.region, self.country.code) if part)
        return f"{self.name} ({place})" if place else self.name

    def get_absolute_url(self):
        return reverse("facility-detail", kwargs={"slug": self.slug})


class SourceArticleQuerySet(models.QuerySet):
    def cited_publicly(self):
        """Articles cited by a public case's facts or by a public account.

        Asked per article (EXISTS), not as `pk IN (the sources of every public
        fact)`: that list also held a row for every fact citing nothing (an
        outer join), and at 100,000 cases PostgreSQL no longer hashed it but
        ran it again for each article, for minutes; this form takes 0.5 s.
        """
        from cases.models.facts import Account, Custody, LegalEvent, StatusUpdate

        return self.filter(
            Q(Exists(StatusUpdate.objects.public().filter(sources=OuterRef("pk"))))
            | Q(Exists(Custody.objects.public().filter(sources=OuterRef("pk"))))
            | Q(Exists(LegalEvent.objects.public().filter(sources=OuterRef("pk"))))
            | Q(Exists(Account.objects.public().filter(article=OuterRef("pk"))))
        )


class SourceArticle(models.Model):
    class Relation(models.TextChoices):
        TRANSLATION_OF = "translation_of", _("Translation of")
        REPORTS_ON = "reports_on", _("Reports on")
        REPUBLICATION_OF = "republication_of", _("Republication of")

    title = models.CharField(_("title"), max_length=300)
    outlet = models.CharField(_("outlet"), max_length=200)
    author = models.CharField(_("author"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_on_precision = precision_field(_("published on precision"))
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("ISO 639-1 code, e.g. en, es.")
    )
    excerpt = models.TextField(_("excerpt"), blank=True, help_text=_("Shown publicly."))
    related_article = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived_articles",
        verbose_name=_("related article"),
        help_text=_("The article this one translates, republishes or reports on."),
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SourceArticleQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["-published_on", "title", "pk"]
        verbose_name = _("source article")
        verbose_name_plural = _("source articles")
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="cases_sourcearticle_url_unique"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="cases_sourcearticle_title_required"),
            models.CheckConstraint(condition=~Q(outlet=""), name="cases_sourcearticle_outlet_required"),
            models.CheckConstraint(
                condition=Q(related_article__isnull=True, relation="")
                | Q(related_article__isnull=False) & ~Q(relation=""),
                name="cases_sourcearticle_relation_with_article",
                violation_error_message=_(
                    "A related article needs a relation, and a relation needs an article."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(related_article=F("pk")), name="cases_sourcearticle_not_related_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.title}"

    @property
    def published_display(self):
        return format_approximate_date(self.published_on, self.published_on_precision)
