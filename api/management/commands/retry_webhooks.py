"""Send webhook deliveries whose retry time has come (for task backends that cannot schedule later)."""

from django.core.management.base import BaseCommand

from api.webhooks import retry_due


class Command(BaseCommand):
    help = "Retry due webhook deliveries; safe to run every minute. The last line is `sent N`."

    def handle(self, *args, **options):
        self.stdout.write(f"sent {retry_due()}")
