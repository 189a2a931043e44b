"""Consent texts (versioned) and signed consent records (append-only)."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from intake.models import Language, Visit
from portal.erasure import erasure_in_progress


class ImmutableConsentError(Exception):
    """Code tried to change or remove what a patient signed."""


class FrozenConsentVersionError(ImmutableConsentError):
    """Code tried to change a consent text that someone has already signed."""


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

    CONTENT_FIELDS = ("key", "version", "language", "title", "body", "risks", "effective_date")

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

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk:
            original = type(self)._base_manager.filter(pk=self.pk).first()
            if original is not None and original.is_frozen:
                changed = self.changed_content(original)
                if changed:
                    raise FrozenConsentVersionError(
                        f"Consent version {original.version} has been signed; its {', '.join(changed)} cannot change. "
                        "Create a new version instead."
                    )
                # first_signed_at is set by the signing service only; keep it as stored.
                self.first_signed_at = original.first_signed_at
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_frozen:
            raise FrozenConsentVersionError("A consent version that has been signed cannot be deleted.")
        return super().delete(*args, **kwargs)

    def changed_content(self, other: ConsentVersion) -> list[str]:
        """The content fields (what a signer reads) that differ between this and `other`."""
        return [name for name in self.CONTENT_FIELDS if getattr(self, name) != getattr(other, name)]

    @property
    def is_frozen(self) -> bool:
        return self.first_signed_at is not None

    @property
    def paragraphs(self) -> list[tuple[str, str]]:
        """The body as ("h", heading) / ("p", paragraph) blocks, exactly as pages and the PDF show it."""
        blocks: list[tuple[str, str]] = []
        lines: list[str] = []

        def flush() -> None:
            if lines:
                blocks.append(("p", " ".join(lines)))
                lines.clear()

        for raw_line in self.body.splitlines():
            line = raw_line.strip()
            if not line:
                flush()
            elif line.startswith("## "):
                flush()
                blocks.append(("h", line[3:].strip()))
            else:
                lines.append(line)
        flush()
        return blocks

    def canonical_text(self) -> str:
        """The exact text a signer sees, in one stable form; its SHA-256 is stored on every record."""
        lines = [f"{self.key} v{self.version} ({self.language})", self.title, ""]
        for kind, text in self.paragraphs:
            lines.append(("## " if kind == "h" else "") + text)
        lines.append("")
        for risk in self.risks:
            lines.append(f"- {risk.get('name', '')}: {risk.get('frequency', '')}")
        return "\n".join(lines)

    def text_sha256(self) -> str:
        return hashlib.sha256(self.canonical_text().encode("utf-8")).hexdigest()

    def newer_active(self) -> ConsentVersion | None:
        """The active version of the same consent and language, when it is not this one."""
        active = ConsentVersion.objects.filter(key=self.key, language=self.language, is_active=True).first()
        if active is None or active.pk == self.pk:
            return None
        return active


# What may change on a signed record, and only from empty to set: the clinician's confirmation and
# the withdrawal. Everything else is what the patient signed. The PostgreSQL trigger in
# migrations/0003 enforces the same rule for anything that bypasses the ORM.
MUTABLE_RECORD_FIELDS = frozenset(
    {
        "confirmed_at",
        "confirmed_by",
        "confirmation_pdf",
        "confirmation_sha256",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawn_reason",
    }
)


class ConsentRecordQuerySet(models.QuerySet):
    """Reads that filter consent records. Bulk changes are refused: records change one at a time."""

    def update(self, **kwargs):
        raise ImmutableConsentError("Consent records are changed only through consent.services, one at a time.")

    def delete(self):
        if erasure_in_progress():  # retention only (portal/erasure.py)
            return super().delete()
        raise ImmutableConsentError("Consent records are never deleted; withdraw them instead.")

    def _raw_delete(self, using):
        if erasure_in_progress():
            return super()._raw_delete(using)
        raise ImmutableConsentError("Consent records are never deleted; withdraw them instead.")

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

    def save(self, *args, **kwargs):
        if self._state.adding:
            return super().save(*args, **kwargs)
        self._check_only_additions()
        if kwargs.get("update_fields") is None:
            kwargs["update_fields"] = sorted(MUTABLE_RECORD_FIELDS)
        # The row is written with a plain UPDATE of the allowed columns (bypassing the guarded queryset).
        return super().save(*args, **kwargs)

    def _check_only_additions(self) -> None:
        stored = type(self)._base_manager.filter(pk=self.pk).first()
        if stored is None:
            raise ImmutableConsentError("This consent record does not exist.")
        for field in self._meta.concrete_fields:
            name, attname = field.name, field.attname
            old, new = getattr(stored, attname), getattr(self, attname)
            if isinstance(old, memoryview):
                old = bytes(old)
            if isinstance(new, memoryview):
                new = bytes(new)
            if hasattr(old, "name") and hasattr(new, "name"):  # FieldFile: compare stored names
                old, new = old.name or "", new.name or ""
            if old == new:
                continue
            if name not in MUTABLE_RECORD_FIELDS:
                raise ImmutableConsentError(f"The signed consent's {name} cannot change.")
            if old not in (None, ""):
                raise ImmutableConsentError(f"The consent's {name} is already set and cannot change.")

    def delete(self, *args, **kwargs):
        if erasure_in_progress():
            return super().delete(*args, **kwargs)
        raise ImmutableConsentError("Consent records are never deleted; withdraw them instead.")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None and self.withdrawn_at is None

    @property
    def status(self) -> str:
        if self.withdrawn_at:
            return "withdrawn"
        if self.confirmed_at:
            return "confirmed"
        return "signed"

    def get_status_display(self) -> str:
        labels = {"withdrawn": _("Withdrawn"), "confirmed": _("Confirmed by clinician"), "signed": _("Signed")}
        return str(labels[self.status])


class ArchiveVersionQuerySet(models.QuerySet["ArchiveVersion"]):
    def update(self, **kwargs):
        raise ImmutableConsentError("Archived consent files are added, never changed.")

    def delete(self):
        if erasure_in_progress():  # retention only (portal/erasure.py)
            return super().delete()
        raise ImmutableConsentError("Archived consent files are added, never deleted.")

    def newest_first(self) -> ArchiveVersionQuerySet:
        return self.order_by("-made_at", "-pk")

    def newest_by_document(self) -> dict[str, ArchiveVersion]:
        """The newest copy of each document ("consent", "confirmation") among these rows."""
        newest: dict[str, ArchiveVersion] = {}
        for version in self.order_by("made_at", "pk"):
            newest[version.document] = version
        return newest


class ArchiveVersion(models.Model):
    """One stored copy of a sealed consent document: as sealed, then each timestamped copy. Append-only.

    A timestamp is an incremental update, so every copy begins with the exact bytes of the one before:
    the file the patient was given (and the SHA-256 on the record) stays valid for ever, while the
    newest copy carries the longest-lived evidence (docs/consent.md, "Long-term seals").
    """

    class Document(models.TextChoices):
        CONSENT = "consent", _("Signed consent")
        CONFIRMATION = "confirmation", _("Clinician confirmation addendum")

    class Step(models.TextChoices):
        SEALED = "sealed", _("Sealed")
        TIMESTAMPED = "timestamped", _("Timestamp added later")
        RENEWED = "renewed", _("Archive timestamp renewed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    record = models.ForeignKey(ConsentRecord, on_delete=models.PROTECT, related_name="archive_versions")
    document = models.CharField(max_length=12, choices=Document.choices)
    step = models.CharField(max_length=12, choices=Step.choices)
    pdf = models.FileField(upload_to="consents/", max_length=200)
    pdf_sha256 = models.CharField(max_length=64, unique=True)
    level = models.CharField(max_length=6, help_text="PAdES baseline level: B-B, B-T, B-LT or B-LTA.")
    timestamp_at = models.DateTimeField(null=True, blank=True, help_text="The newest timestamp in the file.")
    tsa_valid_until = models.DateTimeField(
        null=True, blank=True, help_text="When the newest timestamp's authority certificate expires."
    )
    made_at = models.DateTimeField()

    objects = ArchiveVersionQuerySet.as_manager()

    class Meta:
        ordering = ["made_at"]

    def __str__(self) -> str:
        return f"{self.document} {self.level} ({self.step})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableConsentError("Archived consent files are added, never changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if erasure_in_progress():
            return super().delete(*args, **kwargs)
        raise ImmutableConsentError("Archived consent files are added, never deleted.")
