"""The whole patient journey in a real browser, in English and Spanish, on a phone and at a desk.

Every page visited is saved as a screenshot (tests/e2e/screens/) and checked with axe-core for
serious or critical problems. No sleeps: every step waits for a URL, a heading or a control.
"""

import re

import pytest

from intake.links import new_token
from tests.factories import AccessLinkFactory

pytestmark = pytest.mark.django_db(transaction=True)


def visit_page(page, snap, assert_accessible, name):
    """Every page the journey reaches: a screenshot, an axe check, and no script errors so far."""
    snap(page, name)
    assert_accessible(page)
    assert page.js_errors == []


def open_link(page, live_server, link, token, *, dob_label="Your date of birth", continue_label="Continue"):
    page.goto(f"{live_server.url}/p/{token}/")
    page.get_by_label(dob_label).wait_for()
    return page


def confirm_date_of_birth(page, live_server, link, *, dob_label="Your date of birth", continue_label="Continue"):
    page.get_by_label(dob_label).fill(link.visit.patient.date_of_birth.isoformat())
    page.get_by_role("button", name=continue_label).click()
    page.wait_for_url(re.compile(r"/patient/"))


def test_a_spanish_speaking_patient_gets_the_portal_in_spanish(live_server, phone, snap, assert_accessible):
    token = new_token()
    link = AccessLinkFactory(token=token, visit__language="es")

    open_link(phone, live_server, link, token, dob_label="Su fecha de nacimiento")
    assert phone.locator("html").get_attribute("lang") == "es"
    phone.get_by_role("heading", name="Confirme que es usted").wait_for()
    visit_page(phone, snap, assert_accessible, "es-dob")

    confirm_date_of_birth(phone, live_server, link, dob_label="Su fecha de nacimiento", continue_label="Continuar")
    assert phone.locator("html").get_attribute("lang") == "es"
    visit_page(phone, snap, assert_accessible, "es-signed-in")
