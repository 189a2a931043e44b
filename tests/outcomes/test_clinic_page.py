"""The clinic's outcomes page: figures aggregated in the database, a constant number of queries,
every table as CSV, bad filters answered calmly."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from intake.courses.services import discharge_course
from intake.models import CheckIn, UnderstandingResult, Visit
from intake.outcomes import stats
from portal.models import AuditEvent
from portal.roles import Role
from tests.factories import UserFactory, VisitFactory
from tests.outcomes.conftest import COURSE, START, make_course

NOW = START + timedelta(days=30)
QUERY = "?date_from=2026-03-01&date_to=2026-03-31"


def _scope(**kwargs):
    return stats.Scope(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), **kwargs)


def _rows(table):
    return {row[0]: row[1:] for row in table.rows}


def test_change_counts_patients_reaching_the_important_difference(db):
    make_course()  # pain 7 -> 4 (3 points better), activities 3 -> 6
    worse = [dict(s, pain=(3, 5, 1)) for s in COURSE[:1]] + [dict(s, pain=(4, 6, 2)) for s in COURSE[1:]]
    make_course(sessions=worse)  # pain 3 -> 4: no important change
    rows = _rows(stats.change(_scope()))
    assert rows["Pain now (NPRS)"] == [2, 1.0, 1, 50.0, 0]  # mean of +3 and -1
    assert rows["Activities (PSFS)"][:3] == [2, 3.0, 2]


def test_the_soreness_curve_has_median_and_quartiles_by_hour(db):
    make_course()
    rows = _rows(stats.soreness_curve(_scope()))
    assert rows[0] == [2, 2.25, 2.5, 2.75]  # right after: 3 and 2
    assert rows[24] == [3, 3.5, 4.0, 4.5]  # 5, 4, 3
    assert rows[72] == [2, 1.25, 1.5, 1.75]


def test_adverse_events_per_100_sessions_sit_beside_the_published_rates(db):
    _patient, visits = make_course()
    CheckIn.objects.filter(visit=visits[0], window="24h").update(red_flags=["bruise"], urgent=True)
    rows = _rows(stats.adverse_events(_scope()))
    assert rows["Sessions"][0] == 3
    assert rows["Large or painful bruise"] == [1, 33.3]
    assert rows["Any warning sign or soreness not easing"] == [1, 33.3]
    assert rows["Published: Brady 2014, mild events (7,629 treatments)"][1] == 19.18
    assert rows["Published: Boyce 2020, minor events (20,464 sessions)"][1] == 36.7


def test_the_funnel_counts_each_step_with_its_median_time(db):
    for hours in (1, 3, 5):
        VisitFactory(
            scheduled_at=START,
            opened_at=START - timedelta(days=2),
            screening_done_at=START - timedelta(days=2) + timedelta(hours=hours),
        )
    VisitFactory(scheduled_at=START)
    rows = _rows(stats.funnel(_scope()))
    assert rows["Invited"][:2] == [4, 100.0]
    assert rows["Opened the link"][:2] == [3, 75.0]
    assert rows["Screening done"] == [3, 75.0, 3.0]
    assert rows["Consent signed"][0] == 0


def test_understanding_questions_are_listed_most_often_wrong_first(db):
    for wrong in (["soreness"], ["soreness", "injected"], []):
        visit = VisitFactory(scheduled_at=START)
        UnderstandingResult.objects.create(
            visit=visit, check_version="1", first_try={key: key not in wrong for key in ("soreness", "injected")}
        )
    table = stats.understanding(_scope())
    assert table.rows[0][1:] == [2, 66.7]
    assert "soreness" in table.rows[0][0]
    assert table.rows[1][1] == 1


def test_courses_started_and_discharged_count_courses_of_care(db, clinician):
    patient, visits = make_course()
    with time_machine.travel(START + timedelta(days=15), tick=False):
        discharge_course(course=visits[0].course, reason="Goals met", by=clinician)
    # A second course for the same patient, its first session in range too, still active.
    make_course(patient=patient, sessions=COURSE[:1], start=START + timedelta(days=20))
    # A course whose first session was before the range counts only its sessions in range.
    earlier, _ = make_course(start=START - timedelta(days=7))
    rows = _rows(stats.courses(_scope()))
    assert rows["Courses started (first session in range)"] == [2]
    assert rows["Courses discharged"] == [1]
    assert rows["Sessions"] == [3 + 1 + 2]
    assert _rows(stats.courses(_scope(clinician=clinician)))["Courses discharged"] == [0]


def test_per_clinician_only_counts_that_clinicians_patients(db, clinician):
    make_course(clinician=clinician)
    make_course()
    assert _rows(stats.courses(_scope(clinician=clinician)))["Sessions"] == [3]
    assert _rows(stats.courses(_scope()))["Sessions"] == [6]


def _page_queries(client):
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        response = client.get("/staff/outcomes/" + QUERY)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_asks_the_database_the_same_number_of_times_for_2_or_8_patients(client, clinician):
    client.force_login(clinician)
    for _ in range(2):
        make_course()
    few = _page_queries(client)
    for _ in range(6):
        make_course()
    assert _page_queries(client) == few


def test_the_page_shows_each_chart_with_its_table_and_csv_link_and_is_audited(client, clinic_admin, db):
    make_course()
    client.force_login(clinic_admin)
    with time_machine.travel(NOW, tick=False):
        html = client.get("/staff/outcomes/" + QUERY).content.decode()
    for key in ("courses", "change", "soreness", "adverse", "funnel", "understanding"):
        assert f"/staff/outcomes/{key}.csv?" in html
    for chart in ("clinic-soreness", "clinic-funnel", "clinic-adverse"):
        assert f'id="{chart}"' in html
    event = AuditEvent.objects.get(action="outcomes.viewed")
    assert event.details == {"days": 31, "per_clinician": False}


def test_each_table_downloads_as_csv(client, clinician, db):
    make_course()
    client.force_login(clinician)
    response = client.get("/staff/outcomes/change.csv" + QUERY)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Measure"
    assert rows[1][:3] == ["Pain now (NPRS)", "1", "3.0"]
    assert AuditEvent.objects.filter(action="outcomes.exported_csv", details={"table": "change"}).exists()


def test_an_unknown_csv_table_is_404(client, clinician, db):
    client.force_login(clinician)
    assert client.get("/staff/outcomes/patients.csv").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?date_from=2026-03-31&date_to=2026-03-01", "The start date is after the end date."),
        ("?date_from=2020-01-01&date_to=2026-03-01", "Choose a range of three years or less."),
        ("?date_from=not-a-date", "Enter a valid date."),
        ("?clinician=00000000-0000-0000-0000-000000000000", "Select a valid choice."),
    ],
)
def test_bad_filters_get_a_clear_message_and_the_default_range(client, clinician, db, query, message):
    client.force_login(clinician)
    response = client.get("/staff/outcomes/" + query)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_per_clinician_a_course_started_by_whoever_gave_its_first_session(db, clinician):
    other = UserFactory(username="other-clinician", role=Role.CLINICIAN)
    make_course(clinician=clinician)
    _patient, visits = make_course(clinician=clinician)
    Visit.objects.filter(pk=visits[0].pk).update(clinician=other)  # the other clinician gave the first session
    started = "Courses started (first session in range)"
    assert _rows(stats.courses(_scope(clinician=clinician)))[started] == [1]
    assert _rows(stats.courses(_scope(clinician=other)))[started] == [1]
    assert _rows(stats.courses(_scope()))[started] == [2]


def test_a_funnel_median_counts_only_visits_with_both_steps(db):
    for hours in (1, 3, 5):
        opened, screened = START - timedelta(days=2), START - timedelta(hours=hours)
        VisitFactory(scheduled_at=START, opened_at=opened, screening_done_at=screened)
    # Screened without an opened link (answered at the clinic on a kiosk, say): no time from the step before.
    for _ in range(2):
        VisitFactory(scheduled_at=START, screening_done_at=START - timedelta(days=1))
    rows = _rows(stats.funnel(_scope()))
    assert rows["Screening done"][0] == 5
    assert rows["Screening done"][2] == 48 - 3  # the middle of 47, 45 and 43 hours


def test_without_dates_the_page_shows_the_last_90_days_to_today(client, clinician):
    client.force_login(clinician)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/staff/outcomes/")
    scope = response.context["scope"]
    assert (scope.date_from, scope.date_to) == (NOW.date() - timedelta(days=90), NOW.date())
    assert AuditEvent.objects.get(action="outcomes.viewed").details == {"days": 91, "per_clinician": False}


@pytest.fixture
def report_cache():
    cache.clear()
    with override_settings(OUTCOMES_CACHE_SECONDS=300):
        yield
    cache.clear()


def _sessions_shown(client, query=QUERY):
    response = client.get("/staff/outcomes/" + query)
    return _rows(response.context["tables"]["courses"])["Sessions"][0], response.content.decode()


def test_the_page_keeps_its_figures_for_five_minutes_and_says_as_of_when(client, clinician, report_cache):
    make_course()
    client.force_login(clinician)
    with time_machine.travel(NOW, tick=False):
        sessions, html = _sessions_shown(client)
    assert sessions == 3
    assert "Figures as of 15:00; they are counted again after 5 minutes." in html
    make_course()
    with time_machine.travel(NOW + timedelta(minutes=4), tick=False):
        assert _sessions_shown(client)[0] == 3
        # The CSV gives the table the page showed.
        rows = list(csv.reader(io.StringIO(client.get("/staff/outcomes/courses.csv" + QUERY).content.decode())))
        assert rows[-1] == ["Sessions", "3"]
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        sessions, html = _sessions_shown(client)
    assert sessions == 6
    assert "Figures as of 15:06" in html


def test_kept_figures_are_per_date_range_and_clinician(client, clinician, report_cache):
    make_course(clinician=clinician)
    make_course()
    client.force_login(clinician)
    with time_machine.travel(NOW, tick=False):
        assert _sessions_shown(client)[0] == 6
        assert _sessions_shown(client, QUERY + f"&clinician={clinician.pk}")[0] == 3
        assert _sessions_shown(client, "?date_from=2026-03-01&date_to=2026-03-08")[0] == 2


def test_kept_figures_ask_the_database_only_for_the_viewer_and_the_audit(client, clinician, report_cache):
    make_course()
    client.force_login(clinician)
    with time_machine.travel(NOW, tick=False):
        first = _page_queries(client)
        again = _page_queries(client)
    assert again < first
    assert again <= 6
