"""Public, read-only pages.

Every row shown here comes through the models' public() QuerySet methods; no
view decides on its own what the public may see.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django_countries import countries

from cases.dates import period_end
from cases.filters import PublicCaseFilter
from cases.models import (
    Account,
    Case,
    Custody,
    Facility,
    LegalEvent,
    SourceArticle,
    Status,
    StatusUpdate,
)

CASES_PER_PAGE = 25
SOURCES_PER_PAGE = 50
FACILITIES_PER_PAGE = 50
LATEST_CHANGES = 8


def _first_of_next_month(day):
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def detained_by_month(updates, today):
    """[(first day of month, cases detained at the month's end)] up to this month.

    `updates` are (case_id, status, effective_on) in the order that makes the
    last one per case its current status.
    """
    updates = list(updates)
    if not updates:
        return []
    status_of, detained, position, series = {}, 0, 0, []
    month, last_month = updates[0][2].replace(day=1), today.replace(day=1)
    while month <= last_month:
        next_month = _first_of_next_month(month)
        while position < len(updates) and updates[position][2] < next_month:
            case_id, status, _effective_on = updates[position]
            detained -= status_of.get(case_id) == Status.DETAINED
            detained += status == Status.DETAINED
            status_of[case_id] = status
            position += 1
        series.append((month, detained))
        month = next_month
    return series


def home(request):
    counts = dict(Case.objects.public().order_by().values_list("status").annotate(n=Count("pk")))
    status_counts = [(value, label, counts[value]) for value, label in Status.choices if counts.get(value)]
    latest = (
        StatusUpdate.objects.public()
        .with_person("case__person")
        .order_by("-effective_on", "-recorded_at", "-pk")[:LATEST_CHANGES]
    )
    history = (
        StatusUpdate.objects.public()
        .order_by("effective_on", "recorded_at", "pk")
        .values_list("case_id", "status", "effective_on")
    )
    return render(
        request,
        "cases/home.html",
        {
            "title": _("Detained military defectors: public case tracker"),
            "description": _(
                "Where detained military defectors are held, since when, and what happened to their "
                "cases, each fact backed by published reports."
            ),
            "status_counts": status_counts,
            "total_cases": sum(counts.values()),
            "latest_updates": latest,
            "detained_series": detained_by_month(history, timezone.localdate()),
        },
    )


def case_list(request):
    case_filter = PublicCaseFilter(request.GET, queryset=Case.objects.public().with_related())
    page = Paginator(case_filter.qs, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "title": _("Cases"),
            "description": _("Published cases of detained military defectors, with filters and search."),
            "filter": case_filter,
            "page": page,
        },
    )


@dataclass
class TimelineEntry:
    """One dated line of a case's history; `kind` picks the sentence the template writes."""

    kind: str
    date: datetime.date
    precision: str
    fact: object
    anchor: str
    facility: Facility | None = None
    previous_facility: Facility | None = None
    sources: list = field(default_factory=list)


# Same-day entries read best as: moved, then status, then what courts did.
_KIND_ORDER = {"custody_start": 0, "transfer": 0, "custody_end": 1, "status": 2, "legal": 3}


def build_timeline(status_updates, custodies, legal_events):
    entries = [
        TimelineEntry("status", u.effective_on, u.effective_on_precision, u, f"status-{u.pk}")
        for u in status_updates
    ]
    previous = None
    for custody in sorted(custodies, key=lambda c: (c.started_on, c.pk)):
        entries.append(
            TimelineEntry(
                "transfer" if previous else "custody_start",
                custody.started_on,
                custody.started_on_precision,
                custody,
                f"custody-{custody.pk}",
                facility=custody.facility,
                previous_facility=previous.facility if previous else None,
            )
        )
        previous = custody
    if previous and previous.ended_on:
        entries.append(
            TimelineEntry(
                "custody_end",
                previous.ended_on,
                previous.ended_on_precision,
                previous,
                f"custody-{previous.pk}-end",
                facility=previous.facility,
            )
        )
    entries += [
        TimelineEntry("legal", e.occurred_on, e.occurred_on_precision, e, f"legal-{e.pk}")
        for e in legal_events
    ]
    for entry in entries:
        entry.sources = list(entry.fact.sources.all())
    entries.sort(key=lambda e: (period_end(e.date, e.precision), _KIND_ORDER[e.kind]))
    return entries


def _sorted_articles(articles):
    unique = {article.pk: article for article in articles}.values()
    return sorted(unique, key=lambda a: (a.published_on or datetime.date.min, a.pk), reverse=True)


def case_page_context(case):
    """Everything the public page of `case` shows, each part through its
    public() QuerySet. `case` comes from Case.objects.public().with_related():
    the page (and its preview) shows nothing the public QuerySets leave out."""
    status_updates = StatusUpdate.objects.public().filter(case=case).prefetch_related("sources")
    custodies = (
        Custody.objects.public().filter(case=case).select_related("facility").prefetch_related("sources")
    )
    legal_events = LegalEvent.objects.public().filter(case=case).prefetch_related("sources")
    accounts = (
        Account.objects.public().filter(person_id=case.person_id).select_related("article")
        if case.person_id
        else Account.objects.none()
    )
    status_updates = list(status_updates)  # newest first: the model's ordering
    timeline = build_timeline(status_updates, custodies, legal_events)
    accounts = list(accounts)
    articles = [a for entry in timeline for a in entry.sources] + [a.article for a in accounts]
    person = case.person
    summary = (person.public_summary if person and person.summary_is_public else "") or (
        case.summary if case.summary_is_public else ""
    )
    return {
        "title": f"{case.reference} · {case.subject_name}",
        "description": Truncator(summary).chars(200)
        or _("Case %(reference)s: status, custody and sources.") % {"reference": case.reference},
        "og_image": person.photo.url if person and person.photo_is_public else "",
        "case": case,
        "current_update": status_updates[0] if status_updates else None,
        "person": person,
        "timeline": timeline,
        "accounts": accounts,
        "articles": _sorted_articles(articles),
    }


def case_detail(request, reference):
    # Hidden and missing cases raise the same 404.
    case = get_object_or_404(Case.objects.public().with_related(), reference=reference)
    return render(request, "cases/case_detail.html", case_page_context(case))


def case_preview(request, case, *, back_url):
    """The public page of `case` as an anonymous visitor would see it once the
    case is marked public, marked as a preview; or, when the public still would
    not see it (no consent to publish the person's name), a page saying so.

    The case is marked public inside a savepoint that is always rolled back, so
    the very QuerySets and code of the public page decide what shows, consent
    scopes included, and nothing is saved: other transactions never see the
    uncommitted mark.
    """
    with transaction.atomic():
        is_published = not Case.objects.filter(pk=case.pk, is_public=False).update(is_public=True)
        public_case = Case.objects.public().with_related().filter(pk=case.pk).first()
        preview = {"is_published": is_published, "appears": public_case is not None, "back_url": back_url}
        if public_case is None:
            response = render(
                request,
                "cases/case_preview_hidden.html",
                {"title": _("Preview of %(reference)s") % {"reference": case.reference}, "preview": preview},
            )
        else:
            response = render(
                request, "cases/case_detail.html", {**case_page_context(public_case), "preview": preview}
            )
        transaction.set_rollback(True)
    return response


def facility_list(request):
    # Country names exist only in Python (and per language), but there are
    # few countries: ranking their codes here lets the database sort and
    # slice the facilities, so only one page of them is fetched and counted.
    codes = sorted(
        Facility.objects.countries_with_public_cases(), key=lambda code: (countries.name(code), code)
    )
    country_rank = models.Case(
        *(models.When(country=code, then=rank) for rank, code in enumerate(codes)), default=len(codes)
    )
    page = Paginator(
        Facility.objects.with_public_cases().order_by(country_rank, "name", "pk"), FACILITIES_PER_PAGE
    ).get_page(request.GET.get("page"))
    # Counted per facility of the page (a correlated subquery each), so only
    # their custody rows are read, not every public custody row.
    public_custody = Custody.objects.public().filter(facility=OuterRef("pk")).order_by().values("facility")

    def cases_in(custody):
        return Coalesce(Subquery(custody.annotate(n=Count("case", distinct=True)).values("n")), 0)

    counted = (
        Facility.objects.filter(pk__in=[facility.pk for facility in page])
        .order_by()
        .annotate(current_cases=cases_in(public_custody.open()), all_cases=cases_in(public_custody))
        .values_list("pk", "current_cases", "all_cases")
    )
    counts = {pk: (current, total) for pk, current, total in counted}
    facilities = []
    for facility in page:
        facility.current_cases, facility.all_cases = counts.get(facility.pk, (0, 0))
        # Counted a moment after the page was read: a facility whose last
        # public case was hidden in between is left out, not shown with 0.
        if facility.all_cases:
            facilities.append(facility)
    return render(
        request,
        "cases/facility_list.html",
        {
            "title": _("Facilities"),
            "description": _(
                "Detention centres, prisons and shelters where published cases are or were held."
            ),
            "facilities": facilities,
            "page": page,
        },
    )


def facility_detail(request, slug):
    facility = get_object_or_404(Facility.objects.with_public_cases(), slug=slug)
    cases = (
        Case.objects.public()
        .with_related()
        .filter(pk__in=Custody.objects.public().filter(facility=facility).values("case"))
    )
    current, past = [], []
    for case in cases:
        custody = case.current_custody
        (current if custody and custody.facility_id == facility.pk else past).append(case)
    return render(
        request,
        "cases/facility_detail.html",
        {
            "title": facility.name,
            "description": _("Published cases held at %(facility)s, now and in the past.")
            % {"facility": facility.name},
            "facility": facility,
            "current_cases": current,
            "past_cases": past,
        },
    )


def source_list(request):
    page = Paginator(SourceArticle.objects.cited_publicly(), SOURCES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/source_list.html",
        {
            "title": _("Sources"),
            "description": _("The published reports that back the facts of the public cases."),
            "page": page,
        },
    )


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /i18n/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
