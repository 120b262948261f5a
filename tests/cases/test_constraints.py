"""Every invariant is a named database constraint: bad rows are refused by the
database itself, and full_clean() names the problem for forms and the API."""

import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from cases.models import Account, Case, CaseTally, Custody, Facility, LegalEvent, SourceArticle, StatusUpdate
from people.models import Person
from tests.conftest import make_article, make_case, make_facility, make_person

D = datetime.date


def assert_refused_by_database(constraint_name, create):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        create()
    # SQLite names CHECK constraints in the message; PostgreSQL names all of them.
    message = str(excinfo.value)
    assert constraint_name in message or "UNIQUE" in message


@pytest.mark.django_db
class TestCaseConstraints:
    def test_case_closed_before_opened_refused(self):
        case = make_case()
        with pytest.raises(ValidationError) as excinfo:
            Case(person=case.person, opened_on=D(2020, 5, 1), closed_on=D(2020, 4, 1)).full_clean()
        assert "A case cannot close before it opens." in excinfo.value.messages
        assert_refused_by_database(
            "cases_case_closed_after_opened",
            lambda: Case.objects.filter(pk=case.pk).update(closed_on=D(2000, 1, 1)),
        )

    def test_case_without_person_or_group_refused(self):
        with pytest.raises(ValidationError) as excinfo:
            Case(opened_on=D(2020, 1, 1)).full_clean()
        assert "A case needs a person or, for an unnamed group, a group name." in excinfo.value.messages
        assert_refused_by_database(
            "cases_case_person_or_group", lambda: Case.objects.create(opened_on=D(2020, 1, 1))
        )

    def test_case_unknown_status_refused(self):
        case = make_case()
        assert_refused_by_database(
            "cases_case_status_valid", lambda: Case.objects.filter(pk=case.pk).update(status="escaped")
        )

    def test_case_reference_unique(self):
        first, second = make_case(), make_case()
        assert_refused_by_database(
            "cases_case_reference_unique",
            lambda: Case.objects.filter(pk=second.pk).update(reference=first.reference),
        )


@pytest.mark.django_db
class TestReferences:
    def test_reference_follows_opening_year_and_counts_up(self):
        first = make_case(opened_on=D(2019, 4, 11))
        second = make_case(opened_on=D(2019, 12, 1))
        other_year = make_case(opened_on=D(2021, 1, 5))
        assert [first.reference, second.reference, other_year.reference] == [
            "CT-2019-0001",
            "CT-2019-0002",
            "CT-2021-0001",
        ]

    def test_reference_never_reused_after_delete(self):
        case = make_case(opened_on=D(2019, 4, 11))
        case.delete()
        assert make_case(opened_on=D(2019, 4, 11)).reference == "CT-2019-0002"

    def test_reference_stable_when_opening_date_changes(self):
        case = make_case(opened_on=D(2019, 4, 11))
        case.opened_on = D(2020, 1, 1)
        case.save()
        case.refresh_from_db()
        assert case.reference == "CT-2019-0001"


@pytest.mark.django_db
class TestCustodyConstraints:
    def test_custody_end_before_start_refused(self):
        case, facility = make_case(), make_facility()
        custody = Custody(case=case, facility=facility, started_on=D(2020, 5, 1), ended_on=D(2020, 4, 1))
        with pytest.raises(ValidationError) as excinfo:
            custody.full_clean()
        assert "Custody cannot end before it starts." in excinfo.value.messages
        assert_refused_by_database(
            "cases_custody_ended_after_started",
            lambda: Custody.objects.create(
                case=case, facility=facility, started_on=D(2020, 5, 1), ended_on=D(2020, 4, 1)
            ),
        )

    def test_custody_second_open_row_refused_by_database(self):
        case, facility = make_case(), make_facility()
        Custody.objects.create(case=case, facility=facility, started_on=D(2020, 1, 1))
        assert_refused_by_database(
            "cases_custody_one_open_per_case",
            lambda: Custody.objects.create(case=case, facility=facility, started_on=D(2020, 6, 1)),
        )

    def test_custody_overlap_named_in_validation_error(self):
        case = make_case()
        texas, winn = make_facility(name="Texas"), make_facility(name="Winn")
        Custody.objects.create(case=case, facility=texas, started_on=D(2019, 4, 11), ended_on=D(2019, 12, 1))
        overlapping = Custody(case=case, facility=winn, started_on=D(2019, 11, 1))
        with pytest.raises(ValidationError) as excinfo:
            overlapping.full_clean()
        assert excinfo.value.message_dict["started_on"] == [
            f"Overlaps the custody at {Custody.objects.get()}."
        ]

    def test_custody_transfer_on_the_day_the_last_ended_accepted(self):
        case = make_case()
        Custody.objects.create(
            case=case, facility=make_facility(), started_on=D(2019, 4, 11), ended_on=D(2019, 12, 1)
        )
        transfer = Custody(case=case, facility=make_facility(), started_on=D(2019, 12, 1))
        transfer.full_clean()
        transfer.save()
        assert case.custodies.count() == 2

    def test_custody_month_precision_stored_as_first_day(self):
        custody = Custody(
            case=make_case(),
            facility=make_facility(),
            started_on=D(2019, 12, 17),
            started_on_precision="month",
        )
        custody.full_clean()
        assert custody.started_on == D(2019, 12, 1)
        assert custody.started_display == "December 2019"


@pytest.mark.django_db
class TestFactConstraints:
    def test_disputed_fact_needs_note(self):
        case = make_case()
        event = LegalEvent(case=case, kind="hearing", occurred_on=D(2019, 1, 1), is_disputed=True)
        with pytest.raises(ValidationError) as excinfo:
            event.full_clean()
        assert "Say what is disputed in the dispute note." in excinfo.value.messages
        assert_refused_by_database(
            "cases_legalevent_dispute_explained",
            lambda: LegalEvent.objects.create(
                case=case, kind="hearing", occurred_on=D(2019, 1, 1), is_disputed=True
            ),
        )

    def test_status_update_unknown_status_refused_by_database(self):
        case = make_case()
        assert_refused_by_database(
            "cases_statusupdate_status_valid",
            lambda: StatusUpdate.objects.create(case=case, status="escaped", effective_on=D(2020, 1, 1)),
        )

    def test_legal_event_unknown_kind_and_outcome_refused(self):
        case = make_case()
        assert_refused_by_database(
            "cases_legalevent_kind_valid",
            lambda: LegalEvent.objects.create(case=case, kind="duel", occurred_on=D(2020, 1, 1)),
        )
        assert_refused_by_database(
            "cases_legalevent_outcome_valid",
            lambda: LegalEvent.objects.create(
                case=case, kind="hearing", outcome="maybe", occurred_on=D(2020, 1, 1)
            ),
        )

    def test_account_needs_quote(self):
        person, article = make_person(), make_article()
        assert_refused_by_database(
            "cases_account_quote_required",
            lambda: Account.objects.create(person=person, article=article, quote=""),
        )


@pytest.mark.django_db
class TestSourceConstraints:
    def test_article_url_unique_when_present(self):
        make_article(url="https://example.org/a")
        make_article(url="")
        make_article(url="")  # several articles without a URL are fine
        assert_refused_by_database(
            "cases_sourcearticle_url_unique", lambda: make_article(url="https://example.org/a")
        )

    def test_article_relation_needs_related_article(self):
        assert_refused_by_database(
            "cases_sourcearticle_relation_with_article", lambda: make_article(relation="translation_of")
        )
        original = make_article()
        with pytest.raises(ValidationError) as excinfo:
            SourceArticle(title="T", outlet="O", related_article=original).full_clean()
        assert (
            "A related article needs a relation, and a relation needs an article." in excinfo.value.messages
        )

    def test_facility_coordinates_in_range_and_paired(self):
        with pytest.raises(ValidationError):
            Facility(name="X", slug="x", country="US", latitude=91, longitude=0).full_clean()
        assert_refused_by_database(
            "cases_facility_coordinates_valid", lambda: make_facility(latitude=10, longitude=None)
        )
        assert make_facility(latitude=31.9, longitude=-92.6).latitude == 31.9

    def test_facility_slug_unique(self):
        make_facility(slug="winn")
        assert_refused_by_database("cases_facility_slug_unique", lambda: make_facility(slug="winn"))


@pytest.mark.django_db
def test_person_consent_needs_date():
    assert_refused_by_database(
        "people_person_consent_has_date",
        lambda: Person.objects.create(full_name="X", consent_to_publish=True),
    )


def _violations():
    """One way to break each remaining constraint, straight at the database."""
    return {
        "cases_case_reference_required": lambda: Case.objects.filter(pk=make_case().pk).update(reference=""),
        "people_person_full_name_required": lambda: Person.objects.create(full_name=""),
        "people_alias_name_required": lambda: make_person().aliases.create(name=""),
        "people_consentrecord_scope_valid": lambda: make_person().consents.create(
            scope="voice", granted=True, method="phone"
        ),
        "people_consentrecord_method_valid": lambda: make_person().consents.create(
            scope="photo", granted=True, method="telepathy"
        ),
        "people_alias_unique_per_person": lambda: make_person(aliases=["X", "X"]),
        "cases_sourcearticle_title_required": lambda: make_article(title=""),
        "cases_sourcearticle_outlet_required": lambda: make_article(outlet=""),
        "cases_sourcearticle_not_related_to_itself": lambda: SourceArticle.objects.filter(
            pk=make_article().pk
        ).update(related_article=F("pk"), relation="translation_of"),
        "cases_facility_name_required": lambda: make_facility(name=""),
        "cases_facility_slug_required": lambda: make_facility(slug=""),
        "cases_statusupdate_dispute_explained": lambda: StatusUpdate.objects.create(
            case=make_case(), status="detained", effective_on=D(2020, 1, 1), is_disputed=True
        ),
        "cases_custody_dispute_explained": lambda: Custody.objects.create(
            case=make_case(), facility=make_facility(), started_on=D(2020, 1, 1), is_disputed=True
        ),
        "cases_account_dispute_explained": lambda: Account.objects.create(
            person=make_person(), article=make_article(), quote="q", is_disputed=True
        ),
        "cases_casetally_unique": lambda: [
            CaseTally.objects.create(is_public=False, has_person=False, person_consents=False, n=0)
            for _ in range(2)
        ],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(_violations()))
def test_constraint_refused_by_database(name):
    assert_refused_by_database(name, _violations()[name])


def test_every_declared_constraint_is_tested():
    declared = {
        constraint.name
        for app in ("people", "cases")
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
    }
    source = Path(__file__).read_text()
    untested = {name for name in declared if f'"{name}"' not in source}
    assert untested == set()
