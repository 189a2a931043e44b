import pytest

from intake.demo import journey as demo_journey
from intake.models import FlagLevel, Progress, ScreeningResponse, UnderstandingResult, Visit
from portal.models import User
from tests.factories import UserFactory


@pytest.fixture
def demo_visits(db):
    from intake.demo import patients as demo

    clinician = UserFactory(username="demo-clinician")
    reception = UserFactory(username="demo-reception")
    return [visit for visit, _url in demo.seed(clinician=clinician, reception=reception)]


@pytest.mark.django_db
def test_demo_visits_past_the_screening_get_answers_scores_and_rule_made_flags(demo_visits):
    demo_journey.seed(demo_visits)
    for visit in Visit.objects.all():
        has_screening = ScreeningResponse.objects.filter(visit=visit).exists()
        assert has_screening == (visit.screening_done_at is not None), visit.patient.first_name
        has_check = UnderstandingResult.objects.filter(visit=visit).exists()
        assert has_check == (visit.understanding_done_at is not None)
    yusuf = ScreeningResponse.objects.get(visit__patient__first_name="Yusuf")
    assert {"anticoagulant", "lung_chest_area"} <= {flag["code"] for flag in yusuf.flags}
    assert yusuf.visit.flag_level == FlagLevel.REVIEW
    assert yusuf.scores["nprs"]["worst"] == {"score": 9, "band": "severe"}
    tom = ScreeningResponse.objects.get(visit__patient__first_name="Tom")
    assert "under_18" in {flag["code"] for flag in tom.flags}  # from his date of birth
    eleni = ScreeningResponse.objects.get(visit__patient__first_name="Eleni")
    assert eleni.scores["gad7"]["band"] == "moderate"
    assert UnderstandingResult.objects.get(visit__patient__first_name="Eleni").first_try["soreness"] is False
    assert Visit.objects.filter(flag_level__gt=FlagLevel.NONE).exists()
    assert Visit.objects.get(patient__first_name="Liam").progress == Progress.EXPLAINED


@pytest.mark.django_db
def test_seeding_twice_changes_nothing(demo_visits):
    demo_journey.seed(demo_visits)
    before = list(ScreeningResponse.objects.order_by("pk").values_list("pk", "updated_at"))
    demo_journey.seed(demo_visits)
    assert list(ScreeningResponse.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert UnderstandingResult.objects.count() == Visit.objects.filter(understanding_done_at__isnull=False).count()
    assert User.objects.filter(username="demo-clinician").exists()
