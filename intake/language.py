"""The patient's language switcher: one small form on every patient page, posting here.

The choice is the visit's language once the patient is signed in to it (so the consent text, the PDF,
emails and aftercare follow it), and a session choice before that (the date-of-birth page).
`patient_required` activates `session["patient_language"]` or else `visit.language`; this view keeps the
two from disagreeing by clearing the session choice whenever it stores the choice on the visit.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from intake.models import Visit
from intake.patient_access import granted_link
from portal import audit

SESSION_LANGUAGE_KEY = "patient_language"


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
    if link is None:
        request.session[SESSION_LANGUAGE_KEY] = code
    else:
        request.session.pop(SESSION_LANGUAGE_KEY, None)
        if link.visit.language != code:
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
