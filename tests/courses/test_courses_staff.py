"""Courses for staff: invite into the course, the board's session number, discharge, the record's timeline,
the review of a follow-up, and "same regions as last time"."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from intake.courses.services import discharge_course
from intake.models import AccessLink, Course, Visit
from portal.models import AuditEvent
from portal.roles import Role
from tests.aftercare.conftest import record_visit
from tests.courses.conftest import answered
from tests.factories import AccessLinkFactory, UserFactory, VisitFactory
from tests.staff.test_board import BOARD_QUERIES

pytestmark = pytest.mark.django_db
ANA = ["--first-name", "Ana", "--last-name", "Ruiz", "--dob", "1990-01-01"]


def run_invite(*args) -> tuple[list[str], str]:
    out, err = StringIO(), StringIO()
    call_command("invite", *args, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines(), err.getvalue()


def _at(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0, second=0).isoformat()


# --- invite ---------------------------------------------------------------------------------------


def test_a_second_invite_is_a_follow_up_in_the_same_course_and_prints_its_url_last(client):
    run_invite(*ANA, "--visit-at", _at(1))
    lines, _err = run_invite(*ANA, "--visit-at", _at(8))
    assert Course.objects.count() == 1
    later = Visit.objects.order_by("scheduled_at").last()
    assert later.session_number == 2
    assert "Session 2" in lines[-2]
    assert lines[-1].startswith("http://testserver/p/")
    assert client.get(lines[-1].removeprefix("http://testserver")).status_code == 200


def test_new_course_opens_a_second_course(db):
    run_invite(*ANA, "--visit-at", _at(1))
    run_invite(*ANA, "--visit-at", _at(8), "--new-course", "--complaint", "Knee")
    assert Course.objects.count() == 2
    assert Visit.objects.order_by("scheduled_at").last().course.complaint == "Knee"
    assert Visit.objects.order_by("scheduled_at").last().session_number == 1


def test_a_discharged_course_refuses_a_new_visit_with_exit_2(clinician):
    run_invite(*ANA, "--visit-at", _at(1))
    discharge_course(course=Course.objects.get(), reason="Goals met", by=clinician)
    with pytest.raises(CommandError) as refused:
        run_invite(*ANA, "--visit-at", _at(8))
    assert refused.value.returncode == 2
    assert "--new-course" in str(refused.value)
    assert Visit.objects.count() == 1
    run_invite(*ANA, "--visit-at", _at(8), "--new-course")
    assert Course.objects.filter(status="active").count() == 1


def test_two_visits_at_the_same_time_warn(db):
    run_invite(*ANA, "--visit-at", _at(1))
    _lines, err = run_invite(*ANA, "--visit-at", _at(1))
    assert "already has a visit at that time" in err


def test_an_over_long_complaint_is_refused_with_exit_2(db):
    with pytest.raises(CommandError) as refused:
        run_invite(*ANA, "--new-course", "--complaint", "x" * 201)
    assert refused.value.returncode == 2


def _invite_form(**changes) -> dict:
    data = {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "date_of_birth": "1990-01-01",
        "scheduled_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "language": "en",
        "same_person_confirmed": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_invite_page_adds_a_follow_up_or_opens_a_new_course(reception, as_user):
    client = as_user(reception)
    assert client.post("/staff/invite/", _invite_form(same_person_confirmed=None)).status_code == 302
    later = (timezone.localtime() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    assert client.post("/staff/invite/", _invite_form(scheduled_at=later)).status_code == 302
    assert Course.objects.count() == 1 and Visit.objects.count() == 2
    latest = (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    client.post("/staff/invite/", _invite_form(scheduled_at=latest, new_course="on", complaint="Neck"))
    assert Course.objects.count() == 2


def test_the_invite_page_refuses_a_discharged_course_clearly(reception, clinician, as_user):
    client = as_user(reception)
    client.post("/staff/invite/", _invite_form(same_person_confirmed=None))
    discharge_course(course=Course.objects.get(), reason="Goals met", by=clinician)
    later = (timezone.localtime() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/staff/invite/", _invite_form(scheduled_at=later))
    assert response.status_code == 200
    assert "course of care was discharged" in response.content.decode()
    assert Visit.objects.count() == 1


def test_the_invite_page_warns_about_the_same_time(reception, as_user):
    client = as_user(reception)
    form = _invite_form(same_person_confirmed=None)
    client.post("/staff/invite/", form)
    response = client.post("/staff/invite/", {**form, "same_person_confirmed": "on"})
    assert response.status_code == 200
    assert "already has a visit at that time" in response.content.decode()
    confirmed = {**form, "same_person_confirmed": "on", "same_time_confirmed": "on"}
    assert client.post("/staff/invite/", confirmed).status_code == 302
    assert Visit.objects.count() == 2


# --- board ----------------------------------------------------------------------------------------


def test_the_board_shows_the_session_number(first_session, follow_up, reception, as_user):
    page = as_user(reception).get("/staff/").content.decode()
    assert "session 2" in page


@pytest.mark.parametrize("sessions", [1, 6])
def test_the_board_query_count_is_unchanged_with_courses(reception, as_user, django_assert_num_queries, sessions):
    doctor = UserFactory(username="dr-course", role=Role.CLINICIAN)
    for patient_number in range(5):
        first = VisitFactory(clinician=doctor, scheduled_at=timezone.now() + timedelta(hours=1, minutes=patient_number))
        for number in range(1, sessions):
            VisitFactory(
                patient=first.patient,
                course=first.course,
                clinician=doctor,
                scheduled_at=first.scheduled_at + timedelta(days=7 * number),
            )
    VisitFactory(urgent_since=timezone.now(), clinician=doctor)  # as on the board's own count: its alerts too
    client = as_user(reception)
    client.get("/staff/")
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get("/staff/", {"q": "pat"})
    numbers = {visit.session_number for visit in response.context["visits"]}
    assert numbers == ({1} if sessions == 1 else set(range(1, max(numbers) + 1))) and (
        sessions == 1 or max(numbers) > 1
    )


def test_the_csv_has_course_and_session(first_session, follow_up, clinic_admin, as_user):
    body = b"".join(as_user(clinic_admin).get("/staff/export.csv").streaming_content).decode()
    header, *rows = body.strip().splitlines()
    assert ",course,session," in header + ","
    assert any(f",{follow_up.course_id},2," in row + "," for row in rows)


# --- discharge ------------------------------------------------------------------------------------


def test_a_clinician_discharges_a_course_with_a_reason_and_its_follow_up_links_stop(
    first_session, follow_up, clinician, as_user, client
):
    link = AccessLinkFactory(visit=follow_up)
    treated_link = AccessLinkFactory(visit=first_session)
    response = as_user(clinician).post(f"/staff/courses/{follow_up.course_id}/discharge/", {"reason": "Goals met"})
    assert response.status_code == 302
    course = Course.objects.get(pk=follow_up.course_id)
    assert course.status == "discharged" and course.discharged_by == clinician
    assert course.discharge_reason == "Goals met"
    assert AccessLink.objects.get(pk=link.pk).revoked_at is not None
    assert AccessLink.objects.get(pk=treated_link.pk).revoked_at is None  # aftercare still opens
    event = AuditEvent.objects.get(action="course.discharged")
    assert event.details == {"links_revoked": 1, "reason": True}


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_discharge_without_a_proper_reason_changes_nothing(first_session, clinician, as_user, reason):
    client = as_user(clinician)
    response = client.post(f"/staff/courses/{first_session.course_id}/discharge/", {"reason": reason}, follow=True)
    assert response.status_code == 200
    assert "Not discharged" in response.content.decode()
    assert Course.objects.get(pk=first_session.course_id).status == "active"


def test_an_unknown_course_is_404(clinician, as_user):
    client = as_user(clinician)
    assert (
        client.post("/staff/courses/00000000-0000-0000-0000-000000000000/discharge/", {"reason": "x"}).status_code
        == 404
    )
    assert client.post("/staff/courses/not-a-uuid/discharge/", {"reason": "x"}).status_code == 404


def test_discharging_twice_is_harmless(first_session, clinician, as_user):
    client = as_user(clinician)
    url = f"/staff/courses/{first_session.course_id}/discharge/"
    client.post(url, {"reason": "Goals met"})
    response = client.post(url, {"reason": "Again"}, follow=True)
    assert "already discharged" in response.content.decode()
    assert Course.objects.get(pk=first_session.course_id).discharge_reason == "Goals met"


def test_the_database_refuses_a_discharged_course_without_a_reason(first_session):
    from django.db import IntegrityError, transaction

    course = first_session.course
    course.status = "discharged"
    course.discharged_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        course.save()


# --- record, review, visit recording --------------------------------------------------------------


def test_the_record_shows_the_course_as_a_timeline(first_session, follow_up, clinician, as_user):
    answered(follow_up, {"new_medicines": "yes", "pain_now": 2}, questionnaire="follow_up")
    page = as_user(clinician).get(f"/staff/patients/{follow_up.patient_id}/").content.decode()
    assert "Courses of care" in page
    assert "Session 1" in page and "Session 2" in page
    assert "Consent signed (version" in page
    assert "Treated: " in page
    assert "Since the last session answered" in page
    assert "New medicines: No → Yes" in page
    assert "Discharge this course" in page


def test_the_record_costs_the_same_with_one_or_four_sessions(clinician, as_user):
    from tests.staff.test_query_counts import _count

    def course_of(n):
        first = VisitFactory(clinician=clinician)
        answered(first, {"pain_now": 3})
        for number in range(1, n):
            later = VisitFactory(
                patient=first.patient, course=first.course, scheduled_at=first.scheduled_at + timedelta(days=number)
            )
            answered(later, {"pain_now": 2}, questionnaire="follow_up")
        return first.patient_id

    client = as_user(clinician)
    assert _count(client, f"/staff/patients/{course_of(1)}/") == _count(client, f"/staff/patients/{course_of(4)}/")


def test_the_review_of_a_follow_up_shows_what_changed_at_the_top(follow_up, clinician, as_user):
    answered(
        follow_up,
        {"blood_thinner": "yes", "blood_thinner_which": ["warfarin"], "pregnant": "no", "soreness_worst": 6},
        questionnaire="follow_up",
    )
    page = as_user(clinician).get(f"/staff/visits/{follow_up.pk}/review/").content.decode()
    top = page.index("since the last session")
    assert top < page.index("Flags")
    assert "Blood thinner" in page[top:] and "Warfarin" in page[top:]
    assert "Soreness at worst" in page and "6/10" in page


def test_visit_recording_ticks_the_regions_of_last_time(first_session, follow_up, clinician, as_user):
    page = as_user(clinician).get(f"/staff/visits/{follow_up.pk}/record/").content.decode()
    assert "Same regions as last time" in page
    tag = next(part for part in page.split("<input") if 'value="lower_back"' in part)
    assert " checked" in tag.split(">")[0]


def test_a_first_visit_has_nothing_from_last_time(visit, clinician, as_user):
    assert (
        "Same regions as last time" not in as_user(clinician).get(f"/staff/visits/{visit.pk}/record/").content.decode()
    )


def test_aftercare_says_which_session_it_is_about(first_session, follow_up, client):
    from intake.links.tokens import new_token
    from tests.helpers import open_patient_session

    record_visit(follow_up, regions=("calf_shin",))
    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=follow_up, token=token))
    assert "session 2" in client.get("/patient/aftercare/").content.decode()


def test_each_session_has_its_own_check_in_windows(first_session, follow_up, client):
    import time_machine

    from intake.aftercare.checkins import submit_checkin
    from intake.models import CheckIn

    submit_checkin(visit=first_session, window="24h", soreness=3, trend="better", red_flags=[])
    treated = timezone.now()
    record_visit(follow_up, regions=("calf_shin",), treated_at=treated)
    with time_machine.travel(treated + timedelta(hours=13)):
        submit_checkin(visit=follow_up, window="24h", soreness=2, trend="better", red_flags=[])
    assert CheckIn.objects.filter(window="24h").count() == 2
