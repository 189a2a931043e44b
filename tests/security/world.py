"""A small clinic for walking every URL: two patients whose journeys are complete (screening, consent
with PDF, recorded visit, check-ins), their links and tokens, and the URL patterns of the portal.

The demo hooks of each area fill in each visit's records, so when an area grows new records the
walk sees them without changes here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from intake.links.tokens import new_token
from intake.models import PROGRESS_STAMPS, AccessLink, Patient, Visit
from intake.visits.services import attach_paper_consent
from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory

# URL namespaces that a patient session reaches; everything else is staff, sign-in or admin.
PATIENT_NAMESPACES = {"journey", "consent", "aftercare"}


@dataclass
class Journey:
    patient: Patient
    visit: Visit
    link: AccessLink
    token: str
    ids: dict[str, str] = field(default_factory=dict)


def build_journey(*, first_name: str, clinician, last_name: str = "Walker", upto: str = "checked_in") -> Journey:
    """A patient whose journey reached `upto` (a Progress value), with every record behind it."""
    from consent import demo as consent_demo
    from intake.demo import aftercare as demo_aftercare
    from intake.demo import journey as demo_journey

    consent_demo.seed_versions()
    patient = PatientFactory(first_name=first_name, last_name=last_name)
    visit = VisitFactory(patient=patient, clinician=clinician, scheduled_at=timezone.now() - timedelta(days=2))
    states = [state for state, _stamp in PROGRESS_STAMPS]
    reached = PROGRESS_STAMPS[: states.index(upto) + 1]
    for offset, (_state, stamp) in enumerate(reached):
        setattr(visit, stamp, visit.scheduled_at - timedelta(days=3) + timedelta(minutes=10 * offset))
    visit.save()
    token = new_token()
    link = AccessLinkFactory(visit=visit, token=token)
    demo_journey.seed([visit])
    consent_demo.seed([visit], clinician=clinician)
    demo_aftercare.seed([visit], clinician=clinician)
    # A scanned paper consent too, so the walks reach its download (a clinic may keep both).
    attach_paper_consent(visit=visit, scan=ContentFile(b"%PDF-1.4\n%%EOF\n"), by=clinician)
    if upto == "checked_in":  # a red flag was reported: the alert pages have a record to show
        from messaging.services import raise_alert

        raise_alert(visit=visit, symptoms=["Breathing or chest symptoms"], source="checkin_24h")
    visit.refresh_from_db()
    journey = Journey(patient=patient, visit=visit, link=link, token=token)
    journey.ids = object_ids(journey)
    return journey


def build_follow_up_journey(*, first_name: str, clinician) -> Journey:
    """A second session in the course of a patient whose first session is done: the short journey."""
    first = build_journey(first_name=first_name, clinician=clinician, upto="checked_in")
    visit = VisitFactory(
        patient=first.patient,
        course=first.visit.course,
        clinician=clinician,
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    token = new_token()
    link = AccessLinkFactory(visit=visit, token=token)
    journey = Journey(patient=first.patient, visit=visit, link=link, token=token)
    journey.ids = object_ids(journey)
    return journey


def object_ids(journey: Journey) -> dict[str, str]:
    """The value for each URL keyword that names one of this patient's records."""
    from consent.models import ConsentRecord

    ids = {
        "patient_id": str(journey.patient.pk),
        "visit_id": str(journey.visit.pk),
        "link_id": str(journey.link.pk),
        "course_id": str(journey.visit.course_id),
    }
    record = ConsentRecord.objects.filter(visit=journey.visit).order_by("-pk").first()
    if record is not None:
        ids["record_id"] = str(record.pk)
        version = record.archive_versions.order_by("made_at").first()
        if version is not None:
            ids["version_id"] = str(version.pk)
    from messaging.models import Alert

    alert = Alert.objects.filter(visit=journey.visit).first()
    if alert is not None:
        ids["alert_id"] = str(alert.pk)
    return ids


def screening_sections() -> list[str]:
    from intake.questionnaires import load

    return [section.key for section in load().sections]


# URL keywords that are not record ids: the values to try for each.
NON_ID_KWARGS = {
    "window": lambda: ["24h", "72h"],
    "section": screening_sections,
    "table": lambda: ["courses", "change"],
}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the bare name
    namespace: str
    route: str
    callback: object
    kwargs: tuple[str, ...]

    @property
    def is_patient(self) -> bool:
        return self.namespace in PATIENT_NAMESPACES

    @property
    def is_staff(self) -> bool:
        return self.namespace in {"staff", "consent_staff", "messaging"}


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                full = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
                route = prefix + str(pattern.pattern)
                kwargs = tuple(pattern.pattern.converters)
                routes.append(Route(full, namespace or "", route, pattern.callback, kwargs))

    walk(get_resolver().url_patterns, "/", "")
    return routes


def html_pages(journey: Journey, staff_user):
    """(route name, HTML) for every page this patient's session and a staff member can GET for this visit."""
    from django.test import Client
    from django.urls import reverse

    from tests.helpers import open_patient_session

    patient = Client()
    open_patient_session(patient, journey.token, journey.link)
    staff = Client()
    staff.force_login(staff_user)
    for route in all_routes():
        if not (route.is_patient or route.is_staff):
            continue
        kwargs = {}
        for name in route.kwargs:
            kwargs[name] = journey.ids.get(name) or (NON_ID_KWARGS[name]()[0] if name in NON_ID_KWARGS else None)
        if None in kwargs.values():
            continue
        response = (patient if route.is_patient else staff).get(reverse(route.name, kwargs=kwargs))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            yield route.name, response.content.decode()
