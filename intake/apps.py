from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        # Register intake's schedules and alert hook, and the send-time context of its messages.
        from intake import schedules  # noqa: F401
        from intake.aftercare import reminders  # noqa: F401

        # Alerts store red-flag codes; each message and page names them in its reader's language.
        from intake.aftercare.advice import red_flag_label
        from intake.links import services  # noqa: F401
        from intake.visits import reminders as visit_reminders  # noqa: F401
        from messaging.render import register_symptom_labels

        register_symptom_labels(red_flag_label)
