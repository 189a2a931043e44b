from datetime import timedelta

import pytest
from django.utils import timezone

from intake.models import FlagLevel, ScreeningResponse, VisitRecord
from portal.models import AuditEvent
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def _ready(clinician, **fields):
    return VisitFactory(
        clinician=clinician,
        ready_to_sign=True,
        **fields,
    )


def test_the_queue_puts_urgent_check_ins_first_then_stop_flags_then_review_flags(clinician, as_user, sign):
    plain = _ready(clinician)
    review = _ready(clinician, flag_level=FlagLevel.REVIEW)
    stop = _ready(clinician, flag_level=FlagLevel.STOP)
    for visit in (plain, review, stop):
        sign(visit)
    urgent = VisitFactory(urgent_since=timezone.now() - timedelta(hours=1))

    response = as_user(clinician).get("/staff/review/")

    assert response.status_code == 200
    assert response.context["urgent_visits"] == [urgent]
    assert [record.visit for record in response.context["consents"]] == [stop, review, plain]
    body = response.content.decode()
    assert body.index("Urgent check-ins") < body.index("Signed consents awaiting")


def test_confirmed_or_withdrawn_consents_leave_the_queue(clinician, as_user, sign):
    from consent import services as consent_services

    confirmed = sign(_ready(clinician))
    withdrawn = sign(_ready(clinician))
    waiting = sign(_ready(clinician))
    consent_services.confirm_consent(record=confirmed, clinician=clinician)
    consent_services.withdraw_consent(record=withdrawn, reason="changed mind", by=clinician)

    assert as_user(clinician).get("/staff/review/").context["consents"] == [waiting]


@pytest.mark.parametrize("rows", [5, 50])
def test_the_queue_runs_the_same_number_of_queries_for_5_and_50_rows(
    clinician, as_user, django_assert_num_queries, rows, consent_version
):
    from consent.models import ConsentRecord

    for index in range(rows):
        visit = _ready(clinician, flag_level=index % 4)
        ScreeningResponse.objects.create(visit=visit, questionnaire_version="2026.1", submitted_at=timezone.now())
        ConsentRecord.objects.create(
            visit=visit,
            consent_version=consent_version,
            language="en",
            text_sha256="0" * 64,
            signer_name="x",
            signature_method="typed",
            signed_at=timezone.now(),
            signed_time_zone="UTC",
            pdf="consents/x.pdf",
            pdf_sha256=f"{index:064d}",
        )
        VisitFactory(urgent_since=timezone.now())
        screened = _ready(clinician)
        ScreeningResponse.objects.create(visit=screened, questionnaire_version="2026.1", submitted_at=timezone.now())
    client = as_user(clinician)
    client.get("/staff/review/")

    # session, user, groups, urgent visits, their open alerts, consents awaiting review, unsigned
    # screenings, audit insert
    with django_assert_num_queries(8):
        response = client.get("/staff/review/")
    assert len(response.context["consents"]) == rows


def test_the_review_page_shows_flags_rules_comfort_and_understanding(clinician, as_user, screened_visit, sign):
    from intake.models import UnderstandingResult

    UnderstandingResult.objects.create(
        visit=screened_visit, check_version="1", first_try={"injected": False, "soreness": True}, attempts=2
    )
    sign(screened_visit)

    response = as_user(clinician).get(f"/staff/visits/{screened_visit.pk}/review/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Takes a blood thinner" in body and "Anticoagulants raise the bleeding risk" in body
    assert "Wrong at the first try: injected" in body
    assert "Comfort preferences" in body and ("lie_down" in body or "Lie down" in body or "lie down" in body)
    assert "Open the PDF and confirm" in body
    assert AuditEvent.objects.filter(action="screening.viewed", patient=screened_visit.patient).exists()


def test_a_clinician_marks_needs_discussion_with_a_note(clinician, as_user, screened_visit):
    client = as_user(clinician)
    missing_note = client.post(f"/staff/visits/{screened_visit.pk}/review/", {"outcome": "needs_discussion"})
    assert missing_note.status_code == 200
    assert "Say what needs discussing" in missing_note.content.decode()

    saved = client.post(
        f"/staff/visits/{screened_visit.pk}/review/", {"outcome": "needs_discussion", "note": "Ask about warfarin dose"}
    )

    assert saved.status_code == 302
    screening = ScreeningResponse.objects.get(visit=screened_visit)
    assert screening.review_outcome == "needs_discussion" and screening.reviewed_by == clinician
    assert screening.review_note == "Ask about warfarin dose"
    event = AuditEvent.objects.get(action="screening.reviewed")
    assert "warfarin" not in str(event.details)


def test_reception_cannot_review_or_record_a_visit(reception, as_user, screened_visit):
    client = as_user(reception)
    assert client.get("/staff/review/").status_code == 403
    assert client.post(f"/staff/visits/{screened_visit.pk}/review/", {"outcome": "reviewed"}).status_code == 403
    assert client.post(f"/staff/visits/{screened_visit.pk}/record/", {"regions": ["neck"]}).status_code == 403
    assert ScreeningResponse.objects.get(visit=screened_visit).reviewed_at is None
    assert not VisitRecord.objects.exists()


def test_recording_the_visit_derives_the_chest_risk_and_opens_aftercare(clinician, as_user, consented_visit):
    when = timezone.localtime() - timedelta(minutes=30)
    response = as_user(clinician).post(
        f"/staff/visits/{consented_visit.pk}/record/",
        {"treated_at": when.strftime("%Y-%m-%dT%H:%M"), "regions": ["upper_back", "knee"], "notes": "Felt faint"},
    )

    assert response.status_code == 302
    record = VisitRecord.objects.get(visit=consented_visit)
    assert record.chest_risk_area is True and record.regions == ["upper_back", "knee"]
    assert record.notes == "Felt faint" and record.recorded_by == clinician
    consented_visit.refresh_from_db()
    assert consented_visit.visited_at is not None and consented_visit.progress in ("visited", "checked_in")
    # A second submission does not create a second record.
    again = as_user(clinician).post(
        f"/staff/visits/{consented_visit.pk}/record/",
        {"treated_at": when.strftime("%Y-%m-%dT%H:%M"), "regions": ["knee"]},
    )
    assert again.status_code in (200, 302)
    assert VisitRecord.objects.count() == 1


def test_a_lower_limb_session_is_not_a_chest_risk(clinician, as_user, consented_visit):
    when = timezone.localtime() - timedelta(minutes=5)
    as_user(clinician).post(
        f"/staff/visits/{consented_visit.pk}/record/",
        {"treated_at": when.strftime("%Y-%m-%dT%H:%M"), "regions": ["calf_shin"]},
    )
    assert VisitRecord.objects.get().chest_risk_area is False


def test_the_visit_record_form_explains_bad_input(clinician, as_user, screened_visit):
    future = timezone.localtime() + timedelta(days=1)
    response = as_user(clinician).post(
        f"/staff/visits/{screened_visit.pk}/record/",
        {"treated_at": future.strftime("%Y-%m-%dT%H:%M"), "regions": ["not_a_region"]},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"treated_at", "regions"}
    assert not VisitRecord.objects.exists()


def test_a_clinician_marks_an_urgent_check_in_as_dealt_with(clinician, as_user):
    from intake.models import CheckIn

    visit = VisitFactory(urgent_since=timezone.now(), visited_at=timezone.now() - timedelta(days=1))
    CheckIn.objects.create(visit=visit, window="24h", soreness=8, trend="worse", red_flags=["breathless"], urgent=True)
    client = as_user(clinician)
    page = client.get(f"/staff/visits/{visit.pk}/review/").content.decode()
    assert "mark as dealt with" in page

    response = client.post(f"/staff/visits/{visit.pk}/urgent/acknowledge/")

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.urgent_since is None
    assert CheckIn.objects.get(visit=visit).acknowledged_by == clinician
    assert client.get("/staff/review/").context["urgent_visits"] == []
