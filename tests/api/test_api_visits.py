"""The JSON API's visit endpoints: create/update by external id, read, list changed since, each scope."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ExternalVisitId, Scope
from intake.models import AccessLink, Patient, Visit
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def visit_body(**overrides) -> dict:
    body = {
        "external_id": "APPT-1001",
        "patient": {
            "first_name": "Zoë",
            "last_name": "Ortiz",
            "date_of_birth": "1980-02-03",
            "email": "zoe@example.com",
        },
        "scheduled_at": (timezone.now() + timedelta(days=1)).replace(microsecond=0).isoformat(),
    }
    body.update(overrides)
    return body


def post(client, body, **headers):
    return client.post("/api/v1/visits", data=json.dumps(body), content_type="application/json", **headers)


def test_it_creates_the_patient_and_visit_through_the_invite_service(api_client):
    response = post(api_client(Scope.VISITS_WRITE), visit_body())
    assert response.status_code == 201, response.content
    data = response.json()
    visit = Visit.objects.get(pk=data["id"])
    assert visit.patient.first_name == "Zoë"
    assert data["external_ids"] == [{"source": "api", "id": "APPT-1001"}]
    assert data["progress"] == "invited" and data["consent"] == {
        "state": "none",
        "id": None,
        "signed_at": None,
        "withdrawn_at": None,
        "pdf_url": None,
    }
    assert AccessLink.objects.filter(visit=visit, revoked_at__isnull=True).count() == 1  # invite_patient's link
    assert "patient" not in data or data["patient"] is None  # no patients:read scope


def test_the_same_request_twice_makes_one_visit(api_client):
    client, body = api_client(Scope.VISITS_WRITE), visit_body()
    first = post(client, body)
    second = post(client, body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Visit.objects.count() == 1 and Patient.objects.count() == 1


def test_a_known_external_id_moves_the_appointment(api_client):
    client = api_client(Scope.VISITS_WRITE)
    post(client, visit_body())
    later = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = post(client, visit_body(scheduled_at=later.isoformat()))
    assert response.status_code == 200
    assert Visit.objects.get().scheduled_at == later
    assert AuditEvent.objects.filter(action="visit.updated", details__fields=["scheduled_at"]).exists()


def test_an_external_id_of_another_patient_is_a_conflict(api_client):
    client = api_client(Scope.VISITS_WRITE)
    post(client, visit_body())
    other = visit_body(patient={"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "1990-01-01"})
    response = post(client, other)
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "external_id_conflict"
    assert Visit.objects.count() == 1


def test_external_ids_are_unique_per_source_not_globally(api_client):
    post(api_client(Scope.VISITS_WRITE, source="cliniko"), visit_body())
    post(api_client(Scope.VISITS_WRITE, source="jane"), visit_body())
    assert Visit.objects.count() == 2
    assert set(ExternalVisitId.objects.values_list("source", flat=True)) == {"cliniko", "jane"}


def test_send_link_emails_the_patient_a_fresh_link(api_client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api_client(Scope.VISITS_WRITE), visit_body(send_link=True))
    assert response.json()["link_sent"] is True
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["zoe@example.com"]
    assert "/p/" in mailoutbox[0].body
    assert "/p/" not in response.content.decode()  # the link goes to the patient only


def test_repeating_send_link_without_a_key_sends_once_until_the_time_changes(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    """A practice system that repeats its call must not revoke the patient's link and message them each time."""
    client, body = api_client(Scope.VISITS_WRITE), visit_body(send_link=True)
    with django_capture_on_commit_callbacks(execute=True):
        replies = [post(client, body) for _ in range(3)]
    assert [reply.json()["link_sent"] for reply in replies] == [True, False, False]
    assert len(mailoutbox) == 1 and AccessLink.objects.filter(revoked_at__isnull=True).count() == 1
    later = (timezone.now() + timedelta(days=2)).replace(microsecond=0).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        moved = post(client, {**body, "scheduled_at": later})
    assert moved.json()["link_sent"] is True and len(mailoutbox) == 2  # the patient hears the new time


def test_send_link_on_a_later_call_sends_when_no_link_was_sent_yet(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    client = api_client(Scope.VISITS_WRITE)
    post(client, visit_body())
    with django_capture_on_commit_callbacks(execute=True):
        reply = post(client, visit_body(send_link=True))
    assert reply.json()["link_sent"] is True and len(mailoutbox) == 1


class TestIdempotencyKey:
    def test_same_key_and_body_replays_the_first_reply(self, api_client):
        client, body = api_client(Scope.VISITS_WRITE), visit_body()
        first = post(client, body, HTTP_IDEMPOTENCY_KEY="k-1")
        second = post(client, body, HTTP_IDEMPOTENCY_KEY="k-1")
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert second["Idempotent-Replayed"] == "true"
        assert Visit.objects.count() == 1

    def test_same_key_with_another_body_is_refused(self, api_client):
        client = api_client(Scope.VISITS_WRITE)
        post(client, visit_body(), HTTP_IDEMPOTENCY_KEY="k-2")
        response = post(client, visit_body(external_id="APPT-2"), HTTP_IDEMPOTENCY_KEY="k-2")
        assert response.status_code == 422 and response["Content-Type"] == PROBLEM
        assert response.json()["code"] == "idempotency_key_reused"
        assert Visit.objects.count() == 1

    def test_keys_belong_to_one_token(self, api_client):
        post(api_client(Scope.VISITS_WRITE, source="a"), visit_body(), HTTP_IDEMPOTENCY_KEY="shared")
        response = post(api_client(Scope.VISITS_WRITE, source="b"), visit_body(), HTTP_IDEMPOTENCY_KEY="shared")
        assert response.status_code == 201
        assert Visit.objects.count() == 2


class TestReadingAVisit:
    def test_it_shows_flag_codes_and_levels_but_not_answers_without_the_scope(self, api_client, screened_visit):
        data = api_client(Scope.VISITS_READ).get(f"/api/v1/visits/{screened_visit.pk}").json()
        assert data["flag_level"] == "review"
        assert data["flags"] == [
            {"code": "anticoagulant", "level": "review", "title": None, "rule": None, "answer": None}
        ]
        assert "warfarin" not in json.dumps(data)
        assert data["patient"] is None

    def test_answers_read_adds_the_answer_behind_each_flag(self, api_client, screened_visit):
        data = api_client(Scope.VISITS_READ, Scope.ANSWERS_READ).get(f"/api/v1/visits/{screened_visit.pk}").json()
        assert data["flags"][0]["answer"] == "warfarin"

    def test_patients_read_adds_demographics(self, api_client, screened_visit):
        data = api_client(Scope.VISITS_READ, Scope.PATIENTS_READ).get(f"/api/v1/visits/{screened_visit.pk}").json()
        assert data["patient"]["date_of_birth"] == screened_visit.patient.date_of_birth.isoformat()

    def test_it_shows_the_consent_state_once_signed(self, api_client, sign, screened_visit):
        record = sign(screened_visit)
        data = api_client(Scope.VISITS_READ).get(f"/api/v1/visits/{screened_visit.pk}").json()
        assert data["progress"] == "signed"
        assert data["consent"]["state"] == "signed" and data["consent"]["id"] == str(record.pk)
        assert data["consent"]["pdf_url"].endswith(f"/api/v1/consents/{record.pk}/pdf")

    def test_reading_is_audited_with_the_token_and_no_health_data(self, api_client, make_token, screened_visit):
        token, secret = make_token(Scope.VISITS_READ, Scope.ANSWERS_READ)
        from django.test import Client

        Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(f"/api/v1/visits/{screened_visit.pk}")
        event = AuditEvent.objects.get(action="api.visit_read")
        assert event.details["token"] == str(token.pk) and event.patient_id == screened_visit.patient_id
        assert "warfarin" not in json.dumps(event.details)

    @pytest.mark.parametrize("visit_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
    def test_unknown_or_malformed_ids_are_a_problem_404(self, api_client, visit_id):
        response = api_client(Scope.VISITS_READ).get(f"/api/v1/visits/{visit_id}")
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM


class TestListingChangedVisits:
    def test_it_pages_oldest_change_first_with_a_cursor(self, api_client):
        from tests.factories import VisitFactory

        visits = [VisitFactory() for _ in range(5)]
        client = api_client(Scope.VISITS_READ)
        seen, cursor = [], None
        while True:
            url = "/api/v1/visits?limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = client.get(url).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(str(v.pk) for v in visits) and len(seen) == 5

    def test_changed_since_leaves_out_older_changes(self, api_client, time_machine):
        from tests.factories import VisitFactory

        time_machine.move_to(timezone.now() - timedelta(hours=2))
        old = VisitFactory()
        time_machine.move_to(timezone.now() + timedelta(hours=2))
        new = VisitFactory()
        since = (timezone.now() - timedelta(hours=1)).isoformat()
        page = api_client(Scope.VISITS_READ).get("/api/v1/visits", {"changed_since": since}).json()
        ids = [item["id"] for item in page["items"]]
        assert str(new.pk) in ids and str(old.pk) not in ids

    def test_a_journey_step_counts_as_a_change(self, api_client, time_machine):
        from tests.factories import VisitFactory

        time_machine.move_to(timezone.now() - timedelta(hours=2))
        visit = VisitFactory()
        time_machine.move_to(timezone.now() + timedelta(hours=2))
        since = (timezone.now() - timedelta(minutes=1)).isoformat()
        visit.mark("opened_at")
        page = api_client(Scope.VISITS_READ).get("/api/v1/visits", {"changed_since": since}).json()
        assert [item["progress"] for item in page["items"]] == ["opened"]

    def test_a_tampered_cursor_is_a_field_error(self, api_client):
        response = api_client(Scope.VISITS_READ).get("/api/v1/visits?cursor=abc")
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"parameter": "cursor", "in": "query", "detail": "This cursor is not valid."}
        ]

    def test_it_finds_a_visit_by_external_id(self, api_client):
        post(api_client(Scope.VISITS_WRITE), visit_body())
        page = api_client(Scope.VISITS_READ).get("/api/v1/visits", {"external_id": "APPT-1001"}).json()
        assert len(page["items"]) == 1


def test_listing_runs_the_same_number_of_queries_for_5_or_50_visits(api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import VisitFactory

    client = api_client(Scope.VISITS_READ, Scope.PATIENTS_READ, Scope.ANSWERS_READ)
    client.get("/api/v1/visits")  # the token's first use also stamps last_used_at
    counts = []
    for total in (5, 50):
        VisitFactory.create_batch(total - Visit.objects.count())
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get("/api/v1/visits?limit=100").json()["items"]) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_visit_for_a_discharged_course_is_a_clear_conflict(api_client, clinician):
    from intake.courses.services import discharge_course
    from intake.models import Course

    client = api_client(Scope.VISITS_WRITE)
    assert post(client, visit_body()).status_code in (200, 201)
    discharge_course(course=Course.objects.get(), reason="Goals met", by=clinician)
    response = post(client, visit_body(external_id="APPT-2002"))
    assert response.status_code == 409
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["code"] == "course_discharged"
    assert Visit.objects.count() == 1


def test_a_second_appointment_is_a_follow_up_in_the_patients_course(api_client):
    client = api_client(Scope.VISITS_WRITE)
    post(client, visit_body())
    later = (timezone.now() + timedelta(days=8)).replace(microsecond=0).isoformat()
    post(client, visit_body(external_id="APPT-2002", scheduled_at=later))
    first, second = Visit.objects.order_by("scheduled_at")
    assert first.course_id == second.course_id and second.session_number == 2


def test_a_phone_that_is_not_a_number_is_a_field_error_and_a_good_one_is_stored_as_e164(api_client):
    client = api_client(Scope.VISITS_WRITE)
    patient = visit_body()["patient"]
    response = post(client, visit_body(patient={**patient, "phone": "call me maybe"}))
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert [error["pointer"] for error in response.json()["errors"]] == ["#/patient/phone"]
    assert not Visit.objects.exists()
    assert post(client, visit_body(patient={**patient, "phone": "201-555-0123"})).status_code == 201
    assert Patient.objects.get().phone == "+12015550123"
