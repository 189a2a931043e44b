from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from intake.aftercare import advice as aftercare
from intake.aftercare.checkins import CheckInError, submit_checkin
from intake.links.tokens import new_token
from intake.models import CheckIn, Progress
from portal.models import AuditEvent
from tests.aftercare.conftest import record_visit
from tests.factories import AccessLinkFactory, VisitFactory
from tests.helpers import open_patient_session

TREATED = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
NONE = ["none"]


def _open_session(client, visit):
    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=visit, token=token))


def _answers(soreness=3, trend="better", red_flags=NONE):
    return {"soreness": soreness, "trend": trend, "red_flags": red_flags}


@pytest.fixture
def treated_visit(db):
    visit = VisitFactory(scheduled_at=TREATED)
    record_visit(visit, regions=["upper_back"], treated_at=TREATED)
    return visit


# --- Windows, with a frozen clock ------------------------------------------------------------


def test_just_before_the_24h_window_opens_the_patient_is_told_when_and_nothing_is_stored(client, treated_visit):
    with time_machine.travel(TREATED + timedelta(hours=12) - timedelta(seconds=1), tick=False):
        _open_session(client, treated_visit)
        page = client.get("/patient/aftercare/check-in/24h/").content.decode()
        assert "This check-in is not open yet" in page
        assert "Monday 2 March, 15:30" not in page and "Tuesday 3 March, 03:30" in page
        response = client.post("/patient/aftercare/check-in/24h/", _answers())
        assert "This check-in is not open yet" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_just_after_the_24h_window_opens_a_check_in_is_on_time(client, treated_visit):
    with time_machine.travel(TREATED + timedelta(hours=12), tick=False):
        _open_session(client, treated_visit)
        assert "How sore is the treated area" in client.get("/patient/aftercare/check-in/24h/").content.decode()
        response = client.post("/patient/aftercare/check-in/24h/", _answers())
    assert response.status_code == 302
    checkin = CheckIn.objects.get(visit=treated_visit, window="24h")
    assert (checkin.soreness, checkin.trend, checkin.late, checkin.urgent) == (3, "better", False, False)
    treated_visit.refresh_from_db()
    assert treated_visit.progress == Progress.CHECKED_IN


@pytest.mark.parametrize(
    ("window", "hours_after", "expected"),
    [
        ("24h", 12 - 1 / 3600, "not_open"),
        ("24h", 12, "on_time"),
        ("24h", 48 - 1 / 3600, "on_time"),
        ("24h", 48, "late"),
        ("24h", 24 * 20, "late"),
        ("72h", 48 - 1 / 3600, "not_open"),
        ("72h", 48, "on_time"),
        ("72h", 96 - 1 / 3600, "on_time"),
        ("72h", 96, "late"),
    ],
)
def test_window_boundaries_behave_as_documented(treated_visit, window, hours_after, expected):
    now = TREATED + timedelta(hours=hours_after)
    with time_machine.travel(now, tick=False):
        if expected == "not_open":
            with pytest.raises(CheckInError) as error:
                submit_checkin(visit=treated_visit, window=window, soreness=2, trend="same", red_flags=[])
            assert error.value.code == "not_open"
            assert error.value.opens_at == TREATED + aftercare.WINDOWS[window].opens_after
            assert not CheckIn.objects.exists()
        else:
            checkin = submit_checkin(visit=treated_visit, window=window, soreness=2, trend="better", red_flags=[])
            assert checkin.late is (expected == "late")


def test_a_late_check_in_is_accepted_through_the_page_and_marked_late(client, treated_visit):
    with time_machine.travel(TREATED + timedelta(hours=60), tick=False):
        _open_session(client, treated_visit)
        assert "a bit later than planned" in client.get("/patient/aftercare/check-in/24h/").content.decode()
        client.post("/patient/aftercare/check-in/24h/", _answers())
        done = client.get("/patient/aftercare/check-in/24h/done/").content.decode()
    assert CheckIn.objects.get(window="24h").late is True
    assert "later than planned" in done


def test_windows_use_aware_times_whatever_the_clinic_time_zone(settings, treated_visit):
    settings.TIME_ZONE = "Pacific/Auckland"  # far from UTC: the boundary is the same instant
    just_before = TREATED + timedelta(hours=12) - timedelta(seconds=1)
    with time_machine.travel(just_before, tick=False), pytest.raises(CheckInError):
        submit_checkin(visit=treated_visit, window="24h", soreness=1, trend="same", red_flags=[])
    with time_machine.travel(TREATED + timedelta(hours=12), tick=False):
        assert submit_checkin(visit=treated_visit, window="24h", soreness=1, trend="same", red_flags=[]).pk


# --- Red flags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "heading", "instruction"),
    [
        ("breathing", "Call 911 now", "Tell them you had dry needling, and when."),
        ("infection", "Please call the clinic today", "A needle spot that looks infected needs a check"),
        ("nerve", "Please call the clinic today", "so we can check it"),
        ("bruise", "Please call the clinic today", "Tell us if you take blood thinners"),
    ],
)
def test_each_red_flag_raises_the_urgent_flag_and_shows_the_right_instruction(
    client, treated_visit, flag, heading, instruction
):
    when = TREATED + timedelta(hours=20)
    with time_machine.travel(when, tick=False):
        _open_session(client, treated_visit)
        response = client.post("/patient/aftercare/check-in/24h/", _answers(red_flags=[flag]), follow=True)
    page = response.content.decode()
    assert heading in page and instruction in page
    checkin = CheckIn.objects.get(visit=treated_visit)
    assert checkin.urgent is True and checkin.red_flags == [flag]
    treated_visit.refresh_from_db()
    assert treated_visit.urgent_since == when
    event = AuditEvent.objects.get(action="checkin.urgent", patient=treated_visit.patient)
    assert event.details["action"] == aftercare.ASKED_RED_FLAGS[flag]
    assert flag not in str(event.details)  # which sign it was is health data: not in the audit log
    if flag == "breathing":
        assert 'href="tel:911"' in page
        assert page.index("Call 911 now") < page.index("Your answers")
    else:
        assert 'href="tel:555-0100"' in page


def test_breathing_and_another_sign_together_put_the_emergency_first(client, treated_visit):
    with time_machine.travel(TREATED + timedelta(hours=20), tick=False):
        _open_session(client, treated_visit)
        page = client.post(
            "/patient/aftercare/check-in/24h/", _answers(red_flags=["bruise", "breathing"]), follow=True
        ).content.decode()
    assert page.index("Call 911 now") < page.index("Tell us if you take blood thinners")
    assert "Please call the clinic today" not in page


def test_a_check_in_without_red_flags_is_not_urgent_and_says_so_kindly(client, treated_visit):
    with time_machine.travel(TREATED + timedelta(hours=20), tick=False):
        _open_session(client, treated_visit)
        page = client.post("/patient/aftercare/check-in/24h/", _answers(soreness=6, trend="worse"), follow=True)
    assert "Nothing you told us needs action right now" in page.content.decode()
    assert CheckIn.objects.get().urgent is False  # worse at 24 h is the usual peak, not a red flag
    treated_visit.refresh_from_db()
    assert treated_visit.urgent_since is None


@pytest.mark.parametrize(
    ("soreness", "trend", "flag"),
    [(2, "worse", "soreness_worse"), (5, "same", "soreness_not_easing"), (3, "same", None), (7, "better", None)],
)
def test_at_72h_soreness_that_is_worse_or_not_easing_means_call_the_clinic(treated_visit, soreness, trend, flag):
    with time_machine.travel(TREATED + timedelta(hours=72), tick=False):
        checkin = submit_checkin(visit=treated_visit, window="72h", soreness=soreness, trend=trend, red_flags=[])
    assert checkin.red_flags == ([flag] if flag else [])
    assert checkin.urgent is bool(flag)


def test_a_later_red_flag_keeps_the_first_urgent_time(treated_visit):
    first = TREATED + timedelta(hours=20)
    with time_machine.travel(first, tick=False):
        submit_checkin(visit=treated_visit, window="24h", soreness=4, trend="same", red_flags=["bruise"])
    with time_machine.travel(TREATED + timedelta(hours=70), tick=False):
        submit_checkin(visit=treated_visit, window="72h", soreness=4, trend="same", red_flags=["nerve"])
    treated_visit.refresh_from_db()
    assert treated_visit.urgent_since == first


# --- Bad input -----------------------------------------------------------------------------------


def test_a_check_in_before_the_visit_is_recorded_gets_a_clear_message_and_stores_nothing(patient_client, visit):
    response = patient_client.post("/patient/aftercare/check-in/24h/", _answers())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check-ins open after your visit" in page
    assert not CheckIn.objects.exists()
    with pytest.raises(CheckInError) as error:
        submit_checkin(visit=visit, window="24h", soreness=1, trend="same", red_flags=[])
    assert error.value.code == "not_recorded"


def test_a_second_check_in_for_the_same_window_is_refused_and_the_first_kept(client, treated_visit):
    with time_machine.travel(TREATED + timedelta(hours=20), tick=False):
        _open_session(client, treated_visit)
        client.post("/patient/aftercare/check-in/24h/", _answers(soreness=2))
        response = client.post(
            "/patient/aftercare/check-in/24h/", _answers(soreness=9, red_flags=["nerve"]), follow=True
        )
        with pytest.raises(CheckInError) as error:
            submit_checkin(visit=treated_visit, window="24h", soreness=9, trend="worse", red_flags=[])
    assert "You have already sent this check-in" in response.content.decode()
    assert error.value.code == "duplicate"
    checkin = CheckIn.objects.get()
    assert (checkin.soreness, checkin.urgent) == (2, False)


@pytest.mark.parametrize(
    "answers",
    [
        _answers(soreness=11),
        _answers(soreness=-1),
        _answers(soreness="lots"),
        _answers(trend="sideways"),
        _answers(red_flags=["rash"]),
        {"soreness": 3, "trend": "better"},
    ],
)
def test_out_of_range_answers_get_a_clear_message_and_store_nothing(client, treated_visit, answers):
    with time_machine.travel(TREATED + timedelta(hours=20), tick=False):
        _open_session(client, treated_visit)
        response = client.post("/patient/aftercare/check-in/24h/", answers)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_sign_ticked_beside_none_of_these_counts(client, treated_visit):
    with time_machine.travel(TREATED + timedelta(hours=20), tick=False):
        _open_session(client, treated_visit)
        response = client.post("/patient/aftercare/check-in/24h/", _answers(red_flags=["none", "breathing"]))
    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.red_flags, checkin.urgent) == (["breathing"], True)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"soreness": 11}, "bad_soreness"),
        ({"soreness": -1}, "bad_soreness"),
        ({"soreness": True}, "bad_soreness"),
        ({"trend": "up"}, "bad_trend"),
        ({"red_flags": ["soreness_worse"]}, "bad_red_flags"),
        ({"window": "48h"}, "bad_window"),
    ],
)
def test_the_service_refuses_out_of_range_values_itself(treated_visit, kwargs, code):
    values = {"window": "24h", "soreness": 3, "trend": "same", "red_flags": []} | kwargs
    with time_machine.travel(TREATED + timedelta(hours=20), tick=False), pytest.raises(CheckInError) as error:
        submit_checkin(visit=treated_visit, **values)
    assert error.value.code == code
    assert not CheckIn.objects.exists()


def test_an_unknown_window_in_the_address_is_not_found(patient_client):
    assert patient_client.get("/patient/aftercare/check-in/48h/").status_code == 404


# --- Staff acknowledging -------------------------------------------------------------------------


def test_a_clinician_acknowledging_takes_the_visit_off_the_urgent_list(treated_visit, clinician):
    from intake.aftercare.checkins import acknowledge_urgent_checkins

    with time_machine.travel(TREATED + timedelta(hours=20), tick=False):
        submit_checkin(visit=treated_visit, window="24h", soreness=5, trend="same", red_flags=["infection"])
    treated_visit.refresh_from_db()
    assert treated_visit.urgent_since is not None
    assert acknowledge_urgent_checkins(visit=treated_visit, by=clinician) is True
    treated_visit.refresh_from_db()
    assert treated_visit.urgent_since is None
    checkin = CheckIn.objects.get()
    assert checkin.acknowledged_by == clinician and checkin.acknowledged_at is not None
    assert AuditEvent.objects.filter(action="checkin.acknowledged", actor=clinician).count() == 1
    assert acknowledge_urgent_checkins(visit=treated_visit, by=clinician) is False


def test_red_flags_have_short_names_for_staff():
    assert aftercare.red_flag_labels(["breathing", "soreness_worse"]) == [
        "Breathing or chest symptoms",
        "Soreness getting worse",
    ]
