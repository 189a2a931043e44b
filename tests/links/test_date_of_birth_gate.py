from datetime import timedelta

import pytest

from intake.links.tokens import new_token
from intake.models import AccessLink
from portal.models import AuditEvent
from tests.factories import AccessLinkFactory
from tests.helpers import open_patient_session


@pytest.mark.django_db
def test_the_link_alone_shows_no_personal_data(client, patient_link):
    link, token = patient_link
    response = client.get(f"/p/{token}/")
    assert response.status_code == 200
    assert link.visit.patient.first_name not in response.content.decode()
    assert client.get("/patient/").status_code == 404


@pytest.mark.django_db
def test_the_right_date_of_birth_opens_the_visit(client, patient_link):
    link, token = patient_link
    open_patient_session(client, token, link)
    assert client.get("/patient/").status_code == 200
    link.refresh_from_db()
    assert link.last_used_at is not None
    assert link.visit.opened_at is not None
    assert AuditEvent.objects.filter(action="link.dob_confirmed", access_link=link).count() == 1


@pytest.mark.django_db
def test_five_wrong_dates_lock_the_link_and_each_is_audited(client, patient_link):
    link, token = patient_link
    wrong = (link.visit.patient.date_of_birth - timedelta(days=1)).isoformat()
    for _attempt in range(4):
        response = client.post(f"/p/{token}/", {"date_of_birth": wrong})
        assert response.status_code == 200
        assert b"does not match" in response.content
    response = client.post(f"/p/{token}/", {"date_of_birth": wrong})
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.locked_at is not None
    assert AuditEvent.objects.filter(action="link.dob_failed", access_link=link).count() == 5
    assert AuditEvent.objects.filter(action="link.locked", access_link=link).count() == 1
    # Even the right date no longer opens a locked link.
    response = client.post(f"/p/{token}/", {"date_of_birth": link.visit.patient.date_of_birth.isoformat()})
    assert response.status_code == 403
    assert client.get("/patient/").status_code == 404


@pytest.mark.django_db
def test_a_malformed_date_is_a_message_not_an_attempt(client, patient_link):
    link, token = patient_link
    response = client.post(f"/p/{token}/", {"date_of_birth": "31/31/1990"})
    assert response.status_code == 200
    assert b"Enter a real date" in response.content
    assert AccessLink.objects.get(pk=link.pk).failed_dob_attempts == 0


@pytest.mark.django_db
def test_a_session_only_reaches_the_visit_it_was_granted(client, patient_link):
    link, token = patient_link
    other_token = new_token()
    other = AccessLinkFactory(token=other_token)
    open_patient_session(client, token, link)
    # Opening another visit's link asks for that patient's date of birth again.
    response = client.get(f"/p/{other_token}/")
    assert response.status_code == 200
    assert b"date of birth" in response.content.lower()
    assert other.visit.patient.first_name.encode() not in response.content


@pytest.mark.django_db
def test_the_grant_lapses_when_the_link_is_revoked(client, patient_link):
    from django.utils import timezone

    link, token = patient_link
    open_patient_session(client, token, link)
    AccessLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    assert client.get("/patient/").status_code == 404
