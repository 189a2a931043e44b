import pytest
from django.contrib.auth.models import Group

from portal.roles import ROLE_PERMISSIONS, Role


@pytest.mark.django_db
def test_every_role_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_holds_exactly_its_listed_permissions(role):
    group = Group.objects.get(name=role.value)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert held == set(ROLE_PERMISSIONS[role])


@pytest.mark.django_db
def test_reception_cannot_confirm_consent_or_review_but_clinicians_can(reception, clinician):
    assert not reception.has_perm("consent.confirm_consentrecord")
    assert not reception.has_perm("intake.review_screening")
    assert clinician.has_perm("intake.review_screening")
    assert clinician.has_perm("consent.confirm_consentrecord")


@pytest.mark.django_db
def test_only_the_clinic_admin_reads_the_audit_log(reception, clinician, clinic_admin):
    assert clinic_admin.has_perm("portal.view_auditevent")
    assert not reception.has_perm("portal.view_auditevent")
    assert not clinician.has_perm("portal.view_auditevent")
