"""REST API views for cases, their facts, facilities, articles, accounts and
the change feed, plus the plumbing every API view shares.

Who sees what is decided by the QuerySet methods (Case.objects.visible_to(),
Account.objects.public()) and people.permissions, the same ones the admin and
public pages use; serializers drop private fields. Nothing here re-states a
publication rule.
"""

import hashlib

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import http_date
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, renderers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.permissions import (
    SAFE_METHODS,
    AllowAny,
    DjangoModelPermissions,
    DjangoModelPermissionsOrAnonReadOnly,
)
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from audit.api import (
    WRITE_METHODS,
    CanReadHistory,
    PreconditionFailed,
    PrivateReadRecordMixin,
    VersionedResourceMixin,
)
from audit.history import case_history_rows, history_entries
from audit.models import StaleVersionError
from audit.serializers import HistoryEntrySerializer
from audit.services import record_access
from cases.filters import (
    MAX_ID,
    AccountFilter,
    ArticleFilter,
    CaseFilter,
    ChangeFilter,
    FacilityFilter,
    FilterBackend,
    settled_changes,
)
from cases.models import (
    Account,
    Case,
    CaseChange,
    Custody,
    Facility,
    LegalEvent,
    SourceArticle,
    StatusDocument,
    StatusUpdate,
)
from cases.serializers import (
    AccountSerializer,
    ArticleSerializer,
    CaseSerializer,
    CaseStatusSerializer,
    ChangeSerializer,
    CustodySerializer,
    FacilitySerializer,
    LegalEventSerializer,
    StatusUpdateSerializer,
)
from people.models import Person
from people.permissions import can_view_private, can_view_unpublished
from people.serializers import validation_error_detail

# ---------------------------------------------------------------- plumbing


def exception_handler(exc, context):
    """DRF's handler, plus model validation errors (raised by full_clean() in
    cases.services) as 400 naming the field."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_error_detail(exc))
    if isinstance(exc, StaleVersionError):
        exc = PreconditionFailed()
    return drf_exception_handler(exc, context)


class ORJSONRenderer(renderers.JSONRenderer):
    """JSONRenderer's output, rendered by orjson: several times faster on a page of 100 cases."""

    _fallback = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        # Lazy translations, decimals and the like go through DRF's own encoder;
        # list-field errors are keyed by item index.
        return orjson.dumps(data, default=self._fallback.default, option=orjson.OPT_NON_STR_KEYS)


class SettingsRateMixin:
    def get_rate(self):
        # Read per request, not at import like DRF's, so an override of the
        # REST_FRAMEWORK setting (an env var at start, a test) takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(SettingsRateMixin, AnonRateThrottle):
    pass


class UserThrottle(SettingsRateMixin, UserRateThrottle):
    pass


class ApiPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    page_size_query_description = "Results per page (default 25); values above 100 count as 100."
    max_page_size = 100


class ChangeLogPagination(BasePagination):
    """Pages in change-log order from the change id given as ?after=.

    Unlike page numbers, a position in the change log does not move while data
    changes, so a client that stores `cursor` and later asks for ?after=<cursor>
    misses nothing.
    """

    cursor_query_param = "after"
    position = "pk"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        after = request.query_params.get(self.cursor_query_param, "0") or "0"
        if not (after.isascii() and after.isdigit() and int(after) <= MAX_ID):
            raise ValidationError({self.cursor_query_param: ["A change id (a whole number) is required."]})
        self.cursor = int(after)
        page_size = ApiPagination().get_page_size(request)
        rows = list(
            queryset.filter(**{f"{self.position}__gt": self.cursor}).order_by(self.position)[: page_size + 1]
        )
        self.has_next = len(rows) > page_size
        rows = rows[:page_size]
        if rows:
            self.cursor = getattr(rows[-1], self.position)
        return rows

    def get_next_link(self):
        if not self.has_next:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(url, self.cursor_query_param, self.cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "cursor": self.cursor, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "cursor", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "cursor": {
                    "type": "integer",
                    "description": "The last change id served (or the one asked for): store it and read "
                    "on with ?after=<cursor>.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Change id to read on from (the `cursor` of the previous response).",
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
            },
            *ApiPagination().get_schema_operation_parameters(view)[1:],
        ]


class CaseChangeLogPagination(ChangeLogPagination):
    # Annotated by CaseFilter.updated_since: the case's latest change id.
    position = "last_change_id"


class CaseRowsPaginator(DjangoPaginator):
    """Counts the cases, and reads the page as rows (CaseQuerySet.api_rows()):
    a count of the rows would keep their joins (the open custody's on
    PostgreSQL too, as its unique index is partial)."""

    def page(self, number):
        page = super().page(number)
        page.object_list = page.object_list.api_rows()
        return page


class CasePagination(ApiPagination):
    """Page numbers, or with updated_since the change-log cursor. Both share one shape:
    {count, next, previous, cursor, results}. Either page is read as rows."""

    django_paginator_class = CaseRowsPaginator

    def paginate_queryset(self, queryset, request, view=None):
        self.change_log = None
        if "last_change_id" in queryset.query.annotations:
            self.change_log = CaseChangeLogPagination()
            return self.change_log.paginate_queryset(queryset.api_rows(), request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.change_log is None:
            envelope = {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "cursor": None,
            }
        else:
            envelope = {
                "count": None,
                "next": self.change_log.get_next_link(),
                "previous": None,
                "cursor": self.change_log.cursor,
            }
        return Response({**envelope, "results": data})

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"] = ["count", "next", "previous", "cursor", "results"]
        envelope["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "description": "Total matches; null with updated_since.",
        }
        envelope["properties"]["cursor"] = {
            "type": "integer",
            "nullable": True,
            "description": "With updated_since: the latest change id served; read on with ?after=<cursor>. "
            "Otherwise null.",
        }
        return envelope

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            CaseChangeLogPagination().get_schema_operation_parameters(view)[0],
        ]


ERROR_BODY = {
    "type": "object",
    "additionalProperties": {},
    "description": 'Either {"detail": "message"} or {"field": ["message", ...]} naming each field at fault.',
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input or query parameter; the body names the field.",
    "401": "Missing or invalid credentials.",
    "403": "Authenticated, but not allowed (only Advocates write).",
    "404": "No such object, or none you may see; also an out-of-range page.",
    "412": "The If-Match header names an older version: fetch the object again and reapply the change.",
    "429": "Throttled; retry after the number of seconds in Retry-After.",
}
CHANGE_REASON = OpenApiParameter(
    "X-Change-Reason",
    str,
    OpenApiParameter.HEADER,
    description="Why you make this change; kept in the history. Percent-encode non-ASCII text (UTF-8).",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag of the version you edited; 412 if the object changed since. Optional.",
)
ETAG = OpenApiParameter(
    "ETag", str, OpenApiParameter.HEADER, response=[200], description="The object's current version."
)


class ApiSchema(AutoSchema):
    """Documents the error answers every operation can give, so clients (and
    schemathesis) know them."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "404", "429"]
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.append("403")
        if self._is_versioned_write():
            codes.append("412")
        for code in codes:
            responses.setdefault(
                code,
                {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ERROR_BODY}},
                },
            )
        responses["429"]["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
        }
        return responses

    def get_override_parameters(self):
        parameters = [*super().get_override_parameters()]
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            parameters.append(CHANGE_REASON)
        if self._is_versioned_write():
            parameters.append(IF_MATCH)
        if isinstance(self.view, VersionedResourceMixin) and not self._is_list_view():
            parameters.append(ETAG)
        return parameters

    def _is_versioned_write(self):
        return isinstance(self.view, VersionedResourceMixin) and self.method in WRITE_METHODS


class ModelPermissions(DjangoModelPermissions):
    """DRF's, finding the model on the view's `queryset` attribute: DRF calls
    get_queryset() for it, building the visibility-filtered query a second
    time on every request."""

    def _queryset(self, view):
        if getattr(view, "queryset", None) is not None:
            return view.queryset
        return super()._queryset(view)


class ModelPermissionsOrAnonReadOnly(ModelPermissions, DjangoModelPermissionsOrAnonReadOnly):
    pass


class ApiViewMixin:
    renderer_classes = [ORJSONRenderer, renderers.BrowsableAPIRenderer]
    filter_backends = [FilterBackend]
    pagination_class = ApiPagination
    permission_classes = [ModelPermissionsOrAnonReadOnly]
    throttle_classes = [AnonThrottle, UserThrottle]

    def initial(self, request, *args, **kwargs):
        # LocaleMiddleware pins unprefixed URLs to the default language; API
        # clients choose theirs with Accept-Language.
        translation.activate(translation.get_language_from_request(request._request))
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept-Language", "Authorization", "Cookie"])
        return response


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    pass


class NotFoundView(ApiViewMixin, APIView):
    """Any other path under /api/v1/: a JSON 404 like the rest of the API,
    not the public site's HTML page."""

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()


# ---------------------------------------------------------------- cases


class CaseViewSet(
    VersionedResourceMixin,
    PrivateReadRecordMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ApiViewSet,
):
    """Cases. Anonymous clients see public cases only; a case they may not see
    answers 404, like one that does not exist. A case's ETag is its version:
    send it back as If-Match with a PATCH to be refused (412) rather than
    overwrite a change made since."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Case.objects.all()
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    pagination_class = CasePagination
    lookup_field = "reference"

    def get_queryset(self):
        # The kept queryset: visible_to() keeps its public part, built once.
        return self.queryset.visible_to(self.request.user)

    def filter_queryset(self, queryset):
        # The filters narrow the list (CasePagination reads its page as rows);
        # a case is found by its reference alone (building the filter set was
        # a quarter of a detail request), and read as a row unless written.
        if self.action == "list":
            return super().filter_queryset(queryset)
        return queryset.api_rows() if self.request.method in SAFE_METHODS else queryset


REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH, description="Case reference.")


@extend_schema(
    parameters=[
        REFERENCE,
        OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, description="An ETag seen before."),
        OpenApiParameter(
            "If-Modified-Since", str, OpenApiParameter.HEADER, description="HTTP date of a copy seen before."
        ),
        OpenApiParameter("ETag", str, OpenApiParameter.HEADER, response=[200, 304]),
        OpenApiParameter("Last-Modified", str, OpenApiParameter.HEADER, response=[200, 304]),
    ],
    responses={
        200: CaseStatusSerializer,
        304: OpenApiResponse(
            description="Not modified since the copy named by If-None-Match/If-Modified-Since."
        ),
        412: OpenApiResponse(description="An If-Match/If-Unmodified-Since precondition failed."),
    },
)
class CaseStatusView(ApiViewMixin, generics.RetrieveAPIView):
    """The compact status document a partner system polls. Send the ETag back
    as If-None-Match (or Last-Modified as If-Modified-Since): 304 while nothing
    changed."""

    # Built once, not on every poll: the row's columns, and for anonymous
    # clients the publication rule (visible_to() keeps the public part it
    # built; 0.4 ms of 2.9). Each request gets a copy, as DRF's .all() would
    # give it. The status document is a view of one case and where it is held
    # (StatusDocument): building the joins was a fifth of a status request.
    queryset = StatusDocument.objects.rows()
    serializer_class = CaseStatusSerializer
    lookup_field = "reference"
    filter_backends = []

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    def get_object(self):
        # get_queryset().get(reference=...), its SQL compiled once for public
        # and for all cases (get_visible()): building and compiling the query
        # took a fifth of a poll.
        try:
            document = self.queryset.get_visible(self.request.user, reference=self.kwargs["reference"])
        except StatusDocument.DoesNotExist:
            raise Http404(f"No {StatusDocument._meta.object_name} matches the given query.") from None
        self.check_object_permissions(self.request, document)
        return document

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        data = self.get_serializer(case).data
        facility_updated_at = case.facility_updated_at
        modified = max(case.updated_at, facility_updated_at) if facility_updated_at else case.updated_at
        # A digest of the body: it changes with the facility's details and
        # with the language of status_label, not only with the case row.
        response = Response(data)
        response["ETag"] = f'"{hashlib.sha256(orjson.dumps(data)).hexdigest()[:32]}"'
        response["Last-Modified"] = http_date(modified.timestamp())
        patch_cache_control(response, private=True, no_cache=True)
        return get_conditional_response(
            request._request,
            etag=response["ETag"],
            last_modified=int(modified.timestamp()),
            response=response,
        )


@extend_schema(parameters=[REFERENCE], responses=HistoryEntrySerializer(many=True))
class CaseHistoryView(ApiViewMixin, generics.GenericAPIView):
    """Every recorded change to the case, its status updates, custody rows,
    legal events and its person, newest first: when, who, what changed (field,
    old, new) and the editor's reason. Advocates, Readers and superusers only
    (anonymous clients get 401): history holds earlier values, some from
    before publication. Readers see no private fields and no editors' names."""

    serializer_class = HistoryEntrySerializer
    permission_classes = [CanReadHistory]
    filter_backends = []

    def get(self, request, reference):
        case = get_object_or_404(Case.objects.visible_to(request.user), reference=reference)
        page = self.paginate_queryset(history_entries(case_history_rows(case), user=request.user))
        if can_view_private(request.user):
            record_access(
                user=request.user,
                targets=[(Case, case.pk), *([(Person, case.person_id)] if case.person_id else [])],
                fields=["history"],
                via=f"API GET {request.path}",
            )
        # Entries are built JSON-ready; the serializer documents their shape.
        return self.get_paginated_response(page)


@extend_schema_view(list=extend_schema(parameters=[REFERENCE]), create=extend_schema(parameters=[REFERENCE]))
class CaseFactViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, ApiViewSet):
    """Facts of the case in the URL: read the list, append one."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.queryset.filter(case=self.case).prefetch_related("sources")

    @cached_property
    def case(self):
        return get_object_or_404(
            Case.objects.visible_to(self.request.user), reference=self.kwargs["reference"]
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["case"] = self.case
        return context


class StatusUpdateViewSet(PrivateReadRecordMixin, CaseFactViewSet):
    """Status history, latest first. Posting records a status change through
    the same service as the admin, so the case's status always equals the
    latest entry."""

    queryset = StatusUpdate.objects.select_related("recorded_by")
    serializer_class = StatusUpdateSerializer


class CustodyViewSet(CaseFactViewSet):
    """Custody rows, earliest first. A new row may not overlap another."""

    queryset = Custody.objects.select_related("facility")
    serializer_class = CustodySerializer


class LegalEventViewSet(CaseFactViewSet):
    """Legal events, earliest first."""

    queryset = LegalEvent.objects.all()
    serializer_class = LegalEventSerializer


class ChangeViewSet(mixins.ListModelMixin, ApiViewSet):
    """The change log: one event per change to a case (created, fields,
    status, custody, legal event), oldest first. Read on from the `cursor` of
    the previous response with ?after=<cursor>; a change is listed once it is
    API_CHANGES_SETTLE_SECONDS old, so none can appear behind a cursor."""

    # Built once, not on every poll, like CaseStatusView's: the rows' columns
    # and, for anonymous clients, the publication rule through the case's join
    # (kept by visible_to(); building it was a tenth of a poll). The reference
    # alone, not a Case instance per row, and rows with the serializer's
    # attributes, not model instances: 0.4 of 3.7 ms.
    queryset = CaseChange.objects.annotate(case_reference=F("case__reference")).values_list(
        "pk", "case_reference", "kind", "changed_at", named=True
    )
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilter
    pagination_class = ChangeLogPagination
    # Read-only; what is visible is decided by get_queryset(). (The model
    # permission check would also evaluate the settle horizon a second time.)
    permission_classes = [AllowAny]

    def get_queryset(self):
        return settled_changes(self.queryset.visible_to(self.request.user))


# ---------------------------------------------------------------- sources


class WritableViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ApiViewSet,
):
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class FacilityViewSet(WritableViewSet):
    """Places where people are or were held. Anonymous clients see those where
    a public case is or was held: a facility's name alone could tell that
    someone is held there."""

    queryset = Facility.objects.all()
    serializer_class = FacilitySerializer
    filterset_class = FacilityFilter
    lookup_field = "slug"

    def get_queryset(self):
        if can_view_unpublished(self.request.user):
            return Facility.objects.all()
        return Facility.objects.with_public_cases()


class ArticleViewSet(WritableViewSet):
    """Published reports. Anonymous clients see those a public case or account
    cites; `cases` lists only cases the client may see."""

    queryset = SourceArticle.objects.all()
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter

    def get_queryset(self):
        def citing(model, to_attr):
            facts = model.objects.visible_to(self.request.user).select_related("case").only("case__reference")
            return Prefetch(f"cited_in_{model._meta.model_name}", queryset=facts, to_attr=to_attr)

        articles = (
            SourceArticle.objects.all()
            if can_view_unpublished(self.request.user)
            else SourceArticle.objects.cited_publicly()
        )
        return articles.prefetch_related(
            citing(StatusUpdate, "cited_updates"),
            citing(Custody, "cited_custodies"),
            citing(LegalEvent, "cited_events"),
        )


class AccountViewSet(WritableViewSet):
    """People's own words as reported by an article. Anonymous clients see only
    accounts of consenting people with a public case."""

    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    queryset = Account.objects.all()

    def get_queryset(self):
        return Account.objects.all() if can_view_unpublished(self.request.user) else Account.objects.public()
