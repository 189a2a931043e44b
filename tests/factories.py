"""factory_boy factories for the portal's models."""

from datetime import date, timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from intake.links.tokens import hash_token, link_expiry, new_token
from intake.models import AccessLink, Patient, Visit
from intake.regions import touches_chest_risk_area
from portal.models import User
from portal.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted: Role | None, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted.value))
        if create:
            self.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = "Example"
    date_of_birth = date(1985, 3, 14)
    email = factory.Sequence(lambda n: f"pat{n}@example.com")
    phone = "+12015550199"


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    patient = factory.SubFactory(PatientFactory)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))

    class Params:
        # VisitFactory(ready_to_sign=True): the patient has done every step up to the consent.
        ready_to_sign = factory.Trait(
            opened_at=factory.LazyFunction(timezone.now),
            explanation_read_at=factory.SelfAttribute("opened_at"),
            screening_done_at=factory.SelfAttribute("opened_at"),
            understanding_done_at=factory.SelfAttribute("opened_at"),
        )


class AccessLinkFactory(factory.django.DjangoModelFactory):
    """Build with `AccessLinkFactory(token="...")` to know the token; one is generated otherwise."""

    class Meta:
        model = AccessLink
        exclude = ["token"]

    visit = factory.SubFactory(VisitFactory)
    token = factory.LazyFunction(new_token)
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    expires_at = factory.LazyAttribute(lambda o: link_expiry(o.visit))


class VisitRecordFactory(factory.django.DjangoModelFactory):
    """The clinician's record of the session; call visit.mark("visited_at") as the real service does."""

    class Meta:
        model = "intake.VisitRecord"

    visit = factory.SubFactory(VisitFactory)
    treated_at = factory.LazyFunction(timezone.now)
    regions = factory.LazyFunction(lambda: ["lower_back"])
    chest_risk_area = factory.LazyAttribute(lambda o: touches_chest_risk_area(o.regions))
    recorded_by = factory.SubFactory(UserFactory)
