from django.core.management.base import BaseCommand, CommandError

from intake import questionnaires
from intake.questionnaires.sheet import rule_sheet


class Command(BaseCommand):
    help = (
        "Validates every version of every questionnaire definition (exits non-zero with the problems) "
        "and, with --sheet, prints each version's flag rules in words, with their explanations."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sheet", action="store_true", help="print the rule sheet of every version")

    def handle(self, *args, sheet: bool = False, **options):
        failures = []
        for name in questionnaires.names():
            for version in questionnaires.versions(name):
                try:
                    definition = questionnaires.read(name, questionnaires.ROOT / name / version)
                except questionnaires.QuestionnaireError as error:
                    failures.append(str(error))
                    continue
                if problems := questionnaires.problems(definition):
                    failures.append(f"{name} {version}: " + "; ".join(problems))
                    continue
                self.stdout.write(
                    f"{name} {version}: valid ({len(definition.items)} items, {len(definition.flags)} rules)"
                )
                if sheet:
                    self.stdout.write("\n".join(["", *rule_sheet(definition), ""]))
        if failures:
            raise CommandError("\n".join(failures))
