"""The patient's journey pages. No token in these URLs: the session holds access to one visit."""

from django.urls import path

from intake import views_patient

app_name = "journey"

urlpatterns = [
    path("", views_patient.progress, name="progress"),
    path("about-dry-needling/", views_patient.explanation, name="explanation"),
    path("screening/", views_patient.screening_start, name="screening"),
    path("screening/answers/", views_patient.screening_answers, name="screening-answers"),
    path("screening/<slug:section>/", views_patient.screening_section, name="screening-section"),
    path("check/", views_patient.understanding_check, name="understanding"),
    path("before-your-visit/", views_patient.before_visit, name="before-visit"),
    # consent:sign and aftercare:home live in their own rooms (consent/urls_patient.py, intake/urls_aftercare.py).
]
