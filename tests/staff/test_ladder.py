"""Every staff view walks the ladder: anonymous -> login, patient session -> 404, no role or the wrong
role -> 403, the right role -> 200 (or a redirect after a POST)."""

import pytest
from django.test import Client

from tests.factories import AccessLinkFactory
from tests.helpers import open_patient_session

pytestmark = pytest.mark.django_db

ANY_STAFF = ("reception", "clinician", "clinic_admin")
CLINICAL = ("clinician", "clinic_admin")
ADMIN = ("clinic_admin",)

# (name, method, url template, roles allowed)
VIEWS = [
    ("board", "get", "/staff/", ANY_STAFF),
    ("board search", "get", "/staff/?q=zoe", ANY_STAFF),
    ("invite", "get", "/staff/invite/", ANY_STAFF),
    ("patient record", "get", "/staff/patients/{patient}/", ANY_STAFF),
    ("patient edit", "get", "/staff/patients/{patient}/edit/", ANY_STAFF),
    ("visit link", "get", "/staff/visits/{visit}/link/", ANY_STAFF),
    ("new link", "post", "/staff/visits/{visit}/link/new/", ANY_STAFF),
    ("email link", "post", "/staff/visits/{visit}/link/email/", ANY_STAFF),
    ("print link", "post", "/staff/visits/{visit}/link/print/", ANY_STAFF),
    ("revoke link", "post", "/staff/links/{link}/revoke/", ANY_STAFF),
    ("unlock link", "post", "/staff/links/{link}/unlock/", ANY_STAFF),
    ("kiosk start", "post", "/staff/visits/{visit}/kiosk/", ANY_STAFF),
    ("review queue", "get", "/staff/review/", CLINICAL),
    ("visit review", "get", "/staff/visits/{visit}/review/", CLINICAL),
    ("visit record", "get", "/staff/visits/{visit}/record/", CLINICAL),
    ("paper consent scan", "get", "/staff/visits/{visit}/paper-consent/", CLINICAL),
    ("visit measures", "get", "/staff/visits/{visit}/measures/", CLINICAL),
    ("acknowledge urgent", "post", "/staff/visits/{visit}/urgent/acknowledge/", CLINICAL),
    ("discharge course", "post", "/staff/courses/{course}/discharge/", CLINICAL),
    ("outcomes", "get", "/staff/outcomes/", CLINICAL),
    ("outcomes csv", "get", "/staff/outcomes/funnel.csv", CLINICAL),
    ("audit log", "get", "/staff/audit/", ADMIN),
    ("csv export", "get", "/staff/export.csv", ADMIN),
    ("fhir export", "get", "/staff/patients/{patient}/fhir/", ADMIN),
    ("legal hold", "post", "/staff/patients/{patient}/legal-hold/", ADMIN),
    ("access report", "get", "/staff/patients/{patient}/access/", ADMIN),
    ("access pack", "get", "/staff/patients/{patient}/access-pack.zip", ADMIN),
]


@pytest.fixture
def target(screened_visit, clinician):
    from django.core.files.base import ContentFile

    from intake.visits.services import attach_paper_consent

    link = AccessLinkFactory(visit=screened_visit)
    attach_paper_consent(visit=screened_visit, scan=ContentFile(b"%PDF-1.4\n%%EOF\n"), by=clinician)
    return {
        "visit": screened_visit.pk,
        "patient": screened_visit.patient_id,
        "link": link.pk,
        "course": screened_visit.course_id,
    }


def _call(client, method, url):
    return getattr(client, method)(url)


@pytest.mark.parametrize(("name", "method", "url", "roles"), VIEWS, ids=[v[0] for v in VIEWS])
def test_anonymous_visitors_are_sent_to_the_login_page(client, target, name, method, url, roles):
    response = _call(client, method, url.format(**target))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("name", "method", "url", "roles"), VIEWS, ids=[v[0] for v in VIEWS])
def test_a_patient_link_session_gets_404(patient_link, target, name, method, url, roles):
    link, token = patient_link
    client = Client()
    open_patient_session(client, token, link)
    assert _call(client, method, url.format(**target)).status_code == 404


@pytest.mark.parametrize(("name", "method", "url", "roles"), VIEWS, ids=[v[0] for v in VIEWS])
def test_a_logged_in_account_without_a_role_gets_403(outsider, as_user, target, name, method, url, roles):
    assert _call(as_user(outsider), method, url.format(**target)).status_code == 403


@pytest.mark.parametrize(("name", "method", "url", "roles"), VIEWS, ids=[v[0] for v in VIEWS])
@pytest.mark.parametrize("persona", ANY_STAFF)
def test_each_role_gets_exactly_what_it_may(request, as_user, target, persona, name, method, url, roles):
    response = _call(as_user(request.getfixturevalue(persona)), method, url.format(**target))
    if persona in roles:
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == 403


def test_the_kiosk_locked_screen_is_public_and_shows_nothing_personal(client):
    response = client.get("/staff/kiosk/locked/")
    assert response.status_code == 200
    assert "hand the tablet back" in response.content.decode()
