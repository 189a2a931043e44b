"""Content that is data (aftercare advice, consent text, questionnaires) exists in Spanish too."""

import string

from intake.aftercare import ADVICE, advice, language_for


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
