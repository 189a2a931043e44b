"""Every view that reads or changes a patient's data writes an audit event.

The test walks ALL URL patterns of the portal (django.urls.get_resolver) for patients at several
points of the journey. Each view must be exercised here (a successful GET, or for POST-only views a
POST of the form that the pages show, writes at least one AuditEvent), or be listed below with the
reason it touches no patient data. A new view that is neither fails the test with its name.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent
from tests.helpers import open_patient_session
from tests.security.htmlforms import forms_on, path_of
from tests.security.world import NON_ID_KWARGS, all_routes, build_follow_up_journey, build_journey

pytestmark = pytest.mark.django_db

# Views that show or change no patient data, and why.
NO_PATIENT_DATA = {
    "healthz": "database ping",
    "favicon": "redirects to the static icon",
    "staff:kiosk_return": "the hand-back PIN; its outcomes are audited as kiosk.pin_* events",
    "login": "staff sign-in form; outcomes are audited as auth.* events (test_staff_login.py)",
    "logout": "audited as auth.logout (test_staff_login.py)",
    "otp_verify": "staff code step; audited as auth.otp_* (test_staff_login.py)",
    "otp_setup": "staff enrolment; audited as auth.otp_enrolled (test_staff_login.py)",
    "otp_setup_qr": "the staff member's own enrolment QR code",
    "otp_backup_codes": "the staff member's own backup codes; renewal audited",
    "patient_language": "stores the chosen language in the session",
    "staff:kiosk_locked": "the locked 'hand back the tablet' screen shows nobody's data",
    "staff:kiosk_finish": "ends kiosk mode on the tablet; reads no record",
    "staff:invite": "GET shows an empty form; creating the patient is audited (tests/staff)",
    "consent_staff:verify": "GET shows an upload form; a verification names no patient until it matches",
    "journey:explanation": "the same text for every patient (reading it is audited as explanation.read)",
    "patient:entry": "the date-of-birth step; its outcomes are audited as link.* events (test_patient_links.py)",
    "patient:reference_entry": "the same date-of-birth step reached from a message; audited as link.* events",
    "journey:screening": "redirects to the next screening section, whose page is audited",
    "consent_staff:for-visit": "redirects to the visit's consent record page, which is audited",
}

# Views whose audit events are asserted elsewhere, because this walk cannot reach them with a journey's ids.
AUDITED_ELSEWHERE = {
    "integrations:token_revoke": "tests/api/test_staff_pages.py (each integration page's event)",
    "integrations:webhook": "tests/api/test_staff_pages.py",
    "integrations:webhook_toggle": "tests/api/test_staff_pages.py",
    "integrations:import_preview": "tests/api/test_staff_pages.py",
    "journey:since-last-act-now": "tests/courses/test_follow_up_journey.py (it shows only after a red flag)",
}

# Views found reading patient data without an event when this test was written; owners listed.
# The test fails when one of them starts writing events, so the list only ever shrinks.
KNOWN_GAPS: dict[str, str] = {}

STAGES = ["explained", "screened", "understood", "signed", "checked_in"]


def _kwarg_values(route, journey, known_ids: set[str]) -> list[dict] | None:
    """URL keyword values for this journey; [] when this journey lacks the record; None when unknown."""
    options: list[dict] = [{}]
    for name in route.kwargs:
        if name in journey.ids:
            values = [journey.ids[name]]
        elif name in NON_ID_KWARGS:
            values = NON_ID_KWARGS[name]()
        elif name in known_ids:
            return []
        else:
            return None
        options = [{**option, name: value} for option in options for value in values]
    return options


@pytest.fixture
def journeys(clinician):
    walked = [build_journey(first_name=f"Audra{n}", clinician=clinician, upto=stage) for n, stage in enumerate(STAGES)]
    return [*walked, build_follow_up_journey(first_name="Audra-later", clinician=clinician)]


def test_every_view_that_touches_patient_data_writes_an_audit_event(journeys, clinic_admin):
    # /api/ answers bearer tokens, not sessions: every endpoint's event is asserted in tests/api/test_api_audit.py.
    routes = [
        r for r in all_routes() if not r.route.startswith(("/admin/", "/api/")) and r.name not in AUDITED_ELSEWHERE
    ]
    unnamed = [r.route for r in routes if not r.name]
    assert not unnamed, f"every URL needs a name so this walk can list it: {unnamed}"
    routes = [r for r in routes if r.name not in NO_PATIENT_DATA]

    def staff_client() -> Client:
        c = Client()
        c.force_login(clinic_admin)
        return c

    outcomes: dict[str, list[str]] = {r.name: [] for r in routes}
    audited: set[str] = set()
    unaudited: set[str] = set()
    forms: dict[str, list] = {}
    post_only = []
    problems: list[str] = []

    known_ids = {key for journey in journeys for key in journey.ids}
    for journey in journeys:
        patient = Client()
        open_patient_session(patient, journey.token, journey.link)
        staff = staff_client()
        for route in routes:
            values = _kwarg_values(route, journey, known_ids)
            if values is None:
                problems.append(f"{route.name}: teach tests/security/world.py the URL keyword(s) {route.kwargs}")
                continue
            client = patient if route.is_patient else staff
            for kwargs in values:
                url = reverse(route.name, kwargs=kwargs)
                before = AuditEvent.objects.count()
                response = client.get(url)
                outcomes[route.name].append(f"{journey.visit.progress} GET {response.status_code}")
                if response.status_code == 405:
                    post_only.append((route, url, journey))
                elif response.status_code == 200:
                    (audited if AuditEvent.objects.count() > before else unaudited).add(route.name)
                    if response.get("Content-Type", "").startswith("text/html"):
                        for form in forms_on(response.content.decode(), url):
                            if form.method == "post":
                                forms.setdefault(path_of(form.action), []).append(form)

    # POST-only views: post the form a page offers for that URL (or nothing), as each patient's staff.
    # Patients' first: a staff POST such as "issue a new link" ends the journey's link.
    for route, url, journey in sorted(post_only, key=lambda item: not item[0].is_patient):
        form = (forms.get(url) or [None])[0]
        data = form.fill(dob=journey.patient.date_of_birth) if form else {}
        before = AuditEvent.objects.count()
        client = Client() if route.is_patient else staff_client()
        if route.is_patient:
            open_patient_session(client, journey.token, journey.link)
        response = client.post(url, data)
        note = "" if form else " (no form)"
        outcomes[route.name].append(f"{journey.visit.progress} POST {response.status_code}{note}")
        if response.status_code < 400 and AuditEvent.objects.count() > before:
            audited.add(route.name)

    # A view passes when its successful path writes an event (a "not ready yet" page may show no data).
    for route in routes:
        name = route.name
        if name in KNOWN_GAPS:
            if name in audited:
                problems.append(f"{name}: now writes audit events; remove it from KNOWN_GAPS")
            continue
        if name in unaudited and name not in audited:
            problems.append(f"{name}: shows a page but never writes an audit event")
        elif name not in audited:
            problems.append(f"{name}: never reached successfully ({', '.join(outcomes[name])}); list it or reach it")
    assert not problems, "\n".join(problems)


def test_the_admin_site_audits_patient_records_it_shows(journeys, client):
    from tests.factories import UserFactory

    journey = journeys[-1]
    client.force_login(UserFactory(username="superuser", is_staff=True, is_superuser=True))
    for url in (
        "/admin/intake/patient/",
        f"/admin/intake/patient/{journey.patient.pk}/change/",
        f"/admin/intake/visit/{journey.visit.pk}/change/",
    ):
        before = AuditEvent.objects.count()
        response = client.get(url)
        if response.status_code == 404:
            continue  # that model is not in the admin
        assert response.status_code == 200, url
        assert AuditEvent.objects.count() > before, url
        event = AuditEvent.objects.order_by("-id").first()
        assert event.action == "admin.viewed"
        assert journey.patient.first_name not in str(event.details)
