"""django-axes hooks: who the client is, and the page a locked-out login gets."""

from axes.helpers import get_cool_off
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from rest_framework.throttling import BaseThrottle


def client_address(request):
    """The client's address as the API throttles see it (API_NUM_PROXIES):
    behind a proxy, a forged X-Forwarded-For must not dodge the lockout."""
    return BaseThrottle().get_ident(request)


def lockout_response(request, original_response, credentials):
    """A page that says the login is locked and until when (every further
    failure restarts the wait)."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "retry_at": timezone.now() + cool_off if cool_off else None,
        "cool_off_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    # Rendered here: django-axes hands this back from its middleware, past
    # the point where a TemplateResponse would be rendered.
    return render(request, "security/locked_out.html", context, status=429)
