"""API pieces for accountability: versions as ETags with If-Match, access
records for responses that carry private fields, and who may read history."""

from django.db import transaction
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission

from audit.services import record_access
from people.permissions import can_view_private, can_view_unpublished

WRITE_METHODS = {"PUT", "PATCH"}


class PreconditionFailed(APIException):
    status_code = 412
    default_detail = _(
        "Someone changed this object after the version named by If-Match. Fetch it again "
        "(its ETag names the current version), reapply your change and send it with the new ETag."
    )
    default_code = "precondition_failed"


def version_etag(obj):
    return f'"v{obj.version}"'


class VersionedResourceMixin:
    """Detail and write responses carry the object's version as a strong ETag.
    A PUT/PATCH whose If-Match names another version answers 412; without
    If-Match the write is accepted. The row stays locked from the check to the
    commit, so no write can land in between."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.method in WRITE_METHODS:
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().update(request, *args, **kwargs)

    def get_object(self):
        obj = super().get_object()
        header = self.request.headers.get("If-Match")
        if self.request.method in WRITE_METHODS and header is not None:
            etags = parse_etags(header)
            if "*" not in etags and version_etag(obj) not in etags:
                raise PreconditionFailed()
        self.versioned_object = obj
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = getattr(self, "versioned_object", None)
        if obj is not None and response.status_code == 200:
            response["ETag"] = version_etag(obj)
        return response


class PrivateReadRecordMixin:
    """Leaves an access record for every object whose private fields (the
    serializer's Meta.private_fields) a successful response carried."""

    def get_serializer(self, *args, **kwargs):
        self.served_serializer = super().get_serializer(*args, **kwargs)
        return self.served_serializer

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        serializer = getattr(self, "served_serializer", None)
        if serializer is None or response.status_code >= 300 or not can_view_private(request.user):
            return response
        meta = getattr(serializer, "child", serializer).Meta
        served = serializer.instance
        objects = served if getattr(serializer, "many", False) else [served]
        record_access(
            user=request.user,
            targets=[(meta.model, obj.pk) for obj in objects if obj is not None],
            fields=meta.private_fields,
            via=f"API {request.method} {request.path}",
        )
        return response


class CanReadHistory(BasePermission):
    """History shows earlier values, some from before a case was published:
    Advocates, Readers and superusers only."""

    def has_permission(self, request, view):
        return can_view_unpublished(request.user)
