"""Small helpers shared by the tests."""

from contextlib import contextmanager
from unittest import mock

from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from intake.models import AccessLink


def open_patient_session(client: Client, token: str, link: AccessLink | None = None) -> None:
    """Open the link and confirm the date of birth, as the patient would."""
    if link is None:
        from intake.links.tokens import find_usable_link

        link = find_usable_link(token)
    response = client.post(f"/p/{token}/", {"date_of_birth": link.visit.patient.date_of_birth.isoformat()})
    assert response.status_code == 302, (response.status_code, response.content.decode()[-3000:])


@contextmanager
def database_down():
    """Every database connection refuses, as during an outage: opening one (or using an open one) fails."""
    refused = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused):
        yield
