"""The access report: who looked at, downloaded or changed a patient's data, when and from where.

Read from the audit log (portal/audit.py), which every view writes. Shown to the clinic admin on the
patient record and given to the patient, in their language, inside the access pack.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.models import Patient
from portal.models import AuditEvent

# The actions a patient will ask about, in plain words; any other action is shown by its name.
ACTION_WORDS = {
    "patient.viewed": gettext_lazy("Opened your record"),
    "patient.edit_opened": gettext_lazy("Opened your details to edit them"),
    "patient.exported_fhir": gettext_lazy("Downloaded your record (FHIR)"),
    "patient.access_pack_downloaded": gettext_lazy("Downloaded your access pack"),
    "patient.access_report_viewed": gettext_lazy("Looked at this access report"),
    "patient.legal_hold_set": gettext_lazy("Placed a legal hold on your record"),
    "patient.legal_hold_released": gettext_lazy("Released the legal hold on your record"),
    "screening.viewed": gettext_lazy("Looked at your health questions"),
    "screening.reviewed": gettext_lazy("Reviewed your health answers"),
    "consent.viewed": gettext_lazy("Looked at your consent"),
    "consent.pdf_downloaded": gettext_lazy("Downloaded your consent form"),
    "consent.confirmed": gettext_lazy("Confirmed your consent"),
    "aftercare.pdf_downloaded": gettext_lazy("Downloaded your aftercare sheet"),
    "visit_record.opened": gettext_lazy("Opened your visit notes"),
    "link.viewed": gettext_lazy("Looked at your private link"),
    "link.printed": gettext_lazy("Printed your private link"),
    "link.emailed": gettext_lazy("Emailed you your private link"),
}


@dataclass(frozen=True)
class AccessRow:
    at: datetime.datetime
    who: str
    role: str
    action: str
    what: str
    where: str


def events_about(patient: Patient) -> QuerySet[AuditEvent]:
    """Every audit event about this patient, oldest first, with the acting staff member and their roles."""
    return (
        AuditEvent.objects.filter(patient=patient)
        .select_related("actor")
        .prefetch_related("actor__groups")
        .order_by("at", "id")
    )


def _who(event: AuditEvent) -> tuple[str, str]:
    if event.actor is not None:
        name = event.actor.get_full_name() or event.actor.username
        return name, ", ".join(sorted(group.name for group in event.actor.groups.all()))
    if event.access_link_id:
        return _("You (your private link)"), ""
    return _("The portal (automatic)"), ""


def access_rows(events) -> list[AccessRow]:
    rows = []
    for event in events:
        who, role = _who(event)
        words = ACTION_WORDS.get(event.action)
        rows.append(
            AccessRow(
                at=timezone.localtime(event.at),
                who=who,
                role=role,
                action=event.action,
                what=str(words) if words else event.action,
                where=event.ip or "",
            )
        )
    return rows
