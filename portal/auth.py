"""Staff sign-in security: the login lockout rules and the audit trail of every sign-in event.

The lockout itself is django-axes; this module only adds the wide limits axes has no setting for
(100 failures an hour from one address over any usernames, or against one username from any
addresses), reading the same attempt rows axes keeps in the shared database.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Sum
from django.dispatch import receiver
from django.utils import timezone

from portal import audit
from portal.access import PATIENT_SESSION_KEY

# Session keys the staff session middleware reads: when the password step succeeded.
AUTH_AT_SESSION_KEY = "staff_auth_at"
SEEN_AT_SESSION_KEY = "staff_seen_at"


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler plus a per-address and a per-username ceiling within the cool-off window."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return self.wide_failures(request, credentials) >= settings.AXES_WIDE_FAILURE_LIMIT

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.wide_failures(request, credentials) >= settings.AXES_WIDE_FAILURE_LIMIT:
            request.axes_locked_out = True  # AxesMiddleware turns this into the lockout page
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def wide_failures(self, request, credentials=None) -> int:
        threshold = get_cool_off_threshold(request)
        recent = AccessAttempt.objects.filter(attempt_time__gte=threshold)
        counts = []
        ip = getattr(request, "axes_ip_address", None)
        if ip:
            counts.append(recent.filter(ip_address=ip).aggregate(n=Sum("failures_since_start"))["n"] or 0)
        username = get_client_username(request, credentials)
        if username:
            counts.append(recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0)
        return max(counts, default=0)


def _known_user(username: str | None):
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="portal.auth.logged_in")
def audit_login(sender, request, user, **kwargs):
    if request is None:
        return
    now = timezone.now().timestamp()
    if hasattr(request, "session"):
        # A kiosk tablet handed back to staff must not keep the patient's journey open behind the login.
        request.session.pop(PATIENT_SESSION_KEY, None)
        request.session[AUTH_AT_SESSION_KEY] = now
        request.session[SEEN_AT_SESSION_KEY] = now
    audit.record("auth.login", request=request, actor=user, details={"step": "password"})


@receiver(user_login_failed, dispatch_uid="portal.auth.login_failed")
def audit_login_failure(sender, credentials, request=None, **kwargs):
    """One event per failed password; the username is kept only as a link to a real account."""
    if request is None:
        return
    user = _known_user(credentials.get("username"))
    audit.record(
        "auth.login_failed",
        request=request,
        actor=user,
        details={"known_user": user is not None, "locked_out": bool(getattr(request, "axes_locked_out", False))},
    )


@receiver(user_locked_out, dispatch_uid="portal.auth.locked_out")
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    if request is None:
        return
    user = _known_user(username)
    audit.record("auth.locked_out", request=request, actor=user, details={"known_user": user is not None})


@receiver(user_logged_out, dispatch_uid="portal.auth.logged_out")
def audit_logout(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    audit.record("auth.logout", request=request, actor=user)
