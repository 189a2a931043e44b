from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        from consent import services  # noqa: F401 - registers the signed copy's send-time context
