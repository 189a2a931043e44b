from datetime import date

import pytest

from intake.links.tokens import new_token
from intake.models import AccessLink, Patient, PatientChange
from portal.models import AuditEvent
from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_the_record_shows_visits_screening_flags_with_their_rule_and_links(clinician, as_user, screened_visit):
    AccessLinkFactory(visit=screened_visit)

    response = as_user(clinician).get(f"/staff/patients/{screened_visit.patient_id}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Takes a blood thinner" in body
    assert "Anticoagulants raise the bleeding risk" in body
    assert "Active" in body
    assert AuditEvent.objects.filter(action="patient.viewed", patient=screened_visit.patient, actor=clinician).exists()


def test_the_record_shows_a_signed_consent_with_links_to_the_pdf(reception, as_user, screened_visit, sign):
    record = sign(screened_visit)
    body = as_user(reception).get(f"/staff/patients/{screened_visit.patient_id}/").content.decode()
    assert "awaiting clinician confirmation" in body
    assert f"/staff/consent/{record.pk}/" in body


def test_the_record_escapes_what_a_patient_typed(reception, as_user):
    visit = VisitFactory(patient=PatientFactory(first_name="<script>alert(1)</script>"))
    body = as_user(reception).get(f"/staff/patients/{visit.patient_id}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_unknown_or_malformed_ids_are_404(clinician, as_user):
    client = as_user(clinician)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/staff/patients/{missing}/").status_code == 404
    assert client.get("/staff/patients/not-a-uuid/").status_code == 404
    assert client.get(f"/staff/visits/{missing}/review/").status_code == 404
    assert client.get(f"/staff/visits/{missing}/link/").status_code == 404
    assert client.post(f"/staff/links/{missing}/revoke/").status_code == 404
    assert client.post(f"/staff/visits/{missing}/kiosk/").status_code == 404


def _edit_data(patient, **changes):
    data = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "preferred_name": patient.preferred_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "email": patient.email,
        "phone": patient.phone,
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "emergency_contact_relationship": "",
        "preferred_language": patient.preferred_language,
        "revision": patient.revision,
    }
    data.update(changes)
    return data


def test_editing_details_keeps_a_history_of_who_changed_which_fields(reception, as_user):
    patient = PatientFactory(first_name="Zoe")
    response = as_user(reception).post(
        f"/staff/patients/{patient.pk}/edit/", _edit_data(patient, first_name="Zoë", phone="(201) 777-1234")
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.first_name == "Zoë" and patient.phone == "+12017771234"
    assert patient.revision == 2
    change = PatientChange.objects.get(patient=patient)
    assert change.changed_by == reception and sorted(change.fields) == ["first_name", "phone"]
    event = AuditEvent.objects.get(action="patient.updated")
    assert "Zoë" not in str(event.details)
    body = as_user(reception).get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "changed first_name, phone" in body


def test_a_save_made_by_someone_else_meanwhile_is_not_overwritten(reception, clinician, as_user):
    patient = PatientFactory(email="old@example.com", phone="+12015550111")
    stale = _edit_data(patient)  # both open the form at revision 1
    first = as_user(clinician).post(f"/staff/patients/{patient.pk}/edit/", {**stale, "email": "new@example.com"})
    assert first.status_code == 302

    second = as_user(reception).post(f"/staff/patients/{patient.pk}/edit/", {**stale, "phone": "(201) 555-0222"})

    assert second.status_code == 200
    body = second.content.decode()
    assert "Someone else saved this record" in body
    assert "new@example.com" in body
    patient.refresh_from_db()
    assert patient.email == "new@example.com" and patient.phone == "+12015550111"
    # Saving again from the refreshed form is a deliberate choice and goes through.
    third = as_user(reception).post(
        f"/staff/patients/{patient.pk}/edit/", _edit_data(patient, phone="(201) 555-0222", email="new@example.com")
    )
    assert third.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "+12015550222" and patient.email == "new@example.com"


def test_the_edit_form_explains_bad_input(reception, as_user):
    patient = PatientFactory()
    response = as_user(reception).post(
        f"/staff/patients/{patient.pk}/edit/", _edit_data(patient, email="not-an-email", date_of_birth="31/02/1990")
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"email", "date_of_birth"}
    assert Patient.objects.get(pk=patient.pk).revision == 1


def test_the_edit_form_accepts_a_day_first_date_of_birth_at_a_day_first_clinic(reception, as_user, settings):
    settings.CLINIC_DATE_ORDER = "DMY"
    patient = PatientFactory()
    as_user(reception).post(f"/staff/patients/{patient.pk}/edit/", _edit_data(patient, date_of_birth="02/01/1990"))
    patient.refresh_from_db()
    assert patient.date_of_birth == date(1990, 1, 2)


def test_reception_can_revoke_and_unlock_a_link(reception, as_user):
    from django.utils import timezone

    link = AccessLinkFactory(token=new_token(), locked_at=timezone.now(), failed_dob_attempts=5)
    client = as_user(reception)

    assert client.post(f"/staff/links/{link.pk}/unlock/").status_code == 302
    link.refresh_from_db()
    assert link.locked_at is None and link.failed_dob_attempts == 0

    assert client.post(f"/staff/links/{link.pk}/revoke/").status_code == 302
    link.refresh_from_db()
    assert link.state == AccessLink.State.REVOKED
    assert client.get(f"/staff/links/{link.pk}/revoke/").status_code == 405


def test_issuing_a_new_link_revokes_the_old_one_and_shows_the_new_until_first_use(reception, as_user):
    old = AccessLinkFactory()
    client = as_user(reception)

    response = client.post(f"/staff/visits/{old.visit_id}/link/new/", follow=True)

    old.refresh_from_db()
    assert old.revoked_at is not None
    token = response.context["token"]
    assert token and f"/p/{token}/" in response.content.decode()
    assert token in client.get(f"/staff/visits/{old.visit_id}/link/").content.decode()
    new = AccessLink.objects.get(visit_id=old.visit_id, revoked_at__isnull=True)
    new.last_used_at = new.created_at
    new.save(update_fields=["last_used_at"])
    again = client.get(f"/staff/visits/{old.visit_id}/link/").content.decode()
    assert token not in again
    assert "has opened this link" in again


def test_a_change_the_patient_made_meanwhile_is_not_overwritten_either(reception, as_user):
    patient = PatientFactory(phone="+12015550111")
    stale = _edit_data(patient)
    # The patient fixes their phone in the screening's "about you" step, which bumps the revision.
    patient.phone = "+12015550999"
    patient.revision += 1
    patient.save(update_fields=["phone", "revision"])

    response = as_user(reception).post(f"/staff/patients/{patient.pk}/edit/", {**stale, "email": "x@example.com"})

    assert "Someone else saved this record" in response.content.decode()
    assert "+12015550999" in response.content.decode()
    patient.refresh_from_db()
    assert patient.phone == "+12015550999" and patient.email != "x@example.com"


def test_kiosk_mode_unlocks_a_locked_link_with_an_audit_event(reception, as_user):
    from django.utils import timezone

    link = AccessLinkFactory(locked_at=timezone.now(), failed_dob_attempts=5)
    client = as_user(reception)
    assert client.post(f"/staff/visits/{link.visit_id}/kiosk/").status_code == 302
    link.refresh_from_db()
    assert link.locked_at is None
    assert AuditEvent.objects.filter(action="link.unlocked", actor=reception).exists()
    assert client.get("/patient/").status_code == 200


def test_an_invalid_phone_on_the_record_gets_a_clear_message_and_nothing_is_saved(reception, as_user):
    patient = PatientFactory(first_name="Zoe")
    response = as_user(reception).post(
        f"/staff/patients/{patient.pk}/edit/",
        _edit_data(patient, first_name="Zoë", emergency_contact_phone="12 34"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a phone number we can call, with its area code." in body and "12 34" in body
    patient.refresh_from_db()
    assert patient.first_name == "Zoe"


def test_reception_can_switch_texts_off_for_a_patient_and_the_record_says_so(reception, as_user):
    patient = PatientFactory()
    client = as_user(reception)
    response = client.post(f"/staff/patients/{patient.pk}/edit/", _edit_data(patient, sms_opt_out="on"))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.sms_opt_out is True
    body = client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "asked not to get texts" in body and "Off (the patient asked for no texts)" in body
