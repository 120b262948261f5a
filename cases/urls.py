"""Public, read-only pages (mounted under i18n_patterns: English unprefixed, Spanish /es/)."""

from django.urls import path

from cases import feeds, views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<str:reference>/", views.case_detail, name="case-detail"),
    path("cases/<str:reference>/feed/", feeds.CaseStatusFeed(), name="case-feed"),
    path("facilities/", views.facility_list, name="facility-list"),
    path("facilities/<slug:slug>/", views.facility_detail, name="facility-detail"),
    path("sources/", views.source_list, name="source-list"),
    path("feed/", feeds.StatusFeed(), name="feed"),
]
