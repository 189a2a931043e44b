"""Issue 18, the clinic's first week: what clinicians and reception hit, one test per item."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from intake.models import AdverseEvent, FlagLevel, ReviewOutcome, ScreeningResponse, VisitRecord
from portal.models import AuditEvent
from portal.roles import Role
from tests.factories import AccessLinkFactory, PatientFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _record_post(**changes):
    data = {
        # This minute: the consent signed in the test must come before the session (the consent gate).
        "treated_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "regions": ["knee"],
        "notes": "",
    }
    data.update(changes)
    return data


# --- clinicians ---------------------------------------------------------------------------------


def test_recording_names_the_treating_clinician_and_what_happened(clinician, as_user, screened_visit, sign):
    consent = sign(screened_visit)
    colleague = UserFactory(username="colleague", first_name="Ana", last_name="Treats", role=Role.CLINICIAN)

    response = as_user(clinician).post(
        f"/staff/visits/{screened_visit.pk}/record/",
        _record_post(treated_by=colleague.pk, adverse_events=[AdverseEvent.FELT_FAINT, AdverseEvent.BLEEDING]),
    )

    assert response.status_code == 302
    record = VisitRecord.objects.get(visit=screened_visit)
    assert record.treated_by == colleague and record.recorded_by == clinician
    assert record.adverse_events == ["felt_faint", "bleeding"]
    screened_visit.refresh_from_db()
    assert screened_visit.clinician == colleague
    from consent.documents import consent_context

    consent = type(consent).objects.get(pk=consent.pk)
    assert consent_context(consent)["clinician_name"] == str(colleague)  # not "to be confirmed"
    event = AuditEvent.objects.get(action="visit.recorded")
    assert event.details["adverse_events"] == ["felt_faint", "bleeding"]
    page = as_user(clinician).get(f"/staff/visits/{screened_visit.pk}/record/").content.decode()
    assert "treated by Ana Treats" in page and "Felt faint or fainted" in page


def test_without_a_treating_clinician_the_recorder_is_the_one_who_treated(clinician, as_user, screened_visit, sign):
    sign(screened_visit)
    as_user(clinician).post(f"/staff/visits/{screened_visit.pk}/record/", _record_post())
    assert VisitRecord.objects.get(visit=screened_visit).treated_by == clinician


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"adverse_events": ["other"]}, "notes"),
        ({"adverse_events": ["fainted_twice"]}, "adverse_events"),
        ({"treated_by": "999999"}, "treated_by"),
    ],
)
def test_bad_adverse_event_or_clinician_input_is_explained(clinician, as_user, screened_visit, changes, field):
    response = as_user(clinician).post(f"/staff/visits/{screened_visit.pk}/record/", _record_post(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not VisitRecord.objects.exists()


def test_reception_cannot_be_named_as_the_treating_clinician(clinician, reception, as_user, screened_visit):
    response = as_user(clinician).post(
        f"/staff/visits/{screened_visit.pk}/record/", _record_post(treated_by=reception.pk)
    )
    assert "treated_by" in response.context["form"].errors


def test_the_aftercare_puts_what_happened_at_the_visit_first(clinician, as_user, screened_visit, sign):
    from intake.visits.services import record_visit

    sign(screened_visit)
    record_visit(
        visit=screened_visit,
        treated_at=timezone.now(),
        regions=["knee"],
        adverse_events=[AdverseEvent.FELT_FAINT],
        by=clinician,
    )
    from django.test import Client

    from tests.helpers import open_patient_session

    link, token = _link(screened_visit)
    patient = Client()
    open_patient_session(patient, token, link)
    body = patient.get("/patient/aftercare/").content.decode()
    assert 'data-event="felt_faint"' in body and 'data-event="bleeding"' not in body


def _link(visit):
    from intake.links.tokens import new_token

    token = new_token()
    return AccessLinkFactory(visit=visit, token=token), token


def test_recording_offers_the_patients_pain_regions_as_a_start(clinician, as_user, screened_visit):
    screening = screened_visit.screening
    screening.answers = {**screening.answers, "pain_regions": ["neck", "knee"]}
    screening.save()

    form = as_user(clinician).get(f"/staff/visits/{screened_visit.pk}/record/").context["form"]

    assert form.initial["regions"] == ["neck", "knee"]
    assert form.initial["treated_by"] == clinician


def test_the_before_needling_card_shows_antiplatelets_lung_regions_and_the_emergency_contact(
    clinician, as_user, screened_visit
):
    patient = screened_visit.patient
    patient.emergency_contact_name, patient.emergency_contact_phone = "Rosa Diaz", "555-0142"
    patient.save()
    screening = screened_visit.screening
    screening.answers = {
        **screening.answers,
        "blood_thinner": "yes",
        "blood_thinner_which": ["antiplatelet"],  # raises no flag, still shown
        "fainting": "yes",
        "pain_regions": ["upper_back", "knee"],
        "pacemaker": "yes",
        "pregnant": "no",
        "metal_allergy": "yes",
    }
    screening.save()

    for url in (f"/staff/visits/{screened_visit.pk}/review/", f"/staff/visits/{screened_visit.pk}/record/"):
        response = as_user(clinician).get(url)
        card = {row["key"]: row for row in response.context["before_needling"]["rows"]}
        assert card["blood_thinner"]["alert"] and "aspirin or clopidogrel" in card["blood_thinner"]["value"]
        assert card["fainting"]["alert"] and card["fainting"]["plan"]  # the comfort plan beside it
        assert [r["key"] for r in card["pain_regions"]["regions"] if r["lung"]] == ["upper_back"]
        assert card["implants"]["alert"] and card["allergies"]["alert"]
        assert card["emergency_contact"]["value"] == "Rosa Diaz · 555-0142"
        body = response.content.decode()
        assert body.index("Before needling") < body.index("Regions treated" if "record" in url else "Flags")
        assert "region-lung" in body


def test_needs_discussion_stays_in_the_queue_and_on_the_board_until_resolved(
    clinician, reception, as_user, screened_visit, sign
):
    sign(screened_visit)
    client = as_user(clinician)
    client.post(
        f"/staff/visits/{screened_visit.pk}/review/",
        {"outcome": ReviewOutcome.NEEDS_DISCUSSION, "note": "Ask about the warfarin dose"},
    )

    queue = client.get("/staff/review/")
    assert screened_visit.screening in queue.context["screenings"]
    body = queue.content.decode()
    assert "Call the patient" in body and "needsdiscussion" not in body and "needs_discussion" not in body
    board = as_user(reception).get("/staff/", {"q": screened_visit.patient.last_name}).content.decode()
    assert "Call the patient" in board
    review_page = client.get(f"/staff/visits/{screened_visit.pk}/review/").content.decode()
    assert "Needs discussion: call the patient" in review_page and "needsdiscussion" not in review_page

    client.post(f"/staff/visits/{screened_visit.pk}/review/", {"outcome": ReviewOutcome.REVIEWED})

    assert screened_visit.screening not in client.get("/staff/review/").context["screenings"]
    assert (
        "Call the patient"
        not in as_user(reception).get("/staff/", {"q": screened_visit.patient.last_name}).content.decode()
    )


def test_the_queue_says_which_flags(clinician, as_user, screened_visit):
    body = as_user(clinician).get("/staff/review/").content.decode()
    assert "Takes a blood thinner" in body


def test_the_consent_page_shows_the_flags_beside_the_pdf(clinician, as_user, screened_visit, sign):
    record = sign(screened_visit)
    body = as_user(clinician).get(f"/staff/consent/{record.pk}/").content.decode()
    assert body.index("Screening flags") < body.index("<iframe")
    assert "Takes a blood thinner" in body


def test_pdf_downloads_are_named_by_clinic_kind_and_date(clinician, as_user, screened_visit, sign):
    record = sign(screened_visit)
    response = as_user(clinician).get(f"/staff/consent/{record.pk}/pdf/", {"download": "1"})
    day = timezone.localdate(record.signed_at)
    assert f'filename="riverside-physiotherapy-consent-{day:%Y-%m-%d}.pdf"' in response["Content-Disposition"]


# --- reception ----------------------------------------------------------------------------------


def _board_names(response):
    return sorted(visit.patient.first_name for visit in response.context["visits"])


def test_one_click_today_tomorrow_this_week_and_not_ready(reception, as_user, time_machine):
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 12, 9, 8, 0)), tick=False)  # a Wednesday
    now = timezone.now()
    VisitFactory(patient=PatientFactory(first_name="Today"), scheduled_at=now + timedelta(hours=2))
    VisitFactory(patient=PatientFactory(first_name="Tomorrow"), scheduled_at=now + timedelta(days=1))
    VisitFactory(patient=PatientFactory(first_name="Signed"), scheduled_at=now + timedelta(days=1), signed_at=now)
    VisitFactory(patient=PatientFactory(first_name="Sunday"), scheduled_at=now + timedelta(days=4))
    VisitFactory(patient=PatientFactory(first_name="NextWeek"), scheduled_at=now + timedelta(days=6))
    client = as_user(reception)

    assert _board_names(client.get("/staff/", {"when": "today"})) == ["Today"]
    assert _board_names(client.get("/staff/", {"when": "tomorrow"})) == ["Signed", "Tomorrow"]
    assert _board_names(client.get("/staff/", {"when": "week"})) == ["Signed", "Sunday", "Today", "Tomorrow"]
    assert _board_names(client.get("/staff/", {"when": "tomorrow", "not_ready": "on"})) == ["Tomorrow"]
    everything = sorted(["NextWeek", "Signed", "Sunday", "Today", "Tomorrow"])
    assert _board_names(client.get("/staff/", {"when": "yesterday"})) == everything  # ignored, not a 500


def test_the_board_row_has_the_phone_not_screened_yet_and_a_locked_link_to_unlock(reception, as_user):
    unscreened = VisitFactory(patient=PatientFactory(first_name="Fresh", phone="555-0123"))
    cleared = VisitFactory(patient=PatientFactory(first_name="Cleared"), ready_to_sign=True)
    locked = AccessLinkFactory(visit=unscreened, locked_at=timezone.now(), failed_dob_attempts=5)
    client = as_user(reception)

    response = client.get("/staff/", {"when": "tomorrow"})
    body = response.content.decode()
    assert "555-0123" in body
    rows = {v.patient.first_name: v for v in response.context["visits"]}
    assert rows["Fresh"].locked_link_id == locked.pk and rows["Cleared"].locked_link_id is None
    assert body.count("Not screened yet") == 1 and "No flags" in body
    assert f"/staff/links/{locked.pk}/unlock/" in body

    after = client.post(f"/staff/links/{locked.pk}/unlock/", {"back": "board"})

    assert after.status_code == 302 and after["Location"] == "/staff/"
    locked.refresh_from_db()
    assert locked.locked_at is None
    assert cleared.flag_level == FlagLevel.NONE


def test_a_bad_date_in_a_staff_form_is_explained_in_the_clinics_order(reception, as_user, settings):
    settings.CLINIC_DATE_ORDER = "MDY"
    from intake.models import Patient

    patient = PatientFactory()
    response = as_user(reception).post(
        f"/staff/patients/{patient.pk}/edit/",
        {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": "14/02/1965",
            "preferred_language": "en",
            "revision": patient.revision,
        },
    )
    assert response.status_code == 200
    assert "Enter the date as MM/DD/YYYY or YYYY-MM-DD." in response.content.decode()
    assert Patient.objects.get(pk=patient.pk).date_of_birth == patient.date_of_birth
    edit = as_user(reception).get(f"/staff/patients/{patient.pk}/edit/").content.decode()
    assert 'value="03/14/1985"' in edit  # shown in the clinic's order


def test_the_date_order_follows_the_clinics_locale(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    for locale, order in (("en-US", "MDY"), ("en-GB", "DMY"), ("es-ES", "DMY"), ("ja-JP", "YMD")):
        monkeypatch.setenv("CLINIC_LOCALE", locale)
        monkeypatch.delenv("CLINIC_DATE_ORDER", raising=False)
        assert order == importlib.reload(portal_settings).CLINIC_DATE_ORDER
    monkeypatch.setenv("CLINIC_DATE_ORDER", "DYM")
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        importlib.reload(portal_settings)
    monkeypatch.delenv("CLINIC_DATE_ORDER")
    monkeypatch.delenv("CLINIC_LOCALE")
    importlib.reload(portal_settings)


def test_screening_review_of_an_unscreened_visit_is_not_a_500(clinician, as_user):
    visit = VisitFactory()
    response = as_user(clinician).get(f"/staff/visits/{visit.pk}/review/")
    assert response.status_code == 200
    assert response.context["before_needling"]["screened"] is False
    assert "Not screened yet" in response.content.decode()
    assert not ScreeningResponse.objects.exists()


@pytest.mark.parametrize("url", ["/staff/audit/", "/staff/patients/00000000-0000-0000-0000-000000000000/"])
def test_staff_error_pages_lead_back_to_the_board(reception, as_user, url):
    response = as_user(reception).get(url)
    assert response.status_code in (403, 404)
    body = response.content.decode()
    assert 'href="/staff/"' in body and "Back to the board" in body and "Log out" in body


def test_a_patient_error_page_has_no_staff_navigation(client):
    body = client.get("/staff/patients/nope/").content.decode()
    assert "Back to the board" not in body


def test_every_page_names_a_favicon_and_favicon_ico_is_not_a_404(client):
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.svg")


# --- kiosk hand-back with a PIN -------------------------------------------------------------------


def _kiosk_with_pin(reception, pin="2468"):
    from django.test import Client

    tablet = Client()
    tablet.force_login(reception)
    visit = VisitFactory()
    tablet.post(f"/staff/visits/{visit.pk}/kiosk/", {"pin": pin})
    tablet.post("/staff/kiosk/finish/")
    return tablet, visit


def test_the_staff_member_returns_with_their_pin_to_the_patients_record(reception):
    tablet, visit = _kiosk_with_pin(reception)
    assert 'name="pin"' in tablet.get("/staff/kiosk/locked/").content.decode()

    tablet.post("/staff/kiosk/return/", {"pin": "1111"})
    response = tablet.post("/staff/kiosk/return/", {"pin": "2468"})

    assert response.status_code == 302 and response["Location"] == f"/staff/patients/{visit.patient_id}/"
    assert tablet.get(response["Location"]).status_code == 200
    assert AuditEvent.objects.filter(action="kiosk.pin_returned", actor=reception).exists()
    assert AuditEvent.objects.filter(action="kiosk.pin_failed", actor=reception).count() == 1


def test_three_wrong_pins_end_it_and_the_full_login_is_needed(reception):
    tablet, visit = _kiosk_with_pin(reception)
    for _ in range(3):
        tablet.post("/staff/kiosk/return/", {"pin": "0000"})

    assert 'name="pin"' not in tablet.get("/staff/kiosk/locked/").content.decode()
    response = tablet.post("/staff/kiosk/return/", {"pin": "2468"})
    assert response["Location"] == "/staff/kiosk/locked/"
    assert tablet.get("/staff/").status_code == 302  # to the login page


def test_the_pin_works_only_a_few_minutes_after_the_hand_back(reception, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    tablet, visit = _kiosk_with_pin(reception)
    time_machine.shift(timedelta(minutes=6))
    response = tablet.post("/staff/kiosk/return/", {"pin": "2468"})
    assert response["Location"] == "/staff/kiosk/locked/"
    assert tablet.get("/staff/").status_code == 302


def test_without_a_pin_or_before_the_hand_back_there_is_no_pin_return(reception):
    from django.test import Client

    tablet, _visit = _kiosk_with_pin(reception, pin="")
    assert 'name="pin"' not in tablet.get("/staff/kiosk/locked/").content.decode()
    # During the patient's turn the PIN cannot be tried (the clock starts at the hand-back).
    during = Client()
    during.force_login(reception)
    visit = VisitFactory()
    during.post(f"/staff/visits/{visit.pk}/kiosk/", {"pin": "2468"})
    assert during.post("/staff/kiosk/return/", {"pin": "2468"})["Location"] == "/staff/kiosk/locked/"


@pytest.mark.parametrize("pin", ["12", "abcd", "1234567", "12 34"])
def test_a_bad_pin_does_not_start_the_kiosk(reception, as_user, pin):
    client = as_user(reception)
    visit = VisitFactory()
    response = client.post(f"/staff/visits/{visit.pk}/kiosk/", {"pin": pin}, follow=True)
    assert "must be 4 to 6 digits" in response.content.decode()
    assert client.get("/staff/").status_code == 200  # still logged in: nothing was handed over


@pytest.mark.parametrize("typed", ["9999-12-31", "1850-01-01"])
def test_an_edit_cannot_set_a_date_of_birth_in_the_future_or_before_1900(reception, as_user, typed):
    patient = PatientFactory()
    response = as_user(reception).post(
        f"/staff/patients/{patient.pk}/edit/",
        {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": typed,
            "preferred_language": "en",
            "revision": patient.revision,
        },
    )
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.date_of_birth.year == 1985
