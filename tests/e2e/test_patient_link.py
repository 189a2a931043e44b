import pytest

from intake.links.tokens import new_token
from tests.factories import AccessLinkFactory


@pytest.mark.django_db(transaction=True)
def test_a_patient_confirms_their_date_of_birth_on_a_phone(live_server, phone, snap, assert_accessible):
    token = new_token()
    link = AccessLinkFactory(token=token)
    dob = link.visit.patient.date_of_birth

    phone.goto(f"{live_server.url}/p/{token}/")
    snap(phone, "dob")
    assert_accessible(phone)

    phone.get_by_label("Your date of birth").fill("1901-01-01")
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_text("does not match our records").wait_for()
    snap(phone, "dob-wrong")
    assert_accessible(phone)

    phone.get_by_label("Your date of birth").fill(dob.isoformat())
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_url(f"{live_server.url}/patient/")
    snap(phone, "signed-in")
    assert phone.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_an_unknown_link_shows_the_calm_page(live_server, phone, snap, assert_accessible):
    response = phone.goto(f"{live_server.url}/p/not-a-real-token/")
    assert response.status == 404
    assert phone.get_by_role("heading", name="This link is not valid").is_visible()
    snap(phone, "invalid")
    assert_accessible(phone)
