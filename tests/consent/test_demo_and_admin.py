"""Demo consents, and the admin's rule that a signed consent text is frozen (a change makes a new version)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from consent import texts
from consent.demo import seed_versions
from consent.models import ConsentRecord, ConsentVersion
from consent.verification import verify_pdf_bytes
from intake.models import Progress, Visit


@pytest.fixture
def laptop_debug(settings):
    settings.DEBUG = True


def test_the_demo_consent_covers_every_part_clinical_guidance_asks_for(db):
    version = seed_versions()
    text = " ".join(version.body.lower().split())
    for phrase in [
        "solid",
        "nothing is injected",
        "not acupuncture",
        "pinch",
        "twitch",
        "cannot promise",
        "other choices",
        "no treatment",
        "withdraw",
        "even in the middle of a session",
        "ask questions",
        "named on this form",
        "course of dry needling sessions",
        "copy",
        "parent or legal guardian",
        "takes part in the talk",
    ]:
        assert phrase in text, phrase
    names = " ".join(risk["name"].lower() for risk in texts.load("en").risks)
    expected = ["bruising", "bleeding", "pain during", "worse", "drowsy", "faint", "serious", "collapsed lung", "nerve"]
    for risk in expected:
        assert risk in names, risk
    assert seed_versions().pk == version.pk  # idempotent


@pytest.mark.usefixtures("laptop_debug")
def test_seed_demo_signs_and_confirms_consents_with_real_pdfs(db, capsys):
    call_command("seed_demo")
    signed_states = [Progress.SIGNED, Progress.CONFIRMED, Progress.VISITED, Progress.CHECKED_IN]
    for visit in Visit.objects.filter(progress__in=signed_states):
        record = ConsentRecord.objects.active().get(visit=visit)
        with default_storage.open(record.pdf.name, "rb") as handle:
            assert verify_pdf_bytes(handle.read()).valid
        assert (record.confirmed_at is not None) == (visit.progress != Progress.SIGNED)
    minor = ConsentRecord.objects.get(visit__patient__first_name="Tom")
    assert minor.signer_role == "guardian"
    count = ConsentRecord.objects.count()
    call_command("seed_demo")
    assert ConsentRecord.objects.count() == count


def test_the_admin_saves_changes_to_a_signed_text_as_a_new_active_version(admin_client, ready_visit, sign):
    record = sign(ready_visit)
    version = ConsentVersion.objects.get(pk=record.consent_version_id)
    response = admin_client.post(
        f"/admin/consent/consentversion/{version.pk}/change/",
        {
            "title": version.title,
            "body": version.body + "\n\n## Something new\nA new paragraph.",
            "risks": __import__("json").dumps(version.risks),
            "effective_date": "2026-12-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    version.refresh_from_db()
    assert "Something new" not in version.body
    assert not version.is_active
    newer = ConsentVersion.objects.get(key=version.key, language=version.language, is_active=True)
    assert newer.version == version.version + 1
    assert "Something new" in newer.body
    from consent.services import is_stale

    assert is_stale(record, ready_visit)


def test_the_admin_edits_an_unsigned_text_in_place(admin_client, consent_version):
    response = admin_client.post(
        f"/admin/consent/consentversion/{consent_version.pk}/change/",
        {
            "key": consent_version.key,
            "language": consent_version.language,
            "version": consent_version.version,
            "title": "Edited title",
            "body": consent_version.body,
            "risks": __import__("json").dumps(consent_version.risks),
            "effective_date": "2026-01-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    consent_version.refresh_from_db()
    assert consent_version.title == "Edited title"
    assert ConsentVersion.objects.filter(language=consent_version.language).count() == 1
