from intake.aftercare.reminders import send_due_reminders
from intake.demo import outcomes as demo_outcomes
from intake.outcomes import series
from intake.outcomes.measures import Change
from portal.roles import Role
from tests.factories import UserFactory


def test_the_mid_course_demo_patient_has_three_sessions_of_pain_activities_and_soreness_idempotently(db):
    clinician = UserFactory(username="demo-clinician", role=Role.CLINICIAN)
    reception = UserFactory(username="demo-reception", role=Role.RECEPTION)
    for _ in range(2):
        visits, url = demo_outcomes.seed(clinician=clinician, reception=reception)
    course = series.course_for(visits[-1].patient)
    assert [s.nprs for s in course.sessions] == [7, 5, 4]
    assert [s.psfs for s in course.sessions] == [3.0, 4.7, 6.3]
    assert [[p.soreness for p in s.soreness] for s in course.sessions] == [[4, 6, 2], [3, 4, 1], [2, 3]]
    assert (course.nprs_change, course.psfs_change) == (Change.IMPROVED, Change.IMPROVED)
    assert not any(s.not_settling for s in course.sessions)
    assert send_due_reminders() == 0
    assert url.startswith("http")
