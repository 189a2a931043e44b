"""The patient's journey as an ordered list of steps: what is done, what comes next, where to resume.

Each step is done when a timestamp on the visit is set (`Visit.mark(...)`), one of the journey's
milestones (`intake/journey/milestones.py`, the one list that progress and the consent PDF also use).
A step can be opened once every step before it is done; the first step that is not done is where the
patient resumes. The consent step lives in consent/ and aftercare in intake/aftercare/; every step's URL
name must resolve (a test reverses each one), so a mistyped name fails loudly instead of hiding a step.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from intake.models import Visit


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    summary: str | Promise
    url_name: str
    stamp: str | None  # the Visit field that marks the step done; None: never "done", just available


STEPS: list[Step] = [
    Step(
        "explanation",
        _("About dry needling"),
        _("Read what it is and what it feels like."),
        "journey:explanation",
        "explanation_read_at",
    ),
    Step(
        "screening",
        _("Health questions"),
        _("Tell us about your pain and your health."),
        "journey:screening",
        "screening_done_at",
    ),
    Step(
        "understanding",
        _("Quick check"),
        _("A few questions to check the key facts."),
        "journey:understanding",
        "understanding_done_at",
    ),
    Step("consent", _("Consent"), _("Read and sign the consent form."), "consent:sign", "signed_at"),
    Step(
        "before_visit",
        _("Before your visit"),
        _("What to wear, eat and bring."),
        "journey:before-visit",
        None,
    ),
]
STEP_KEYS = [step.key for step in STEPS]


@dataclass(frozen=True)
class StepState:
    step: Step
    number: int
    done: bool
    available: bool  # every step before it is done
    current: bool  # the first step that is not done
    url: str

    @property
    def key(self) -> str:
        return self.step.key


def is_done(visit: Visit, step: Step) -> bool:
    return bool(step.stamp and getattr(visit, step.stamp))


def step_states(visit: Visit) -> list[StepState]:
    states = []
    all_before_done = True
    current_found = False
    for number, step in enumerate(STEPS, start=1):
        done = is_done(visit, step)
        current = not done and not current_found and step.stamp is not None
        if current:
            current_found = True
        states.append(
            StepState(
                step=step,
                number=number,
                done=done,
                available=all_before_done,
                current=current,
                url=reverse(step.url_name),
            )
        )
        all_before_done = all_before_done and (done or step.stamp is None)
    return states


def resume_step(visit: Visit) -> StepState:
    """The first unfinished step (or "before your visit" once everything is done)."""
    states = step_states(visit)
    for state in states:
        if state.current:
            return state
    return states[-1]


def first_missing_before(visit: Visit, step_key: str) -> Step | None:
    """The earliest step that must be done before `step_key` can be used, if any."""
    for step in STEPS:
        if step.key == step_key:
            return None
        if step.stamp and not getattr(visit, step.stamp):
            return step
    return None


def can_edit_answers(visit: Visit) -> bool:
    """Answers may change until consent is signed; after that they are the record the consent rests on."""
    return visit.signed_at is None


def aftercare_url(visit: Visit) -> str | None:
    """Aftercare opens once the clinician has recorded the visit."""
    return reverse("aftercare:home") if visit.visited_at else None
