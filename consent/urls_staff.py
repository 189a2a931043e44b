"""Staff consent pages: the PDF inline, clinician confirmation, withdrawal on a patient's behalf, verification."""

app_name = "consent_staff"

urlpatterns: list = []
