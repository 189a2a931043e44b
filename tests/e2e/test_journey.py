"""A patient goes from the link to "before your visit" on a 390 px phone, with screenshots of each step."""

import pytest

from intake.demo.screening import CALM_ANSWERS
from intake.links.tokens import new_token
from intake.models import ScreeningResponse, UnderstandingResult
from tests.e2e.conftest import PHONE
from tests.factories import AccessLinkFactory
from tests.screening.screening_data import CALM_ACTIVITIES


def fill_section(page, values: dict) -> None:
    for name, value in values.items():
        if isinstance(value, list):
            for choice in value:
                page.locator(f'input[name="{name}"][value="{choice}"]').check()
            continue
        radios = page.locator(f'input[type="radio"][name="{name}"]')
        if radios.count():
            page.locator(f'input[type="radio"][name="{name}"][value="{value}"]').check()
        elif value != "":
            page.locator(f'[name="{name}"]').fill(value)


def open_link(page, live_server, link, token):
    page.goto(f"{live_server.url}/p/{token}/")
    page.get_by_label("Your date of birth").fill(link.visit.patient.date_of_birth.isoformat())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/patient/")


@pytest.mark.django_db(transaction=True)
def test_a_patient_goes_from_the_link_to_before_your_visit_on_a_phone(live_server, phone, snap, assert_accessible):
    token = new_token()
    link = AccessLinkFactory(token=token, visit__patient__first_name="Zoë")
    open_link(phone, live_server, link, token)
    assert phone.get_by_role("heading", name="Hello, Zoë").is_visible()
    snap(phone, "1-progress")
    assert_accessible(phone)

    phone.get_by_role("link", name="Continue: About dry needling").click()
    phone.get_by_role("heading", name="About dry needling", exact=True).wait_for()
    snap(phone, "2-explanation")
    assert_accessible(phone)
    phone.get_by_role("button", name="Continue to the health questions").click()
    phone.get_by_text("Please tick the box").wait_for()
    phone.get_by_label("I have read this information").check()
    phone.get_by_role("button", name="Continue to the health questions").click()

    for number, (section, values) in enumerate(CALM_ANSWERS.items(), start=1):
        phone.wait_for_url(f"{live_server.url}/patient/screening/{section}/")
        if section == "safety":
            # The follow-up is hidden by the script until "yes" is chosen, then appears.
            follow_up = phone.locator('[data-show-if-item="blood_thinner"]')
            assert follow_up.is_hidden()
            phone.locator('input[name="blood_thinner"][value="yes"]').check()
            assert follow_up.is_visible()
            snap(phone, "3-safety-follow-up")
            phone.get_by_role("button", name="Save and continue").click()
            phone.get_by_text("There is a problem").wait_for()
            assert phone.locator('input[name="unwell_today"][value="no"]').count() == 1
            snap(phone, "3-safety-error")
            assert_accessible(phone)
            values = {**values, "blood_thinner": "yes", "blood_thinner_which": ["antiplatelet"]}
        if section == "pain":
            fill_section(phone, {**values, "main_complaint": "x" * 10})
        fill_section(phone, values)
        snap(phone, f"3-screening-{number}-{section}")
        assert_accessible(phone)
        button = "Save and finish" if section == "needles" else "Save and continue"
        phone.get_by_role("button", name=button).click()
        if section == "pain":  # the things that are hard to do come right after the pain (issue 15)
            phone.wait_for_url(f"{live_server.url}/patient/screening/your-activities/")
            fill_section(phone, {"psfs_activity_1": "<b>Run</b>", "psfs_rating_1": "4"})
            phone.get_by_role("button", name="Save and continue").click()
            phone.get_by_text("Please write this without the signs < and >.").first.wait_for()
            assert phone.locator('[name="psfs_activity_1"]').input_value() == "<b>Run</b>"  # nothing lost
            snap(phone, "3-activities-error")
            assert_accessible(phone)
            fill_section(phone, CALM_ACTIVITIES)
            phone.get_by_role("button", name="Save and continue").click()

    phone.wait_for_url(f"{live_server.url}/patient/screening/answers/")
    assert phone.get_by_text("Stiff calf after running").is_visible()
    snap(phone, "4-answers")
    assert_accessible(phone)
    stored = ScreeningResponse.objects.get(visit=link.visit)
    assert stored.answers["blood_thinner_which"] == ["antiplatelet"]
    assert stored.flags == []

    phone.get_by_role("link", name="Continue to the quick check").last.click()  # the one under the answers
    phone.wait_for_url(f"{live_server.url}/patient/check/")
    snap(phone, "5-check")
    assert_accessible(phone)
    answers = {
        "injected": "no",
        "soreness": "days",
        "breathless": "wait",
        "optional": "yes",
        "acupuncture": "different",
    }
    fill_section(phone, answers)
    phone.get_by_role("button", name="Check my answers").click()
    phone.get_by_text("Some answers are not quite right").wait_for()
    assert phone.locator("#explain-risks").is_visible()
    snap(phone, "5-check-wrong")
    assert_accessible(phone)
    fill_section(phone, {"breathless": "emergency"})
    phone.get_by_role("button", name="Check my answers").click()
    phone.wait_for_load_state()
    assert UnderstandingResult.objects.get(visit=link.visit).first_try["breathless"] is False

    phone.goto(f"{live_server.url}/patient/")
    snap(phone, "6-progress-after-check")
    phone.goto(f"{live_server.url}/patient/before-your-visit/")
    phone.get_by_role("heading", name="Before your visit", exact=True).wait_for()
    snap(phone, "7-before-visit")
    assert_accessible(phone)
    assert phone.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_follow_up_questions_work_with_scripts_off(live_server, browser, snap):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        token = new_token()
        link = AccessLinkFactory(token=token)
        open_link(page, live_server, link, token)
        page.goto(f"{live_server.url}/patient/about-dry-needling/")
        page.get_by_label("I have read this information").check()
        page.get_by_role("button", name="Continue to the health questions").click()
        for section in ("about_you", "pain"):
            page.wait_for_url(f"{live_server.url}/patient/screening/{section}/")
            fill_section(page, CALM_ANSWERS[section])
            page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(f"{live_server.url}/patient/screening/your-activities/")
        fill_section(page, CALM_ACTIVITIES)
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(f"{live_server.url}/patient/screening/safety/")
        follow_up = page.locator('[data-show-if-item="blood_thinner"]')
        assert follow_up.is_visible()  # no script: the "If yes" question is simply on the page
        snap(page, "safety-no-script")
        fill_section(page, {**CALM_ANSWERS["safety"], "blood_thinner": "yes", "blood_thinner_which": ["warfarin"]})
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(f"{live_server.url}/patient/screening/conditions/")
        stored = ScreeningResponse.objects.get(visit=link.visit)
        assert [flag["code"] for flag in stored.flags] == ["anticoagulant"]
    finally:
        context.close()
