"""Login lockout (django-axes): per username+address, a ceiling per address and per username,
and a client address read the same way as the audit log, so X-Forwarded-For cannot be played."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from portal.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


WRONG = "not-the-password"


def attempt(client, username, password=WRONG, **meta):
    return client.post("/accounts/login/", {"username": username, "password": password}, **meta)


def test_five_wrong_passwords_lock_that_account_from_that_address(client, reception):
    for _ in range(4):
        assert attempt(client, reception.username).status_code == 200
    assert attempt(client, reception.username).status_code == 429  # the fifth failure locks
    # Even the right password is refused now, with a calm page and no hint whether it was right.
    response = attempt(client, reception.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out", actor=reception).exists()


def test_the_lock_is_per_address_so_the_real_user_elsewhere_still_gets_in(client, reception):
    for _ in range(6):
        attempt(client, reception.username, REMOTE_ADDR="203.0.113.9")
    response = attempt(client, reception.username, TEST_PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302


def test_the_lock_lifts_after_an_hour(client, reception):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            attempt(client, reception.username)
        assert attempt(client, reception.username, TEST_PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=61))
        assert attempt(client, reception.username, TEST_PASSWORD).status_code == 302


def test_the_101st_failed_login_from_one_address_within_an_hour_is_blocked(client, reception):
    """Spraying: a few guesses at each of many usernames from one address."""
    for n in range(99):
        assert attempt(client, f"guess-{n // 4}").status_code == 200
    assert attempt(client, "guess-last").status_code == 429  # the 100th failure reaches the ceiling
    response = attempt(client, reception.username, TEST_PASSWORD)
    assert response.status_code == 429
    # Another address is not affected.
    assert attempt(client, reception.username, TEST_PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_101st_failed_login_against_one_account_within_an_hour_is_blocked(client, reception):
    """A distributed attack: real, different addresses, four guesses each, one account."""
    for n in range(100):
        attempt(client, reception.username, REMOTE_ADDR=f"192.0.2.{n // 4 + 1}")
    response = attempt(client, reception.username, TEST_PASSWORD, REMOTE_ADDR="198.51.100.99")
    assert response.status_code == 429


def test_a_rotating_x_forwarded_for_does_not_dodge_the_limit_without_a_proxy(client, reception):
    for n in range(5):
        attempt(client, reception.username, HTTP_X_FORWARDED_FOR=f"10.9.8.{n}")
    assert attempt(client, reception.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="10.9.8.200").status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_a_spoofed_left_hand_address_neither_dodges_nor_frames_anyone(client, reception):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # The attacker at 203.0.113.66 claims to be the clinic's address; the proxy appends the real one.
    for _ in range(5):
        attempt(client, reception.username, HTTP_X_FORWARDED_FOR="198.51.100.10, 203.0.113.66", **proxy)
    locked = attempt(client, reception.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.66", **proxy)
    assert locked.status_code == 429
    # The real user at the clinic (198.51.100.10) is not locked out by the attacker's claim.
    ok = attempt(client, reception.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.10", **proxy)
    assert ok.status_code == 302
    events = AuditEvent.objects.filter(action="auth.login_failed")
    assert set(events.values_list("ip", flat=True)) == {"203.0.113.66"}


def test_a_success_resets_the_count_for_that_account_and_address(client, reception):
    for _ in range(4):
        attempt(client, reception.username)
    assert attempt(client, reception.username, TEST_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert attempt(client, reception.username).status_code == 200
    assert attempt(client, reception.username, TEST_PASSWORD).status_code == 302


def test_the_admin_login_is_covered_by_the_same_lock(client):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": admin.username, "password": "nope"})
    response = client.post("/admin/login/", {"username": admin.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
