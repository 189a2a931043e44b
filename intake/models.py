"""Patients, their visits, the private links that open a visit, and what the patient answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# The search rules know nothing of the models; the models keep their folded copies with them.
from intake.journey.milestones import MILESTONES
from intake.patients.search import digits_only, fold_for_search, patient_search_q
from portal.text import strip_bidi_controls


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class FlagLevel(models.IntegerChoices):
    """Ordered so that the highest level of a visit is a plain MAX()."""

    NONE = 0, _("No flags")
    PLAN = 1, _("Plan")
    REVIEW = 2, _("Review")
    STOP = 3, _("Stop")


ADULT_AGE = 18  # under this age on the day, a parent or guardian signs the consent (clinical.md)


class PatientQuerySet(models.QuerySet):
    def not_on_hold(self) -> PatientQuerySet:
        return self.filter(legal_hold_since__isnull=True)

    def with_last_visit(self) -> PatientQuerySet:
        """Each patient with `last_visit_at`: the latest appointment (the record's retention clock)."""
        return self.annotate(last_visit_at=models.Max("visits__scheduled_at"))


class Patient(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    emergency_contact_name = models.CharField(_("emergency contact name"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(_("emergency contact phone"), max_length=40, blank=True)
    emergency_contact_relationship = models.CharField(_("relationship"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    # The patient asked for no texts: links and reminders go by email only (messaging.patient_channels).
    sms_opt_out = models.BooleanField(_("no text messages"), default=False)
    # Folded copies kept by save(), so search is an indexed prefix/contains match, not a function call.
    search_name = models.CharField(max_length=400, editable=False, db_index=True)
    search_phone = models.CharField(max_length=40, editable=False, db_index=True, blank=True)
    # Set when the patient taps "my name is spelled wrong"; cleared when staff change the name.
    name_reported_wrong_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped on every edit, so an edit form can notice that someone else saved in between.
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A legal hold keeps the whole record past its retention date (docs/records.md); clinic admin only.
    legal_hold_since = models.DateTimeField(null=True, blank=True, editable=False)
    legal_hold_reason = models.CharField(max_length=500, blank=True, editable=False)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [("export_records", "Can export patient records (FHIR, CSV)")]
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_language__in=Language.values), name="intake_patient_language_known"
            ),
        ]
        indexes = [
            models.Index(fields=["date_of_birth"], name="intake_patient_dob"),
            models.Index(fields=["email"], name="intake_patient_email"),
            models.Index(fields=["last_name", "first_name", "date_of_birth"], name="intake_patient_identity"),
        ]

    def __str__(self) -> str:
        return self.full_name

    # Names and phone numbers never carry bidirectional controls (see portal/text.py).
    BIDI_FREE_FIELDS = (
        "first_name",
        "last_name",
        "preferred_name",
        "phone",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relationship",
    )

    def save(self, *args, **kwargs):
        for name in self.BIDI_FREE_FIELDS:
            setattr(self, name, strip_bidi_controls(getattr(self, name)))
        self.search_name = fold_for_search(f"{self.first_name} {self.last_name} {self.preferred_name}")
        self.search_phone = digits_only(self.phone)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name", "search_phone", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.first_name

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def is_minor_on(self, day: date) -> bool:
        """The one minor rule: under 18 on that day, so a parent or guardian signs."""
        return self.age_on(day) < ADULT_AGE

    @property
    def on_legal_hold(self) -> bool:
        return self.legal_hold_since is not None

    @property
    def is_minor(self) -> bool:
        return self.is_minor_on(timezone.localdate())


class PatientChange(models.Model):
    """One edit of a patient's demographics: who, when, and which fields (never the values)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    fields = models.JSONField(default=list)

    class Meta:
        ordering = ["-changed_at"]


class CourseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISCHARGED = "discharged", _("Discharged")


class CourseQuerySet(models.QuerySet["Course"]):
    def active(self):
        return self.filter(status=CourseStatus.ACTIVE)

    def current_for(self, patient: Patient) -> Course | None:
        """The patient's latest course (active or discharged): where a new visit goes unless asked otherwise."""
        return self.filter(patient=patient).order_by("-opened_at", "-id").first()


class Course(models.Model):
    """A course of care: one patient, one main complaint, the sessions given for it until discharge.

    Named Course, as clinicians and patients say it ("a course of dry needling"); the FHIR export calls
    the same thing an EpisodeOfCare.
    """

    Status = CourseStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    complaint = models.CharField(_("main complaint"), max_length=200, blank=True)
    lead_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="led_courses"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    opened_at = models.DateTimeField(default=timezone.now)
    discharged_at = models.DateTimeField(null=True, blank=True)
    # Null only for discharges made by the system (a migration or a command run without a user).
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discharge_reason = models.CharField(_("reason for discharge"), max_length=500, blank=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CourseStatus.values), name="intake_course_status_known"),
            # Discharged exactly when it has a discharge time and a reason; an active course has neither.
            models.CheckConstraint(
                condition=(
                    Q(
                        status=CourseStatus.ACTIVE,
                        discharged_at__isnull=True,
                        discharged_by__isnull=True,
                        discharge_reason="",
                    )
                    | (Q(status=CourseStatus.DISCHARGED, discharged_at__isnull=False) & ~Q(discharge_reason=""))
                ),
                name="intake_course_discharge_consistent",
            ),
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True) | Q(discharged_at__gte=models.F("opened_at")),
                name="intake_course_discharged_after_opened",
            ),
        ]
        indexes = [models.Index(fields=["patient", "opened_at"], name="intake_course_patient_opened")]

    def __str__(self) -> str:
        return f"Course {timezone.localtime(self.opened_at):%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Progress(models.TextChoices):
    """Where a visit's journey stands, in order. Derived from the visit's timestamps on save."""

    INVITED = "invited", _("Invited")
    OPENED = "opened", _("Opened")
    EXPLAINED = "explained", _("Explanation read")
    SCREENED = "screened", _("Screening done")
    UNDERSTOOD = "understood", _("Understanding checked")
    SIGNED = "signed", _("Consent signed")
    CONFIRMED = "confirmed", _("Confirmed by clinician")
    VISITED = "visited", _("Visited")
    CHECKED_IN = "checked_in", _("Aftercare checked in")


# Each progress state and the timestamp that marks it, in journey order, from the one milestone list
# (intake/journey/milestones.py).
PROGRESS_STAMPS: list[tuple[Progress, str]] = [
    (Progress(milestone.progress), milestone.stamp) for milestone in MILESTONES
]


class VisitQuerySet(models.QuerySet):
    def upcoming(self, now: datetime | None = None):
        start_of_today = timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
        return self.filter(scheduled_at__gte=start_of_today)

    def for_board(self):
        """Visits with the patient and clinician joined and the session number counted: the board's rows."""
        return self.select_related("patient", "clinician").with_session_number()

    def search(self, text: str):
        """Visits whose patient matches a name, date of birth, email or phone (see intake/patients/search.py)."""
        condition = patient_search_q(text, prefix="patient__")
        return self.filter(condition) if condition is not None else self

    def urgent(self):
        """Visits with an unresolved red-flag check-in, oldest alarm first."""
        return self.filter(urgent_since__isnull=False).order_by("urgent_since")

    def not_ready(self):
        """Visits whose consent is not signed yet (the patient still has steps to do)."""
        return self.filter(signed_at__isnull=True)

    def with_board_state(self):
        """Each row's open "call the patient" review and its locked link (id), in the same query."""
        return self.annotate(
            needs_discussion=models.Exists(
                ScreeningResponse.objects.filter(
                    visit=models.OuterRef("pk"), review_outcome=ReviewOutcome.NEEDS_DISCUSSION
                )
            ),
            locked_link_id=models.Subquery(
                AccessLink.objects.filter(
                    visit=models.OuterRef("pk"), revoked_at__isnull=True, locked_at__isnull=False
                ).values("pk")[:1]
            ),
        )

    def with_session_number(self):
        """Each visit's place in its course (1 for the first), counted in the same query.

        A correlated count rather than a window function: a window would number only the rows left after
        the board's filters, while the session number must count every visit of the course.
        """
        earlier = (
            Visit.objects.filter(course=models.OuterRef("course"))
            .filter(
                Q(scheduled_at__lt=models.OuterRef("scheduled_at"))
                | Q(scheduled_at=models.OuterRef("scheduled_at"), id__lte=models.OuterRef("id"))
            )
            .order_by()
            .values("course")
            .annotate(n=models.Count("id"))
            .values("n")
        )
        return self.annotate(session_number=models.Subquery(earlier, output_field=models.IntegerField()))


class Visit(models.Model):
    # How far ahead an appointment may be booked: keeps typos like year 9999 out (and link expiry finite).
    BOOKING_HORIZON = timedelta(days=2 * 365)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="visits")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    scheduled_at = models.DateTimeField(_("appointment"))
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Any change to the visit or its journey; integrations poll on it (GET /api/v1/visits?changed_since=).
    updated_at = models.DateTimeField(auto_now=True)

    opened_at = models.DateTimeField(null=True, blank=True)
    explanation_read_at = models.DateTimeField(null=True, blank=True)
    screening_done_at = models.DateTimeField(null=True, blank=True)
    understanding_done_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    visited_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # A follow-up session whose patient was told that the course's earlier consent still applies
    # (consent/ decides; nothing was signed for this visit). Counts as the consent step being done.
    consent_carried_at = models.DateTimeField(null=True, blank=True)

    progress = models.CharField(max_length=16, choices=Progress.choices, default=Progress.INVITED, editable=False)
    # Highest screening flag, and the time of an unresolved red-flag check-in: kept on the visit
    # so the board can filter and sort on them without joining the answers.
    flag_level = models.PositiveSmallIntegerField(choices=FlagLevel.choices, default=FlagLevel.NONE)
    urgent_since = models.DateTimeField(null=True, blank=True)
    # Set when a check-in's soreness is above the usual course (intake/outcomes/soreness.py), even
    # without a red flag: the board marks the visit "not settling".
    not_settling_since = models.DateTimeField(null=True, blank=True)

    # A clinic that took consent on paper says so explicitly: the scanned form (private storage, no URL),
    # who attached it and when. Without it, or a consent signed here before the session, no session is
    # recorded (intake/visits/services.py record_visit).
    paper_consent_scan = models.FileField(upload_to="paper-consents/", max_length=200, blank=True)
    paper_consent_at = models.DateTimeField(null=True, blank=True)
    paper_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at"]
        permissions = [("review_screening", "Can mark the clinical review of a screening")]
        constraints = [
            models.CheckConstraint(condition=Q(flag_level__lte=FlagLevel.STOP), name="intake_visit_flag_level_known"),
            models.CheckConstraint(condition=Q(progress__in=Progress.values), name="intake_visit_progress_known"),
            models.CheckConstraint(
                condition=Q(paper_consent_at__isnull=True, paper_consent_by__isnull=True, paper_consent_scan="")
                | (Q(paper_consent_at__isnull=False, paper_consent_by__isnull=False) & ~Q(paper_consent_scan="")),
                name="intake_visit_paper_consent_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["scheduled_at"], name="intake_visit_scheduled"),
            models.Index(fields=["clinician", "scheduled_at"], name="intake_visit_clinician_sched"),
            models.Index(fields=["progress", "scheduled_at"], name="intake_visit_progress_sched"),
            models.Index(fields=["flag_level", "scheduled_at"], name="intake_visit_flag_sched"),
            # Session numbers count the course's visits up to this one.
            models.Index(fields=["course", "scheduled_at"], name="intake_visit_course_sched"),
            models.Index(fields=["updated_at", "id"], name="intake_visit_changed"),
            # The board's urgent panel and the review queue read only the few visits with an open alarm.
            models.Index(
                fields=["urgent_since"], condition=Q(urgent_since__isnull=False), name="intake_visit_urgent_open"
            ),
            # The outcomes page counts the few visits whose soreness is not settling.
            models.Index(
                fields=["not_settling_since"],
                condition=Q(not_settling_since__isnull=False),
                name="intake_visit_not_settling",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit {timezone.localtime(self.scheduled_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.progress = self.derive_progress()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "progress", "updated_at"}
        super().save(*args, **kwargs)

    def derive_progress(self) -> Progress:
        reached = Progress.INVITED
        for state, stamp in PROGRESS_STAMPS:
            if getattr(self, stamp) or (stamp == "signed_at" and self.consent_carried_at):
                reached = state
        return reached

    # --- the visit in its course ------------------------------------------------------------------
    def earlier_in_course(self):
        """The visits of the same course before this one, latest first."""
        return (
            Visit.objects.filter(course_id=self.course_id)
            .filter(Q(scheduled_at__lt=self.scheduled_at) | Q(scheduled_at=self.scheduled_at, id__lt=self.id))
            .order_by("-scheduled_at", "-id")
        )

    @property
    def session_number(self) -> int:
        annotated = self.__dict__.get("session_number")
        return annotated if annotated is not None else self.earlier_in_course().count() + 1

    @session_number.setter
    def session_number(self, value: int) -> None:
        self.__dict__["session_number"] = value

    @cached_property
    def previous_session(self) -> Visit | None:
        """The latest earlier visit of the course whose patient answered its questions: the baseline."""
        return self.earlier_in_course().filter(screening_done_at__isnull=False).first()

    @property
    def is_follow_up(self) -> bool:
        """Not the first session of its course: the short journey ("since your last session")."""
        return self.previous_session is not None

    def previous_record(self) -> VisitRecord | None:
        """The clinician's record of the latest earlier treated session of the course."""
        return VisitRecord.objects.filter(visit__in=self.earlier_in_course()).order_by("-treated_at").first()

    @property
    def ready_to_sign(self) -> bool:
        """The steps before the consent are done: the understanding check, or a follow-up's questions."""
        return self.understanding_done_at is not None or (self.screening_done_at is not None and self.is_follow_up)

    @property
    def consent_on_paper(self) -> bool:
        return self.paper_consent_at is not None

    def signed_consent_before(self, moment: datetime) -> bool:
        """An active (not withdrawn) consent signed in the portal before `moment`.

        Read through the reverse relation of consent.ConsentRecord, which intake does not import.
        """
        return self.consents.filter(withdrawn_at__isnull=True, signed_at__lt=moment).exists()

    def mark(self, stamp: str, when: datetime | None = None) -> None:
        """Record that a journey step happened (first time only) and save."""
        if getattr(self, stamp) is None:
            setattr(self, stamp, when or timezone.now())
            self.save(update_fields=[stamp])


class AccessLinkQuerySet(models.QuerySet):
    def usable(self, now: datetime | None = None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class AccessLink(models.Model):
    """A private link that opens one visit. Only the SHA-256 of its random token is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="access_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    failed_dob_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A visit has at most one link that has not been revoked: re-issuing revokes the old one.
            models.UniqueConstraint(
                fields=["visit"], condition=Q(revoked_at__isnull=True), name="intake_accesslink_one_active_per_visit"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="intake_accesslink_expires_after_creation"
            ),
        ]

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        USED = "used", _("Used")
        EXPIRED = "expired", _("Expired")
        LOCKED = "locked", _("Locked")
        REVOKED = "revoked", _("Revoked")

    @property
    def state(self) -> str:
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        if self.locked_at:
            return self.State.LOCKED
        if self.last_used_at:
            return self.State.USED
        return self.State.ACTIVE

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ReviewOutcome(models.TextChoices):
    """The clinician's review of a screening. "Needs discussion" stays open until a later review clears it."""

    REVIEWED = "reviewed", _("Reviewed: fine to go ahead")
    NEEDS_DISCUSSION = "needs_discussion", _("Needs discussion: call the patient")


class ScreeningResponseQuerySet(models.QuerySet):
    def awaiting_review(self):
        """Submitted screenings not yet reviewed, or still waiting for the discussion with the patient.

        A screening waits until the consent is signed (the signed consent then waits for its own review).
        A follow-up whose consent carried over has no signing to wait for: it needs a clinician only when
        "since your last session" raised a flag, until the session is recorded. Without this, every
        follow-up with nothing changed would stay in the queue for good.
        """
        before_consent = Q(visit__signed_at__isnull=True, visit__consent_carried_at__isnull=True)
        flagged_follow_up = Q(
            visit__consent_carried_at__isnull=False, flag_level__gt=FlagLevel.NONE, visit__visited_at__isnull=True
        )
        return self.filter(submitted_at__isnull=False).filter(
            Q(reviewed_at__isnull=True) & (before_consent | flagged_follow_up)
            | Q(review_outcome=ReviewOutcome.NEEDS_DISCUSSION)
        )


class ScreeningResponse(models.Model):
    """The patient's screening answers for one visit, with the scores and flags the server computed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="screening")
    # "screening" for a course's first visit, "follow_up" ("since your last session") for the others.
    questionnaire = models.CharField(max_length=40, default="screening")
    questionnaire_version = models.CharField(max_length=40)
    answers = models.JSONField(default=dict)
    sections_done = models.JSONField(default=list)
    scores = models.JSONField(default=dict)
    flags = models.JSONField(default=list)
    flag_level = models.PositiveSmallIntegerField(choices=FlagLevel.choices, default=FlagLevel.NONE)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_outcome = models.CharField(max_length=20, blank=True, choices=ReviewOutcome.choices)
    review_note = models.TextField(blank=True, max_length=2000)

    objects = ScreeningResponseQuerySet.as_manager()

    class Meta:
        indexes = [
            # The board asks of every row whether a "call the patient" review is open: a handful of rows
            # among tens of thousands, found by this index instead of a scan (35 ms at 20,000 patients).
            models.Index(
                fields=["visit"],
                condition=Q(review_outcome="needs_discussion"),
                name="intake_screening_discussion",
            ),
            # The review queue lists the highest flags first, oldest first within a level, and stops at 50:
            # read in this order, it stops after the first matching rows instead of sorting every screening.
            models.Index(fields=["-flag_level", "submitted_at"], name="intake_screening_review_order"),
        ]

    @property
    def needs_discussion(self) -> bool:
        return self.review_outcome == ReviewOutcome.NEEDS_DISCUSSION


class UnderstandingResult(models.Model):
    """The understanding check: first-try answers are kept for the clinician."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="understanding")
    check_version = models.CharField(max_length=40)
    first_try = models.JSONField(default=dict)  # question key -> answered correctly at the first try
    attempts = models.PositiveSmallIntegerField(default=0)
    passed_at = models.DateTimeField(null=True, blank=True)

    @property
    def first_try_wrong(self) -> list[str]:
        return [key for key, correct in self.first_try.items() if not correct]


class AdverseEvent(models.TextChoices):
    """What happened during the session, in fields that aftercare and outcomes can read (not free text)."""

    FELT_FAINT = "felt_faint", _("Felt faint or fainted")
    BLEEDING = "bleeding", _("Bleeding that needed more than a short press")
    OTHER = "other", _("Something else (say what in the notes)")


class VisitRecord(models.Model):
    """The clinician's record that the session took place; it opens aftercare."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="record")
    treated_at = models.DateTimeField()
    regions = models.JSONField(default=list)  # keys from the screening's fixed body-region list
    chest_risk_area = models.BooleanField(
        default=False, help_text="Chest wall, upper back, neck or shoulder was needled."
    )
    notes = models.TextField(blank=True, max_length=4000)
    # Who needled the patient (may differ from who typed the record); null only for records made before.
    treated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adverse_events = models.JSONField(default=list, blank=True)  # AdverseEvent values
    # Optional "right after the session" soreness (0-10): the 0 h point of the soreness curve.
    soreness_after = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(soreness_after__lte=10), name="intake_visitrecord_soreness_after_0_10"),
        ]
        # The clinic's outcomes page reads the sessions of a date range (intake/outcomes/stats.py).
        indexes = [models.Index(fields=["treated_at"], name="intake_visitrecord_treated")]

    def adverse_event_labels(self) -> list[str]:
        labels = dict(AdverseEvent.choices)
        return [str(labels.get(code, code)) for code in self.adverse_events]


class OutcomeMoment(models.TextChoices):
    """When outcome measures are taken (intake/questionnaires/outcomes)."""

    FIRST_VISIT = "first_visit", _("First visit")
    BEFORE_SESSION = "before_session", _("Before a session")
    DISCHARGE = "discharge", _("Discharge")


class OutcomeResponse(models.Model):
    """Outcome measures (pain, activities, change) for one visit, scored by the server."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="outcomes")
    questionnaire_version = models.CharField(max_length=40)
    moment = models.CharField(max_length=16, choices=OutcomeMoment.choices)
    answers = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    # The headline scores copied out of `scores` so the clinic's outcomes page can aggregate in SQL.
    nprs = models.PositiveSmallIntegerField(null=True, blank=True)
    psfs = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    groc = models.SmallIntegerField(null=True, blank=True)
    pain_from_screening = models.BooleanField(default=False)
    # Change since the patient's first measure (None on the first one), and whether this is the patient's
    # latest response: kept by the outcomes service on every write, so the clinic's outcomes page reads
    # each course's change from one indexed row instead of finding first and last per patient.
    nprs_change = models.SmallIntegerField(null=True, blank=True)
    psfs_change = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    is_latest = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(moment__in=OutcomeMoment.values), name="intake_outcome_moment_known"),
            models.CheckConstraint(condition=Q(nprs__lte=10), name="intake_outcome_nprs_0_10"),
            models.CheckConstraint(condition=Q(psfs__gte=0, psfs__lte=10), name="intake_outcome_psfs_0_10"),
            models.CheckConstraint(condition=Q(groc__gte=-7, groc__lte=7), name="intake_outcome_groc_range"),
        ]
        indexes = [
            models.Index(fields=["submitted_at"], name="intake_outcome_submitted"),
            models.Index(fields=["submitted_at"], condition=Q(is_latest=True), name="intake_outcome_latest"),
        ]


class CheckIn(models.Model):
    """An aftercare check-in at about 24 h or 72 h after the visit."""

    class Window(models.TextChoices):
        DAY_1 = "24h", _("About a day after")
        DAY_3 = "72h", _("About three days after")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="checkins")
    window = models.CharField(max_length=8, choices=Window.choices)
    soreness = models.PositiveSmallIntegerField()
    trend = models.CharField(max_length=10)  # better / same / worse
    red_flags = models.JSONField(default=list)
    urgent = models.BooleanField(default=False)
    late = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "window"], name="intake_checkin_one_per_window"),
            models.CheckConstraint(condition=Q(soreness__lte=10), name="intake_checkin_soreness_0_10"),
        ]


class CheckInReminder(models.Model):
    """One reminder email per visit and window, so a second run of the sender sends nothing twice."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="checkin_reminders")
    window = models.CharField(max_length=8, choices=CheckIn.Window.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "window"], name="intake_checkinreminder_one_per_window"),
        ]
