from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        # Register intake's schedules and alert hook, and the send-time context of its messages.
        from intake import schedules  # noqa: F401
        from intake.aftercare import reminders  # noqa: F401
        from intake.links import services  # noqa: F401
        from intake.visits import reminders as visit_reminders  # noqa: F401
