"""Staff roles: Django groups and the permissions each one holds.

The groups are created by a data migration; their permissions are synced after every
migrate, because permissions for models added in later migrations only exist by then.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    RECEPTION = "Reception"
    CLINICIAN = "Clinician"
    CLINIC_ADMIN = "Clinic admin"


_FRONT_DESK = [
    "intake.view_patient",
    "intake.add_patient",
    "intake.change_patient",
    "intake.view_visit",
    "intake.add_visit",
    "intake.change_visit",
    "intake.view_accesslink",
    "intake.add_accesslink",
    "intake.change_accesslink",
    "intake.view_screeningresponse",
    "intake.view_checkin",
    "intake.view_visitrecord",
    "consent.view_consentrecord",
    "consent.withdraw_consentrecord",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.RECEPTION: _FRONT_DESK,
    Role.CLINICIAN: [
        *_FRONT_DESK,
        "intake.review_screening",
        "intake.add_visitrecord",
        "consent.confirm_consentrecord",
    ],
    Role.CLINIC_ADMIN: [
        *_FRONT_DESK,
        "portal.view_auditevent",
        "portal.view_user",
        "portal.add_user",
        "portal.change_user",
        "consent.view_consentversion",
        "consent.add_consentversion",
        "consent.change_consentversion",
        "intake.export_records",
    ],
}


def sync_role_permissions(sender=None, **kwargs) -> None:
    """Give each role group exactly the permissions listed above (those that exist yet)."""
    from django.contrib.auth.models import Group, Permission

    if not Group.objects.filter(name__in=Role.values).exists():
        return  # before the roles migration has run
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted: list[Permission] = []
        for name in perm_names:
            app_label, codename = name.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
