"""Queue a message, and deliver it from the task: claim, send, then sent / failed (retry) / gave up.

Nothing here runs inside a web request's send path: queue_message writes the row and enqueues the
task after commit (a rolled-back write sends nothing); the worker calls deliver().
"""

from __future__ import annotations

import errno
import logging
import smtplib
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from messaging import sms
from messaging.models import Alert, Channel, Message, Outcome, Status
from messaging.phones import e164, textable_number
from messaging.render import Unsendable, render
from messaging.signals import alert_resolved
from portal import audit

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed try: six tries over about an hour, then the message gives up.
BACKOFF = [timedelta(minutes=m) for m in (1, 5, 10, 20, 30)]
MAX_ATTEMPTS = len(BACKOFF) + 1
# A retry or a queued message this late, or a send claimed this long ago, lost its task: the
# schedule (run_schedules) enqueues it again.
RESCUE_GRACE = timedelta(minutes=5)
STUCK_AFTER = timedelta(minutes=10)


@transaction.atomic
def queue_message(
    *,
    channel: str,
    to: str,
    template: str,
    context: dict | None = None,
    language: str = "en",
    patient=None,
    visit=None,
    idempotency_key: str = "",
) -> Message:
    """Write the message and enqueue its sending once the transaction commits.

    The same idempotency key twice returns the first message and sends nothing more, so schedules
    can run as often as they like. `context` must hold no secret (it is shown to nobody, but it is
    stored): links are made at send time by the template's context builder.
    """
    if channel == Channel.SMS:
        number = textable_number(to)
        if number is None:
            raise ValueError("not a phone number that can be texted")
        to = number
    elif channel != Channel.EMAIL or "@" not in to:
        raise ValueError("unknown channel or address")
    key = idempotency_key or f"{template}:{uuid.uuid4()}"
    existing = Message.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel,
                recipient=to,
                template=template,
                context=context or {},
                language=language,
                patient=patient,
                visit=visit,
                idempotency_key=key,
            )
    except IntegrityError:
        # Another run queued the same key in between: theirs stands.
        return Message.objects.get(idempotency_key=key)
    message_id = message.pk
    transaction.on_commit(lambda: enqueue_send(message_id=message_id))
    return message


def enqueue_send(*, message_id, run_after: datetime | None = None) -> None:
    """Hand the message to the task queue. If that fails, the row stays queued and the rescue
    schedule enqueues it again; the caller (often a web request) carries on."""
    from messaging.tasks import send_message

    try:
        task = send_message
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        elif run_after is not None:
            return  # this backend cannot wait: the rescue schedule enqueues the retry when it is due
        task.enqueue(str(message_id))
    except Exception:
        logger.exception("could not enqueue message %s; the schedule will retry", message_id)


def error_code(exc: BaseException) -> str:
    """Exception class and a short code, never the message text (it can hold an address)."""
    code: object = getattr(exc, "code", None)
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = "recipients_refused"
    elif isinstance(exc, OSError) and exc.errno:
        code = errno.errorcode.get(exc.errno, exc.errno)
    elif isinstance(exc, TimeoutError | smtplib.SMTPServerDisconnected):
        code = "timeout" if isinstance(exc, TimeoutError) else "disconnected"
    return f"{type(exc).__name__}: {code}"[:200] if code else type(exc).__name__[:200]


def _message_id_header(message: Message) -> str:
    # The same Message-ID on every try: if a killed worker's send did reach the server, a mail
    # client shows the second copy as the same message.
    host = urlsplit(settings.SITE_URL).hostname or "portal.invalid"
    return f"<{message.pk}@{host}>"


def _send(message: Message) -> str:
    rendered = render(message)
    if message.channel == Channel.SMS:
        return sms.send_sms(to=message.recipient, body=rendered.text)
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[message.recipient],
        headers={"Message-ID": _message_id_header(message)},
    )
    if rendered.html:
        email.attach_alternative(rendered.html, "text/html")
    for filename, content, mimetype in rendered.attachments:
        email.attach(filename, content, mimetype)
    email.send()
    return ""


def deliver(*, message_id, now: datetime | None = None) -> str:
    """Send one message unless it is sent, given up, being sent, or not yet due. Returns its status.

    The claim is one conditional UPDATE (atomic on SQLite and PostgreSQL alike): of two workers
    given the same message, one sends and the other sees it taken. The task that runs again after a
    crash finds "sending" and leaves it; the rescue schedule retries it only after STUCK_AFTER.
    """
    now = now or timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, status__in=[Status.QUEUED, Status.FAILED])
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    )
    if not claimed:
        return Message.objects.filter(pk=message_id).values_list("status", flat=True).first() or "missing"
    message = Message.objects.get(pk=message_id)
    try:
        provider_ref = _send(message)
    except Unsendable as exc:
        return _record_failure(message, f"Unsendable: {exc.code}", now=now, final=True)
    except Exception as exc:  # noqa: BLE001 - any failure is a failed try; its code is recorded, never its text
        return _record_failure(message, error_code(exc), now=now)
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.SENT,
        sent_at=now,
        provider_ref=provider_ref[:100],
        last_error="",
        next_attempt_at=None,
        claimed_at=None,
        updated_at=now,
    )
    return Status.SENT


def _record_failure(message: Message, code: str, *, now: datetime, final: bool = False) -> str:
    if final or message.attempts >= MAX_ATTEMPTS:
        status, next_at = Status.GAVE_UP, None
    else:
        status, next_at = Status.FAILED, now + BACKOFF[message.attempts - 1]
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=status, last_error=code, next_attempt_at=next_at, claimed_at=None, updated_at=now
    )
    logger.warning("message %s try %s failed (%s): %s", message.pk, message.attempts, code, status)
    if next_at is not None:
        enqueue_send(message_id=message.pk, run_after=next_at)
    return status


def rescue_messages(*, now: datetime | None = None) -> int:
    """Enqueue again what a lost or killed task left behind; due retries when the backend cannot wait.

    Safe every minute: the claim in deliver() makes an extra enqueue harmless."""
    from messaging.tasks import send_message

    now = now or timezone.now()
    grace = RESCUE_GRACE if send_message.get_backend().supports_defer else timedelta(0)
    rescued = 0
    for message in Message.objects.needing_rescue(now=now, grace=grace, stuck_after=STUCK_AFTER).only(
        "pk", "status", "attempts"
    ):
        if message.status == Status.SENDING:
            # The worker died mid-send: it may or may not have gone out. For clinic messages a
            # second copy (same Message-ID) is better than none; count it as a failed try.
            status = Status.GAVE_UP if message.attempts >= MAX_ATTEMPTS else Status.FAILED
            Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
                status=status, last_error="WorkerLost: stuck", next_attempt_at=now, claimed_at=None, updated_at=now
            )
            if status == Status.GAVE_UP:
                continue
        enqueue_send(message_id=message.pk)
        rescued += 1
    return rescued


# --- Red-flag alerts -----------------------------------------------------------------------------

ALERT_TEMPLATE = "alert"
ESCALATION_TEMPLATE = "alert-escalation"


Recipient = tuple[str, str, str]  # (channel, address or number, language)


def _contacts(emails: list[str], phones: list[str], language: str) -> list[Recipient]:
    people: list[Recipient] = [(Channel.EMAIL, e, language) for e in emails]
    return people + [(Channel.SMS, p, language) for p in phones]


def _clinician_contacts(clinician) -> list[Recipient]:
    """The treating clinician's email and alert phone, in the language they chose (My alert contact)."""
    if clinician is None:
        return []
    language = clinician.alert_language or settings.CLINIC_STAFF_LANGUAGE
    return [(Channel.EMAIL, clinician.email, language), (Channel.SMS, e164(clinician.alert_phone), language)]


def _queue_to_people(*, alert: Alert, template: str, people: list[Recipient], stage: str) -> int:
    """One email and one text per person, each in that person's language; an unusable configured
    number is skipped (the system check `messaging.W001` names the setting), never allowed to undo the
    patient's check-in. An address listed twice gets one message, in the language of its first listing."""
    queued = 0
    patient = alert.visit.patient
    texts = sms.is_configured()
    recipients: dict[tuple[str, str], str] = {}
    for channel, recipient, language in people:
        if recipient and (channel != Channel.SMS or texts):
            recipients.setdefault((channel, recipient), language)
    for (channel, recipient), language in recipients.items():
        try:
            queue_message(
                channel=channel,
                to=recipient,
                template=template,
                context={"alert": str(alert.pk)},
                language=language,
                patient=patient,
                visit=alert.visit,
                idempotency_key=f"alert:{alert.pk}:{stage}:{channel}:{recipient}",
            )
            queued += 1
        except ValueError:
            logger.warning("alert %s: a configured %s recipient is not usable; skipped", alert.pk, channel)
    return queued


@transaction.atomic
def raise_alert(*, visit, symptoms: list[str], source: str, request=None) -> Alert:
    """Alert the treating clinician (email, and a text to their alert phone) and the on-call contacts
    (CLINIC_ALERT_EMAILS/PHONES) at once.

    `symptoms` are red-flag codes ("breathing"), named in each recipient's language when the message
    is made (messaging.render.symptom_labels); `source` says where the red flag came from
    ("checkin_24h", "followup"). The messages go after commit, through the queue.
    """
    alert = Alert.objects.create(visit=visit, symptoms=list(symptoms), source=source)
    queued = _queue_to_people(
        alert=alert,
        template=ALERT_TEMPLATE,
        people=[
            *_clinician_contacts(visit.clinician if visit.clinician_id else None),
            *_contacts(settings.CLINIC_ALERT_EMAILS, settings.CLINIC_ALERT_PHONES, settings.CLINIC_STAFF_LANGUAGE),
        ],
        stage="raised",
    )
    audit.record(
        "alert.raised",
        request=request,
        obj=alert,
        patient=visit.patient,
        details={"source": source, "symptom_count": len(symptoms), "messages": queued},
    )
    return alert


@transaction.atomic
def set_alert_contact(*, user, phone: str, language: str, request=None) -> list[str]:
    """Save where and in which language alerts reach `user` (a cleaned E.164 number or "", a language
    code); returns the names of the fields that changed (the audit names them, never the number)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError("unknown language")
    if phone and textable_number(phone) != phone:
        raise ValueError("not a normalised phone number")
    changed = []
    if e164(user.alert_phone) != phone:
        user.alert_phone = phone
        changed.append("alert_phone")
    if user.alert_language != language:
        user.alert_language = language
        changed.append("alert_language")
    if changed:
        user.save(update_fields=changed)
    audit.record("staff.alert_contact_changed", request=request, actor=user, obj=user, details={"fields": changed})
    return changed


class AlertError(ValueError):
    """An acknowledgement that cannot be stored; the message is safe to show staff."""


@transaction.atomic
def acknowledge_alert(*, alert: Alert, by, outcome: str, note: str, request=None) -> Alert:
    """Record who dealt with the alert, how (an outcome) and a note. Stops the escalation; any
    outcome but "no answer, try again" resolves it and tells the domain (alert_resolved)."""
    note = (note or "").strip()
    if outcome not in Outcome.values:
        raise AlertError("Choose what you did.")
    if not note:
        raise AlertError("Add a short note of what happened.")
    if len(note) > 2000:
        raise AlertError("Keep the note under 2,000 characters.")
    locked = Alert.objects.select_for_update().select_related("visit__patient").get(pk=alert.pk)
    if locked.resolved_at is not None:
        raise AlertError("This alert was already dealt with.")
    now = timezone.now()
    locked.acknowledged_at = locked.acknowledged_at or now
    locked.acknowledged_by = by
    locked.outcome = outcome
    locked.note = note
    if outcome != Outcome.NO_ANSWER:
        locked.resolved_at = now
    locked.save(update_fields=["acknowledged_at", "acknowledged_by", "outcome", "note", "resolved_at"])
    audit.record(
        "alert.acknowledged",
        request=request,
        actor=by,
        obj=locked,
        patient=locked.visit.patient,
        details={"outcome": outcome, "resolved": locked.resolved_at is not None, "fields": ["outcome", "note"]},
    )
    if locked.resolved_at is not None:
        alert_resolved.send(sender=Alert, alert=locked, by=by, request=request)
    return locked


def escalate_due_alerts(*, now: datetime | None = None) -> int:
    """Alerts no one acknowledged within ALERT_ESCALATE_MINUTES go to the escalation contacts, once."""
    now = now or timezone.now()
    after = timedelta(minutes=settings.ALERT_ESCALATE_MINUTES)
    escalated = 0
    for alert in Alert.objects.due_escalation(now=now, after=after).select_related("visit__patient"):
        with transaction.atomic():
            # The conditional update is the claim: two overlapping runs escalate once.
            if not Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            queued = _queue_to_people(
                alert=alert,
                template=ESCALATION_TEMPLATE,
                people=_contacts(
                    settings.CLINIC_ESCALATION_EMAILS, settings.CLINIC_ESCALATION_PHONES, settings.CLINIC_STAFF_LANGUAGE
                ),
                stage="escalated",
            )
            audit.record("alert.escalated", obj=alert, patient=alert.visit.patient, details={"messages": queued})
            escalated += 1
    return escalated


# --- Messages to a patient -----------------------------------------------------------------------


def patient_channels(patient) -> dict[str, str]:
    """Where this patient can be reached: {"email": address, "sms": E.164 number}, each only if usable
    (a phone that parses, and texts not switched off for the patient)."""
    channels: dict[str, str] = {}
    if getattr(patient, "email", ""):
        channels[Channel.EMAIL] = patient.email
    number = textable_number(getattr(patient, "phone", ""))
    if number and not getattr(patient, "sms_opt_out", False) and sms.is_configured():
        channels[Channel.SMS] = number
    return channels


def queue_to_patient(
    *, patient, template: str, key: str, visit=None, context: dict | None = None, sms: bool = True
) -> list[Message]:
    """Queue one message per usable channel (email, and a text unless `sms` is off), in the visit's
    language. `key` makes it idempotent per channel: the same key again queues nothing new."""
    language = str(getattr(visit, "language", None) or getattr(patient, "preferred_language", "en"))
    queued = []
    for channel, recipient in patient_channels(patient).items():
        if channel == Channel.SMS and not sms:
            continue
        queued.append(
            queue_message(
                channel=channel,
                to=recipient,
                template=template,
                context=context or {},
                language=language,
                patient=patient,
                visit=visit,
                idempotency_key=f"{key}:{channel}",
            )
        )
    return queued


def contact_notes(patient) -> list[str]:
    """Plain notes for the patient's record when messages cannot reach them (staff-facing)."""
    notes = []
    phone = getattr(patient, "phone", "")
    if not getattr(patient, "email", "") and not phone:
        notes.append("No email or phone on file: no message can reach this patient. Print the link or call them.")
    if phone and textable_number(phone) is None:
        notes.append("The phone number on file cannot be texted (it is not a valid number). Check it with the patient.")
    if phone and getattr(patient, "sms_opt_out", False):
        notes.append("This patient asked not to get texts: links and reminders go by email only.")
    return notes
