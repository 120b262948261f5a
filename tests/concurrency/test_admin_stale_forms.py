"""Two advocates, each logged in with their own session, open the same case
(or person) and both save: the second save is refused, not silently applied."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case
from cases.services import record_status_update
from people.models import Person
from people.permissions import ADVOCATES_GROUP
from tests.admin_helpers import admin_form_data
from tests.conftest import make_case, make_user


@pytest.fixture
def two_advocates(db, django_user_model):
    clients = []
    for name in ("ana", "ben"):
        client = Client()
        client.force_login(make_user(django_user_model, name, ADVOCATES_GROUP, is_staff=True))
        clients.append(client)
    return clients


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def refusal(response):
    return response.status_code == 200 and "Someone else saved this" in response.text


def test_second_save_of_a_case_is_refused_showing_the_first_change(two_advocates):
    ana, ben = two_advocates
    case = make_case(summary="Held since April.")
    url = change_url(case)
    ana_form, ben_form = ana.get(url), ben.get(url)

    saved = ana.post(url, admin_form_data(ana_form, summary="Moved to Winn.", change_reason="Lawyer called"))
    assert saved.status_code == 302
    refused = ben.post(url, admin_form_data(ben_form, summary="Released on bond."))

    assert refusal(refused)
    assert "&#x27;Held since April.&#x27; → &#x27;Moved to Winn.&#x27;" in refused.text
    assert "ana" in refused.text
    assert "Lawyer called" in refused.text
    # Ben's input is still on the page, and nothing of it was saved.
    assert refused.context["adminform"].form["summary"].value() == "Released on bond."
    assert Case.objects.get(pk=case.pk).summary == "Moved to Winn."

    # Having seen Ana's change, Ben saves again on purpose: now it goes through.
    again = ben.post(url, {**refused.context["adminform"].form.data.dict(), "summary": "Released on bond."})
    assert again.status_code == 302
    assert Case.objects.get(pk=case.pk).summary == "Released on bond."


def test_a_status_update_recorded_meanwhile_makes_an_open_case_form_stale(two_advocates):
    ana, _ = two_advocates
    case = make_case()
    form = ana.get(change_url(case))
    record_status_update(case=case, status="released", effective_on=datetime.date(2020, 5, 1))

    refused = ana.post(change_url(case), admin_form_data(form, summary="Still held."))

    assert refusal(refused)
    assert "status update" in refused.text
    assert "&#x27;released&#x27;" in refused.text
    assert Case.objects.get(pk=case.pk).summary == ""


def test_second_save_of_a_person_is_refused_showing_the_first_change(two_advocates):
    ana, ben = two_advocates
    case = make_case()
    person = case.person
    url = change_url(person)
    ana_form, ben_form = ana.get(url), ben.get(url)

    assert ana.post(url, admin_form_data(ana_form, rank="Colonel")).status_code == 302
    refused = ben.post(url, admin_form_data(ben_form, private_notes="Call his sister."))

    assert refusal(refused)
    assert "&#x27;Captain&#x27; → &#x27;Colonel&#x27;" in refused.text
    assert refused.context["adminform"].form["private_notes"].value() == "Call his sister."
    assert Person.objects.get(pk=person.pk).private_notes == ""


def test_saves_one_after_the_other_are_not_refused(two_advocates):
    ana, ben = two_advocates
    case = make_case()
    url = change_url(case)
    assert ana.post(url, admin_form_data(ana.get(url), summary="One.")).status_code == 302
    assert ben.post(url, admin_form_data(ben.get(url), summary="Two.")).status_code == 302
    assert Case.objects.get(pk=case.pk).summary == "Two."
