"""seed_demo's courses: a patient mid-course with a flagged change, and one whose consent is too old."""

import pytest
from django.core.management import call_command
from django.db.models import F

from consent.courses import reconsent_reasons
from consent.models import ConsentRecord
from intake.models import Course, FlagLevel, ScreeningResponse, Visit
from portal.models import User


@pytest.fixture(autouse=True)
def laptop_debug(settings):
    settings.DEBUG = True


@pytest.mark.django_db
def test_seed_demo_adds_a_patient_mid_course_and_one_who_must_sign_again(capsys):
    call_command("seed_demo")
    rosa = Course.objects.get(patient__first_name="Rosa")
    sessions = list(rosa.visits.order_by("scheduled_at"))
    assert len(sessions) == 4
    assert [visit.visited_at is not None for visit in sessions] == [True, True, True, False]
    follow_ups = ScreeningResponse.objects.filter(visit__course=rosa, questionnaire="follow_up")
    assert sorted(response.flag_level for response in follow_ups) == [FlagLevel.NONE, FlagLevel.REVIEW]
    assert ConsentRecord.objects.filter(visit__course=rosa).count() == 2  # the first, and the re-consent
    assert sessions[1].consent_carried_at is not None
    assert reconsent_reasons(sessions[3]) == []
    assert sessions[3].is_follow_up

    pedro_next = Visit.objects.filter(patient__first_name="Pedro").order_by("scheduled_at").last()
    assert [reason.code for reason in reconsent_reasons(pedro_next)] == ["expired"]
    printed = capsys.readouterr().out
    assert "Rosa Marín" in printed and "Pedro Santos" in printed

    call_command("seed_demo")
    assert Course.objects.filter(patient__first_name__in=["Rosa", "Pedro"]).count() == 2
    assert Visit.objects.filter(course=rosa).count() == 4


@pytest.mark.django_db
def test_every_demo_visit_was_invited_before_its_link_was_opened(client):
    # Demo steps are dated in the past; the funnel on the outcomes page must not show negative hours.
    call_command("seed_demo")
    assert not Visit.objects.filter(opened_at__lt=F("created_at")).exists()
    client.force_login(User.objects.get(username="clinician"))
    page = client.get("/staff/outcomes/")
    funnel = page.context["tables"]["funnel"]
    hours = [row[-1] for row in funnel.rows if isinstance(row[-1], int | float)]
    assert hours and all(value >= 0 for value in hours), funnel.rows
