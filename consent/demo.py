"""Demo consent text and signed consents for visits past signing (seed_demo).

The consent text is the clinic's data in consent/texts/ (per version and language), written for the demo in
plain words (reading grade 6-8) from the facts in the project's clinical notes; a clinic edits it as a new
ConsentVersion in the admin.
"""

from __future__ import annotations

import io
import math
from datetime import timedelta

from django.utils import timezone

from consent import texts
from consent.models import ConsentRecord, ConsentVersion
from intake.models import Visit
from portal.models import User

# Demo guardians for demo patients under 18: (first name of the child) -> (guardian's name, relationship).
DEMO_GUARDIANS = {"Tom": ("Anna Becker", "Mother")}


def seed_versions() -> ConsentVersion:
    """Idempotent: the clinic's active consent text for dry needling in every language (from consent/texts/);
    returns the English one."""
    for language in texts.languages():
        texts.seed(language)
    return texts.seed("en")


def demo_signature_png(seed: int = 0) -> bytes:
    """A hand-drawn-looking signature stroke, for demo records."""
    from PIL import Image, ImageDraw

    width, height = 600, 200
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = []
    for step in range(220):
        x = 40 + step * 2.3
        y = 110 + 35 * math.sin(step / (9 + seed % 4)) * math.cos(step / 31) - step * 0.12
        points.append((x, y))
    draw.line(points, fill=(20, 20, 60, 255), width=4, joint="curve")
    draw.line([(60, 160), (520, 150)], fill=(20, 20, 60, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def seed(visits: list[Visit], *, clinician: User) -> None:
    """Idempotent: signs (and confirms) consent for demo visits whose progress says so."""
    from consent.services import active_version_for, confirm_consent, sign_consent

    for index, visit in enumerate(visits):
        visit.refresh_from_db()
        if visit.signed_at is None:
            continue
        record = ConsentRecord.objects.active().filter(visit=visit).first()
        if record is None:
            version = active_version_for(visit.language)
            if version is None:
                continue
            if visit.understanding_done_at is None:
                visit.understanding_done_at = visit.signed_at - timedelta(minutes=5)
                visit.save(update_fields=["understanding_done_at"])
            patient = visit.patient
            guardian = DEMO_GUARDIANS.get(patient.first_name) if patient.is_minor else None
            drawn = index % 2 == 0
            record = sign_consent(
                visit=visit,
                version=version,
                signer_name=guardian[0] if guardian else patient.full_name,
                signer_role=ConsentRecord.SignerRole.GUARDIAN if guardian else ConsentRecord.SignerRole.PATIENT,
                guardian_relationship=guardian[1] if guardian else "",
                signature_png=demo_signature_png(index) if drawn else None,
                acknowledgements={
                    "electronic_signature": True,
                    "read_and_understood": True,
                    "voluntary": True,
                    "guardian_involved_minor": bool(guardian),
                    "risks": [risk["name"] for risk in version.risks],
                },
                time_zone=str(timezone.get_current_timezone()),
                ip="127.0.0.1",
                user_agent="Demo data (seed_demo)",
                when=visit.signed_at,
                send_email=False,
            )
        visit.refresh_from_db()
        wants_confirmation = visit.confirmed_at is not None or visit.visited_at is not None
        if wants_confirmation and record.confirmed_at is None:
            confirm_consent(record=record, clinician=clinician, when=visit.confirmed_at or visit.signed_at)
