import pytest
from django.core.cache import cache


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "3/minute"},
    }
    cache.clear()
    yield
    cache.clear()


def test_anonymous_client_is_throttled_with_retry_after(db, low_rates, anon_client):
    statuses = [anon_client.get("/api/v1/facilities/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = anon_client.get("/api/v1/facilities/")
    assert 0 < int(response["Retry-After"]) <= 60
    assert "detail" in response.json()


def test_authenticated_client_has_its_own_rate(db, low_rates, reader_client, anon_client):
    assert [anon_client.get("/api/v1/changes/").status_code for _ in range(2)] == [200, 200]
    statuses = [reader_client.get("/api/v1/changes/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(reader_client.get("/api/v1/changes/")["Retry-After"]) > 0


def test_token_endpoint_is_throttled(db, low_rates, anon_client):
    payload = {"username": "nobody", "password": "guess"}
    statuses = [anon_client.post("/api/v1/auth/token/", payload).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
