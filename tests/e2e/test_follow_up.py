"""A returning patient's follow-up session on a 390 px phone: link, "since your last session", done.

Taps are counted (every click or tick; typing the date of birth is not a tap) and the time from opening
the link to "before your visit" is printed for the report. Nothing changed, so nothing is signed.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from consent.demo import seed_versions
from consent.models import ConsentRecord
from intake.demo.screening import calm_answers
from intake.links.tokens import new_token
from intake.models import OutcomeMoment, OutcomeResponse
from intake.outcomes.services import record_outcomes
from tests.courses.conftest import answered
from tests.factories import AccessLinkFactory, VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)
MAX_TAPS = 8


@pytest.fixture
def returning_patient():
    """Session 1 screened, signed and treated last week; session 2 tomorrow with a fresh link."""
    from consent.services import sign_consent
    from tests.consent.conftest import full_acknowledgements

    version = seed_versions()
    first = VisitFactory(
        ready_to_sign=True, scheduled_at=timezone.now() - timedelta(days=7), patient__first_name="Rosa"
    )
    answered(first, calm_answers(), when=timezone.now() - timedelta(days=8))
    sign_consent(
        visit=first,
        version=version,
        signer_name=first.patient.full_name,
        signature_png=None,
        acknowledgements=full_acknowledgements(version),
        time_zone="Europe/Madrid",
        ip="127.0.0.1",
        user_agent="test",
        send_email=False,
    )
    # At the first visit Rosa named two things that are hard to do (issue 15): re-rated before each session.
    record_outcomes(
        visit=first,
        moment=OutcomeMoment.FIRST_VISIT,
        answers={
            "psfs_activity_1": "Carry the shopping",
            "psfs_rating_1": 3,
            "psfs_activity_2": "Garden",
            "psfs_rating_2": 5,
        },
        by_patient=True,
    )
    later = VisitFactory(patient=first.patient, course=first.course, scheduled_at=timezone.now() + timedelta(days=1))
    token = new_token()
    return AccessLinkFactory(visit=later, token=token), token


def test_a_follow_up_with_nothing_changed_takes_at_most_8_taps_on_a_phone(
    live_server, phone, snap, assert_accessible, returning_patient
):
    link, token = returning_patient
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        taps += 1
        locator.click()

    started = time.monotonic()
    phone.goto(f"{live_server.url}/p/{token}/")
    phone.get_by_label("Your date of birth").fill(link.visit.patient.date_of_birth.isoformat())
    tap(phone.get_by_role("button", name="Continue"))
    # A returning patient lands straight on the one page to answer (it links back to the steps).
    phone.wait_for_url(f"{live_server.url}/patient/since-your-last-session/")
    assert phone.get_by_text("Last time you told us:").is_visible()
    assert phone.get_by_text("You do not take a blood thinner.").is_visible()
    carried = phone.locator('[data-show-if-item="safety_same"]')
    assert carried.is_hidden()  # the safety questions stay folded away unless something changed
    snap(phone, "2-since-last")
    assert_accessible(phone)

    tap(phone.locator("#id_soreness_worst_4"))
    tap(phone.locator("#id_soreness_now_1"))
    tap(phone.get_by_label("None of these"))
    tap(phone.locator("#id_pain_now_3"))
    assert phone.get_by_text("Carry the shopping: 3 out of 10").is_visible()
    assert phone.locator('[data-show-if-item="activities_same"]').is_hidden()  # last time's ratings, folded
    tap(phone.get_by_label("About the same as last time"))
    tap(phone.get_by_label("Yes, nothing has changed"))
    tap(phone.get_by_role("button", name="Save and continue"))

    phone.wait_for_url(f"{live_server.url}/patient/before-your-visit/")
    seconds = time.monotonic() - started
    assert phone.get_by_text("still applies. You can withdraw it at any time.").is_visible()
    snap(phone, "3-before-your-visit")
    assert_accessible(phone)
    assert phone.js_errors == []

    print(f"\nFOLLOW-UP JOURNEY: {taps} taps, {seconds:.1f} s from the link to 'before your visit'")
    assert taps <= MAX_TAPS
    assert ConsentRecord.objects.count() == 1  # nothing signed
    measured = OutcomeResponse.objects.get(visit=link.visit)
    assert (measured.nprs, measured.answers["psfs_rating_1"], measured.answers["psfs_rating_2"]) == (3, 3, 5)

    phone.goto(f"{live_server.url}/patient/")  # the steps page: the short journey, all done
    assert phone.get_by_text("About dry needling").count() == 0
    snap(phone, "4-progress")
    assert_accessible(phone)


def test_something_changed_unfolds_the_pre_filled_questions(
    live_server, phone, snap, assert_accessible, returning_patient
):
    link, token = returning_patient
    phone.goto(f"{live_server.url}/p/{token}/")
    phone.get_by_label("Your date of birth").fill(link.visit.patient.date_of_birth.isoformat())
    phone.get_by_role("button", name="Continue").click()
    phone.goto(f"{live_server.url}/patient/since-your-last-session/")
    phone.get_by_label("Something has changed").check()
    carried = phone.locator('[data-show-if-item="safety_same"]')
    assert carried.is_visible()
    assert phone.locator('input[name="blood_thinner"][value="no"]').is_checked()
    snap(phone, "changed")
    assert_accessible(phone)
