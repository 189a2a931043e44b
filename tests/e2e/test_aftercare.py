"""A patient reads aftercare and checks in on a phone; a red flag reaches the visit at once."""

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from intake.links.tokens import new_token
from intake.models import CheckIn, Visit
from tests.e2e.conftest import SCREENS
from tests.factories import AccessLinkFactory, UserFactory, VisitFactory, VisitRecordFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _visit_with_link(*, regions=None, hours_ago=20):
    visit = VisitFactory(scheduled_at=timezone.now() - timedelta(hours=hours_ago))
    token = new_token()
    AccessLinkFactory(visit=visit, token=token)
    if regions is not None:
        record = VisitRecordFactory(
            visit=visit,
            regions=regions,
            treated_at=timezone.now() - timedelta(hours=hours_ago),
            recorded_by=UserFactory(username="e2e-clinician"),
        )
        visit.mark("visited_at", record.treated_at)
    return visit, token


def _sign_in(page, base_url, visit, token):
    page.goto(f"{base_url}/p/{token}/")
    page.get_by_label("Your date of birth").fill(visit.patient.date_of_birth.isoformat())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base_url}/patient/**")


def test_a_patient_reads_aftercare_and_reports_a_breathing_red_flag_on_a_phone(
    live_server, phone, snap, assert_accessible
):
    visit, token = _visit_with_link(regions=["upper_back", "shoulder"])
    _sign_in(phone, live_server.url, visit, token)
    phone.goto(f"{live_server.url}/patient/aftercare/")
    warning = phone.get_by_role("heading", name="Watch your breathing")
    assert warning.is_visible()
    # The warning is the first thing under the page title.
    headings = phone.locator("main h1, main h2").all_inner_texts()
    assert headings[0] == "Your aftercare" and "Watch your breathing" in headings[1]
    snap(phone, "aftercare")
    assert_accessible(phone)
    assert phone.get_by_role("button", name="Print this page").is_visible()  # the script revealed it

    phone.emulate_media(media="print")
    snap(phone, "aftercare-print")
    assert not phone.get_by_role("link", name="Check in now").is_visible()
    assert phone.get_by_text("Riverside Physiotherapy").first.is_visible()  # the clinic's name stays on paper
    assert phone.get_by_text("Questions? Call the clinic on 555-0100.").is_visible()
    phone.emulate_media(media="screen")

    phone.get_by_role("link", name="Check in now").click()
    phone.get_by_role("heading", name="How are you doing?").wait_for()
    snap(phone, "checkin")
    assert_accessible(phone)

    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_text("There is a problem").wait_for()
    snap(phone, "checkin-errors")
    assert_accessible(phone)
    assert CheckIn.objects.count() == 0

    phone.locator("label[for=id_soreness_4]").click()
    phone.get_by_label("Getting better").check()
    phone.get_by_label("Short of breath, chest pain").check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_role("heading", name="Call 911 now").wait_for()
    snap(phone, "checkin-emergency")
    assert_accessible(phone)
    assert phone.get_by_role("link", name="Call 911").first.get_attribute("href") == "tel:911"

    visit = Visit.objects.get(pk=visit.pk)
    assert visit.urgent_since is not None
    assert CheckIn.objects.get(visit=visit).urgent

    phone.goto(f"{live_server.url}/patient/aftercare/")
    phone.get_by_text("You told us about breathing or chest symptoms").wait_for()
    snap(phone, "aftercare-after-checkin")
    assert phone.js_errors == []


def test_a_patient_checks_in_at_72h_with_nothing_worrying(live_server, phone, snap, assert_accessible):
    visit, token = _visit_with_link(regions=["lower_back"], hours_ago=70)
    _sign_in(phone, live_server.url, visit, token)
    phone.goto(f"{live_server.url}/patient/aftercare/")
    assert not phone.get_by_role("heading", name="Watch your breathing").count()
    snap(phone, "aftercare-two-open")
    phone.get_by_role("link", name="Check in now").nth(1).click()
    phone.locator("label[for=id_soreness_2]").click()
    phone.get_by_label("Getting better").check()
    phone.get_by_label("None of these").check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_role("heading", name="Thank you").wait_for()
    snap(phone, "checkin-ok")
    assert_accessible(phone)
    assert CheckIn.objects.get(visit=visit).window == "72h"


def test_before_the_visit_the_page_waits_calmly_and_an_early_check_in_says_when(
    live_server, phone, snap, assert_accessible
):
    visit, token = _visit_with_link(regions=None)
    _sign_in(phone, live_server.url, visit, token)
    response = phone.goto(f"{live_server.url}/patient/aftercare/")
    assert response.status == 200
    phone.get_by_text("After your visit, this page will show").wait_for()
    snap(phone, "not-ready")
    assert_accessible(phone)

    early, early_token = _visit_with_link(regions=["knee"], hours_ago=2)
    _sign_in(phone, live_server.url, early, early_token)
    phone.goto(f"{live_server.url}/patient/aftercare/check-in/24h/")
    phone.get_by_role("heading", name="This check-in is not open yet").wait_for()
    snap(phone, "not-open")
    assert_accessible(phone)


def test_the_aftercare_pdf_downloads_as_one_page(live_server, phone):
    visit, token = _visit_with_link(regions=["neck", "upper_back"])
    _sign_in(phone, live_server.url, visit, token)
    response = phone.context.request.get(f"{live_server.url}/patient/aftercare/aftercare.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    SCREENS.mkdir(exist_ok=True)
    pdf = SCREENS / "aftercare.pdf"
    pdf.write_bytes(response.body())
    # A picture of the page to look at (pdftoppm comes with poppler-utils, installed by bin/setup).
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(SCREENS / "aftercare-pdf")], check=True)
    assert (SCREENS / "aftercare-pdf-1.png").exists()
    assert not (SCREENS / "aftercare-pdf-2.png").exists()


def test_a_patient_reporting_an_infection_sign_is_told_to_call_the_clinic_on_a_desktop(
    live_server, desktop, snap, assert_accessible
):
    visit, token = _visit_with_link(regions=["knee", "calf_shin"])
    _sign_in(desktop, live_server.url, visit, token)
    desktop.goto(f"{live_server.url}/patient/aftercare/")
    snap(desktop, "aftercare")
    assert_accessible(desktop)
    desktop.get_by_role("link", name="Check in now").click()
    desktop.locator("label[for=id_soreness_6]").click()
    desktop.get_by_label("About the same").check()
    desktop.get_by_label("Redness, warmth, swelling or fluid at a needle spot").check()
    desktop.get_by_role("button", name="Send my answers").click()
    desktop.get_by_role("heading", name="Please call the clinic today").wait_for()
    snap(desktop, "checkin-clinic")
    assert_accessible(desktop)
    assert desktop.get_by_role("link", name="Call the clinic: 555-0100").get_attribute("href") == "tel:555-0100"
    assert Visit.objects.get(pk=visit.pk).urgent_since is not None
