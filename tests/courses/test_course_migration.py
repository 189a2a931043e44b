"""The data migration on a database that already has visits: each visit gets a course of its own."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("intake", "0004_visit_urgent_index")]
AFTER = [("intake", "0014_visit_course_required")]


def _apps_at(executor: MigrationExecutor, targets):
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def executor(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    # Back to the latest state, so the tests after this one see the real schema.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_each_existing_visit_gets_a_course_of_its_own(executor):
    old = _apps_at(executor, BEFORE)
    Patient, Visit = old.get_model("intake", "Patient"), old.get_model("intake", "Visit")
    ScreeningResponse = old.get_model("intake", "ScreeningResponse")
    now = timezone.now()
    ana = Patient.objects.create(first_name="Ana", last_name="Lopez", date_of_birth=date(1980, 1, 2), search_name="ana")
    bo = Patient.objects.create(first_name="Bo", last_name="Berg", date_of_birth=date(1990, 3, 4), search_name="bo")
    first = Visit.objects.create(patient=ana, scheduled_at=now - timedelta(days=14))
    second = Visit.objects.create(patient=ana, scheduled_at=now + timedelta(days=1))
    third = Visit.objects.create(patient=bo, scheduled_at=now + timedelta(days=2))
    ScreeningResponse.objects.create(visit=first, questionnaire_version="2026.1", answers={"main_complaint": "Neck"})

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = _apps_at(executor, AFTER)
    Visit, Course = new.get_model("intake", "Visit"), new.get_model("intake", "Course")

    courses = {visit.pk: visit.course for visit in Visit.objects.select_related("course")}
    assert len({course.pk for course in courses.values()}) == 3
    assert Course.objects.count() == 3
    assert courses[first.pk].patient_id == ana.pk and courses[third.pk].patient_id == bo.pk
    assert courses[first.pk].complaint == "Neck"
    assert courses[second.pk].complaint == ""
    assert {course.status for course in courses.values()} == {"active"}
    assert Visit.objects.get(pk=second.pk).created_at == courses[second.pk].opened_at


def test_the_migration_runs_on_an_empty_database_and_reverses(executor):
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert "intake_course" not in connection.introspection.table_names()
