"""Destroy the patient records whose retention period is over (docs/records.md). Run --dry-run first."""

from django.core.management.base import BaseCommand

from intake.records.services import apply_retention


class Command(BaseCommand):
    help = (
        "Destroy every patient record past its retention date and not on legal hold: files, rows, and a "
        "tombstone in the audit log; clear the copies other apps keep past their time (import previews). "
        "--dry-run lists what is due and destroys nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what is due; destroy nothing.")

    def handle(self, *args, dry_run: bool, **options):
        run = apply_retention(dry_run=dry_run)
        copies_verb = "to clear (dry run, nothing cleared)" if dry_run else "cleared"
        for kind, count in run.expired_copies.items():
            self.stdout.write(f"{kind} past their keeping time, {copies_verb}: {count}")
        due = run.due
        # The record's id only (staff can open it): never a name or date of birth on a terminal or in a log.
        for item in due:
            self.stdout.write(
                f"{item.patient.pk}  {item.rule}  kept until {item.keep_until:%Y-%m-%d}  ({item.rule_text})"
            )
        verb = "due (dry run, nothing destroyed)" if dry_run else "destroyed"
        self.stdout.write(f"{verb} {len(due)}")
