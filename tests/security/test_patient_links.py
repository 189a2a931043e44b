"""Patient links: random, hashed, compared in constant time, expiring, revocable, rate-limited,
one answer for every invalid token, and never written to logs or sent to other sites."""

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from intake.links import tokens as links
from intake.links.views import DOB_ATTEMPTS_PER_IP_PER_HOUR
from intake.models import AccessLink
from portal.models import AuditEvent
from tests.factories import AccessLinkFactory, VisitFactory
from tests.helpers import open_patient_session
from tests.security.logcapture import captured_logs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_tokens_carry_at_least_128_random_bits():
    tokens = {links.new_token() for _ in range(2000)}
    assert len(tokens) == 2000
    # URL-safe base64: 6 bits a character.
    assert min(len(t) for t in tokens) * 6 >= 128


def test_only_the_hash_of_the_token_is_stored(visit):
    link, token = links.issue_token_for(visit)
    row = AccessLink.objects.filter(pk=link.pk).values().get()
    assert token not in str(row)
    assert row["token_hash"] == links.hash_token(token) != token


def test_tokens_are_compared_in_constant_time(monkeypatch, patient_link):
    _link, token = patient_link
    calls = []
    real = links.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(links.hmac, "compare_digest", spy)
    assert links.find_usable_link(token) is not None
    assert calls


def _invalid_pages(client, token, link):
    """The body and status for the same token made invalid in each way."""
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    pages = {
        "unknown": client.get(f"/p/{links.new_token()}/"),
        "tampered": client.get(f"/p/{tampered}/"),
        "too long": client.get(f"/p/{'x' * 500}/"),
        "odd characters": client.get("/p/%00%27%22%3Cscript%3E/"),
    }
    AccessLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    pages["revoked"] = client.get(f"/p/{token}/")
    AccessLink.objects.filter(pk=link.pk).update(revoked_at=None)
    with time_machine.travel(link.expires_at + timedelta(minutes=1), tick=False):
        pages["expired"] = client.get(f"/p/{token}/")
    return pages


def test_every_invalid_token_gets_the_same_404_page(client, patient_link):
    link, token = patient_link
    pages = _invalid_pages(client, token, link)
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 404)
    # Masked CSRF tokens differ on every render by design; everything else must be identical.
    bodies = {re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page.content) for page in pages.values()}
    assert len(bodies) == 1, "an invalid token must not reveal why it is invalid"
    assert link.visit.patient.first_name.encode() not in bodies.pop()


def test_links_expire_thirty_days_after_the_visit_by_default(client):
    visit = VisitFactory(scheduled_at=timezone.now() + timedelta(days=2))
    link, token = links.issue_token_for(visit)
    assert settings.ACCESS_LINK_DAYS_AFTER_VISIT == 30
    assert link.expires_at == visit.scheduled_at + timedelta(days=30)
    with time_machine.travel(visit.scheduled_at + timedelta(days=29, hours=23), tick=False):
        assert client.get(f"/p/{token}/").status_code == 200
    with time_machine.travel(visit.scheduled_at + timedelta(days=30, minutes=1), tick=False):
        assert client.get(f"/p/{token}/").status_code == 404


@override_settings(ACCESS_LINK_DAYS_AFTER_VISIT=7)
def test_the_expiry_is_configurable():
    visit = VisitFactory(scheduled_at=timezone.now() + timedelta(days=1))
    link, _token = links.issue_token_for(visit)
    assert link.expires_at == visit.scheduled_at + timedelta(days=7)


def test_a_revoked_link_also_ends_an_open_session(client, patient_link):
    link, token = patient_link
    open_patient_session(client, token, link)
    assert client.get("/patient/").status_code == 200
    AccessLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    assert client.get("/patient/").status_code == 404


def test_the_patient_session_lapses_after_its_time(client, patient_link):
    link, token = patient_link
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        open_patient_session(client, token, link)
        assert client.get("/patient/").status_code == 200
        clock.shift(timedelta(seconds=settings.PATIENT_SESSION_SECONDS + 1))
        assert client.get("/patient/").status_code == 404


def test_the_date_of_birth_step_gives_a_fresh_session_key(client, patient_link):
    link, token = patient_link
    client.get(f"/p/{token}/")
    client.session.save()
    before = client.session.session_key
    open_patient_session(client, token, link)
    assert client.cookies["sessionid"].value != before


def _fail_on_new_links(client, count, **meta):
    """Wrong dates of birth spread over fresh links (four per link, under the per-link lock)."""
    made = 0
    while made < count:
        token = links.new_token()
        link = AccessLinkFactory(token=token)
        wrong = (link.visit.patient.date_of_birth - timedelta(days=3)).isoformat()
        for _ in range(min(4, count - made)):
            assert client.post(f"/p/{token}/", {"date_of_birth": wrong}, **meta).status_code == 200
            made += 1


def _assert_ip_limit(client):
    _fail_on_new_links(client, DOB_ATTEMPTS_PER_IP_PER_HOUR, REMOTE_ADDR="203.0.113.5")
    token = links.new_token()
    link = AccessLinkFactory(token=token)
    right = link.visit.patient.date_of_birth.isoformat()
    blocked = client.post(f"/p/{token}/", {"date_of_birth": right}, REMOTE_ADDR="203.0.113.5")
    assert blocked.status_code == 429
    assert AuditEvent.objects.filter(action="link.dob_rate_limited", access_link=link).exists()
    # A patient elsewhere is not affected.
    other = client.post(f"/p/{token}/", {"date_of_birth": right}, REMOTE_ADDR="198.51.100.1")
    assert other.status_code == 302


def test_the_date_of_birth_step_is_rate_limited_per_address_across_links(client):
    _assert_ip_limit(client)


def test_the_per_link_lock_holds_whatever_the_address(client, patient_link):
    link, token = patient_link
    wrong = (link.visit.patient.date_of_birth - timedelta(days=1)).isoformat()
    for n in range(settings.ACCESS_LINK_MAX_DOB_FAILURES):
        client.post(f"/p/{token}/", {"date_of_birth": wrong}, REMOTE_ADDR=f"192.0.2.{n + 1}")
    assert AccessLink.objects.get(pk=link.pk).locked_at is not None
    right = link.visit.patient.date_of_birth.isoformat()
    assert client.post(f"/p/{token}/", {"date_of_birth": right}, REMOTE_ADDR="192.0.2.200").status_code == 403


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.5).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no Redis here"
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis at 127.0.0.1:6379")
def test_the_rate_limit_is_shared_through_redis(client):
    """Production sets REDIS_URL: every worker counts in the same place."""
    import redis

    prefix = f"sec-test-{uuid.uuid4().hex}"
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=redis_cache):
        try:
            _assert_ip_limit(client)
            keys = redis.Redis.from_url("redis://127.0.0.1:6379/0").keys(f"{prefix}:*")
            assert any(b"dob-attempts" in key for key in keys)
            # A second worker process would read the same count from Redis.
            from django.core.cache import caches

            assert caches["default"].get("dob-attempts:203.0.113.5") == DOB_ATTEMPTS_PER_IP_PER_HOUR
        finally:
            # Only this test's keys: clear() would flush the whole Redis database other runs share.
            server = redis.Redis.from_url("redis://127.0.0.1:6379/0")
            for key in server.scan_iter(f"{prefix}:*"):
                server.delete(key)


def test_no_token_and_no_personal_data_reach_the_logs(client, patient_link):
    link, token = patient_link
    patient = link.visit.patient
    with captured_logs() as lines:
        client.get(f"/p/{token}/")
        client.post(f"/p/{token}/", {"date_of_birth": "1901-01-01"})
        client.get(f"/p/{links.new_token()}/")
        open_patient_session(client, token, link)
        client.get("/patient/")
    text = "\n".join(lines)
    for secret in (token, links.hash_token(token), patient.first_name, patient.date_of_birth.isoformat()):
        assert secret not in text


def test_patient_pages_tell_the_browser_not_to_send_the_address_elsewhere_or_cache_it(client, patient_link):
    link, token = patient_link
    entry = client.get(f"/p/{token}/")
    assert entry["Referrer-Policy"] == "same-origin"
    assert "no-store" in entry["Cache-Control"] or "no-cache" in entry["Cache-Control"]
    open_patient_session(client, token, link)
    page = client.get("/patient/")
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]


def test_patient_pages_load_no_third_party_scripts_or_analytics(client, patient_link):
    link, token = patient_link
    open_patient_session(client, token, link)
    body = client.get("/patient/").content.decode()
    for src in re.findall(r'(?:src|href)="([^"]+)"', body):
        assert not src.startswith(("http://", "https://", "//")), src


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_rotating_spoofed_x_forwarded_for_does_not_dodge_the_date_of_birth_limit(client):
    """Behind one proxy, the client writes the left part of X-Forwarded-For and the proxy the right."""
    made = 0
    while made < DOB_ATTEMPTS_PER_IP_PER_HOUR:
        token = links.new_token()
        link = AccessLinkFactory(token=token)
        wrong = (link.visit.patient.date_of_birth - timedelta(days=3)).isoformat()
        for _ in range(4):
            if made == DOB_ATTEMPTS_PER_IP_PER_HOUR:
                break
            forged = f"10.{made}.0.1, 203.0.113.77"
            client.post(f"/p/{token}/", {"date_of_birth": wrong}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forged)
            made += 1
    token = links.new_token()
    link = AccessLinkFactory(token=token)
    right = link.visit.patient.date_of_birth.isoformat()
    response = client.post(
        f"/p/{token}/", {"date_of_birth": right}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.77"
    )
    assert response.status_code == 429
