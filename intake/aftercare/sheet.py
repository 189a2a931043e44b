"""The aftercare advice for one treated visit, as page context and as the one-page PDF.

Used by the patient's aftercare pages and by the patient access pack (intake/records/pack.py).
"""

from __future__ import annotations

from django.utils import timezone, translation

from intake.aftercare import advice as aftercare
from intake.models import AdverseEvent, CheckIn, Patient, Visit, VisitRecord
from intake.regions import region_label, touches_chest_risk_area
from portal.pdf import render_pdf


def is_chest_risk(record: VisitRecord) -> bool:
    return bool(record.chest_risk_area or touches_chest_risk_area(record.regions))


def advice_context(*, record: VisitRecord, patient: Patient) -> dict:
    """The advice in the active language, tailored to the regions treated."""
    return {
        "record": record,
        "regions": [region_label(key) for key in record.regions],
        "chest_risk": is_chest_risk(record),
        # What the clinician recorded during the session changes what today's advice puts first.
        "felt_faint": AdverseEvent.FELT_FAINT in record.adverse_events,
        "bled": AdverseEvent.BLEEDING in record.adverse_events,
        "advice": aftercare.advice(aftercare.language_for()),
        "patient": patient,
    }


def windows(visit: Visit, record: VisitRecord) -> list[dict]:
    now = timezone.now()
    done = {checkin.window: checkin for checkin in visit.checkins.all()}
    labels = dict(CheckIn.Window.choices)
    rows = []
    for key, rules in aftercare.WINDOWS.items():
        rows.append(
            {
                "key": key,
                "label": labels[key],
                "state": str(rules.state(treated_at=record.treated_at, now=now)),
                "opens_at": rules.opens_at(record.treated_at),
                "late_after": rules.late_after(record.treated_at),
                "checkin": done.get(key),
                "action": str(aftercare.action_for(done[key].red_flags)) if key in done else "",
            }
        )
    return rows


def sheet_pdf(*, visit: Visit, record: VisitRecord, patient: Patient, language: str | None = None) -> bytes:
    """The one-page aftercare PDF; in `language` when given (the access pack), else the active one."""
    with translation.override(language or translation.get_language()):
        context = advice_context(record=record, patient=patient) | {"windows": windows(visit, record)}
        return render_pdf("intake/aftercare/pdf.html", context)
