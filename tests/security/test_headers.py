"""Response headers, error pages and the production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import include, path
from rest_framework.views import APIView

from casetracker import urls as project_urls
from security.models import ApiToken
from tests.conftest import make_case

BASE_DIR = Path(__file__).resolve().parents[2]


class Boom(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("CANARY-TRACEBACK secret detail")


urlpatterns = [path("api/v1/boom/", include(([path("", Boom.as_view())], "api"))), *project_urls.urlpatterns]
handler500 = project_urls.handler500


def csp(response):
    return dict(part.split(" ", 1) for part in response["Content-Security-Policy"].split("; "))


def test_public_page_headers(client, db):
    make_case()
    response = client.get("/cases/")
    policy = csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    # Anonymous public pages may be cached.
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/cases/"])
def test_public_pages_have_no_inline_script_or_style(client, db, path):
    page = client.get(path).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page
    assert " style=" not in page


def test_api_and_admin_are_never_stored(client, db, advocate):
    _token, key = ApiToken.objects.issue(user=advocate)
    for response in (
        Client().get("/api/v1/cases/"),
        Client().get("/api/v1/nowhere/"),
        Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/people/"),
        Client().get("/admin/login/"),
    ):
        assert "no-store" in response["Cache-Control"]
    client.force_login(advocate)
    for url in ("/admin/", "/cases/"):
        assert "no-store" in client.get(url)["Cache-Control"]


def test_docs_run_under_the_policy_with_nonces(client, db):
    docs = client.get("/api/v1/docs/")
    nonce = re.search(r"'nonce-([^']+)'", csp(docs)["style-src"]).group(1)
    page = docs.content.decode()
    assert f'<style nonce="{nonce}">' in page
    # Swagger UI's start-up script comes from a URL, not inline.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    redoc = client.get("/api/v1/redoc/")
    assert "fonts.googleapis.com" not in redoc.content.decode()
    assert csp(redoc)["script-src"] == "'self'"


def test_hsts_in_production(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_api_500_is_json_without_traceback(settings, db):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/api/v1/boom/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error; it has been logged."}
    assert b"CANARY-TRACEBACK" not in response.content


def production_environment(tmp_path):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY="k3y-" + "Zq8#vR2!mW5@xT9$" * 4,
        DJANGO_ALLOWED_HOSTS="cases.example.org",
        CASETRACKER_FIELD_KEYS="5IbjwORX5v6fpq5nUTTOMJhfuVGWbGDTMaoKWKKw2yU=",
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
    )
    return environment


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
