"""Consent texts (versioned) and signed consent records (append-only)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from intake.models import Language, Visit


class ConsentVersion(models.Model):
    """One version of the consent text in one language. Frozen once a patient has signed it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(max_length=50, default="dry-needling")
    version = models.PositiveIntegerField()
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Paragraphs separated by a blank line; lines starting '## ' are headings.")
    risks = models.JSONField(default=list, help_text='A list of {"name": ..., "frequency": ...}.')
    effective_date = models.DateField()
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    first_signed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["key", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language", "version"], name="consent_consentversion_unique_version"
            ),
            models.UniqueConstraint(
                fields=["key", "language"], condition=Q(is_active=True), name="consent_consentversion_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.language})"

    @property
    def is_frozen(self) -> bool:
        return self.first_signed_at is not None


class ConsentRecordQuerySet(models.QuerySet):
    """Reads that filter consent records."""

    def active(self) -> ConsentRecordQuerySet:
        """Signed and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def awaiting_review(self) -> ConsentRecordQuerySet:
        """Signed, not yet confirmed by a clinician, not withdrawn; oldest signature first."""
        return self.filter(withdrawn_at__isnull=True, confirmed_at__isnull=True).order_by("signed_at")

    def confirmed(self) -> ConsentRecordQuerySet:
        return self.filter(withdrawn_at__isnull=True, confirmed_at__isnull=False)


class ConsentRecord(models.Model):
    """A patient's signed consent for a visit. Written once; only confirmation and withdrawal are added later."""

    class SignerRole(models.TextChoices):
        PATIENT = "patient", _("Patient")
        GUARDIAN = "guardian", _("Parent or guardian")

    class SignatureMethod(models.TextChoices):
        DRAWN = "drawn", _("Drawn")
        TYPED = "typed", _("Typed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="consents")
    consent_version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="records")
    language = models.CharField(max_length=8, choices=Language.choices)
    text_sha256 = models.CharField(max_length=64)
    signer_name = models.CharField(max_length=200)
    signer_role = models.CharField(max_length=10, choices=SignerRole.choices, default=SignerRole.PATIENT)
    guardian_relationship = models.CharField(max_length=100, blank=True)
    signature_method = models.CharField(max_length=10, choices=SignatureMethod.choices)
    signature_png = models.BinaryField(null=True, blank=True)
    acknowledgements = models.JSONField(default=dict)
    signed_at = models.DateTimeField()
    signed_time_zone = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    pdf = models.FileField(upload_to="consents/", max_length=200)
    pdf_sha256 = models.CharField(max_length=64, unique=True)

    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmation_pdf = models.FileField(upload_to="consents/", max_length=200, blank=True)
    confirmation_sha256 = models.CharField(max_length=64, blank=True)

    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True, max_length=1000)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at"]
        permissions = [
            ("confirm_consentrecord", "Can confirm the consent discussion"),
            ("withdraw_consentrecord", "Can withdraw consent on a patient's behalf"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["visit"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_consentrecord_one_active_per_visit",
            ),
            models.CheckConstraint(
                condition=Q(signer_role="patient") | ~Q(guardian_relationship=""),
                name="consent_consentrecord_guardian_states_relationship",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"
