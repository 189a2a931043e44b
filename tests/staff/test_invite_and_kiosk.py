import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from intake.links.message_links import link_for_reference
from intake.links.tokens import find_usable_link
from intake.models import AccessLink, Patient, Visit
from portal.models import AuditEvent
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _invite_data(**changes):
    data = {
        "first_name": "Zoë",
        "last_name": "Ölander",
        "date_of_birth": "11/03/1979",  # the default clinic (en-US) reads MM/DD/YYYY
        "email": "zoe@example.com",
        "phone": "(201) 555-0101",
        "clinician": "",
        "scheduled_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "language": "en",
    }
    data.update(changes)
    return data


def test_reception_sees_the_link_until_the_patient_first_opens_it(reception, clinician, as_user):
    client = as_user(reception)
    response = client.post("/staff/invite/", _invite_data(clinician=clinician.pk), follow=True)

    assert response.status_code == 200
    visit = Visit.objects.get(patient__last_name="Ölander")
    assert visit.clinician == clinician
    token = response.context["token"]
    link = find_usable_link(token)
    assert link.visit == visit
    assert "until the patient first opens it" in response.content.decode()
    # Printing first no longer loses the link: the page, email and print all still have it.
    assert client.post(f"/staff/visits/{visit.pk}/link/print/", {"token": token}).status_code == 200
    assert token in client.get(f"/staff/visits/{visit.pk}/link/").content.decode()

    link.last_used_at = timezone.now()
    link.save(update_fields=["last_used_at"])

    page = client.get(f"/staff/visits/{visit.pk}/link/").content.decode()
    assert token not in page
    assert "has opened this link" in page
    assert (
        token
        not in client.post(f"/staff/visits/{visit.pk}/link/print/", {"token": token}, follow=True).content.decode()
    )
    assert token not in as_user(clinician).get(f"/staff/visits/{visit.pk}/link/").content.decode()


def test_the_invite_form_explains_bad_input(reception, as_user):
    response = as_user(reception).post(
        "/staff/invite/", _invite_data(first_name="", date_of_birth="2999-01-01", email="nope", scheduled_at="soon")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"first_name", "date_of_birth", "email", "scheduled_at"}
    assert not Patient.objects.exists()


def test_an_appointment_years_away_is_a_typo_not_a_crash(reception, as_user):
    response = as_user(reception).post("/staff/invite/", _invite_data(scheduled_at="9999-12-31T09:00"))
    assert response.status_code == 200
    assert "more than two years away" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_staff_login_on_a_kiosk_tablet_closes_the_patients_journey(reception, as_user):
    from tests.factories import TEST_PASSWORD

    client = as_user(reception)
    visit = client.post("/staff/invite/", _invite_data(), follow=True).context["visit"]
    client.post(f"/staff/visits/{visit.pk}/kiosk/")
    assert client.get("/patient/").status_code == 200

    client.post("/accounts/login/", {"username": reception.username, "password": TEST_PASSWORD})

    assert "patient_access" not in client.session
    assert client.get("/patient/").status_code == 404


def test_a_likely_duplicate_is_flagged_before_anything_is_created(reception, as_user):
    existing = PatientFactory(first_name="Zoë", last_name="Ölander", date_of_birth="1979-11-03")
    client = as_user(reception)

    warned = client.post("/staff/invite/", _invite_data())
    assert warned.status_code == 200
    assert "may be a patient we already have" in warned.content.decode()
    assert not Visit.objects.exists()

    confirmed = client.post("/staff/invite/", _invite_data(same_person_confirmed="on"))
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 1
    assert Visit.objects.get().patient == existing


def test_the_link_is_emailed_after_the_transaction_commits(reception, as_user, django_capture_on_commit_callbacks):
    client = as_user(reception)
    response = client.post("/staff/invite/", _invite_data(), follow=True)
    token = response.context["token"]
    visit = response.context["visit"]

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/staff/visits/{visit.pk}/link/email/", {"token": token}, follow=True)

    assert sent.status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zoe@example.com"]
    # The message carries a signed reference to this link, made at send time: never the token itself.
    reference = re.search(r"http://testserver/p/r/([A-Za-z0-9_.-]+)/", message.body).group(1)
    assert f"/p/r/{reference}/" in message.alternatives[0][0]
    assert token not in message.body
    assert link_for_reference(reference) == AccessLink.objects.get(visit=visit, revoked_at__isnull=True)
    assert AuditEvent.objects.filter(action="link.emailed").exists()


def test_a_wrong_token_sends_nothing(reception, as_user, django_capture_on_commit_callbacks):
    client = as_user(reception)
    visit = client.post("/staff/invite/", _invite_data(), follow=True).context["visit"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/visits/{visit.pk}/link/email/", {"token": "guess"})
        client.post(f"/staff/visits/{visit.pk}/link/print/", {"token": "guess"})
    assert mail.outbox == []


def test_the_print_page_has_the_link_and_an_inline_qr_code(reception, as_user):
    client = as_user(reception)
    response = client.post("/staff/invite/", _invite_data(), follow=True)
    token, visit = response.context["token"], response.context["visit"]

    printed = client.post(f"/staff/visits/{visit.pk}/link/print/", {"token": token})

    body = printed.content.decode()
    assert printed.status_code == 200
    assert "<svg" in body and f"/p/{token}/" in body
    assert "style=" not in body and "<script>" not in body
    assert printed["Cache-Control"] == "no-store"


def test_kiosk_mode_logs_staff_out_and_shows_only_the_patients_journey(reception, as_user):
    client = as_user(reception)
    visit = client.post("/staff/invite/", _invite_data(), follow=True).context["visit"]

    started = client.post(f"/staff/visits/{visit.pk}/kiosk/")

    assert started.status_code == 302 and started["Location"] == "/patient/"
    assert "_auth_user_id" not in client.session
    assert client.session["patient_access"]["kiosk"] is True
    assert client.get("/patient/").status_code == 200
    # The staff workspace is gone from this device: a patient session gets 404, not even a login form.
    assert client.get("/staff/").status_code == 404
    assert client.get(f"/staff/patients/{visit.patient_id}/").status_code == 404
    visit.refresh_from_db()
    assert visit.opened_at is not None


def test_finishing_kiosk_mode_locks_the_tablet_until_staff_log_in(reception, as_user):
    client = as_user(reception)
    visit = client.post("/staff/invite/", _invite_data(), follow=True).context["visit"]
    client.post(f"/staff/visits/{visit.pk}/kiosk/")
    assert "Hand the tablet back" in client.get("/patient/").content.decode()

    finished = client.post("/staff/kiosk/finish/", follow=True)

    assert "hand the tablet back" in finished.content.decode()
    assert client.get("/patient/").status_code == 404
    staff = client.get("/staff/")
    assert staff.status_code == 302 and staff["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="kiosk.finished").exists()


def test_only_a_kiosk_session_can_use_the_finish_action(reception, as_user, client):
    assert client.post("/staff/kiosk/finish/").status_code == 404
    assert as_user(reception).post("/staff/kiosk/finish/").status_code == 404


def test_an_ordinary_patient_session_sees_no_kiosk_bar(client, patient_link):
    from tests.helpers import open_patient_session

    link, token = patient_link
    open_patient_session(client, token, link)
    assert "Hand the tablet back" not in client.get("/patient/").content.decode()


def test_an_invalid_phone_gets_a_clear_message_and_nothing_is_created(reception, as_user):
    response = as_user(reception).post("/staff/invite/", _invite_data(phone="555 01"))
    assert response.status_code == 200
    assert "Enter a phone number we can call, with its area code." in response.content.decode()
    assert "555 01" in response.content.decode()  # what was typed stays in the form
    assert not Patient.objects.exists()


def test_the_phone_is_stored_in_its_international_form(reception, as_user):
    as_user(reception).post("/staff/invite/", _invite_data(phone="(201) 555-0101"), follow=True)
    assert Patient.objects.get().phone == "+12015550101"
