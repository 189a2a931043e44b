"""A check-in whose soreness is above the usual course marks the visit "not settling", red flag or not."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from intake.aftercare.checkins import submit_checkin
from intake.models import Visit
from intake.outcomes.soreness import Point, not_settling
from tests.aftercare.conftest import record_visit
from tests.factories import VisitFactory

TREATED = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


@pytest.fixture
def treated_visit(db):
    visit = VisitFactory(scheduled_at=TREATED)
    record_visit(visit, treated_at=TREATED)
    return visit


def _check_in(visit, window, soreness, trend, at):
    with time_machine.travel(at, tick=False):
        submit_checkin(visit=visit, window=window, soreness=soreness, trend=trend, red_flags=[])
    return Visit.objects.get(pk=visit.pk)


def test_soreness_4_one_second_before_72h_is_still_usual(treated_visit):
    at = TREATED + timedelta(hours=72) - timedelta(seconds=1)
    visit = _check_in(treated_visit, "72h", 4, "better", at)
    assert visit.not_settling_since is None
    assert visit.urgent_since is None


def test_soreness_4_at_72h_marks_the_visit_not_settling_without_a_red_flag(treated_visit):
    at = TREATED + timedelta(hours=72)
    visit = _check_in(treated_visit, "72h", 4, "better", at)
    assert visit.not_settling_since == at
    assert visit.urgent_since is None  # no red flag: the board shows it as not settling, not urgent


def test_soreness_3_at_72h_is_within_the_band(treated_visit):
    visit = _check_in(treated_visit, "72h", 3, "better", TREATED + timedelta(hours=80))
    assert visit.not_settling_since is None


def test_soreness_rising_after_the_peak_is_not_settling(treated_visit):
    _check_in(treated_visit, "24h", 2, "same", TREATED + timedelta(hours=24))
    visit = _check_in(treated_visit, "72h", 3, "same", TREATED + timedelta(hours=60))
    assert visit.not_settling_since is not None


def test_soreness_rising_in_the_first_day_is_the_usual_pattern():
    assert not not_settling([Point(0, 1, "0h"), Point(24, 5, "24h")])


def test_the_board_marks_a_visit_not_settling(client, clinician, treated_visit):
    _check_in(treated_visit, "72h", 6, "better", TREATED + timedelta(hours=73))
    client.force_login(clinician)
    with time_machine.travel(TREATED + timedelta(hours=74), tick=False):
        page = client.get("/staff/?date_from=2026-03-01")
    assert "Not settling" in page.content.decode()
