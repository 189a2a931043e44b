"""The benchmark's data generator at a tiny size: fast, and every row consistent with what the portal writes."""

from __future__ import annotations

import hashlib
from collections import Counter

from django.core.files.storage import default_storage
from django.db.models import F

from bench.datagen import STATES, Generator, pdf_variant, totp_now
from consent.models import ConsentRecord
from intake import questionnaires
from intake.links.tokens import find_usable_link
from intake.models import AccessLink, Patient, ScreeningResponse, Visit, fold_for_search
from portal.models import User


def test_the_generator_fills_every_journey_state_with_rows_consistent_with_the_portal(db, tmp_path):
    # One run for all the checks: the generator starts with the portal's demo seeding, which renders PDFs.
    generated = Generator(patients=150, seed=7, load_staff=2, journeys=5, out=tmp_path / "dataset.json").run()

    assert generated["counts"]["patients"] == 150
    assert set(Visit.objects.values_list("progress", flat=True)) == set(STATES)
    for visit in Visit.objects.all():
        assert visit.progress == visit.derive_progress()
    # Courses of 1 to 8 sessions, each visit in its own patient's course; follow-ups carry the consent over.
    sessions = Counter(Visit.objects.exclude(patient__first_name="Journey").values_list("course", flat=True))
    assert 1 == min(sessions.values()) < max(sessions.values()) <= 8
    assert not Visit.objects.exclude(patient=F("course__patient")).exists()
    assert Visit.objects.filter(consent_carried_at__isnull=False, signed_at__isnull=True).exists()
    # Follow-ups skip the first visit's steps and answer the current follow-up questionnaire, scored.
    assert not Visit.objects.filter(consent_carried_at__isnull=False, explanation_read_at__isnull=False).exists()
    follow_ups = ScreeningResponse.objects.filter(questionnaire="follow_up")
    assert follow_ups.exists()
    assert set(follow_ups.values_list("questionnaire_version", flat=True)) == {questionnaires.load("follow_up").version}
    assert all(response.scores for response in follow_ups[:20])
    for patient in Patient.objects.all():
        assert patient.search_name.strip() == fold_for_search(f"{patient.first_name} {patient.last_name}").strip()

    # Every consent PDF is stored, unique, and matches its hash.
    records = list(ConsentRecord.objects.all())
    assert len(records) >= generated["counts"]["consents"] > 0
    assert len({r.pdf_sha256 for r in records}) == len(records)
    for record in records:
        with default_storage.open(record.pdf.name, "rb") as handle:
            data = handle.read()
        assert data.startswith(b"%PDF")
        assert hashlib.sha256(data).hexdigest() == record.pdf_sha256
        assert record.visit.signed_at is not None

    # Journey links open with the date of birth; the staff accounts pass the password and the code step.
    for journey in generated["journeys"]:
        link = find_usable_link(journey["token"])
        assert link is not None
        assert link.visit.patient.date_of_birth.isoformat() == journey["dob"]
        assert link.visit.progress == "invited"
    assert AccessLink.objects.filter(revoked_at__isnull=True).count() == Visit.objects.count()
    assert AccessLink.objects.exclude(revoked_at=None).exists()
    assert AccessLink.objects.exclude(locked_at=None).exists()

    accounts = generated["staff"]
    assert {a["role"] for a in accounts} == {"Reception", "Clinician"}
    assert sum(a["reserved"] for a in accounts) == 2
    for account in accounts:
        user = User.objects.get(username=account["username"])
        assert user.check_password(account["password"])
        assert user.is_staff_member
        if account["totp_key"]:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            assert TOTPDevice.objects.get(user=user).verify_token(totp_now(account["totp_key"]))


def test_a_pdf_variant_is_still_a_pdf_with_its_own_hash():
    template = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    first, second = pdf_variant(template, "a"), pdf_variant(template, "b")
    assert first.startswith(template) and second.startswith(template)
    assert hashlib.sha256(first).digest() != hashlib.sha256(second).digest()
