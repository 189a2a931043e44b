from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """The message log, the email/SMS sending task, and the schedule registry.

    Label "messaging", never "messages" (django.contrib.messages holds that label). It imports no
    domain app: domain apps register their message templates and schedules with it.
    """

    name = "messaging"
    label = "messaging"
    verbose_name = "Messages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the rescue and escalation schedules and the alert messages' context.
        from messaging import alerts, checks, schedules  # noqa: F401
