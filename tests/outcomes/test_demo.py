from intake.aftercare.reminders import send_due_reminders
from intake.demo import courses as demo_courses
from intake.demo import outcomes as demo_outcomes
from intake.outcomes import series
from intake.outcomes.measures import Change
from portal.roles import Role
from tests.factories import UserFactory


def test_the_mid_course_demo_patient_has_three_sessions_of_pain_activities_and_soreness_idempotently(db):
    from consent.demo import seed_versions

    seed_versions()
    clinician = UserFactory(username="demo-clinician", role=Role.CLINICIAN)
    reception = UserFactory(username="demo-reception", role=Role.RECEPTION)
    for _ in range(2):
        invited = demo_courses.seed(clinician=clinician, reception=reception)
        demo_outcomes.seed(demo_courses.mid_course_sessions(), clinician=clinician)
    patient = demo_courses.mid_course_sessions()[0].patient
    assert patient.courses.count() == 1
    course = series.course_for(patient)
    # The three treated sessions (the fourth is only invited).
    assert [s.number for s in course.sessions] == [1, 2, 3]
    assert [s.nprs for s in course.sessions] == [7, 5, 4]
    assert [s.psfs for s in course.sessions] == [3.0, 4.7, 6.3]
    assert [[p.soreness for p in s.soreness] for s in course.sessions] == [[4, 6, 2], [3, 4, 1], [2, 3]]
    assert (course.nprs_change, course.psfs_change) == (Change.IMPROVED, Change.IMPROVED)
    assert not any(s.not_settling for s in course.sessions)
    assert send_due_reminders() == 0
    assert all(url.startswith("http") for _visit, url in invited)
