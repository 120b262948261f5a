"""Public, read-only pages (mounted under i18n_patterns: English unprefixed, Spanish /es/)."""

urlpatterns = []
