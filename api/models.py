"""Integration tokens, external ids, idempotent API replies, webhook endpoints and deliveries, imports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Scope(models.TextChoices):
    VISITS_READ = "visits:read", "Read visits: progress, flag codes and levels, consent state"
    VISITS_WRITE = "visits:write", "Create and update patients and visits by external id; send links"
    CONSENTS_READ = "consents:read", "Download signed consent PDFs"
    PATIENTS_READ = "patients:read", "Read patients' names, dates of birth and contact details"
    ANSWERS_READ = "answers:read", "Read the screening answers behind each flag"
    FHIR_READ = "fhir:read", "Read a patient's FHIR R4 Bundle"
    FHIR_WRITE = "fhir:write", "Create visits from FHIR R4 Appointments"


class IntegrationTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class IntegrationToken(models.Model):
    """A practice system's key to the API. Only the SHA-256 of the secret is kept; it is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    # External ids are unique per source: a second practice system gets a token with another source.
    source = models.SlugField(max_length=40, default="api")
    scopes = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=16)  # the prefix and first characters, to tell tokens apart
    allowed_networks = models.JSONField(default=list, blank=True)  # CIDRs; empty means anywhere
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = IntegrationTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class ExternalVisitId(models.Model):
    """The practice system's id for a visit, unique per source, so an import or API call never makes it twice.

    A model here rather than a field on Visit: a visit can be known to several sources (a CSV first,
    the API later), and intake does not need to know that integrations exist.
    """

    source = models.CharField(max_length=40)
    external_id = models.CharField(max_length=200)
    visit = models.ForeignKey("intake.Visit", on_delete=models.PROTECT, related_name="external_ids")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="api_externalvisitid_unique_per_source"),
        ]


class IdempotentReply(models.Model):
    """The reply to a write sent with an Idempotency-Key, replayed when the same key comes again."""

    token = models.ForeignKey(IntegrationToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_idempotentreply_one_per_key")]


class Event(models.TextChoices):
    VISIT_PROGRESS = "visit.progress"
    CONSENT_SIGNED = "consent.signed"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    SCREENING_FLAGGED = "screening.flagged"
    CHECKIN_URGENT = "checkin.urgent"
    COURSE_DISCHARGED = "course.discharged"


class WebhookEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    # Kept in clear: the portal must sign with it. Shown to the admin once, when created.
    secret = models.CharField(max_length=100, editable=False)
    events = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    allow_private_network = models.BooleanField(
        default=False, help_text="Allow an address on a private, loopback or link-local network (an on-site server)."
    )
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        """Pending deliveries whose next try has come, to enabled endpoints only: an endpoint that is off
        keeps its deliveries until it is turned back on (webhooks.requeue_pending)."""
        return self.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now or timezone.now(), endpoint__enabled=True
        )


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, with its attempts; the delivery log the admin reads."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # gave up after a day of retries

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Event.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)  # a short reason, never the response body

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="api_delivery_pending_due"),
        ]


class ImportMapping(models.Model):
    """How this clinic's files name things, remembered for the next upload (one clinic per portal)."""

    class Kind(models.TextChoices):
        CSV = "csv", "CSV"
        ICS = "ics", "iCalendar"

    kind = models.CharField(max_length=8, choices=Kind.choices, unique=True)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)


class ImportBatch(models.Model):
    """An uploaded file's parsed rows, waiting for reception to confirm.

    The rows (names, dates of birth, phones) are cleared once used, or once the preview has waited
    IMPORT_ROWS_KEEP_DAYS (docs/records.md); the batch itself stays, with who, when and its counts.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=8, choices=ImportMapping.Kind.choices)
    source = models.CharField(max_length=40)
    file_sha256 = models.CharField(max_length=64)
    rows = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_visits = models.PositiveIntegerField(default=0)
    # Rows by verdict, as previewed ({"rows": 3, "new patient": 2, ...}): counts only, kept after the rows go.
    summary = models.JSONField(default=dict, blank=True)
    rows_cleared_at = models.DateTimeField(null=True, blank=True)
