"""Create a patient (or reuse an exact match), a visit and its access link; print the patient URL."""

from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from intake.models import Language
from intake.patients.services import (
    CourseDischarged,
    find_matching_patients,
    invite_patient,
    visits_at_the_same_time,
)
from intake.visits.appointments import appointment_time_problem
from portal.models import User


class Command(BaseCommand):
    help = "Invite a patient: prints the absolute patient URL as the last line."

    def add_arguments(self, parser):
        # Checked in handle() rather than by argparse, so a missing value is one clear line.
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--dob", default="", help="date of birth, YYYY-MM-DD")
        parser.add_argument("--email", default="")
        parser.add_argument("--visit-at", default="", help="ISO-8601 date and time; default tomorrow 09:00")
        parser.add_argument("--clinician", default="", help="username of the treating clinician")
        parser.add_argument("--language", default=Language.ENGLISH)
        parser.add_argument(
            "--new-course",
            action="store_true",
            help="start a new course of care (a new complaint, the full screening) instead of a follow-up",
        )
        parser.add_argument("--complaint", default="", help="main complaint of a new course (optional)")

    def handle(self, *args, **options):
        first_name = options["first_name"].strip()
        last_name = options["last_name"].strip()
        if not first_name or not last_name:
            raise CommandError("--first-name and --last-name are required", returncode=2)
        try:
            dob = date.fromisoformat(options["dob"])
        except ValueError:
            raise CommandError(f"--dob must be a date as YYYY-MM-DD, not {options['dob']!r}", returncode=2) from None
        if dob > timezone.localdate():
            raise CommandError("--dob cannot be in the future", returncode=2)
        if options["language"] not in Language.values:
            raise CommandError(f"--language must be one of {', '.join(Language.values)}", returncode=2)
        visit_at = self._visit_time(options["visit_at"])
        clinician = None
        if options["clinician"]:
            clinician = User.objects.filter(username=options["clinician"], is_active=True).first()
            if clinician is None or not clinician.is_clinician:
                raise CommandError(f"no active clinician with username {options['clinician']!r}", returncode=2)
        if len(options["complaint"]) > 200:
            raise CommandError("--complaint must be 200 characters or fewer", returncode=2)
        for patient in find_matching_patients(first_name=first_name, last_name=last_name, date_of_birth=dob)[:1]:
            if visits_at_the_same_time(patient=patient, scheduled_at=visit_at).exists():
                self.stderr.write("Warning: this patient already has a visit at that time; booking another one.")
        try:
            invitation = invite_patient(
                first_name=first_name,
                last_name=last_name,
                date_of_birth=dob,
                scheduled_at=visit_at,
                email=options["email"],
                clinician=clinician,
                language=options["language"],
                new_course=options["new_course"],
                complaint=options["complaint"],
            )
        except CourseDischarged:
            raise CommandError(
                "the patient's course of care is discharged; use --new-course to start a new one", returncode=2
            ) from None
        self.stdout.write(
            ("Reused" if not invitation.patient_created else "Created") + f" patient {invitation.patient.pk}"
        )
        self.stdout.write(f"Session {invitation.visit.session_number} of course {invitation.visit.course_id}")
        self.stdout.write(invitation.url)

    def _visit_time(self, raw: str) -> datetime:
        if not raw:
            tomorrow = timezone.localdate() + timedelta(days=1)
            return timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()).replace(hour=9))
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            raise CommandError(f"--visit-at must be an ISO-8601 date and time, not {raw!r}", returncode=2) from None
        when = when if timezone.is_aware(when) else timezone.make_aware(when)
        problem = appointment_time_problem(when)
        if problem:
            raise CommandError(f"--visit-at: {problem}", returncode=2)
        return when
