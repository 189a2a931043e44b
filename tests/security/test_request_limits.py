"""Request size limits: an oversized body or too many fields is a 400, never a crash or a slow parse."""

import pytest
from django.conf import settings

from intake.models import AccessLink
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_oversized_body_on_the_date_of_birth_form_is_refused(client, patient_link):
    link, token = patient_link
    body = "date_of_birth=1990-01-01&pad=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(f"/p/{token}/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert AccessLink.objects.get(pk=link.pk).failed_dob_attempts == 0


def test_too_many_fields_on_the_date_of_birth_form_are_refused(client, patient_link):
    _link, token = patient_link
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(f"/p/{token}/", fields)
    assert response.status_code == 400


def test_too_many_fields_on_the_staff_login_are_refused(client, reception):
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/accounts/login/", {"username": reception.username, "password": "x", **fields})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_an_oversized_login_body_is_refused(client, reception):
    body = "username=a&password=" + "p" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/accounts/login/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_the_limits_are_set():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000


def test_an_oversized_file_upload_is_refused_before_it_is_read(client, clinic_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    client.force_login(clinic_admin)
    with override_settings(MAX_REQUEST_BYTES=1024 * 1024):
        big = SimpleUploadedFile("consent.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024), "application/pdf")
        response = client.post("/staff/consent/verify/", {"file": big})
    assert response.status_code == 400
