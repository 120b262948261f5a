"""The browsable API: what a partner's developer sees exploring the API in a browser."""

import re

import pytest

from cases.filters import ApiFilterSet

FILTERED_LISTS = [
    "/api/v1/cases/",
    "/api/v1/people/",
    "/api/v1/facilities/",
    "/api/v1/articles/",
    "/api/v1/accounts/",
    "/api/v1/changes/",
]
LABEL = re.compile(r"<label[^>]*>\s*([^<]*?)\s*</label>")


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_filter_of_the_browsable_api_has_a_label(advocate, client, language):
    client.force_login(advocate)
    for url in FILTERED_LISTS:
        response = client.get(url, headers={"accept": "text/html", "accept-language": language})
        assert response.status_code == 200, url
        assert 'id="filtersModal"' in response.text, url
        assert "[invalid name]" not in response.text, url


def test_the_case_filters_are_labelled_in_the_request_s_language(advocate, client, monkeypatch):
    # Generating the schema builds the form fields of filters with choices;
    # the filter forms are built afterwards, as on a server that served it first.
    client.get("/api/v1/schema/")
    monkeypatch.setattr(ApiFilterSet, "_form_classes", {})
    client.force_login(advocate)
    page = client.get("/api/v1/cases/", headers={"accept": "text/html", "accept-language": "es"}).text
    labels = set(LABEL.findall(page))
    assert {"Situación:", "Centro:", "Centro actual:", "País:", "Buscar:", "Actualizado desde:"} <= labels
