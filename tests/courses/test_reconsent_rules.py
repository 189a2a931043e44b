"""When a follow-up must sign again: each rule, and its absence. The reasons reach patient and clinician."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import override_settings
from django.utils import timezone

from consent.courses import reconsent_reasons
from consent.models import ConsentVersion
from consent.services import withdraw_consent
from intake.demo.screening import calm_answers
from intake.models import ScreeningResponse
from tests.aftercare.conftest import record_visit
from tests.courses.conftest import answered


def codes(visit) -> list[str]:
    return [reason.code for reason in reconsent_reasons(visit)]


def test_nothing_changed_needs_no_new_consent(follow_up):
    answered(follow_up, {"pain_now": 3, "blood_thinner": "no", "pregnant": "no"}, questionnaire="follow_up")
    assert codes(follow_up) == []


def test_no_consent_yet_in_the_course_is_not_a_re_consent(db):
    from tests.factories import VisitFactory

    assert codes(VisitFactory()) == []


def test_a_withdrawn_consent_must_be_signed_again(follow_up, first_session):
    withdraw_consent(record=first_session.consents.get(), reason="Changed my mind")
    assert codes(follow_up) == ["withdrawn"]


def test_a_newer_consent_text_must_be_signed(follow_up, consent_version):
    ConsentVersion.objects.filter(pk=consent_version.pk).update(is_active=False)
    ConsentVersion.objects.create(
        key=consent_version.key,
        version=consent_version.version + 1,
        language="en",
        title="Consent to dry needling",
        body="## Changed\nThe clinic changed this text.",
        risks=consent_version.risks,
        effective_date="2026-06-01",
        is_active=True,
    )
    assert codes(follow_up) == ["new_version"]


def test_a_new_review_flag_since_signing_must_be_signed(follow_up):
    answered(follow_up, {"new_medicines": "yes", "pain_now": 2}, questionnaire="follow_up")
    [reason] = reconsent_reasons(follow_up)
    assert reason.code == "new_flag"
    assert "New medicines" in reason.staff_text


def test_a_flag_that_was_there_at_signing_is_not_new(db, clinician, sign):
    from tests.factories import VisitFactory

    first = VisitFactory(clinician=clinician, ready_to_sign=True, scheduled_at=timezone.now() - timedelta(days=7))
    answered(first, {**calm_answers(), "blood_thinner": "yes", "blood_thinner_which": ["warfarin"]})
    sign(first)
    later = VisitFactory(patient=first.patient, course=first.course)
    answered(later, {"blood_thinner": "yes", "blood_thinner_which": ["warfarin"]}, questionnaire="follow_up")
    assert ScreeningResponse.objects.get(visit=later).flags[0]["code"] == "anticoagulant"
    assert codes(later) == []


def test_a_plan_flag_since_signing_needs_no_new_consent(follow_up):
    answered(follow_up, {"after_effects": ["felt_faint"]}, questionnaire="follow_up")
    assert codes(follow_up) == []


def test_a_chest_risk_region_treated_after_signing_must_be_signed(follow_up, first_session):
    from tests.factories import VisitFactory

    middle = VisitFactory(
        patient=first_session.patient, course=first_session.course, scheduled_at=timezone.now() - timedelta(days=3)
    )
    record_visit(middle, regions=("upper_back",))
    [reason] = reconsent_reasons(follow_up)
    assert reason.code == "chest_region"
    assert "upper_back" in reason.staff_text


def test_a_chest_risk_region_planned_at_signing_is_covered(db, clinician, sign):
    from tests.factories import VisitFactory

    first = VisitFactory(clinician=clinician, ready_to_sign=True, scheduled_at=timezone.now() - timedelta(days=7))
    answered(first, {**calm_answers(), "pain_regions": ["neck"]})
    sign(first)
    record_visit(first, regions=("neck",))
    later = VisitFactory(patient=first.patient, course=first.course)
    assert codes(later) == []


def test_a_consent_older_than_a_year_must_be_signed_again(follow_up):
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        assert codes(follow_up) == ["expired"]
    with time_machine.travel(timezone.now() + timedelta(days=364)):
        assert codes(follow_up) == []


@override_settings(CONSENT_VALID_DAYS=30)
def test_the_consent_lifetime_is_a_setting(follow_up):
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        [reason] = reconsent_reasons(follow_up)
    assert reason.code == "expired" and "30 days" in str(reason.patient_text)


def test_the_clinician_sees_why_the_patient_must_sign_again(follow_up, client, clinician):
    answered(follow_up, {"new_medicines": "yes"}, questionnaire="follow_up")
    client.force_login(clinician)
    page = client.get(f"/staff/visits/{follow_up.pk}/review/").content.decode()
    assert "Consent must be signed again" in page
    assert "New flag since the consent was signed: New medicines." in page
