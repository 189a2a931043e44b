"""The patient's journey pages. No token in these URLs: the session holds access to one visit."""

from django.urls import path

from intake import views_patient

app_name = "journey"

urlpatterns = [
    path("", views_patient.progress, name="progress"),
    # Step URL names other rooms link to: journey:explanation, journey:screening, journey:understanding,
    # journey:before-visit. consent:sign and aftercare:home live in their own rooms.
]
