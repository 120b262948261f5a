"""security.backends.ModelBackend: Django's permissions, read in one query."""

import pytest
from django.contrib.auth import backends
from django.contrib.auth.models import AnonymousUser, Group, Permission

from people.permissions import ADVOCATES_GROUP, READERS_GROUP, VIEW_PRIVATE_FIELDS, can_view_private
from security.backends import ModelBackend
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def permission(name):
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def fresh(user):
    """The user as the next request loads them, with no permissions cached."""
    return type(user).objects.get(pk=user.pk)


def django_says(user):
    return backends.ModelBackend().get_all_permissions(fresh(user))


def test_it_is_the_backend_in_use(settings):
    assert "security.backends.ModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS


def test_own_and_group_permissions_as_django_reads_them(django_user_model, django_assert_num_queries):
    user = make_user(django_user_model, "mixed", READERS_GROUP)
    # One permission of their own, one from a second group, one from both.
    user.user_permissions.add(permission("cases.add_facility"), permission("cases.change_case"))
    extra = Group.objects.create(name="Extra")
    extra.permissions.add(permission("cases.change_case"), permission("cases.delete_facility"))
    user.groups.add(extra)
    expected = django_says(user)
    assert {"cases.add_facility", "cases.change_case", "cases.delete_facility", "cases.view_case"} <= expected

    user = fresh(user)
    with django_assert_num_queries(1):
        assert ModelBackend().get_all_permissions(user) == expected
    with django_assert_num_queries(0):  # kept on the user for the rest of the request
        assert user.has_perm("cases.delete_facility")
        assert not user.has_perm("cases.delete_case")


def test_only_own_or_only_group_permissions(django_user_model):
    own_only = make_user(django_user_model, "own")
    own_only.user_permissions.add(permission("cases.add_facility"))
    group_only = make_user(django_user_model, "grouped", ADVOCATES_GROUP)
    for user in (own_only, group_only):
        assert ModelBackend().get_all_permissions(fresh(user)) == django_says(user) != set()
    assert can_view_private(fresh(group_only))
    assert not can_view_private(fresh(own_only))


def test_superuser_has_every_permission(django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password="pw-for-tests-1")
    assert ModelBackend().get_all_permissions(fresh(root)) == django_says(root)
    assert len(django_says(root)) == Permission.objects.count()


def test_inactive_and_anonymous_users_have_none(django_user_model, django_assert_num_queries):
    user = fresh(make_user(django_user_model, "gone", ADVOCATES_GROUP, is_active=False))
    with django_assert_num_queries(0):
        assert ModelBackend().get_all_permissions(user) == set()
        assert ModelBackend().get_all_permissions(AnonymousUser()) == set()
        assert not user.has_perm(VIEW_PRIVATE_FIELDS)


def test_leaving_a_group_takes_effect_on_the_next_request(django_user_model):
    user = make_user(django_user_model, "leaving", ADVOCATES_GROUP)
    assert fresh(user).has_perm(VIEW_PRIVATE_FIELDS)
    user.groups.clear()
    assert not fresh(user).has_perm(VIEW_PRIVATE_FIELDS)
