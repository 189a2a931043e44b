"""The date-of-birth check: impossible dates are typing slips (a message, not an attempt)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from intake.models import AccessLink
from portal.models import AuditEvent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ((timezone.localdate() + timedelta(days=1)).isoformat(), "in the future"),
        ("1850-05-05", "check the year"),
        ("2001-02-30", "Enter a real date"),
        ("", "Enter your date of birth"),
    ],
)
def test_an_impossible_date_of_birth_gets_a_message_and_is_not_counted(client, patient_link, typed, message):
    link, token = patient_link
    response = client.post(f"/p/{token}/", {"date_of_birth": typed})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert AccessLink.objects.get(pk=link.pk).failed_dob_attempts == 0
    assert not AuditEvent.objects.filter(action="link.dob_failed").exists()


@pytest.mark.django_db
def test_opening_the_link_again_after_confirming_goes_straight_to_the_steps(client, patient_link):
    link, token = patient_link
    client.post(f"/p/{token}/", {"date_of_birth": link.visit.patient.date_of_birth.isoformat()})
    response = client.get(f"/p/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "/patient/"
