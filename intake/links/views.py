"""The private link's first page: the date-of-birth check that opens the patient's session."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from intake.journey.access import grant, granted_link, link_not_valid
from intake.links.message_links import link_for_reference
from intake.links.tokens import find_usable_link
from intake.models import AccessLink, Visit
from portal import audit
from portal.audit import client_ip
from portal.bounds import BoundedDateField
from portal.forms import posted

DOB_ATTEMPTS_PER_IP_PER_HOUR = 30


class DateOfBirthForm(forms.Form):
    date_of_birth = BoundedDateField(
        label=_("Your date of birth"),
        help_text=_("For a child, enter the child's date of birth."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"required": _("Enter your date of birth."), "invalid": _("Enter a real date.")},
    )

    def clean_date_of_birth(self):
        # An impossible date is a typing slip, not a guess: it gets a message and does not count as an attempt.
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("That date is in the future. Please check the year."))
        if value.year < 1900:
            raise forms.ValidationError(_("Please check the year."))
        return value


def _ip_attempts_key(request: HttpRequest) -> str:
    return f"dob-attempts:{client_ip(request)}"


@never_cache
def entry(request: HttpRequest, token: str) -> HttpResponse:
    return _gate(request, find_usable_link(token))


@never_cache
def reference_entry(request: HttpRequest, reference: str) -> HttpResponse:
    """A link from a message (/p/r/<reference>/): a signed reference to the visit's current link
    (intake/links/message_links.py). It leads to that link's own date-of-birth gate: same attempt
    counter, same lock; nothing is issued or revoked."""
    return _gate(request, link_for_reference(reference))


def _gate(request: HttpRequest, link: AccessLink | None) -> HttpResponse:
    if link is None:
        return link_not_valid(request)
    translation.activate(_chosen_language(request, link))
    current = granted_link(request)
    if current is not None and current.pk == link.pk:
        return redirect("journey:progress")
    if link.locked_at is not None:
        return render(request, "intake/links/link_locked.html", status=403)

    form = DateOfBirthForm(posted(request))
    if request.method == "POST":
        if cache.get(_ip_attempts_key(request), 0) >= DOB_ATTEMPTS_PER_IP_PER_HOUR:
            audit.record("link.dob_rate_limited", request=request, access_link=link, obj=link)
            return render(request, "intake/links/too_many_attempts.html", status=429)
        if form.is_valid():
            if form.cleaned_data["date_of_birth"] == link.visit.patient.date_of_birth:
                return _confirmed(request, link)
            return _failed(request, link, form)
    return render(request, "intake/links/confirm_dob.html", {"form": form, **_language_context(request, link)})


def _confirmed(request: HttpRequest, link: AccessLink) -> HttpResponse:
    now = timezone.now()
    AccessLink.objects.filter(pk=link.pk).update(last_used_at=now, failed_dob_attempts=0)
    link.visit.mark("opened_at", now)
    chosen = _chosen_language(request, link)
    if chosen != link.visit.language:  # the language picked on this page becomes the visit's
        Visit.objects.filter(pk=link.visit_id).update(language=chosen)
        audit.record("visit.language_changed", request=request, obj=link.visit, details={"language": chosen})
    audit.record("link.dob_confirmed", request=request, access_link=link, obj=link, patient=link.visit.patient)
    grant(request, link)
    if link.visit.is_follow_up and link.visit.screening_done_at is None:
        # A returning patient has one short page to answer before anything else: straight there (the page
        # links back to the steps). Keeps a follow-up with nothing changed within 8 taps (issue 15).
        return redirect("journey:since-last")
    return redirect("journey:progress")


def _failed(request: HttpRequest, link: AccessLink, form: DateOfBirthForm) -> HttpResponse:
    ip_key = _ip_attempts_key(request)
    cache.add(ip_key, 0, timeout=3600)
    cache.incr(ip_key)
    with transaction.atomic():
        AccessLink.objects.filter(pk=link.pk).update(failed_dob_attempts=F("failed_dob_attempts") + 1)
        link.refresh_from_db(fields=["failed_dob_attempts"])
        locked = link.failed_dob_attempts >= settings.ACCESS_LINK_MAX_DOB_FAILURES
        if locked:
            AccessLink.objects.filter(pk=link.pk, locked_at__isnull=True).update(locked_at=timezone.now())
        audit.record(
            "link.dob_failed",
            request=request,
            access_link=link,
            obj=link,
            patient=link.visit.patient,
            details={"attempt": link.failed_dob_attempts},
        )
        if locked:
            audit.record("link.locked", request=request, access_link=link, obj=link, patient=link.visit.patient)
    if locked:
        return render(request, "intake/links/link_locked.html", status=403)
    form.add_error("date_of_birth", _("That date of birth does not match our records. Please check and try again."))
    left = settings.ACCESS_LINK_MAX_DOB_FAILURES - link.failed_dob_attempts
    # From the third wrong try on, the patient is told how close the lock is and what to do about it.
    tries_left = left if link.failed_dob_attempts >= 3 else None  # noqa: PLR2004
    return render(
        request,
        "intake/links/confirm_dob.html",
        {"form": form, "tries_left": tries_left, **_language_context(request, link)},
        status=200,
    )


def _language_context(request: HttpRequest, link: AccessLink) -> dict:
    """The languages the date-of-birth page can switch to (by ?lang=, before anyone is signed in)."""
    current = translation.get_language()
    return {
        "other_languages": [(code, name) for code, name in settings.LANGUAGES if code != current],
        "chosen_language": current,
    }


def _chosen_language(request: HttpRequest, link: AccessLink) -> str:
    """?lang= (or the posted choice) when it is one of ours; else the visit's language."""
    code = request.POST.get("lang") or request.GET.get("lang") or ""
    return code if code in dict(settings.LANGUAGES) else link.visit.language
