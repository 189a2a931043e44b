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
    phone.wait_for_url(f"{live_server.url}/patient/")
    assert phone.get_by_text("About dry needling").count() == 0
    snap(phone, "1-progress")
    assert_accessible(phone)

    tap(phone.get_by_role("link", name="Continue: Since your last session"))
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
