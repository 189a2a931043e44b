"""The patient's journey pages. No token in these URLs: the session holds access to one visit."""

from django.urls import path

from intake import views_patient

app_name = "journey"

urlpatterns = [
    path("", views_patient.progress, name="progress"),
]
