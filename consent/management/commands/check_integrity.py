"""Re-hash every stored consent PDF (and confirmation addendum) against its record."""

from django.core.management.base import BaseCommand, CommandError

from consent.verification import integrity_problems


class Command(BaseCommand):
    help = "Re-hash every stored consent PDF against its record's SHA-256; exit non-zero on any mismatch."

    def handle(self, *args, **options):
        checked = 0
        problems = []
        for _record, problem in integrity_problems():
            checked += 1
            if problem is not None:
                problems.append(problem)
                self.stderr.write(f"MISMATCH record {problem.record_id} {problem.file_name}: {problem.problem}")
        if problems:
            raise CommandError(f"{len(problems)} of {checked} consent files failed the integrity check")
        self.stdout.write(f"ok: {checked} consent files match their records")
