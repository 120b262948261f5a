"""Who may see what: the two questions every view, serializer and admin asks.

"Advocates" and "Readers" (groups created by a data migration) and superusers
see unpublished cases and people; only Advocates and superusers see private
fields (alien_number, date_of_birth, private_notes, internal_note).
"""

ADVOCATES_GROUP = "Advocates"
READERS_GROUP = "Readers"
VIEW_PRIVATE_FIELDS = "people.view_private_fields"
VIEW_UNPUBLISHED = "cases.view_case"


def can_view_private(user):
    return user.is_active and user.has_perm(VIEW_PRIVATE_FIELDS)


def can_view_unpublished(user):
    return user.is_active and user.has_perm(VIEW_UNPUBLISHED)


# Internal bookkeeping models nobody edits by hand.
_INTERNAL_MODELS = {"casereferencesequence", "casechange"}


def sync_group_permissions(**kwargs):
    """Give the two groups every permission of the project's models.

    Runs after each migrate (post_migrate), so models added later are covered
    without a data migration per model.
    """
    from django.contrib.auth.models import Group, Permission

    perms = Permission.objects.filter(content_type__app_label__in=["people", "cases"]).exclude(
        content_type__model__in=_INTERNAL_MODELS
    )
    advocates, _ = Group.objects.get_or_create(name=ADVOCATES_GROUP)
    readers, _ = Group.objects.get_or_create(name=READERS_GROUP)
    advocates.permissions.add(*perms.filter(codename__regex=r"^(view|add|change)_"))
    readers.permissions.add(
        *perms.filter(codename__startswith="view_").exclude(codename="view_private_fields")
    )
