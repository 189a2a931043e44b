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
from intake.journey.views import posted
from intake.links.tokens import find_usable_link
from intake.models import AccessLink
from portal import audit
from portal.audit import client_ip
from portal.bounds import BoundedDateField

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
    link = find_usable_link(token)
    if link is None:
        return link_not_valid(request)
    translation.activate(link.visit.language)
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
    return render(request, "intake/links/confirm_dob.html", {"form": form})


def _confirmed(request: HttpRequest, link: AccessLink) -> HttpResponse:
    now = timezone.now()
    AccessLink.objects.filter(pk=link.pk).update(last_used_at=now, failed_dob_attempts=0)
    link.visit.mark("opened_at", now)
    audit.record("link.dob_confirmed", request=request, access_link=link, obj=link, patient=link.visit.patient)
    grant(request, link)
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
    return render(request, "intake/links/confirm_dob.html", {"form": form}, status=200)
