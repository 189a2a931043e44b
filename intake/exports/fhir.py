"""One patient's record as a FHIR R4 Bundle: Patient, an EpisodeOfCare per course of care, an Encounter per
visit (in its episode), a QuestionnaireResponse per screening or "since your last session" and per set of
outcome measures (in its encounter), an Observation per score (linked to the patient, the encounter and the
response), the Questionnaires those responses answer, and a Consent per signed consent with its PDF attached
(its provision names the encounter and episode it was signed in).

Plain dicts built here; tests validate them with the `fhir.resources` package (its R4B models, which
match R4 for these three resources). Resource ids are the portal's UUIDs, so references are stable.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone

from intake.models import Course, OutcomeResponse, Patient, Visit
from intake.questionnaires import Definition, load
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


def _answer(value: object) -> list[dict[str, object]]:
    """FHIR answers for one stored value; lists become several answers."""
    values = value if isinstance(value, list) else [value]
    answers: list[dict[str, object]] = []
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


def episode_of_care(course: Course, patient_pk) -> dict[str, Any]:
    period = {"start": _instant(course.opened_at)}
    if course.discharged_at:
        period["end"] = _instant(course.discharged_at)
    resource: dict[str, Any] = {
        "resourceType": "EpisodeOfCare",
        "id": str(course.pk),
        "status": "active" if course.is_active else "finished",
        "patient": _ref("Patient", patient_pk),
        "period": period,
    }
    if course.complaint:
        resource["type"] = [{"text": course.complaint}]
    return resource


def encounter(visit: Visit, number: int, patient_pk) -> dict[str, Any]:
    start = visit.record.treated_at if hasattr(visit, "record") else visit.scheduled_at
    return {
        "resourceType": "Encounter",
        "id": str(visit.pk),
        "status": "finished" if visit.visited_at else "planned",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory"},
        "type": [{"text": f"Dry needling, session {number} of the course"}],
        "subject": _ref("Patient", patient_pk),
        "episodeOfCare": [_ref("EpisodeOfCare", visit.course_id)],
        "period": {"start": _instant(start)},
    }


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
    version = screening.questionnaire_version or "unknown"
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(screening.pk),
        "questionnaire": f"{settings.SITE_URL}/questionnaires/{screening.questionnaire}|{version}",
        "status": "completed" if screening.submitted_at else "in-progress",
        "subject": _ref("Patient", patient_pk),
        "encounter": _ref("Encounter", visit.pk),
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
        # The session it was signed in, and the course it covers.
        "provision": {
            "type": "permit",
            "data": [
                {"meaning": "related", "reference": _ref("Encounter", record.visit_id)},
                {"meaning": "related", "reference": _ref("EpisodeOfCare", record.visit.course_id)},
            ],
        },
    }
    if record.withdrawn_at:
        resource["provision"]["period"] = {"end": _instant(record.withdrawn_at)}
    return resource


# --- Questionnaires and scores as Observations ----------------------------------------------------

LOINC = "http://loinc.org"
# Scores without a LOINC code get a code from the portal's own code system.
LOCAL_SCORES = "urn:dry-needling-portal:scores"
# (score path in the stored scores, LOINC code or None, display)
SCORE_CODES: dict[str, list[tuple[str, str | None, str]]] = {
    "screening": [
        ("nprs.now.score", "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
        ("nprs.worst.score", None, "Pain at its worst in the last week, 0-10"),
        ("nprs.best.score", None, "Pain at its best in the last week, 0-10"),
        ("gad7.total", "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
        ("procedure_anxiety.score", None, "Anxiety about needling, 0-10"),
        ("needle_fear.score", None, "Needle fear, 0-10"),
    ],
    "follow_up": [
        ("nprs.now.score", "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
        ("soreness.now.score", None, "Soreness after the last session, now, 0-10"),
        ("soreness.worst.score", None, "Soreness after the last session, at its worst, 0-10"),
    ],
    "outcomes": [
        ("nprs.now.score", "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
        ("nprs.worst.score", None, "Pain at its worst in the last week, 0-10"),
        ("nprs.best.score", None, "Pain at its best in the last week, 0-10"),
        ("psfs.score", None, "Patient-Specific Functional Scale, mean of activities, 0-10"),
        ("groc.score", None, "Global rating of change, -7 to +7"),
    ],
}
ITEM_TYPES = {
    "scale": "integer",
    "choice": "choice",
    "multichoice": "choice",
    "text": "string",
    "textarea": "text",
    "email": "string",
    "phone": "string",
    "date": "date",
}


def _canonical(name: str) -> str:
    return f"{settings.SITE_URL}/questionnaires/{name}"


def questionnaire_resource(definition: Definition) -> dict[str, Any]:
    """A questionnaire version as a FHIR Questionnaire, with English texts (the clinic's record)."""
    groups = []
    for section in definition.sections:
        items = []
        for item in section.items:
            entry: dict[str, Any] = {
                "linkId": item.key,
                "text": definition.label(item, "en"),
                "type": ITEM_TYPES.get(item.type, "string"),
                "required": item.required,
            }
            if item.type == "multichoice":
                entry["repeats"] = True
            if item.type in {"choice", "multichoice"}:
                entry["answerOption"] = [
                    {"valueCoding": {"code": value, "display": label}}
                    for value, label in definition.choices(item, "en")
                ]
            items.append(entry)
        groups.append(
            {
                "linkId": section.key,
                "text": definition.text("en", "sections", section.key, "title", default=section.key),
                "type": "group",
                "item": items,
            }
        )
    return {
        "resourceType": "Questionnaire",
        "id": f"{definition.name}-{definition.version}".replace(".", "-").replace("_", "-"),
        "url": _canonical(definition.name),
        "version": definition.version,
        "name": definition.name.capitalize(),
        "status": "active",
        "item": groups,
    }


def _score_at(scores: dict, path: str):
    node: Any = scores
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def observations(name: str, scores: dict, *, response_pk, visit: Visit, patient_pk, when) -> list[dict[str, Any]]:
    """One Observation per score, each derived from its QuestionnaireResponse."""
    found = []
    for path, loinc, display in SCORE_CODES.get(name, []):
        value = _score_at(scores or {}, path)
        if value is None:
            continue
        codings = [{"system": LOCAL_SCORES, "code": f"{name}.{path}", "display": display}]
        if loinc:
            codings.insert(0, {"system": LOINC, "code": loinc, "display": display})
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": str(uuid.uuid5(uuid.UUID(str(response_pk)), path)),
            "status": "final",
            "category": [
                {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}]}
            ],
            "code": {"coding": codings, "text": display},
            "subject": _ref("Patient", patient_pk),
            "encounter": _ref("Encounter", visit.pk),
            "effectiveDateTime": _instant(when),
            "derivedFrom": [_ref("QuestionnaireResponse", response_pk)],
        }
        if isinstance(value, int):
            resource["valueInteger"] = value
        else:
            resource["valueQuantity"] = {"value": value, "unit": "score"}
        found.append(resource)
    return found


def outcome_questionnaire_response(outcome: OutcomeResponse, patient_pk) -> dict[str, Any]:
    items = [
        {"linkId": key, "answer": _answer(value)} for key, value in (outcome.answers or {}).items() if _answer(value)
    ]
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(outcome.pk),
        "questionnaire": f"{_canonical('outcomes')}|{outcome.questionnaire_version}",
        "status": "completed",
        "subject": _ref("Patient", patient_pk),
        "encounter": _ref("Encounter", outcome.visit_id),
        "authored": _instant(outcome.submitted_at),
    }
    if items:
        resource["item"] = items
    return resource


def _full_url(resource: dict) -> str:
    if resource["resourceType"] == "Questionnaire":
        return f"{resource['url']}|{resource['version']}"
    return f"{FHIR_BASE}{resource['id']}"


def patient_bundle(patient: Patient) -> dict[str, Any]:
    visits = list(
        patient.visits.select_related("screening", "record", "course", "outcomes")
        .prefetch_related("consents__consent_version")
        .order_by("scheduled_at", "id")
    )
    resources = [patient_resource(patient)]
    resources.extend(episode_of_care(course, patient.pk) for course in patient.courses.order_by("opened_at"))
    numbers: dict = {}
    answered: set[tuple[str, str]] = set()
    for visit in visits:
        numbers[visit.course_id] = numbers.get(visit.course_id, 0) + 1
        # One Encounter per visit, in its course's episode; scores' Observations reference it.
        resources.append(encounter(visit, numbers[visit.course_id], patient.pk))
        response = questionnaire_response(visit, patient.pk)
        if response is not None:
            resources.append(response)
            screening = visit.screening  # the first visit's screening, or a follow-up's "since your last session"
            answered.add((screening.questionnaire, screening.questionnaire_version))
            resources.extend(
                observations(
                    screening.questionnaire,
                    screening.scores,
                    response_pk=screening.pk,
                    visit=visit,
                    patient_pk=patient.pk,
                    when=screening.submitted_at or screening.updated_at,
                )
            )
        outcome = getattr(visit, "outcomes", None)
        if outcome is not None:
            resources.append(outcome_questionnaire_response(outcome, patient.pk))
            answered.add(("outcomes", outcome.questionnaire_version))
            resources.extend(
                observations(
                    "outcomes",
                    outcome.scores,
                    response_pk=outcome.pk,
                    visit=visit,
                    patient_pk=patient.pk,
                    when=outcome.submitted_at,
                )
            )
        resources.extend(consent_resource(record, patient.pk) for record in visit.consents.all())
        if visit.consent_on_paper:
            resources.append(paper_consent_resource(visit, patient.pk))
    for name, version in sorted(answered):
        # A response to a version no longer on disk still names it canonically.
        with contextlib.suppress(FileNotFoundError):
            resources.append(questionnaire_resource(load(name, version)))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _instant(timezone.now()),
        "entry": [{"fullUrl": _full_url(resource), "resource": resource} for resource in resources],
    }
