from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from cases.sitemaps import sitemaps
from cases.views import robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("casetracker.api_urls")),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    # Paginated with ?p=N; the index lists every page.
    path(
        "sitemap-<slug:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots-txt"),
]

# Public pages: English unprefixed, Spanish under /es/.
urlpatterns += i18n_patterns(path("", include("cases.urls")), prefix_default_language=False)

# JSON under /api/, the site's page elsewhere; never a traceback.
handler500 = "security.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
