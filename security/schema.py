"""OpenAPI descriptions of the project's authentication classes (drf-spectacular)."""

from drf_spectacular.authentication import SessionScheme


class VerifiedSessionScheme(SessionScheme):
    target_class = "security.authentication.SessionAuthentication"
