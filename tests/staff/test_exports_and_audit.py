import base64
import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from portal import audit
from portal.models import AuditEvent
from tests.factories import PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_the_fhir_export_is_a_valid_r4_bundle_with_the_consent_pdf(clinic_admin, as_user, screened_visit, sign):
    from fhir.resources.R4B.bundle import Bundle

    record = sign(screened_visit)
    response = as_user(clinic_admin).get(f"/staff/patients/{screened_visit.patient_id}/fhir/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    data = json.loads(response.content)
    bundle = Bundle.model_validate(data)
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert [kind for kind in kinds if kind != "Observation"] == [
        "Patient",
        "Encounter",
        "QuestionnaireResponse",
        "Consent",
        "Questionnaire",
    ]
    at = kinds.index("Consent")
    consent = bundle.entry[at].resource
    with record.pdf.open("rb") as handle:
        assert base64.b64decode(data["entry"][at]["resource"]["sourceAttachment"]["data"]) == handle.read()
    assert consent.status == "active"
    answers = {item.linkId for item in bundle.entry[2].resource.item}
    assert {"comfort", "pain_now", "scores", "flags"} <= answers
    assert AuditEvent.objects.filter(action="patient.exported_fhir", patient=screened_visit.patient).exists()


def test_a_patient_without_answers_exports_just_the_patient(clinic_admin, as_user):
    from fhir.resources.R4B.bundle import Bundle

    visit = VisitFactory(patient=PatientFactory(first_name="Zoë", preferred_name="Zo"))
    data = json.loads(as_user(clinic_admin).get(f"/staff/patients/{visit.patient_id}/fhir/").content)
    bundle = Bundle.model_validate(data)
    assert [e.resource.get_resource_type() for e in bundle.entry] == ["Patient"]
    assert bundle.entry[0].resource.name[0].given == ["Zoë"]


def test_reception_and_clinicians_cannot_export(reception, clinician, as_user):
    visit = VisitFactory()
    for user in (reception, clinician):
        client = as_user(user)
        assert client.get(f"/staff/patients/{visit.patient_id}/fhir/").status_code == 403
        assert client.get("/staff/export.csv").status_code == 403


def test_the_csv_follows_the_boards_filter_and_defuses_formulas(clinic_admin, as_user):
    VisitFactory(patient=PatientFactory(first_name="=HYPERLINK(1)", last_name="+Plus", phone="-5"))
    VisitFactory(patient=PatientFactory(first_name="@Other", last_name="Skipped"))

    response = as_user(clinic_admin).get("/staff/export.csv", {"q": "plus"})

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["appointment", "first_name", "last_name"]
    assert len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(1)" and rows[1][2] == "'+Plus" and rows[1][5] == "'-5"
    assert AuditEvent.objects.filter(action="board.exported_csv", actor=clinic_admin).exists()


def test_the_audit_log_filters_by_action_actor_date_and_patient(clinic_admin, reception, as_user):
    visit = VisitFactory()
    audit.record("patient.viewed", actor=reception, patient=visit.patient)
    audit.record("link.issued", actor=clinic_admin)
    client = as_user(clinic_admin)

    def actions(**params):
        return [event.action for event in client.get("/staff/audit/", params).context["events"]]

    assert actions(action="patient.") == ["patient.viewed"]
    assert actions(actor=reception.pk) == ["patient.viewed"]
    assert actions(patient=visit.patient_id) == ["patient.viewed"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert actions(date_from=tomorrow) == []
    assert client.get("/staff/audit/", {"patient": "nope"}).status_code == 200


def test_reading_the_audit_log_is_itself_audited_with_the_filters_used(clinic_admin, as_user):
    as_user(clinic_admin).get("/staff/audit/", {"action": "consent.signed", "page": "1"})
    event = AuditEvent.objects.filter(action="audit.viewed").get()
    assert event.actor == clinic_admin
    assert event.details == {"filters": ["action"], "page": 1}


def test_only_the_clinic_admin_sees_the_audit_log(reception, clinician, as_user):
    assert as_user(reception).get("/staff/audit/").status_code == 403
    assert as_user(clinician).get("/staff/audit/").status_code == 403
