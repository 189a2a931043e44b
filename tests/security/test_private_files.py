"""PDFs live outside anything served publicly and leave only through views that check access."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.helpers import open_patient_session
from tests.security.world import build_journey

pytestmark = pytest.mark.django_db


def test_private_files_are_not_under_a_public_folder():
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for public in [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]:
        assert not private.is_relative_to(public.resolve())
    assert settings.STORAGES["default"]["OPTIONS"].get("base_url") in (None, "")
    assert getattr(settings, "MEDIA_ROOT", "") in ("", None)  # nothing is served from a media folder


def test_stored_pdfs_have_no_public_address_and_leave_only_through_checked_views(clinician, clinic_admin):
    from consent.models import ConsentRecord

    journey = build_journey(first_name="Filippa", clinician=clinician)
    record = ConsentRecord.objects.get(visit=journey.visit)
    name = record.pdf.name
    anonymous = Client()
    for guess in (f"/{name}", f"/media/{name}", f"/static/{name}", f"/private/{name}", f"/var/private/{name}"):
        assert anonymous.get(guess).status_code == 404, guess
    assert anonymous.get(f"/staff/consent/{record.pk}/pdf/").status_code == 302
    assert anonymous.get("/patient/consent/copy.pdf").status_code == 404

    staff = Client()
    staff.force_login(clinic_admin)
    patient = Client()
    open_patient_session(patient, journey.token, journey.link)
    for client, url in ((staff, f"/staff/consent/{record.pk}/pdf/"), (patient, "/patient/consent/copy.pdf")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith(("inline", "attachment")), url
        assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"], url


def test_every_html_page_carries_the_content_security_policy(client, patient_link):
    _link, token = patient_link
    for url in ("/accounts/login/", f"/p/{token}/", "/no-such-page/"):
        csp = client.get(url).get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
