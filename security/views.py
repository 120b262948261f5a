from django.http import JsonResponse
from django.views import defaults

from security.middleware import API_NAMESPACE


def server_error(request):
    """handler500: JSON for API clients, the site's page for everyone else;
    neither carries a traceback."""
    match = request.resolver_match
    if match is not None and API_NAMESPACE in match.namespaces:
        return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
    return defaults.server_error(request)
