"""casetracker settings: one file, driven by environment variables.

Defaults are safe for local use (SQLite file, DEBUG on, loopback hosts). With
DJANGO_DEBUG=False the process refuses to start unless DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS are set, so a production deploy can never run on the
development key.
"""

import base64
import datetime
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS")
if not DEBUG:
    missing = [
        name
        for name, value in (
            ("DJANGO_SECRET_KEY", SECRET_KEY),
            ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS),
            ("CASETRACKER_FIELD_KEYS", os.environ.get("CASETRACKER_FIELD_KEYS")),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            f"DJANGO_DEBUG is off but {', '.join(missing)} is not set; "
            "refusing to start with development defaults."
        )
else:
    # Development only: a fixed key is harmless while DEBUG is on and the
    # server listens on loopback.
    SECRET_KEY = SECRET_KEY or "django-insecure-local-development-key-do-not-deploy"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]

# Keys for the fields encrypted at rest (alien_number, date_of_birth): Fernet
# keys, comma-separated; the first encrypts, all decrypt (rotation). `make run`
# generates a local key once into .env.local (git-ignored). Without one, DEBUG
# falls back to a key derived from the development SECRET_KEY.
FIELD_ENCRYPTION_KEYS = envlist("CASETRACKER_FIELD_KEYS") or [
    base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
]

CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, with the two-factor login site (security.admin_site).
    "security.apps.SecurityAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "rest_framework",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "security",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "simple_history",
    "audit",
    "people",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.NoStoreMiddleware",
    # Lets history rows name the user who made the change (after authentication).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casetracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "casetracker.wsgi.application"

# SQLite file by default; DATABASE_URL (postgres://user@host:port/name) selects
# PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short queries only: PostgreSQL's JIT compiled the plan of an
    # updated_since poll for 35 ms to run it in 5 (the planner's cost for its
    # correlated subquery crosses jit_above_cost once the table is large).
    # Added to any options DATABASE_URL gives (?options=...), not in their place.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Photo uploads: refused above these caps (see people/photos.py).
PHOTO_MAX_BYTES = int(os.environ.get("CASETRACKER_PHOTO_MAX_BYTES", 10_000_000))
PHOTO_MAX_PIXELS = int(os.environ.get("CASETRACKER_PHOTO_MAX_PIXELS", 40_000_000))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"

# ---------------------------------------------------------------- login, tokens, headers
# See README "Security".

AUTHENTICATION_BACKENDS = [
    # Refuses every login, the right password too, while an account or an
    # address is locked out; counts failures.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading permissions in one query instead of two.
    "security.backends.ModelBackend",
]
# Locked after this many failed logins of one account, or from one address
# (each counted alone), within the cool-off; the lock lasts the cool-off after
# the latest failure. Admin login and the API token endpoint alike.
AXES_FAILURE_LIMIT = int(os.environ.get("CASETRACKER_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("CASETRACKER_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "security.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]

# Two-factor login (TOTP): optional per person; with this on, staff must enrol.
CASETRACKER_REQUIRE_2FA = envbool("CASETRACKER_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "casetracker"
# Nobody, superusers included, reads another person's TOTP secret in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# API tokens expire this many days after they are made; 0: never.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "90"))

# HTTPS in production. Behind a proxy that terminates TLS, set
# DJANGO_BEHIND_TLS_PROXY so redirects do not loop; the proxy must set
# X-Forwarded-Proto itself.
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
if envbool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Admin and case URLs name people: other sites never learn them.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything from this server: no CDN, no inline code without the per-response nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # Swagger UI's stylesheet draws its icons as data: URIs.
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Redoc styles itself with injected <style> elements, which carry no nonce,
# and runs its search in a worker made from a blob: URL.
REDOC_CSP = {**SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE], "worker-src": [CSP.SELF, "blob:"]}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "cases.api.ApiSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "security.authentication.ApiTokenAuthentication",
        "security.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    # JSON only: form encodings would double what the schema promises and tests cover.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Renderers, pagination and throttle classes are set on cases.api.ApiViewSet:
    # naming project classes here would import them while DRF's views import.
    # Partner systems poll every few minutes; these rates only stop runaway
    # clients. An empty rate switches that throttle off.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "120/minute") or None,
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute") or None,
    },
    # Proxies in front of the app: throttling then identifies a client by the
    # right X-Forwarded-For entry. Unset, a client can pick its own identity.
    "NUM_PROXIES": int(os.environ["API_NUM_PROXIES"]) if os.environ.get("API_NUM_PROXIES") else None,
    "EXCEPTION_HANDLER": "cases.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Transactions commit out of order: the change feed serves a change only once
# it is this old, so a slower transaction can never commit behind a client's
# cursor. Must exceed the longest transaction that records a case change.
API_CHANGES_SETTLE_SECONDS = float(os.environ.get("API_CHANGES_SETTLE_SECONDS", "2"))

SPECTACULAR_SETTINGS = {
    "TITLE": "casetracker API",
    "DESCRIPTION": "Cases of detained military defectors: status, custody, legal events, sources.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # One schema name for each choice set several fields share.
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "cases.dates.DatePrecision",
        "CountryEnum": "django_countries.countries",
    },
}

# Every handler takes the filter: a database error's message can quote a
# person's row (casetracker/log_filters.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "withhold_database_values": {"()": "casetracker.log_filters.WithholdDatabaseValues"},
        "without_query_strings": {"()": "casetracker.log_filters.WithoutQueryStrings"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["withhold_database_values"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["without_query_strings"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Without Django's own handlers for its records (a console one under
        # DEBUG, mail_admins), which would write them unfiltered: they reach the root's.
        "django": {"level": "INFO"},
        # runserver's request lines, as Django logs them, less the query strings.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
