"""The patient's journey pages. No token in these URLs: the session holds access to one visit."""

from django.urls import path

from intake.journey import views
from intake.screening import views as screening_views

app_name = "journey"

urlpatterns = [
    path("", views.progress, name="progress"),
    path("about-dry-needling/", views.explanation, name="explanation"),
    path("screening/", screening_views.screening_start, name="screening"),
    path("screening/answers/", screening_views.screening_answers, name="screening-answers"),
    path("screening/<slug:section>/", screening_views.screening_section, name="screening-section"),
    path("check/", views.understanding_check, name="understanding"),
    path("before-your-visit/", views.before_visit, name="before-visit"),
    path("name-spelled-wrong/", views.name_spelled_wrong, name="name-wrong"),
    # consent:sign and aftercare:home live in their own rooms (consent/urls_patient.py, intake/aftercare/urls.py).
]
