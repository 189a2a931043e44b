import pytest
from django.core.cache import cache
from django.test import Client

from api.models import Scope
from api.services import create_token

# Signing a consent through the consent app's own service, and a screened visit with a flag.
from tests.consent.conftest import consent_version, sign  # noqa: F401
from tests.staff.conftest import as_user, screened_visit  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_token(clinic_admin):
    """make_token(*scopes, **options) -> (token, secret)."""

    def _make(*scopes: str, **options):
        return create_token(
            name=options.pop("name", "Practice system"), scopes=list(scopes), by=clinic_admin, **options
        )

    return _make


@pytest.fixture
def api_client(make_token):
    """api_client(*scopes) -> a test client whose every call carries a token with those scopes."""

    def _client(*scopes: str, **options) -> Client:
        _, secret = make_token(*(scopes or Scope.values), **options)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return _client
