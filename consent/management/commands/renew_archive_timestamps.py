"""Keep sealed consent PDFs verifiable for decades: pending timestamps, then archive timestamp renewal."""

from django.conf import settings
from django.core.management.base import BaseCommand

from consent.services import renew_archive_timestamps, timestamp_pending


class Command(BaseCommand):
    help = (
        "Add the timestamp to seals made while the timestamp authority was down, then add a document "
        "timestamp (PAdES B-LTA) to every consent file whose newest timestamp's TSA certificate expires "
        "within --days (CONSENT_TIMESTAMP_RENEW_DAYS). Safe to run daily; each file done is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="renewal window in days")

    def handle(self, *args, **options):
        days = options["days"] if options["days"] is not None else settings.CONSENT_TIMESTAMP_RENEW_DAYS
        pending = timestamp_pending()
        report = renew_archive_timestamps(days=days)
        self.stdout.write(f"pending timestamps added: {pending}")
        self.stdout.write(f"due for renewal within {days} days: {report.due}; renewed: {report.renewed}")
        if report.skipped_reason:
            self.stderr.write(f"renewal skipped: {report.skipped_reason}")
        if report.failed:
            self.stderr.write(f"renewal failed for {report.failed} files (they stay due; see the log)")
