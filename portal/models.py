"""Staff accounts and the append-only audit log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField  # type: ignore[import-untyped]

from portal.erasure import erasure_in_progress
from portal.roles import Role


def default_staff_language() -> str:
    """A new account's message language: the clinic's staff language (CLINIC_STAFF_LANGUAGE)."""
    return settings.CLINIC_STAFF_LANGUAGE


class User(AbstractUser):
    """A staff member. Patients never have accounts; they use a private link per visit.

    `alert_phone` and `alert_language` are where and how red-flag alerts reach this person as the
    treating clinician (set by themselves on "My alert contact", or by the clinic admin in Django admin).
    The phone is stored in E.164, local numbers read in CLINIC_PHONE_REGION.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alert_phone = PhoneNumberField(
        "mobile phone for alerts", blank=True, help_text="Red-flag alerts for your patients are texted here."
    )
    alert_language = models.CharField(
        "language of alerts", max_length=8, choices=settings.LANGUAGES, default=default_staff_language
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(alert_language__in=[code for code, _ in settings.LANGUAGES]),
                name="portal_user_alert_language_known",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: Role) -> bool:
        if self.is_superuser and role == Role.CLINIC_ADMIN:
            return True
        # Group names are cached per request object: role checks run on every staff view.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return role.value in self._role_names

    @property
    def is_clinician(self) -> bool:
        return self.has_role(Role.CLINICIAN)

    @property
    def is_reception(self) -> bool:
        return self.has_role(Role.RECEPTION)

    @property
    def is_clinic_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.CLINIC_ADMIN)

    @property
    def sees_clinical_detail(self) -> bool:
        """Whether pages show this account the health answers, session notes and consent PDFs.

        The one place that decides it (views through portal.access.require_clinical_detail, templates
        through `sees_clinical`): clinicians and the clinic admin; reception only when the clinic sets
        RECEPTION_SEES_CLINICAL. Everyone on staff sees progress, contact details and the flag level.
        """
        if self.is_clinician or self.is_clinic_admin:
            return True
        return self.is_reception and settings.RECEPTION_SEES_CLINICAL

    @property
    def is_staff_member(self) -> bool:
        """Anyone who may use the staff workspace at all."""
        return self.is_active and (self.is_clinician or self.is_reception or self.is_clinic_admin)


class ImmutableRowError(Exception):
    """Raised when code tries to change or remove a row that must stay as written."""


# What retention may blank on an audit event about a destroyed patient (docs/records.md); nothing else.
SCRUBBABLE_AUDIT_FIELDS = frozenset({"patient", "access_link", "object_id", "ip", "user_agent", "details"})


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if erasure_in_progress() and set(kwargs) <= SCRUBBABLE_AUDIT_FIELDS and kwargs.get("patient", 0) is None:
            return super().update(**kwargs)
        raise ImmutableRowError(f"{self.model.__name__} rows cannot be updated.")

    def delete(self):
        raise ImmutableRowError(f"{self.model.__name__} rows cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Never the health data itself."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "portal.User", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    access_link = models.ForeignKey(
        "intake.AccessLink", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient = models.ForeignKey(
        "intake.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "-at"], name="portal_audit_patient_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRowError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRowError("Audit events cannot be deleted.")
