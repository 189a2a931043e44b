"""Each score as a FHIR Observation linked to the patient, the encounter and the QuestionnaireResponse;
the Questionnaires in the Bundle; all valid R4 (fhir.resources)."""

import json

from fhir.resources.R4B.bundle import Bundle

from tests.outcomes.conftest import make_course


def _bundle(client, clinic_admin, patient):
    client.force_login(clinic_admin)
    data = json.loads(client.get(f"/staff/patients/{patient.pk}/fhir/").content)
    return data, Bundle.model_validate(data)


def test_every_score_is_a_valid_observation_linked_to_patient_encounter_and_response(client, clinic_admin, db):
    patient, visits = make_course()
    data, bundle = _bundle(client, clinic_admin, patient)
    resources = [entry["resource"] for entry in data["entry"]]
    by_id = {f"urn:uuid:{r['id']}": r for r in resources if r["resourceType"] != "Questionnaire"}
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    pain_now = [o for o in observations if o["code"]["coding"][0]["code"] == "72514-3"]
    # Each session's measures (the first visit's pain copied from the screening, which here has no scores).
    assert sorted(o["valueInteger"] for o in pain_now) == [4, 5, 7]
    for observation in observations:
        assert by_id[observation["subject"]["reference"]]["resourceType"] == "Patient"
        assert by_id[observation["encounter"]["reference"]]["resourceType"] == "Encounter"
        assert by_id[observation["derivedFrom"][0]["reference"]]["resourceType"] == "QuestionnaireResponse"
    psfs = [o for o in observations if o["code"]["coding"][0]["code"] == "outcomes.psfs.score"]
    assert [o["valueQuantity"]["value"] for o in psfs] == [3.0, 4.5, 6.0]
    assert psfs[0]["code"]["coding"][0]["system"] == "urn:dry-needling-portal:scores"
    assert len(bundle.entry) == len(resources)


def test_the_questionnaires_answered_are_in_the_bundle_by_their_canonical_url(client, clinic_admin, db):
    patient, _visits = make_course()
    data, _bundle_model = _bundle(client, clinic_admin, patient)
    questionnaires = {
        f"{r['url']}|{r['version']}": r
        for e in data["entry"]
        if (r := e["resource"])["resourceType"] == "Questionnaire"
    }
    responses = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    for response in responses:
        assert response["questionnaire"] in questionnaires
    outcomes = next(q for q in questionnaires.values() if q["url"].endswith("/outcomes"))
    groc = next(i for group in outcomes["item"] for i in group["item"] if i["linkId"] == "groc")
    assert groc["type"] == "integer"


def test_gad7_total_uses_its_loinc_code(client, clinic_admin, db):
    from intake.models import ScreeningResponse

    patient, visits = make_course()
    ScreeningResponse.objects.filter(visit=visits[0]).update(scores={"gad7": {"total": 11, "band": "moderate"}})
    data, _bundle_model = _bundle(client, clinic_admin, patient)
    gad = [
        e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Observation" and e["resource"]["code"]["coding"][0]["code"] == "70274-6"
    ]
    assert [o["valueInteger"] for o in gad] == [11]
