import pytest

from cases.models import Case
from people.models import Alias, Person
from tests.conftest import make_case, make_person


@pytest.fixture
def people(db):
    perez = make_person(full_name="José Pérez")
    martinez = make_person(full_name="Ángel Martínez")
    Alias.objects.create(person=martinez, name="El Gavilán")
    return {"perez": make_case(person=perez), "martinez": make_case(person=martinez)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Perez", ["perez"]),
        ("pérez", ["perez"]),
        ("PÉREZ", ["perez"]),
        ("martinez", ["martinez"]),
        ("ÁNGEL", ["martinez"]),
        ("angel martinez", ["martinez"]),
        ("gavilan", ["martinez"]),
        ("jose", ["perez"]),
        ("nobody", []),
    ],
)
def test_case_search_is_accent_and_case_insensitive(people, query, expected):
    found = Case.objects.search(query)
    assert sorted(found.values_list("pk", flat=True)) == sorted(people[key].pk for key in expected)


def test_case_search_by_reference(people):
    case = people["perez"]
    assert list(Case.objects.search(case.reference.lower())) == [case]


def test_case_search_by_group_name(db):
    group = make_case(group_name="Oficiales en la embajada de Panamá")
    assert list(Case.objects.search("embajada de panama")) == [group]


def test_person_search_finds_alias_without_duplicates(people):
    Alias.objects.create(person=people["martinez"].person, name="Martínez el viejo")
    assert list(Person.objects.search("martinez")) == [people["martinez"].person]


def test_search_name_follows_renames(people):
    person = people["perez"].person
    person.full_name = "José Peña"
    person.save(update_fields=["full_name"])
    assert list(Person.objects.search("pena")) == [person]
