"""One rule for when an appointment may be booked: the same bad time gets the same sentence on the invite
page, from the invite command (exit 2), from the API (422 problem details) and in the import's row verdict."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from api.models import ImportBatch, Scope
from intake.models import Patient, Visit
from intake.visits.appointments import IN_THE_PAST, TOO_FAR_AHEAD, appointment_time_problem
from tests.api.conftest import api_client, make_token  # noqa: F401
from tests.api.test_api_visits import visit_body
from tests.api.test_import import csv_file, upload
from tests.staff.conftest import as_user  # noqa: F401

pytestmark = pytest.mark.django_db


def _at(**delta) -> datetime:
    # On the hour, so the form and the CSV (which take minutes, not seconds) can write the same time.
    return (timezone.localtime() + timedelta(**delta)).replace(minute=0, second=0, microsecond=0)


BAD_TIMES = [
    pytest.param({"days": -3}, IN_THE_PAST, id="three-days-ago"),
    pytest.param({"days": 3 * 365}, TOO_FAR_AHEAD, id="three-years-ahead"),
]


@time_machine.travel(datetime(2026, 6, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(0)), tick=False)
def test_the_rule_allows_earlier_today_and_up_to_the_booking_horizon_only():
    now = timezone.now()
    assert appointment_time_problem(now) is None
    assert appointment_time_problem(now - timedelta(hours=12)) is None
    assert appointment_time_problem(now - timedelta(hours=12, minutes=1)) == IN_THE_PAST
    assert appointment_time_problem(now + Visit.BOOKING_HORIZON) is None
    assert appointment_time_problem(now + Visit.BOOKING_HORIZON + timedelta(minutes=1)) == TOO_FAR_AHEAD


@pytest.mark.parametrize(("delta", "message"), BAD_TIMES)
def test_the_invite_page_gives_the_rules_sentence(delta, message, reception, as_user):  # noqa: F811
    data = {
        "first_name": "Zoë",
        "last_name": "Ortiz",
        "date_of_birth": "02/03/1980",
        "scheduled_at": _at(**delta).strftime("%Y-%m-%dT%H:%M"),
        "language": "en",
    }
    response = as_user(reception).post("/staff/invite/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["scheduled_at"] == [message]
    assert not Visit.objects.exists()


@pytest.mark.parametrize(("delta", "message"), BAD_TIMES)
def test_the_invite_command_exits_2_with_the_rules_sentence(delta, message):
    args = ["--first-name", "Zoë", "--last-name", "Ortiz", "--dob", "1980-02-03"]
    with pytest.raises(CommandError) as raised:
        call_command("invite", *args, "--visit-at", _at(**delta).isoformat())
    assert raised.value.returncode == 2
    assert str(raised.value) == f"--visit-at: {message}"
    assert not Patient.objects.exists()


@pytest.mark.parametrize(("delta", "message"), BAD_TIMES)
def test_the_api_answers_422_with_the_rules_sentence(delta, message, api_client):  # noqa: F811
    body = visit_body(scheduled_at=_at(**delta).isoformat())
    response = api_client(Scope.VISITS_WRITE).post(
        "/api/v1/visits", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"pointer": "#/scheduled_at", "detail": message}]
    assert not Visit.objects.exists()


@pytest.mark.parametrize(("delta", "message"), BAD_TIMES)
def test_the_import_gives_the_row_the_rules_sentence(delta, message, reception, as_user):  # noqa: F811
    when = _at(**delta).strftime("%Y-%m-%d %H:%M")
    upload(as_user(reception), csv_file(f"A-1,Zoë,Ortiz,1980-02-03,{when},,"))
    [row] = ImportBatch.objects.get().rows
    assert (row["verdict"], row["reason"]) == ("error", message)
    assert not Visit.objects.exists()
