"""The journey's milestones in order: the one list every view of "how far has this visit got" derives from.

Each milestone is a timestamp on the visit (`Visit.mark(stamp)`). From this list come the visit's progress
(`Visit.progress`, via `intake.models.PROGRESS_STAMPS`), the patient's step list (`intake.journey.steps`
names the stamp that finishes each step) and the audit trail printed in the consent PDF
(`consent_event`: the label for the milestones up to signing, translated into the consent's language).
This module imports nothing from the app, so the models can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Milestone:
    stamp: str  # the Visit field that records it
    progress: str  # the Progress value the visit reaches with it
    consent_event: StrOrPromise | None = None  # its line in the consent PDF's audit trail, if it has one


MILESTONES: list[Milestone] = [
    Milestone("opened_at", "opened", _("Opened the private link and confirmed date of birth")),
    Milestone("explanation_read_at", "explained", _("Read the explanation of dry needling")),
    Milestone("screening_done_at", "screened", _("Completed the health screening")),
    Milestone("understanding_done_at", "understood", _("Completed the understanding check")),
    Milestone("signed_at", "signed", _("Signed this consent")),
    Milestone("confirmed_at", "confirmed"),
    Milestone("visited_at", "visited"),
    Milestone("checked_in_at", "checked_in"),
]
STAMPS: list[str] = [milestone.stamp for milestone in MILESTONES]
SIGNED = "signed_at"  # the consent PDF prints its own record's signing time for this one
