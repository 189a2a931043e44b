"""The staff workspace in a real browser: board, record, review, invite to a printed QR code, kiosk."""

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from intake.models import FlagLevel, ScreeningResponse
from portal.roles import Role
from tests.consent.conftest import consent_version, sign  # noqa: F401 - fixtures
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory, VisitFactory


@pytest.fixture(autouse=True)
def roles(transactional_db):
    """Transactional tests empty the tables between tests, groups from the data migration included."""
    from django.contrib.auth.models import Group

    from portal.roles import sync_role_permissions

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    sync_role_permissions()


def assert_no_sideways_scroll_on_a_phone(page) -> None:
    """At 390 CSS pixels the page itself never scrolls sideways (wide tables scroll inside their box)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.set_viewport_size(size)
    assert overflow <= 0, f"{page.url} is {overflow} px wider than a 390 px phone"


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")


def _screened(clinician, patient, level, **fields):
    now = timezone.now()
    visit = VisitFactory(
        patient=patient,
        clinician=clinician,
        scheduled_at=now + timedelta(hours=2),
        opened_at=now,
        explanation_read_at=now,
        screening_done_at=now,
        understanding_done_at=now,
        flag_level=level,
        **fields,
    )
    ScreeningResponse.objects.create(
        visit=visit,
        questionnaire_version="2026.1",
        answers={"comfort": ["lie_down", "stop_signal"], "pain_now": 6},
        scores={"gad7": 11},
        flags=[
            {
                "code": "anticoagulant",
                "level": int(level),
                "title": "Takes a blood thinner",
                "answer": "warfarin",
                "rule": "Anticoagulants raise the bleeding risk: review before needling.",
            }
        ],
        flag_level=level,
        submitted_at=now,
    )
    return visit


@pytest.mark.django_db(transaction=True)
def test_reception_takes_a_new_patient_to_a_printed_qr_code(live_server, desktop, snap, assert_accessible):
    UserFactory(username="front", role=Role.RECEPTION, first_name="Rita", last_name="Reception")
    UserFactory(username="doc", role=Role.CLINICIAN, first_name="Cora", last_name="Clinician")
    base = live_server.url
    started = time.monotonic()

    log_in(desktop, base, "front")
    desktop.get_by_role("link", name="Invite a patient").first.click()
    desktop.get_by_label("First name").fill("Zoë")
    desktop.get_by_label("Last name").fill("Ölander")
    desktop.get_by_label("Date of birth").fill("1979-11-03")
    desktop.get_by_label("Email").fill("zoe@example.com")
    when = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=30)
    desktop.get_by_label("Appointment").fill(when.strftime("%Y-%m-%dT%H:%M"))
    desktop.get_by_label("Clinician").select_option(label="Cora Clinician")
    snap(desktop, "invite-form")
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Create and get the link").click()
    desktop.get_by_text("until the patient first opens it").wait_for()
    snap(desktop, "link-once")
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Open the print page").click()
    desktop.locator(".qr-box svg").wait_for()
    elapsed = time.monotonic() - started
    snap(desktop, "print-page")
    assert_accessible(desktop)
    print(f"reception: login to printed QR code in {elapsed:.1f} s")
    desktop.emulate_media(media="print")
    snap(desktop, "print-media")
    assert desktop.get_by_role("button", name="Print").is_hidden()
    assert "/p/" in desktop.locator(".print-url").inner_text()
    assert elapsed < 60
    assert desktop.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_board_record_and_review_screens(live_server, desktop, snap, assert_accessible, sign):  # noqa: F811
    clinician = UserFactory(username="doc", role=Role.CLINICIAN, first_name="Cora", last_name="Clinician")
    zoe = PatientFactory(first_name="Zoë", last_name="Ölander", email="zoe@example.com")
    stop = _screened(clinician, zoe, FlagLevel.STOP)
    review = _screened(clinician, PatientFactory(first_name="Mei", last_name="Chen"), FlagLevel.REVIEW)
    # Sealing runs asyncio.run(); Playwright's loop already runs in this thread, so sign in another.
    signer = threading.Thread(target=lambda: [sign(stop), sign(review)])
    signer.start()
    signer.join()
    VisitFactory(clinician=clinician, patient__first_name="Ana", patient__last_name="García")
    VisitFactory(
        clinician=clinician,
        patient__first_name="Olga",
        patient__last_name="Ivanova",
        scheduled_at=timezone.now() - timedelta(days=1),
        urgent_since=timezone.now() - timedelta(hours=2),
        visited_at=timezone.now() - timedelta(days=1),
    )
    base = live_server.url

    log_in(desktop, base, "doc")
    desktop.get_by_role("table").wait_for()
    snap(desktop, "board")
    assert_accessible(desktop)
    assert desktop.get_by_text("Urgent: a patient reported").is_visible()
    assert_no_sideways_scroll_on_a_phone(desktop)

    desktop.get_by_role("searchbox", name="Search").fill("zoe")
    desktop.get_by_role("button", name="Show").click()
    desktop.wait_for_url("**/staff/?q=zoe**")
    assert desktop.locator("tbody tr").count() == 1
    snap(desktop, "board-search")

    desktop.get_by_role("link", name="Open record of Zoë Ölander").click()
    desktop.get_by_role("heading", name="Audit trail").wait_for()
    snap(desktop, "record")
    assert_accessible(desktop)
    assert_no_sideways_scroll_on_a_phone(desktop)

    desktop.get_by_role("link", name="Review queue").click()
    snap(desktop, "review-queue")
    assert_accessible(desktop)
    assert_no_sideways_scroll_on_a_phone(desktop)
    rows = desktop.locator("section[aria-labelledby=consent-title] tbody tr")
    assert "Zoë" in rows.nth(0).inner_text() and "Stop" in rows.nth(0).inner_text()

    desktop.get_by_role("link", name="Review Zoë Ölander").click()
    desktop.get_by_text("Takes a blood thinner").first.wait_for()
    snap(desktop, "review-page")
    assert_accessible(desktop)
    desktop.get_by_label("Needs discussion: call the patient").check()
    desktop.get_by_label("Note").fill("Check the warfarin dose")
    desktop.get_by_role("button", name="Save review").click()
    desktop.get_by_text("Your review was saved").wait_for()

    desktop.goto(f"{base}/staff/visits/{stop.pk}/record/")
    desktop.get_by_label("Upper back (between the shoulder blades)").check()
    desktop.get_by_label("Felt faint or fainted").check()
    desktop.get_by_label("Notes", exact=True).fill("Lay down, fine after")
    snap(desktop, "record-visit")
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Record the visit").click()
    desktop.get_by_text("aftercare is now open").wait_for()
    assert desktop.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_kiosk_mode_on_a_phone_ends_on_a_locked_screen(live_server, phone, snap, assert_accessible):
    UserFactory(username="front", role=Role.RECEPTION)
    visit = VisitFactory(patient__first_name="Zoë", patient__last_name="Ölander")
    base = live_server.url

    log_in(phone, base, "front")
    phone.goto(f"{base}/staff/patients/{visit.patient_id}/")
    phone.get_by_role("button", name="Start kiosk mode on this device").click()
    phone.wait_for_url(f"{base}/patient/")
    snap(phone, "kiosk-journey")
    assert_accessible(phone)

    phone.get_by_role("button", name="Finished? Hand the tablet back").click()
    phone.wait_for_url(f"{base}/staff/kiosk/locked/")
    snap(phone, "kiosk-locked")
    assert_accessible(phone)

    # The staff workspace needs a login again; the patient's pages are closed too.
    phone.goto(f"{base}/staff/")
    assert phone.url.startswith(f"{base}/accounts/login/")
    assert phone.goto(f"{base}/patient/").status == 404
    snap(phone, "kiosk-after")
    assert phone.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_clinic_admin_filters_the_audit_log(live_server, desktop, snap, assert_accessible):
    UserFactory(username="boss", role=Role.CLINIC_ADMIN)
    visit = VisitFactory(patient__first_name="Zoë")
    base = live_server.url

    log_in(desktop, base, "boss")
    desktop.goto(f"{base}/staff/patients/{visit.patient_id}/")
    desktop.get_by_role("link", name="Audit log").click()
    desktop.get_by_label("Action starts with").fill("patient.")
    desktop.get_by_role("button", name="Filter").click()
    desktop.get_by_role("cell", name="patient.viewed").wait_for()
    snap(desktop, "audit-log")
    assert_accessible(desktop)
    assert desktop.get_by_role("cell", name="board.viewed").count() == 0
