"""Object gates for staff views: one record by its UUID through portal.access.get_for_staff (404 otherwise)."""

from __future__ import annotations

from django.http import HttpRequest

from intake.models import AccessLink, Course, Patient, Visit
from portal.access import get_for_staff


def get_patient_for_staff(request: HttpRequest, public_id) -> Patient:
    """The patient with this UUID, for a logged-in staff member; 404 otherwise."""
    return get_for_staff(request, Patient.objects.all(), public_id)


def get_visit_for_staff(request: HttpRequest, public_id) -> Visit:
    """The visit with this UUID (patient and clinician loaded), for a logged-in staff member; 404 otherwise."""
    return get_for_staff(request, Visit.objects.select_related("patient", "clinician"), public_id)


def get_link_for_staff(request: HttpRequest, public_id) -> AccessLink:
    """The access link with this UUID (its visit and patient loaded), for a logged-in staff member; 404 otherwise."""
    return get_for_staff(request, AccessLink.objects.select_related("visit__patient"), public_id)


def get_course_for_staff(request: HttpRequest, public_id) -> Course:
    """The course of care with this UUID (its patient loaded), for a logged-in staff member; 404 otherwise."""
    return get_for_staff(request, Course.objects.select_related("patient"), public_id)
