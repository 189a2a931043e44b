"""Staff session rules that apply to every request, whatever the view.

- A staff session ends after STAFF_IDLE_SECONDS without a request (15 minutes) and at the latest
  STAFF_ABSOLUTE_SECONDS after the password step (12 hours). Ending it flushes the server-side session.
- While STAFF_OTP_REQUIRED is on, a signed-in account that has not passed the one-time code step
  reaches nothing but the code pages and logout (the admin site included), so the password alone
  opens no page. Patient sessions have their own expiry (intake/patient_access.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.utils import timezone

from portal import audit
from portal.access import is_otp_verified
from portal.auth import AUTH_AT_SESSION_KEY, SEEN_AT_SESSION_KEY
from portal.views import healthz

HEALTHZ_PATH = "/healthz"
# Paths a signed-in but not yet code-verified account may still reach.
OTP_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")
# The idle clock is written at most this often, so not every request rewrites the session row.
SEEN_WRITE_INTERVAL = 30


class HealthCheckMiddleware:
    """Answer /healthz before any other middleware runs.

    The session and user middleware read the database whenever a request carries a session cookie, so
    during an outage a browser (or a probe with a stale cookie) would get the 500 page instead of the
    health check's 503 JSON. Placed after the header middleware (security, frame options, CSP: their
    headers still apply) and before the first one that reads the session or the user (OTP, the staff
    session rules, axes), this keeps health independent of sessions.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTHZ_PATH:
            return healthz(request)
        return self.get_response(request)


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self.enforce(request)
            if response is not None:
                return response
        return self.get_response(request)

    def enforce(self, request):
        session = request.session
        now = timezone.now().timestamp()
        started = session.get(AUTH_AT_SESSION_KEY)
        seen = session.get(SEEN_AT_SESSION_KEY)
        if started is None:  # a session made without the login view (e.g. force_login): start the clocks now
            session[AUTH_AT_SESSION_KEY] = started = now
        reason = None
        if now - started > settings.STAFF_ABSOLUTE_SECONDS:
            reason = "absolute"
        elif seen is not None and now - seen > settings.STAFF_IDLE_SECONDS:
            reason = "idle"
        if reason is not None:
            audit.record("auth.session_expired", request=request, details={"reason": reason})
            logout(request)
            return redirect_to_login(
                request.get_full_path() if request.method == "GET" else settings.LOGIN_REDIRECT_URL
            )
        if seen is None or now - seen >= SEEN_WRITE_INTERVAL:
            session[SEEN_AT_SESSION_KEY] = now
        if not is_otp_verified(request) and not request.path.startswith(OTP_EXEMPT_PREFIXES):
            return redirect_to_login(request.get_full_path(), login_url=settings.OTP_LOGIN_URL)
        return None


class AdminAuditMiddleware:
    """The admin site reads and changes patient records too: each such request writes an event.

    Django's admin has no hook per view, so this looks at the URL (/admin/<app>/<model>/...) after the
    response: a successful request for a model of the patient-data apps is recorded as admin.viewed
    (GET) or admin.changed (anything else), with the model and object id, never the field values.
    """

    AUDITED_APPS = ("intake", "consent", "portal")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        parts = request.path.strip("/").split("/")
        user = getattr(request, "user", None)
        if (
            len(parts) >= 3
            and parts[0] == "admin"
            and parts[1] in self.AUDITED_APPS
            and response.status_code < 400
            and user is not None
            and user.is_authenticated
        ):
            object_id = parts[3] if len(parts) >= 4 and parts[3] not in ("add", "") else ""
            audit.record(
                "admin.viewed" if request.method in ("GET", "HEAD") else "admin.changed",
                request=request,
                details={"app": parts[1], "model": parts[2], "object_id": object_id[:64]},
            )
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds MAX_REQUEST_BYTES before anything reads it.

    DATA_UPLOAD_MAX_MEMORY_SIZE covers form fields but not file uploads, which Django streams to disk
    whatever their size; this caps the whole body (a 400 page, like the other size limits).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            raise RequestDataTooBig("Request body exceeded settings.MAX_REQUEST_BYTES.")
        return self.get_response(request)
