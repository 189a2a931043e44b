"""Content that is data (aftercare advice, consent text, questionnaires) exists in Spanish too."""

import json
import re
import string

from pypdf import PdfReader

from intake.aftercare.advice import ADVICE, advice, language_for


def shape(value, path="advice"):
    """Keys, list lengths and {placeholders}, so two languages can be compared item by item."""
    if isinstance(value, dict):
        return {key: shape(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item, f"{path}[{index}]") for index, item in enumerate(value)]
    return ("text", tuple(sorted(name for _, name, _, _ in string.Formatter().parse(value) if name)), bool(value))


def test_the_spanish_aftercare_says_everything_the_english_says():
    assert shape(ADVICE["es"]) == shape(ADVICE["en"])


def test_a_spanish_speaking_patient_gets_spanish_aftercare(settings):
    settings.CLINIC_PHONE = "555-0100"
    settings.CLINIC_EMERGENCY_NUMBER = "911"
    assert language_for("es") == "es"
    spanish = advice("es")
    assert spanish["emergency"]["title"] == "Cuándo llamar al 911"
    assert "555-0100" in spanish["call_clinic"]["intro"]
    assert len(spanish["self_care"]["items"]) == len(advice("en")["self_care"]["items"])
    assert not any("{" in text for text in spanish["self_care"]["items"])


def test_every_screening_question_a_patient_reads_exists_in_spanish():
    from intake.questionnaires import ROOT, load, versions

    for version in versions("screening"):
        definition = load("screening", version)
        english = json.loads((ROOT / "screening" / version / "en.json").read_text(encoding="utf-8"))
        spanish = json.loads((ROOT / "screening" / version / "es.json").read_text(encoding="utf-8"))
        for section in definition.sections:
            assert set(spanish["sections"][section.key]) == set(english["sections"][section.key]), section.key
        assert shape(spanish["choice_sets"]) == shape(english["choice_sets"])
        for item in definition.items.values():
            theirs, ours = english["items"][item.key], spanish["items"].get(item.key, {})
            assert ours.get("label"), f"{version} {item.key}: no Spanish label"
            assert bool(ours.get("help")) == bool(theirs.get("help")), f"{version} {item.key}: help"
            assert set(ours.get("choices", {})) == set(theirs.get("choices", {})), f"{version} {item.key}: choices"


def test_the_screening_form_shows_spanish_to_a_spanish_speaking_patient():
    from intake.questionnaires import load

    definition = load("screening")
    item = definition.items["gad7_1"]
    assert definition.label(item, "es") == "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta"
    assert [label for _, label in definition.choices(item, "es")][0] == "Ningún día"


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def test_the_spanish_consent_has_every_section_and_the_same_risk_figures(db):
    from consent import texts
    from consent.demo import seed_versions
    from consent.services import active_version_for

    english = texts.load("en")
    DRY_NEEDLING_BODY, DRY_NEEDLING_RISKS = english.body, english.risks

    seed_versions()
    spanish = active_version_for("es")
    assert spanish.language == "es"
    assert spanish.title == "Consentimiento para la punción seca"
    assert spanish.body.count("\n## ") == DRY_NEEDLING_BODY.count("\n## ")
    assert len(spanish.risks) == len(DRY_NEEDLING_RISKS)
    for ours, theirs in zip(spanish.risks, DRY_NEEDLING_RISKS, strict=True):
        assert _numbers(ours["frequency"]) == _numbers(theirs["frequency"]), ours["name"]
    assert active_version_for("en").language == "en"


def test_a_patient_who_signs_in_spanish_gets_a_spanish_pdf_that_records_the_language(db, clinician):

    from consent.demo import demo_signature_png, seed_versions
    from consent.services import sign_consent, version_to_sign
    from tests.factories import VisitFactory

    seed_versions()
    visit = VisitFactory(
        language="es",
        clinician=clinician,
        ready_to_sign=True,
    )
    version = version_to_sign(visit)
    record = sign_consent(
        visit=visit,
        version=version,
        signer_name=visit.patient.full_name,
        signature_png=demo_signature_png(),
        acknowledgements={
            "electronic_signature": True,
            "read_and_understood": True,
            "voluntary": True,
            "guardian_involved_minor": False,
            "risks": [risk["name"] for risk in version.risks],
        },
        time_zone="America/Mexico_City",
        ip="203.0.113.7",
        user_agent="Mozilla/5.0 (Android; test)",
    )

    assert record.language == "es"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(record.pdf.open("rb")).pages)
    assert "Consentimiento para la punción seca" in text
    assert "Acuerdo y firma" in text
    assert "Registro de auditoría" in text
    assert "Agreement and signature" not in text
    # The audit trail's lines (from the journey's milestones) are in Spanish too, none left in English.
    from intake.journey.milestones import MILESTONES

    english = [str(m.consent_event) for m in MILESTONES if m.consent_event]
    assert "Signed this consent" in english
    assert [label for label in english if label in text] == []
    assert "Leyó la explicación de la punción seca" in text
    assert "Firmó este consentimiento" in text


def test_every_screening_flag_has_a_spanish_title_and_rule():
    from intake.questionnaires import ROOT, load, versions

    for version in versions("screening"):
        definition = load("screening", version)
        english = json.loads((ROOT / "screening" / version / "en.json").read_text(encoding="utf-8"))
        spanish = json.loads((ROOT / "screening" / version / "es.json").read_text(encoding="utf-8"))
        codes = set(english["flags"]) | {rule["code"] for rule in definition.flags}
        for code in codes:
            ours = spanish.get("flags", {}).get(code, {})
            # The English rule is the explanation kept next to the condition in definition.json.
            theirs = {"title": english["flags"][code]["title"], "rule": definition.flag(code)["explanation"]}
            for part in ("title", "rule"):
                assert ours.get(part), f"{version} {code}: no Spanish {part}"
                assert ours[part] != theirs[part] or code in {"diabetes"}, f"{version} {code}: {part}"
        for rule in definition.flags:
            for key in rule.get("answer", []):
                if not key.startswith("@"):
                    assert spanish["items"][key].get("short"), f"{version} {key}: no Spanish short label"
        assert set(spanish.get("facts", {})) == set(english["facts"])
        assert set(spanish.get("bands", {})) == set(english["bands"])


def test_a_flag_is_described_in_spanish_from_the_same_answers():
    from intake.questionnaires import load
    from intake.screening.rules import apply_flags, describe_flag

    definition = load("screening", "2026.1")
    answers = {"blood_thinner": "yes", "blood_thinner_which": ["warfarin", "heparin"]}
    stored = apply_flags(definition, answers, {}, {})
    assert [flag["code"] for flag in stored] == ["anticoagulant"]
    assert stored[0]["title"] == "Takes an anticoagulant"
    spanish = describe_flag(definition, "anticoagulant", answers, {}, {}, "es")
    assert spanish["title"] == "Toma un anticoagulante"
    assert spanish["answer"] == (
        "Medicamento que diluye la sangre: Warfarina (Coumadin, Aldocumar, Jantoven), "
        "Inyecciones de heparina (por ejemplo Lovenox, Clexane, Fragmin)"
    )
    assert "ISCP 2012" in spanish["rule"] and "revisar" in spanish["rule"]
    english = describe_flag(definition, "anticoagulant", answers, {}, {}, "en")
    assert english == {key: stored[0][key] for key in ("title", "answer", "rule")}
    under_18 = describe_flag(definition, "under_18", {}, {}, {"age": 16}, "es")
    assert under_18["answer"].startswith("Edad 16")
