import pytest
from django.test import Client


@pytest.fixture
def as_user():
    """as_user(user) -> a test client logged in as that staff member."""

    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login
