"""The patient's language switcher: one small form on every patient page, posting here.

For a signed-in patient the choice becomes the visit's language, so the pages, the consent text, the
PDF, emails and aftercare all follow it. Nothing is kept in the session: `patient_required` would let
`session["patient_language"]` win over `visit.language`, and a session choice made before signing in
(say after the session lapsed) would then show Spanish pages around an English consent. Without a
signed-in visit the choice only sets Django's language cookie, for the pages outside the patient session.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from intake.journey.access import granted_link
from intake.models import Visit
from portal import audit

SESSION_LANGUAGE_KEY = "patient_language"  # read by intake.journey.access; cleared here, never set


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("journey:progress")


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Change the patient's language and go back to the page they were on."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("Unknown language")
    link = granted_link(request)
    request.session.pop(SESSION_LANGUAGE_KEY, None)
    if link is not None and link.visit.language != code:
        Visit.objects.filter(pk=link.visit_id).update(language=code)
        audit.record(
            "visit.language_changed",
            request=request,
            obj=link.visit,
            patient=link.visit.patient,
            access_link=link,
            details={"language": code},
        )
    response = redirect(_safe_next(request))
    # The cookie lets Django's LocaleMiddleware follow the choice on pages outside the patient session.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
