"""A red-flag check-in on the patient's phone makes an alert appear for the clinician, who records
what was done (an outcome and a note) in the browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from intake.links.tokens import new_token
from messaging import sms
from messaging.models import Alert
from portal.roles import Role
from tests.e2e.test_staff import log_in, roles  # noqa: F401 - fixture
from tests.factories import AccessLinkFactory, PatientFactory, UserFactory, VisitFactory, VisitRecordFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_red_flag_check_in_makes_an_alert_appear_for_the_clinician(
    live_server, phone, desktop, snap, assert_accessible, settings
):
    settings.CLINIC_ALERT_PHONES = ["+12015550150"]
    clinician = UserFactory(username="e2e-clinician", role=Role.CLINICIAN, email="doc@example.com")
    patient = PatientFactory(
        first_name="Ana", last_name="García", phone="+12015550123", emergency_contact_name="Luis García"
    )
    visit = VisitFactory(patient=patient, clinician=clinician, scheduled_at=timezone.now() - timedelta(hours=20))
    token = new_token()
    AccessLinkFactory(visit=visit, token=token)
    record = VisitRecordFactory(
        visit=visit, regions=["upper_back"], treated_at=timezone.now() - timedelta(hours=20), recorded_by=clinician
    )
    visit.mark("visited_at", record.treated_at)
    base = live_server.url

    log_in(desktop, base, "e2e-clinician")
    assert desktop.get_by_text("Urgent: a patient reported").count() == 0

    phone.goto(f"{base}/p/{token}/")
    phone.get_by_label("Your date of birth").fill(patient.date_of_birth.isoformat())
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_url(f"{base}/patient/**")
    phone.goto(f"{base}/patient/aftercare/")
    phone.get_by_role("link", name="Check in now").click()
    phone.locator("label[for=id_soreness_4]").click()
    phone.get_by_label("Getting better").check()
    phone.get_by_label("Short of breath, chest pain").check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_role("heading", name="Call 911 now").wait_for()

    # The clinician's board shows the alert with the symptom and the phone; the on-call phone got a text.
    # "Urgent only" lists the visit's row whatever the hour (the default board starts today), so the
    # accessibility check below always meets an urgent row.
    desktop.goto(f"{base}/staff/?urgent=on")
    panel = desktop.locator(".urgent-panel")
    panel.get_by_text("Breathing or chest symptoms").wait_for()
    assert "+12015550123" in panel.inner_text()
    assert [t.to for t in sms.outbox] == ["+12015550150"]
    snap(desktop, "board-alert")
    assert_accessible(desktop)

    panel.get_by_role("link", name="Open the alert").first.click()
    desktop.get_by_role("heading", name="Red flag: Breathing or chest symptoms").wait_for()
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Record").click()
    desktop.get_by_text("Choose what you did.").wait_for()
    desktop.get_by_label("Advised emergency care").check()
    desktop.get_by_label("Note").fill("Told her to call 911; she is on her way to hospital.")
    desktop.get_by_role("button", name="Record").click()
    desktop.get_by_text("Recorded. Thank you.").wait_for()
    snap(desktop, "alert-acknowledged")
    alert = Alert.objects.get()
    assert alert.outcome == "emergency_advised" and alert.resolved_at is not None
    visit.refresh_from_db()
    assert visit.urgent_since is None  # off the urgent list
