"""The integration pages: the role ladder for each, tokens shown once, revocation, webhook registration."""

from __future__ import annotations

import pytest
from django.test import Client

from api.models import Event, ImportBatch, IntegrationToken, Scope, WebhookEndpoint
from api.services import create_endpoint, create_token
from api.tokens import hash_secret
from portal.models import AuditEvent
from tests.helpers import open_patient_session

pytestmark = pytest.mark.django_db

ADMIN = ("clinic_admin",)
DESK = ("reception", "clinic_admin")
ALL_ROLES = ("reception", "clinician", "clinic_admin", "outsider")


@pytest.fixture
def target(clinic_admin, reception):
    token, _ = create_token(name="Sync", scopes=[Scope.VISITS_READ], by=clinic_admin)
    endpoint = create_endpoint(
        name="Hook", url="https://hooks.example.com/x", events=["visit.progress"], by=clinic_admin
    )
    batch = ImportBatch.objects.create(kind="csv", source="csv", file_sha256="0" * 64, rows=[], created_by=reception)
    return {"token": token.pk, "endpoint": endpoint.pk, "batch": batch.pk}


# (name, method, url, roles allowed)
PAGES = [
    ("overview", "get", "/staff/integrations/", ADMIN),
    ("new token", "get", "/staff/integrations/tokens/new/", ADMIN),
    ("revoke token", "post", "/staff/integrations/tokens/{token}/revoke/", ADMIN),
    ("new webhook", "get", "/staff/integrations/webhooks/new/", ADMIN),
    ("webhook log", "get", "/staff/integrations/webhooks/{endpoint}/", ADMIN),
    ("webhook toggle", "post", "/staff/integrations/webhooks/{endpoint}/toggle/", ADMIN),
    ("import", "get", "/staff/integrations/import/", DESK),
    ("import preview", "get", "/staff/integrations/import/{batch}/", ("reception",)),  # one's own upload only
]


@pytest.mark.parametrize(("name", "method", "url", "roles"), PAGES, ids=[p[0] for p in PAGES])
def test_the_role_ladder(request, target, patient_link, name, method, url, roles):
    url = url.format(**target)
    anonymous = getattr(Client(), method)(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    patient = Client()
    open_patient_session(patient, patient_link[1])
    assert getattr(patient, method)(url).status_code == 404
    for role in ALL_ROLES:
        client = Client()
        client.force_login(request.getfixturevalue(role))
        status = getattr(client, method)(url).status_code
        if role in roles:
            assert status in (200, 302), (role, status)
        else:
            assert status in (403, 404), (role, status)


def test_a_new_token_is_shown_once_and_only_its_hash_kept(as_user, clinic_admin):
    client = as_user(clinic_admin)
    posted = client.post(
        "/staff/integrations/tokens/new/",
        {
            "name": "Cliniko",
            "source": "cliniko",
            "scopes": ["visits:read", "visits:write"],
            "allowed_networks": "203.0.113.0/24",
        },
    )
    assert posted.status_code == 302 and posted["Location"] == "/staff/integrations/tokens/new/"
    response = client.get(posted["Location"])
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    secret = response.context["secret"]
    assert secret in response.content.decode()
    token = IntegrationToken.objects.get()
    assert token.token_hash == hash_secret(secret) and token.allowed_networks == ["203.0.113.0/24"]
    overview = client.get("/staff/integrations/").content.decode()
    assert secret not in overview and token.hint in overview
    assert AuditEvent.objects.filter(action="api.token_created", actor=clinic_admin).exists()


def test_reloading_the_token_created_page_creates_nothing_and_hides_the_secret(as_user, clinic_admin):
    client = as_user(clinic_admin)
    data = {"name": "Cliniko", "source": "cliniko", "scopes": ["visits:read"]}
    shown = client.post("/staff/integrations/tokens/new/", data, follow=True)
    secret = shown.context["secret"]
    # A reload repeats the request that drew the page: it must be a GET, never the POST that made the token.
    assert shown.redirect_chain and shown.request["REQUEST_METHOD"] == "GET"
    reloaded = client.get(shown.request["PATH_INFO"])
    assert secret not in reloaded.content.decode() and "secret" not in reloaded.context
    assert IntegrationToken.objects.filter(revoked_at__isnull=True).count() == 1
    assert secret not in str(dict(client.session))  # not kept after its one display


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("allowed_networks", "not-an-address", "is not an IP address or network"),
        ("scopes", [], "This field is required."),
        ("scopes", ["admin:all"], "Select a valid choice."),
        ("expires_on", "2001-01-01", "That day has passed."),
    ],
)
def test_bad_token_input_is_explained(as_user, clinic_admin, field, value, message):
    data = {"name": "X", "source": "api", "scopes": ["visits:read"], field: value}
    response = as_user(clinic_admin).post("/staff/integrations/tokens/new/", data)
    assert response.status_code == 200 and message in response.content.decode()
    assert IntegrationToken.objects.count() == 0


def test_revoking_from_the_page_stops_the_token(as_user, clinic_admin, target):
    token = IntegrationToken.objects.get(pk=target["token"])
    page = as_user(clinic_admin).get("/staff/integrations/").content.decode()
    assert f'Revoke<span class="visually-hidden"> the token {token.name}</span>' in page  # says which token
    as_user(clinic_admin).post(f"/staff/integrations/tokens/{target['token']}/revoke/")
    assert IntegrationToken.objects.get(pk=target["token"]).state == "revoked"
    assert AuditEvent.objects.filter(action="api.token_revoked").exists()


def test_registering_a_webhook_shows_its_secret_once(as_user, clinic_admin):
    client = as_user(clinic_admin)
    posted = client.post(
        "/staff/integrations/webhooks/new/",
        {
            "name": "PMS",
            "url": "https://hooks.example.com/portal",
            "events": [Event.CONSENT_SIGNED, Event.CHECKIN_URGENT],
        },
    )
    assert posted.status_code == 302 and posted["Location"] == "/staff/integrations/webhooks/new/"
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in client.get(posted["Location"]).content.decode()
    assert endpoint.events == ["checkin.urgent", "consent.signed"]
    reloaded = client.get("/staff/integrations/webhooks/new/")
    assert endpoint.secret not in reloaded.content.decode() and WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "allow", "message"),
    [
        ("https://10.0.0.7/hook", False, "tick “Allow a private network address”"),
        ("ftp://hooks.example.com/", False, "must start with https://"),
        ("not a url", False, "Enter a valid URL."),
    ],
)
def test_a_webhook_address_that_is_not_allowed_is_explained(as_user, clinic_admin, url, allow, message):
    data = {"name": "PMS", "url": url, "events": ["visit.progress"]}
    if allow:
        data["allow_private_network"] = "on"
    response = as_user(clinic_admin).post("/staff/integrations/webhooks/new/", data)
    assert message in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_a_private_address_is_accepted_when_the_admin_allows_it(as_user, clinic_admin):
    as_user(clinic_admin).post(
        "/staff/integrations/webhooks/new/",
        {
            "name": "On site",
            "url": "https://10.0.0.7/hook",
            "events": ["visit.progress"],
            "allow_private_network": "on",
        },
    )
    assert WebhookEndpoint.objects.get().allow_private_network


def test_a_disabled_webhook_shows_a_banner(as_user, clinic_admin, target):
    WebhookEndpoint.objects.filter(pk=target["endpoint"]).update(
        enabled=False, disabled_reason="a delivery failed for a day"
    )
    page = as_user(clinic_admin).get("/staff/integrations/").content.decode()
    assert "is off" in page and "a delivery failed for a day" in page


def test_the_clinic_admin_sees_the_integrations_link_and_reception_the_import_link(as_user, clinic_admin, reception):
    assert 'href="/staff/integrations/"' in as_user(clinic_admin).get("/staff/").content.decode()
    page = as_user(reception).get("/staff/").content.decode()
    assert 'href="/staff/integrations/"' not in page and 'href="/staff/integrations/import/"' in page


@pytest.mark.parametrize(("name", "method", "url", "roles"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_writes_an_audit_event(request, target, name, method, url, roles):
    client = Client()
    client.force_login(request.getfixturevalue(roles[0]))
    before = AuditEvent.objects.count()
    response = getattr(client, method)(url.format(**target))
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.count() > before, name
