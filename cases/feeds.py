"""Atom feeds of public status changes, so people can follow cases without an account."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from cases.models import Case, StatusUpdate

FEED_LENGTH = 50


class StatusFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("casetracker: latest status changes")

    def subtitle(self):
        return _("Public status changes of detained military defectors' cases.")

    def link(self):
        return reverse("case-list")

    def items(self):
        return self.updates(StatusUpdate.objects.public())

    def updates(self, queryset):
        # Newest recorded first: what a reader has not seen yet, even when back-dated.
        return queryset.with_person("case__person").order_by("-recorded_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.case.reference} {item.case.subject_name}: {item.get_status_display()}"

    def item_description(self, item):
        # Atom marks the summary as HTML: escape the advocates' plain text.
        parts = [_("Since %(date)s.") % {"date": item.effective_display}, item.note]
        if item.is_disputed:
            parts.append(_("Disputed: %(note)s") % {"note": item.dispute_note})
        return escape(" ".join(part for part in parts if part))

    def item_link(self, item):
        return f"{item.case.get_absolute_url()}#status-{item.pk}"

    def item_pubdate(self, item):
        return item.recorded_at

    def item_updateddate(self, item):
        return item.recorded_at


class CaseStatusFeed(StatusFeed):
    def get_object(self, request, reference):
        return get_object_or_404(Case.objects.public().with_person("person"), reference=reference)

    def title(self, obj):
        return _("%(reference)s %(name)s: status changes") % {
            "reference": obj.reference,
            "name": obj.subject_name,
        }

    def subtitle(self, obj):
        return _("Public status changes of case %(reference)s.") % {"reference": obj.reference}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self.updates(StatusUpdate.objects.public().filter(case=obj))
