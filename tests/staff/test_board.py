from datetime import date, timedelta

import pytest
from django.utils import timezone

from intake.models import FlagLevel, Progress
from portal.roles import Role
from tests.factories import PatientFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _names(response):
    return [visit.patient.full_name for visit in response.context["visits"]]


def test_the_board_lists_todays_visits_before_later_ones(reception, as_user):
    later = VisitFactory(scheduled_at=timezone.now() + timedelta(days=3), patient__first_name="Later")
    today = VisitFactory(scheduled_at=timezone.now() + timedelta(minutes=5), patient__first_name="Today")
    VisitFactory(scheduled_at=timezone.now() - timedelta(days=2), patient__first_name="Past")

    response = as_user(reception).get("/staff/")

    assert response.status_code == 200
    assert _names(response) == [today.patient.full_name, later.patient.full_name]
    assert b"Today</strong>" in response.content


def test_search_finds_zoe_typed_without_the_accent(reception, as_user):
    VisitFactory(patient=PatientFactory(first_name="Zoë", last_name="Ölander"))
    VisitFactory(patient=PatientFactory(first_name="Zack", last_name="Other"))

    response = as_user(reception).get("/staff/", {"q": "zoe"})

    assert _names(response) == ["Zoë Ölander"]
    assert "Zoë Ölander" in response.content.decode()


def test_search_matches_part_of_a_last_name_and_both_words(reception, as_user):
    VisitFactory(patient=PatientFactory(first_name="Mei", last_name="Chen"))
    VisitFactory(patient=PatientFactory(first_name="Meinhard", last_name="Braun"))
    client = as_user(reception)

    assert _names(client.get("/staff/", {"q": "olande"})) == []
    assert sorted(_names(client.get("/staff/", {"q": "mei"}))) == ["Mei Chen", "Meinhard Braun"]
    assert _names(client.get("/staff/", {"q": "mei che"})) == ["Mei Chen"]


@pytest.mark.parametrize(
    ("order", "typed"),
    [("MDY", "1979-11-03"), ("MDY", "11/03/1979"), ("DMY", "03/11/1979"), ("DMY", "1979-11-03"), ("YMD", "1979/11/03")],
)
def test_search_reads_a_date_of_birth_in_the_clinics_order_or_iso(reception, as_user, settings, order, typed):
    settings.CLINIC_DATE_ORDER = order
    VisitFactory(patient=PatientFactory(first_name="Born", date_of_birth=date(1979, 11, 3)))
    VisitFactory(patient=PatientFactory(first_name="Other", date_of_birth=date(1979, 3, 11)))

    assert _names(as_user(reception).get("/staff/", {"q": typed})) == ["Born Example"]


def test_a_us_date_of_birth_is_found_at_a_us_clinic_and_never_read_the_other_way(reception, as_user, settings):
    settings.CLINIC_DATE_ORDER = "MDY"
    VisitFactory(patient=PatientFactory(first_name="Valentine", date_of_birth=date(1965, 2, 14)))
    VisitFactory(patient=PatientFactory(first_name="March", date_of_birth=date(1965, 3, 2)))
    VisitFactory(patient=PatientFactory(first_name="February", date_of_birth=date(1965, 2, 3)))
    client = as_user(reception)

    assert _names(client.get("/staff/", {"q": "02/14/1965"})) == ["Valentine Example"]
    assert _names(client.get("/staff/", {"q": "02/03/1965"})) == ["February Example"]  # never 2 March
    settings.CLINIC_DATE_ORDER = "DMY"
    assert _names(client.get("/staff/", {"q": "02/14/1965"})) == []  # month 14: not guessed as MDY
    page = client.get("/staff/").content.decode()
    assert "DD/MM/YYYY or YYYY-MM-DD" in page


def test_search_finds_an_email_and_a_phone_by_its_digits(reception, as_user):
    VisitFactory(patient=PatientFactory(first_name="Mail", email="Mail.Person@Example.com", phone="(555) 123-4567"))
    VisitFactory(patient=PatientFactory(first_name="Nomail", email="x@example.com", phone="555 999 0000"))
    client = as_user(reception)

    assert _names(client.get("/staff/", {"q": "Mail.Person@Example.com"})) == ["Mail Example"]
    assert _names(client.get("/staff/", {"q": "555-123"})) == ["Mail Example"]
    assert _names(client.get("/staff/", {"q": "4567"})) == ["Mail Example"]


def test_search_includes_past_visits_after_upcoming_ones(reception, as_user):
    patient = PatientFactory(first_name="Returning")
    older = VisitFactory(patient=patient, scheduled_at=timezone.now() - timedelta(days=60))
    past = VisitFactory(patient=patient, scheduled_at=timezone.now() - timedelta(days=30))
    later = VisitFactory(patient=patient, scheduled_at=timezone.now() + timedelta(days=9))
    upcoming = VisitFactory(patient=patient, scheduled_at=timezone.now() + timedelta(days=2))

    visits = as_user(reception).get("/staff/", {"q": "returning"}).context["visits"]

    assert visits == [upcoming, later, past, older]


def test_filters_narrow_by_clinician_progress_flag_and_dates(reception, as_user):
    doctor = UserFactory(username="dr-who", role=Role.CLINICIAN)
    soon = timezone.now() + timedelta(days=1)
    match = VisitFactory(clinician=doctor, scheduled_at=soon, flag_level=FlagLevel.STOP, opened_at=timezone.now())
    VisitFactory(clinician=doctor, scheduled_at=soon, flag_level=FlagLevel.PLAN, opened_at=timezone.now())
    VisitFactory(scheduled_at=soon, flag_level=FlagLevel.STOP, opened_at=timezone.now())
    VisitFactory(clinician=doctor, scheduled_at=soon + timedelta(days=10), flag_level=FlagLevel.STOP)
    client = as_user(reception)

    params = {"clinician": doctor.pk, "progress": Progress.OPENED, "flag": FlagLevel.STOP}
    assert client.get("/staff/", params).context["visits"] == [match]
    until = (soon + timedelta(days=2)).date().isoformat()
    in_range = client.get("/staff/", {"clinician": doctor.pk, "date_to": until}).context["visits"]
    assert len(in_range) == 2
    assert len(client.get("/staff/", {"flag": "any", "clinician": doctor.pk}).context["visits"]) == 3


def test_a_bad_filter_value_is_ignored_and_named_rather_than_crashing(reception, as_user):
    VisitFactory()
    response = as_user(reception).get("/staff/", {"date_from": "not-a-date", "flag": "9", "clinician": "nope"})
    assert response.status_code == 200
    assert len(response.context["visits"]) == 1
    body = response.content.decode()
    errors = body[body.index('id="board-filter-errors"') :]
    assert "Not applied" in errors
    assert all(f"<li>{label}:" in errors for label in ("From", "Clinician", "Flag"))
    assert 'name="date_from" id="id_date_from" value="not-a-date"' in body
    assert 'aria-invalid="true" aria-describedby="board-filter-errors"' in body


def test_a_search_too_long_to_apply_says_so(reception, as_user):
    VisitFactory()
    body = as_user(reception).get("/staff/", {"q": "chen" + "x" * 200}).content.decode()
    assert "<li>Search:" in body
    assert "matching the search" not in body


def test_good_filters_show_no_warning(reception, as_user):
    VisitFactory()
    assert "board-filter-errors" not in as_user(reception).get("/staff/", {"q": "Example"}).content.decode()


def test_urgent_visits_show_with_a_word_not_only_colour(reception, as_user):
    VisitFactory(urgent_since=timezone.now(), patient__first_name="Alarm")
    body = as_user(reception).get("/staff/").content.decode()
    assert "Urgent" in body
    assert "Alarm Example" in body


def test_the_board_pages_without_counting_every_row(reception, as_user):
    start = timezone.now() + timedelta(hours=1)
    for index in range(30):
        VisitFactory(scheduled_at=start + timedelta(minutes=index))
    client = as_user(reception)

    first = client.get("/staff/")
    second = client.get("/staff/", {"page": 2})

    assert len(first.context["visits"]) == 25 and first.context["has_next"]
    assert len(second.context["visits"]) == 5 and not second.context["has_next"]
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("rows", [5, 50])
def test_the_board_runs_the_same_number_of_queries_for_5_and_50_rows(
    reception, as_user, django_assert_num_queries, rows
):
    doctor = UserFactory(username="dr-count", role=Role.CLINICIAN)
    for index in range(rows):
        VisitFactory(clinician=doctor, scheduled_at=timezone.now() + timedelta(hours=1, minutes=index))
    VisitFactory(urgent_since=timezone.now(), clinician=doctor)
    client = as_user(reception)
    client.get("/staff/")  # warm the session

    # session, user, role groups, clinicians for the filter, visits page, urgent visits, their open
    # alerts, messages that gave up, audit insert
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get("/staff/", {"q": "pat"})
    assert response.status_code == 200


BOARD_QUERIES = 9


def test_the_board_view_is_audited_without_personal_data(reception, as_user):
    from portal.models import AuditEvent

    as_user(reception).get("/staff/", {"q": "zoe"})
    event = AuditEvent.objects.get(action="board.viewed")
    assert event.actor == reception
    assert "zoe" not in str(event.details)


def test_the_appointment_column_names_today_and_tomorrow_in_the_clinics_time_zone(settings):
    """Just after midnight in Madrid it is still the previous day in UTC: the clinic's day decides."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone as tz

    from intake.templatetags.staff_tags import appointment_when

    settings.TIME_ZONE = "Europe/Madrid"
    madrid = ZoneInfo("Europe/Madrid")
    today, tomorrow = date(2026, 12, 7), date(2026, 12, 8)
    with tz.override(madrid):
        just_after_midnight = datetime(2026, 12, 6, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 7th in Madrid
        assert appointment_when(just_after_midnight, today, tomorrow) == "<strong>Today</strong> 00:30"
        assert appointment_when(datetime(2026, 12, 8, 14, 0, tzinfo=madrid), today, tomorrow) == (
            "<strong>Tomorrow</strong> 14:00"
        )
        assert (
            appointment_when(datetime(2026, 12, 9, 11, 15, tzinfo=madrid), today, tomorrow) == "Wed 9 Dec 2026, 11:15"
        )
