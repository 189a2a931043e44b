"""FHIR Appointments in; the OpenAPI document and its docs page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ExternalVisitId, Scope
from intake.models import Visit
from tests.api.test_api_visits import PROBLEM

pytestmark = pytest.mark.django_db


def appointment(**overrides) -> dict:
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0).isoformat()
    resource = {
        "resourceType": "Appointment",
        "id": "appt-77",
        "identifier": [{"system": "https://practice.example/appointments", "value": "A-77"}],
        "status": "booked",
        "start": start,
        "end": start,
        "contained": [
            {
                "resourceType": "Patient",
                "id": "p1",
                "name": [{"family": "Nakamura", "given": ["Aiko"]}],
                "birthDate": "1975-06-30",
                "telecom": [{"system": "email", "value": "aiko@example.com"}],
                "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]}}],
            }
        ],
        "participant": [{"actor": {"reference": "#p1"}, "status": "accepted"}],
    }
    resource.update(overrides)
    return resource


def send(client, body, **extra):
    return client.post("/api/v1/fhir/Appointment", data=json.dumps(body), content_type="application/fhir+json", **extra)


def test_an_appointment_creates_the_visit_once(api_client):
    client, body = api_client(Scope.FHIR_WRITE), appointment()
    first, second = send(client, body), send(client, body)
    assert (first.status_code, second.status_code) == (201, 200)
    visit = Visit.objects.get()
    assert (visit.patient.last_name, visit.language) == ("Nakamura", "es")
    assert ExternalVisitId.objects.get().external_id == "A-77"


def test_it_honours_the_idempotency_key(api_client):
    client, body = api_client(Scope.FHIR_WRITE), appointment()
    first = send(client, body, HTTP_IDEMPOTENCY_KEY="fhir-1")
    again = send(client, body, HTTP_IDEMPOTENCY_KEY="fhir-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"status": "cancelled"}, "#/status"),
        ({"start": None}, "#/start"),
        (
            {"participant": [{"actor": {"reference": "Patient/123"}, "status": "accepted"}]},
            "#/participant/0/actor/reference",
        ),
        ({"status": "not-a-status"}, "#/status"),
        ({"resourceType": "Patient"}, "#/resourceType"),
    ],
)
def test_a_wrong_appointment_names_the_field(api_client, change, pointer):
    body = {k: v for k, v in appointment(**change).items() if v is not None}
    response = send(api_client(Scope.FHIR_WRITE), body)
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert pointer in [error["pointer"] for error in response.json()["errors"]]
    assert Visit.objects.count() == 0


def test_a_contained_patient_without_a_birth_date_is_refused(api_client):
    body = appointment()
    del body["contained"][0]["birthDate"]
    response = send(api_client(Scope.FHIR_WRITE), body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/contained/Patient/birthDate"


def test_a_body_that_is_not_json_is_a_400(api_client):
    response = api_client(Scope.FHIR_WRITE).post(
        "/api/v1/fhir/Appointment", data=b"\xff\xfe", content_type="application/fhir+json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"


class TestOpenAPI:
    def test_the_document_is_valid_openapi(self):
        from openapi_spec_validator import validate

        document = Client().get("/api/v1/openapi.json").json()
        validate(document)

    def test_no_object_repeats_a_key(self):
        """JSON parsers in Python keep the last duplicate; Swagger UI's refuses the whole document."""

        def no_duplicates(pairs):
            keys = [key for key, _ in pairs]
            assert len(keys) == len(set(keys)), f"duplicated keys: {keys}"
            return dict(pairs)

        json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)

    def test_it_lists_exactly_the_endpoints(self):
        document = Client().get("/api/v1/openapi.json").json()
        operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
        assert operations == {
            ("POST", "/api/v1/visits"),
            ("GET", "/api/v1/visits"),
            ("GET", "/api/v1/visits/{visit_id}"),
            ("GET", "/api/v1/consents/{consent_id}/pdf"),
            ("POST", "/api/v1/fhir/Appointment"),
            ("GET", "/api/v1/fhir/Patient/{patient_id}/Bundle"),
        }
        assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"

    def test_the_docs_page_loads_only_the_portals_own_files(self):
        response = Client().get("/api/v1/docs")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/ninja/swagger-ui-bundle.js" in html
        assert "cdn" not in html.lower() and "https://" not in html
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp

    def test_the_swagger_files_are_served(self):
        from django.contrib.staticfiles import finders

        assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui-init.js")
