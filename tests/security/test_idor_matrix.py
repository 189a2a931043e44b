"""The IDOR matrix: every object URL, for two patients, as every kind of visitor.

- Staff object URLs (any route with a record id) are tried with patient B's ids as: anonymous
  (login redirect), an account without a role and both patients' sessions (never a page), each staff
  role (a page or a refusal, never a crash) and with unknown ids (404 for everyone).
- Patient pages carry no ids: patient A's session is walked over every patient page and must never
  show patient B's name, email or date of birth, nor hand out B's PDF.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent
from tests.helpers import open_patient_session
from tests.security.world import NON_ID_KWARGS, all_routes, build_journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(clinician):
    a = build_journey(first_name="Annika", last_name="Aalto", clinician=clinician)
    b = build_journey(first_name="Bartholomew", last_name="Quigley", clinician=clinician)
    b.patient.email = "bartholomew.quigley@example.org"
    b.patient.save()
    return a, b


def _object_routes():
    return [r for r in all_routes() if r.is_staff and any(k.endswith("_id") for k in r.kwargs)]


def _url(route, ids: dict) -> str | None:
    kwargs = {}
    for name in route.kwargs:
        if name in ids:
            kwargs[name] = ids[name]
        elif name in NON_ID_KWARGS:
            kwargs[name] = NON_ID_KWARGS[name]()[0]
        else:
            return None
    return reverse(route.name, kwargs=kwargs)


def _request(client: Client, url: str):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


def test_staff_object_urls_across_patients_and_roles(two, reception, clinician, clinic_admin, outsider):
    a, b = two
    routes = _object_routes()
    assert len(routes) >= 5, "the walk should find the staff object URLs"
    problems: list[str] = []

    def visitor(kind: str) -> Client:
        client = Client()
        if kind in ("reception", "clinician", "clinic_admin", "outsider"):
            client.force_login(
                {"reception": reception, "clinician": clinician, "clinic_admin": clinic_admin, "outsider": outsider}[
                    kind
                ]
            )
        elif kind == "patient_a":
            open_patient_session(client, a.token, a.link)
        elif kind == "patient_b":
            open_patient_session(client, b.token, b.link)
        return client

    # Patient sessions are opened once, before any staff action can revoke a link.
    patients = {kind: visitor(kind) for kind in ("patient_a", "patient_b")}
    secrets = [b.patient.first_name, b.patient.last_name, b.patient.email]
    for route in routes:
        url = _url(route, b.ids)
        if url is None:
            continue
        for kind in ("anonymous", "outsider", "patient_a", "patient_b"):
            before = AuditEvent.objects.exclude(action__startswith="auth.").count()
            response = _request(patients.get(kind) or visitor(kind), url)
            body = response.content.decode(errors="replace") if response.status_code != 302 else ""
            if kind == "anonymous" and not (
                response.status_code == 302 and response["Location"].startswith("/accounts/login/")
            ):
                problems.append(f"{route.name} as {kind}: {response.status_code}, expected a login redirect")
            if response.status_code < 300 or any(s in body for s in secrets):
                problems.append(f"{route.name} as {kind}: {response.status_code} shows the page")
            after = AuditEvent.objects.exclude(action__startswith="auth.").count()
            if after != before and kind != "anonymous":
                actions = list(AuditEvent.objects.order_by("-id").values_list("action", flat=True)[: after - before])
                if any(not action.endswith(("denied", "refused")) for action in actions):
                    problems.append(f"{route.name} as {kind}: wrote {actions} without access")
        for kind in ("reception", "clinician", "clinic_admin"):
            response = _request(visitor(kind), url)
            if response.status_code not in (200, 302, 403):
                problems.append(f"{route.name} as {kind}: unexpected {response.status_code}")
            unknown = _url(route, {name: str(uuid.uuid4()) for name in b.ids})
            missing = _request(visitor(kind), unknown)
            if missing.status_code not in (404, 403):
                problems.append(f"{route.name} as {kind} with an unknown id: {missing.status_code}, expected 404")
    assert not problems, "\n".join(problems)


def test_a_patient_session_never_shows_another_patients_data(two):
    a, b = two
    client = Client()
    open_patient_session(client, a.token, a.link)
    secrets = [b.patient.first_name, b.patient.last_name, b.patient.email, b.patient.date_of_birth.isoformat()]
    b_files = set()
    from consent.models import ConsentRecord

    for record in ConsentRecord.objects.filter(visit=b.visit):
        for f in (getattr(record, "pdf", None), getattr(record, "confirmation_pdf", None)):
            if f:
                with f.open("rb") as handle:
                    b_files.add(handle.read())
    checked = 0
    for route in all_routes():
        if not route.is_patient:
            continue
        values = [{}]
        for name in route.kwargs:
            if name not in NON_ID_KWARGS:
                values = []
                break
            values = [{**v, name: value} for v in values for value in NON_ID_KWARGS[name]()]
        for kwargs in values:
            response = client.get(reverse(route.name, kwargs=kwargs))
            if response.status_code != 200:
                continue
            checked += 1
            content = b"".join(response.streaming_content) if response.streaming else response.content
            assert content not in b_files, route.name
            text = content.decode(errors="replace")
            for secret in secrets:
                assert secret not in text, f"{route.name} shows {secret!r}"
    assert checked >= 5


def test_a_patient_session_cannot_be_steered_to_another_visit_by_the_session_cookie_alone(two):
    """A session's grant names the link and the visit; swapping in another visit's id opens nothing."""
    a, b = two
    client = Client()
    open_patient_session(client, a.token, a.link)
    session = client.session
    grant = session["patient_access"]
    grant["visit"] = str(b.visit.pk)
    session["patient_access"] = grant
    session.save()
    assert client.get("/patient/").status_code == 404
