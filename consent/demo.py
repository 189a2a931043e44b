"""Demo consent text and signed consents for visits past signing (seed_demo).

The consent text below is the clinic's data, written for the demo in plain words (reading grade 6-8)
from the facts in the project's clinical notes; a clinic edits it as a new ConsentVersion in the admin.
"""

from __future__ import annotations

import io
import math
from datetime import date, timedelta

from django.utils import timezone

from consent.models import ConsentRecord, ConsentVersion
from intake.models import Visit
from portal.models import User

DRY_NEEDLING_TITLE = "Consent to dry needling"

DRY_NEEDLING_BODY = """\
## What dry needling is
Dry needling is a treatment where your physiotherapist puts very thin, solid needles through the skin into
tight or sore muscle. Nothing is injected: the needle is solid and carries no medicine. It is not acupuncture.
It is based on how muscles and nerves work, not on energy lines.

## Why it is offered to you
Your physiotherapist thinks dry needling may help with the pain or tightness you told us about. It is usually
one part of a plan that also includes exercise and other hands-on care. This form is about you and the
treatment planned for you.

## What happens in a session
Your physiotherapist checks the area and explains what they plan to do. You sit or lie in a comfortable
position. Lying down is best if you have ever felt faint with needles. They clean the skin and put in one or
more needles. Each needle stays in for a few seconds up to several minutes. Afterwards the needles go straight
into a sharps box and are never used again.

## What it feels like
You may feel a small pinch as the needle goes in. In the muscle you may feel a deep ache, or a quick jump or
twitch of the muscle. This is expected. Tell your physiotherapist at any time if it is too much, and they will
change what they are doing or stop.

## Afterwards
The area may feel sore, heavy or tired, a bit like after a hard workout. This usually eases in one to two days
and is almost always gone in three. You may see a small bruise or a spot of blood. Your clinic will give you
aftercare advice and ask how you are doing.

## What it may do for you
Many people have less pain and move more easily after dry needling. Some feel better straight away, others
after a few sessions, and some feel no change. We cannot promise that it will work for you.

## Possible risks
Most side effects are mild and short. The table below shows how often each one happens, per treatment. A
collapsed lung (pneumothorax) is very rare and can only happen when needles are used over the chest wall,
upper back, neck or shoulder. Its signs can start up to a day later: if you become short of breath, have chest
pain, or a dry cough after treatment, call emergency services straight away.

## Other choices
You do not have to have dry needling. Other options include exercise, hands-on therapy such as massage or
joint mobilisation, other treatments like heat, taping or electrical stimulation, or no treatment at all. Your
physiotherapist can talk with you about each option.

## Your choice, at any time
Saying yes is your choice. You can say no, ask questions, or change your mind at any time, even in the middle
of a session. Saying no or stopping will not change the rest of your care. You can withdraw this consent
through your link or by telling the clinic.

## Talking it through with your physiotherapist
Signing this form is not the whole of your consent. Before the first needle, your treating physiotherapist
(named on this form) will go through it with you and answer your questions. They then record in the portal
that this talk happened.

## How long this consent lasts
This consent covers a course of dry needling sessions with this clinic. It lasts until you withdraw it, or
until the clinic changes this text; then we will ask you to read and sign the new version.

## Your copy
You can download a copy of this signed form straight away. If we have your email address we also send you a
copy. You can ask the clinic for a paper copy at any time, free of charge.

## Young people under 18
For a young person under 18, a parent or legal guardian signs this form and says how they are related. The
young person takes part in the talk with the physiotherapist and can ask their own questions.
"""

DRY_NEEDLING_RISKS = [
    {
        "name": "Any minor side effect (for example soreness, a bruise or a little bleeding)",
        "frequency": "Common: about 2 to 4 in every 10 treatments",
    },
    {
        "name": "Soreness after treatment",
        "frequency": "Very common; usually eases within 1 to 2 days and is almost always gone within 3",
    },
    {"name": "Bruising", "frequency": "About 8 in 100 treatments"},
    {"name": "Bleeding where a needle went in (usually a small spot)", "frequency": "About 5 to 16 in 100 treatments"},
    {"name": "Pain during treatment", "frequency": "About 3 to 6 in 100 treatments"},
    {"name": "Your usual symptoms feel worse for a short while", "frequency": "Fewer than 1 to 3 in 100 treatments"},
    {"name": "Feeling drowsy, a headache, or feeling sick", "frequency": "Well under 1 in 100 treatments, each"},
    {
        "name": "Fainting or feeling faint",
        "frequency": "About 1 in 100 at a first session sitting up; much rarer later and when lying down",
    },
    {"name": "A serious problem of any kind", "frequency": "Fewer than 1 in 1,000 treatments"},
    {
        "name": "Collapsed lung (pneumothorax), only when needling over the chest wall, upper back, neck or shoulder",
        "frequency": "About 1 in a million treatments; signs can start up to a day later",
    },
    {"name": "A broken needle, infection or nerve injury", "frequency": "Very rare: only single cases reported"},
]

# Demo guardians for demo patients under 18: (first name of the child) -> (guardian's name, relationship).
DEMO_GUARDIANS = {"Tom": ("Anna Becker", "Mother")}


def seed_versions() -> ConsentVersion:
    """Idempotent: the clinic's active English consent text for dry needling (and its Spanish edition)."""
    from consent.texts_es import seed_version_es

    seed_version_es()
    existing = ConsentVersion.objects.filter(key="dry-needling", language="en").order_by("-version").first()
    if existing is not None:
        return existing
    return ConsentVersion.objects.create(
        key="dry-needling",
        version=1,
        language="en",
        title=DRY_NEEDLING_TITLE,
        body=DRY_NEEDLING_BODY,
        risks=DRY_NEEDLING_RISKS,
        effective_date=date(2026, 1, 1),
        is_active=True,
    )


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
