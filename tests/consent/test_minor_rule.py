"""One minor rule (Patient.is_minor_on): under 18 on the day; the consent page asks for a guardian then."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from tests.factories import AccessLinkFactory, PatientFactory, VisitFactory
from tests.helpers import open_patient_session


def test_a_patient_is_a_minor_until_the_eighteenth_birthday(db):
    patient = PatientFactory(date_of_birth=dt.date(2008, 6, 15))
    assert patient.is_minor_on(dt.date(2026, 6, 14))
    assert not patient.is_minor_on(dt.date(2026, 6, 15))
    with time_machine.travel(dt.datetime(2026, 6, 14, 12, tzinfo=dt.UTC), tick=False):
        assert patient.is_minor
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), tick=False):
        assert not patient.is_minor


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=False)
def test_a_patient_still_17_on_the_visit_day_signs_with_a_guardian(client, consent_version):
    from intake.links.tokens import new_token

    patient = PatientFactory(date_of_birth=dt.date(2008, 6, 20))  # 17 today and on the visit day
    visit = VisitFactory(
        patient=patient,
        scheduled_at=dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC),
        understanding_done_at=timezone.now(),
    )
    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=visit, token=token))
    assert "is under 18, so a parent or legal guardian signs" in client.get("/patient/consent/").content.decode()


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=False)
def test_an_adult_on_the_visit_day_signs_alone(client, consent_version):
    from intake.links.tokens import new_token

    patient = PatientFactory(date_of_birth=dt.date(2000, 1, 1))
    visit = VisitFactory(
        patient=patient,
        scheduled_at=dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC),
        understanding_done_at=timezone.now(),
    )
    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=visit, token=token))
    assert "is under 18, so a parent or legal guardian signs" not in client.get("/patient/consent/").content.decode()
