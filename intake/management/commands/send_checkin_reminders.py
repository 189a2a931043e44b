"""Queue the aftercare check-in reminders that are due (the same job run_schedules runs every minute)."""

from django.core.management.base import BaseCommand

from intake.aftercare.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Remind patients whose 24 h or 72 h check-in is open and not done yet; idempotent. Last line: sent N."

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"sent {sent}")
