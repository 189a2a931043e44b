"""Outgoing webhooks against a real local server: signed deliveries, retries, the SSRF guard."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from api.models import Event, WebhookDelivery, WebhookEndpoint
from api.services import create_endpoint
from api.webhooks import BACKOFF, attempt, check_url, emit_event, retry_due
from tests.api.receiver import start_receiver

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"


def documented_verify():
    """The `verify` function exactly as docs/integrations.md prints it."""
    text = DOCS.read_text()
    block = re.search(r"<!-- verify-example.*?-->\n```python\n(.*?)```", text, re.S)
    assert block, "docs/integrations.md lost its verification example"
    namespace: dict = {}
    exec(block.group(1), namespace)  # noqa: S102 - our own documentation, run to prove it works
    return namespace["verify"]


@pytest.fixture
def receiver():
    server = start_receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def hook(receiver, clinic_admin):
    return create_endpoint(
        name="Practice system", url=receiver.url, events=Event.values, allow_private_network=True, by=clinic_admin
    )


def test_a_signed_consent_arrives_signed_and_verifies_with_the_documented_code(
    receiver, hook, sign, screened_visit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = sign(screened_visit)
    events = {r.headers["X-Portal-Event"]: r for r in receiver.requests}
    assert set(events) == {"consent.signed", "visit.progress"}
    arrived = events["consent.signed"]
    verify = documented_verify()
    assert verify(hook.secret, arrived.headers, arrived.body)
    assert not verify("whsec_wrong", arrived.headers, arrived.body)
    assert not verify(hook.secret, arrived.headers, arrived.body.replace(b"signed", b"Signed"))
    payload = json.loads(arrived.body)
    assert payload["event"] == "consent.signed" and payload["id"] == arrived.headers["X-Portal-Webhook-Id"]
    assert payload["data"]["consent"] == {"id": str(record.pk), "state": "signed"}
    assert payload["data"]["visit"]["flag_level"] == "review"
    delivery = WebhookDelivery.objects.get(pk=payload["id"])
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_payloads_carry_no_health_details_names_or_link_tokens(receiver, hook, screened_visit, patient_link, sign):
    _, token = patient_link
    sign(screened_visit)
    emit_event("consent.withdrawn", screened_visit.consents.get())
    bodies = " ".join(json.dumps(d.payload) for d in WebhookDelivery.objects.all())
    patient = screened_visit.patient
    for secret in (
        patient.first_name,
        patient.last_name,
        patient.email,
        str(patient.date_of_birth),
        "warfarin",
        "anticoagulant",
        token,
    ):
        assert secret not in bodies


def test_an_old_timestamp_fails_the_documented_check(
    receiver, hook, screened_visit, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        emit_event("visit.progress", screened_visit)
    arrived = receiver.requests[0]
    time_machine.move_to(timezone.now() + timedelta(minutes=10))
    assert not documented_verify()(hook.secret, arrived.headers, arrived.body)


def test_only_subscribed_enabled_endpoints_get_an_event(receiver, clinic_admin, screened_visit):
    create_endpoint(
        name="Only urgent", url=receiver.url, events=["checkin.urgent"], allow_private_network=True, by=clinic_admin
    )
    off = create_endpoint(
        name="Off", url=receiver.url, events=Event.values, allow_private_network=True, by=clinic_admin
    )
    off.enabled = False
    off.save()
    assert emit_event("visit.progress", screened_visit) == 0
    assert emit_event("checkin.urgent", screened_visit) == 1
    with pytest.raises(ValueError):
        emit_event("visit.deleted", screened_visit)


def test_another_app_can_emit_course_discharged_with_any_object(hook, screened_visit):
    emit_event("course.discharged", screened_visit.patient)
    payload = WebhookDelivery.objects.get(event="course.discharged").payload
    assert payload["data"] == {"patient": {"id": str(screened_visit.patient.pk)}}


def test_a_failing_receiver_is_retried_for_a_day_then_turned_off_and_the_admin_told(
    receiver, hook, screened_visit, time_machine, clinic_admin, mailoutbox, django_capture_on_commit_callbacks
):
    clinic_admin.email = "admin@clinic.example"
    clinic_admin.save()
    receiver.status = 500
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        emit_event("visit.progress", screened_visit)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code, delivery.status) == (1, 500, "pending")
    assert delivery.next_attempt_at == start + BACKOFF[0]
    assert retry_due() == 0  # not yet
    elapsed = timedelta(0)
    for wait in BACKOFF:
        elapsed += wait
        time_machine.move_to(start + elapsed, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert retry_due() == 1
    delivery.refresh_from_db()
    hook.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", len(BACKOFF) + 1)
    assert len(receiver.requests) == len(BACKOFF) + 1
    assert timedelta(hours=20) < elapsed <= timedelta(days=1)
    assert not hook.enabled and "failed for a day" in hook.disabled_reason
    assert [m.to for m in mailoutbox] == [["admin@clinic.example"]]
    assert hook.name in mailoutbox[0].subject
    assert emit_event("visit.progress", screened_visit) == 0  # nothing more is queued for it


def test_a_receiver_that_recovers_gets_the_retry(
    receiver, hook, screened_visit, time_machine, django_capture_on_commit_callbacks
):
    receiver.status = 503
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        emit_event("visit.progress", screened_visit)
    receiver.status = 204
    time_machine.shift(BACKOFF[0])
    retry_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 204)
    ids = {r.headers["X-Portal-Webhook-Id"] for r in receiver.requests}
    assert ids == {str(delivery.pk)}  # the same id on a retry, so the receiver can drop duplicates


def test_a_receiver_that_hangs_times_out(receiver, hook, screened_visit, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.delay = 3
    with django_capture_on_commit_callbacks(execute=True):
        emit_event("visit.progress", screened_visit)
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error == "timed out" and delivery.status == "pending"


def test_a_redirect_to_a_private_address_is_not_followed(
    receiver, hook, screened_visit, django_capture_on_commit_callbacks
):
    receiver.status = 302
    receiver.location = "http://169.254.169.254/latest/meta-data/"
    with django_capture_on_commit_callbacks(execute=True):
        emit_event("visit.progress", screened_visit)
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code == 302 and "redirects are not followed" in delivery.last_error
    assert len(receiver.requests) == 1


class TestSSRFGuard:
    def test_a_loopback_receiver_is_refused_unless_the_admin_allowed_private_networks(
        self, receiver, clinic_admin, screened_visit, django_capture_on_commit_callbacks
    ):
        endpoint = WebhookEndpoint.objects.create(
            name="Sneaky", url=receiver.url, secret="whsec_x", events=Event.values, created_by=clinic_admin
        )
        with django_capture_on_commit_callbacks(execute=True):
            emit_event("visit.progress", screened_visit)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.last_error.startswith("refused") and receiver.requests == []

    def test_a_name_that_resolves_to_loopback_is_refused(
        self, receiver, clinic_admin, screened_visit, django_capture_on_commit_callbacks
    ):
        port = receiver.server.server_address[1]
        WebhookEndpoint.objects.create(
            name="Named",
            url=f"http://localhost:{port}/x",
            secret="whsec_x",
            events=Event.values,
            created_by=clinic_admin,
        )
        with django_capture_on_commit_callbacks(execute=True):
            emit_event("visit.progress", screened_visit)
        assert "private, loopback or link-local" in WebhookDelivery.objects.get().last_error
        assert receiver.requests == []

    @pytest.mark.parametrize(
        "url",
        ["http://10.0.0.5/hook", "http://192.168.1.10/", "http://169.254.169.254/", "http://[::1]/", "http://0.0.0.0/"],
    )
    def test_private_addresses_are_refused_at_registration(self, url):
        assert "private network" in check_url(url, allow_private_network=False)
        assert check_url(url, allow_private_network=True) is None

    def test_production_accepts_only_https(self, settings):
        settings.WEBHOOK_REQUIRE_HTTPS = True
        assert (
            check_url("http://hooks.example.com/", allow_private_network=False)
            == "The address must start with https://."
        )
        assert check_url("https://hooks.example.com/", allow_private_network=False) is None
        assert check_url("https://user:pw@hooks.example.com/", allow_private_network=False)


class TestEventSources:
    """The journey's own services raise the events (api/signals.py), without knowing about webhooks."""

    def events(self):
        return sorted(WebhookDelivery.objects.values_list("event", flat=True))

    def test_withdrawing_consent_emits_consent_withdrawn_and_marks_the_visit_changed(
        self, hook, sign, screened_visit, clinician
    ):
        from consent.services import withdraw_consent

        record = sign(screened_visit)
        WebhookDelivery.objects.all().delete()
        before = type(screened_visit).objects.get(pk=screened_visit.pk).updated_at
        withdraw_consent(record=record, reason="changed my mind", by=clinician)
        assert self.events() == ["consent.withdrawn", "visit.progress"]  # the visit steps back from "signed"
        assert WebhookDelivery.objects.get(event="consent.withdrawn").payload["data"]["consent"]["state"] == "withdrawn"
        assert type(screened_visit).objects.get(pk=screened_visit.pk).updated_at > before

    def test_finishing_a_flagged_screening_emits_screening_flagged(self, hook, screened_visit):
        screened_visit.screening_done_at = None
        screened_visit.save()
        WebhookDelivery.objects.all().delete()
        screened_visit.mark("screening_done_at")
        assert self.events() == ["screening.flagged", "visit.progress"]
        data = WebhookDelivery.objects.get(event="screening.flagged").payload["data"]
        assert data["screening"]["flag_level"] == "review"

    def test_an_urgent_checkin_emits_checkin_urgent(self, hook, screened_visit):
        from intake.models import CheckIn

        CheckIn.objects.create(
            visit=screened_visit, window="24h", soreness=8, trend="worse", red_flags=["breathless"], urgent=True
        )
        CheckIn.objects.create(visit=screened_visit, window="72h", soreness=2, trend="better", urgent=False)
        assert self.events() == ["checkin.urgent"]
        assert "breathless" not in json.dumps(WebhookDelivery.objects.get().payload)


def test_with_the_database_task_backend_a_retry_is_queued_for_its_time(
    receiver, hook, screened_visit, settings, time_machine, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from api.webhooks import attempt

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver.status = 500
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        emit_event("visit.progress", screened_visit)
    delivery = WebhookDelivery.objects.get()
    first = DBTaskResult.objects.get()  # the first try: as soon as a worker is free
    with django_capture_on_commit_callbacks(execute=True):
        attempt(str(delivery.pk))  # what the worker runs
    delivery.refresh_from_db()
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.run_after == delivery.next_attempt_at == timezone.now() + BACKOFF[0]
    assert retry.args_kwargs["args"] == [str(delivery.pk)]


def test_discharging_a_course_emits_course_discharged(hook, screened_visit, clinician):
    from intake.courses.services import discharge_course

    discharge_course(course=screened_visit.course, reason="Goals met", by=clinician)
    payload = WebhookDelivery.objects.get(event="course.discharged").payload
    assert payload["data"] == {
        "course": {
            "id": str(screened_visit.course_id),
            "status": "discharged",
            "patient_id": str(screened_visit.patient_id),
        }
    }
    assert "Goals met" not in json.dumps(payload)  # the reason stays in the portal


class TestTurningAnEndpointBackOn:
    """A retry that came due while its endpoint was off is skipped; turning the endpoint on sends it."""

    def toggle(self, as_user, clinic_admin, endpoint):
        return as_user(clinic_admin).post(f"/staff/integrations/webhooks/{endpoint.pk}/toggle/")

    def test_the_retry_skipped_while_off_is_sent_when_turned_back_on(
        self, receiver, hook, screened_visit, as_user, clinic_admin, time_machine, django_capture_on_commit_callbacks
    ):
        receiver.status = 500
        time_machine.move_to(timezone.now(), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            emit_event("visit.progress", screened_visit)
        self.toggle(as_user, clinic_admin, hook)  # off
        time_machine.shift(BACKOFF[0] * 2)
        assert attempt(str(WebhookDelivery.objects.get().pk)) == "skipped"  # the retry's task, while off
        receiver.status = 204
        with django_capture_on_commit_callbacks(execute=True):
            self.toggle(as_user, clinic_admin, hook)  # on again
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 204)

    def test_what_was_pending_at_the_automatic_disable_is_sent_when_turned_back_on(
        self, receiver, hook, screened_visit, as_user, clinic_admin, time_machine, django_capture_on_commit_callbacks
    ):
        receiver.status = 500
        time_machine.move_to(timezone.now(), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            emit_event("visit.progress", screened_visit)
            WebhookDelivery.objects.update(attempts=len(BACKOFF))  # its last try is next
            emit_event("checkin.urgent", screened_visit)
        time_machine.shift(BACKOFF[0])
        with django_capture_on_commit_callbacks(execute=True):
            for delivery in WebhookDelivery.objects.order_by("created_at", "event"):
                attempt(str(delivery.pk))
        hook.refresh_from_db()
        assert not hook.enabled and "failed for a day" in hook.disabled_reason
        receiver.status = 204
        with django_capture_on_commit_callbacks(execute=True):
            self.toggle(as_user, clinic_admin, hook)
        states = dict(WebhookDelivery.objects.values_list("event", "status"))
        assert states == {"visit.progress": "failed", "checkin.urgent": "delivered"}

    def test_the_schedule_registry_sends_a_delivery_whose_task_was_lost(self, receiver, hook, screened_visit):
        from messaging.schedules import run_all

        emit_event("visit.progress", screened_visit)  # never committed: its task was never enqueued
        counts, failed = run_all()
        assert counts["api.webhook_retries"] == 1 and failed == []
        assert WebhookDelivery.objects.get().status == "delivered"


class TestNoTransactionDuringThePost:
    """A slow receiver must not hold a transaction or a row lock (other writers would stall)."""

    def test_the_post_runs_outside_any_transaction(self, receiver, hook, screened_visit, monkeypatch):
        from django.db import connection

        from api import webhooks

        emit_event("visit.progress", screened_visit)
        delivery = WebhookDelivery.objects.get()
        outside = len(connection.atomic_blocks)  # the test's own transaction
        depths = []

        def post_and_note_the_depth(endpoint, body, headers):
            depths.append(len(connection.atomic_blocks))
            return real_post(endpoint, body, headers)

        real_post = webhooks.post
        monkeypatch.setattr(webhooks, "post", post_and_note_the_depth)
        assert attempt(str(delivery.pk)) == "delivered"
        assert depths == [outside]

    def test_a_second_worker_does_not_send_a_delivery_already_claimed(
        self, receiver, hook, screened_visit, monkeypatch
    ):
        from api import webhooks

        emit_event("visit.progress", screened_visit)
        delivery = WebhookDelivery.objects.get()
        second_worker = []

        def post_while_another_worker_tries(endpoint, body, headers):
            second_worker.append(attempt(str(delivery.pk)))
            return real_post(endpoint, body, headers)

        real_post = webhooks.post
        monkeypatch.setattr(webhooks, "post", post_while_another_worker_tries)
        assert attempt(str(delivery.pk)) == "delivered"
        assert second_worker == ["skipped"] and len(receiver.requests) == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("delivered", 1)

    def test_a_worker_that_died_mid_send_is_retried_after_its_claim_runs_out(
        self, receiver, hook, screened_visit, monkeypatch, time_machine
    ):
        from api import webhooks

        time_machine.move_to(timezone.now(), tick=False)
        emit_event("visit.progress", screened_visit)
        delivery = WebhookDelivery.objects.get()

        def die(endpoint, body, headers):
            raise KeyboardInterrupt  # the worker is killed while the POST is in flight

        monkeypatch.setattr(webhooks, "post", die)
        with pytest.raises(KeyboardInterrupt):
            attempt(str(delivery.pk))
        monkeypatch.undo()
        assert retry_due() == 0  # still claimed
        time_machine.shift(timedelta(minutes=5))
        assert retry_due() == 1
        delivery.refresh_from_db()
        assert delivery.status == "delivered"
