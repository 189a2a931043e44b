"""Is this PDF byte-identical to a stored consent PDF, with an intact clinic seal?"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consent.verification import verify_pdf_bytes


class Command(BaseCommand):
    help = (
        "Check a consent PDF: exit 0 and print 'valid ...' when it is byte-identical to a stored consent "
        "(or confirmation addendum) PDF and its seal verifies; otherwise exit 1 with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF file to check")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"invalid: cannot read {path} ({exc.strerror})") from exc
        result = verify_pdf_bytes(data)
        if not result.valid:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
