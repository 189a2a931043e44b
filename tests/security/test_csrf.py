"""Cross-site request forgery: every form the portal shows refuses a POST without its CSRF token, and
a forged cross-site login or code step changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from intake.models import AccessLink
from portal.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.helpers import open_patient_session
from tests.security.htmlforms import path_of
from tests.security.test_hostile_input import _patient_forms, _staff_forms, _unique
from tests.security.world import build_journey

pytestmark = pytest.mark.django_db


def _without_token(form) -> dict:
    data = form.fill(text="forged")
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_every_patient_and_staff_form_refuses_a_post_without_its_csrf_token(clinician, clinic_admin):
    journeys = [
        build_journey(first_name=f"Csrf{n}", clinician=clinician, upto=s)
        for n, s in enumerate(["explained", "understood", "checked_in"])
    ]
    problems, checked = [], 0
    for journey in journeys:
        for _page, form in _unique(_patient_forms(journey)):
            client = Client(enforce_csrf_checks=True)
            AccessLink.objects.filter(pk=journey.link.pk).update(revoked_at=None, locked_at=None)
            # A real patient session, borrowed by a client that enforces CSRF like a browser would.
            token_client = Client()
            open_patient_session(token_client, journey.token, journey.link)
            client.cookies = token_client.cookies
            before = AuditEvent.objects.count()
            response = client.post(path_of(form.action), _without_token(form))
            checked += 1
            if response.status_code != 403 or AuditEvent.objects.count() != before:
                problems.append(f"patient form {form.action}: {response.status_code} without a CSRF token")
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(clinic_admin)
    for _page, form in _unique(_staff_forms(journeys[-1], clinic_admin)):
        response = staff.post(path_of(form.action), _without_token(form))
        checked += 1
        if response.status_code != 403:
            problems.append(f"staff form {form.action}: {response.status_code} without a CSRF token")
    assert checked >= 10
    assert not problems, "\n".join(problems)


def test_the_date_of_birth_form_and_the_login_refuse_a_forged_post(patient_link, reception):
    link, token = patient_link
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/p/{token}/", {"date_of_birth": link.visit.patient.date_of_birth.isoformat()})
    assert response.status_code == 403
    assert client.get("/patient/").status_code == 404
    response = client.post("/accounts/login/", {"username": reception.username, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
