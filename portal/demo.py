"""Demo staff accounts for seed_demo."""

from __future__ import annotations

import os

from django.contrib.auth.models import Group

from portal.models import User
from portal.roles import Role

DEFAULT_DEMO_PASSWORD = "needle-demo-2026"  # noqa: S105 - a laptop demo; set DEMO_PASSWORD to change it

DEMO_STAFF: list[tuple[str, str, str, Role]] = [
    ("reception", "Rita", "Desk", Role.RECEPTION),
    ("clinician", "Cal", "Physio", Role.CLINICIAN),
    ("admin", "Ada", "Admin", Role.CLINIC_ADMIN),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def seed_staff() -> dict[str, User]:
    password = demo_password()
    users = {}
    for username, first, last, role in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                # An address, so the demo's red-flag alerts reach someone (printed by the console backend).
                "email": f"{username}@example.com",
                "is_staff": role == Role.CLINIC_ADMIN,
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role.value))
        if role == Role.CLINIC_ADMIN and not user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        users[username] = user
    return users
