"""API tokens: stored as hashes, shown once, expiring, listed and revoked by
their owner and by superusers."""

import datetime
import hashlib
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from security.authentication import ApiTokenAuthentication
from security.models import ApiToken
from tests.conftest import make_user
from tests.security.conftest import obtain_token


def client_with(key):
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def owner(db, django_user_model):
    return make_user(django_user_model, "owner")


def test_token_is_shown_once_and_stored_as_a_hash(owner, settings):
    before = timezone.now()
    response = obtain_token("owner", name="partner sync")
    assert response.status_code == 200
    key = response.json()["token"]
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = str(list(ApiToken.objects.values_list()))
    assert key not in stored
    assert (token.user, token.name) == (owner, "partner sync")
    expires = datetime.datetime.fromisoformat(response.json()["expires"])
    assert before + datetime.timedelta(days=90) <= expires <= timezone.now() + datetime.timedelta(days=90)
    assert client_with(key).get("/api/v1/auth/tokens/").status_code == 200
    # Each request makes a new token: the old key cannot be shown again.
    assert obtain_token("owner").json()["token"] != key


def test_wrong_password_gets_no_token(owner):
    response = obtain_token("owner", "wrong")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert not ApiToken.objects.exists()


def test_expired_token_is_refused(owner):
    token, key = ApiToken.objects.issue(user=owner)
    token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    token.save()
    response = client_with(key).get("/api/v1/people/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Token has expired; ask for a new one."}


def test_ttl_comes_from_settings_and_zero_means_never(owner, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    token, _key = ApiToken.objects.issue(user=owner)
    assert token.expires_at - token.created_at == pytest.approx(
        datetime.timedelta(days=7), abs=datetime.timedelta(seconds=1)
    )
    settings.API_TOKEN_TTL_DAYS = 0
    token, key = ApiToken.objects.issue(user=owner)
    assert token.expires_at is None
    assert client_with(key).get("/api/v1/auth/tokens/").status_code == 200


def test_unknown_token_and_inactive_owner_are_refused(owner):
    assert client_with("not-a-key").get("/api/v1/auth/tokens/").status_code == 401
    _token, key = ApiToken.objects.issue(user=owner)
    owner.is_active = False
    owner.save()
    assert client_with(key).get("/api/v1/auth/tokens/").status_code == 401


def test_each_token_authenticates_its_own_user_and_token_loaded_whole(
    owner, django_user_model, django_assert_num_queries
):
    other = make_user(django_user_model, "other", email="other@example.org")
    issued = [ApiToken.objects.issue(user=user, name=user.username) for user in (owner, other, owner)]
    authentication = ApiTokenAuthentication()
    for token, key in issued:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # no write below
        with django_assert_num_queries(1):
            user, found = authentication.authenticate_credentials(key)
        expected = django_user_model.objects.get(pk=token.user_id)
        assert (found.pk, found.name, found.user_id, user.pk) == (
            token.pk,
            token.name,
            token.user_id,
            expected.pk,
        )
        # Every column, converted as the ORM converts it (SQLite's instants and booleans).
        assert [(f.name, getattr(user, f.attname)) for f in user._meta.concrete_fields] == [
            (f.name, getattr(expected, f.attname)) for f in expected._meta.concrete_fields
        ]
        assert user.is_active is True
        assert found.expires_at == ApiToken.objects.get(pk=token.pk).expires_at
        assert found.user is user
        assert (found._state.adding, found._state.db, user._state.db) == (False, "default", "default")


def test_owner_lists_own_working_tokens_without_keys(owner, django_user_model):
    other = make_user(django_user_model, "other")
    ApiToken.objects.issue(user=other, name="not yours")
    revoked, _key = ApiToken.objects.issue(user=owner, name="revoked")
    revoked.revoke(by=owner)
    token, key = ApiToken.objects.issue(user=owner, name="sync")
    response = client_with(key).get("/api/v1/auth/tokens/")
    token.refresh_from_db()
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": token.pk,
                "name": "sync",
                "user": "owner",
                "created_at": token.created_at.isoformat().replace("+00:00", "Z"),
                "expires_at": token.expires_at.isoformat().replace("+00:00", "Z"),
                "last_used_at": token.last_used_at.isoformat().replace("+00:00", "Z"),
            }
        ],
    }
    assert key not in response.content.decode()
    assert token.key_hash not in response.content.decode()


def test_owner_revokes_own_token_and_it_stops_working(owner):
    token, key = ApiToken.objects.issue(user=owner)
    _spare, spare_key = ApiToken.objects.issue(user=owner)
    response = client_with(spare_key).delete(f"/api/v1/auth/tokens/{token.pk}/")
    assert response.status_code == 204
    token.refresh_from_db()
    assert (token.revoked_by, token.revoked_at is not None) == (owner, True)
    response = client_with(key).get("/api/v1/auth/tokens/")
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid token."})


def test_nobody_else_sees_or_revokes_a_token(owner, django_user_model):
    token, _key = ApiToken.objects.issue(user=owner)
    _other_token, other_key = ApiToken.objects.issue(user=make_user(django_user_model, "other"))
    other = client_with(other_key)
    assert [row["user"] for row in other.get("/api/v1/auth/tokens/").json()["results"]] == ["other"]
    assert other.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert APIClient().get("/api/v1/auth/tokens/").status_code == 401


def test_superuser_lists_and_revokes_everyones_tokens(owner, superuser):
    token, _key = ApiToken.objects.issue(user=owner)
    _own, root_key = ApiToken.objects.issue(user=superuser)
    root = client_with(root_key)
    assert {row["user"] for row in root.get("/api/v1/auth/tokens/").json()["results"]} == {"owner", "root"}
    assert root.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_by == superuser


def test_last_use_is_recorded(owner):
    token, key = ApiToken.objects.issue(user=owner)
    assert token.last_used_at is None
    client_with(key).get("/api/v1/auth/tokens/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_admin_lists_and_revokes_tokens_for_superusers_only(owner, superuser, advocate, client):
    token, _key = ApiToken.objects.issue(user=owner, name="partner sync")
    client.force_login(advocate)
    assert client.get("/admin/security/apitoken/").status_code == 403
    client.force_login(superuser)
    changelist = client.get("/admin/security/apitoken/?q=owner")
    assert "partner sync" in changelist.content.decode()
    assert token.key_hash not in changelist.content.decode()
    assert client.get(f"/admin/security/apitoken/{token.pk}/change/").status_code == 200
    assert client.get("/admin/security/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/security/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert "Revoked 1 token(s)." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == superuser


def test_migration_hashes_plain_drf_tokens_and_wipes_them(owner):
    migration = import_module("security.migrations.0002_import_drf_tokens")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer, created timestamp)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES ('plainkey123', %s, CURRENT_TIMESTAMP)", [owner.pk]
        )
    migration.import_drf_tokens(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    assert client_with("plainkey123").get("/api/v1/auth/tokens/").status_code == 200
