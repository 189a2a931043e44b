"""Staff sign-in with a one-time code in a real browser: enrolment with the QR code, backup codes,
then a later sign-in with the code; and no Content Security Policy violation on the way."""

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def roles(transactional_db):
    from portal.roles import sync_role_permissions

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    sync_role_permissions()


@pytest.fixture(autouse=True)
def otp_required():
    with override_settings(STAFF_OTP_REQUIRED=True):
        yield


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return violations


def test_a_new_receptionist_enrols_an_authenticator_and_signs_in_with_a_code(
    live_server, desktop, snap, assert_accessible
):
    user = UserFactory(username="new-reception", role=Role.RECEPTION)
    base = live_server.url
    violations = watch_csp(desktop)

    desktop.goto(f"{base}/staff/")
    assert desktop.url.startswith(f"{base}/accounts/login/")
    desktop.get_by_label("Username").fill(user.username)
    desktop.get_by_label("Password").fill(TEST_PASSWORD)
    snap(desktop, "1-login")
    desktop.get_by_role("button", name="Sign in").click()

    desktop.wait_for_url(f"{base}/accounts/otp/setup/**")
    qr = desktop.get_by_alt_text("QR code for your authenticator app")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code image loads under the CSP"
    assert_accessible(desktop)
    snap(desktop, "2-enrol")
    desktop.get_by_label("Code").fill(current_code(user))
    desktop.get_by_role("button", name="Confirm").click()

    desktop.get_by_role("heading", name="Your backup codes").wait_for()
    codes = desktop.locator(".backup-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(desktop)
    snap(desktop, "3-backup-codes")
    desktop.get_by_role("link", name="I have saved them, continue").click()
    desktop.wait_for_url(f"{base}/staff/")

    # Sign out, then in again: this time the code step asks for a backup code or the app's code.
    desktop.get_by_role("button", name="Log out").click()
    desktop.wait_for_url(f"{base}/accounts/login/**")
    desktop.get_by_label("Username").fill(user.username)
    desktop.get_by_label("Password").fill(TEST_PASSWORD)
    desktop.get_by_role("button", name="Sign in").click()
    desktop.wait_for_url(f"{base}/accounts/otp/**")
    assert_accessible(desktop)
    snap(desktop, "4-code")
    desktop.get_by_label("Code").fill(codes[0])
    desktop.get_by_role("button", name="Continue").click()
    desktop.wait_for_url(f"{base}/staff/")
    assert not violations, violations
