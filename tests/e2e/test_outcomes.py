"""The three pictures on a phone and a desktop, for the mid-course demo patient: the clinician's course
picture (record and review), the patient's soreness so far, and the clinic's outcomes page."""

import pytest

from intake.demo import outcomes as demo_outcomes
from intake.demo.patients import demo_token
from portal.roles import Role
from tests.e2e.test_staff import log_in, roles  # noqa: F401 - the roles fixture
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    clinician = UserFactory(username="e2e-clinician", role=Role.CLINICIAN)
    reception = UserFactory(username="e2e-reception", role=Role.RECEPTION)
    visits, _url = demo_outcomes.seed(clinician=clinician, reception=reception)
    return visits[-1]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_clinician_sees_the_course_on_the_record_and_the_review(
    request, live_server, demo, snap, assert_accessible, device
):
    page = request.getfixturevalue(device)
    base = live_server.url
    log_in(page, base, "e2e-clinician")
    page.goto(f"{base}/staff/patients/{demo.patient_id}/")
    course = page.locator("section.course-picture")
    assert course.get_by_role("img", name="Pain and activities across sessions").is_visible()
    assert course.get_by_role("img", name="Soreness after each session against the usual course").is_visible()
    assert course.locator(".change-improved").count() == 2
    course.scroll_into_view_if_needed()
    snap(page, "record")
    course.screenshot(path=str(snap(page, "record-full").with_name(f"outcomes-record-{device}.png")))
    assert_accessible(page)
    page.goto(f"{base}/staff/visits/{demo.pk}/review/")
    assert page.locator("section.course-picture svg#measures-chart").is_visible()
    snap(page, "review")
    assert_accessible(page)
    assert not page.js_errors


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_patient_sees_their_soreness_so_far(request, live_server, demo, snap, assert_accessible, device):
    page = request.getfixturevalue(device)
    base = live_server.url
    page.goto(f"{base}/p/{demo_token(demo)}/")
    page.get_by_label("Your date of birth").fill(demo.patient.date_of_birth.isoformat())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/patient/**")
    page.goto(f"{base}/patient/aftercare/")
    section = page.locator("section.aftercare-soreness")
    assert section.get_by_role("img", name="Your soreness so far").is_visible()
    assert "This is like most people" in section.inner_text()
    snap(page, "aftercare")
    section.screenshot(path=str(snap(page, "aftercare-full").with_name(f"outcomes-patient-{device}.png")))
    assert_accessible(page)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_clinic_sees_its_outcomes(request, live_server, demo, snap, assert_accessible, device):
    page = request.getfixturevalue(device)
    base = live_server.url
    log_in(page, base, "e2e-clinician")
    page.get_by_role("link", name="Outcomes").click()
    page.wait_for_url(f"{base}/staff/outcomes/")
    assert page.get_by_role("img", name="Soreness after sessions: median and quartiles").is_visible()
    assert page.locator('a[href^="/staff/outcomes/change.csv"]').is_visible()
    snap(page, "outcomes")
    assert_accessible(page)
    assert not page.js_errors
