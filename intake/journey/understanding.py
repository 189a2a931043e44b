"""The understanding check before consent: questions on the key facts, as data.

Each question names the explanation section (intake/explanation.py) that answers it; a wrong answer
shows that section again and the patient tries again. The first answer to each question is kept for
the clinician (UnderstandingResult.first_try: key -> correct at the first try).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django import forms
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.journey.explanation import SECTIONS_BY_KEY
from intake.journey.explanation import Section as ExplanationSection
from intake.models import UnderstandingResult, Visit
from portal import audit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CHECK_VERSION = "2026.1"


@dataclass(frozen=True)
class Question:
    key: str
    text: StrOrPromise
    choices: list[tuple[str, StrOrPromise]]
    correct: str
    explanation: str  # key of the explanation section to show again

    @property
    def section(self) -> ExplanationSection:
        return SECTIONS_BY_KEY[self.explanation]


QUESTIONS: list[Question] = [
    Question(
        "injected",
        _("Is any medicine or liquid put into your body during dry needling?"),
        [
            ("yes", _("Yes, a small amount of medicine")),
            ("no", _("No, nothing is put in")),
            ("sometimes", _("Only if the pain is bad")),
        ],
        "no",
        "what",
    ),
    Question(
        "soreness",
        _("How long does soreness after a session usually last?"),
        [
            ("hours", _("Less than an hour")),
            ("days", _("About 1 to 2 days")),
            ("weeks", _("About 2 weeks")),
        ],
        "days",
        "after",
    ),
    Question(
        "breathless",
        _("After a session you suddenly feel short of breath or have chest pain. What should you do?"),
        [
            ("wait", _("Wait a few days to see if it gets better")),
            ("rest", _("Lie down and rest, then call the clinic next week")),
            ("emergency", _("Call emergency services right away")),
        ],
        "emergency",
        "risks",
    ),
    Question(
        "optional",
        _("Can you say no to dry needling, or stop during a session?"),
        [
            ("no", _("No, once I agree I have to finish")),
            ("yes", _("Yes, I can say no or stop at any time")),
            ("before", _("Only before the session starts")),
        ],
        "yes",
        "optional",
    ),
    Question(
        "acupuncture",
        _("Is dry needling the same as acupuncture?"),
        [
            ("same", _("Yes, it is the same thing")),
            ("different", _("No, it is based on how muscles and nerves work")),
        ],
        "different",
        "what",
    ),
]
QUESTIONS_BY_KEY = {question.key: question for question in QUESTIONS}


class UnderstandingForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text,
                choices=question.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please choose an answer."),
                    "invalid_choice": _("Please choose one of the answers shown."),
                },
            )

    def wrong(self) -> list[Question]:
        return [q for q in QUESTIONS if self.cleaned_data.get(q.key) != q.correct]


def result_for(visit: Visit) -> UnderstandingResult | None:
    return UnderstandingResult.objects.filter(visit=visit).first()


@transaction.atomic
def record_attempt(
    *, visit: Visit, answers: dict[str, str], request: HttpRequest | None = None, shown_after: int | None = None
) -> UnderstandingResult:
    """Grade one attempt. First-try results are kept; passing marks the visit's understanding step.

    `shown_after` is the attempt count the form was shown after (a hidden field). A browser reload
    re-posts the same form with the same number: that is graded again but not counted again, so the
    consent PDF's "completed after N attempts" counts the patient's submissions only.
    """
    result, _created = UnderstandingResult.objects.select_for_update().get_or_create(
        visit=visit, defaults={"check_version": CHECK_VERSION}
    )
    if shown_after is not None and shown_after != result.attempts:
        wrong = [q.key for q in QUESTIONS if answers.get(q.key) != q.correct]
        if not wrong and result.passed_at is None:
            result.passed_at = timezone.now()
            result.save(update_fields=["passed_at"])
            visit.mark("understanding_done_at")
        return result
    first_try = dict(result.first_try)
    for question in QUESTIONS:
        if question.key not in first_try and question.key in answers:
            first_try[question.key] = answers[question.key] == question.correct
    result.first_try = first_try
    result.attempts += 1
    wrong = [q.key for q in QUESTIONS if answers.get(q.key) != q.correct]
    if not wrong and result.passed_at is None:
        result.passed_at = timezone.now()
    result.save()
    if not wrong:
        visit.mark("understanding_done_at")
    audit.record(
        "understanding.attempted",
        request=request,
        obj=result,
        patient=visit.patient,
        details={"attempt": result.attempts, "wrong": len(wrong), "passed": not wrong},
    )
    return result
