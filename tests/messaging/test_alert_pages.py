"""The alert pages walk the ladder; acknowledging from the page needs an outcome and a note."""

import pytest
from django.test import Client

from messaging.models import Alert, Outcome
from messaging.services import raise_alert
from portal.models import AuditEvent
from tests.helpers import open_patient_session

ANY_STAFF = ("reception", "clinician", "clinic_admin")
CLINICAL = ("clinician", "clinic_admin")
VIEWS = [
    ("alert list", "get", "/staff/alerts/", ANY_STAFF),
    ("alert", "get", "/staff/alerts/{alert}/", ANY_STAFF),
    ("acknowledge", "post", "/staff/alerts/{alert}/acknowledge/", CLINICAL),
]
IDS = [v[0] for v in VIEWS]


@pytest.fixture
def alert(alert_visit):
    return raise_alert(visit=alert_visit, symptoms=["Breathing or chest symptoms"], source="checkin_24h")


def _call(client, method, url, alert):
    data = {"outcome": Outcome.CALLED, "note": "Spoke to her"} if method == "post" else None
    return getattr(client, method)(url.format(alert=alert.pk), data)


@pytest.mark.parametrize(("name", "method", "url", "roles"), VIEWS, ids=IDS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, alert, name, method, url, roles):
    response = _call(client, method, url, alert)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("name", "method", "url", "roles"), VIEWS, ids=IDS)
def test_a_patient_link_session_gets_404(patient_link, alert, name, method, url, roles):
    link, token = patient_link
    client = Client()
    open_patient_session(client, token, link)
    assert _call(client, method, url, alert).status_code == 404


@pytest.mark.parametrize(("name", "method", "url", "roles"), VIEWS, ids=IDS)
def test_an_account_without_a_role_gets_403(outsider, as_user, alert, name, method, url, roles):
    assert _call(as_user(outsider), method, url, alert).status_code == 403


@pytest.mark.parametrize(("name", "method", "url", "roles"), VIEWS, ids=IDS)
@pytest.mark.parametrize("persona", ANY_STAFF)
def test_each_role_gets_exactly_what_it_may(request, as_user, alert, persona, name, method, url, roles):
    response = _call(as_user(request.getfixturevalue(persona)), method, url, alert)
    if persona in roles:
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == 403


def test_an_unknown_or_malformed_alert_id_is_404(as_user, clinician):
    client = as_user(clinician)
    assert client.get("/staff/alerts/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/staff/alerts/not-a-uuid/").status_code == 404


def test_the_alert_page_shows_the_symptom_phone_and_emergency_contact_and_is_audited(as_user, clinician, alert):
    body = as_user(clinician).get(f"/staff/alerts/{alert.pk}/").content.decode()
    for fact in ("Breathing or chest symptoms", "+12015550123", "Luis García", "brother", "What did you do?"):
        assert fact in body
    assert AuditEvent.objects.filter(action="alert.viewed", object_id=str(alert.pk)).exists()


def test_reception_sees_the_alert_but_not_the_form(as_user, reception, alert):
    body = as_user(reception).get(f"/staff/alerts/{alert.pk}/").content.decode()
    assert "Breathing or chest symptoms" in body and "What did you do?" not in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "Spoke to her"}, "Choose what you did."),
        ({"outcome": "nonsense", "note": "Spoke to her"}, "Choose what you did."),
        ({"outcome": Outcome.CALLED, "note": ""}, "Add a short note of what happened."),
        ({"outcome": Outcome.CALLED, "note": "x" * 2001}, "Ensure this value has at most 2000 characters"),
    ],
)
def test_a_bad_acknowledgement_gets_a_clear_message_and_keeps_what_was_typed(as_user, clinician, alert, data, message):
    response = as_user(clinician).post(f"/staff/alerts/{alert.pk}/acknowledge/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    if data.get("note") and len(data["note"]) < 100:
        assert data["note"] in body
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_an_acknowledgement_is_stored_with_who_and_shown(as_user, clinician, alert):
    client = as_user(clinician)
    response = client.post(
        f"/staff/alerts/{alert.pk}/acknowledge/", {"outcome": Outcome.EMERGENCY, "note": "Told her to call 911"}
    )
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert (alert.outcome, alert.note, alert.acknowledged_by) == (Outcome.EMERGENCY, "Told her to call 911", clinician)
    assert alert.resolved_at is not None
    body = client.get(f"/staff/alerts/{alert.pk}/").content.decode()
    assert "Advised emergency care" in body and "Told her to call 911" in body and "What did you do?" not in body


def test_the_list_shows_open_alerts_with_symptom_and_phone(as_user, reception, alert):
    body = as_user(reception).get("/staff/alerts/").content.decode()
    assert "Breathing or chest symptoms" in body and 'href="tel:+12015550123"' in body
