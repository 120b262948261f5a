import io

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case, Custody, Facility, LegalEvent, SourceArticle, StatusUpdate
from people.models import Person


def generate(**options):
    call_command("generate_dataset", scale=0.002, stdout=io.StringIO(), **options)


def snapshot():
    return {
        "cases": list(
            Case.objects.order_by("reference").values_list("reference", "status", "status_since", "is_public")
        ),
        "people": list(
            Person.objects.order_by("pk").values_list(
                "full_name", "consent_to_publish", "date_of_birth", "alien_number"
            )
        ),
    }


@pytest.mark.django_db
def test_generate_dataset_counts_and_invariants():
    generate()
    assert (Facility.objects.count(), Person.objects.count(), Case.objects.count()) == (2, 20, 20)
    assert (StatusUpdate.objects.count(), Custody.objects.count(), LegalEvent.objects.count()) == (
        200,
        40,
        60,
    )
    assert SourceArticle.objects.count() == 10
    assert StatusUpdate.sources.through.objects.count() == 60
    for case in Case.objects.all():
        latest = case.status_updates.latest()
        assert (case.status, case.status_since) == (latest.status, latest.effective_on)
        assert case.custodies.filter(ended_on__isnull=True).count() <= 1
    assert Person.objects.search(Person.objects.first().full_name.upper()).exists()


@pytest.mark.django_db
def test_generate_dataset_is_deterministic_and_refuses_a_second_load():
    generate()
    first = snapshot()
    with pytest.raises(CommandError, match="already loaded"):
        generate()
    Case.objects.all().delete()
    Person.objects.all().delete()
    Facility.objects.all().delete()
    SourceArticle.objects.all().delete()
    generate()
    second = snapshot()
    # References keep counting up (never reused); everything else repeats.
    assert [row[1:] for row in first["cases"]] == [row[1:] for row in second["cases"]]
    assert first["people"] == second["people"]


@pytest.mark.django_db
def test_generated_references_continue_the_sequence(demo):
    generate()
    assert Case.objects.filter(reference="CT-2019-0001").get() == demo
    assert Case.objects.count() == 24
    assert Case.objects.values("reference").distinct().count() == 24
