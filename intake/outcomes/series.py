"""One course of care, session by session: pain, activities, global change, and each session's
soreness; and the clinician's two pictures of it.

The sessions are the course's visits that have a session record or outcome measures, numbered by their
place in the course (Visit.session_number), so an invited or missed visit keeps the others' numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, Subquery
from django.utils.safestring import SafeString

from intake.models import Course as CourseOfCare
from intake.models import OutcomeResponse, Patient, Visit, VisitRecord
from intake.outcomes import charts, measures, soreness
from intake.outcomes.measures import Change


@dataclass
class Session:
    number: int
    visit: Visit
    when: datetime
    nprs: int | None = None
    psfs: float | None = None
    groc: int | None = None
    soreness: list[soreness.Point] = field(default_factory=list)
    not_settling: bool = False


@dataclass
class Course:
    sessions: list[Session]
    nprs_change: Change | None = None
    psfs_change: Change | None = None
    groc_change: Change | None = None
    activities: list[str] = field(default_factory=list)

    @property
    def has_measures(self) -> bool:
        return any(s.nprs is not None or s.psfs is not None for s in self.sessions)

    @property
    def has_soreness(self) -> bool:
        return any(s.soreness for s in self.sessions)


def _outcomes(visit: Visit) -> OutcomeResponse | None:
    try:
        return visit.outcomes
    except OutcomeResponse.DoesNotExist:
        return None


def _record(visit: Visit) -> VisitRecord | None:
    try:
        return visit.record
    except VisitRecord.DoesNotExist:
        return None


def course_for(patient: Patient, course_id=None) -> Course:
    """The course `course_id`, or else the patient's latest course: two queries whatever the number of
    sessions (the latest course is a subquery, the session numbers an annotation)."""
    course_of_care = course_id or Subquery(
        CourseOfCare.objects.filter(patient=patient).order_by("-opened_at", "-id").values("id")[:1]
    )
    visits = list(
        patient.visits.filter(course=course_of_care)
        .with_session_number()
        .filter(Q(record__isnull=False) | Q(outcomes__isnull=False))
        .select_related("record", "outcomes")
        .prefetch_related("checkins")
        .order_by("scheduled_at", "id")
    )
    sessions = []
    for visit in visits:
        record, outcome = _record(visit), _outcomes(visit)
        session = Session(
            number=visit.session_number, visit=visit, when=record.treated_at if record else visit.scheduled_at
        )
        if outcome is not None:
            session.nprs = outcome.nprs
            session.psfs = float(outcome.psfs) if outcome.psfs is not None else None
            session.groc = outcome.groc
        session.soreness = soreness.points_for(record, list(visit.checkins.all()))
        session.not_settling = visit.not_settling_since is not None
        sessions.append(session)
    definition = measures.definition()
    course = Course(sessions=sessions)
    pains = [s.nprs for s in sessions if s.nprs is not None]
    functions = [s.psfs for s in sessions if s.psfs is not None]
    if len(pains) > 1:
        course.nprs_change = measures.classify(definition, "nprs", first=pains[0], last=pains[-1])
    if len(functions) > 1:
        course.psfs_change = measures.classify(definition, "psfs", first=functions[0], last=functions[-1])
    grocs = [s.groc for s in sessions if s.groc is not None]
    if grocs:
        course.groc_change = measures.classify(definition, "groc", last=grocs[-1])
    first = next((_outcomes(s.visit) for s in sessions if _outcomes(s.visit)), None)
    if first is not None:
        course.activities = [
            first.answers[measures.activity_key(n)]
            for n in measures.ACTIVITY_NUMBERS
            if first.answers.get(measures.activity_key(n))
        ]
    return course


def measures_chart(course: Course, chart_id: str = "measures-chart") -> SafeString:
    sessions = course.sessions
    pain = charts.Series(
        "Pain now (lower is better)",
        [(s.number, s.nprs) for s in sessions if s.nprs is not None],
        [f"session {s.number}" for s in sessions if s.nprs is not None],
    )
    activity = charts.Series(
        "Activities, PSFS (higher is better)",
        [(s.number, s.psfs) for s in sessions if s.psfs is not None],
        [f"session {s.number}" for s in sessions if s.psfs is not None],
    )
    last = max((s.number for s in sessions), default=1)
    return charts.line_chart(
        chart_id=chart_id,
        title="Pain and activities across sessions",
        description="Pain now and the mean activity rating, 0 to 10, at each session. The table below has the numbers.",
        series=[pain, activity],
        x_range=(0.7, last + 0.3),
        y_range=(0, 10),
        x_ticks=[(s.number, f"Session {s.number}") for s in sessions],
        y_ticks=[0, 2, 4, 6, 8, 10],
        y_label="0-10",
    )


USUAL_BAND_NAME = "Usual soreness"


def soreness_chart(
    course: Course,
    chart_id: str = "soreness-chart",
    *,
    title: str = "",
    description: str = "",
    names=None,
    band_name: str = USUAL_BAND_NAME,
    x_label: str = "Hours since the session",
    y_label: str = "Soreness",
) -> SafeString:
    """Each session's soreness at 0, 24 and 72 h against the usual course."""
    series = [
        charts.Series(
            names(session) if names else f"Session {session.number}",
            [(min(p.hours, 96), p.soreness) for p in session.soreness],
            [p.label for p in session.soreness],
        )
        for session in course.sessions
        if session.soreness
    ]
    return charts.line_chart(
        chart_id=chart_id,
        title=title or "Soreness after each session against the usual course",
        description=description
        or (
            "Soreness 0 to 10 by hours since the session. The shaded band is the usual course: it starts within "
            "hours, peaks in the first 24 to 48 hours and is mostly gone by 72 hours."
        ),
        series=series,
        x_range=(0, 96),
        y_range=(0, 10),
        x_ticks=[(0, "0 h"), (24, "24 h"), (48, "48 h"), (72, "72 h"), (96, "96 h")],
        y_ticks=[0, 2, 4, 6, 8, 10],
        x_label=x_label,
        y_label=y_label,
        band=charts.Band(band_name, [(float(h), float(lo), float(hi)) for h, lo, hi in soreness.USUAL_BAND]),
    )


def picture_context(patient: Patient, course_id=None) -> dict:
    """What the course picture partial needs (intake/outcomes/partials/course_picture.html): the course
    `course_id`, or else the patient's latest."""
    course = course_for(patient, course_id)
    return {
        "course": course,
        "measures_svg": measures_chart(course),
        "soreness_svg": soreness_chart(course),
        "soreness_labels": list(soreness.NOMINAL_HOURS),
    }


def patient_soreness(visit: Visit, record: VisitRecord) -> dict:
    """The patient's own soreness after this session, in words and a picture (aftercare page).

    `state` says which plain sentence to show: none yet, usual so far, easing, or not settling.
    """
    from django.utils.translation import gettext as _

    points = soreness.points_for(record, list(visit.checkins.all()))
    if not points:
        state = "none"
    elif soreness.not_settling(points):
        state = "not_settling"
    elif points[-1].hours >= soreness.PEAK_OVER_BY_HOURS:
        state = "easing"
    else:
        state = "usual"
    session = Session(number=1, visit=visit, when=record.treated_at, soreness=points)
    labels = {"0h": _("Right after"), "24h": _("About a day after"), "72h": _("About three days after")}
    svg = soreness_chart(
        Course(sessions=[session]),
        "your-soreness-chart",
        title=_("Your soreness so far"),
        description=_("Your soreness from 0 to 10 after your visit, with the usual pattern shaded."),
        names=lambda _session: _("Your soreness"),
        band_name=_("Usual for most people"),
        x_label=_("Hours since your visit"),
        y_label=_("Soreness"),
    )
    rows = [(labels.get(p.label, p.label), p.soreness) for p in points]
    return {"soreness_state": state, "soreness_svg": svg, "soreness_rows": rows}
