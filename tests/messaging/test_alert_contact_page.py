"""My alert contact: every staff member sets where (a mobile number) and in which language their
red-flag alerts reach them. It walks the ladder, is audited, and refuses a number it cannot text."""

import pytest
from django.test import Client

from messaging.phones import INVALID_PHONE
from portal.models import AuditEvent, User
from tests.helpers import open_patient_session

# Declared, so pytest-django orders these before the transactional tests that flush the role groups.
pytestmark = pytest.mark.django_db

URL = "/staff/alerts/my-contact/"
ANY_STAFF = ("reception", "clinician", "clinic_admin")


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    for response in (client.get(URL), client.post(URL, {"alert_phone": "", "alert_language": "en"})):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_patient_link_session_gets_404(patient_link):
    link, token = patient_link
    client = Client()
    open_patient_session(client, token, link)
    assert client.get(URL).status_code == 404


def test_an_account_without_a_role_gets_403(outsider, as_user):
    client = as_user(outsider)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"alert_phone": "+12015550199", "alert_language": "es"}).status_code == 403
    outsider.refresh_from_db()
    assert not outsider.alert_phone


@pytest.mark.parametrize("persona", ANY_STAFF)
def test_each_role_sees_the_page_from_the_navigation_and_saves_its_own_contact(request, as_user, persona):
    user = request.getfixturevalue(persona)
    client = as_user(user)
    board = client.get("/staff/").content.decode()
    assert f'href="{URL}"' in board
    page = client.get(URL)
    assert page.status_code == 200 and "My alert contact" in page.content.decode()
    response = client.post(URL, {"alert_phone": "(201) 555-0199", "alert_language": "es"})
    assert response.status_code == 302 and response["Location"] == URL
    user.refresh_from_db()
    assert user.alert_phone.as_e164 == "+12015550199" and user.alert_language == "es"  # read in CLINIC_PHONE_REGION


def test_saving_is_audited_by_field_names_never_the_number(as_user, clinician):
    client = as_user(clinician)
    client.get(URL)
    client.post(URL, {"alert_phone": "+12015550199", "alert_language": "en"})
    viewed = AuditEvent.objects.get(action="staff.alert_contact_viewed")
    changed = AuditEvent.objects.get(action="staff.alert_contact_changed")
    assert viewed.actor == clinician and changed.actor == clinician
    assert changed.details == {"fields": ["alert_phone"]}
    assert "5550199" not in str(changed.details) and changed.object_id == str(clinician.pk)


def test_the_page_shows_the_saved_number_and_language(as_user, clinician):
    clinician.alert_phone, clinician.alert_language = "+12015550199", "es"
    clinician.save()
    page = as_user(clinician).get(URL).content.decode()
    assert 'value="+12015550199"' in page and '<option value="es" selected>' in page


def test_an_empty_number_means_email_only(as_user, clinician):
    clinician.alert_phone = "+12015550199"
    clinician.save()
    as_user(clinician).post(URL, {"alert_phone": "", "alert_language": "en"})
    clinician.refresh_from_db()
    assert not clinician.alert_phone


@pytest.mark.parametrize("bad", ["12345", "not a phone", "+1 201 555 01999999", "٠١٢٣"])
def test_a_number_that_cannot_be_texted_gets_a_clear_error_and_nothing_is_saved(as_user, clinician, bad):
    response = as_user(clinician).post(URL, {"alert_phone": bad, "alert_language": "es"})
    assert response.status_code == 200
    assert str(INVALID_PHONE) in response.content.decode().replace("&#x27;", "'")
    clinician.refresh_from_db()
    assert not clinician.alert_phone and clinician.alert_language == "en"
    assert not AuditEvent.objects.filter(action="staff.alert_contact_changed").exists()


@pytest.mark.parametrize("bad", ["fr", "", "en-GB"])
def test_a_language_the_portal_does_not_speak_is_refused(as_user, clinician, bad):
    response = as_user(clinician).post(URL, {"alert_phone": "", "alert_language": bad})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    clinician.refresh_from_db()
    assert clinician.alert_language == "en"


def test_only_get_and_post_are_allowed(as_user, clinician):
    assert as_user(clinician).put(URL).status_code == 405


def test_a_new_account_starts_in_the_clinic_staff_language(db, settings):
    settings.CLINIC_STAFF_LANGUAGE = "es"
    assert User.objects.create_user(username="nueva").alert_language == "es"


def test_the_clinic_admin_sees_and_edits_them_in_django_admin(admin_client, clinician):
    page = admin_client.get(f"/admin/portal/user/{clinician.pk}/change/").content.decode()
    assert 'name="alert_phone"' in page and 'name="alert_language"' in page
    listing = admin_client.get("/admin/portal/user/").content.decode()
    assert "column-alert_phone" in listing


def test_the_service_refuses_what_the_form_would_have_caught(clinician):
    from messaging.services import set_alert_contact

    with pytest.raises(ValueError):
        set_alert_contact(user=clinician, phone="", language="fr")
    with pytest.raises(ValueError):
        set_alert_contact(user=clinician, phone="(201) 555-0199", language="en")  # not cleaned to E.164
    assert set_alert_contact(user=clinician, phone="+12015550199", language="en") == ["alert_phone"]
    assert set_alert_contact(user=clinician, phone="+12015550199", language="en") == []
