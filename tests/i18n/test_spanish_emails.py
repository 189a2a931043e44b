"""Emails to a Spanish-speaking patient are in Spanish, whoever sends them (staff, or the scheduler)."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail

from intake.aftercare.reminders import send_due_reminders
from intake.links.services import send_link_message
from intake.links.tokens import new_token
from tests.aftercare.conftest import record_visit
from tests.factories import AccessLinkFactory, VisitFactory

TREATED = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


def test_the_check_in_reminder_is_in_the_patients_language(db, django_capture_on_commit_callbacks):
    visit = VisitFactory(scheduled_at=TREATED, language="es", patient__email="lucia@example.com")
    AccessLinkFactory(visit=visit)
    record_visit(visit, regions=["neck"], treated_at=TREATED)

    soon_after = time_machine.travel(TREATED + timedelta(hours=12), tick=False)
    with soon_after, django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 1

    (email,) = mail.outbox
    assert email.subject.startswith("¿Cómo se siente?")
    assert "Ha pasado más o menos un día" in email.body
    assert "Abrir su seguimiento" in email.alternatives[0][0]


def test_the_link_email_from_reception_is_in_the_patients_language(db, django_capture_on_commit_callbacks):
    visit = VisitFactory(language="es", patient__email="lucia@example.com")
    token = new_token()
    AccessLinkFactory(visit=visit, token=token)

    with django_capture_on_commit_callbacks(execute=True):
        send_link_message(visit=visit)

    (email,) = mail.outbox
    assert "prepárese en línea" in email.subject
    assert "Antes de venir, abra su página privada." in email.body
    assert " de " in email.body.split("Su cita es el ")[1].split("\n")[0]  # "lunes 2 de marzo de 2026"
