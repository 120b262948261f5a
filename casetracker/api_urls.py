"""REST API, version 1 (mounted at /api/v1/)."""

urlpatterns = []
