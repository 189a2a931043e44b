"""Error pages reveal nothing: no stack trace, no path, no exception text, no settings; DEBUG is off."""

import pytest
from django.test import Client, override_settings

from tests.helpers import open_patient_session

pytestmark = pytest.mark.django_db

LEAKS = ["Traceback", "secret-internal-detail", "hunter2", "SECRET_KEY", "settings.py", 'File "/', "DEBUG"]


def assert_reveals_nothing(response, *extra):
    body = response.content.decode()
    for leak in [*LEAKS, *extra]:
        assert leak not in body, leak


@override_settings(DEBUG=False, ROOT_URLCONF="tests.security.urls_boom")
def test_the_500_page_is_calm_and_reveals_nothing():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Sorry, something went wrong" in response.content
    assert_reveals_nothing(response)


@override_settings(DEBUG=False)
def test_the_404_page_does_not_echo_the_address(client):
    response = client.get("/staff/no-such-page-zq81x/")
    assert response.status_code in (302, 404)
    response = client.get("/no-such-page-zq81x/?q=<script>alert(1)</script>")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert_reveals_nothing(response, "zq81x", "<script>alert(1)")


@override_settings(DEBUG=False)
def test_the_403_page_says_not_allowed_and_nothing_more(client, outsider):
    client.force_login(outsider)
    response = client.get("/staff/")
    assert response.status_code == 403
    assert b"Not allowed" in response.content
    assert_reveals_nothing(response, outsider.username)


@override_settings(DEBUG=False)
def test_the_400_page_for_a_bad_request_reveals_nothing(client, patient_link):
    _link, token = patient_link
    response = client.post(
        f"/p/{token}/", data="x=" + "a" * (3 * 1024 * 1024), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert b"Something was wrong with that request" in response.content
    assert_reveals_nothing(response, token, "RequestDataTooBig")


@override_settings(DEBUG=False)
def test_a_patient_page_without_a_session_is_the_same_calm_404(client, patient_link):
    link, token = patient_link
    response = client.get("/patient/")
    assert response.status_code == 404
    assert_reveals_nothing(response, link.visit.patient.first_name)
    open_patient_session(client, token, link)
    assert client.get("/patient/").status_code == 200


@override_settings(DEBUG=False)
def test_a_section_posted_during_a_database_outage_is_not_called_saved(patient_link):
    """Mid-journey the database refuses: the page must say this page's answers were not saved."""
    from intake.models import ScreeningResponse
    from tests.helpers import database_down
    from tests.screening.screening_data import post_section

    link, token = patient_link
    client = Client(raise_request_exception=False)
    open_patient_session(client, token, link)
    client.post("/patient/about-dry-needling/", {"read": "on"})
    assert post_section(client, "about_you").status_code == 302
    with database_down():
        response = post_section(client, "pain", {"main_complaint": "Lost in the outage"})
        page = client.get("/patient/screening/pain/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "has been lost" not in body and "Nothing" not in body
    assert "was not saved" in body
    assert_reveals_nothing(response, "Lost in the outage")
    assert page.status_code == 500 and "was not saved" not in page.content.decode()
    assert "main_complaint" not in ScreeningResponse.objects.get(visit=link.visit).answers


@override_settings(DEBUG=False, ROOT_URLCONF="tests.security.urls_boom")
def test_every_error_page_tells_the_browser_not_to_keep_it():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "no-store" in response["Cache-Control"]


@override_settings(DEBUG=False)
def test_the_404_400_and_403_pages_are_not_cached(client, patient_link, outsider):
    _link, token = patient_link
    assert "no-store" in client.get("/no-such-page-zq81x/")["Cache-Control"]
    bad = client.post(
        f"/p/{token}/", data="x=" + "a" * (3 * 1024 * 1024), content_type="application/x-www-form-urlencoded"
    )
    assert bad.status_code == 400 and "no-store" in bad["Cache-Control"]
    client.force_login(outsider)
    forbidden = client.get("/staff/")
    assert forbidden.status_code == 403 and "no-store" in forbidden["Cache-Control"]
