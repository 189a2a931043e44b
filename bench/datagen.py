"""A realistic data set for the benchmark: N patients with visits in every journey state.

    python -m bench.datagen --patients 20000 --out bench/work/run/dataset.json

Run against a freshly migrated database (DATABASE_URL). It first runs the portal's own demo seeding
(`seed_demo`), so staff, consent texts and a handful of visits exist that the real code made. Then it
bulk-creates the rest by cloning those real rows: screening answers, understanding results, consents,
visit records and check-ins have exactly the shape the portal writes, at bulk_create speed. The rules it
shares rather than restates: the journey's states and stamps (intake/journey/milestones.py), which steps a
follow-up skips (intake/journey/steps.py), and the demo's "nothing has changed" follow-up answers, scored
once by the real rules (intake/demo/courses.py, intake/demo/screening.py).

Consent PDFs: each bulk consent's file is the demo consent PDF (a real, sealed PDF rendered by the
portal) with a unique trailing PDF comment, so every record's `pdf_sha256` is unique and matches the
stored bytes (check_integrity passes). Without a demo consent, one PDF is rendered with WeasyPrint.

It also creates what the load test needs and writes it to --out (a file under bench/work/, which is
git-ignored): staff accounts for the simulated reception and clinicians (with a TOTP device whose key
is in the file, so the load users can pass the one-time-code step like a person with an app), fresh
invited visits with their link tokens for patient journeys, and a sample of patients, visits and
consents for the clinicians to open.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from intake.journey.milestones import MILESTONES

# The journey's states and their timestamps, from the portal's one milestone list (importable before
# Django is set up, so the load test can use this module too); the rest needs Django: `main()` sets it up.
STATES = ["invited", *(milestone.progress for milestone in MILESTONES)]
STAMPS = [milestone.stamp for milestone in MILESTONES]

# Where visits in the past and in the future stand (weights per state, in STATES order).
PAST_WEIGHTS = [6, 2, 1, 1, 1, 4, 5, 40, 40]
FUTURE_WEIGHTS = [20, 10, 8, 12, 10, 18, 22, 0, 0]
FAKER_LOCALES = ["en_US", "en_GB", "es_ES", "es_MX", "de_DE", "fr_FR", "el_GR", "ar_AA", "zh_CN", "ru_RU"]
BATCH = 2000
LOAD_PASSWORD = "bench-load-password-2026"  # noqa: S105 - throwaway accounts in a throwaway database


# How many sessions a course has (1 to 8): most courses are short, a few run to eight.
SESSION_WEIGHTS = [40, 15, 12, 10, 8, 6, 5, 4]
COMPLAINTS = ["Neck and shoulder", "Low back", "Calf", "Knee", "Hip", "Upper back", "Elbow", ""]


def progress_for(state: str) -> list[str]:
    """The timestamps a visit in this state has."""
    return STAMPS[: STATES.index(state)]


def pick_state(rng: random.Random, in_past: bool) -> str:
    return rng.choices(STATES, weights=PAST_WEIGHTS if in_past else FUTURE_WEIGHTS)[0]


def pdf_variant(template: bytes, marker: str) -> bytes:
    """The template PDF plus a unique trailing comment: still a valid PDF, with its own SHA-256."""
    return template + f"\n% benchmark copy {marker}\n".encode()


def totp_now(key_hex: str, *, step: int = 30, digits: int = 6, at: float | None = None) -> str:
    """RFC 6238 one-time code for a hex key (what an authenticator app shows)."""
    import hmac
    import struct

    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % (10**digits)
    return str(code).zfill(digits)


def _clone_fields(obj, **overrides) -> dict[str, Any]:
    """A model row's concrete field values without its primary key, with overrides applied."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        values[field.attname] = getattr(obj, field.attname)
    values.update(overrides)
    return values


@contextmanager
def explicit_timestamps():
    """Let bulk rows keep the creation times we give them (auto_now_add would stamp them all 'now')."""
    from intake.models import AccessLink, CheckIn, Visit, VisitRecord
    from portal.models import AuditEvent

    fields = [
        Visit._meta.get_field("created_at"),
        AccessLink._meta.get_field("created_at"),
        CheckIn._meta.get_field("submitted_at"),
        VisitRecord._meta.get_field("recorded_at"),
        AuditEvent._meta.get_field("at"),
    ]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


class Generator:
    def __init__(self, *, patients: int, seed: int, load_staff: int, journeys: int, out: Path | None):
        self.patients = patients
        self.rng = random.Random(seed)
        self.load_staff = load_staff
        self.journeys = journeys
        self.out = out
        self.counts: dict[str, int] = {}

    # -- setup -------------------------------------------------------------------------------------------
    def seed_demo(self) -> None:
        from django.core.management import call_command

        call_command("seed_demo", "--allow-production", stdout=open(os.devnull, "w"))  # noqa: SIM115

    def templates(self) -> dict[str, Any]:
        """Real rows made by the portal's own code, one per kind, to clone."""
        from consent.models import ConsentRecord, ConsentVersion
        from intake.models import CheckIn, ScreeningResponse, UnderstandingResult, VisitRecord

        found = {
            "screening": ScreeningResponse.objects.exclude(submitted_at=None).order_by("-flag_level").first()
            or ScreeningResponse.objects.first(),
            "understanding": UnderstandingResult.objects.exclude(passed_at=None).first(),
            "consent": ConsentRecord.objects.filter(withdrawn_at=None).select_related("consent_version").first(),
            "record": VisitRecord.objects.first(),
            "checkin": CheckIn.objects.filter(urgent=False).first(),
            "urgent_checkin": CheckIn.objects.filter(urgent=True).first(),
            "version": ConsentVersion.objects.filter(is_active=True, language="en").first(),
        }
        if found["version"] is None:
            found["version"] = ConsentVersion.objects.create(
                version=1,
                language="en",
                title="Consent to dry needling (benchmark)",
                body="## What dry needling is\n\nA thin needle goes into a tight muscle band.",
                risks=[{"name": "Soreness", "frequency": "common"}],
                effective_date=date(2026, 1, 1),
                is_active=True,
            )
        if found["consent"] is not None:
            with found["consent"].pdf.open("rb") as handle:
                found["pdf"] = handle.read()
        else:
            from portal.pdf import render_html_to_pdf

            found["pdf"] = render_html_to_pdf(
                "<h1>Consent to dry needling</h1><p>Benchmark record. Signed electronically.</p>"
            )
        return found

    # -- bulk rows ---------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        from django.db import connection

        started = time.monotonic()
        self.seed_demo()
        tpl = self.templates()
        staff = self.make_load_staff()
        clinicians = list(staff["clinician_users"])
        with explicit_timestamps():
            self.bulk_patients(tpl, clinicians)
        journeys = self.make_journey_visits(clinicians)
        sample = self.sample_for_clinicians()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        result = {
            "patients": self.patients,
            "counts": self.counts,
            "seconds": round(time.monotonic() - started, 1),
            "staff": staff["accounts"],
            "api_token": self.make_api_token(),
            "journeys": journeys,
            "sample": sample,
            "pdf_template_bytes": len(tpl["pdf"]),
            "cloned_from_demo": {key: tpl[key] is not None for key in tpl if key not in ("pdf", "version")},
        }
        if self.out:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.out.write_text(json.dumps(result, indent=1, default=str))
        return result

    def make_load_staff(self) -> dict[str, Any]:
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from portal.models import User
        from portal.roles import Role

        accounts = []
        clinician_users = []
        password_hash = make_password(LOAD_PASSWORD)  # hashed once: every load account shares the password
        groups = {role: Group.objects.get(name=role.value) for role in (Role.RECEPTION, Role.CLINICIAN)}
        for role, prefix in ((Role.RECEPTION, "bench-reception"), (Role.CLINICIAN, "bench-clinician")):
            # One more than the load needs: the last account is reserved for the in-process measurements.
            for index in range(1, self.load_staff + 2):
                user = User.objects.create(
                    username=f"{prefix}-{index}", first_name=prefix.split("-")[1].title(), last_name=str(index)
                )
                user.password = password_hash
                user.save(update_fields=["password"])
                user.groups.add(groups[role])
                key = self.totp_device(user)
                accounts.append(
                    {
                        "username": user.username,
                        "password": LOAD_PASSWORD,
                        "role": role.value,
                        "totp_key": key,
                        "reserved": index == self.load_staff + 1,
                    }
                )
                if role == Role.CLINICIAN:
                    clinician_users.append(user)
        return {"accounts": accounts, "clinician_users": clinician_users}

    def make_api_token(self) -> str:
        """A token for the simulated practice system that creates visits through /api/v1/ (scope visits:write)."""
        from api.models import Scope
        from api.services import create_token
        from portal.models import User

        admin = User.objects.filter(is_superuser=True).first() or User.objects.order_by("pk").first()
        _, secret = create_token(name="bench practice system", scopes=[Scope.VISITS_WRITE], source="bench", by=admin)
        return secret

    def totp_device(self, user) -> str | None:
        from django.apps import apps

        if not apps.is_installed("django_otp.plugins.otp_totp"):
            return None
        from django_otp.plugins.otp_totp.models import TOTPDevice

        key = secrets.token_hex(20)
        TOTPDevice.objects.create(user=user, name="bench", key=key, confirmed=True)
        return key

    def bulk_patients(self, tpl: dict[str, Any], clinicians: list) -> None:
        from django.core.files.storage import default_storage
        from django.utils import timezone
        from faker import Faker

        from consent.models import ConsentRecord
        from intake.demo.courses import NOTHING_CHANGED
        from intake.demo.screening import response_fields
        from intake.journey.steps import FOLLOW_UP_STEPS, STEPS
        from intake.links.tokens import hash_token
        from intake.models import (
            AccessLink,
            CheckIn,
            Course,
            Patient,
            ScreeningResponse,
            UnderstandingResult,
            Visit,
            VisitRecord,
            digits_only,
            fold_for_search,
        )
        from portal.models import AuditEvent

        fakers = [Faker(locale) for locale in FAKER_LOCALES]
        for index, fake in enumerate(fakers):
            fake.seed_instance(index + self.rng.randrange(1_000_000))
        now = timezone.now()
        rng = self.rng
        counts = self.counts
        version = tpl["version"]
        pdf_template = tpl["pdf"]
        # A follow-up skips the first visit's steps (the explanation, the understanding check) and its
        # patient answers "nothing has changed": scored once by the real rules, the same for every row.
        first_visit_only = [step.stamp for step in STEPS if step.stamp not in {s.stamp for s in FOLLOW_UP_STEPS}]
        follow_up = response_fields("follow_up", NOTHING_CHANGED)

        done = 0
        while done < self.patients:
            size = min(BATCH, self.patients - done)
            patients, courses, visits, links = [], [], [], []
            screenings, understandings, consents, records, checkins, audits = [], [], [], [], [], []
            for _ in range(size):
                fake = fakers[0] if rng.random() < 0.6 else rng.choice(fakers)
                first, last = fake.first_name(), fake.last_name()
                # Valid numbers for the clinic region (US by default) in E.164, as the patient form stores them.
                phone = f"+1202{rng.randrange(2_000_000, 10**7)}"
                patient = Patient(
                    id=uuid.uuid4(),
                    first_name=first,
                    last_name=last,
                    date_of_birth=date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 70)),
                    email=f"p{uuid.uuid4().hex[:10]}@example.com" if rng.random() < 0.85 else "",
                    phone=phone,
                    preferred_language="es" if rng.random() < 0.15 else "en",
                )
                patient.search_name = fold_for_search(f"{first} {last} ")
                patient.search_phone = digits_only(phone)
                patients.append(patient)
                # A course of 1 to 8 weekly sessions (most courses are short); the first has the full journey.
                sessions = rng.choices(range(1, 9), weights=SESSION_WEIGHTS)[0]
                first_at = now + timedelta(days=rng.uniform(-90, 30) - 7 * (sessions - 1) * rng.random())
                course = Course(
                    id=uuid.uuid4(),
                    patient=patient,
                    opened_at=first_at - timedelta(days=rng.uniform(8, 25)),
                    complaint=rng.choice(COMPLAINTS),
                )
                courses.append(course)
                counts["courses"] = counts.get("courses", 0) + 1
                for session in range(1, sessions + 1):
                    scheduled = first_at + timedelta(days=7 * (session - 1))
                    scheduled = scheduled.replace(minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0)
                    in_past = scheduled < now
                    state = pick_state(rng, in_past)
                    visit = Visit(
                        id=uuid.uuid4(),
                        patient=patient,
                        course=course,
                        clinician=rng.choice(clinicians) if clinicians else None,
                        scheduled_at=scheduled,
                        language=patient.preferred_language,
                        created_at=scheduled - timedelta(days=rng.uniform(5, 20)),
                    )
                    start = visit.created_at + timedelta(hours=rng.uniform(1, 48))
                    for offset, stamp in enumerate(progress_for(state)):
                        moment = start + timedelta(minutes=6 * offset)
                        if stamp == "visited_at":
                            moment = scheduled + timedelta(minutes=45)
                        elif stamp == "checked_in_at":
                            moment = scheduled + timedelta(hours=rng.uniform(20, 80))
                        elif stamp == "confirmed_at":
                            moment = min(scheduled - timedelta(minutes=10), moment + timedelta(hours=2))
                        setattr(visit, stamp, moment)
                    if session == 1:
                        course.lead_clinician = visit.clinician  # as invite_patient opens a course
                    else:
                        # A follow-up: the course's consent carries over instead of a new signature.
                        for stamp in first_visit_only:
                            setattr(visit, stamp, None)
                        visit.consent_carried_at, visit.signed_at = visit.signed_at, None
                    visit.progress = visit.derive_progress()
                    visits.append(visit)
                    counts[f"visits_{state}"] = counts.get(f"visits_{state}", 0) + 1
                    link = self.link_for(visit, now, AccessLink, hash_token)
                    links.append(link)
                    if getattr(link, "reissued", None) is not None:
                        links.append(link.reissued)
                    audits.append(self.audit("visit.created", visit, patient, visit.created_at))
                    if visit.screening_done_at and session > 1:
                        screenings.append(
                            ScreeningResponse(visit_id=visit.id, submitted_at=visit.screening_done_at, **follow_up)
                        )
                        visit.flag_level = follow_up["flag_level"]
                    elif visit.screening_done_at and tpl["screening"] is not None:
                        row = ScreeningResponse(
                            **_clone_fields(tpl["screening"], visit_id=visit.id, submitted_at=visit.screening_done_at)
                        )
                        if rng.random() < 0.25:  # a quarter without flags, the rest like the demo's
                            row.flags, row.flag_level = [], 0
                        visit.flag_level = row.flag_level
                        screenings.append(row)
                    if visit.understanding_done_at and tpl["understanding"] is not None:
                        understandings.append(
                            UnderstandingResult(
                                **_clone_fields(
                                    tpl["understanding"], visit_id=visit.id, passed_at=visit.understanding_done_at
                                )
                            )
                        )
                    if visit.signed_at:
                        consents.append(
                            self.consent_for(visit, patient, tpl, version, pdf_template, default_storage, ConsentRecord)
                        )
                        audits.append(self.audit("consent.signed", visit, patient, visit.signed_at))
                    if visit.visited_at:
                        regions = rng.sample(["neck", "upper_back", "lower_back", "shoulder", "thigh", "calf_shin"], 2)
                        fields = {"visit_id": visit.id, "treated_at": visit.visited_at, "recorded_at": visit.visited_at}
                        if tpl["record"] is not None:
                            records.append(VisitRecord(**_clone_fields(tpl["record"], **fields)))
                        elif clinicians:
                            records.append(
                                VisitRecord(**fields, regions=regions, recorded_by=visit.clinician or clinicians[0])
                            )
                    if visit.checked_in_at and tpl["checkin"] is not None:
                        # 3% report a red flag; the clinic has not yet acknowledged a third of those.
                        urgent = rng.random() < 0.03
                        source = (tpl["urgent_checkin"] or tpl["checkin"]) if urgent else tpl["checkin"]
                        acknowledged = None if urgent and rng.random() < 0.33 else visit.checked_in_at
                        checkins.append(
                            CheckIn(
                                **_clone_fields(
                                    source,
                                    visit_id=visit.id,
                                    window="24h",
                                    submitted_at=visit.checked_in_at,
                                    urgent=urgent,
                                    acknowledged_at=acknowledged if urgent else source.acknowledged_at,
                                    acknowledged_by_id=visit.clinician_id if urgent and acknowledged else None,
                                )
                            )
                        )
                        if urgent and acknowledged is None:
                            visit.urgent_since = visit.checked_in_at
                            counts["urgent_unacknowledged"] = counts.get("urgent_unacknowledged", 0) + 1
                        if rng.random() < 0.5:
                            later = visit.checked_in_at + timedelta(hours=48)
                            checkins.append(
                                CheckIn(
                                    **_clone_fields(tpl["checkin"], visit_id=visit.id, window="72h", submitted_at=later)
                                )
                            )
            Patient.objects.bulk_create(patients, batch_size=BATCH)
            Course.objects.bulk_create(courses, batch_size=BATCH)
            Visit.objects.bulk_create(visits, batch_size=BATCH)
            AccessLink.objects.bulk_create(links, batch_size=BATCH)
            ScreeningResponse.objects.bulk_create(screenings, batch_size=BATCH)
            UnderstandingResult.objects.bulk_create(understandings, batch_size=BATCH)
            ConsentRecord.objects.bulk_create(consents, batch_size=BATCH)
            VisitRecord.objects.bulk_create(records, batch_size=BATCH)
            CheckIn.objects.bulk_create(checkins, batch_size=BATCH)
            AuditEvent.objects.bulk_create(audits, batch_size=BATCH)
            for name, rows in (
                ("patients", patients),
                ("visits", visits),
                ("links", links),
                ("screenings", screenings),
                ("understanding_results", understandings),
                ("consents", consents),
                ("visit_records", records),
                ("checkins", checkins),
                ("audit_events", audits),
            ):
                counts[name] = counts.get(name, 0) + len(rows)
            done += size
            print(f"  {done:>7} / {self.patients} patients", file=sys.stderr, flush=True)

    @staticmethod
    def audit(action: str, visit, patient, at):
        from portal.models import AuditEvent

        return AuditEvent(action=action, object_type="visit", object_id=str(visit.id), patient=patient, at=at)

    def link_for(self, visit, now, AccessLink, hash_token):  # noqa: N803 - model class passed in
        rng = self.rng
        created = visit.created_at
        link = AccessLink(
            id=uuid.uuid4(),
            visit=visit,
            token_hash=hash_token(secrets.token_urlsafe(16)),
            created_at=created,
            expires_at=max(visit.scheduled_at, created + timedelta(days=1)) + timedelta(days=30),
            last_used_at=visit.opened_at,
        )
        roll = rng.random()
        if roll < 0.01:
            link.locked_at = created + timedelta(hours=3)
            link.failed_dob_attempts = 5
            self.counts["links_locked"] = self.counts.get("links_locked", 0) + 1
        elif roll < 0.02:
            link.revoked_at = created + timedelta(hours=1)
            self.counts["links_revoked"] = self.counts.get("links_revoked", 0) + 1
            # Reception re-issued it: the visit's current link is a new one.
            link.reissued = AccessLink(
                id=uuid.uuid4(),
                visit=visit,
                token_hash=hash_token(secrets.token_urlsafe(16)),
                created_at=link.revoked_at,
                expires_at=link.expires_at,
                last_used_at=visit.opened_at,
            )
        return link

    def consent_for(self, visit, patient, tpl, version, pdf_template, storage, ConsentRecord):  # noqa: N803
        from django.core.files.base import ContentFile

        record_id = uuid.uuid4()
        data = pdf_variant(pdf_template, record_id.hex)
        name = storage.save(f"consents/bench/{record_id.hex}.pdf", ContentFile(data))
        fields = {
            "visit_id": visit.id,
            "consent_version_id": version.id,
            "language": version.language,
            "signer_name": patient.full_name,
            "signed_at": visit.signed_at,
            "pdf": name,
            "pdf_sha256": hashlib.sha256(data).hexdigest(),
            "confirmed_at": visit.confirmed_at,
            "confirmed_by_id": visit.clinician_id if visit.confirmed_at else None,
            "confirmation_pdf": "",
            "confirmation_sha256": "",
            "withdrawn_at": None,
            "withdrawn_by_id": None,
            "withdrawn_reason": "",
        }
        if tpl["consent"] is not None:
            values = _clone_fields(tpl["consent"], **fields)
        else:
            values = {
                **fields,
                "text_sha256": hashlib.sha256(version.body.encode()).hexdigest(),
                "signature_method": "typed",
                "signed_time_zone": "UTC",
                "acknowledgements": {"risks": []},
            }
        if self.rng.random() < 0.02 and not visit.visited_at:
            values.update(withdrawn_at=visit.signed_at + timedelta(hours=5), withdrawn_reason="benchmark")
            self.counts["consents_withdrawn"] = self.counts.get("consents_withdrawn", 0) + 1
        return ConsentRecord(id=record_id, **values)

    def make_journey_visits(self, clinicians: list) -> list[dict[str, Any]]:
        """Fresh invited visits for simulated patients, with their tokens (one visit per journey)."""
        from django.utils import timezone

        from intake.links.tokens import hash_token, new_token
        from intake.models import AccessLink, Course, Patient, Visit, digits_only, fold_for_search

        now = timezone.now()
        rows, patients, courses, visits, links = [], [], [], [], []
        for index in range(self.journeys):
            dob = date(1950, 1, 1) + timedelta(days=self.rng.randrange(365 * 50))
            patient = Patient(
                id=uuid.uuid4(),
                first_name="Journey",
                last_name=f"Patient{index}",
                date_of_birth=dob,
                email=f"journey{index}@example.com",
                phone=f"+1303555{index:04d}",
            )
            patient.search_name = fold_for_search(f"{patient.first_name} {patient.last_name} ")
            patient.search_phone = digits_only(patient.phone)
            course = Course(id=uuid.uuid4(), patient=patient, opened_at=now)
            courses.append(course)
            visit = Visit(
                id=uuid.uuid4(),
                patient=patient,
                course=course,
                clinician=clinicians[index % len(clinicians)] if clinicians else None,
                scheduled_at=now + timedelta(days=1 + index % 5, hours=index % 8),
            )
            visit.progress = visit.derive_progress()
            token = new_token()
            links.append(AccessLink(visit=visit, token_hash=hash_token(token), expires_at=now + timedelta(days=40)))
            patients.append(patient)
            visits.append(visit)
            rows.append({"token": token, "dob": dob.isoformat(), "visit": str(visit.id), "name": patient.full_name})
        Patient.objects.bulk_create(patients, batch_size=BATCH)
        Course.objects.bulk_create(courses, batch_size=BATCH)
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        AccessLink.objects.bulk_create(links, batch_size=BATCH)
        self.counts["journey_visits"] = len(rows)
        return rows

    def sample_for_clinicians(self, size: int = 1000) -> dict[str, list]:
        from consent.models import ConsentRecord
        from intake.models import Patient, Visit

        patient_ids = list(Patient.objects.order_by("?").values_list("id", flat=True)[:size])
        visit_ids = list(Visit.objects.exclude(signed_at=None).order_by("?").values_list("id", flat=True)[:size])
        consent_ids = list(
            ConsentRecord.objects.filter(withdrawn_at=None).order_by("?").values_list("id", flat=True)[:size]
        )
        names = list(Patient.objects.order_by("?").values_list("last_name", "date_of_birth", "phone")[:size])
        return {
            "patients": [str(pk) for pk in patient_ids],
            "visits": [str(pk) for pk in visit_ids],
            "consents": [str(pk) for pk in consent_ids],
            "searches": [{"name": last, "dob": dob.isoformat(), "phone": phone[-4:]} for last, dob, phone in names],
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--load-staff", type=int, default=8, help="accounts per role for the simulated staff")
    parser.add_argument("--journeys", type=int, default=1500, help="fresh invited visits for simulated patients")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    result = Generator(
        patients=args.patients, seed=args.seed, load_staff=args.load_staff, journeys=args.journeys, out=args.out
    ).run()
    print(json.dumps({"patients": result["patients"], "seconds": result["seconds"], "counts": result["counts"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
