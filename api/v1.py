"""The integration API, version 1, at /api/v1/ (django-ninja: pydantic schemas, OpenAPI, Swagger UI).

Every call: a bearer token (api/tokens.py) that must be usable from the caller's address, a body cap,
a per-token rate limit and the scope the endpoint needs. Every error is a problem document
(api/problems.py). Every call, answered or refused, writes one `api.call` audit event
(api/middleware.py); reads and writes of a record add that record's own event here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import AwareDatetime, Field

from api import services
from api.fhir_appointment import AppointmentProblem, to_visit
from api.models import IdempotentReply, IntegrationToken, Scope
from api.problems import Problem, field_errors, invalid, problem_response
from api.schemas import ProblemOut, VisitIn, VisitOut, VisitPage
from api.tokens import address_allowed, find_token
from api.webhooks import flag_level_name
from consent.models import ConsentRecord
from intake.models import PROGRESS_STAMPS, Patient, Visit
from intake.patients.services import CourseDischarged
from portal import audit
from portal.audit import client_ip
from portal.models import User

logger = logging.getLogger(__name__)

ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 413, 422, 429), ProblemOut)


# --- Authentication, limits and scopes ------------------------------------------------------------


def _refuse(request: HttpRequest, token: IntegrationToken | None, status: int, code: str, title: str, detail: str = ""):
    audit.record("api.refused", request=request, obj=token, details={**services.token_details(token), "code": code})
    headers = {"WWW-Authenticate": 'Bearer realm="api"'} if status == 401 else {}
    raise Problem(status, code, title, detail, headers=headers)


def _check_body_size(request: HttpRequest) -> None:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    limit = settings.API_MAX_BODY_BYTES
    if declared > limit or len(request.body) > limit:
        raise Problem(413, "body_too_large", "Request body too large", f"Send at most {limit} bytes.")


def _check_rate(token: IntegrationToken) -> None:
    """A fixed one-minute window per token in the shared cache (Redis in production)."""
    now = time.time()
    key = f"api:rate:{token.pk}:{int(now // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > settings.API_RATE_LIMIT_PER_MINUTE:
        raise Problem(
            429,
            "rate_limited",
            "Too many requests",
            f"This token may make {settings.API_RATE_LIMIT_PER_MINUTE} calls a minute.",
            headers={"Retry-After": str(60 - int(now % 60))},
        )


class TokenAuth(HttpBearer):
    """`Authorization: Bearer dnp_...`. Overrides ninja's check, which would log a malformed header."""

    def __call__(self, request: HttpRequest) -> IntegrationToken:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            _check_body_size(request)
            _refuse(
                request, None, 401, "token_missing", "Authentication required", "Send Authorization: Bearer <token>."
            )
        token = self.authenticate(request, secret.strip())
        _check_body_size(request)  # after the token is known, so the call's audit event names it
        return token

    def authenticate(self, request: HttpRequest, token: str) -> IntegrationToken:
        found, reason = find_token(token)
        request.api_token = found  # type: ignore[attr-defined]  # for the call's audit event (api/middleware.py)
        if found is None or reason:
            _refuse(request, found, 401, f"token_{reason}", "Authentication failed", f"The token is {reason}.")
        assert found is not None
        if not address_allowed(found, client_ip(request)):
            _refuse(
                request,
                found,
                403,
                "address_not_allowed",
                "Address not allowed",
                "This token is not allowed from your address.",
            )
        _check_rate(found)
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            IntegrationToken.objects.filter(pk=found.pk).update(last_used_at=now)  # at most once a minute
        return found


def need(request: HttpRequest, scope: Scope) -> IntegrationToken:
    token: IntegrationToken = request.auth  # type: ignore[attr-defined]
    if scope not in token.scopes:
        _refuse(
            request, token, 403, "missing_scope", "Missing scope", f"This call needs a token with the {scope} scope."
        )
    return token


api = NinjaAPI(
    title="Dry-needling portal integration API",
    version="1",
    description="Appointments in, journey progress out. Errors are RFC 9457 problem details (docs/integrations.md).",
    auth=TokenAuth(),
    urls_namespace="api-v1",
)


# --- Errors: one shape for every 4xx --------------------------------------------------------------


@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    extra = dict(exc.extra)
    headers = extra.pop("headers", None)
    return problem_response(exc.status, exc.code, exc.title, exc.detail, headers=headers, **extra)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    return problem_response(
        422,
        "validation_failed",
        "Invalid request",
        "Some fields are missing or wrong.",
        errors=field_errors(exc.errors),
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(401, "token_missing", "Authentication required", headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400:
        return problem_response(400, "invalid_json", "Malformed request body", "The body is not valid JSON.")
    return problem_response(exc.status_code, "error", str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(404, "not_found", "Not found", "No such record, or not visible to this token.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return problem_response(413, "body_too_large", "Request body too large")


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.error("API call failed: %s", type(exc).__name__)  # the type only: no data in logs
    return problem_response(500, "internal_error", "Something went wrong on our side", "Try again later.")


# --- Reading visits -------------------------------------------------------------------------------


def _visits():
    return Visit.objects.select_related("patient", "clinician", "screening").prefetch_related(
        "external_ids", Prefetch("consents", queryset=ConsentRecord.objects.order_by("-signed_at"))
    )


def _get_visit(visit_id) -> Visit:
    try:
        return _visits().get(pk=visit_id)
    except (Visit.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def visit_out(request: HttpRequest, visit: Visit, token: IntegrationToken, **extra: Any) -> dict[str, Any]:
    screening = getattr(visit, "screening", None)
    with_answers = Scope.ANSWERS_READ in token.scopes
    flags = []
    for flag in (screening.flags if screening else None) or []:
        item = {"code": str(flag.get("code", "")), "level": flag_level_name(int(flag.get("level", 0)))}
        if with_answers:
            item.update(title=flag.get("title"), rule=flag.get("rule"), answer=flag.get("answer"))
        flags.append(item)
    records = list(visit.consents.all())
    record = records[0] if records else None
    consent: dict[str, Any] = {"state": "none"}
    if record is not None:
        consent = {
            "state": record.status,
            "id": str(record.pk),
            "signed_at": record.signed_at,
            "withdrawn_at": record.withdrawn_at,
            "pdf_url": request.build_absolute_uri(reverse("api-v1:consent_pdf", args=[record.pk])),
        }
    data: dict[str, Any] = {
        "id": str(visit.pk),
        "patient_id": str(visit.patient_id),
        "external_ids": [{"source": e.source, "id": e.external_id} for e in visit.external_ids.all()],
        "scheduled_at": visit.scheduled_at,
        "language": visit.language,
        "clinician": visit.clinician.username if visit.clinician else None,
        "progress": visit.progress,
        "steps": {stamp: getattr(visit, stamp) for _, stamp in PROGRESS_STAMPS},
        "flag_level": flag_level_name(visit.flag_level),
        "flags": flags,
        "urgent": visit.urgent_since is not None,
        "consent": consent,
        "updated_at": visit.updated_at,
        **extra,
    }
    if Scope.PATIENTS_READ in token.scopes:
        p = visit.patient
        data["patient"] = {
            "id": str(p.pk),
            "first_name": p.first_name,
            "last_name": p.last_name,
            "date_of_birth": p.date_of_birth,
            "email": p.email,
            "phone": p.phone,
            "language": p.preferred_language,
        }
    return data


def _read_details(token: IntegrationToken) -> dict:
    return {
        **services.token_details(token),
        "patient_fields": Scope.PATIENTS_READ in token.scopes,
        "answers": Scope.ANSWERS_READ in token.scopes,
    }


@api.get("/visits/{visit_id}", response={200: VisitOut, **ERRORS}, url_name="visit", summary="Read a visit")
def read_visit(request: HttpRequest, visit_id: str):
    """Progress, flags (codes and levels; the answers with answers:read) and consent state. Scope visits:read."""
    token = need(request, Scope.VISITS_READ)
    visit = _get_visit(visit_id)
    audit.record("api.visit_read", request=request, obj=visit, patient=visit.patient, details=_read_details(token))
    return visit_out(request, visit, token)


class ListFilters(Schema):
    changed_since: AwareDatetime | None = Field(None, description="Only visits changed after this time")
    external_id: str | None = Field(None, max_length=200, description="Only the visit with this id (your source)")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


_CURSOR_SALT = "api.v1.visits.cursor"


@api.get("/visits", response={200: VisitPage, **ERRORS}, url_name="visits", summary="List visits changed since a time")
def list_visits(request: HttpRequest, filters: Query[ListFilters]):
    """Oldest change first, paged by an opaque cursor. Poll with the time of your last poll minus a minute
    (a change is stamped when saved; a slow transaction can commit a moment later). Scope visits:read."""
    token = need(request, Scope.VISITS_READ)
    visits = _visits().order_by("updated_at", "id")
    if filters.changed_since is not None:
        visits = visits.filter(updated_at__gt=filters.changed_since)
    if filters.external_id:
        visits = visits.filter(external_ids__source=token.source, external_ids__external_id=filters.external_id)
    if filters.cursor:
        try:
            position = signing.loads(filters.cursor, salt=_CURSOR_SALT)
            after = datetime.fromisoformat(position["t"])
            visits = visits.filter(Q(updated_at__gt=after) | Q(updated_at=after, id__gt=position["id"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise invalid({"parameter": "cursor", "in": "query", "detail": "This cursor is not valid."}) from None
    page = list(visits[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    next_cursor = (
        signing.dumps({"t": page[-1].updated_at.isoformat(), "id": str(page[-1].pk)}, salt=_CURSOR_SALT)
        if more
        else None
    )
    audit.record("api.visits_listed", request=request, details={**_read_details(token), "count": len(page)})
    return {"items": [visit_out(request, v, token) for v in page], "next_cursor": next_cursor}


# --- Writing visits -------------------------------------------------------------------------------


def _idempotent(request: HttpRequest, token: IntegrationToken, body: Any, work) -> HttpResponse:
    """Run `work()` -> (status, data) once per Idempotency-Key: the same key and body replay the first
    reply; the same key with another body is refused (422)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, data = work()
        return JsonResponse(data, status=status)
    if len(key) > 200:
        raise invalid({"parameter": "Idempotency-Key", "in": "header", "detail": "At most 200 characters."})
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()

    def replay(stored: IdempotentReply) -> HttpResponse:
        if stored.request_hash != digest:
            raise Problem(
                422,
                "idempotency_key_reused",
                "Idempotency key already used",
                "This Idempotency-Key was used with a different body. Use a new key for a new request.",
            )
        response = JsonResponse(stored.body, status=stored.status_code)
        response["Idempotent-Replayed"] = "true"
        return response

    stored = IdempotentReply.objects.filter(token=token, key=key).first()
    if stored is not None:
        return replay(stored)
    try:
        with transaction.atomic():
            status, data = work()
            IdempotentReply.objects.create(
                token=token,
                key=key,
                request_hash=digest,
                status_code=status,
                body=json.loads(json.dumps(data, default=str)),
            )
    except IntegrityError:
        stored = IdempotentReply.objects.filter(token=token, key=key).first()
        if stored is None:
            raise
        return replay(stored)
    return JsonResponse(data, status=status)


def _clinician(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not user.is_clinician:
        raise invalid({"pointer": "#/clinician", "detail": "No active clinician has this username."})
    return user


def _save_visit(request: HttpRequest, token: IntegrationToken, payload: VisitIn, action: str):
    def work():
        try:
            result = services.upsert_visit(
                source=token.source,
                external_id=payload.external_id,
                first_name=payload.patient.first_name,
                last_name=payload.patient.last_name,
                date_of_birth=payload.patient.date_of_birth,
                scheduled_at=payload.scheduled_at,
                email=payload.patient.email,
                phone=payload.patient.phone,
                language=payload.patient.language,
                clinician=_clinician(payload.clinician),
                send=payload.send_link,
                token=token,
                request=request,
            )
        except CourseDischarged:
            raise Problem(
                409,
                "course_discharged",
                "The patient's course of care is discharged",
                "A new visit for this patient needs a new course of care: ask the clinic to start one.",
            ) from None
        except services.ExternalIdConflict:
            raise Problem(
                409,
                "external_id_conflict",
                "External id belongs to another patient",
                "This external id already names a visit of a different patient (name or date of birth differ).",
            ) from None
        audit.record(
            action,
            request=request,
            obj=result.visit,
            patient=result.visit.patient,
            details={**services.token_details(token), "created": result.created, "fields": result.changed},
        )
        data = visit_out(request, _get_visit(result.visit.pk), token, link_sent=result.link_sent)
        return (201 if result.created else 200), json.loads(VisitOut(**data).model_dump_json())

    return _idempotent(request, token, payload.model_dump(mode="json"), work)


@api.post(
    "/visits",
    response={200: VisitOut, 201: VisitOut, **ERRORS},
    url_name="visits_upsert",
    summary="Create or update a visit by external id",
)
def upsert_visit(request: HttpRequest, payload: VisitIn):
    """Creates the patient (or reuses an exact match on name and date of birth) and the visit, or
    updates the visit's time, clinician and language when the external id is known (201 / 200).
    Honours `Idempotency-Key`. Scope visits:write."""
    token = need(request, Scope.VISITS_WRITE)
    return _save_visit(request, token, payload, "api.visit_saved")


_APPOINTMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/fhir+json": {"schema": {"type": "object", "description": "A FHIR R4 Appointment"}},
            "application/json": {"schema": {"type": "object", "description": "A FHIR R4 Appointment"}},
        },
    }
}


@api.post(
    "/fhir/Appointment",
    response={200: VisitOut, 201: VisitOut, **ERRORS},
    url_name="fhir_appointment",
    summary="Create or update a visit from a FHIR R4 Appointment",
    openapi_extra=_APPOINTMENT_BODY,
)
def fhir_appointment(request: HttpRequest, send_link: bool = False):
    """The Appointment must contain its Patient (see docs/integrations.md). Honours `Idempotency-Key`.
    Scope fhir:write."""
    token = need(request, Scope.FHIR_WRITE)
    try:
        data = json.loads(request.body or b"null")
    except (UnicodeDecodeError, ValueError):
        raise Problem(400, "invalid_json", "Malformed request body", "The body is not valid JSON.") from None
    try:
        payload = to_visit(data, send_link=send_link)
    except AppointmentProblem as exc:
        raise Problem(
            422, "validation_failed", "Invalid Appointment", "Some fields are missing or wrong.", errors=exc.errors
        ) from None
    return _save_visit(request, token, payload, "api.fhir_appointment_saved")


# --- Consent PDFs and FHIR bundles ----------------------------------------------------------------


@api.get(
    "/consents/{consent_id}/pdf",
    response={200: None, **ERRORS},
    url_name="consent_pdf",
    summary="Download a sealed consent PDF",
    openapi_extra={"responses": {200: {"description": "The sealed PDF", "content": {"application/pdf": {}}}}},
)
def consent_pdf(request: HttpRequest, consent_id: str):
    """The signed, sealed PDF exactly as stored (check it with `manage.py verify_consent`). Scope consents:read."""
    token = need(request, Scope.CONSENTS_READ)
    try:
        record = ConsentRecord.objects.select_related("visit__patient").get(pk=consent_id)
    except (ConsentRecord.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    if not record.pdf:
        raise Http404
    audit.record(
        "consent.pdf_downloaded",
        request=request,
        obj=record,
        patient=record.visit.patient,
        details={**services.token_details(token), "via": "api"},
    )
    response = FileResponse(
        record.pdf.open("rb"), content_type="application/pdf", as_attachment=True, filename=f"consent-{record.pk}.pdf"
    )
    response["Cache-Control"] = "no-store"
    return response


@api.get(
    "/fhir/Patient/{patient_id}/Bundle",
    response={200: dict, **ERRORS},
    url_name="fhir_bundle",
    summary="Read a patient's record as a FHIR R4 Bundle",
)
def fhir_bundle(request: HttpRequest, patient_id: str):
    """The same Bundle as the staff export: Patient, QuestionnaireResponses, Consents with their PDFs.
    Scope fhir:read."""
    from intake.exports.fhir import patient_bundle

    token = need(request, Scope.FHIR_READ)
    try:
        patient = Patient.objects.get(pk=patient_id)
    except (Patient.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    bundle = patient_bundle(patient)
    audit.record(
        "patient.exported_fhir",
        request=request,
        obj=patient,
        patient=patient,
        details={**services.token_details(token), "entries": len(bundle["entry"]), "via": "api"},
    )
    response = JsonResponse(bundle, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/fhir+json; charset=utf-8"
    response["Cache-Control"] = "no-store"
    return response
