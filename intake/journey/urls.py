"""The patient's journey pages. No token in these URLs: the session holds access to one visit."""

from django.urls import path

from intake.courses import views as course_views
from intake.journey import views
from intake.outcomes import views as outcome_views
from intake.screening import views as screening_views

app_name = "journey"

urlpatterns = [
    path("", views.progress, name="progress"),
    path("about-dry-needling/", views.explanation, name="explanation"),
    path("screening/", screening_views.screening_start, name="screening"),
    path("screening/answers/", screening_views.screening_answers, name="screening-answers"),
    # Before the section route, which would take any one-word path under screening/.
    path("screening/your-activities/", outcome_views.activities, name="activities"),
    path("screening/<slug:section>/", screening_views.screening_section, name="screening-section"),
    path("since-your-last-session/", course_views.since_last, name="since-last"),
    path("since-your-last-session/act-now/", course_views.act_now, name="since-last-act-now"),
    path("check/", views.understanding_check, name="understanding"),
    path("before-your-visit/", views.before_visit, name="before-visit"),
    path("name-spelled-wrong/", views.name_spelled_wrong, name="name-wrong"),
    # consent:sign and aftercare:home live in their own rooms (consent/urls_patient.py, intake/aftercare/urls.py).
]
