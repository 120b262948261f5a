from tests.api.conftest import _api_settings, advocate_client, anon_client, reader_client

# The API's role clients and settings, for the history endpoint's tests.
__all__ = ["_api_settings", "advocate_client", "anon_client", "reader_client"]
