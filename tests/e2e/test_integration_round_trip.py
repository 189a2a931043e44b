"""The practice system's round trip: create the visit through the API, the patient signs in the browser,
the practice system's server receives the signed webhook and checks it with the documented code."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from api.models import Event, Scope
from api.services import create_endpoint, create_token
from consent.demo import seed_versions
from intake.models import Visit
from portal.roles import Role
from tests.api.receiver import start_receiver
from tests.api.test_webhooks import documented_verify
from tests.e2e.test_full_journey import Journey, roles  # noqa: F401 - the transactional roles fixture
from tests.factories import UserFactory


def test_a_visit_created_by_api_is_signed_in_the_browser_and_the_signed_webhook_arrives(
    live_server, phone, snap, assert_accessible
):
    seed_versions()
    admin = UserFactory(username="admin-e2e", role=Role.CLINIC_ADMIN)
    _, secret = create_token(name="PMS", scopes=[Scope.VISITS_WRITE, Scope.VISITS_READ], by=admin)
    receiver = start_receiver()
    try:
        hook = create_endpoint(name="PMS", url=receiver.url, events=Event.values, allow_private_network=True, by=admin)
        body = {
            "external_id": "PMS-42",
            "patient": {
                "first_name": "Zoë",
                "last_name": "Okafor",
                "date_of_birth": "1985-03-14",
                "email": "zoe@example.com",
            },
            "scheduled_at": (timezone.now() + timedelta(days=1)).isoformat(),
            "send_link": True,
        }
        request = urllib.request.Request(  # noqa: S310 - the local test server
            f"{live_server.url}/api/v1/visits",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local test server
            assert response.status == 201
            created = json.loads(response.read())
        visit = Visit.objects.get(pk=created["id"])
        # The email carries a signed reference to the visit's link (/p/r/<reference>/), never the token itself.
        link = re.search(r"/p/(r/[^/\s]+)/", mail.outbox[-1].body).group(1)

        journey = Journey(phone, live_server, snap, assert_accessible, prefix="api-round-trip-")
        journey.open_link(link, visit.patient.date_of_birth)
        journey.read_explanation()
        journey.answer_screening()
        journey.understanding_check_with_one_wrong_answer(visit)
        journey.tick_consent_boxes()
        phone.get_by_label("Type your full name").fill("Zoë Okafor")
        journey.draw_signature_with_a_finger()
        phone.get_by_role("button", name="Sign my consent").click()
        journey.after_signing()

        arrived = {r.headers["X-Portal-Event"]: r for r in receiver.requests}
        assert {"visit.progress", "consent.signed"} <= set(arrived)  # a calm screening raises no flag
        signed = arrived["consent.signed"]
        assert documented_verify()(hook.secret, signed.headers, signed.body)
        payload = json.loads(signed.body)
        assert payload["data"]["visit"]["external_ids"] == [{"source": "api", "id": "PMS-42"}]
        assert payload["data"]["consent"]["state"] == "signed"
        assert "Okafor" not in signed.body.decode()
        print(
            f"\nROUND TRIP: POST /api/v1/visits 201 (visit {created['id']}), signed in Chromium on a phone; "
            f"the local receiver got {', '.join(r.headers['X-Portal-Event'] for r in receiver.requests)}; "
            f"consent.signed {signed.headers['X-Portal-Signature'][:24]}... verified with the documented code"
        )
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_the_api_docs_page_renders_every_endpoint_under_the_content_security_policy(live_server, desktop, snap):
    violations = []
    desktop.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    desktop.goto(f"{live_server.url}/api/v1/docs")
    desktop.locator(".opblock").first.wait_for()
    snap(desktop, "api-docs")
    assert desktop.locator(".opblock").count() == 6
    assert violations == [] and desktop.js_errors == []
