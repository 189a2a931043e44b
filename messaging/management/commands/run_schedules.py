"""Run every registered schedule once: due reminders, alert escalations, message retries."""

from django.core.management.base import BaseCommand, CommandError

from messaging.schedules import run_all


class Command(BaseCommand):
    help = "Queue every due reminder, escalation and retry; idempotent, safe to run every minute from cron."

    def handle(self, *args, **options):
        counts, failed = run_all()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        if failed:
            raise CommandError(f"schedules failed: {', '.join(failed)}")
