"""Outgoing webhooks: events become signed deliveries, sent by a background task and retried for a day.

Signature: HMAC-SHA256 with the endpoint's secret over `timestamp + "." + body`, sent as
`X-Portal-Signature: sha256=<hex>` with `X-Portal-Timestamp` and `X-Portal-Webhook-Id`
(docs/integrations.md shows how to check it). Payloads carry ids and states, never health details
or link tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django_tasks import task

from api.models import Event, WebhookDelivery, WebhookEndpoint
from messaging.schedules import register

logger = logging.getLogger(__name__)

# Waits before each retry: about 20 hours in all, so a delivery is tried for a day, then given up.
BACKOFF = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
]
SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
ID_HEADER = "X-Portal-Webhook-Id"
EVENT_HEADER = "X-Portal-Event"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


# --- Payloads: ids and states only -----------------------------------------------------------------


def flag_level_name(level: int) -> str:
    """'none', 'plan', 'review' or 'stop': stable words, not the translated labels."""
    from intake.models import FlagLevel

    return FlagLevel(level).name.lower()


def _visit_data(visit) -> dict[str, Any]:
    return {
        "id": str(visit.pk),
        "patient_id": str(visit.patient_id),
        "external_ids": [{"source": e.source, "id": e.external_id} for e in visit.external_ids.all()],
        "progress": visit.progress,
        "flag_level": flag_level_name(visit.flag_level),
        "urgent": visit.urgent_since is not None,
    }


def object_data(obj: models.Model) -> dict[str, Any]:
    """What an event says about its object: ids and states. Unknown kinds (a course) give their id and
    their `state` or `status` if they have one, and their patient's id."""
    from consent.models import ConsentRecord
    from intake.models import CheckIn, ScreeningResponse, Visit

    if isinstance(obj, Visit):
        return {"visit": _visit_data(obj)}
    if isinstance(obj, ConsentRecord):
        return {
            "consent": {"id": str(obj.pk), "state": obj.status},
            "visit": _visit_data(obj.visit),
        }
    if isinstance(obj, ScreeningResponse):
        return {
            "screening": {"id": str(obj.pk), "flag_level": flag_level_name(obj.flag_level)},
            "visit": _visit_data(obj.visit),
        }
    if isinstance(obj, CheckIn):
        return {
            "checkin": {"id": str(obj.pk), "window": obj.window, "urgent": obj.urgent},
            "visit": _visit_data(obj.visit),
        }
    data: dict[str, Any] = {"id": str(obj.pk)}
    for field in ("state", "status"):
        if isinstance(getattr(obj, field, None), str):
            data[field] = getattr(obj, field)
    if patient_id := getattr(obj, "patient_id", None):
        data["patient_id"] = str(patient_id)
    return {obj._meta.model_name or "": data}


def emit_event(name: str, obj: models.Model) -> int:
    """Queue `name` about `obj` for every enabled endpoint that subscribed to it; returns how many.

    The deliveries are written in the caller's transaction and sent after it commits, so a rolled-back
    change never announces itself. Other apps (courses: `course.discharged`) call this directly.
    """
    if name not in Event.values:
        raise ValueError(f"unknown webhook event {name!r}")
    endpoints = [e for e in WebhookEndpoint.objects.filter(enabled=True) if name in e.events]
    if not endpoints:
        return 0
    data = object_data(obj)
    now = timezone.now()
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event=name, created_at=now, next_attempt_at=now)
        delivery.payload = {
            "id": str(delivery.pk),
            "event": name,
            "created_at": now.isoformat(timespec="seconds"),
            "data": data,
        }
        delivery.save()
        transaction.on_commit(partial(_enqueue, str(delivery.pk)), robust=True)
    return len(endpoints)


# --- Sending --------------------------------------------------------------------------------------


class DeliveryRefused(Exception):
    """The URL may not be called: wrong scheme, or an address the endpoint may not reach."""


def check_url(url: str, *, allow_private_network: bool) -> str | None:
    """The reason this URL is refused when registered, or None (the address is checked again at send)."""
    parts = urlsplit(url)
    allowed = ("https",) if settings.WEBHOOK_REQUIRE_HTTPS else ("https", "http")
    if parts.scheme not in allowed:
        return "The address must start with https://."
    if not parts.hostname:
        return "The address has no host name."
    if parts.username or parts.password:
        return "The address must not contain a user name or password."
    if not allow_private_network:
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return None  # a name: resolved and checked at every delivery
        if not address.is_global:
            return "That address is on a private network: tick “Allow a private network address” if it is yours."
    return None


def resolve_allowed(host: str, port: int, *, allow_private_network: bool) -> str:
    """One address for host, after checking every address it resolves to (no rebinding to a private one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DeliveryRefused("host name does not resolve") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise DeliveryRefused("host name does not resolve")
    if not allow_private_network:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise DeliveryRefused("host resolves to a private, loopback or link-local address")
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address already checked, with the certificate checked against the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(endpoint: WebhookEndpoint, body: bytes, headers: dict[str, str]) -> int:
    """POST once; the response status. Redirects are not followed (a 3xx counts as a failure)."""
    reason = check_url(endpoint.url, allow_private_network=endpoint.allow_private_network)
    if reason:
        raise DeliveryRefused(reason)
    parts = urlsplit(endpoint.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_allowed(parts.hostname or "", port, allow_private_network=endpoint.allow_private_network)
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = _PinnedHTTPSConnection(parts.hostname or "", address, port, timeout)
    else:
        conn = http.client.HTTPConnection(address, port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    try:
        conn.request("POST", path, body=body, headers={**headers, "Host": host_header or ""})
        response = conn.getresponse()
        response.read(64 * 1024)  # drain a little; the body is never stored
        return response.status
    finally:
        conn.close()


def _enqueue(delivery_id: str, run_after=None) -> None:
    if run_after is not None and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=run_after).enqueue(delivery_id)
    elif run_after is None:
        deliver_webhook.enqueue(delivery_id)
    # else: a backend without deferral leaves the retry to `manage.py retry_webhooks` (next_attempt_at)


@task()
def deliver_webhook(delivery_id: str) -> str:
    return attempt(delivery_id)


def _claim_lease() -> timedelta:
    """How long a claimed delivery is out of other workers' hands: longer than one POST can take
    (connect, then read, each up to the timeout), short enough that a worker killed mid-send is retried soon."""
    return timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT_SECONDS + 60)


def attempt(delivery_id: str) -> str:
    """Send one due delivery now; on failure schedule the next try, or give up after a day.

    No transaction is open during the POST: a slow receiver must not hold a row lock (other writers
    would wait, and SQLite would refuse them). The delivery is claimed in a short transaction by moving
    its next try past a lease, so a second worker finds it not due and skips it; the answer is recorded
    in a second short transaction. An endpoint that is off leaves its due deliveries alone: turning it
    back on re-queues them (`requeue_pending`).
    """
    now = timezone.now()
    claimed = _claim(delivery_id, now)
    if claimed is None:
        return "skipped"
    delivery, lease_until = claimed
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "dry-needling-portal-webhooks/1",
        ID_HEADER: str(delivery.pk),
        EVENT_HEADER: delivery.event,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
    }
    status_code, error = None, ""
    try:
        status_code = post(endpoint, body, headers)
        if not 200 <= status_code < 300:
            error = f"answered {status_code}" + (" (redirects are not followed)" if 300 <= status_code < 400 else "")
    except DeliveryRefused as exc:
        error = f"refused: {exc}"
    except TimeoutError:
        error = "timed out"
    except (OSError, http.client.HTTPException) as exc:
        error = f"connection failed ({type(exc).__name__})"
    return _record(delivery_id, lease_until, now, status_code, error)


def _claim(delivery_id: str, now: datetime) -> tuple[WebhookDelivery, datetime] | None:
    """The delivery and the end of this worker's lease on it, or None when it is not due, taken by
    another worker, or its endpoint is off."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None or not delivery.endpoint.enabled:
            return None
        lease_until = now + _claim_lease()
        delivery.next_attempt_at = lease_until
        delivery.save(update_fields=["next_attempt_at"])
    return delivery, lease_until


def _record(delivery_id: str, lease_until: datetime, now: datetime, status_code: int | None, error: str) -> str:
    """Write one try's outcome, if this worker still holds the delivery (its lease not taken over)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at=lease_until)
            .first()
        )
        if delivery is None:
            return "skipped"  # the lease ran out and another worker took the delivery over
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code = status_code
        delivery.last_error = error[:200]
        if not error:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.next_attempt_at = None
        elif delivery.attempts <= len(BACKOFF):
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
            transaction.on_commit(partial(_enqueue, str(delivery.pk), run_after=delivery.next_attempt_at), robust=True)
        else:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            if delivery.endpoint.enabled:  # an admin may have turned it off during the POST
                _disable(delivery.endpoint, reason=f"a delivery failed for a day ({error[:80]})", at=now)
        delivery.save()
    return delivery.status


def _disable(endpoint: WebhookEndpoint, *, reason: str, at: datetime) -> None:
    """Stop sending to an endpoint that has failed for a day, and tell the clinic admins by email."""
    from api.services import notify_admins_endpoint_disabled

    endpoint.enabled = False
    endpoint.disabled_reason = reason[:200]
    endpoint.save(update_fields=["enabled", "disabled_reason"])
    from portal import audit

    audit.record("webhook.disabled", obj=endpoint, details={"reason": "failed for a day"})
    notify_admins_endpoint_disabled(endpoint=endpoint, disabled_at=at)


def retry_due(now=None) -> int:
    """Send every delivery whose retry time has come (for task backends that cannot defer); returns how many."""
    ids = list(WebhookDelivery.objects.due(now).values_list("pk", flat=True)[:500])
    for pk in ids:
        attempt(str(pk))
    return len(ids)


def requeue_pending(endpoint: WebhookEndpoint) -> int:
    """After an endpoint is turned back on, send now every delivery whose try came due while it was off:
    those tries were skipped, and nothing else would enqueue them again. Returns how many."""
    ids = [str(pk) for pk in WebhookDelivery.objects.filter(endpoint=endpoint).due().values_list("pk", flat=True)]
    for pk in ids:
        transaction.on_commit(partial(_enqueue, pk), robust=True)
    return len(ids)


# A deferred retry's task normally runs on time; one still due after this was lost (a worker killed
# mid-send, a task row lost). Without deferral (the immediate backend) every due retry is rescued at once.
LOST_TASK_GRACE = timedelta(minutes=5)


@register("api.webhook_retries")
def requeue_lost(now: datetime) -> int:
    """The `run_schedules` job: enqueue again the due deliveries no task will send. An extra enqueue is
    harmless (the claim in `attempt` skips a delivery that is not due or already taken)."""
    grace = LOST_TASK_GRACE if deliver_webhook.get_backend().supports_defer else timedelta(0)
    ids = list(WebhookDelivery.objects.due(now - grace).values_list("pk", flat=True)[:500])
    for pk in ids:
        _enqueue(str(pk))
    return len(ids)
