"""The patient's language switcher, at /language/ outside the journey's namespace (every patient page posts here)."""

from django.urls import path

from intake.journey.language import switch_language

urlpatterns = [
    path("", switch_language, name="patient_language"),
]
