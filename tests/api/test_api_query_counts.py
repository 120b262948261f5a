"""Every list endpoint runs the same number of queries for 10 rows as for 100."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.api import CaseViewSet
from cases.models import Custody, LegalEvent
from cases.services import record_status_update
from people.api import PersonViewSet
from tests.api.conftest import seed_case
from tests.conftest import make_article, make_facility, make_user

# More than the small page, so an N+1 query would show as a difference.
ROWS = 15


@pytest.fixture
def many(db, django_user_model):
    recorder = make_user(django_user_model, "recorder")
    facility = make_facility(slug="counted")
    article = make_article()
    cases = [
        seed_case(tag=f"n{n}", facility=facility, article=article, recorder=recorder) for n in range(ROWS)
    ]
    first = cases[0]
    for n in range(ROWS):
        make_article(related_article=article, relation="reports_on", title=f"More {n}")
        make_facility()
        day = datetime.date(2000 + n, 1, 1)
        record_status_update(case=first, status="released", effective_on=day, sources=[article])
        LegalEvent.objects.create(case=first, kind="hearing", occurred_on=day).sources.add(article)
        custody = Custody.objects.create(case=first, facility=facility, started_on=day, ended_on=day)
        custody.sources.add(article)
    return cases


LISTS = [
    "/api/v1/cases/",
    "/api/v1/cases/?updated_since=2000-01-01T00:00:00Z",
    "/api/v1/cases/?q=subject&status=detained&facility=counted&ordering=-opened_on",
    "/api/v1/cases/{ref}/status-updates/",
    "/api/v1/cases/{ref}/custody/",
    "/api/v1/cases/{ref}/legal-events/",
    "/api/v1/changes/",
    "/api/v1/people/",
    "/api/v1/facilities/",
    "/api/v1/articles/",
    "/api/v1/accounts/",
]


@pytest.mark.parametrize("role", ["anon_client", "advocate_client"])
@pytest.mark.parametrize("url", LISTS)
def test_list_query_count_does_not_grow_with_page_size(url, role, many, request, django_assert_num_queries):
    client = request.getfixturevalue(role)
    url = url.format(ref=many[0].reference)
    separator = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as small:
        response = client.get(f"{url}{separator}page_size=10")
    assert response.status_code in {200, 401}
    with django_assert_num_queries(len(small)):
        client.get(f"{url}{separator}page_size=100")


@pytest.mark.parametrize(
    ("viewset", "url"),
    [
        (CaseViewSet, "/api/v1/cases/"),
        (CaseViewSet, "/api/v1/cases/{ref}/"),
        (PersonViewSet, "/api/v1/people/"),
    ],
)
def test_permission_check_does_not_build_the_visible_queryset_again(viewset, url, many, advocate_client):
    """DRF's model permissions call get_queryset() to learn the model; ours read `queryset`."""
    with mock.patch.object(viewset, "get_queryset", autospec=True, side_effect=viewset.get_queryset) as built:
        response = advocate_client.get(url.format(ref=many[0].reference))
    assert response.status_code == 200
    assert built.call_count == 1


@pytest.mark.parametrize("role", ["anon_client", "advocate_client"])
def test_case_list_counts_cases_without_joining_what_the_rows_show(role, many, request):
    """The page is read as rows joined to the person and the open custody;
    counting those rows would join them too, for every visible case. (All
    visible cases are counted from the tally: a filter makes the count one of rows.)"""
    client = request.getfixturevalue(role)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/cases/?page_size=10&opened_on_after=2000-01-01")
    assert response.json()["count"] == ROWS
    (count,) = [query["sql"] for query in captured if "COUNT(" in query["sql"]]
    assert "people_person" not in count
    assert "cases_custody" not in count
    assert "cases_facility" not in count


@pytest.mark.parametrize("role", ["anon_client", "advocate_client"])
def test_case_list_counts_all_visible_cases_from_the_tally(role, many, request):
    client = request.getfixturevalue(role)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/cases/?page_size=10")
    assert response.json()["count"] == ROWS
    (count,) = [query["sql"] for query in captured if "SUM(" in query["sql"]]
    assert "cases_casetally" in count
