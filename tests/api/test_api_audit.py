"""Every API endpoint writes an audit event naming the token (never its secret, never health data)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from api.models import Scope
from portal.models import AuditEvent
from tests.api.test_api_access import call, endpoints  # noqa: F401 - the endpoint list fixture
from tests.api.test_api_fhir_and_schema import appointment

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
