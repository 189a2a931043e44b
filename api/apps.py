from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The integration API, its tokens, outgoing webhooks and appointment import.

    An app of its own (not a part of intake) because it depends on intake and consent while neither
    depends on it: the journey never imports the API, and webhooks hear about the journey through
    signals (api/signals.py), so the portal runs the same with this app removed.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    label = "api"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from api import retention, services, signals  # noqa: F401 - retention's copies, webhook-disabled's context, the webhook sources
