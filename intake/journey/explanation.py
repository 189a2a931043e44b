"""What the patient reads before the screening: short sections in plain words.

Each section has a key, so the understanding check can show the one section that answers a question
the patient got wrong. Facts come from clinical.md and the seed articles; the words are our own.
Keep sentences short: the text is checked for a reading grade of 8 or lower.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise


@dataclass(frozen=True)
class Section:
    key: str
    heading: Text
    paragraphs: list[Text] = field(default_factory=list)
    bullets: list[Text] = field(default_factory=list)
    after: list[Text] = field(default_factory=list)  # paragraphs after the bullet list
    questions: list[tuple[Text, Text]] = field(default_factory=list)  # FAQ: (question, answer)


SECTIONS: list[Section] = [
    Section(
        "what",
        _("What dry needling is"),
        [
            _("Dry needling uses very thin needles. Your physio puts them into a tight or sore spot in a muscle."),
            _("The needle is solid. Nothing is injected. No drug goes into your body."),
            _(
                "It is not acupuncture. Acupuncture comes from Chinese medicine. "
                "Dry needling is based on how muscles and nerves work."
            ),
        ],
    ),
    Section(
        "why",
        _("Why we use it"),
        [
            _("A sore muscle can become touchy and tense. Dry needling can help it calm down."),
            _(
                "This can ease pain for a while and help you move more freely. "
                "It often makes your exercises easier to do."
            ),
            _("It is one part of your plan. It works best with exercise, not on its own."),
        ],
    ),
    Section(
        "session",
        _("What happens in a session"),
        [],
        [
            _("Your physio checks your pain and how you move."),
            _("You sit or lie in a comfy position. The skin is cleaned."),
            _("A clean needle is put in. Each needle is used once and then thrown away."),
            _("The needle may stay in for a few seconds or a few minutes."),
            _("Your physio may then stretch or gently work the muscle."),
        ],
        [_("You can ask questions at any time. Tell your physio how it feels as you go.")],
    ),
    Section(
        "feel",
        _("What it feels like"),
        [
            _("Most people feel a small pinch as the needle goes in."),
            _("Then you may feel a deep ache, pressure or a short cramp."),
            _("The muscle may twitch. This can feel odd, but it is normal and not harmful."),
        ],
    ),
    Section(
        "after",
        _("How you may feel after"),
        [
            _("The muscle is often sore, like after a hard workout."),
            _("Soreness often starts within a few hours. It is worst in the first day or two."),
            _("It usually goes away in 1 to 2 days. A mild ache can last up to 3 days."),
            _("You may see a small bruise. You may feel looser right away, then sore later that day."),
        ],
    ),
    Section(
        "how_often",
        _("How often"),
        [
            _("Most people have 1 or 2 sessions a week."),
            _("Some need only a few sessions. Others have a short course over some weeks."),
            _("If it does not help after a session or two, your physio will change the plan."),
        ],
    ),
    Section(
        "benefits",
        _("What it may do for you"),
        [
            _("It may ease pain and tightness. It may help you move more easily."),
            _("It does not work for everyone, and we cannot promise a result."),
        ],
    ),
    Section(
        "risks",
        _("Risks"),
        [_("Most side effects are small and pass quickly.")],
        [
            _("Soreness after a session is very common."),
            _("About 1 in 12 sessions leaves a small bruise."),
            _("A few drops of blood where a needle went in are common."),
            _("Some people feel faint. This is more likely the first time, and less likely lying down."),
            _("Feeling tired, a headache or feeling sick is rare."),
            _("Serious problems are very rare: less than 1 in 1,000 sessions."),
        ],
        [
            _(
                "Needles near the chest, upper back, neck or shoulder can very rarely puncture a lung. "
                "This happens about once in a million sessions."
            ),
            _(
                "Signs are sudden shortness of breath or chest pain. They can start hours later. "
                "If this happens, call emergency services right away."
            ),
        ],
    ),
    Section(
        "alternatives",
        _("Other choices"),
        [_("You do not have to have dry needling. Other choices include:")],
        [
            _("Exercise and stretches"),
            _("Hands-on treatment such as massage"),
            _("Other treatments your physio can offer"),
            _("No treatment at all"),
        ],
    ),
    Section(
        "optional",
        _("It is always your choice"),
        [
            _("Dry needling is always optional. You can say no."),
            _("You can stop at any time, even in the middle of a session. Just tell your physio."),
            _("Saying no will not change the rest of your care."),
        ],
    ),
    Section(
        "faq",
        _("Questions people often ask"),
        questions=[
            (_("Is it like a shot?"), _("No. The needle is much thinner, and nothing is put into your body.")),
            (_("Does it hurt?"), _("Most people say it is fine. There is a short pinch and a deep ache.")),
            (
                _("Can it be made gentler?"),
                _("Yes. Your physio can use fewer needles, go less deep, or take breaks."),
            ),
            (
                _("Can I exercise after?"),
                _("Gentle movement helps. Your physio will tell you if you should go easy for a day."),
            ),
            (
                _("What if I am scared of needles?"),
                _("Tell us. We can go slowly, let you lie down and agree a stop signal."),
            ),
        ],
    ),
]

SECTIONS_BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}


def all_text() -> str:
    """Every sentence of the explanation, for the reading-level check."""
    parts: list[str] = []
    for section in SECTIONS:
        parts.extend(str(p) for p in [*section.paragraphs, *section.bullets, *section.after])
        for question, answer in section.questions:
            parts.extend([str(question), str(answer)])
    return " ".join(part if part.rstrip().endswith((".", "?", "!", ":")) else part + "." for part in parts)
