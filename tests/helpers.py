"""Small helpers shared by the tests."""

from django.test import Client

from intake.models import AccessLink


def open_patient_session(client: Client, token: str, link: AccessLink | None = None) -> None:
    """Open the link and confirm the date of birth, as the patient would."""
    if link is None:
        from intake.links.tokens import find_usable_link

        link = find_usable_link(token)
    response = client.post(f"/p/{token}/", {"date_of_birth": link.visit.patient.date_of_birth.isoformat()})
    assert response.status_code == 302, (response.status_code, response.content.decode()[-3000:])
