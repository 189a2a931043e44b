"""Appointment import by file: upload, preview row by row, confirm (reception and clinic admin)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from api import imports
from api.forms import ImportForm
from api.models import ImportBatch
from api.services import ExternalIdConflict
from portal import audit
from portal.access import AuthenticatedHttpRequest, get_for_staff, role_required
from portal.roles import Role


@role_required(Role.RECEPTION)
@never_cache
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial = ImportForm.initial_from(imports.saved_mapping("csv"), imports.saved_mapping("ics"))
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    file_problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.prepare(
                kind=form.kind,
                data=form.cleaned_data["file"].read(),
                mapping=form.mapping(),
                by=request.user,
                request=request,
            )
        except imports.FileProblem as exc:
            file_problem = str(exc)
            audit.record("import.refused", request=request, details={"kind": form.kind})
        else:
            return redirect("integrations:import_preview", batch_id=batch.pk)
    else:
        audit.record("import.form_viewed", request=request)
    return render(
        request,
        "api/import_upload.html",
        {"form": form, "file_problem": file_problem},
        status=400 if file_problem else 200,
    )


@role_required(Role.RECEPTION)
@never_cache
def preview(request: AuthenticatedHttpRequest, batch_id) -> HttpResponse:
    batch = get_for_staff(request, ImportBatch.objects.filter(created_by=request.user), batch_id)
    if request.method == "POST" and batch.confirmed_at is None:
        try:
            created = imports.confirm(
                batch=batch, send_links=request.POST.get("send_links") == "on", by=request.user, request=request
            )
        except (imports.ImportRefused, ExternalIdConflict) as exc:
            messages.error(
                request, str(exc) or "An appointment id now belongs to another patient. Upload the file again."
            )
        else:
            messages.success(request, f"Imported: {created} new visit{'s' if created != 1 else ''}.")
        return redirect("integrations:import_preview", batch_id=batch.pk)
    summary = imports.counts(batch)
    audit.record("import.preview_viewed", request=request, obj=batch, details=summary)
    return render(
        request,
        "api/import_preview.html",
        {
            "batch": batch,
            "rows": [_with_time(row) for row in batch.rows],
            "today": timezone.localdate(),
            "tomorrow": timezone.localdate() + timedelta(days=1),
            "summary": summary,
            "has_errors": any(row["verdict"] == imports.Verdict.ERROR for row in batch.rows),
            "to_create": sum(
                row["verdict"] in (imports.Verdict.NEW_PATIENT, imports.Verdict.MATCHED) for row in batch.rows
            ),
        },
    )


def _with_time(row: dict) -> dict:
    """The row with its appointment as a datetime, so the page shows it in clinic time like the board
    (the stored text keeps the file's own offset)."""
    when = datetime.fromisoformat(row["scheduled_at"]) if row["scheduled_at"] else None
    return {**row, "when": when}
