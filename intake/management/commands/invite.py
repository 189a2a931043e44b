"""Create a patient (or reuse an exact match), a visit and its access link; print the patient URL."""

from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from intake.models import Language, Visit
from intake.patients.services import invite_patient
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
        invitation = invite_patient(
            first_name=first_name,
            last_name=last_name,
            date_of_birth=dob,
            scheduled_at=visit_at,
            email=options["email"],
            clinician=clinician,
            language=options["language"],
        )
        self.stdout.write(
            ("Reused" if not invitation.patient_created else "Created") + f" patient {invitation.patient.pk}"
        )
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
        if when > timezone.now() + Visit.BOOKING_HORIZON:
            raise CommandError("--visit-at is more than two years away; check the year", returncode=2)
        return when
