"""Shared pieces: the publication rule, status codes, disputable and sourced facts."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casetracker.prepared import PreparedRows
from people.fields import encrypted_field_names
from people.permissions import can_view_unpublished


def public_case_q(prefix=""):
    """THE rule for what the public may see of a case, usable through a relation.

    A case is public only when an advocate marked it public AND its person
    consents to publication. A group case with no named person has no one to
    identify, so is_public alone decides. The person's consent is read from
    the case's copy of it (Case.person_consents, kept by the database), so the
    rule needs no join to people.
    """
    return Q(**{f"{prefix}is_public": True}) & (
        Q(**{f"{prefix}person__isnull": True}) | Q(**{f"{prefix}person_consents": True})
    )


class PublishableQuerySet(models.QuerySet):
    """Cases and what belongs to them. Subclasses define public(), which
    depends on the data alone (not on the moment or the request: visible_to()
    keeps what it builds); who sees more than that is people.permissions'
    decision, asked here alone."""

    def visible_to(self, user):
        """A new queryset of what `user` may see of this one. Its public part is
        built once per queryset (the rule does not change): a queryset built
        once and kept, as a view's, spares every request the rule's filter."""
        return self._visible_part(user)._chain()

    def get_visible(self, user, **lookup):
        """`visible_to(user).get(<field>=value)` for one field, on a queryset
        of named rows, its SQL compiled once for each part (public or all)
        and database (PreparedRows): for the lookups partner systems poll."""
        ((field_name, value),) = lookup.items()
        part = self._visible_part(user)
        prepared = part.__dict__.setdefault("_prepared_gets", {})
        if field_name not in prepared:
            prepared[field_name] = PreparedRows(
                # Like get(): two rows at most, enough to tell one from several.
                lambda value: part.filter(**{field_name: value})[:2],
                self.model._meta.get_field(field_name),
            )
        return prepared[field_name].get(value, using=part.db)

    def _visible_part(self, user):
        """This queryset, or its public part: kept, never run (a run would
        keep its rows), only chained or prepared."""
        if can_view_unpublished(user):
            return self
        if "_public_part" not in self.__dict__:
            self._public_part = self.public()
        return self._public_part

    def with_person(self, path):
        """The person at `path` in the same query, without their encrypted
        fields: lists and pages show a name, and every encrypted value costs a
        decryption (17 microseconds) whether shown or not. They load when read."""
        from people.models import Person

        return self.select_related(path).defer(*(f"{path}__{name}" for name in encrypted_field_names(Person)))


class CaseRowQuerySet(PublishableQuerySet):
    """Rows that belong to one case (its facts, its change log): public exactly
    when their case is. The rule is applied through the join to the case, not
    as `case IN (every public case)`, which SQLite builds in full for every
    query (19 ms against 0.2 ms for a page of the change feed)."""

    def public(self):
        return self.filter(public_case_q("case__"))


class Status(models.TextChoices):
    DETAINED = "detained", _("Detained")
    SHELTERED = "sheltered", _("Sheltered")
    RELEASED = "released", _("Released")
    PROTECTED = "protected", _("Protected (asylum or refugee status granted)")
    DEPORTED = "deported", _("Deported")
    MISSING = "missing", _("Missing")
    DECEASED = "deceased", _("Deceased")
    UNKNOWN = "unknown", _("Unknown")


class Disputable(models.Model):
    is_disputed = models.BooleanField(
        _("disputed"),
        default=False,
        help_text=_("Sources disagree or the fact is doubtful; shown publicly as disputed."),
    )
    dispute_note = models.TextField(
        _("dispute note"),
        blank=True,
        help_text=_("What is in doubt and why. Shown publicly with the fact."),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(is_disputed=False) | ~Q(dispute_note=""),
                name="%(app_label)s_%(class)s_dispute_explained",
                violation_error_message=_("Say what is disputed in the dispute note."),
            )
        ]


class SourcedFact(Disputable):
    sources = models.ManyToManyField(
        "cases.SourceArticle",
        blank=True,
        related_name="cited_in_%(class)s",
        verbose_name=_("sources"),
        help_text=_("Published reports that back this fact."),
    )

    class Meta(Disputable.Meta):
        abstract = True
