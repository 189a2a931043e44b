from intake.aftercare.reminders import send_due_reminders
from intake.demo import aftercare as demo_aftercare
from intake.demo import patients as intake_demo
from intake.links.tokens import hash_token
from intake.models import AccessLink, CheckIn, Progress, VisitRecord
from portal.roles import Role
from tests.factories import UserFactory


def test_demo_visits_after_the_visit_get_a_record_and_the_checked_in_one_a_check_in_idempotently(db):
    clinician = UserFactory(username="demo-clinician", role=Role.CLINICIAN)
    reception = UserFactory(username="demo-reception", role=Role.RECEPTION)
    for _ in range(2):
        visits = [visit for visit, _url in intake_demo.seed(clinician=clinician, reception=reception)]
        demo_aftercare.seed(visits, clinician=clinician)

    treated = [v for v in visits if v.progress in (Progress.VISITED, Progress.CHECKED_IN)]
    assert len(treated) == 2
    records = VisitRecord.objects.filter(visit__in=treated)
    assert records.count() == 2
    assert all(record.recorded_by == clinician for record in records)
    assert records.filter(chest_risk_area=True).count() == 1
    assert not VisitRecord.objects.exclude(visit__in=treated).exists()
    checked_in = next(v for v in treated if v.progress == Progress.CHECKED_IN)
    assert list(CheckIn.objects.values_list("visit", "window")) == [(checked_in.pk, "24h")]


def test_the_reminder_sender_leaves_the_printed_demo_links_working(db):
    clinician = UserFactory(username="demo-clinician", role=Role.CLINICIAN)
    reception = UserFactory(username="demo-reception", role=Role.RECEPTION)
    seeded = intake_demo.seed(clinician=clinician, reception=reception)
    demo_aftercare.seed([visit for visit, _url in seeded], clinician=clinician)
    assert send_due_reminders() == 0
    for _visit, url in seeded:
        token = url.rstrip("/").rsplit("/", 1)[-1]
        assert AccessLink.objects.usable().filter(token_hash=hash_token(token)).exists()
