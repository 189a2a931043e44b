"""FHIR: an EpisodeOfCare per course, an Encounter per visit, referenced by the answers and the consent."""

import json

from fhir.resources.R4B.bundle import Bundle

from tests.courses.conftest import answered


def test_the_fhir_bundle_has_the_course_as_an_episode_with_an_encounter_per_session(
    first_session, follow_up, clinic_admin, as_user
):
    answered(follow_up, {"pain_now": 2, "new_medicines": "no"}, questionnaire="follow_up")
    data = json.loads(as_user(clinic_admin).get(f"/staff/patients/{follow_up.patient_id}/fhir/").content)
    bundle = Bundle.model_validate(data)
    by_kind: dict = {}
    for entry in bundle.entry:
        by_kind.setdefault(entry.resource.get_resource_type(), []).append(entry.resource)
    [episode] = by_kind["EpisodeOfCare"]
    assert episode.id == str(follow_up.course_id) and episode.status == "active"
    encounters = by_kind["Encounter"]
    assert [e.id for e in encounters] == [str(first_session.pk), str(follow_up.pk)]
    assert {e.episodeOfCare[0].reference for e in encounters} == {f"urn:uuid:{episode.id}"}
    assert [e.status for e in encounters] == ["finished", "planned"]
    assert "session 2" in encounters[1].type[0].text
    responses = by_kind["QuestionnaireResponse"]
    assert [r.encounter.reference for r in responses] == [f"urn:uuid:{first_session.pk}", f"urn:uuid:{follow_up.pk}"]
    assert responses[1].questionnaire.endswith("/questionnaires/follow_up|2026.1")
    [consent] = by_kind["Consent"]
    assert {d.reference.reference for d in consent.provision.data} == {
        f"urn:uuid:{first_session.pk}",
        f"urn:uuid:{episode.id}",
    }
    full_urls = {entry.fullUrl for entry in bundle.entry}
    assert all(d.reference.reference in full_urls for d in consent.provision.data)
