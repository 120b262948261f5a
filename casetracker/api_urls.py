"""REST API, version 1 (mounted at /api/v1/)."""

from django.conf import settings
from django.urls import path, re_path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from cases.api import (
    AccountViewSet,
    ArticleViewSet,
    CaseHistoryView,
    CaseStatusView,
    CaseViewSet,
    ChangeViewSet,
    CustodyViewSet,
    FacilityViewSet,
    LegalEventViewSet,
    NotFoundView,
    StatusUpdateViewSet,
)
from people.api import ConsentViewSet, PersonViewSet
from security.api import ApiTokenViewSet, ObtainTokenView

# Namespaced: the public pages own names like "case-detail".
app_name = "api"

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("people", PersonViewSet, basename="person")
router.register("facilities", FacilityViewSet, basename="facility")
router.register("articles", ArticleViewSet, basename="article")
router.register("accounts", AccountViewSet, basename="account")
router.register("changes", ChangeViewSet, basename="change")
router.register("auth/tokens", ApiTokenViewSet, basename="token")

LIST_AND_APPEND = {"get": "list", "post": "create"}

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, which the CSP allows.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        csp_override(settings.REDOC_CSP)(SpectacularRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
    path("cases/<str:reference>/status/", CaseStatusView.as_view(), name="case-status"),
    path("cases/<str:reference>/history/", CaseHistoryView.as_view(), name="case-history"),
    path(
        "cases/<str:reference>/status-updates/",
        StatusUpdateViewSet.as_view(LIST_AND_APPEND),
        name="case-status-updates",
    ),
    path("cases/<str:reference>/custody/", CustodyViewSet.as_view(LIST_AND_APPEND), name="case-custody"),
    path(
        "cases/<str:reference>/legal-events/",
        LegalEventViewSet.as_view(LIST_AND_APPEND),
        name="case-legal-events",
    ),
    path("people/<int:person_id>/consents/", ConsentViewSet.as_view(LIST_AND_APPEND), name="person-consents"),
    *router.urls,
    re_path(r"", NotFoundView.as_view(), name="not-found"),
]
