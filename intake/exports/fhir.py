"""One patient's record as a FHIR R4 Bundle: Patient, a QuestionnaireResponse per screening, and a
Consent per signed consent with its PDF attached.

Plain dicts built here; tests validate them with the `fhir.resources` package (its R4B models, which
match R4 for these three resources). Resource ids are the portal's UUIDs, so references are stable.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone

from intake.models import Patient, Visit
from intake.staff.display import score_rows

FHIR_BASE = "urn:uuid:"


def _instant(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _ref(resource_type: str, pk) -> dict:
    return {"reference": f"{FHIR_BASE}{pk}", "type": resource_type}


def patient_resource(patient: Patient) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [{"system": f"{settings.SITE_URL}/patients", "value": str(patient.pk)}],
        "name": [{"use": "official", "family": patient.last_name, "given": [patient.first_name]}],
        "birthDate": patient.date_of_birth.isoformat(),
        "communication": [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": patient.preferred_language}]}}
        ],
    }
    if patient.preferred_name:
        resource["name"].append({"use": "usual", "given": [patient.preferred_name]})
    telecom = []
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    if telecom:
        resource["telecom"] = telecom
    if patient.emergency_contact_name or patient.emergency_contact_phone:
        contact: dict[str, Any] = {
            "relationship": [{"text": patient.emergency_contact_relationship or "Emergency contact"}]
        }
        if patient.emergency_contact_name:
            contact["name"] = {"text": patient.emergency_contact_name}
        if patient.emergency_contact_phone:
            contact["telecom"] = [{"system": "phone", "value": patient.emergency_contact_phone}]
        resource["contact"] = [contact]
    return resource


def _answer(value) -> list[dict]:
    """FHIR answers for one stored value; lists become several answers."""
    values = value if isinstance(value, list) else [value]
    answers = []
    for item in values:
        if item is None or item == "":
            continue
        if isinstance(item, bool):
            answers.append({"valueBoolean": item})
        elif isinstance(item, int):
            answers.append({"valueInteger": item})
        elif isinstance(item, float):
            answers.append({"valueDecimal": item})
        else:
            answers.append({"valueString": str(item)})
    return answers


def questionnaire_response(visit: Visit, patient_pk) -> dict[str, Any] | None:
    screening = getattr(visit, "screening", None)
    if screening is None:
        return None
    items = []
    for key, value in (screening.answers or {}).items():
        item: dict[str, Any] = {"linkId": str(key), "text": str(key).replace("_", " ")}
        answers = _answer(value) if not isinstance(value, dict) else [{"valueString": str(value)}]
        if answers:
            item["answer"] = answers
        items.append(item)
    scores = [
        {"linkId": f"score.{key}", "text": label, "answer": [{"valueString": text}]}
        for key, (label, text) in zip(screening.scores or {}, score_rows(screening.scores), strict=True)
        if text
    ]
    if scores:
        items.append({"linkId": "scores", "text": "Scores computed by the portal", "item": scores})
    flags = [
        {
            "linkId": f"flag.{flag.get('code', index)}",
            "text": flag.get("title", ""),
            "answer": [{"valueString": flag.get("rule", "")}],
        }
        for index, flag in enumerate(screening.flags or [])
        if flag.get("rule")
    ]
    if flags:
        items.append({"linkId": "flags", "text": "Flags raised, with their rules", "item": flags})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(screening.pk),
        "questionnaire": f"{settings.SITE_URL}/questionnaires/screening|{screening.questionnaire_version or 'unknown'}",
        "status": "completed" if screening.submitted_at else "in-progress",
        "subject": _ref("Patient", patient_pk),
        "authored": _instant(screening.submitted_at or screening.updated_at),
    }
    if items:
        resource["item"] = items
    return resource


def _pdf_attachment(file, title: str, created) -> dict[str, Any]:
    attachment: dict[str, Any] = {"contentType": "application/pdf", "title": title, "creation": _instant(created)}
    with file.open("rb") as handle:
        data = handle.read()
    attachment["data"] = base64.b64encode(data).decode("ascii")
    attachment["size"] = len(data)
    attachment["hash"] = base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")  # noqa: S324 - FHIR R4 mandates SHA-1
    return attachment


def paper_consent_resource(visit: Visit, patient_pk) -> dict[str, Any]:
    """The clinic's paper consent for a visit, with its scan: a Consent whose source is the scanned form."""
    return {
        "resourceType": "Consent",
        # A stable UUID of its own (fullUrl is urn:uuid:<id>), derived from the visit.
        "id": str(uuid.uuid5(visit.pk, "paper-consent")),
        "status": "active",
        "scope": CONSENT_SCOPE,
        "category": CONSENT_CATEGORY,
        "patient": _ref("Patient", patient_pk),
        "dateTime": _instant(visit.paper_consent_at),
        "policyRule": {"text": "Consent on paper, scanned copy attached"},
        "sourceAttachment": _pdf_attachment(visit.paper_consent_scan, "Scanned paper consent", visit.paper_consent_at),
        "provision": {"type": "permit"},
    }


CONSENT_SCOPE = {
    "coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "treatment", "display": "Treatment"}
    ]
}
CONSENT_CATEGORY = [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}]


def consent_resource(record, patient_pk) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "contentType": "application/pdf",
        "title": f"Signed consent {record.consent_version.title} v{record.consent_version.version}",
        "creation": _instant(record.signed_at),
    }
    if record.pdf:
        with record.pdf.open("rb") as handle:
            data = handle.read()
        attachment["data"] = base64.b64encode(data).decode("ascii")
        attachment["size"] = len(data)
        attachment["hash"] = base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")  # noqa: S324 - FHIR R4 mandates SHA-1
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": str(record.pk),
        "status": "inactive" if record.withdrawn_at else "active",
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "treatment",
                    "display": "Treatment",
                }
            ]
        },
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}],
        "patient": _ref("Patient", patient_pk),
        "dateTime": _instant(record.signed_at),
        "policyRule": {"text": f"{record.consent_version.key} version {record.consent_version.version}"},
        "sourceAttachment": attachment,
        "provision": {"type": "permit"},
    }
    if record.withdrawn_at:
        resource["provision"]["period"] = {"end": _instant(record.withdrawn_at)}
    return resource


def patient_bundle(patient: Patient) -> dict[str, Any]:
    visits = list(
        patient.visits.select_related("screening")
        .prefetch_related("consents__consent_version")
        .order_by("scheduled_at")
    )
    resources = [patient_resource(patient)]
    for visit in visits:
        response = questionnaire_response(visit, patient.pk)
        if response is not None:
            resources.append(response)
        resources.extend(consent_resource(record, patient.pk) for record in visit.consents.all())
        if visit.consent_on_paper:
            resources.append(paper_consent_resource(visit, patient.pk))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _instant(timezone.now()),
        "entry": [{"fullUrl": f"{FHIR_BASE}{resource['id']}", "resource": resource} for resource in resources],
    }
