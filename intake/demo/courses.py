"""Demo courses of care (seed_demo): a patient mid-course and one whose consent is too old.

- Rosa Marín: three sessions done (the first with the full screening and a signature; the second
  "nothing has changed", so her consent carried over; the third reported a new medicine, which raised a
  review flag and a re-consent), and a fourth session invited. Her pain, activities and soreness are the
  outcome measures' demo (intake/demo/outcomes.py).
- Pedro Santos: one session more than CONSENT_VALID_DAYS ago and a second one invited: his consent is
  stale, so the follow-up asks him to sign again.

Answers go through the real rules and the consent through the real signing service. Idempotent: a patient
who already has a course is left alone; the links of the invited sessions use demo tokens.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from intake.demo import outcomes as demo_outcomes
from intake.demo.patients import demo_token
from intake.demo.screening import calm_answers, response_fields
from intake.links.tokens import hash_token, link_expiry, patient_url
from intake.models import AccessLink, CheckIn, Course, Patient, ScreeningResponse, Visit, VisitRecord
from portal.models import User

NOTHING_CHANGED = {
    "soreness_worst": 4,
    "soreness_now": 1,
    "after_effects": ["none"],
    "pain_now": 3,
    "safety_same": "same",
    "blood_thinner": "no",
    "pregnant": "no",
    "unwell_today": "no",
    "new_condition": "no",
    "new_medicines": "no",
}
NEW_MEDICINE = {
    **NOTHING_CHANGED,
    "soreness_worst": 5,
    "after_effects": ["bruising"],
    "safety_same": "changed",
    "new_medicines": "yes",
    "new_medicines_what": "Ibuprofen gel for a sore knee",
}


def _answer(visit: Visit, questionnaire: str, answers: dict, when: datetime) -> None:
    response = ScreeningResponse.objects.create(
        visit=visit, submitted_at=when, **response_fields(questionnaire, answers, visit=visit)
    )
    visit.flag_level = response.flag_level
    visit.opened_at = visit.opened_at or when - timedelta(minutes=5)
    visit.screening_done_at = when
    if questionnaire == "screening":
        visit.explanation_read_at = when - timedelta(minutes=3)
        visit.understanding_done_at = when + timedelta(minutes=2)
    visit.save()


def _sign(visit: Visit, when: datetime, clinician: User) -> None:
    from consent.demo import demo_signature_png
    from consent.services import active_version_for, confirm_consent, sign_consent

    version = active_version_for(visit.language)
    if version is None:
        raise RuntimeError("seed the consent texts first (consent.demo.seed_versions)")
    record = sign_consent(
        visit=visit,
        version=version,
        signer_name=visit.patient.full_name,
        signature_png=demo_signature_png(7),
        acknowledgements={
            "electronic_signature": True,
            "read_and_understood": True,
            "voluntary": True,
            "guardian_involved_minor": False,
            "risks": [risk["name"] for risk in version.risks],
        },
        time_zone=str(timezone.get_current_timezone()),
        ip="127.0.0.1",
        user_agent="Demo data (seed_demo)",
        when=when,
        send_email=False,
    )
    confirm_consent(record=record, clinician=clinician, when=when + timedelta(hours=12))


def _treat(visit: Visit, clinician: User, regions: list[str], soreness=None) -> None:
    """The session's record and its check-ins; `soreness` is (right after, [(hours, soreness, trend)])."""
    after, checkins = soreness or (None, [(20, 3, "better")])
    VisitRecord.objects.create(
        visit=visit,
        treated_at=visit.scheduled_at,
        regions=regions,
        notes="Demo session.",
        soreness_after=after,
        recorded_by=clinician,
    )
    visit.mark("visited_at", visit.scheduled_at)
    for hours, value, trend in checkins:
        window = CheckIn.Window.DAY_1 if hours < 48 else CheckIn.Window.DAY_3
        checkin = CheckIn.objects.create(visit=visit, window=window, soreness=value, trend=trend, red_flags=[])
        submitted = visit.scheduled_at + timedelta(hours=hours)
        CheckIn.objects.filter(pk=checkin.pk).update(submitted_at=submitted)
        visit.mark("checked_in_at", submitted)


def _session(course: Course, clinician: User, reception: User, when: datetime) -> Visit:
    return Visit.objects.create(
        patient=course.patient,
        course=course,
        clinician=clinician,
        created_by=reception,
        scheduled_at=when,
        language=course.patient.preferred_language,
    )


def _link(visit: Visit, reception: User) -> str:
    token = demo_token(visit)
    if not AccessLink.objects.filter(token_hash=hash_token(token)).exists():
        AccessLink.objects.filter(visit=visit, revoked_at__isnull=True).update(revoked_at=timezone.now())
        AccessLink.objects.create(
            visit=visit, token_hash=hash_token(token), created_by=reception, expires_at=link_expiry(visit)
        )
    return patient_url(token)


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _patient(first: str, last: str, born: date, email: str) -> tuple[Patient, bool]:
    patient, _ = Patient.objects.get_or_create(
        first_name=first, last_name=last, date_of_birth=born, defaults={"email": email, "phone": "555-0177"}
    )
    return patient, not patient.courses.exists()


def mid_course_patient() -> tuple[Patient, bool]:
    """Rosa Marín, three sessions into her course; True when she has no course yet."""
    return _patient("Rosa", "Marín", date(1981, 8, 17), "rosa.marin@example.com")


def mid_course_sessions() -> list[Visit]:
    """The mid-course patient's treated sessions, in time order."""
    rosa, _new = mid_course_patient()
    return list(rosa.visits.filter(record__isnull=False).select_related("record").order_by("scheduled_at", "id"))


def seed(*, clinician: User, reception: User) -> list[tuple[Visit, str]]:
    """Create the two demo courses (once). Returns each invited follow-up with its patient URL."""
    invited = []
    rosa, new = mid_course_patient()
    if new:
        # Her pain and soreness are the outcome measures' demo (intake/demo/outcomes.py).
        soreness = [(after, checkins) for _pain, _ratings, after, checkins in demo_outcomes.SESSIONS]
        course = Course.objects.create(
            patient=rosa, complaint="Achilles and calf pain", lead_clinician=clinician, opened_at=_at(-30, 9)
        )
        first = _session(course, clinician, reception, _at(-21, 10))
        screening = {**calm_answers(), "main_complaint": course.complaint, **demo_outcomes.pain_answers(0)}
        _answer(first, "screening", screening, _at(-23, 19))
        _sign(first, _at(-23, 19) + timedelta(minutes=10), clinician)
        _treat(first, clinician, ["calf_shin"], soreness[0])
        second = _session(course, clinician, reception, _at(-14, 10))
        nothing_changed = {**NOTHING_CHANGED, "pain_now": demo_outcomes.pain_answers(1)["pain_now"]}
        _answer(second, "follow_up", nothing_changed, _at(-15, 18))
        second.mark("consent_carried_at", _at(-15, 18) + timedelta(minutes=1))
        _treat(second, clinician, ["calf_shin"], soreness[1])
        third = _session(course, clinician, reception, _at(-7, 10))
        new_medicine = {**NEW_MEDICINE, "pain_now": demo_outcomes.pain_answers(2)["pain_now"]}
        _answer(third, "follow_up", new_medicine, _at(-8, 20))
        _sign(third, _at(-8, 20) + timedelta(minutes=4), clinician)  # the new flag asked for a new signature
        _treat(third, clinician, ["calf_shin"], soreness[2])
        _session(course, clinician, reception, _at(3, 11))
    # Every session has its link (the ones held open aftercare); the invited one is printed.
    *held, fourth = rosa.visits.order_by("scheduled_at")
    for visit in held:
        _link(visit, reception)
    invited.append((fourth, _link(fourth, reception)))

    pedro, new = _patient("Pedro", "Santos", date(1970, 12, 1), "pedro.santos@example.com")
    if new:
        stale = settings.CONSENT_VALID_DAYS + 35
        course = Course.objects.create(
            patient=pedro, complaint="Low back ache", lead_clinician=clinician, opened_at=_at(-stale - 7, 9)
        )
        first = _session(course, clinician, reception, _at(-stale, 10))
        _answer(
            first,
            "screening",
            {**calm_answers(), "main_complaint": course.complaint, "pain_regions": ["lower_back"]},
            _at(-stale - 2, 19),
        )
        _sign(first, _at(-stale - 2, 19) + timedelta(minutes=10), clinician)
        _treat(first, clinician, ["lower_back"])
        _session(course, clinician, reception, _at(4, 15))
    *held, second = pedro.visits.order_by("scheduled_at")
    for visit in held:
        _link(visit, reception)
    invited.append((second, _link(second, reception)))
    return invited
