"""The patient's consent pages: signing on their link, their copy, withdrawal, re-consent."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from consent import services
from consent.demo import demo_signature_png
from consent.models import ConsentRecord, ConsentVersion
from portal.models import AuditEvent
from tests.consent.conftest import pdf_text
from tests.helpers import open_patient_session

SIGNATURE = "data:image/png;base64," + base64.b64encode(demo_signature_png()).decode()


@pytest.fixture
def patient(client, patient_link, consent_version):
    """A client holding a patient session for a visit that has passed the understanding check."""
    link, token = patient_link
    visit = link.visit
    visit.understanding_done_at = timezone.now()
    visit.save()
    open_patient_session(client, token, link)
    return client


def form_data(visit, version, **overrides) -> dict:
    data = {
        "version_id": str(version.pk),
        "electronic_signature": "on",
        "read_and_understood": "on",
        "voluntary": "on",
        "typed_name": visit.patient.full_name,
        "signature": SIGNATURE,
        "time_zone": "America/New_York",
    }
    data.update({f"risk_{index}": "on" for index in range(len(version.risks))})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_without_a_patient_session_the_page_is_the_calm_not_valid_page(client, consent_version):
    response = client.get("/patient/consent/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content


def test_before_the_understanding_check_the_patient_is_sent_back(client, patient_link, consent_version):
    link, token = patient_link
    open_patient_session(client, token, link)
    response = client.get("/patient/consent/")
    assert response.status_code == 302
    assert not response["Location"].startswith("/patient/consent")


def test_the_signing_page_shows_the_consent_text_and_every_risk(patient, patient_link, consent_version):
    response = patient.get("/patient/consent/")
    assert response.status_code == 200
    page = response.content.decode()
    assert consent_version.title in page
    for risk in consent_version.risks:
        assert risk["name"] in page
    assert "I can" in page and "draw a signature" in page  # the typed-only path
    assert "paper copy" in page  # e-signature disclosures
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]


def test_a_patient_signs_with_a_drawn_signature(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    response = patient.post("/patient/consent/", form_data(visit, consent_version), HTTP_USER_AGENT="PhoneBrowser/1")
    assert response.status_code == 302
    record = ConsentRecord.objects.get(visit=visit)
    assert record.signature_method == "drawn"
    assert record.signed_time_zone == "America/New_York"
    assert record.user_agent == "PhoneBrowser/1"
    assert record.ip == "127.0.0.1"
    assert set(record.acknowledgements["risks"]) == {risk["name"] for risk in consent_version.risks}
    visit.refresh_from_db()
    assert visit.signed_at is not None


def test_a_patient_signs_with_the_typed_only_path(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    response = patient.post(
        "/patient/consent/", form_data(visit, consent_version, signature="", cannot_draw="on", time_zone="")
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get(visit=visit)
    assert record.signature_method == "typed"
    assert record.signed_time_zone == "UTC"  # no browser time zone: the clinic's


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"signature": ""}, "Draw your signature"),
        ({"signature": "data:image/gif;base64,R0lGODlh"}, "could not be read"),
        ({"typed_name": "Somebody Else"}, "first name and your last name"),
        ({"risk_3": None}, "understand this risk"),
        ({"electronic_signature": None}, "sign electronically"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_record(patient, patient_link, consent_version, overrides, message):
    visit = patient_link[0].visit
    response = patient.post("/patient/consent/", form_data(visit, consent_version, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ConsentRecord.objects.exists()
    assert AuditEvent.objects.filter(action="consent.sign_invalid").exists()


def test_a_form_for_an_older_version_is_not_signed(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    stale = ConsentVersion.objects.create(
        key="dry-needling", version=9, language="en", title="Old", body="x", effective_date="2020-01-01"
    )
    response = patient.post("/patient/consent/", form_data(visit, consent_version, version_id=str(stale.pk)))
    assert response.status_code == 200
    assert "has just been updated" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_minor_needs_a_guardian_name_and_relationship(client, consent_version):
    from intake.links.tokens import new_token
    from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory

    child = PatientFactory(first_name="Tom", last_name="Becker", date_of_birth=date(timezone.now().year - 12, 1, 1))
    visit = VisitFactory(patient=child, understanding_done_at=timezone.now())
    token = new_token()
    link = AccessLinkFactory(visit=visit, token=token)
    open_patient_session(client, token, link)

    page = client.get("/patient/consent/").content.decode()
    assert "parent or legal guardian" in page

    response = client.post("/patient/consent/", form_data(visit, consent_version, typed_name="Anna"))
    body = response.content.decode()
    assert "Tell us how you are related" in body
    assert "Type your own first and last name" in body
    assert not ConsentRecord.objects.exists()

    response = client.post(
        "/patient/consent/",
        form_data(
            visit,
            consent_version,
            typed_name="Anna Becker",
            guardian_relationship="Mother",
            guardian_involved_minor="on",
        ),
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert record.signer_role == "guardian"
    assert (record.signer_name, record.guardian_relationship) == ("Anna Becker", "Mother")


def test_signing_twice_shows_the_signed_copy_instead(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    patient.post("/patient/consent/", form_data(visit, consent_version))
    response = patient.post("/patient/consent/", form_data(visit, consent_version))
    assert response.status_code == 302
    assert response["Location"] == "/patient/consent/signed/"
    assert ConsentRecord.objects.count() == 1


def test_a_pdf_failure_shows_a_calm_try_again_page_and_a_retry_works(
    patient, patient_link, consent_version, monkeypatch
):
    visit = patient_link[0].visit
    real = services.render_consent_pdf

    def broken(record):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(services, "render_consent_pdf", broken)
    response = patient.post("/patient/consent/", form_data(visit, consent_version))
    assert response.status_code == 503
    assert "Nothing was saved" in response.content.decode()
    assert not ConsentRecord.objects.exists()

    monkeypatch.setattr(services, "render_consent_pdf", real)
    response = patient.post("/patient/consent/", form_data(visit, consent_version))
    assert response.status_code == 302
    assert ConsentRecord.objects.count() == 1


def test_the_patient_downloads_their_copy_and_it_is_audited(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    patient.post("/patient/consent/", form_data(visit, consent_version))
    page = patient.get("/patient/consent/signed/")
    assert "Download your signed copy" in page.content.decode()

    response = patient.get("/patient/consent/copy.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    record = ConsentRecord.objects.get()
    with default_storage.open(record.pdf.name, "rb") as handle:
        assert data == handle.read()
    assert visit.patient.full_name in pdf_text(data)
    assert AuditEvent.objects.filter(action="consent.pdf_downloaded", object_id=str(record.pk)).exists()


def test_the_patient_withdraws_and_the_record_stays(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    patient.post("/patient/consent/", form_data(visit, consent_version))
    response = patient.post("/patient/consent/withdraw/", {"reason": "Changed my mind", "confirm": "on"})
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert record.withdrawn_at is not None
    assert record.withdrawn_by is None
    assert record.withdrawn_reason == "Changed my mind"
    visit.refresh_from_db()
    assert visit.signed_at is None
    assert "You have withdrawn your consent" in patient.get("/patient/consent/signed/").content.decode()
    # They may sign again later.
    assert patient.get("/patient/consent/").status_code == 200


def test_withdrawing_needs_the_confirmation_box(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    patient.post("/patient/consent/", form_data(visit, consent_version))
    response = patient.post("/patient/consent/withdraw/", {"reason": ""})
    assert response.status_code == 200
    assert ConsentRecord.objects.get().withdrawn_at is None


def test_a_newer_version_asks_the_patient_to_re_consent(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    patient.post("/patient/consent/", form_data(visit, consent_version))
    ConsentVersion.objects.filter(pk=consent_version.pk).update(is_active=False)
    newer = ConsentVersion.objects.create(
        key="dry-needling",
        version=2,
        language="en",
        title="Consent to dry needling",
        body="## Changed\nThe clinic changed this text.",
        risks=consent_version.risks,
        effective_date="2026-06-01",
        is_active=True,
    )
    assert "updated the consent text" in patient.get("/patient/consent/signed/").content.decode()
    page = patient.get("/patient/consent/")
    assert page.status_code == 200
    assert "The clinic changed this text." in page.content.decode()

    response = patient.post("/patient/consent/", form_data(visit, newer))
    assert response.status_code == 302
    assert ConsentRecord.objects.active().get().consent_version == newer
    assert ConsentRecord.objects.count() == 2


def test_without_an_active_consent_text_the_patient_sees_a_calm_page(client, patient_link):
    link, token = patient_link
    link.visit.understanding_done_at = timezone.now()
    link.visit.save()
    open_patient_session(client, token, link)
    response = client.get("/patient/consent/")
    assert response.status_code == 503
    assert "not ready yet" in response.content.decode()


def test_before_your_visit_offers_the_signed_copy_only_once_signed(client, ready_visit, sign):
    from tests.factories import AccessLinkFactory
    from tests.helpers import open_patient_session

    token = "before-visit-copy-token-0123456789abcdef"
    AccessLinkFactory(visit=ready_visit, token=token)
    open_patient_session(client, token)
    assert "/patient/consent/copy.pdf" not in client.get("/patient/before-your-visit/").content.decode()

    sign(ready_visit)
    page = client.get("/patient/before-your-visit/").content.decode()
    assert "/patient/consent/copy.pdf" in page
    download = client.get("/patient/consent/copy.pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_an_oversized_signature_is_refused_named_and_not_echoed_back(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    huge = "data:image/png;base64," + "A" * 1_900_000
    response = patient.post("/patient/consent/", form_data(visit, consent_version, signature=huge))
    assert response.status_code == 200
    body = response.content.decode()
    assert len(body) < 200_000
    assert "A" * 1000 not in body
    summary = body.split('id="form-errors"')[1].split("</div>")[0]
    assert "signature" in summary.lower()
    assert not ConsentRecord.objects.filter(visit=visit).exists()


@pytest.mark.django_db
def test_a_valid_signature_is_kept_when_another_answer_needs_attention(patient, patient_link, consent_version):
    visit = patient_link[0].visit
    data = form_data(visit, consent_version)
    data.pop("voluntary")
    response = patient.post("/patient/consent/", data)
    assert response.status_code == 200
    assert data["signature"] in response.content.decode()


def test_the_typed_name_is_kept_and_shown_as_typed_not_lower_case(patient, patient_link, consent_version):
    link, _token = patient_link
    typed = f"{link.visit.patient.first_name.upper()} {link.visit.patient.last_name}"
    patient.post("/patient/consent/", form_data(link.visit, consent_version, typed_name=typed))
    record = ConsentRecord.objects.get(visit=link.visit)
    assert record.signer_name == typed
    assert f"Signed by {typed}" in patient.get("/patient/consent/signed/").content.decode()
