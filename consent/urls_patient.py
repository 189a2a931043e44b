"""The patient's consent pages: signing, their copy of the PDF, withdrawal."""

from django.urls import path

from consent import views_patient

app_name = "consent"

urlpatterns = [
    path("", views_patient.sign, name="sign"),
    path("signed/", views_patient.signed, name="signed"),
    path("copy.pdf", views_patient.pdf, name="pdf"),
    path("withdraw/", views_patient.withdraw, name="withdraw"),
]
