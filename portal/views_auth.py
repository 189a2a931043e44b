"""Staff sign-in: username and password, then a one-time code; enrolment with a QR code on first login.

1. /accounts/login/      password step (django-axes refuses locked-out username+address pairs).
2. /accounts/otp/        the six-digit code from the authenticator app, or one of the backup codes.
   /accounts/otp/setup/  first login only: scan the QR code, type a code, receive ten backup codes.
3. /accounts/logout/     POST only; flushes the server-side session.
With STAFF_OTP_REQUIRED off (laptop demo, test suite) step 2 is skipped.
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from portal import audit
from portal.access import is_otp_verified

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": "Enter the code."},
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").replace("-", "")


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _with_next(path: str, next_url: str) -> str:
    return f"{path}?{urlencode({'next': next_url})}"


def _confirmed_totp(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


class StaffLoginForm(AuthenticationForm):
    """Django's login form with the username's length enforced before authenticate() runs.

    Django only sets the length as an HTML attribute; an over-long name would otherwise reach
    django-axes, whose attempt log cannot store it on PostgreSQL (a 500 instead of a calm refusal).
    """

    username = UsernameField(
        max_length=get_user_model()._meta.get_field("username").max_length,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )


class LoginView(auth_views.LoginView):
    """Django's login (fresh session key, axes-checked), then on to the code step when it is required."""

    authentication_form = StaffLoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        target = super().get_success_url()
        if is_otp_verified(self.request):
            return target
        step = "otp_setup" if _confirmed_totp(self.request.user) is None else "otp_verify"
        return _with_next(reverse(step), target)


def _login_then(request: HttpRequest):
    return redirect_to_login(request.get_full_path())


@never_cache
@csrf_protect
@sensitive_post_parameters("code")
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app or an unused backup code."""
    if not request.user.is_authenticated:
        return _login_then(request)
    next_url = _next_url(request)
    if is_otp_verified(request):
        return redirect(next_url)
    if _confirmed_totp(request.user) is None:
        return redirect(_with_next(reverse("otp_setup"), next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            _complete(request, device)
            method = "backup_code" if isinstance(device, StaticDevice) else "totp"
            details = {"method": method}
            if method == "backup_code":
                details["backup_codes_left"] = device.token_set.count()
            audit.record("auth.otp_verified", request=request, details=details)
            return redirect(next_url)
        audit.record("auth.otp_failed", request=request)
        form.add_error("code", "That code did not work. Wait for a new code in the app and try again.")
    return render(request, "registration/otp_verify.html", {"form": form, "next": next_url})


def _complete(request: HttpRequest, device) -> None:
    """Mark the session as code-verified, with a fresh session key now that it holds more power."""
    django_otp.login(request, device)
    request.session.cycle_key()


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _issue_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with a fresh set and return them; the page shows them once."""
    static, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@never_cache
@csrf_protect
@sensitive_post_parameters("code")
def otp_setup(request: HttpRequest) -> HttpResponse:
    """First login: scan the QR code, confirm one code, get the backup codes.

    Only an account with no confirmed authenticator may enrol; otherwise someone holding just the
    password could add their own device.
    """
    if not request.user.is_authenticated:
        return _login_then(request)
    next_url = _next_url(request)
    if _confirmed_totp(request.user) is not None:
        return redirect(_with_next(reverse("otp_verify"), next_url))
    device = _pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _issue_backup_codes(request.user)
            _complete(request, device)
            audit.record("auth.otp_enrolled", request=request, details={"backup_codes": len(codes)})
            return render(request, "registration/backup_codes.html", {"codes": codes, "next": next_url})
        audit.record("auth.otp_failed", request=request, details={"step": "enrolment"})
        form.add_error("code", "That code did not work. Check the app shows this account and try the newest code.")
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {"form": form, "next": next_url, "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))},
    )


@never_cache
def otp_setup_qr(request: HttpRequest) -> HttpResponse:
    """The enrolment QR code as an SVG image; only for a signed-in account that is still enrolling."""
    if not request.user.is_authenticated or _confirmed_totp(request.user) is not None:
        raise Http404
    device = _pending_device(request.user)
    response = HttpResponse(content_type="image/svg+xml")
    write_qrcode_image(device.config_url, response)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@csrf_protect
def backup_codes(request: HttpRequest) -> HttpResponse:
    """A verified staff member replaces their backup codes (the old ones stop working)."""
    if not request.user.is_authenticated:
        return _login_then(request)
    if not settings.STAFF_OTP_REQUIRED and _confirmed_totp(request.user) is None:
        raise Http404
    if not is_otp_verified(request):
        return redirect_to_login(request.get_full_path(), login_url=settings.OTP_LOGIN_URL)
    if request.method == "POST":
        codes = _issue_backup_codes(request.user)
        audit.record("auth.backup_codes_renewed", request=request, details={"backup_codes": len(codes)})
        return render(request, "registration/backup_codes.html", {"codes": codes, "next": settings.LOGIN_REDIRECT_URL})
    static = StaticDevice.objects.filter(user=request.user, name=BACKUP_DEVICE_NAME).first()
    left = static.token_set.count() if static else 0
    return render(request, "registration/backup_codes_manage.html", {"left": left})
