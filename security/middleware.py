from django.utils.cache import add_never_cache_headers

API_NAMESPACE = "api"
# URL namespaces whose responses are never stored by a browser or a shared cache.
PRIVATE_NAMESPACES = {API_NAMESPACE, "admin"}


class NoStoreMiddleware:
    """Cache-Control: no-store on the API, the admin and any page a logged-in
    user gets: private data must not linger in a cache or in the browser's
    history. Anonymous public pages stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        user = getattr(request, "user", None)
        if (match is not None and PRIVATE_NAMESPACES & set(match.namespaces)) or (
            user is not None and user.is_authenticated
        ):
            add_never_cache_headers(response)
        return response
