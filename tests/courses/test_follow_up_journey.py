"""A later session of a course: "since your last session", the consent only when needed, before your visit."""

from __future__ import annotations

import pytest
from django.utils import timezone

from consent.models import ConsentRecord
from intake.demo.screening import calm_answers
from intake.models import Progress, ScreeningResponse, Visit
from portal.models import AuditEvent
from tests.courses.conftest import NOTHING_CHANGED, SINCE_LAST_SESSION, answered, checked
from tests.factories import AccessLinkFactory
from tests.helpers import open_patient_session

PAGE = SINCE_LAST_SESSION


def test_the_follow_up_opens_the_short_journey(follow_up_client):
    page = follow_up_client.get("/patient/").content.decode()
    assert "Since your last session" in page
    assert "About dry needling" not in page
    assert "Quick check" not in page


def test_the_page_says_which_session_it_is(follow_up_client):
    assert "Session 2" in follow_up_client.get(PAGE).content.decode()


def test_a_first_visit_has_no_since_last_page(client, visit):
    from intake.links.tokens import new_token

    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=visit, token=token))
    assert client.get(PAGE)["Location"] == "/patient/"


def test_the_safety_answers_are_pre_filled_from_the_last_session(db, clinician, sign, client):
    from datetime import timedelta

    from django.utils import timezone

    from intake.links.tokens import new_token
    from tests.factories import VisitFactory

    first = VisitFactory(clinician=clinician, ready_to_sign=True, scheduled_at=timezone.now() - timedelta(days=7))
    answered(first, {**calm_answers(), "blood_thinner": "yes", "blood_thinner_which": ["antiplatelet"]})
    sign(first)
    later = VisitFactory(patient=first.patient, course=first.course, scheduled_at=timezone.now() + timedelta(days=1))
    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=later, token=token))

    page = client.get(PAGE).content.decode()
    assert "You take a blood thinner." in page
    assert checked(page, "blood_thinner") == ["yes"]
    assert checked(page, "blood_thinner_which") == ["antiplatelet"]


def test_nothing_changed_signs_nothing_and_the_consent_carries_over(follow_up_client, follow_up):
    response = follow_up_client.post(PAGE, NOTHING_CHANGED)
    assert response.status_code == 302 and response["Location"] == "/patient/consent/"
    response = follow_up_client.get("/patient/consent/")
    assert response["Location"] == "/patient/before-your-visit/"

    assert ConsentRecord.objects.count() == 1  # the first session's, nothing new
    follow_up.refresh_from_db()
    assert follow_up.consent_carried_at is not None and follow_up.signed_at is None
    assert follow_up.progress == Progress.SIGNED
    page = follow_up_client.get("/patient/before-your-visit/").content.decode()
    assert "still applies. You can withdraw it at any time." in page
    assert follow_up_client.get("/patient/consent/signed/").status_code == 200


def test_no_change_keeps_the_last_answers_and_raises_no_flag(follow_up_client, follow_up):
    follow_up_client.post(PAGE, NOTHING_CHANGED)
    response = ScreeningResponse.objects.get(visit=follow_up)
    assert response.questionnaire == "follow_up"
    assert response.answers["blood_thinner"] == "no" and response.answers["pregnant"] == "no"
    assert response.answers["new_medicines"] == "no"
    assert response.flags == []


def test_a_follow_up_with_nothing_changed_does_not_wait_in_the_review_queue(
    follow_up_client, follow_up, client, clinician
):
    follow_up_client.post(PAGE, NOTHING_CHANGED)
    follow_up_client.get("/patient/consent/")  # the consent carries over here
    assert not ScreeningResponse.objects.awaiting_review().filter(visit=follow_up).exists()
    client.force_login(clinician)
    queue = client.get("/staff/review/")
    assert follow_up.pk not in {screening.visit_id for screening in queue.context["screenings"]}


def test_a_flagged_follow_up_whose_consent_carries_over_waits_until_reviewed_or_treated(follow_up_client, follow_up):
    # A plan-level flag (felt faint last time) keeps the consent but needs a clinician's look.
    assert follow_up_client.post(PAGE, {**NOTHING_CHANGED, "after_effects": ["felt_faint"]}).status_code == 302
    follow_up_client.get("/patient/consent/")
    follow_up.refresh_from_db()
    response = ScreeningResponse.objects.get(visit=follow_up)
    assert follow_up.consent_carried_at is not None and response.flag_level > 0
    waiting = ScreeningResponse.objects.awaiting_review().filter(visit=follow_up)
    assert waiting.exists()
    Visit.objects.filter(pk=follow_up.pk).update(visited_at=timezone.now())
    assert not waiting.exists()


def test_a_change_that_raises_a_flag_reaches_the_review_queue(follow_up_client, follow_up, client, clinician):
    changed = {
        **NOTHING_CHANGED,
        "safety_same": "changed",
        "blood_thinner": "yes",
        "blood_thinner_which": ["warfarin"],
        "pregnant": "no",
        "unwell_today": "no",
        "new_condition": "no",
        "new_medicines": "yes",
        "new_medicines_what": "A new tablet",
    }
    assert follow_up_client.post(PAGE, changed).status_code == 302
    response = ScreeningResponse.objects.get(visit=follow_up)
    assert {flag["code"] for flag in response.flags} == {"anticoagulant", "new_medicines"}
    follow_up.refresh_from_db()
    assert follow_up.flag_level == 2

    # The patient signs again, and is told why.
    page = follow_up_client.get("/patient/consent/").content.decode()
    assert "Something in your health has changed since you signed." in page

    client.force_login(clinician)
    queue = client.get("/staff/review/").content.decode()
    assert follow_up.patient.last_name in queue
    review = client.get(f"/staff/visits/{follow_up.pk}/review/").content.decode()
    assert "Takes an anticoagulant" in review
    assert "Relative contraindication (ISCP 2012): review before needling." in review


ACT_NOW = "/patient/since-your-last-session/act-now/"


def test_a_red_flag_since_the_last_session_is_flagged_and_the_patient_told_what_to_do(
    follow_up_client, follow_up, settings
):
    response = follow_up_client.post(PAGE, {**NOTHING_CHANGED, "after_effects": ["breathing"]})
    assert response["Location"] == ACT_NOW
    flags = ScreeningResponse.objects.get(visit=follow_up).flags
    assert [flag["code"] for flag in flags] == ["red_flag_after_last"]
    # The same box as a check-in's: a call button for the emergency number, then the way on.
    page = follow_up_client.get(ACT_NOW).content.decode()
    assert f'href="tel:{settings.CLINIC_EMERGENCY_NUMBER}"' in page
    assert "aftercare-outcome-box-emergency" in page
    assert "Breathing or chest symptoms" in page
    assert 'href="/patient/consent/"' in page
    # It is read from the stored answers: a reload shows it again.
    assert "aftercare-outcome-box-emergency" in follow_up_client.get(ACT_NOW).content.decode()
    assert AuditEvent.objects.filter(action="follow_up.red_flags_viewed", object_id=str(follow_up.pk)).count() == 2


def test_a_sign_for_the_clinic_shows_the_clinics_number(follow_up_client, settings):
    follow_up_client.post(PAGE, {**NOTHING_CHANGED, "after_effects": ["infection"]})
    page = follow_up_client.get(ACT_NOW).content.decode()
    assert "aftercare-outcome-box-clinic" in page
    assert f'href="tel:{settings.CLINIC_PHONE}"' in page


def test_without_a_red_flag_there_is_nothing_to_act_on(follow_up_client):
    assert follow_up_client.get(ACT_NOW)["Location"] == PAGE
    follow_up_client.post(PAGE, {**NOTHING_CHANGED, "after_effects": ["bruising"]})
    assert follow_up_client.get(ACT_NOW)["Location"] == PAGE


def test_a_red_flag_since_the_last_session_puts_the_visit_on_the_urgent_list_until_dealt_with(
    follow_up_client, follow_up, clinician, client
):
    from intake.aftercare.checkins import acknowledge_urgent_checkins

    follow_up_client.post(PAGE, {**NOTHING_CHANGED, "after_effects": ["breathing"]})
    follow_up.refresh_from_db()
    assert follow_up.urgent_since is not None
    assert list(Visit.objects.urgent()) == [follow_up]
    client.force_login(clinician)
    queue = client.get("/staff/review/").content.decode()
    urgent_table = queue[queue.index('id="urgent-title"') : queue.index('id="consent-title"')]
    assert follow_up.patient.last_name in urgent_table
    assert "Breathing or chest symptoms" in urgent_table

    assert acknowledge_urgent_checkins(visit=follow_up, by=clinician) is True
    follow_up.refresh_from_db()
    assert follow_up.urgent_since is None
    assert AuditEvent.objects.filter(action="checkin.acknowledged", actor=clinician).count() == 1
    assert acknowledge_urgent_checkins(visit=follow_up, by=clinician) is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"soreness_worst": ""}, "soreness_worst"),
        ({"soreness_now": "11"}, "soreness_now"),
        ({"pain_now": "-1"}, "pain_now"),
        ({"after_effects": ["a-rash"]}, "after_effects"),
        ({"safety_same": "maybe"}, "safety_same"),
        ({"worries": "x" * 1001}, "worries"),
        ({"safety_same": "changed", "blood_thinner": ""}, "blood_thinner"),
    ],
)
def test_bad_answers_get_a_clear_message_and_nothing_is_saved(follow_up_client, follow_up, changes, field):
    response = follow_up_client.post(PAGE, {**NOTHING_CHANGED, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Nothing you typed has been lost." in response.content.decode()
    assert not ScreeningResponse.objects.filter(visit=follow_up).exists()


def test_none_of_these_with_a_sign_keeps_the_sign(follow_up_client, follow_up):
    follow_up_client.post(PAGE, {**NOTHING_CHANGED, "after_effects": ["none", "bruising"]})
    assert ScreeningResponse.objects.get(visit=follow_up).answers["after_effects"] == ["bruising"]


def test_the_answers_cannot_change_after_the_consent_step(follow_up_client, follow_up):
    follow_up_client.post(PAGE, NOTHING_CHANGED)
    follow_up_client.get("/patient/consent/")
    response = follow_up_client.post(PAGE, {**NOTHING_CHANGED, "pain_now": "9"})
    assert response["Location"] == "/patient/before-your-visit/"
    assert ScreeningResponse.objects.get(visit=follow_up).answers["pain_now"] == 3


def test_a_red_flag_since_the_last_session_raises_the_clinics_alert(follow_up_client, follow_up):
    from messaging.models import Alert

    follow_up_client.post(PAGE, {**NOTHING_CHANGED, "after_effects": ["infection"]})
    alert = Alert.objects.get(visit=follow_up)
    assert alert.source == "followup" and alert.symptoms == ["infection"]
    assert alert.symptom_labels == ["Signs of infection"]
