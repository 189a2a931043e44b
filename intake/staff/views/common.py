"""Helpers shared by the staff pages: paging without COUNT(*), the export permission, consent links."""

from __future__ import annotations

from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from intake.aftercare.advice import red_flag_labels
from intake.models import Visit
from intake.staff.forms import (
    BoardFilterForm,
)


def paginate(queryset, page: int, size: int):
    """One page plus whether another follows, without COUNT(*): fetch one row more than shown."""
    rows = list(queryset[(page - 1) * size : page * size + 1])
    return rows[:size], len(rows) > size


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def can_export(user) -> bool:
    """Exports (CSV, FHIR) belong to the clinic admin, the only role holding intake.export_records.

    Checked through the role (already loaded with the user's groups) rather than has_perm(), which
    would cost two permission queries on every board view."""
    return user.is_clinic_admin


def require_export(request: HttpRequest) -> None:
    if not can_export(request.user):
        raise PermissionDenied


def consent_urls(record) -> dict:
    return {
        "detail": reverse("consent_staff:detail", args=[record.pk]),
        "pdf": reverse("consent_staff:pdf", args=[record.pk]),
    }


def label_checkins(checkins) -> list:
    """Name each check-in's red flags in words, for the record and the review."""
    for checkin in checkins:
        checkin.red_flag_names = red_flag_labels(checkin.red_flags)
    return checkins


def board_queryset(request: HttpRequest):
    form = BoardFilterForm(request.GET)
    visits, date_from = form.filter(Visit.objects.for_board(), today=timezone.localdate())
    if date_from is None:
        # Searching across all dates: upcoming visits first (soonest first), then past ones (latest first).
        start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        visits = visits.annotate(
            is_past=Case(When(scheduled_at__lt=start, then=Value(1)), default=Value(0), output_field=IntegerField()),
            upcoming_at=Case(When(scheduled_at__gte=start, then=F("scheduled_at")), default=None),
        ).order_by("is_past", F("upcoming_at").asc(nulls_last=True), F("scheduled_at").desc(), "id")
    else:
        visits = visits.order_by("scheduled_at", "id")
    return form, visits
