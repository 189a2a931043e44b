"""Signing creates one immutable record and a sealed PDF, in one transaction."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone

from consent import services
from consent.models import ConsentRecord, ConsentVersion
from intake.models import FlagLevel, Progress, ScreeningResponse
from portal.models import AuditEvent
from tests.consent.conftest import pdf_text, stored
from tests.factories import PatientFactory, VisitFactory


def consent_files(visit) -> list[str]:
    """Files stored for this visit's consents (the test media folder is shared by the session)."""
    try:
        return default_storage.listdir(f"consents/{visit.pk}")[1]
    except FileNotFoundError:
        return []


def test_signing_stores_the_record_the_pdf_and_its_hash(ready_visit, sign, consent_version):
    record = sign(ready_visit)

    assert record.signature_method == ConsentRecord.SignatureMethod.DRAWN
    assert record.text_sha256 == consent_version.text_sha256()
    assert record.signed_time_zone == "Europe/Madrid"
    assert record.ip == "203.0.113.7"
    data = stored(record.pdf.name)
    assert data.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(data).hexdigest() == record.pdf_sha256


def test_the_pdf_holds_the_name_the_version_every_risk_and_the_audit_page(ready_visit, sign, consent_version):
    record = sign(ready_visit)
    text = pdf_text(stored(record.pdf.name))
    flat = " ".join(text.split())

    assert ready_visit.patient.full_name in flat
    assert "Version 1" in flat
    for risk in consent_version.risks:
        assert " ".join(risk["name"].split()) in flat, risk["name"]
        assert " ".join(risk["frequency"].split()) in flat, risk["frequency"]
    assert "Audit trail" in flat
    assert "203.0.113.7" in flat
    assert "Mozilla/5.0 (iPhone; test)" in flat
    assert record.text_sha256 in flat.replace(" ", "")
    assert f"/staff/consent/verify/{record.pk}/" in flat.replace(" ", "")
    assert "Europe/Madrid" in flat


def test_the_pdf_summarises_the_screening_flags(ready_visit, sign):
    ScreeningResponse.objects.create(
        visit=ready_visit,
        questionnaire_version="test",
        flags=[
            {
                "code": "anticoagulant",
                "level": FlagLevel.REVIEW,
                "title": "Takes a blood thinner",
                "answer": "warfarin",
                "rule": "anticoagulant: review",
            },
            {"code": "faint", "level": FlagLevel.PLAN, "title": "Has fainted", "answer": "yes", "rule": "plan"},
        ],
    )
    text = " ".join(pdf_text(stored(sign(ready_visit).pdf.name)).split())
    assert "Takes a blood thinner" in text
    assert "warfarin" in text
    assert text.index("Takes a blood thinner") < text.index("Has fainted")  # highest level first


def test_signing_marks_the_visit_signed_and_freezes_the_version(ready_visit, sign, consent_version):
    sign(ready_visit)
    ready_visit.refresh_from_db()
    consent_version.refresh_from_db()
    assert ready_visit.signed_at is not None
    assert ready_visit.progress == Progress.SIGNED
    assert consent_version.is_frozen
    assert AuditEvent.objects.filter(action="consent.signed", patient=ready_visit.patient).count() == 1


def test_a_typed_only_signature_has_no_image(ready_visit, sign):
    record = sign(ready_visit, signature_png=None)
    assert record.signature_method == ConsentRecord.SignatureMethod.TYPED
    assert record.signature_png is None
    assert "Signed with a typed name" in pdf_text(stored(record.pdf.name))


def test_signing_before_the_understanding_check_is_refused(db, sign):
    visit = VisitFactory()
    with pytest.raises(services.NotReadyToSign):
        sign(visit)
    assert not ConsentRecord.objects.exists()


def test_signing_an_inactive_version_is_refused(ready_visit, sign, consent_version):
    old = ConsentVersion.objects.create(
        key="dry-needling", version=0, language="en", title="Old", body="Old text", effective_date="2020-01-01"
    )
    with pytest.raises(services.VersionNotActive):
        sign(ready_visit, version=old)
    assert not ConsentRecord.objects.exists()


def _changing_the_version_while_rendering(monkeypatch, consent_version, **changes):
    """The clinic changes the version in the half second the document takes to make (an admin's commit)."""
    render = services.render_consent_pdf

    def render_then_change(record):
        pdf = render(record)
        ConsentVersion.objects.filter(pk=consent_version.pk).update(**changes)
        return pdf

    monkeypatch.setattr(services, "render_consent_pdf", render_then_change)


@pytest.mark.parametrize(
    "changes",
    [{"is_active": False}, {"body": "A rewritten text."}, {"effective_date": "2027-01-01"}],
    ids=["switched off", "text edited", "date edited"],
)
def test_a_version_changed_while_the_document_is_made_is_refused(
    ready_visit, sign, consent_version, monkeypatch, changes
):
    _changing_the_version_while_rendering(monkeypatch, consent_version, **changes)
    with pytest.raises(services.VersionNotActive):
        sign(ready_visit)
    assert not ConsentRecord.objects.exists()
    assert consent_files(ready_visit) == []
    consent_version.refresh_from_db()
    assert consent_version.first_signed_at is None


def test_an_unchanged_version_is_marked_signed(ready_visit, sign, consent_version, monkeypatch):
    _changing_the_version_while_rendering(monkeypatch, consent_version, title=consent_version.title)
    record = sign(ready_visit)
    consent_version.refresh_from_db()
    assert consent_version.first_signed_at == record.signed_at


def test_signing_twice_gives_the_first_record_back(ready_visit, sign):
    first = sign(ready_visit)
    with pytest.raises(services.AlreadySigned) as caught:
        sign(ready_visit)
    assert caught.value.record.pk == first.pk
    assert ConsentRecord.objects.count() == 1


def test_the_patient_gets_their_copy_by_email_after_commit(ready_visit, sign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record = sign(ready_visit)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ready_visit.patient.email]
    # Named by clinic, kind and date, never "consent.pdf" and never the patient's name.
    day = timezone.localdate(record.signed_at)
    assert message.attachments[0][0] == f"riverside-physiotherapy-consent-{day:%Y-%m-%d}.pdf"
    assert message.attachments[0][1].startswith(b"%PDF")
    assert message.alternatives[0][1] == "text/html"


def test_no_email_is_sent_without_an_address(db, sign, clinician, django_capture_on_commit_callbacks):
    visit = VisitFactory(patient=PatientFactory(email=""), understanding_done_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        sign(visit)
    assert mail.outbox == []


def test_a_sealing_failure_leaves_no_record_and_no_file(ready_visit, sign, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("HSM unplugged")

    monkeypatch.setattr(services, "seal_pdf", broken)
    with pytest.raises(services.DocumentFailed):
        sign(ready_visit)
    assert not ConsentRecord.objects.exists()
    assert consent_files(ready_visit) == []
    ready_visit.refresh_from_db()
    assert ready_visit.signed_at is None


def test_a_failure_after_the_file_is_written_removes_it_and_the_record(ready_visit, sign, monkeypatch):
    real_store = services._store

    def store_then_fail(name, content, written):
        real_store(name, content, written)
        assert default_storage.exists(name)
        raise OSError("disk full while closing")

    monkeypatch.setattr(services, "_store", store_then_fail)
    with pytest.raises(services.DocumentFailed):
        sign(ready_visit)
    assert not ConsentRecord.objects.exists()
    assert consent_files(ready_visit) == []
    assert not AuditEvent.objects.filter(action="consent.signed").exists()


def test_after_a_failure_a_retry_succeeds(ready_visit, sign, monkeypatch):
    calls = {"n": 0}
    real_seal = services.seal_pdf

    def flaky(pdf, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("temporary")
        return real_seal(pdf, **kwargs)

    monkeypatch.setattr(services, "seal_pdf", flaky)
    with pytest.raises(services.DocumentFailed):
        sign(ready_visit)
    record = sign(ready_visit)
    assert ConsentRecord.objects.get().pk == record.pk


@pytest.mark.parametrize(
    "first, last",
    [
        ("Zoë", "Ölander-Núñez"),  # accented Latin
        ("Ελένη", "Παπαδοπούλου"),  # Greek
        ("Ольга", "Иванова"),  # Cyrillic
        ("يوسف", "حداد"),  # Arabic
        ("נועה", "כהן"),  # Hebrew
        ("美", "陈"),  # Chinese
        ("さくら", "山田"),  # Japanese
    ],
)
def test_a_name_in_any_script_survives_into_the_pdf_text(db, sign, first, last):
    visit = VisitFactory(patient=PatientFactory(first_name=first, last_name=last), understanding_done_at=timezone.now())
    record = sign(visit, signer_name=f"{first} {last}")
    text = pdf_text(stored(record.pdf.name))
    assert first in text
    assert last in text


def test_tags_typed_by_a_patient_appear_as_plain_text_in_the_pdf(db, sign):
    visit = VisitFactory(
        patient=PatientFactory(first_name="<b>Bo</b>", last_name="<script>alert(1)</script>"),
        understanding_done_at=timezone.now(),
    )
    record = sign(visit, signer_name='<img src="file:///etc/passwd"> Bo')
    text = pdf_text(stored(record.pdf.name))
    assert "<script>alert(1)</script>" in text
    assert '<img src="file:///etc/passwd"> Bo' in text


def test_a_newer_version_makes_the_signature_stale_and_re_consent_replaces_it(ready_visit, sign, consent_version):
    first = sign(ready_visit)
    ConsentVersion.objects.filter(pk=consent_version.pk).update(is_active=False)
    newer = ConsentVersion.objects.create(
        key="dry-needling",
        version=2,
        language="en",
        title="Consent to dry needling",
        body="## New\nNew text.",
        risks=consent_version.risks,
        effective_date="2026-06-01",
        is_active=True,
    )
    first.refresh_from_db()
    assert services.is_stale(first, ready_visit)

    second = sign(ready_visit, version=newer)
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    assert "version 2" in first.withdrawn_reason
    assert second.consent_version == newer
    assert ConsentRecord.objects.active().get() == second


def _screened_on_blood_thinners(visit):
    """A real screening (flags computed by the server, stored in the clinic's language) for `visit`."""
    from intake import questionnaires
    from intake.screening.rules import compute

    definition = questionnaires.load("screening", "2026.1")
    answers = {"blood_thinner": "yes", "blood_thinner_which": ["warfarin"], "bruises_easily": "yes"}
    scores, flags, level = compute(definition, answers, visit=visit)
    return ScreeningResponse.objects.create(
        visit=visit, questionnaire_version="2026.1", answers=answers, scores=scores, flags=flags, flag_level=level
    )


def test_a_spanish_signed_pdf_lists_the_screening_flags_in_spanish(db, clinician, sign):
    visit = VisitFactory(
        language="es",
        clinician=clinician,
        ready_to_sign=True,
    )
    screening = _screened_on_blood_thinners(visit)
    assert screening.flags[0]["title"] == "Takes an anticoagulant"  # stored in the clinic's language

    record = sign(visit, version=services.version_to_sign(visit))
    assert record.language == "es"
    text = " ".join(pdf_text(stored(record.pdf.name)).split())
    assert "Toma un anticoagulante" in text
    assert "Medicamento que diluye la sangre: Warfarina" in text
    assert "Le salen moretones con facilidad" in text
    assert "Takes an anticoagulant" not in text
    assert "Bruises easily" not in text
    assert "review before needling" not in text
    assert text.index("Toma un anticoagulante") < text.index("Le salen moretones con facilidad")
    screening.refresh_from_db()
    assert [flag["title"] for flag in screening.flags] == ["Takes an anticoagulant", "Bruises easily"]  # unchanged


def test_an_english_signed_pdf_lists_the_screening_flags_as_stored(ready_visit, sign):
    screening = _screened_on_blood_thinners(ready_visit)
    record = sign(ready_visit)
    assert record.language == "en"
    text = " ".join(pdf_text(stored(record.pdf.name)).split())
    for flag in screening.flags:
        assert flag["title"] in text
        assert flag["answer"] in text
    assert "Takes an anticoagulant" in text
    assert "Toma un anticoagulante" not in text


def test_a_flag_the_questionnaire_does_not_know_keeps_its_stored_texts_in_a_spanish_pdf(db, clinician, sign):
    visit = VisitFactory(
        language="es",
        clinician=clinician,
        ready_to_sign=True,
    )
    ScreeningResponse.objects.create(
        visit=visit,
        questionnaire_version="2026.1",
        answers={"bruises_easily": "yes"},
        flags=[
            {"code": "retired_code", "level": FlagLevel.STOP, "title": "Stored title", "answer": "x", "rule": "kept"},
            {"code": "bruises_easily", "level": FlagLevel.REVIEW, "title": "Bruises easily", "answer": "", "rule": ""},
        ],
    )
    text = " ".join(pdf_text(stored(sign(visit, version=services.version_to_sign(visit)).pdf.name)).split())
    assert "Stored title" in text
    assert "Le salen moretones con facilidad" in text
    assert text.index("Stored title") < text.index("Le salen moretones con facilidad")
