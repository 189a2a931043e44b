"""What retention must reach in api's tables, which copy patient data without a foreign key to it.

Registered with intake's retention (intake/records/copies.py, docs/records.md):

- import previews (`ImportBatch.rows`: names, dates of birth, phones, emails): cleared once confirmed,
  or once IMPORT_ROWS_KEEP_DAYS have passed; a preview holding a row of a destroyed patient is cleared
  at once (reception uploads the file again). The batch stays: who, when, and its counts.
- stored API replies (`IdempotentReply.body`, which can hold the patient's details) and webhook
  deliveries (`WebhookDelivery.payload`: the patient's and visits' ids, external ids) that name a
  destroyed patient or one of their visits are deleted with the record.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from api.imports import clear_rows, rows_expired
from api.models import ExternalVisitId, IdempotentReply, ImportBatch, WebhookDelivery
from intake.patients.search import fold_for_search
from intake.records.copies import Counts, Keeper, register

BATCHES = "api.importbatch rows"


def expired(now: datetime.datetime) -> Counts:
    return {BATCHES: rows_expired(now).count()}


def clear_expired(now: datetime.datetime) -> Counts:
    return {BATCHES: clear_rows(rows_expired(now), now)}


def _is_theirs(row: dict, *, source: str, patient, external_ids: set[tuple[str, str]]) -> bool:
    if (source, row.get("external_id", "")) in external_ids:
        return True
    return (
        row.get("date_of_birth") == patient.date_of_birth.isoformat()
        and fold_for_search(row.get("first_name", "")) == fold_for_search(patient.first_name)
        and fold_for_search(row.get("last_name", "")) == fold_for_search(patient.last_name)
    )


def _naming(model: type[models.Model], field: str, ids: list[str]) -> models.QuerySet:
    """Rows whose JSON `field` holds any of these ids (as text, on SQLite and PostgreSQL alike)."""
    match = Q()
    for value in ids:
        match |= Q(json_text__contains=value)
    return model._default_manager.annotate(json_text=Cast(field, models.TextField())).filter(match)


def forget(patient, visit_ids: list) -> Counts:
    external_ids = set(ExternalVisitId.objects.filter(visit_id__in=visit_ids).values_list("source", "external_id"))
    holding = [
        batch.pk
        for batch in ImportBatch.objects.filter(rows_cleared_at__isnull=True).only("pk", "source", "rows")
        if any(_is_theirs(row, source=batch.source, patient=patient, external_ids=external_ids) for row in batch.rows)
    ]
    ids = [str(patient.pk), *(str(pk) for pk in visit_ids)]
    replies, _ = IdempotentReply.objects.filter(pk__in=_naming(IdempotentReply, "body", ids).values("pk")).delete()
    deliveries, _ = WebhookDelivery.objects.filter(
        pk__in=_naming(WebhookDelivery, "payload", ids).values("pk")
    ).delete()
    return {
        BATCHES: clear_rows(ImportBatch.objects.filter(pk__in=holding)),
        "api.idempotentreply": replies,
        "api.webhookdelivery": deliveries,
    }


register(Keeper(name="api", expired=expired, clear_expired=clear_expired, forget=forget))
