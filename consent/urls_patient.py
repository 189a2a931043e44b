"""The patient's consent pages: signing, their copy of the PDF, withdrawal."""

app_name = "consent"

urlpatterns: list = []
