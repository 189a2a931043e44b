"""The patient's aftercare pages and check-ins (behind the same patient session as the journey)."""

app_name = "aftercare"

urlpatterns: list = []
