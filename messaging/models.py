"""The durable message log: one row per email or text, whatever happens to it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Gave up")


class MessageQuerySet(models.QuerySet):
    def for_patient(self, patient):
        return self.filter(patient=patient).order_by("-created_at")

    def gave_up(self):
        return self.filter(status=Status.GAVE_UP)

    def gave_up_recently(self, *, since: datetime):
        """The board's panel: messages that gave up since `since`, with their patient, newest first."""
        return self.gave_up().filter(updated_at__gte=since).select_related("patient").order_by("-updated_at")

    def needing_rescue(self, *, now: datetime, grace, stuck_after):
        """Messages a lost or killed task left behind: a retry overdue by more than `grace`, a queued
        message never picked up, a send claimed by a worker that died `stuck_after` ago."""
        return self.filter(
            Q(status=Status.FAILED, next_attempt_at__lte=now - grace)
            | Q(status=Status.QUEUED, created_at__lte=now - grace)
            | Q(status=Status.SENDING, claimed_at__lte=now - stuck_after)
        )


class Message(models.Model):
    """One email or text. The body is never stored: it is rendered from `template` and `context` at
    send time, and a link in it is made then too (a signed token, see messaging.render), so the log
    never holds a patient link. `last_error` holds an exception class and a short code, never an
    address or a body."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    template = models.CharField(max_length=100)
    language = models.CharField(max_length=8, default="en")
    context = models.JSONField(default=dict, blank=True)
    # What the message is about; the log is personal data and goes with the patient.
    patient = models.ForeignKey(
        "intake.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    visit = models.ForeignKey("intake.Visit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="messaging_message_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="messaging_message_channel_known"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="messaging_message_status_known"),
            models.CheckConstraint(
                condition=~Q(status=Status.SENT) | Q(sent_at__isnull=False), name="messaging_message_sent_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "created_at"], name="messaging_message_patient"),
            # The board and the rescue sweep read only the few messages not yet sent.
            models.Index(
                fields=["status", "next_attempt_at"], condition=~Q(status="sent"), name="messaging_message_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} ({self.get_status_display()})"

    @property
    def label(self) -> str:
        """What the message was, for staff ("Check-in reminder"), from the template name."""
        from messaging.render import label_for

        return label_for(self.template)

    @property
    def masked_recipient(self) -> str:
        from messaging.masking import mask_recipient

        return mask_recipient(self.channel, self.recipient)


class Outcome(models.TextChoices):
    CALLED = "called", _("Called the patient")
    EMERGENCY = "emergency_advised", _("Advised emergency care")
    NO_ANSWER = "no_answer", _("No answer, try again")
    OTHER = "other", _("Other")


class AlertQuerySet(models.QuerySet):
    def open(self):
        """Alerts no one has resolved yet (a "no answer" keeps the alert open)."""
        return self.filter(resolved_at__isnull=True)

    def due_escalation(self, *, now: datetime, after):
        return self.filter(acknowledged_at__isnull=True, escalated_at__isnull=True, raised_at__lte=now - after)


class Alert(models.Model):
    """A red flag reported by a patient, sent at once to the clinic's people, escalated if unanswered.

    `symptoms` are the red flags' codes ("breathing"; rows from before codes hold English labels),
    named in each reader's language by `symptom_labels` (the only health detail a text may carry).
    Acknowledging needs an outcome and a note; it stops the escalation. "No answer" keeps the alert
    open (someone tries again); any other outcome resolves it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey("intake.Visit", on_delete=models.CASCADE, related_name="alerts")
    symptoms = models.JSONField(default=list)
    source = models.CharField(max_length=40)
    raised_at = models.DateTimeField(default=timezone.now)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True)
                | (Q(acknowledged_by__isnull=False) & ~Q(outcome="") & ~Q(note="")),
                name="messaging_alert_ack_needs_outcome_and_note",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values), name="messaging_alert_outcome_known"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(acknowledged_at__isnull=False),
                name="messaging_alert_resolved_after_ack",
            ),
        ]
        indexes = [
            models.Index(fields=["raised_at"], condition=Q(resolved_at__isnull=True), name="messaging_alert_open"),
        ]

    def __str__(self) -> str:
        return f"Alert {timezone.localtime(self.raised_at):%Y-%m-%d %H:%M}"

    @property
    def symptom_labels(self) -> list[str]:
        """The symptoms in the active language (staff pages)."""
        from messaging.render import symptom_labels

        return symptom_labels(self.symptoms)

    def escalates_at(self) -> datetime:
        return self.raised_at + timedelta(minutes=settings.ALERT_ESCALATE_MINUTES)

    @property
    def is_overdue(self) -> bool:
        return self.acknowledged_at is None and timezone.now() >= self.escalates_at()


def open_alerts_prefetch(lookup: str = "alerts") -> models.Prefetch:
    """Prefetch a visit's open alerts, newest first, as `open_alerts` (the urgent rows' symptom)."""
    return models.Prefetch(lookup, queryset=Alert.objects.open().order_by("-raised_at"), to_attr="open_alerts")
