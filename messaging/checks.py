"""System checks: an alert phone number that cannot be texted is found at start, not during an alert."""

from django.conf import settings
from django.core import checks

from messaging.phones import textable_number


@checks.register()
def alert_phones_are_textable(app_configs=None, **kwargs):
    problems = []
    for name in ("CLINIC_ALERT_PHONES", "CLINIC_ESCALATION_PHONES"):
        bad = [n for n in getattr(settings, name) if textable_number(n) is None]
        if bad:
            problems.append(
                checks.Warning(
                    f"{name} holds {len(bad)} number(s) that cannot be texted; they will be skipped.",
                    hint=f"Use the international form (+44...) or a number valid in {settings.CLINIC_PHONE_REGION}.",
                    id="messaging.W001",
                )
            )
    return problems
