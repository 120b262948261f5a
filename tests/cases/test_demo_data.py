import io

import pytest
from django.apps import apps
from django.core.management import call_command

from cases.models import Case, LegalEventKind, LegalEventOutcome, SourceArticle, Status


def model_counts():
    return {
        model._meta.label: model.objects.count() for model in apps.get_app_config("cases").get_models()
    } | {model._meta.label: model.objects.count() for model in apps.get_app_config("people").get_models()}


@pytest.mark.django_db
def test_load_demo_is_idempotent(demo):
    before = model_counts()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert model_counts() == before
    assert "0 new records" in out.getvalue()


@pytest.mark.django_db
def test_demo_parra_case_holds_the_reported_facts(demo):
    parra = demo
    assert (parra.reference, parra.person.rank, parra.person.branch) == ("CT-2019-0001", "Major", "army")
    assert (parra.status, parra.status_since.isoformat()) == (Status.DETAINED, "2019-04-11")
    custody = [(c.facility.name, c.started_display, c.ended_display) for c in parra.custodies.all()]
    assert custody == [
        ("ICE detention facility in Texas (not named in reports)", "April 11, 2019", "December 2019"),
        ("Winn Correctional Center", "December 2019", ""),
    ]
    winn = parra.current_custody.facility
    assert (winn.city, winn.region, winn.country.code) == ("Winnfield", "Louisiana", "US")
    denied_bail = parra.legal_events.filter(
        kind=LegalEventKind.BOND_REQUEST, outcome=LegalEventOutcome.DENIED
    )
    assert denied_bail.count() >= 2
    assert parra.legal_events.filter(
        kind=LegalEventKind.HEARING_REQUEST, outcome=LegalEventOutcome.DENIED
    ).exists()
    assert all(event.sources.exists() for event in parra.legal_events.all())


@pytest.mark.django_db
def test_demo_crossing_date_is_marked_disputed(demo):
    first = demo.status_updates.get(effective_on="2019-04-11")
    assert first.is_disputed
    assert "30 April" in first.dispute_note


@pytest.mark.django_db
def test_demo_two_translations_of_one_interview(demo):
    telemundo = SourceArticle.objects.get(outlet="Telemundo")
    reporting = {a.outlet: a.relation for a in telemundo.derived_articles.all()}
    assert reporting == {"MintPress News": "reports_on", "PanAm Post": "reports_on"}
    rock_bottom = demo.person.accounts.filter(quote__contains="rock bottom")
    assert sorted(rock_bottom.values_list("article__outlet", flat=True)) == ["MintPress News", "PanAm Post"]


@pytest.mark.django_db
def test_demo_articles_carry_outlet_author_date(demo):
    mintpress = SourceArticle.objects.get(outlet="MintPress News")
    assert (mintpress.author, mintpress.published_on.isoformat()) == ("Alan MacLeod", "2019-12-27")
    assert SourceArticle.objects.get(outlet="Antiwar.com").author == "Jason Ditz"


@pytest.mark.django_db
def test_demo_group_cases(demo):
    embassy = Case.objects.get(group_name__contains="Panamanian embassy")
    assert embassy.person is None
    assert (embassy.status, embassy.status_since.isoformat()) == (Status.RELEASED, "2019-12-09")
    assert embassy.custodies.get().facility.city == "Caracas"
    colombia = Case.objects.get(group_name__contains="Colombia")
    assert colombia.status == Status.PROTECTED
    assert "bars them from working" in colombia.legal_events.get().note
    assert list(Case.objects.public().order_by("reference").values_list("reference", flat=True)) == [
        "CT-2019-0001",
        "CT-2019-0002",
        "CT-2019-0003",
        "CT-2019-0004",
    ]
