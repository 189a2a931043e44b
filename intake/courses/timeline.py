"""A patient's courses as timelines for the record page: sessions, flags, consents, check-ins, changes.

Built from the visits the record page already loaded (with their screening, record, consents and
check-ins prefetched), so the page's query count does not grow with the number of sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from intake.courses.changes import changes_between
from intake.models import Course, FlagLevel, Visit
from intake.regions import region_label


@dataclass
class Event:
    when: datetime
    kind: str  # session, answers, flag, change, consent, treated, checkin, discharged
    text: str
    level: int = 0


@dataclass
class Session:
    visit: Visit
    number: int
    events: list[Event] = field(default_factory=list)


@dataclass
class CourseTimeline:
    course: Course
    sessions: list[Session]
    discharged: Event | None = None


def course_timelines(courses: list[Course], visits: list[Visit]) -> list[CourseTimeline]:
    timelines = []
    for course in courses:
        in_course = sorted((v for v in visits if v.course_id == course.pk), key=lambda v: (v.scheduled_at, v.pk))
        sessions = []
        last_answers: dict = {}
        for number, visit in enumerate(in_course, start=1):
            session = Session(visit=visit, number=number)
            events = session.events
            events.append(Event(visit.created_at, "session", f"Session {number} booked"))
            screening = getattr(visit, "screening", None)
            if screening is not None and screening.submitted_at:
                kind = "Since the last session" if screening.questionnaire == "follow_up" else "Full screening"
                events.append(Event(screening.submitted_at, "answers", f"{kind} answered"))
                for flag in screening.flags:
                    if int(flag.get("level", 0)) >= FlagLevel.REVIEW:
                        events.append(Event(screening.submitted_at, "flag", flag["title"], int(flag["level"])))
                for change in changes_between(last_answers, screening):
                    events.append(
                        Event(screening.submitted_at, "change", f"{change.label}: {change.before} → {change.now}")
                    )
                last_answers = dict(screening.answers)
            for record in visit.consents.all():
                events.append(
                    Event(record.signed_at, "consent", f"Consent signed (version {record.consent_version.version})")
                )
                if record.withdrawn_at:
                    events.append(Event(record.withdrawn_at, "consent", "Consent withdrawn"))
            if visit.consent_carried_at:
                events.append(
                    Event(visit.consent_carried_at, "consent", "Earlier consent still applies (nothing signed)")
                )
            treated = getattr(visit, "record", None)
            if treated is not None:
                regions = ", ".join(region_label(key) for key in treated.regions) or "no regions recorded"
                events.append(Event(treated.treated_at, "treated", f"Treated: {regions}"))
            for checkin in visit.checkins.all():
                flags = f", red flags: {', '.join(checkin.red_flags)}" if checkin.red_flags else ""
                events.append(
                    Event(
                        checkin.submitted_at,
                        "checkin",
                        f"{checkin.get_window_display()} check-in: soreness {checkin.soreness}/10{flags}",
                        FlagLevel.STOP if checkin.urgent else 0,
                    )
                )
            events.sort(key=lambda event: event.when)
            sessions.append(session)
        discharged = None
        if course.discharged_at:
            discharged = Event(course.discharged_at, "discharged", f"Discharged: {course.discharge_reason}")
        timelines.append(CourseTimeline(course=course, sessions=sessions, discharged=discharged))
    return timelines
