"""Every API endpoint writes an audit event naming the token (never its secret, never health data)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from api.models import Scope
from portal.models import AuditEvent
from tests.api.test_api_access import call, endpoints  # noqa: F401 - the endpoint list fixture
from tests.api.test_api_fhir_and_schema import appointment
from tests.api.test_api_visits import visit_body

pytestmark = pytest.mark.django_db


def test_each_endpoint_writes_an_event_with_the_token(endpoints, make_token, screened_visit):  # noqa: F811
    token, secret = make_token(*Scope.values)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for method, path, body, _ in endpoints:
        if path.endswith("/fhir/Appointment"):
            body = appointment()
        before = AuditEvent.objects.count()
        response = call(client, method, path, body)
        assert response.status_code in (200, 201), (path, response.content[:200])
        events = AuditEvent.objects.order_by("-pk")[: AuditEvent.objects.count() - before]
        mine = [e for e in events if e.details.get("token") == str(token.pk)]
        assert mine, f"{path} wrote no event naming the token"
        text = json.dumps([e.details for e in events])
        assert secret not in text and "warfarin" not in text and screened_visit.patient.last_name not in text


# --- One `api.call` event per call, answered or refused ---------------------------------------------

PATIENT = {"first_name": "Zoë", "last_name": "Ortiz", "date_of_birth": "1980-02-03", "email": "zoe@example.com"}
PERSONAL = ("Zoë", "Ortiz", "1980-02-03", "zoe@example.com", "Ruiz", "1990-01-01", "warfarin")


def _post(client, body, **headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/api/v1/visits", data=data, content_type="application/json", **headers)


def _too_big(client):
    return _post(client, visit_body(external_id="x" * 70_000))


def _first_visit(client):
    _post(client, visit_body(), HTTP_IDEMPOTENCY_KEY="k-1")


OTHER_PATIENT = {"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "1990-01-01"}

# (name, an earlier call or None, the call, method, route, status, problem code)
CALLS = [
    ("invalid json", None, lambda c: _post(c, "{not json"), "POST", "visits", 400, "invalid_json"),
    (
        "validation",
        None,
        lambda c: _post(c, visit_body(patient={**PATIENT, "x": 1})),
        "POST",
        "visits",
        422,
        "validation_failed",
    ),
    (
        "conflict",
        _first_visit,
        lambda c: _post(c, visit_body(patient=OTHER_PATIENT)),
        "POST",
        "visits",
        409,
        "external_id_conflict",
    ),
    ("too big", None, _too_big, "POST", "visits", 413, "body_too_large"),
    (
        "key reused",
        _first_visit,
        lambda c: _post(c, visit_body(external_id="APPT-2"), HTTP_IDEMPOTENCY_KEY="k-1"),
        "POST",
        "visits",
        422,
        "idempotency_key_reused",
    ),
    (
        "replayed",
        _first_visit,
        lambda c: _post(c, visit_body(), HTTP_IDEMPOTENCY_KEY="k-1"),
        "POST",
        "visits",
        201,
        None,
    ),
    ("saved", None, lambda c: _post(c, visit_body()), "POST", "visits", 201, None),
    ("listed", None, lambda c: c.get("/api/v1/visits"), "GET", "visits", 200, None),
    ("bad parameter", None, lambda c: c.get("/api/v1/visits?limit=0"), "GET", "visits", 422, "validation_failed"),
    ("unknown visit", None, lambda c: c.get("/api/v1/visits/not-a-uuid"), "GET", "visit", 404, "not_found"),
    ("unknown path", None, lambda c: c.get("/api/v1/nothing-here"), "GET", "", 404, "not_found"),
    ("wrong method", None, lambda c: c.delete("/api/v1/visits"), "DELETE", "visits", 405, "method_not_allowed"),
]


def _calls(client, call):
    before_ids = set(AuditEvent.objects.filter(action="api.call").values_list("pk", flat=True))
    response = call(client)
    mine = [e for e in AuditEvent.objects.filter(action="api.call") if e.pk not in before_ids]
    return response, mine


@pytest.mark.parametrize(
    ("name", "earlier", "call", "method", "route", "status", "problem"), CALLS, ids=[c[0] for c in CALLS]
)
def test_every_call_writes_one_event_with_its_outcome_and_no_personal_data(
    make_token, name, earlier, call, method, route, status, problem
):
    token, secret = make_token(Scope.VISITS_READ, Scope.VISITS_WRITE)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    if earlier:
        earlier(client)
    response, events = _calls(client, call)
    assert response.status_code == status, response.content[:300]
    assert len(events) == 1, [e.details for e in events]
    event = events[-1]
    expected = {
        "token": str(token.pk),
        "token_name": token.name,
        "method": method,
        "route": route,
        "status": status,
    }
    if problem:
        expected["problem"] = problem
    if name == "replayed":
        expected["replayed"] = True
    assert event.details == expected
    assert event.patient_id is None and event.object_id == str(token.pk)
    text = json.dumps(event.details) + event.object_id + event.user_agent
    assert secret not in text and not [word for word in PERSONAL if word in text]


@pytest.mark.parametrize(
    ("header", "problem"),
    [("", "token_missing"), ("Bearer dnp_guess", "token_unknown"), ("Basic dXNlcjpwYXNz", "token_missing")],
)
def test_a_refused_token_is_one_call_event_too(header, problem):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response, events = _calls(client, lambda c: c.get("/api/v1/visits"))
    assert response.status_code == 401
    assert [e.details for e in events] == [{"method": "GET", "route": "visits", "status": 401, "problem": problem}]


def test_a_missing_scope_names_the_token(make_token, screened_visit):
    token, secret = make_token(Scope.VISITS_WRITE)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response, events = _calls(client, lambda c: c.get(f"/api/v1/visits/{screened_visit.pk}"))
    assert response.status_code == 403
    assert [(e.details["token"], e.details["problem"]) for e in events] == [(str(token.pk), "missing_scope")]


def test_each_endpoint_writes_exactly_one_call_event(endpoints, make_token):  # noqa: F811
    _, secret = make_token(*Scope.values)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for method, path, body, _ in endpoints:
        if path.endswith("/fhir/Appointment"):
            body = appointment()
        response, events = _calls(client, lambda c, m=method, p=path, b=body: call(c, m, p, b))
        assert response.status_code in (200, 201)
        assert len(events) == 1 and events[0].details["status"] == response.status_code, path


def test_rate_limited_calls_are_not_written_one_by_one(make_token, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    _, secret = make_token(Scope.VISITS_READ)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.get("/api/v1/visits")
    response, events = _calls(client, lambda c: c.get("/api/v1/visits"))
    assert response.status_code == 429 and events == []
