"""Create demo staff and demo patients in every state of the journey. Safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from consent import demo as consent_demo
from intake.demo import aftercare as demo_aftercare
from intake.demo import courses as demo_courses
from intake.demo import journey as demo_journey
from intake.demo import outcomes as demo_outcomes
from intake.demo import patients as intake_demo
from portal import demo as portal_demo


class Command(BaseCommand):
    help = "Create demo staff (reception, clinician, admin) and demo patients; idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true", help="seed even though DEBUG is off (never on a real clinic)"
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("refusing to seed demo data with DEBUG off; pass --allow-production if you mean it")
        with transaction.atomic():
            staff = portal_demo.seed_staff()
            consent_demo.seed_versions()
            visits = intake_demo.seed(clinician=staff["clinician"], reception=staff["reception"])
            demo_visits = [visit for visit, _url in visits]
            # Each step's own records, in journey order: screening, consent, then the visit and aftercare.
            demo_journey.seed(demo_visits)
            consent_demo.seed(demo_visits, clinician=staff["clinician"])
            demo_aftercare.seed(demo_visits, clinician=staff["clinician"])
            # Courses of care: a patient mid-course and one whose consent is too old (after consent texts exist).
            visits += demo_courses.seed(clinician=staff["clinician"], reception=staff["reception"])
            # The mid-course patient's pain and activities at each session (the outcomes pictures).
            demo_outcomes.seed(demo_courses.mid_course_sessions(), clinician=staff["clinician"])
            intake_demo.invite_before_first_step()
        self.stdout.write("Demo patient links (date of birth is the check):")
        for visit, url in visits:
            patient = visit.patient
            self.stdout.write(
                f"  {patient.full_name:<24} born {patient.date_of_birth}  {visit.get_progress_display():<24} {url}"
            )
        self.stdout.write("Demo staff logins at /accounts/login/:")
        for username, _first, _last, role in portal_demo.DEMO_STAFF:
            self.stdout.write(f"  {username:<10} password: {portal_demo.demo_password():<20} ({role.label})")
