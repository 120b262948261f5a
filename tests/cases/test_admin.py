import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseChange, Custody, Facility, SourceArticle, Status
from people.models import Person
from tests.admin_helpers import admin_form_data, inline_prefix
from tests.conftest import make_article, make_case, make_facility, make_person

D = datetime.date
CANARY = "CANARY-private-7f3a"


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "search", "expected"),
    [
        (Case, "perez", "CT-2019-0005"),
        (Person, "PEREZ", "José Pérez"),
        (Facility, "winnfield", "Winn Correctional Center"),
        (SourceArticle, "macleod", "Pro-Coup Venezuelan Soldiers"),
    ],
)
def test_admin_changelist_search_add_change_render(admin_client, demo, model, search, expected):
    make_case(person=make_person(full_name="José Pérez"))
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    found = admin_client.get(admin_url(model, "changelist"), {"q": search})
    assert expected in found.text
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def grow(model, count):
    for _ in range(count):
        if model is Case:
            make_case(status=Status.DETAINED, facility=make_facility())
        elif model is Person:
            make_person()
        elif model is Facility:
            make_facility()
        else:
            make_article()


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Case, Person, Facility, SourceArticle])
def test_admin_changelist_queries_constant_in_rows(admin_client, model):
    grow(model, 3)
    few = query_count(admin_client, admin_url(model, "changelist"))
    grow(model, 30)
    many = query_count(admin_client, admin_url(model, "changelist"))
    assert few == many


@pytest.mark.django_db
def test_admin_lists_show_countries_by_name_and_sort_by_them(admin_client):
    make_person(full_name="Ana Torres", nationality="VE")
    make_person(full_name="Luis Mora", nationality="CO")
    make_person(full_name="Nadie Sabe", nationality="")
    make_facility(name="Winn Correctional Center", country="US")
    people = admin_client.get(admin_url(Person, "changelist"), {"o": "-4"}).text  # nationality, Z to A
    cells = re.findall(r'<td class="field-nationality">([^<]*)</td>', people)
    assert cells == ["Venezuela", "Colombia", "-"]
    facilities = admin_client.get(admin_url(Facility, "changelist")).text
    assert '<td class="field-country">United States of America</td>' in facilities


@pytest.mark.django_db
def test_admin_case_facility_filter_lists_one_countrys_facilities(admin_client):
    winn = make_facility(name="Winn Correctional Center", slug="winn", country="US")
    make_facility(name="Otero County", slug="otero", country="US")
    make_facility(name="Estación Migratoria", slug="siglo-xxi", country="MX")
    held = make_case(facility=winn)
    elsewhere = make_case(facility=Facility.objects.get(slug="otero"))
    url = admin_url(Case, "changelist")

    # Every facility in the sidebar would be thousands of links: none until a country is chosen.
    assert "?facility=" not in admin_client.get(url).text
    page = admin_client.get(url, {"custodies__facility__country": "US"}).text
    assert "facility=winn" in page
    assert "facility=otero" in page
    assert "siglo-xxi" not in page

    # A link with the facility alone still shows it, so it can be cleared.
    filtered = admin_client.get(url, {"facility": "winn"}).text
    assert held.reference in filtered
    assert elsewhere.reference not in filtered
    assert re.search(r'<li class="selected">\s*<a href="\?facility=winn"', filtered)


@pytest.mark.django_db
def test_admin_case_change_page_queries_constant_in_history(admin_client):
    case = make_case(status=Status.DETAINED, facility=make_facility())
    few = query_count(admin_client, admin_url(Case, "change", case.pk))
    from cases.services import record_status_update

    for day in range(1, 15):
        record_status_update(
            case=case, status=Status.DETAINED, effective_on=D(2020, 1, day), sources=[make_article()]
        )
    assert query_count(admin_client, admin_url(Case, "change", case.pk)) == few


@pytest.mark.django_db
def test_admin_add_case_with_status_goes_through_service(admin_client, admin_user):
    person = make_person()
    page = admin_client.get(admin_url(Case, "add"))
    status_prefix = inline_prefix(page, "NewStatusUpdateInline")
    data = admin_form_data(
        page,
        person=person.pk,
        opened_on="2019-04-11",
        **{
            f"{status_prefix}-TOTAL_FORMS": "1",
            f"{status_prefix}-0-status": "detained",
            f"{status_prefix}-0-effective_on": "2019-04-11",
            f"{status_prefix}-0-effective_on_precision": "day",
            f"{status_prefix}-0-note": "Surrendered at the border.",
        },
    )
    response = admin_client.post(admin_url(Case, "add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    case = Case.objects.get(person=person)
    assert (case.reference, case.status, case.status_since) == (
        "CT-2019-0001",
        Status.DETAINED,
        D(2019, 4, 11),
    )
    assert case.status_updates.get().recorded_by == admin_user
    assert sorted(case.changes.values_list("kind", flat=True)) == [
        CaseChange.Kind.CREATED,
        CaseChange.Kind.STATUS,
    ]


@pytest.mark.django_db
def test_admin_overlapping_custody_refused_with_message_and_nothing_saved(admin_client, demo):
    url = admin_url(Case, "change", demo.pk)
    page = admin_client.get(url)
    prefix = inline_prefix(page, "CustodyInline")
    total = int(page.context["inline_admin_formsets"][2].formset.management_form.initial["TOTAL_FORMS"])
    data = admin_form_data(
        page,
        summary="Changed summary",
        **{
            f"{prefix}-TOTAL_FORMS": str(total + 1),
            f"{prefix}-{total}-facility": make_facility().pk,
            f"{prefix}-{total}-started_on": "2020-01-01",
            f"{prefix}-{total}-started_on_precision": "day",
            f"{prefix}-{total}-ended_on_precision": "day",
        },
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Overlaps the custody at Winn Correctional Center" in response.text
    demo.refresh_from_db()
    assert demo.summary != "Changed summary"
    assert Custody.objects.filter(case=demo).count() == 2


@pytest.mark.django_db
def test_admin_readers_see_no_private_fields(client, reader):
    person = make_person(alien_number=CANARY, private_notes=CANARY, date_of_birth=D(1981, 2, 3))
    case = make_case(person=person, private_notes=CANARY, is_public=False)
    from cases.services import record_status_update

    record_status_update(case=case, status=Status.DETAINED, effective_on=D(2020, 1, 1), internal_note=CANARY)
    client.force_login(reader)
    for url in [admin_url(Case, "change", case.pk), admin_url(Person, "change", person.pk)]:
        response = client.get(url)
        assert response.status_code == 200
        assert CANARY not in response.text
        assert "1981" not in response.text


@pytest.mark.django_db
def test_admin_advocates_see_private_fields_and_cannot_delete(client, advocate):
    case = make_case(private_notes=CANARY)
    client.force_login(advocate)
    response = client.get(admin_url(Case, "change", case.pk))
    assert CANARY in response.text
    assert client.get(admin_url(Case, "delete", case.pk)).status_code == 403


@pytest.mark.django_db
def test_admin_make_public_action_logs_change_and_warns_about_consent(admin_client):
    consenting = make_case(is_public=False)
    unconsenting = make_case(is_public=False, person=make_person(consent_to_publish=False))
    response = admin_client.post(
        admin_url(Case, "changelist"),
        {"action": "make_public", "_selected_action": [consenting.pk, unconsenting.pk]},
        follow=True,
    )
    assert "2 cases updated." in response.text
    assert "1 of them stays off public pages until its person consents." in response.text
    assert list(Case.objects.public()) == [consenting]
    assert CaseChange.objects.filter(kind=CaseChange.Kind.FIELDS).count() == 2
