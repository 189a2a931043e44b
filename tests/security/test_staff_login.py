"""Staff sign-in: password, then a one-time code; enrolment with a QR code; backup codes; logout."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("otp_required")]


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(client, user, next_url="/staff/"):
    return client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD, "next": next_url})


def enrol(client, user):
    """First login of a new staff member: password, QR code, first code. Returns the backup codes page."""
    sign_in(client, user)
    client.get("/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user=user)
    return client.post("/accounts/otp/setup/", {"code": code_for(device), "next": "/staff/"})


def test_the_password_alone_opens_no_staff_page(client, reception):
    response = sign_in(client, reception)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/setup/")
    staff = client.get("/staff/")
    assert staff.status_code == 302 and staff["Location"].startswith("/accounts/otp/")
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/accounts/otp/")


def test_first_login_enrols_an_authenticator_with_a_qr_code_and_gives_ten_backup_codes(client, reception):
    sign_in(client, reception)
    page = client.get("/accounts/otp/setup/")
    assert page.status_code == 200
    assert b'src="/accounts/otp/setup/qr.svg"' in page.content
    qr = client.get("/accounts/otp/setup/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert "no-store" in qr["Cache-Control"]
    assert b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=reception, confirmed=False)

    response = client.post("/accounts/otp/setup/", {"code": code_for(device), "next": "/staff/"})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=reception).confirmed
    assert client.get("/staff/").status_code == 200
    actions = list(AuditEvent.objects.filter(actor=reception).values_list("action", flat=True))
    assert "auth.login" in actions and "auth.otp_enrolled" in actions


def test_a_wrong_code_at_enrolment_confirms_nothing_and_is_audited(client, reception):
    sign_in(client, reception)
    client.get("/accounts/otp/setup/")
    response = client.post("/accounts/otp/setup/", {"code": "000000", "next": "/staff/"})
    assert response.status_code == 200
    assert b"did not work" in response.content
    assert not TOTPDevice.objects.get(user=reception).confirmed
    assert client.get("/staff/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor=reception).exists()


def test_someone_with_only_the_password_cannot_enrol_a_second_authenticator(client, reception):
    enrol(client, reception)
    client.post("/accounts/logout/")
    sign_in(client, reception)
    response = client.get("/accounts/otp/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/?")
    assert client.get("/accounts/otp/setup/qr.svg").status_code == 404
    assert TOTPDevice.objects.filter(user=reception).count() == 1


def test_later_logins_need_the_current_code(client, reception):
    enrol(client, reception)
    client.post("/accounts/logout/")
    response = sign_in(client, reception)
    assert response["Location"].startswith("/accounts/otp/?")
    assert client.post("/accounts/otp/", {"code": "123456", "next": "/staff/"}).status_code == 200
    assert client.get("/staff/").status_code == 302
    device = TOTPDevice.objects.get(user=reception)
    with time_machine.travel(timezone.now() + timedelta(seconds=90), tick=False):
        # django-otp throttles after a failure; the next window is allowed again after the delay.
        response = client.post("/accounts/otp/", {"code": code_for(device), "next": "/staff/"})
        assert response.status_code == 302 and response["Location"] == "/staff/"
        assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_verified", actor=reception).exists()
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor=reception).exists()


def test_a_backup_code_works_once(client, reception):
    codes = enrol(client, reception).context["codes"]
    for attempt in range(2):
        client.post("/accounts/logout/")
        sign_in(client, reception)
        response = client.post("/accounts/otp/", {"code": codes[0], "next": "/staff/"})
        if attempt == 0:
            assert response.status_code == 302
            assert client.get("/staff/").status_code == 200
        else:
            assert response.status_code == 200
            assert client.get("/staff/").status_code == 302
    assert StaticDevice.objects.get(user=reception).token_set.count() == 9


def test_new_backup_codes_replace_the_old_ones(client, reception):
    old = enrol(client, reception).context["codes"]
    assert client.get("/accounts/otp/backup-codes/").status_code == 200
    new = client.post("/accounts/otp/backup-codes/").context["codes"]
    assert not set(old) & set(new)
    tokens = set(StaticDevice.objects.get(user=reception).token_set.values_list("token", flat=True))
    assert tokens == set(new)


def test_each_step_gives_a_fresh_session_key(client, reception):
    client.get("/accounts/login/")
    client.session["planted"] = True  # an anonymous session exists
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    sign_in(client, reception)
    after_password = client.cookies["sessionid"].value
    assert after_password != before
    client.get("/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user=reception)
    client.post("/accounts/otp/setup/", {"code": code_for(device), "next": "/staff/"})
    after_code = client.cookies["sessionid"].value
    assert after_code != after_password
    assert not Session.objects.filter(session_key=after_password).exists()


def test_a_planted_session_id_does_not_survive_login(client, reception):
    from django.contrib.sessions.backends.db import SessionStore

    planted = SessionStore()
    planted["x"] = 1
    planted.create()
    client.cookies["sessionid"] = planted.session_key
    sign_in(client, reception)
    assert client.cookies["sessionid"].value != planted.session_key


def test_logout_ends_the_session_on_the_server(client, reception):
    enrol(client, reception)
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # Replaying the old cookie opens nothing.
    client.cookies["sessionid"] = key
    assert client.get("/staff/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=reception).exists()


def test_logout_by_get_is_refused(client, reception):
    enrol(client, reception)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/staff/").status_code == 200


def test_a_failed_login_is_audited_without_the_password(client, reception):
    response = client.post("/accounts/login/", {"username": reception.username, "password": "Wrong-Secret-123"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor == reception
    assert event.details["known_user"] is True
    assert "Wrong-Secret-123" not in str(event.details)
    from axes.models import AccessAttempt

    assert "Wrong-Secret-123" not in "".join(AccessAttempt.objects.values_list("post_data", flat=True))


def test_a_failed_login_for_an_unknown_username_keeps_no_username(client, db):
    client.post("/accounts/login/", {"username": "my-password-typed-here", "password": "x"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert "my-password-typed-here" not in str(event.details)


def test_the_staff_session_ends_after_fifteen_idle_minutes(client, reception):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        enrol(client, reception)
        assert client.get("/staff/").status_code == 200
        clock.shift(timedelta(minutes=14))
        assert client.get("/staff/").status_code == 200
        clock.shift(timedelta(minutes=16))
        response = client.get("/staff/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client.get("/staff/").status_code == 302
    event = AuditEvent.objects.get(action="auth.session_expired")
    assert event.details == {"reason": "idle"}


def test_the_staff_session_ends_twelve_hours_after_login_even_when_busy(client, reception):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        enrol(client, reception)
        for _step in range(71):  # every 10 minutes for 11 h 50 min
            clock.shift(timedelta(minutes=10))
            assert client.get("/staff/").status_code == 200
        clock.shift(timedelta(minutes=11))
        assert client.get("/staff/").status_code == 302
    assert AuditEvent.objects.get(action="auth.session_expired").details == {"reason": "absolute"}


def test_passwords_need_twelve_characters_and_not_a_common_one(reception):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("Short1!", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=reception)
    validate_password("tidal-quartz-lantern-87", user=reception)


def test_an_open_redirect_in_next_is_ignored(client, reception):
    enrol(client, reception)
    client.post("/accounts/logout/")
    sign_in(client, reception, next_url="https://evil.example/")
    device = TOTPDevice.objects.get(user=reception)
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        response = client.post("/accounts/otp/", {"code": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_guessing_the_code_is_slowed_down_after_each_wrong_try(client, reception):
    """django-otp throttles a device after a failure (1 s, 2 s, 4 s, ...): a million codes stay out of reach."""
    enrol(client, reception)
    client.post("/accounts/logout/")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, reception)
        for _ in range(3):
            client.post("/accounts/otp/", {"code": "000000", "next": "/staff/"})
        device = TOTPDevice.objects.get(user=reception)
        assert device.throttling_failure_count >= 1
        # Even the right code is refused while the device is throttled.
        assert client.post("/accounts/otp/", {"code": code_for(device), "next": "/staff/"}).status_code == 200
        assert client.get("/staff/").status_code == 302
        clock.shift(timedelta(minutes=2))
        device.refresh_from_db()
        assert client.post("/accounts/otp/", {"code": code_for(device), "next": "/staff/"}).status_code == 302
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor=reception).count() >= 4


def test_the_admin_never_shows_an_authenticators_secret_key(client, reception):
    enrol(client, reception)
    device = TOTPDevice.objects.get(user=reception)
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    with override_settings(STAFF_OTP_REQUIRED=False):
        page = admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()


def test_the_staff_session_cookie_ends_with_the_browser(client, reception):
    enrol(client, reception)
    cookie = client.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
